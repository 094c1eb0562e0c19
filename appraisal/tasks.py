"""Background jobs of the appraisal app (django-tasks; ``manage.py db_worker`` runs them)."""

from __future__ import annotations

from django_tasks import task

from .notifications import notify_transition
from .services.exports import export_run


@task()
def build_assessment_export(export_id: int) -> bool:
    """Write the annual assessment workbook of one queued export; True when done."""
    return export_run(export_id=export_id)


@task()
def send_transition_mail(transition_id: int) -> None:
    """The e-mails about one state change of an application (see notify_transition)."""
    notify_transition(transition_id)
