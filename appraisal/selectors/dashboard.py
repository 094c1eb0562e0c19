"""The dashboard of the current campaign: the department's for the district, a
secretary's for their organization and everything below it.

Every figure comes from ``appraisal.selectors.annual.organization_figures``
(a fixed number of grouped queries for the whole district), so the dashboard
and its organization list cost the same few queries for one organization or
five thousand; the counting, ranking and filtering happen here in Python.

The filters of the organization list behind each figure (``STATUS_FILTERS``,
``FIVE_ONES_BANDS``, ``at_risk``) are defined here once, so a figure on the
dashboard and the list it links to cannot disagree.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Organization
from campaigns.rules import scope_for
from campaigns.selectors import applications_by_state, deadline_for

from .annual import OrganizationFigures, assessed_organizations, recent_organization_figures

# How many organizations the dashboard lists before linking to the full list.
AT_RISK_SHOWN = 10
FIVE_ONES_SHOWN = 10
# Fewer study activities than this in the campaign counts as "little activity".
FEW_ACTIVITIES = 3
# Bars are drawn in an SVG whose user space is this wide; widths are in these units.
BAR_WIDTH = 100


# ---------------------------------------------------------------- what the list filters on


@dataclass(frozen=True)
class StatusFilter:
    """One yes/no figure per organization: the list filters on ``name=done|missing``."""

    name: str
    label: str
    done: str  # the query value for organizations that have it
    done_label: str
    missing_label: str
    has: Callable[[OrganizationFigures], bool]

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(self.done, self.done_label), (MISSING, self.missing_label)]


MISSING = "missing"

STATUS_FILTERS = (
    StatusFilter(
        "implementation_plan",
        _("Implementation plan"),
        "filed",
        _("Filed"),
        _("Not filed"),
        lambda f: f.implementation_plan_filed,
    ),
    StatusFilter(
        "annual_plan",
        _("Annual study plan"),
        "filed",
        _("Filed"),
        _("Not filed"),
        lambda f: f.annual_plan_filed,
    ),
    StatusFilter(
        "self_assessment",
        _("Self-assessment"),
        "completed",
        _("Completed"),
        _("Not completed"),
        lambda f: f.self_assessment_completed,
    ),
    StatusFilter(
        "application",
        _("Organization's model application"),
        "submitted",
        _("Submitted"),
        _("Not submitted"),
        lambda f: f.application_submitted,
    ),
)
STATUS_FILTER = {status.name: status for status in STATUS_FILTERS}


@dataclass(frozen=True)
class Band:
    """A range of “五个一” completion rates, [low, high) in percent (100 is its own band)."""

    key: str
    label: str
    low: int
    high: int | None = None

    def holds(self, figures: OrganizationFigures) -> bool:
        if self.key == NO_MEMBERS:
            return not figures.member_count
        if not figures.member_count:
            return False
        percent = figures.five_ones_rate * 100
        if self.high is None:
            return percent >= self.low
        return self.low <= percent < self.high


NO_MEMBERS = "none"
FIVE_ONES_BANDS = (
    Band("0-20", "0–19%", 0, 20),
    Band("20-40", "20–39%", 20, 40),
    Band("40-60", "40–59%", 40, 60),
    Band("60-80", "60–79%", 60, 80),
    Band("80-100", "80–99%", 80, 100),
    Band("100", "100%", 100),
)
NO_MEMBERS_BAND = Band(NO_MEMBERS, _("No active members"), 0)
BAND = {band.key: band for band in (*FIVE_ONES_BANDS, NO_MEMBERS_BAND)}


# ---------------------------------------------------------------- risk


@dataclass(frozen=True)
class RiskReason:
    key: str
    label: str


NO_APPLICATION = RiskReason("no_application", _("No application started"))
NO_IMPLEMENTATION_PLAN = RiskReason("no_implementation_plan", _("No implementation plan"))
NO_SELF_ASSESSMENT = RiskReason("no_self_assessment", _("Self-assessment not completed"))
FEW_ACTIVITIES_REASON = RiskReason("few_activities", _("Little study activity"))


def risk_reasons(figures: OrganizationFigures) -> list[RiskReason] | None:
    """Why an organization may miss the application deadline.

    ``None`` means it is not at risk: its own 学习型党组织标兵 application is past
    its draft (submitted, under review, returned, decided). Every other
    organization — nothing submitted — is at risk, and each of these adds one
    point, so the list can put the furthest behind at the top:

    - no application started at all (not even a draft);
    - no implementation plan (实施方案) filed, which criterion (1) checks;
    - no completed self-assessment (自评), without which an application cannot
      be submitted;
    - fewer than ``FEW_ACTIVITIES`` study activities recorded in the campaign.

    Ties go to the organization with fewer activities, then the lower “五个一”
    rate (see ``risk_order``).
    """
    if figures.application_submitted:
        return None
    reasons = []
    if not figures.application_state:
        reasons.append(NO_APPLICATION)
    if not figures.implementation_plan_filed:
        reasons.append(NO_IMPLEMENTATION_PLAN)
    if not figures.self_assessment_completed:
        reasons.append(NO_SELF_ASSESSMENT)
    if figures.activity_count < FEW_ACTIVITIES:
        reasons.append(FEW_ACTIVITIES_REASON)
    return reasons


def risk_order(figures: OrganizationFigures):
    """Most at risk first: more reasons, fewer activities, lower “五个一” rate, then the
    organization created first (so the dashboard's top ten are the list's first ten)."""
    return (
        -len(risk_reasons(figures) or ()),
        figures.activity_count,
        figures.five_ones_rate,
        figures.organization_id,
    )


def five_ones_order(figures: OrganizationFigures):
    """Lowest “五个一” rate first; organizations without active members last."""
    return (not figures.member_count, figures.five_ones_rate, figures.organization_id)


# ---------------------------------------------------------------- rows


@dataclass
class OrganizationRow:
    """One organization with its figures, as the dashboard and its list show it."""

    organization: Organization
    figures: OrganizationFigures
    risk_reasons: list[RiskReason] | None = None

    @property
    def at_risk(self) -> bool:
        return self.risk_reasons is not None

    @property
    def five_ones_percent(self) -> Decimal:
        return (self.figures.five_ones_rate * 100).quantize(Decimal("0.1"))


SORTS = {
    "five_ones": lambda row: five_ones_order(row.figures),
    "-five_ones": lambda row: (
        not row.figures.member_count,
        -row.figures.five_ones_rate,
        row.figures.organization_id,
    ),
    "risk": lambda row: risk_order(row.figures),
    "tree": lambda row: row.organization.path,
}
DEFAULT_SORT = "five_ones"
AT_RISK_SORT = "risk"


def dashboard_scope(user) -> Organization | None:
    """The top of what ``user``'s dashboard covers: None for the district (the
    department), a secretary's own organization; members and others are refused."""
    scope = scope_for(user)
    if scope.is_department:
        return None
    if scope.is_secretary:
        return scope.member.organization
    raise PermissionDenied


