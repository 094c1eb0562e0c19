"""The 双争 item of the annual Party-building target assessment (年度党建目标管理考核).

The one place its figures and points are defined. ``organization_figures()``
reads every organization of a campaign (or of one subtree) in a fixed number
of grouped queries, however large the district; ``score()`` turns one
organization's figures into points by the campaign's weights. The assessment
pages, the dashboard and the spreadsheet all read these.

What counts:

- 实施方案: a filed implementation plan for the campaign.
- 学习计划按期报送: the annual plan filed within ``ANNUAL_PLAN_DAYS`` days of the
  campaign's start; each quarterly plan filed by the ``QUARTERLY_PLAN_DAY``-th day
  of its quarter (or of the campaign's start, when the campaign starts later).
- 学习活动: activities recorded for the campaign, by form; 三会一课 among them.
- 人均学时: attendance hours of the organization's active members ÷ those members.
- “五个一”完成率: members who did all five ÷ active members
  (``campaigns.selectors.with_five_ones`` defines “done”).
- 自评得分: the organization's completed self-assessment, as a share of its maximum.
- 审核得分: the mean of the department's completed reviews of the organization's
  标兵 application, as a share of the criteria's maximum.
- 申报结果: the state of that application, worth ``OUTCOME_SHARE`` of the item.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.enums import PlanStatus
from campaigns.models import SHANGHAI, Campaign, ImplementationPlan, Member, Organization
from campaigns.selectors import five_ones_complete_q, with_five_ones
from learning.enums import THREE_MEETINGS_ONE_LECTURE, StudyPlanKind
from learning.models import Attendance, StudyActivity, StudyPlan

from ..enums import ApplicationKind, ApplicationState, CriterionSubject, SelfAssessmentStatus
from ..models import (
    AnnualAssessment,
    Application,
    AssessmentWeights,
    CriterionScore,
    ReviewScore,
    SelfAssessment,
)
from .assessments import criteria_of, totals_from_scores

ANNUAL_PLAN_DAYS = 30
QUARTERLY_PLAN_DAY = 15
QUARTERS = 4
CENTS = Decimal("0.01")
TENTHS = Decimal("0.1")
RATE = Decimal("0.0001")

# The application outcome's share of its item: taking part earns half, a
# recommendation more, the commendation all of it.
OUTCOME_SHARE = {
    ApplicationState.COMMENDED: Decimal(1),
    ApplicationState.RECOMMENDED: Decimal("0.8"),
    ApplicationState.NOT_RECOMMENDED: Decimal("0.5"),
    ApplicationState.SUBMITTED: Decimal("0.5"),
    ApplicationState.UNDER_REVIEW: Decimal("0.5"),
    ApplicationState.RESUBMITTED: Decimal("0.5"),
    ApplicationState.RETURNED: Decimal("0.5"),
    ApplicationState.DRAFT: Decimal(0),
}

# The items of the assessment, in the order pages and the spreadsheet show them;
# each is a field of AssessmentWeights holding its full points.
ITEMS = (
    ("implementation_plan", _("Implementation plan filed")),
    ("study_plans", _("Study plans filed on time")),
    ("activities", _("Activities held")),
    ("study_hours", _("Average study hours")),
    ("five_ones", _("“Five ones” completion")),
    ("self_assessment", _("Self-assessment score")),
    ("review", _("Review score")),
    ("application", _("Application outcome")),
)


def weights_for(campaign: Campaign) -> AssessmentWeights:
    """The campaign's weights; the defaults (unsaved) until the department sets them."""
    try:
        return campaign.assessment_weights
    except AssessmentWeights.DoesNotExist:
        return AssessmentWeights(campaign=campaign)


def annual_plan_due(campaign: Campaign) -> datetime.date:
    return campaign.starts_on + datetime.timedelta(days=ANNUAL_PLAN_DAYS)


def quarterly_plan_due(campaign: Campaign, quarter: int) -> datetime.date:
    quarter_start = datetime.date(campaign.year, 3 * (quarter - 1) + 1, 1)
    return max(quarter_start, campaign.starts_on) + datetime.timedelta(days=QUARTERLY_PLAN_DAY - 1)


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return None if moment is None else timezone.localtime(moment, SHANGHAI).date()


