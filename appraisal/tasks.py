"""Background jobs of the appraisal app (django-tasks; ``manage.py db_worker`` runs them)."""

from __future__ import annotations

from django_tasks import task

from .services.exports import export_run


@task()
def build_assessment_export(export_id: int) -> bool:
    """Write the annual assessment workbook of one queued export; True when done."""
    return export_run(export_id=export_id)