def _rows(figures: dict[int, OrganizationFigures], organizations) -> list[OrganizationRow]:
    return [
        OrganizationRow(
            organization=organization,
            figures=figures[organization.pk],
            risk_reasons=risk_reasons(figures[organization.pk]),
        )
        for organization in organizations
        if organization.pk in figures
    ]


def _organizations(within, pks=None):
    organizations = assessed_organizations(within).only("pk", "name", "code", "kind", "path")
    if pks is not None:
        organizations = organizations.filter(pk__in=pks)
    return organizations


# ---------------------------------------------------------------- the dashboard


@dataclass(frozen=True)
class FigureBar:
    """Organizations with and without one thing, drawn as a two-part bar."""

    status: StatusFilter
    done: int
    missing: int

    @property
    def total(self) -> int:
        return self.done + self.missing

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def done_width(self) -> str:
        return _width(self.done, self.total)

    @property
    def missing_width(self) -> str:
        return _width(self.missing, self.total)


@dataclass(frozen=True)
class CountBar:
    """One bar of a bar chart: a count, its width against the chart's largest count."""

    key: str
    label: str
    count: int
    width: str


def _width(part: int, whole: int) -> str:
    """``part`` of ``whole`` in the chart's user units, as an SVG attribute value."""
    if not whole or not part:
        return "0"
    return format(round(Decimal(BAR_WIDTH * part) / whole, 2).normalize(), "f")


def _count_bars(counts: list[tuple[str, str, int]]) -> list[CountBar]:
    largest = max((count for _key, _label, count in counts), default=0)
    return [CountBar(key, label, count, _width(count, largest)) for key, label, count in counts]