@dataclass
class OrganizationFigures:
    """One organization's figures for one campaign, straight from the records."""

    organization_id: int
    member_count: int = 0
    implementation_plan_filed: bool = False
    annual_plan_filed: bool = False
    annual_plan_on_time: bool = False
    quarterly_plans_filed: int = 0
    quarterly_plans_on_time: int = 0
    activities_by_form: dict[str, int] = field(default_factory=dict)
    study_hours: Decimal = Decimal(0)
    five_ones_complete: int = 0
    self_assessment_completed: bool = False
    self_assessment_score: Decimal | None = None
    self_assessment_maximum: Decimal | None = None
    review_score: Decimal | None = None
    review_maximum: Decimal | None = None
    application_state: str = ""

    @property
    def activity_count(self) -> int:
        return sum(self.activities_by_form.values())

    @property
    def three_meetings_count(self) -> int:
        return sum(
            n for form, n in self.activities_by_form.items() if form in THREE_MEETINGS_ONE_LECTURE
        )

    @property
    def average_study_hours(self) -> Decimal:
        if not self.member_count:
            return Decimal(0)
        return (self.study_hours / self.member_count).quantize(TENTHS, ROUND_HALF_UP)

    @property
    def five_ones_rate(self) -> Decimal:
        if not self.member_count:
            return Decimal(0)
        return (Decimal(self.five_ones_complete) / self.member_count).quantize(RATE, ROUND_HALF_UP)

    @property
    def application_submitted(self) -> bool:
        return self.application_state not in {"", ApplicationState.DRAFT}


def _within(queryset: QuerySet, lookup: str, within: Organization | None) -> QuerySet:
    if within is None:
        return queryset
    return queryset.filter(**{f"{lookup}path__startswith": within.path})


def assessed_organizations(within: Organization | None = None) -> QuerySet:
    """The active organizations an assessment covers: the district's, or one subtree's."""
    return _within(Organization.objects.filter(is_active=True), "", within).order_by("path")


def organization_figures(
    campaign: Campaign, within: Organization | None = None
) -> dict[int, OrganizationFigures]:
    """Every covered organization's figures, keyed by organization id, in ten queries."""
    figures = {
        pk: OrganizationFigures(organization_id=pk)
        for pk in assessed_organizations(within).values_list("pk", flat=True)
    }

    def rows(queryset: QuerySet, lookup: str = "organization__"):
        for row in _within(queryset, lookup, within).order_by():
            org = figures.get(row[0])
            if org is not None:
                yield org, row[1:]

    members = Member.objects.filter(is_active=True)
    for org, (count,) in rows(members.values_list("organization").annotate(n=Count("pk"))):
        org.member_count = count

    filed_plans = ImplementationPlan.objects.filter(campaign=campaign, status=PlanStatus.FILED)
    for org, _row in rows(filed_plans.values_list("organization").distinct()):
        org.implementation_plan_filed = True

    plans = StudyPlan.objects.filter(
        campaign=campaign,
        status=PlanStatus.FILED,
        kind__in=[StudyPlanKind.ORGANIZATION_ANNUAL, StudyPlanKind.ORGANIZATION_QUARTERLY],
    ).values_list("organization", "kind", "quarter", "filed_at")
    annual_due = annual_plan_due(campaign)
    quarters_on_time = defaultdict(set)
    quarters_filed = defaultdict(set)
    for org, (kind, quarter, filed_at) in rows(plans):
        filed_on = _local_date(filed_at)
        if kind == StudyPlanKind.ORGANIZATION_ANNUAL:
            org.annual_plan_filed = True
            org.annual_plan_on_time |= filed_on is not None and filed_on <= annual_due
        elif quarter:
            quarters_filed[org.organization_id].add(quarter)
            if filed_on is not None and filed_on <= quarterly_plan_due(campaign, quarter):
                quarters_on_time[org.organization_id].add(quarter)
    for pk, quarters in quarters_filed.items():
        figures[pk].quarterly_plans_filed = len(quarters)
    for pk, quarters in quarters_on_time.items():
        figures[pk].quarterly_plans_on_time = len(quarters)

    activities = StudyActivity.objects.filter(campaign=campaign)
    for org, (form, count) in rows(
        activities.values_list("organization", "form").annotate(n=Count("pk"))
    ):
        org.activities_by_form[form] = count

    # Hours count for the organization the member belongs to, wherever they studied.
    attendance = Attendance.objects.filter(activity__campaign=campaign, member__is_active=True)
    for org, (hours,) in rows(
        attendance.values_list("member__organization").annotate(total=Sum("hours")),
        "member__organization__",
    ):
        org.study_hours = hours or Decimal(0)

    complete = with_five_ones(members, campaign).filter(five_ones_complete_q())
    for org, (count,) in rows(complete.values_list("organization").annotate(n=Count("pk"))):
        org.five_ones_complete = count

    criteria = list(criteria_of(campaign, CriterionSubject.ORGANIZATION))
    _self_assessments(campaign, criteria, rows)
    _applications(campaign, criteria, rows)
    return figures


