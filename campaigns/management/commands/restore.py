"""Replace the portal's database with a backup written by ``manage.py backup``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from campaigns.backup import BackupError, restore, vendor_of

from .backup import media_reminder


class Command(BaseCommand):
    help = (
        "Replace the database with a backup file written by the backup command (or by "
        "pg_dump --format=custom). Everything written since the backup is lost: stop the "
        "portal and its worker first, and confirm with --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file to restore")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="confirm that the database is to be replaced by the backup",
        )
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="the database alias to restore into (default: %(default)s)",
        )

    def handle(self, *args, file, yes, database, **options):
        try:
            settings_dict = connections[database].settings_dict
            vendor_of(settings_dict)
        except BackupError as error:
            raise CommandError(str(error)) from None
        source = Path(file).expanduser()
        if not source.is_file():
            raise CommandError(_("There is no backup file %(file)s.") % {"file": source})
        if not yes:
            raise CommandError(
                _(
                    "Restoring replaces everything in the database %(name)s with the backup "
                    "%(file)s; whatever was written since the backup is lost. Stop the portal "
                    "and its worker, then run the command again with --yes."
                )
                % {"name": settings_dict["NAME"], "file": source}
            )
        # Our own connections would otherwise hold locks or stale pages.
        connections[database].close()
        try:
            restore(settings_dict, source)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Database %(name)s restored from %(file)s.")
                % {"name": settings_dict["NAME"], "file": source}
            )
        )
        self.stdout.write(media_reminder())
