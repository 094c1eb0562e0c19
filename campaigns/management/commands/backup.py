"""Write a backup of the portal's database to a file (SQLite or PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from campaigns.backup import BackupError, backup, vendor_of


class Command(BaseCommand):
    help = (
        "Back up the database to a file: a copy made with SQLite's online backup API, or a "
        "pg_dump custom-format archive for PostgreSQL. Safe while the portal runs. Uploaded "
        "files (MEDIA_ROOT) are not in the database: back them up as well."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="the backup file to write")
        parser.add_argument(
            "--database",
            default=DEFAULT_DB_ALIAS,
            help="the database alias to back up (default: %(default)s)",
        )

    def handle(self, *args, out, database, **options):
        try:
            settings_dict = connections[database].settings_dict
            vendor_of(settings_dict)
            backup(settings_dict, Path(out))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(_("Database backed up to %(file)s.") % {"file": out}))
        self.stdout.write(media_reminder())


def media_reminder() -> str:
    return _(
        "Uploaded files are not in the database: back up %(media)s as well "
        "(e.g. tar -czf media.tar.gz -C %(media)s .)."
    ) % {"media": settings.MEDIA_ROOT}
