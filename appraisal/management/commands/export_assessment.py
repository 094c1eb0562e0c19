"""Write the annual assessment workbook (年度党建目标管理考核表) of one year to an .xlsx file."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from appraisal.workbook import write_assessment_workbook
from campaigns import audit
from campaigns.enums import AuditAction
from campaigns.models import Campaign, Organization


class Command(BaseCommand):
    help = (
        "Recompute the year's annual Party-building target assessment from the records and "
        "write it as a formatted .xlsx workbook: a summary sheet per organization level, "
        "activities by form and every member's “five ones”."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="the campaign's year")
        parser.add_argument("--out", required=True, help="the .xlsx file to write")
        parser.add_argument(
            "--organization",
            metavar="CODE",
            help="only this organization (by its code) and the organizations under it",
        )

    def handle(self, *args, year, out, organization, verbosity, **options):
        started = time.perf_counter()
        campaign = Campaign.objects.filter(year=year).first()
        if campaign is None:
            raise CommandError(_("There is no campaign for the year %(year)s.") % {"year": year})
        within = None
        if organization:
            within = Organization.objects.filter(code=organization).first()
            if within is None:
                raise CommandError(
                    _("There is no organization with the code %(code)s.") % {"code": organization}
                )
        path = Path(out).expanduser()
        if path.suffix.lower() != ".xlsx":
            raise CommandError(_("The output file must end in .xlsx."))

        def progress(done, total):
            if verbosity >= 2:
                self.stdout.write(f"{done} / {total}")

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            rows = write_assessment_workbook(
                campaign=campaign, organization=within, out=path, progress=progress
            )
        except OSError as error:
            raise CommandError(
                _("Cannot write %(file)s: %(error)s")
                % {"file": path, "error": error.strerror or error}
            ) from None
        audit.record(
            action=AuditAction.EXPORT,
            obj=campaign,
            detail=_("Annual assessment workbook: %(rows)s rows written to %(file)s (command)")
            % {"rows": rows, "file": path},
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Wrote %(rows)s rows to %(file)s in %(seconds).1f s.")
                % {"rows": rows, "file": path, "seconds": time.perf_counter() - started}
            )
        )
