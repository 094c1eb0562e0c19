"""The printed 申报表: an application as an A4 PDF in the official form layout.

WeasyPrint renders ``appraisal/pdf/application.html``. It is imported inside
``render_application_pdf`` so that pages which never print do not pay for it.

Chinese needs a CJK font on the server. Without one WeasyPrint still writes a
PDF whose text extracts fine but prints as empty boxes, so rendering refuses
with ``CJKFontMissing`` (a Chinese message naming the package to install)
rather than hand out such a form.
"""

from __future__ import annotations

import logging
import re
import subprocess
import threading

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from appraisal.enums import SUBJECT_OF_KIND, ApplicationKind
from appraisal.selectors.assessments import (
    AssessmentRow,
    AssessmentTotals,
    assessment_for_application,
    assessment_totals,
)
from campaigns.enums import MemberRole
from campaigns.models import Member
from campaigns.selectors import today

TEMPLATE = "appraisal/pdf/application.html"
# fontconfig's own listing of the fonts that cover Chinese; WeasyPrint finds
# its fonts through fontconfig too, so both see the same fonts.
FC_LIST_COMMAND = ("fc-list", ":lang=zh", "family")
INSTALL_COMMAND = "apt-get install -y fonts-noto-cjk"

CJK_FONT_MISSING = _(
    "No Chinese (CJK) font is installed on the server, so the application form would print "
    "as empty boxes. Ask the administrator to install one: %(command)s"
)

# Found once, remembered for the life of the process; a miss is asked again
# next time, so installing the font needs no restart.
_cjk_font_found = False

# WeasyPrint reports every layout step at INFO; under the portal's INFO root
# logger that is seven lines per form in the server log and the export's output.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class CJKFontMissing(Exception):
    """No font on this machine can print Chinese."""

    def __init__(self):
        super().__init__(str(CJK_FONT_MISSING % {"command": INSTALL_COMMAND}))


def cjk_font_available() -> bool:
    """Does fontconfig know a font that covers Chinese?"""
    global _cjk_font_found
    if not _cjk_font_found:
        try:
            listing = subprocess.run(
                FC_LIST_COMMAND, capture_output=True, text=True, timeout=20, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            listing = ""
        _cjk_font_found = bool(listing.strip())
    return _cjk_font_found


def _score_rows(application) -> tuple[list[AssessmentRow], AssessmentTotals]:
    """Every criterion of the applicant's kind with its self-score, and the totals.

    Built from the rows ``printable_applications`` prefetched, so a batch of
    forms costs no query per form; the totals come from the assessments
    helper, so the form adds up exactly as the assessment pages do.
    """
    subject = SUBJECT_OF_KIND[ApplicationKind(application.kind)]
    criteria = sorted(
        (c for c in application.campaign.criteria.all() if c.subject == subject),
        key=lambda c: c.position,
    )
    assessment = application.self_assessment
    if assessment is None:
        # A draft filed before its self-assessment was made: find it now.
        assessment = assessment_for_application(application)
    scores = {}
    if assessment is not None:
        printed = getattr(assessment, "printed_scores", None)
        rows = printed if printed is not None else assessment.scores.all()
        scores = {row.criterion_id: row for row in rows}
    table = [AssessmentRow(criterion=c, score=scores.get(c.pk)) for c in criteria]
    # With rows given, assessment_totals reads nothing from the assessment itself.
    return table, assessment_totals(assessment, table)


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _secretaries(organization) -> str:
    secretaries = getattr(organization, "secretaries", None)
    if secretaries is None:
        secretaries = organization.members.filter(
            role=MemberRole.SECRETARY, is_active=True
        ).select_related("user")
    return "、".join(m.name for m in secretaries)


def _member_count(application) -> int:
    count = getattr(application, "organization_member_count", None)
    if count is None:
        count = Member.objects.filter(
            is_active=True, organization__path__startswith=application.organization.path
        ).count()
    return count


def form_title(application) -> str:
    """“2026年度学习型党组织标兵申报表”."""
    return gettext("%(year)s %(kind)s application form") % {
        "year": application.campaign.year,
        "kind": application.get_kind_display(),
    }


def application_form_context(application) -> dict:
    organization = application.organization
    scores, totals = _score_rows(application)
    return {
        "application": application,
        "title": form_title(application),
        "campaign": application.campaign,
        "number": f"{application.campaign.year}-{application.pk:05d}",
        "organization": organization,
        "member": application.member,
        "is_member_form": application.kind == ApplicationKind.MEMBER_MODEL,
        "secretaries": _secretaries(organization),
        "member_count": _member_count(application),
        "scores": scores,
        "totals": totals,
        "deeds": _paragraphs(application.main_deeds),
        "opinion": _paragraphs(application.organization_opinion),
        "printed_on": today(),
    }


def render_application_html(application) -> str:
    # The 申报表 goes to the department on paper: always in the portal's
    # official language, whatever language the person printing it reads.
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(TEMPLATE, application_form_context(application))


def render_application_pdf(application) -> bytes:
    """The application's 申报表 as A4 PDF bytes; raises CJKFontMissing without a Chinese font.

    Pass an application from ``appraisal.selectors.documents.printable_applications``
    to render without further queries.
    """
    if not cjk_font_available():
        raise CJKFontMissing
    html = render_application_html(application)
    from weasyprint import HTML  # lazily: pages that never print don't load it

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=_font_config())


_per_thread = threading.local()


def _font_config():
    # Building fontconfig's view of the fonts is a large part of a cold render;
    # one per thread serves every form (Pango's font maps are not shared
    # between threads safely).
    config = getattr(_per_thread, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _per_thread.font_config = FontConfiguration()
    return config


# Characters Windows forbids in file names, and control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def safe_file_name(text: str, *, limit: int = 120) -> str:
    """``text`` usable as a file name on Windows as well as Linux."""
    name = _UNSAFE.sub("", text)
    name = re.sub(r"\s+", " ", name).strip().strip(".").strip()
    return name[:limit].rstrip(" .") or "application"


def application_pdf_filename(application) -> str:
    """“ORG00012_甲公司党委_学习型党组织标兵.pdf” / “…_学习型党员标兵_张三.pdf”."""
    organization = application.organization
    with translation.override(settings.LANGUAGE_CODE):
        parts = [organization.code, organization.name, str(application.get_kind_display())]
    if application.member_id:
        parts.append(application.member.name)
    return safe_file_name("_".join(safe_file_name(p, limit=60) for p in parts)) + ".pdf"
