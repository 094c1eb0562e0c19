"""The annual assessment workbook (年度党建目标管理考核表), written with openpyxl.

Sheets are small classes that declare their columns and yield rows; ``write_workbook``
writes them with openpyxl's write-only workbook, so a 100,000-member district streams
through in chunks instead of being held in memory. Every sheet has the campaign and
the generation time above a frozen Chinese header row, fixed column widths, number
formats, an auto filter and a totals row.

openpyxl is imported inside the functions that need it, so pages do not pay for it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.enums import MemberRole, OrganizationKind
from campaigns.models import SHANGHAI, Campaign, Member, Organization
from campaigns.selectors import FIVE_ONES, FIVE_ONES_FIELDS, with_five_ones, with_study_hours
from learning.enums import ActivityForm

from .enums import ApplicationState
from .selectors.annual import (
    ITEMS,
    assessed_organizations,
    assessment_list,
    full_points,
    weights_for,
)
from .services.annual import annual_assessment_compute

CHUNK = 2000
# openpyxl refuses these control characters; names typed into the portal may hold them.
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
RED = "C8161D"
HEADER_FILL = "F6E3E3"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    number_format: str | None = None  # None: text or a plain integer
    # "sum", "mean", "count" (rows) or "yes" (how many say yes or are ticked)
    total: str | None = None
    typed: bool = False  # text people typed, which may hold characters Excel refuses


YES, NO = gettext_lazy("Yes"), gettext_lazy("No")
DONE_MARK = "√"


class Sheet:
    """One worksheet: a title, columns and the rows under them."""

    title: str = ""
    freeze_column: int = 1  # columns left of this one stay visible when scrolling right

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def rows(self) -> Iterator[tuple]:
        raise NotImplementedError

    def count(self) -> int:
        raise NotImplementedError


class _Styles:
    """The few styles a workbook uses, made once per workbook."""

    def __init__(self):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin", color="BBBBBB")
        self.title_font = Font(bold=True, size=14, color=RED)
        self.subtitle_font = Font(size=10, color="555555")
        self.header_font = Font(bold=True)
        self.header_fill = PatternFill("solid", fgColor=HEADER_FILL)
        self.header_alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        self.header_border = Border(bottom=Side(style="medium", color=RED), top=thin)
        self.total_font = Font(bold=True)
        self.total_border = Border(top=Side(style="medium", color=RED))


def _write_sheet(workbook, sheet: Sheet, styles: _Styles, heading: tuple[str, str], tick) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    ws = workbook.create_sheet(title=sheet.title)
    columns = sheet.columns()
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = f"{get_column_letter(sheet.freeze_column)}4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0

    def cell(value, **style):
        c = WriteOnlyCell(ws, value=value)
        for name, setting in style.items():
            setattr(c, name, setting)
        return c

    # Wrapped headers need the height set: readers do not grow rows on their own.
    ws.row_dimensions[1].height = 24
    ws.row_dimensions[3].height = 45
    ws.append([cell(heading[0], font=styles.title_font)])
    ws.append([cell(heading[1], font=styles.subtitle_font)])
    ws.append(
        [
            cell(
                column.header,
                font=styles.header_font,
                fill=styles.header_fill,
                alignment=styles.header_alignment,
                border=styles.header_border,
            )
            for column in columns
        ]
    )

    # Each cell costs time: plain values pass straight through, numbers with a
    # format become styled cells, only totalled columns are added up.
    formatted = {i: c.number_format for i, c in enumerate(columns) if c.number_format}
    summed = [i for i, c in enumerate(columns) if c.total in {"sum", "mean"}]
    yes_counted = [i for i, c in enumerate(columns) if c.total == "yes"]
    typed = [i for i, c in enumerate(columns) if c.typed]
    sums = [0.0] * len(columns)
    counts = [0] * len(columns)
    written = 0
    ticked = {str(YES), DONE_MARK}
    for row in sheet.rows():
        values = list(row)
        for index in summed:
            value = values[index]
            if value is not None:
                sums[index] += float(value)
                counts[index] += 1
        for index in yes_counted:
            if values[index] in ticked:
                counts[index] += 1
        for index in typed:
            value = values[index]
            if value:
                if ILLEGAL_CHARACTERS.search(value):
                    value = values[index] = ILLEGAL_CHARACTERS.sub("", value)
                if value.startswith("="):
                    # Text, never a formula, whatever an organization calls itself.
                    values[index] = cell(value)
                    values[index].data_type = "s"
        for index, number_format in formatted.items():
            if values[index] is not None:
                values[index] = cell(values[index], number_format=number_format)
        ws.append(values)
        written += 1
        tick()

    last_row = 3 + written
    ws.auto_filter.ref = f"A3:{get_column_letter(len(columns))}{max(last_row, 4)}"
    totals = []
    for index, column in enumerate(columns):
        if index == 0:
            value = _("Total / mean") if written else _("No rows")
        elif column.total == "sum":
            value = round(sums[index], 6)
        elif column.total == "mean" and counts[index]:
            value = round(sums[index] / counts[index], 6)
        elif column.total == "count":
            value = written
        elif column.total == "yes":
            value = counts[index]
        else:
            value = None
        totals.append(
            cell(
                value,
                font=styles.total_font,
                border=styles.total_border,
                number_format=column.number_format or "General",
            )
        )
    ws.append(totals)


def write_workbook(sheets: list[Sheet], heading: tuple[str, str], out, progress=None) -> int:
    """Write ``sheets`` into one .xlsx at ``out`` (a path or a binary file); rows written."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    styles = _Styles()
    total = sum(sheet.count() for sheet in sheets)
    done = 0

    def tick():
        nonlocal done
        done += 1
        if progress is not None and done % CHUNK == 0:
            progress(done, total)

    for sheet in sheets:
        _write_sheet(workbook, sheet, styles, heading, tick)
    workbook.save(out)
    if progress is not None:
        progress(done, max(total, done))
    return done