@dataclass
class Dashboard:
    campaign: Campaign
    within: Organization | None
    deadline: datetime.datetime | None
    organization_count: int
    member_count: int
    figures: list[FigureBar]
    five_ones_complete: int
    five_ones_lowest: list[OrganizationRow]
    five_ones_bands: list[CountBar]
    no_members: int
    applications: list[CountBar]
    application_total: int
    at_risk: list[OrganizationRow]
    at_risk_count: int
    few_activities: int = FEW_ACTIVITIES

    @property
    def five_ones_percent(self) -> int:
        return round(100 * self.five_ones_complete / self.member_count) if self.member_count else 0


def dashboard(user, campaign: Campaign) -> Dashboard:
    """The dashboard of ``campaign`` for ``user``: the district for the department,
    a secretary's organization and those below it; PermissionDenied for anyone else.

    A fixed number of queries, however many organizations the scope holds.
    """
    within = dashboard_scope(user)
    figures = recent_organization_figures(campaign, within)
    everyone = list(figures.values())

    at_risk = sorted((f for f in everyone if not f.application_submitted), key=risk_order)
    lowest = sorted((f for f in everyone if f.member_count), key=five_ones_order)
    at_risk, lowest = at_risk[:AT_RISK_SHOWN], lowest[:FIVE_ONES_SHOWN]
    # Only the organizations the page names are read, in one query.
    named = {f.organization_id: f for f in (*at_risk, *lowest)}
    rows = {row.organization.pk: row for row in _rows(named, _organizations(within, list(named)))}

    bands = [
        (band.key, band.label, sum(1 for f in everyone if band.holds(f)))
        for band in FIVE_ONES_BANDS
    ]
    by_state = applications_by_state(user, campaign)
    return Dashboard(
        campaign=campaign,
        within=within,
        deadline=deadline_for(campaign, within),
        organization_count=len(everyone),
        member_count=sum(f.member_count for f in everyone),
        figures=[
            FigureBar(
                status,
                done=sum(1 for f in everyone if status.has(f)),
                missing=sum(1 for f in everyone if not status.has(f)),
            )
            for status in STATUS_FILTERS
        ],
        five_ones_complete=sum(f.five_ones_complete for f in everyone),
        five_ones_lowest=[rows[f.organization_id] for f in lowest],
        five_ones_bands=_count_bars(bands),
        no_members=sum(1 for f in everyone if not f.member_count),
        applications=_count_bars([(row["state"], row["label"], row["count"]) for row in by_state]),
        application_total=sum(row["count"] for row in by_state),
        at_risk=[rows[f.organization_id] for f in at_risk],
        at_risk_count=sum(1 for f in everyone if not f.application_submitted),
    )


# ---------------------------------------------------------------- the list behind the figures


def organization_rows(
    user,
    campaign: Campaign,
    *,
    statuses: dict[str, str] | None = None,
    at_risk: bool = False,
    band: str = "",
    kind: str = "",
    q: str = "",
    sort: str = "",
) -> list[OrganizationRow]:
    """The organizations of ``user``'s dashboard that match the filters, sorted.

    ``statuses`` maps a ``STATUS_FILTERS`` name to its done value or ``MISSING``;
    ``band`` is a ``FIVE_ONES_BANDS`` key (or ``NO_MEMBERS``); ``q`` matches the
    name (contains) or the organization code (exactly). Values the filters do not
    know are ignored: the view validates them first.
    """
    within = dashboard_scope(user)
    figures = recent_organization_figures(campaign, within)
    rows = _rows(figures, _organizations(within))
    for name, value in (statuses or {}).items():
        status = STATUS_FILTER.get(name)
        if status is None or value not in (status.done, MISSING):
            continue
        wanted = value == status.done
        rows = [row for row in rows if bool(status.has(row.figures)) is wanted]
    if at_risk:
        rows = [row for row in rows if row.at_risk]
    if band in BAND:
        rows = [row for row in rows if BAND[band].holds(row.figures)]
    if kind:
        rows = [row for row in rows if row.organization.kind == kind]
    q = q.strip()
    if q:
        rows = [row for row in rows if q in row.organization.name or q == row.organization.code]
    order = SORTS.get(sort) or SORTS[AT_RISK_SORT if at_risk else DEFAULT_SORT]
    return sorted(rows, key=order)
