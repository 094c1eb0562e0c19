"""Delete audit trail events older than the retention period (at least 180 days)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import audit
from campaigns.enums import AuditAction
from campaigns.models import AuditEvent

MIN_DAYS = 180


class Command(BaseCommand):
    help = (
        "Delete audit trail events older than --days days (default and minimum 180, as "
        "等保2.0 asks). Run it daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=MIN_DAYS,
            help="keep the events of this many days (at least 180)",
        )

    def handle(self, *args, days, **options):
        if days < MIN_DAYS:
            raise CommandError(
                _(
                    "Audit events must be kept for at least %(min)s days; "
                    "--days %(days)s would delete newer ones. Nothing was deleted."
                )
                % {"min": MIN_DAYS, "days": days}
            )
        before = timezone.now() - datetime.timedelta(days=days)
        deleted = AuditEvent.objects.prune(before=before)
        if deleted:
            audit.record(
                action=AuditAction.DELETE,
                object_type=AuditEvent._meta.label_lower,
                object_repr=str(AuditEvent._meta.verbose_name_plural),
                detail=_("%(count)s events older than %(days)s days pruned (command)")
                % {"count": deleted, "days": days},
            )
        self.stdout.write(
            _("Deleted %(count)s audit events recorded before %(before)s.")
            % {
                "count": deleted,
                "before": f"{timezone.localtime(before):%Y-%m-%d %H:%M}",
            }
        )