# ---------------------------------------------------------------- the assessment


def _yes_no(flag) -> str:
    return str(YES if flag else NO)


class _AssessmentSheets:
    """What the assessment's sheets share: the campaign, the scope and the figures."""

    def __init__(self, campaign: Campaign, within: Organization | None):
        self.campaign = campaign
        self.within = within
        self.weights = weights_for(campaign)
        self.figures = annual_assessment_compute(campaign=campaign, within=within)
        self.kinds = set(
            assessed_organizations(within).order_by().values_list("kind", flat=True).distinct()
        )


class OrganizationLevelSheet(Sheet):
    """One level of the tree (党委, 党总支 or 党支部): an organization per row."""

    freeze_column = 4

    def __init__(self, shared: _AssessmentSheets, kind: OrganizationKind):
        self.shared = shared
        self.kind = kind
        self.title = _("%(level)s summary") % {"level": kind.label}

    def queryset(self):
        return (
            assessment_list(self.shared.campaign, self.shared.within)
            .filter(organization__kind=self.kind)
            .order_by("organization__path")
        )

    def count(self) -> int:
        return self.queryset().count()

    def columns(self) -> list[Column]:
        item_label = dict(ITEMS)
        return [
            Column(_("No."), 6),
            Column(_("Organization code"), 14, typed=True),
            Column(_("Party organization"), 34, typed=True),
            Column(_("Higher organization"), 28, typed=True),
            Column(_("Members (persons)"), 10, total="sum"),
            Column(str(item_label["implementation_plan"]), 10, total="yes"),
            Column(_("Annual plan on time"), 10, total="yes"),
            Column(_("Quarterly plans on time"), 10, total="sum"),
            Column(_("Activities held"), 10, total="sum"),
            Column(_("of which “three meetings and one lecture”"), 12, total="sum"),
            Column(_("Average study hours"), 11, "0.0", total="mean"),
            Column(_("“Five ones” completion rate"), 11, "0.0%", total="mean"),
            Column(_("Self-assessment score"), 10, "0.00", total="mean"),
            Column(_("Review score"), 10, "0.00", total="mean"),
            Column(_("Application outcome"), 12),
            Column(_("Computed score"), 10, "0.00", total="mean"),
            Column(_("Adjustment"), 9, "0.00", total="sum"),
            Column(_("Reason for adjustment"), 30, typed=True),
            Column(_("Assessment score"), 10, "0.00", total="mean"),
        ]

    def rows(self) -> Iterator[tuple]:
        states = dict(ApplicationState.choices)
        figures = self.shared.figures
        for number, row in enumerate(self.queryset().iterator(chunk_size=CHUNK), start=1):
            org = row.organization
            org_figures = figures.get(org.pk)
            members = org_figures.member_count if org_figures else 0
            yield (
                number,
                org.code,
                org.name,
                org.parent.name if org.parent_id else "",
                members,
                _yes_no(row.implementation_plan_filed),
                _yes_no(row.annual_plan_on_time),
                row.quarterly_plans_on_time,
                row.activity_count,
                row.three_meetings_count,
                row.average_study_hours,
                row.five_ones_rate,
                row.self_assessment_score,
                row.review_score,
                str(states.get(row.application_outcome, _("Not applied"))),
                row.computed_total,
                row.adjustment,
                row.adjustment_reason,
                row.total,
            )


class ActivityFormSheet(Sheet):
    """Activities held by each organization, one column per form of study."""

    freeze_column = 4

    def __init__(self, shared: _AssessmentSheets):
        self.shared = shared
        self.title = _("Activities by form")

    def organizations(self):
        return assessed_organizations(self.shared.within)

    def count(self) -> int:
        return len(self.shared.figures)

    def columns(self) -> list[Column]:
        return [
            Column(_("No."), 6),
            Column(_("Organization code"), 14, typed=True),
            Column(_("Party organization"), 34, typed=True),
            Column(_("Level"), 9),
            *(Column(str(label), 10, total="sum") for _value, label in ActivityForm.choices),
            Column(_("Total"), 9, total="sum"),
        ]

    def rows(self) -> Iterator[tuple]:
        kinds = dict(OrganizationKind.choices)
        figures = self.shared.figures
        organizations = self.organizations().values_list("pk", "code", "name", "kind")
        for number, (pk, code, name, kind) in enumerate(
            organizations.iterator(chunk_size=CHUNK), start=1
        ):
            by_form = figures[pk].activities_by_form if pk in figures else {}
            counts = [by_form.get(form, 0) for form in ActivityForm.values]
            yield (number, code, name, str(kinds.get(kind, kind)), *counts, sum(counts))


