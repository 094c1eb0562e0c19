"""The annual Party-building target assessment (年度党建目标管理考核), its 双争 item.

The department sees every organization's stored assessment, recomputes the
figures from the records, adjusts a total (with a reason) and sets the
campaign's weights. A secretary sees the rows of their own organization and
those below it, read-only; members have no such page (403).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View

from campaigns import rules
from campaigns.models import Campaign, Organization
from campaigns.rules import Role
from campaigns.selectors import current_campaign
from campaigns.templatetags.portal_tags import cn_date, cn_datetime, num
from learning.enums import THREE_MEETINGS_ONE_LECTURE, ActivityForm
from learning.views.library import FilteredListView, add_service_errors
from learning.views.mixins import RoleRequiredMixin

from ..enums import ApplicationState
from ..forms.annual import AdjustmentForm, AnnualAssessmentFilter, WeightsForm
from ..models import AnnualAssessment
from ..selectors import annual as selectors
from ..selectors.assessments import campaign_years
from ..services import annual as services

VIEWERS = (Role.DEPARTMENT, Role.SECRETARY)
DEPARTMENT = (Role.DEPARTMENT,)
PAGE_SIZE = 50


def campaign_or_404(year) -> Campaign:
    """The campaign of ``year`` (a query-string value), else the current one."""
    value = str(year or "").strip()
    campaign = None
    if value.isdigit() and len(value) <= 4:
        campaign = Campaign.objects.filter(year=int(value)).first()
    campaign = campaign or current_campaign()
    if campaign is None:
        raise Http404
    return campaign


def list_url(campaign: Campaign) -> str:
    return f"{reverse('appraisal:annual.list')}?campaign={campaign.year}"


# ---------------------------------------------------------------- list


@dataclass
class Column:
    key: str
    label: str
    numeric: bool = True
    sorted: str = ""  # "asc", "desc" or ""
    next: str = ""  # the order value a click on the header sets
    hint: str = ""


def _columns(order: str) -> list[Column]:
    columns = [
        Column("organization", _("Party organization"), numeric=False),
        Column("kind", _("Kind"), numeric=False),
        Column("plan", pgettext("annual column", "Implementation plan")),
        Column("annual_plan", pgettext("annual column", "Annual plan on time")),
        Column("quarterly", pgettext("annual column", "Quarterly plans on time")),
        Column("activities", pgettext("annual column", "Activities")),
        Column("meetings", pgettext("annual column", "Three meetings, one lecture")),
        Column("hours", pgettext("annual column", "Hours per member")),
        Column(
            "five_ones",
            pgettext("annual column", "Five ones"),
            hint=_("“Five ones” completion rate"),
        ),
        Column("self", pgettext("annual column", "Self-assessment")),
        Column("review", pgettext("annual column", "Review")),
        Column("outcome", pgettext("annual column", "Application"), numeric=False),
        Column("computed", pgettext("annual column", "Computed")),
        Column("adjustment", pgettext("annual column", "Adjustment")),
        Column("total", pgettext("annual column", "Total")),
    ]
    for column in columns:
        if order == column.key:
            column.sorted, column.next = "asc", f"-{column.key}"
        elif order == f"-{column.key}":
            column.sorted, column.next = "desc", column.key
        else:
            # Names read best A→Z; figures best from the highest.
            column.next = f"-{column.key}" if column.numeric else column.key
    return columns


class AssessmentListView(RoleRequiredMixin, FilteredListView):
    roles = VIEWERS
    template_name = "appraisal/annual/list.html"
    context_object_name = "assessments"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.campaign = campaign_or_404(self.request.GET.get("campaign"))
        params = self.request.GET.copy()
        params["campaign"] = str(self.campaign.year)
        self.visible = rules.visible(self.request.user, selectors.assessment_list(self.campaign))
        self.filterset = AnnualAssessmentFilter(
            params,
            queryset=self.visible.order_by("organization__path", "pk"),
            years=campaign_years(),
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        weights = selectors.weights_for(self.campaign)
        return super().get_context_data(
            campaign=self.campaign,
            summary=selectors.assessment_summary(self.visible),
            full_points=selectors.full_points(weights),
            columns=_columns(self.filterset.sort_order),
            is_department=self.scope.is_department,
            **kwargs,
        )


class AssessmentComputeView(RoleRequiredMixin, View):
    """Recompute the stored figures from the records: the district's, or one subtree's."""

    roles = DEPARTMENT
    http_method_names = ["post"]

    def post(self, request):
        campaign = campaign_or_404(request.POST.get("campaign"))
        organization = None
        if request.POST.get("organization"):
            organization = rules.get_visible_or_404(
                request.user, Organization, pk=request.POST["organization"]
            )
        figures = services.annual_assessment_compute(campaign=campaign, within=organization)
        messages.success(
            request,
            _(
                "The assessment of %(count)s organizations was recomputed from the records "
                "(%(time)s)."
            )
            % {"count": len(figures), "time": cn_datetime(timezone.now())},
        )
        if organization is not None:
            own = AnnualAssessment.objects.filter(
                campaign=campaign, organization=organization
            ).first()
            if own is not None:
                return redirect("appraisal:annual.detail", pk=own.pk)
        return redirect(list_url(campaign))


# ---------------------------------------------------------------- one organization


@dataclass
class BreakdownRow:
    key: str
    label: str
    figure: str
    rule: str
    share: Decimal
    weight: Decimal
    points: Decimal
    details: list[str] = field(default_factory=list)


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _of(score, maximum) -> str:
    return _("%(score)s of %(maximum)s points") % {"score": num(score), "maximum": num(maximum)}


def _outcome_rule() -> str:
    by_share: dict[Decimal, list[str]] = {}
    for state, share in selectors.OUTCOME_SHARE.items():
        by_share.setdefault(share, []).append(str(ApplicationState(state).label))
    by_share.setdefault(Decimal(0), []).append(_("no application"))
    parts = [
        _("%(states)s: %(percent)s%%") % {"states": " / ".join(labels), "percent": num(share * 100)}
        for share, labels in sorted(by_share.items(), reverse=True)
    ]
    return _(
        "The state of the organization's application as a model learning-oriented Party "
        "organization earns a share of the item: %(shares)s."
    ) % {"shares": pgettext("list separator", "; ").join(parts)}


def _activities_by_form(figures) -> list[str]:
    meeting = _("“three meetings and one lecture”")
    lines = []
    for form, count in sorted(figures.activities_by_form.items(), key=lambda i: (-i[1], i[0])):
        label = str(ActivityForm(form).label)
        if form in THREE_MEETINGS_ONE_LECTURE:
            label = _("%(form)s (%(group)s)") % {"form": label, "group": meeting}
        lines.append(_("%(form)s: %(count)s") % {"form": label, "count": count})
    return lines


def breakdown(campaign: Campaign, figures, weights) -> list[BreakdownRow]:
    """Each item of the assessment: the figure, how it is counted, share, weight and points."""
    shares = selectors.item_shares(figures, weights)
    points = selectors.item_points(figures, weights)
    texts = {
        "implementation_plan": (
            _("Filed") if figures.implementation_plan_filed else _("Not filed"),
            _(
                "A filed implementation plan (实施方案) for this campaign earns the full points; "
                "none, nothing."
            ),
            [],
        ),
        "study_plans": (
            _("Annual plan on time: %(annual)s; quarterly plans on time: %(quarters)s of 4")
            % {
                "annual": _yes_no(figures.annual_plan_on_time),
                "quarters": figures.quarterly_plans_on_time,
            },
            _(
                "The annual study plan must be filed within %(days)s days of the campaign's "
                "start (by %(due)s); each quarterly plan by the %(day)sth day of its quarter. "
                "Each of the five plans filed on time earns a fifth of the points."
            )
            % {
                "days": selectors.ANNUAL_PLAN_DAYS,
                "due": cn_date(selectors.annual_plan_due(campaign)),
                "day": selectors.QUARTERLY_PLAN_DAY,
            },
            [],
        ),
        "activities": (
            _("%(count)s activities, %(meetings)s of them “three meetings and one lecture”")
            % {"count": figures.activity_count, "meetings": figures.three_meetings_count},
            _(
                "Study activities of every form recorded for this campaign, “three meetings "
                "and one lecture” included; %(target)s activities earn the full points, fewer "
                "a proportional share."
            )
            % {"target": weights.activity_target},
            _activities_by_form(figures),
        ),
        "study_hours": (
            _("%(average)s hours per member (%(hours)s hours, %(members)s members)")
            % {
                "average": num(figures.average_study_hours),
                "hours": num(figures.study_hours),
                "members": figures.member_count,
            },
            _(
                "Hours credited to the organization's members for attending this campaign's "
                "activities, divided by its members; %(target)s hours per member earn the full "
                "points, fewer a proportional share."
            )
            % {"target": num(weights.study_hours_target)},
            [],
        ),
        "five_ones": (
            _("%(done)s of %(members)s members (%(rate)s%%)")
            % {
                "done": figures.five_ones_complete,
                "members": figures.member_count,
                "rate": num((figures.five_ones_rate * 100).quantize(Decimal("0.1"))),
            },
            _(
                "Members who have done all of the “five ones” this year, divided by the "
                "organization's members."
            ),
            [],
        ),
        "self_assessment": (
            _of(figures.self_assessment_score, figures.self_assessment_maximum)
            if figures.self_assessment_score is not None
            else _("No completed self-assessment"),
            _("The total of the organization's completed self-assessment, divided by its maximum."),
            [],
        ),
        "review": (
            _of(figures.review_score, figures.review_maximum)
            if figures.review_score is not None
            else _("No completed review"),
            _(
                "The mean of the department's completed reviews of the organization's model "
                "application, divided by the criteria's maximum."
            ),
            [],
        ),
        "application": (
            str(ApplicationState(figures.application_state).label)
            if figures.application_state
            else _("No application"),
            _outcome_rule(),
            [],
        ),
    }
    rows = []
    for key, label in selectors.ITEMS:
        figure, rule, details = texts[key]
        rows.append(
            BreakdownRow(
                key=key,
                label=str(label),
                figure=figure,
                rule=rule,
                share=shares[key],
                weight=getattr(weights, key),
                points=points[key],
                details=details,
            )
        )
    return rows


class AssessmentDetailView(RoleRequiredMixin, View):
    roles = VIEWERS
    template_name = "appraisal/annual/detail.html"

    @cached_property
    def assessment(self) -> AnnualAssessment:
        queryset = AnnualAssessment.objects.filter(organization__is_active=True).select_related(
            "campaign", "organization__parent", "adjusted_by"
        )
        return rules.get_visible_or_404(self.request.user, queryset, pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        assessment = self.assessment
        form = None
        if rules.can_manage(request.user, assessment):
            form = AdjustmentForm(
                initial={
                    "adjustment": assessment.adjustment,
                    "adjustment_reason": assessment.adjustment_reason,
                }
            )
        return self.render(form)

    def post(self, request, *args, **kwargs):
        assessment = self.assessment
        if not rules.can_manage(request.user, assessment):
            raise PermissionDenied
        form = AdjustmentForm(request.POST)
        if form.is_valid():
            try:
                services.annual_assessment_adjust(
                    assessment=assessment,
                    user=request.user,
                    adjustment=form.cleaned_data["adjustment"],
                    reason=form.cleaned_data["adjustment_reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The adjustment was saved."))
                return redirect("appraisal:annual.detail", pk=assessment.pk)
        # Show what is stored, not the refused input's effect.
        assessment.refresh_from_db(
            fields=["adjustment", "adjustment_reason", "adjusted_by", "computed_total"]
        )
        return self.render(form, status=400)

    def render(self, form, status=200):
        assessment = self.assessment
        campaign, organization = assessment.campaign, assessment.organization
        weights = selectors.weights_for(campaign)
        figures = selectors.organization_figures(campaign, within=organization).get(organization.pk)
        rows = breakdown(campaign, figures, weights) if figures is not None else []
        current_total = sum((row.points for row in rows), Decimal(0))
        return render(
            self.request,
            self.template_name,
            {
                "assessment": assessment,
                "campaign": campaign,
                "organization": organization,
                "rows": rows,
                "figures": figures,
                "current_total": current_total,
                "records_changed": bool(rows) and current_total != assessment.computed_total,
                "full_points": selectors.full_points(weights),
                "plan_filings": selectors.plan_filings(campaign, organization),
                "form": form,
                "is_department": self.scope.is_department,
            },
            status=status,
        )


# ---------------------------------------------------------------- weights


class WeightsView(RoleRequiredMixin, View):
    roles = DEPARTMENT
    template_name = "appraisal/annual/weights.html"

    def get(self, request, *args, **kwargs):
        campaign = campaign_or_404(request.GET.get("campaign"))
        weights = selectors.weights_for(campaign)
        return self.render(campaign, WeightsForm(initial=WeightsForm.initial_from(weights)))

    def post(self, request, *args, **kwargs):
        campaign = campaign_or_404(request.POST.get("campaign"))
        form = WeightsForm(request.POST)
        if form.is_valid():
            try:
                services.assessment_weights_set(
                    campaign=campaign, user=request.user, values=form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                count = AnnualAssessment.objects.filter(campaign=campaign).count()
                messages.success(
                    request,
                    _(
                        "The weights were saved and the totals of %(count)s organizations "
                        "recomputed with them."
                    )
                    % {"count": count},
                )
                return redirect(list_url(campaign))
        return self.render(campaign, form, status=400)

    def render(self, campaign, form, status=200):
        weights = selectors.weights_for(campaign)
        return render(
            self.request,
            self.template_name,
            {
                "campaign": campaign,
                "form": form,
                "full_points": selectors.full_points(weights),
                "saved": weights.pk is not None,
            },
            status=status,
        )


urlpatterns = [
    path("annual/", AssessmentListView.as_view(), name="annual.list"),
    path("annual/compute/", AssessmentComputeView.as_view(), name="annual.compute"),
    path("annual/weights/", WeightsView.as_view(), name="annual.weights"),
    path("annual/<int:pk>/", AssessmentDetailView.as_view(), name="annual.detail"),
]