def recent_organization_figures(
    campaign: Campaign, within: Organization | None = None
) -> dict[int, OrganizationFigures]:
    """``organization_figures``, reused for ``settings.FIGURES_CACHE_SECONDS``.

    The dashboard reads the whole district on every visit: 4–5 s at 5,000
    organizations. Figures a minute or two old serve a dashboard; the assessment
    and the spreadsheet always read the records afresh.
    """
    seconds = getattr(settings, "FIGURES_CACHE_SECONDS", 0)
    if not seconds:
        return organization_figures(campaign, within)
    key = f"organization-figures:{campaign.pk}:{within.pk if within else 'district'}"
    figures = cache.get(key)
    if figures is None:
        figures = organization_figures(campaign, within)
        cache.set(key, figures, seconds)
    return figures


def _self_assessments(campaign, criteria, rows) -> None:
    completed = SelfAssessment.objects.filter(
        campaign=campaign,
        subject=CriterionSubject.ORGANIZATION,
        status=SelfAssessmentStatus.COMPLETED,
    )
    by_assessment = {}
    for org, (assessment_id,) in rows(completed.values_list("organization", "pk")):
        org.self_assessment_completed = True
        by_assessment[assessment_id] = org
    scores = defaultdict(dict)
    score_rows = CriterionScore.objects.filter(
        assessment__campaign=campaign,
        assessment__subject=CriterionSubject.ORGANIZATION,
        assessment__status=SelfAssessmentStatus.COMPLETED,
    ).values_list("assessment", "criterion", "score")
    for assessment_id, criterion_id, value in score_rows.order_by().iterator(chunk_size=5000):
        if assessment_id in by_assessment:
            scores[assessment_id][criterion_id] = value
    for assessment_id, org in by_assessment.items():
        totals = totals_from_scores(criteria, scores[assessment_id])
        org.self_assessment_score = totals.value
        org.self_assessment_maximum = totals.value_maximum


def _applications(campaign, criteria, rows) -> None:
    own = Application.objects.filter(campaign=campaign, kind=ApplicationKind.ORGANIZATION_MODEL)
    by_application = {}
    for org, (application_id, state) in rows(own.values_list("organization", "pk", "state")):
        org.application_state = state
        by_application[application_id] = org
    review_totals = defaultdict(list)
    per_review = (
        ReviewScore.objects.filter(
            review__application__campaign=campaign,
            review__application__kind=ApplicationKind.ORGANIZATION_MODEL,
            review__completed_at__isnull=False,
        )
        .order_by()
        .values_list("review__application", "review")
        .annotate(total=Sum("score"))
    )
    for application_id, _review_id, total in per_review:
        if application_id in by_application:
            review_totals[application_id].append(total)
    maximum = sum((criterion.max_score for criterion in criteria), Decimal(0))
    for application_id, totals in review_totals.items():
        org = by_application[application_id]
        org.review_score = (sum(totals, Decimal(0)) / len(totals)).quantize(CENTS, ROUND_HALF_UP)
        org.review_maximum = maximum