class MemberSheet(Sheet):
    """Every active member's “五个一” and study hours."""

    freeze_column = 4

    def __init__(self, shared: _AssessmentSheets):
        self.shared = shared
        self.title = _("Members’ “five ones”")

    def queryset(self):
        members = Member.objects.filter(is_active=True, organization__is_active=True)
        if self.shared.within is not None:
            members = members.filter(organization__path__startswith=self.shared.within.path)
        return members

    def count(self) -> int:
        return self.queryset().count()

    def columns(self) -> list[Column]:
        return [
            # No 序号 here: Excel's own row numbers do, and 100,000 cells cost a second.
            Column(_("Organization code"), 14, typed=True),
            Column(_("Party organization"), 30, typed=True),
            Column(_("Name"), 12, typed=True, total="count"),
            Column(_("Role"), 10),
            *(Column(str(label), 10, total="yes") for _key, label in FIVE_ONES),
            # 100,000 rows: plain numbers only, no styled cells (a third of the time).
            Column(_("Items done (of 5)"), 9, total="mean"),
            Column(_("Study hours"), 9, total="sum"),
        ]

    def rows(self) -> Iterator[tuple]:
        roles = {value: str(label) for value, label in MemberRole.choices}
        campaign = self.shared.campaign
        members = (
            with_study_hours(with_five_ones(self.queryset(), campaign), campaign)
            .order_by("organization__path", "pk")
            .values_list(
                "organization__code",
                "organization__name",
                "user__full_name",
                "user__username",
                "role",
                *FIVE_ONES_FIELDS,
                "study_hours",
            )
        )
        for code, org_name, full_name, username, role, *rest in members.iterator(chunk_size=CHUNK):
            *flags, hours = rest
            yield (
                code,
                org_name,
                full_name or username,
                roles.get(role, role),
                # A tick or nothing, as on a paper checklist: an empty cell costs no time,
                # and at 100,000 rows the text “是/否” cost four seconds.
                *(DONE_MARK if flag else None for flag in flags),
                sum(bool(flag) for flag in flags),
                float(hours),
            )


def _scope_name(organization: Organization | None) -> str:
    if organization is None:
        return _("the whole district")
    return _("%(name)s and the organizations under it") % {"name": organization.name}


def _heading(campaign: Campaign, organization: Organization | None) -> tuple[str, str]:
    title = _("%(year)s annual Party-building target assessment (“Double Strive” item)") % {
        "year": campaign.year
    }
    subtitle = _(
        "Campaign: %(campaign)s · covering %(scope)s · generated %(time)s · full points %(points)s"
    ) % {
        "campaign": campaign.title,
        "scope": _scope_name(organization),
        "time": generated_at_text(timezone.now()),
        "points": full_points(weights_for(campaign)),
    }
    return title, subtitle


def _sheets(campaign: Campaign, organization: Organization | None) -> list[Sheet]:
    shared = _AssessmentSheets(campaign, organization)
    # A sheet per level the covered tree has; a lone branch still gets its own.
    levels = [
        OrganizationLevelSheet(shared, kind)
        for kind in OrganizationKind
        if kind in shared.kinds or not shared.kinds
    ]
    return [*levels, ActivityFormSheet(shared), MemberSheet(shared)]


def write_assessment_workbook(
    *,
    campaign: Campaign,
    organization: Organization | None = None,
    out,
    progress: Progress | None = None,
) -> int:
    """Recompute the campaign's assessment and write its workbook to ``out``.

    Covers the whole district (``organization`` None) or that organization and
    everything below it. Calls ``progress(rows_done, rows_total)`` every few
    thousand rows; returns the rows written.
    """
    with translation.override(settings.LANGUAGE_CODE):
        sheets = _sheets(campaign, organization)
        return write_workbook(sheets, _heading(campaign, organization), out, progress)


def estimate_rows(*, campaign: Campaign, organization: Organization | None = None) -> int:
    """About how many rows the workbook will hold: two per organization, one per member."""
    organizations = Organization.objects.filter(is_active=True)
    members = Member.objects.filter(is_active=True, organization__is_active=True)
    if organization is not None:
        organizations = organizations.filter(path__startswith=organization.path)
        members = members.filter(organization__path__startswith=organization.path)
    return 2 * organizations.count() + members.count()


def workbook_filename(*, campaign: Campaign, organization: Organization | None = None) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        scope = _("district") if organization is None else organization.name
        name = _("%(year)s annual Party-building target assessment (Double Strive) - %(scope)s") % {
            "year": campaign.year,
            "scope": scope,
        }
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name) + ".xlsx"


def generated_at_text(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment, SHANGHAI)
    return f"{local:%Y}年{local.month}月{local.day}日 {local:%H:%M}"
