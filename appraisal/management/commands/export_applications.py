"""Write every submitted application's 申报表 of one year into a folder, for printing in one go."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from appraisal.pdf import (
    CJKFontMissing,
    application_pdf_filename,
    cjk_font_available,
    render_application_pdf,
)
from appraisal.selectors.documents import exportable_applications
from campaigns import audit
from campaigns.enums import AuditAction
from campaigns.models import Campaign


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``stem_2.pdf``, ``stem_3.pdf`` … when a file of that name is already written.

    Compared case-insensitively: Windows file systems would overwrite.
    """
    stem, suffix = name.rsplit(".", 1)
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{stem}_{n}.{suffix}"
    taken.add(candidate.casefold())
    return candidate


class Command(BaseCommand):
    help = (
        "Write the PDF application form (申报表) of every submitted application of a year's "
        "campaign into a folder, one file per application named by organization and kind."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="the campaign's year")
        parser.add_argument(
            "--out", required=True, help="folder to write into (created if missing)"
        )

    def handle(self, *args, year, out, verbosity, **options):
        started = time.perf_counter()
        campaign = Campaign.objects.filter(year=year).first()
        if campaign is None:
            raise CommandError(_("There is no campaign for the year %(year)s.") % {"year": year})
        if not cjk_font_available():
            raise CommandError(str(CJKFontMissing()))
        folder = Path(out).expanduser()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(self.unwritable(folder, error)) from None

        taken: set[str] = set()
        written = 0
        try:
            for application in exportable_applications(campaign):
                document = render_application_pdf(application)
                name = unique_name(application_pdf_filename(application), taken)
                try:
                    (folder / name).write_bytes(document)
                except OSError as error:
                    raise CommandError(self.unwritable(folder, error)) from None
                written += 1
                if verbosity >= 2:
                    self.stdout.write(name)
        except CJKFontMissing as error:
            raise CommandError(str(error)) from None

        audit.record(
            action=AuditAction.EXPORT,
            obj=campaign,
            detail=_("PDF application forms: %(count)s files written to %(folder)s (command)")
            % {"count": written, "folder": folder},
        )
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "Wrote %(count)s PDF file to %(folder)s in %(seconds).1f s.",
                    "Wrote %(count)s PDF files to %(folder)s in %(seconds).1f s.",
                    written,
                )
                % {"count": written, "folder": folder, "seconds": time.perf_counter() - started}
            )
        )

    @staticmethod
    def unwritable(folder: Path, error: OSError) -> str:
        return _("Cannot write to the folder %(folder)s: %(error)s") % {
            "folder": folder,
            "error": error.strerror or error,
        }