# ---------------------------------------------------------------- points


def _share(value: Decimal | None, maximum: Decimal | None) -> Decimal:
    if value is None or not maximum:
        return Decimal(0)
    return min(Decimal(1), max(Decimal(0), Decimal(value) / Decimal(maximum)))


def item_shares(figures: OrganizationFigures, weights: AssessmentWeights) -> dict[str, Decimal]:
    """How much of each item's full points the organization earned, from 0 to 1."""
    return {
        "implementation_plan": Decimal(figures.implementation_plan_filed),
        "study_plans": Decimal(figures.annual_plan_on_time + figures.quarterly_plans_on_time)
        / (1 + QUARTERS),
        "activities": _share(figures.activity_count, weights.activity_target),
        "study_hours": _share(figures.average_study_hours, weights.study_hours_target),
        "five_ones": figures.five_ones_rate,
        "self_assessment": _share(figures.self_assessment_score, figures.self_assessment_maximum),
        "review": _share(figures.review_score, figures.review_maximum),
        "application": OUTCOME_SHARE.get(figures.application_state, Decimal(0)),
    }


def item_points(figures: OrganizationFigures, weights: AssessmentWeights) -> dict[str, Decimal]:
    """Points per item: its share times the weight the department set for it."""
    return {
        name: (share * getattr(weights, name)).quantize(CENTS, ROUND_HALF_UP)
        for name, share in item_shares(figures, weights).items()
    }


def score(figures: OrganizationFigures, weights: AssessmentWeights) -> Decimal:
    """The computed total: the sum of the items' points."""
    return sum(item_points(figures, weights).values(), Decimal(0))


def full_points(weights: AssessmentWeights) -> Decimal:
    return sum((getattr(weights, name) for name in AssessmentWeights.WEIGHT_FIELDS), Decimal(0))


def adjusted_total(computed: Decimal, adjustment: Decimal, ceiling: Decimal) -> Decimal:
    """The assessment's total: the computed figure plus the adjustment, within 0 … full points."""
    return min(max(computed + adjustment, Decimal(0)), ceiling)


# ---------------------------------------------------------------- stored assessments


def assessment_list(campaign: Campaign, within: Organization | None = None) -> QuerySet:
    """The stored assessments of a campaign, in tree order, with their organizations."""
    return _within(
        AnnualAssessment.objects.filter(campaign=campaign, organization__is_active=True),
        "organization__",
        within,
    ).select_related("organization__parent", "adjusted_by")


def assessment_summary(assessments: QuerySet) -> dict:
    """How many assessments ``assessments`` holds and when they were last computed."""
    return assessments.order_by().aggregate(count=Count("pk"), computed_at=Max("computed_at"))


@dataclass
class PlanFiling:
    """One of the five organization plans the study-plans item counts."""

    quarter: int | None  # None: the annual plan
    due: datetime.date
    filed_on: datetime.date | None

    @property
    def on_time(self) -> bool:
        return self.filed_on is not None and self.filed_on <= self.due


def plan_filings(campaign: Campaign, organization: Organization) -> list[PlanFiling]:
    """The annual plan and the four quarterly plans with their due dates, filed or not."""
    filed = {
        quarter: _local_date(filed_at)
        for quarter, filed_at in StudyPlan.objects.filter(
            campaign=campaign,
            organization=organization,
            status=PlanStatus.FILED,
            kind__in=[StudyPlanKind.ORGANIZATION_ANNUAL, StudyPlanKind.ORGANIZATION_QUARTERLY],
        ).values_list("quarter", "filed_at")
    }
    filings = [PlanFiling(None, annual_plan_due(campaign), filed.get(None))]
    for quarter in range(1, QUARTERS + 1):
        filings.append(
            PlanFiling(quarter, quarterly_plan_due(campaign, quarter), filed.get(quarter))
        )
    return filings
