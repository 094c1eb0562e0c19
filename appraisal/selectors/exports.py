"""Reads of the annual assessment workbook's exports: the recent ones, one of them.

Who sees an export is decided by ``campaigns.rules`` ("appraisal.assessmentexport"):
the department sees every export, a secretary those covering organizations in
their subtree, members none.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from campaigns import rules

from ..enums import ExportStatus
from ..models import AssessmentExport

RECENT_EXPORTS = 20
# A queued export nobody has started after this long: the background worker is
# probably not running (``manage.py db_worker``).
STALE_AFTER = datetime.timedelta(minutes=10)
# The whole district's workbook takes well under a minute: an export still running
# after this long was most likely cut off (the worker killed, the server restarted).
STALLED_AFTER = datetime.timedelta(minutes=30)


def _exports() -> QuerySet:
    return AssessmentExport.objects.select_related("campaign", "organization", "requested_by")


def recent_exports(user, *, limit: int = RECENT_EXPORTS) -> list[AssessmentExport]:
    """The newest exports ``user`` may see, newest first."""
    return list(rules.visible(user, _exports()).order_by("-created_at", "-pk")[:limit])


def export_for_user(user, pk) -> AssessmentExport:
    """One export ``user`` may see; 404 otherwise, so outsiders learn nothing."""
    return rules.get_visible_or_404(user, _exports(), pk=pk)


def is_waiting_too_long(export: AssessmentExport, *, now: datetime.datetime | None = None) -> bool:
    """Still queued long after it was requested: no background worker has picked it up."""
    if export.status != ExportStatus.QUEUED:
        return False
    return (now or timezone.now()) - export.created_at > STALE_AFTER


def is_stalled(export: AssessmentExport, *, now: datetime.datetime | None = None) -> bool:
    """Still running long after it was requested: its worker most likely died."""
    if export.status != ExportStatus.RUNNING:
        return False
    return (now or timezone.now()) - export.created_at > STALLED_AFTER
