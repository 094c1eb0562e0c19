"""Reads the portal's pages share: the current campaign, deadlines, the “五个一”
figures and the home page of each role.

Every function here answers in a fixed number of queries however many
organizations, members or records the district has, and restricts what it
reads through ``campaigns.rules.visible``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appraisal.enums import ApplicationState
from appraisal.models import Application
from learning.enums import THREE_MEETINGS_ONE_LECTURE, NoteKind, StudyPlanKind
from learning.models import Attendance, ReadingRecord, StudyActivity, StudyNote, StudyPlan

from .enums import OrganizationKind, PlanStatus
from .models import SHANGHAI, Campaign, Extension, ImplementationPlan, Member, Organization
from .rules import Role, scope_for, visible

HOURS_FIELD = DecimalField(max_digits=10, decimal_places=1)
QUARTERS = 4
RECENT_APPLICATIONS = 10
RECENT_REFLECTIONS = 5


# ---------------------------------------------------------------- campaign


def today() -> datetime.date:
    """Today's date in Beijing time, whatever the server's clock zone."""
    return timezone.localdate(timezone=SHANGHAI)


def current_campaign() -> Campaign | None:
    """This year's campaign (Beijing time); failing that, the latest one."""
    return (
        Campaign.objects.annotate(
            is_this_year=Case(
                When(year=today().year, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("-is_this_year", "-year")
        .first()
    )


def deadline_for(campaign: Campaign | None, organization=None) -> datetime.datetime | None:
    """The application deadline that applies to ``organization`` (or the campaign's own).

    When the department granted the organization extensions, the latest one counts.
    """
    if campaign is None:
        return None
    if organization is not None:
        extended = (
            Extension.objects.filter(campaign=campaign, organization=organization)
            .order_by("-granted_at", "-pk")
            .values_list("deadline", flat=True)
            .first()
        )
        if extended is not None:
            return extended
    return campaign.application_deadline


# ---------------------------------------------------------------- “五个一”


FIVE_ONES = (
    ("plan", _("Draw up a study plan")),  # 制定一个学习计划
    ("book", _("Read one good book closely")),  # 精读一本好书
    ("notes", _("Keep a notebook of study notes")),  # 记好一本学习笔记
    ("reflection", _("Write a study reflection")),  # 写好一篇学习心得
    ("exchange", _("Give a study exchange")),  # 作好一次学习交流
)
KEYS = tuple(key for key, _label in FIVE_ONES)
FIVE_ONES_FIELDS = tuple(f"five_{key}" for key in KEYS)


@dataclass(frozen=True)
class FiveOnes:
    """One member's “五个一” for one campaign year."""

    plan: bool = False
    book: bool = False
    notes: bool = False
    reflection: bool = False
    exchange: bool = False

    total = len(FIVE_ONES)

    @property
    def items(self) -> list[tuple[str, str, bool]]:
        return [(key, label, getattr(self, key)) for key, label in FIVE_ONES]

    @property
    def done(self) -> int:
        return sum(getattr(self, key) for key, _label in FIVE_ONES)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total)

    @property
    def complete(self) -> bool:
        return self.done == self.total

    def as_dict(self) -> dict[str, bool]:
        return {key: getattr(self, key) for key, _label in FIVE_ONES}


def with_five_ones(members: QuerySet, campaign: Campaign | None) -> QuerySet:
    """Annotate a Member queryset with ``five_plan`` … ``five_exchange`` booleans.

    The one place the “五个一” figure is defined: a filed personal annual plan,
    a close-reading record, at least one study note, one reflection and one
    study exchange in ``campaign``. Filter on the annotations (e.g.
    ``five_ones_complete_q()``) to roll the figure up per organization.
    """
    if campaign is None:
        false = Value(False, output_field=BooleanField())
        return members.annotate(**dict.fromkeys(FIVE_ONES_FIELDS, false))

    def note(kind):
        return Exists(StudyNote.objects.filter(member=OuterRef("pk"), campaign=campaign, kind=kind))

    return members.annotate(
        five_plan=Exists(
            StudyPlan.objects.filter(
                member=OuterRef("pk"),
                campaign=campaign,
                kind=StudyPlanKind.PERSONAL,
                status=PlanStatus.FILED,
            )
        ),
        five_book=Exists(ReadingRecord.objects.filter(member=OuterRef("pk"), campaign=campaign)),
        five_notes=note(NoteKind.NOTE),
        five_reflection=note(NoteKind.REFLECTION),
        five_exchange=note(NoteKind.EXCHANGE),
    )


def five_ones_complete_q() -> Q:
    """Filter for members annotated by ``with_five_ones`` who have done all five."""
    return Q(**dict.fromkeys(FIVE_ONES_FIELDS, True))


def five_ones_from_row(row) -> FiveOnes:
    """The FiveOnes of one member annotated by ``with_five_ones``."""
    return FiveOnes(**{key: bool(getattr(row, f"five_{key}")) for key, _label in FIVE_ONES})


def five_ones_for_members(campaign: Campaign | None, members: QuerySet) -> dict[int, FiveOnes]:
    """Each member's “五个一” for ``campaign``, keyed by member id, in one query."""
    rows = with_five_ones(members.order_by(), campaign).values_list("pk", *FIVE_ONES_FIELDS)
    return {
        pk: FiveOnes(**{key: bool(flag) for key, flag in zip(KEYS, flags, strict=True)})
        for pk, *flags in rows
    }


def with_study_hours(members: QuerySet, campaign: Campaign | None) -> QuerySet:
    """Annotate a Member queryset with ``study_hours``: attendance hours in ``campaign``."""
    if campaign is None:
        return members.annotate(study_hours=Value(Decimal(0), output_field=HOURS_FIELD))
    hours = (
        Attendance.objects.filter(member=OuterRef("pk"), activity__campaign=campaign)
        .order_by()
        .values("member")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return members.annotate(
        study_hours=Coalesce(Subquery(hours, output_field=HOURS_FIELD), Value(Decimal(0)))
    )


# ---------------------------------------------------------------- shared figures


def _count_per_organization(queryset: QuerySet):
    """A subquery counting ``queryset``'s rows for the outer organization."""
    counted = (
        queryset.filter(organization=OuterRef("pk"))
        .order_by()
        .values("organization")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def applications_by_state(user, campaign: Campaign | None) -> list[dict]:
    """Every application state with how many of the user's visible applications are in it."""
    counts = {}
    if campaign is not None:
        counts = dict(
            visible(user, Application)
            .filter(campaign=campaign)
            .order_by()
            .values_list("state")
            .annotate(n=Count("pk"))
        )
    return [
        {"state": state, "label": state.label, "count": counts.get(state.value, 0)}
        for state in ApplicationState
    ]


def activity_figures(user, campaign: Campaign | None) -> dict:
    """Activities held in ``campaign`` that the user can see: count, 三会一课, hours."""
    if campaign is None:
        return {"count": 0, "three_meetings": 0, "hours": Decimal(0)}
    return (
        visible(user, StudyActivity)
        .filter(campaign=campaign)
        .aggregate(
            count=Count("pk"),
            three_meetings=Count("pk", filter=Q(form__in=THREE_MEETINGS_ONE_LECTURE)),
            hours=Coalesce(Sum("hours"), Value(Decimal(0)), output_field=HOURS_FIELD),
        )
    )


def _filed_plan_exists(user, campaign: Campaign, model, **filters):
    return Exists(
        visible(user, model).filter(
            organization=OuterRef("pk"), campaign=campaign, status=PlanStatus.FILED, **filters
        )
    )


# ---------------------------------------------------------------- home pages


def department_home(user, campaign: Campaign | None) -> dict:
    organizations = visible(user, Organization).filter(is_active=True)
    aggregates = {"total": Count("pk")}
    for kind in OrganizationKind:
        aggregates[kind.value] = Count("pk", filter=Q(kind=kind))
    if campaign is not None:
        aggregates["implementation_plans"] = Count(
            "pk", filter=Q(_filed_plan_exists(user, campaign, ImplementationPlan))
        )
        aggregates["annual_plans"] = Count(
            "pk",
            filter=Q(
                _filed_plan_exists(
                    user, campaign, StudyPlan, kind=StudyPlanKind.ORGANIZATION_ANNUAL
                )
            ),
        )
    org_figures = {"implementation_plans": 0, "annual_plans": 0}
    org_figures.update(organizations.aggregate(**aggregates))
    return {
        "organizations": org_figures,
        "organization_kinds": [
            {"kind": kind, "label": kind.label, "count": org_figures[kind.value]}
            for kind in OrganizationKind
        ],
        "member_count": visible(user, Member).filter(is_active=True).count(),
        "activities": activity_figures(user, campaign),
        "applications_by_state": applications_by_state(user, campaign),
        "deadline": deadline_for(campaign),
    }


def secretary_organizations(user, campaign: Campaign | None) -> list[Organization]:
    """The secretary's organizations (theirs and those below) with this campaign's figures."""
    organizations = visible(user, Organization).filter(is_active=True).order_by("path")
    annotations = {
        "member_count": _count_per_organization(visible(user, Member).filter(is_active=True)),
    }
    if campaign is None:
        false, zero = Value(False), Value(0)
        annotations |= {
            "implementation_plan_filed": false,
            "annual_plan_filed": false,
            "quarterly_plans_filed": zero,
            "activity_count": zero,
            "three_meetings_count": zero,
        }
    else:
        activities = visible(user, StudyActivity).filter(campaign=campaign)
        annotations |= {
            "implementation_plan_filed": _filed_plan_exists(user, campaign, ImplementationPlan),
            "annual_plan_filed": _filed_plan_exists(
                user, campaign, StudyPlan, kind=StudyPlanKind.ORGANIZATION_ANNUAL
            ),
            "quarterly_plans_filed": _count_per_organization(
                visible(user, StudyPlan).filter(
                    campaign=campaign,
                    kind=StudyPlanKind.ORGANIZATION_QUARTERLY,
                    status=PlanStatus.FILED,
                )
            ),
            "activity_count": _count_per_organization(activities),
            "three_meetings_count": _count_per_organization(
                activities.filter(form__in=THREE_MEETINGS_ONE_LECTURE)
            ),
        }
    return list(organizations.annotate(**annotations))


def secretary_home(user, campaign: Campaign | None) -> dict:
    scope = scope_for(user)
    organizations = secretary_organizations(user, campaign)
    base_depth = min((org.depth for org in organizations), default=0)
    for org in organizations:
        org.relative_depth = org.depth - base_depth
    totals = {
        "organizations": len(organizations),
        "members": sum(org.member_count for org in organizations),
        "implementation_plans": sum(org.implementation_plan_filed for org in organizations),
        "annual_plans": sum(org.annual_plan_filed for org in organizations),
        "quarterly_plans": sum(org.quarterly_plans_filed for org in organizations),
        "quarterly_plans_due": QUARTERS * len(organizations),
        "activities": sum(org.activity_count for org in organizations),
        "three_meetings": sum(org.three_meetings_count for org in organizations),
    }
    applications = []
    if campaign is not None:
        applications = list(
            visible(user, Application)
            .filter(campaign=campaign)
            .select_related("organization", "member__user")
            .order_by("-updated_at", "-pk")[:RECENT_APPLICATIONS]
        )
    return {
        "organization": scope.member.organization,
        "organization_rows": organizations,
        "totals": totals,
        "applications_by_state": applications_by_state(user, campaign),
        "recent_applications": applications,
        "deadline": deadline_for(campaign, scope.member.organization),
    }


def member_home(user, campaign: Campaign | None) -> dict:
    scope = scope_for(user)
    members = visible(user, Member).filter(pk=scope.member.pk).select_related("organization")
    me = with_study_hours(with_five_ones(members, campaign), campaign).get()
    reflections = (
        visible(user, StudyNote)
        .filter(
            organization_id=scope.organization_id,
            kind=NoteKind.REFLECTION,
            is_excellent=True,
        )
        .select_related("member__user")
        .order_by("-written_on", "-pk")[:RECENT_REFLECTIONS]
    )
    return {
        "organization": me.organization,
        "study_hours": me.study_hours,
        "five_ones": five_ones_from_row(me),
        "excellent_reflections": list(reflections),
    }


HOME_FIGURES = {
    Role.DEPARTMENT: department_home,
    Role.SECRETARY: secretary_home,
    Role.MEMBER: member_home,
}


def home_context(user) -> tuple[Role, dict]:
    """The user's role and the figures their home page shows."""
    role = scope_for(user).role
    figures = HOME_FIGURES.get(role)
    if figures is None:
        return role, {}
    campaign = current_campaign()
    return role, {"campaign": campaign, **figures(user, campaign)}


LOOKUP_LIMIT = 20


def organization_lookup(user, text: str, *, limit: int = LOOKUP_LIMIT) -> list[Organization]:
    """Active organizations ``user`` may see whose name or code contains ``text``, in tree order."""
    # NUL cannot go into a PostgreSQL query; other odd characters simply match nothing.
    text = " ".join((text or "").replace("\x00", "").split())[:100]
    if not text:
        return []
    matches = Organization.objects.filter(is_active=True).filter(
        Q(name__icontains=text) | Q(code__icontains=text)
    )
    return list(visible(user, matches).order_by("path")[:limit])
