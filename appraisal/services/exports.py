"""Writes of the annual assessment workbook's exports (年度党建目标管理考核表).

``export_request`` records what a user asked for; a small workbook is written
at once, inside the request, a large one by the background task
``appraisal.tasks.build_assessment_export`` (django-tasks, ``manage.py
db_worker``), which calls ``export_run``. ``export_run`` is the only code that
moves an export from queued to running to done or failed.
"""

from __future__ import annotations

import logging
import tempfile
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaigns import audit, rules
from campaigns.enums import AuditAction

from ..enums import ExportStatus
from ..models import AssessmentExport
from ..selectors.exports import STALE_AFTER

logger = logging.getLogger(__name__)

# Up to this many rows (a couple of seconds of writing) the workbook is written
# inside the request (about 1 ms a row here, 2026-12); above it a background job writes it.
INLINE_MAX_ROWS = 2_000
# How often, at most, a running export writes its progress to the database.
PROGRESS_EVERY_SECONDS = 0.5


def export_coverage(user):
    """What part of the district ``user``'s workbook covers: None for the whole
    district (the department), the secretary's own organization otherwise.

    Anyone else may not export: PermissionDenied.
    """
    scope = rules.scope_for(user)
    if scope.is_department:
        return None
    if scope.is_secretary:
        return scope.member.organization
    raise PermissionDenied(
        _(
            "Only the Organization Department and Party organization secretaries "
            "may export the annual assessment."
        )
    )


def export_request(*, user, campaign) -> AssessmentExport:
    """Record ``user``'s request for ``campaign``'s workbook and get it written.

    Department staff get the whole district, a secretary their own organization
    and everything below it; anyone else PermissionDenied. A request repeated
    while the same workbook is still being generated returns that export
    instead of starting a second one. Up to ``INLINE_MAX_ROWS`` rows the
    workbook is written before this returns; a larger one is handed to the
    background worker once the transaction commits.
    """
    from .. import workbook

    organization = export_coverage(user)
    pending = (
        AssessmentExport.objects.filter(
            requested_by=user,
            campaign=campaign,
            organization=organization,
            status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING],
            created_at__gte=timezone.now() - STALE_AFTER,
        )
        .select_related("campaign", "organization", "requested_by")
        .first()
    )
    if pending is not None:
        return pending

    rows_total = workbook.estimate_rows(campaign=campaign, organization=organization)
    export = AssessmentExport.objects.create(
        campaign=campaign,
        organization=organization,
        requested_by=user,
        rows_total=rows_total,
    )
    audit.record(
        action=AuditAction.EXPORT,
        obj=export,
        actor=user,
        detail=_("Annual assessment workbook %(year)s, covering %(scope)s, about %(rows)s rows")
        % {
            "year": campaign.year,
            "scope": organization.name if organization is not None else _("the whole district"),
            "rows": rows_total,
        },
    )
    if rows_total <= INLINE_MAX_ROWS:
        export_run(export_id=export.pk)
        export.refresh_from_db()
    else:
        transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _enqueue(export_id: int) -> None:
    from ..tasks import build_assessment_export

    try:
        build_assessment_export.enqueue(export_id)
    except Exception:
        logger.exception("Could not queue assessment export %s", export_id)
        with translation.override(settings.LANGUAGE_CODE):
            _mark_failed(
                export_id,
                ExportStatus.QUEUED,
                _("The background job could not be queued. Please try again."),
            )


def _mark_failed(export_id: int, from_status: str, message: str) -> None:
    AssessmentExport.objects.filter(pk=export_id, status=from_status).update(
        status=ExportStatus.FAILED, error=message, finished_at=timezone.now()
    )


class _Progress:
    """``progress(rows_done, rows_total)`` for the workbook writer: at most one
    UPDATE every ``PROGRESS_EVERY_SECONDS``, however often it is called."""

    def __init__(self, export_id: int):
        self.export_id = export_id
        self.last = time.monotonic()

    def __call__(self, rows_done: int, rows_total: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY_SECONDS:
            return
        self.last = now
        AssessmentExport.objects.filter(pk=self.export_id, status=ExportStatus.RUNNING).update(
            rows_done=max(0, int(rows_done)), rows_total=max(0, int(rows_total), int(rows_done))
        )


def export_run(*, export_id: int) -> bool:
    """Write the workbook of a queued export and store it; True when it is done.

    Only a queued export runs: the move to running is a conditional UPDATE, so
    a task delivered twice (or a second worker) writes nothing. Any error marks
    the export failed with a message for the page and the traceback in the
    log; no file is kept from a failed run and the export never stays running.
    """
    from .. import workbook

    claimed = AssessmentExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, rows_done=0, error=""
    )
    if not claimed:
        logger.info("Assessment export %s is not queued; nothing to do", export_id)
        return False

    # Messages stored in the database are in the portal's own language.
    with translation.override(settings.LANGUAGE_CODE):
        export = AssessmentExport.objects.select_related("campaign", "organization").get(
            pk=export_id
        )
        stored_name = ""
        try:
            with tempfile.NamedTemporaryFile(suffix=".xlsx") as out:
                rows = workbook.write_assessment_workbook(
                    campaign=export.campaign,
                    organization=export.organization,
                    out=out,
                    progress=_Progress(export_id),
                )
                out.flush()
                out.seek(0)
                export.file.save("workbook.xlsx", File(out), save=False)
                stored_name = export.file.name
            finished = AssessmentExport.objects.filter(
                pk=export_id, status=ExportStatus.RUNNING
            ).update(
                status=ExportStatus.DONE,
                file=stored_name,
                rows_done=rows or 0,
                rows_total=rows or 0,
                finished_at=timezone.now(),
            )
            if not finished:
                raise RuntimeError(f"assessment export {export_id} changed while it was written")
        except Exception:
            logger.exception("Assessment export %s failed", export_id)
            _discard(export, stored_name)
            _mark_failed(
                export_id,
                ExportStatus.RUNNING,
                _(
                    "The workbook could not be generated. The error has been recorded; "
                    "please try again, and tell the administrator if it fails again."
                ),
            )
            return False
        except BaseException:
            # The worker is being stopped (a second Ctrl+C, SIGTERM): do not leave it running.
            logger.warning("Assessment export %s was interrupted", export_id)
            _discard(export, stored_name)
            _mark_failed(
                export_id,
                ExportStatus.RUNNING,
                _(
                    "The export was interrupted because the background worker stopped. "
                    "Please generate the workbook again."
                ),
            )
            raise
    return True


def _discard(export: AssessmentExport, stored_name: str) -> None:
    if not stored_name:
        return
    try:
        export.file.storage.delete(stored_name)
    except Exception:
        logger.exception("Could not delete the file %s of a failed export", stored_name)
