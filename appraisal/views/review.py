"""The department's review (审核 by 组织部党群科) and the commendation list (表彰名单).

Review pages are for Organization Department staff only (others get 403);
the published commendation list is for every signed-in user.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from campaigns.rules import Role
from campaigns.selectors import current_campaign
from learning.views.library import FilteredListView, add_service_errors
from learning.views.mixins import RoleRequiredMixin

from ..enums import AWAITING_REVIEW_STATES, ApplicationState
from ..forms.review import (
    BULK_COMMEND,
    BULK_STAGE_NOT_RECOMMEND,
    BULK_STAGE_RECOMMEND,
    BulkForm,
    CommendationOrderForm,
    ReturnForm,
    ReviewForm,
    ReviewQueueFilter,
    StageForm,
)
from ..selectors import commendations as commendation_selectors
from ..selectors import reviews as selectors
from ..selectors.assessments import (
    assessment_detail,
    assessment_for_application,
    assessment_totals,
)
from ..services import commendations as commendation_services
from ..services import reviews as services

DEPARTMENT = (Role.DEPARTMENT,)


def _campaign_or_404(year):
    campaign = selectors.campaign_by_year(year) if year else None
    campaign = campaign or current_campaign()
    if campaign is None:
        raise Http404
    return campaign


def _queue_params(data, campaign) -> QueryDict:
    """The queue's filters from ``data`` (a QueryDict), without the page, for the campaign."""
    params = QueryDict(mutable=True)
    for name in ("q", "state", "kind", "organization"):
        value = data.get(name, "")
        if value:
            params[name] = value
    params["campaign"] = str(campaign.year)
    return params


def _queue_url(params: QueryDict) -> str:
    return f"{reverse('appraisal:review.queue')}?{params.urlencode()}"


def _filtered_queue(user, campaign, params: QueryDict) -> ReviewQueueFilter:
    return ReviewQueueFilter(
        params,
        queryset=selectors.review_queue(campaign, user),
        organizations=selectors.organization_picker(user),
        years=selectors.campaign_years(),
    )


def _report(request, outcome, done_message) -> None:
    """One message for what a batch did, one error per application it could not move."""
    if outcome.done:
        messages.success(request, done_message % {"count": len(outcome.done)})
    for application, reason in outcome.failures:
        messages.error(request, f"{application}：{reason}")
    if not outcome.done and not outcome.failures:
        messages.warning(request, _("None of the selected applications belongs to this campaign."))


# ---------------------------------------------------------------- queue


class ReviewQueueView(RoleRequiredMixin, FilteredListView):
    roles = DEPARTMENT
    template_name = "appraisal/review/queue.html"
    context_object_name = "applications"

    def get_queryset(self):
        self.campaign = _campaign_or_404(self.request.GET.get("campaign"))
        self.params = _queue_params(self.request.GET, self.campaign)
        self.filterset = _filtered_queue(self.request.user, self.campaign, self.params)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            campaign=self.campaign,
            progress=selectors.review_progress(self.campaign, self.request.user),
            queue_query=self.params.urlencode(),
            bulk_actions=BulkForm.base_fields["action"].choices,
            **kwargs,
        )


class BulkView(RoleRequiredMixin, View):
    roles = DEPARTMENT
    http_method_names = ["post"]

    def post(self, request):
        form = BulkForm(request.POST)
        campaign = _campaign_or_404(request.POST.get("campaign"))
        back = _queue_url(_queue_params(QueryDict(request.POST.get("query", "")), campaign))
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(back)
        pks, action = form.cleaned_data["applications"], form.cleaned_data["action"]
        comment = form.cleaned_data["comment"]
        if action == BULK_COMMEND:
            outcome = services.bulk_commend(
                campaign=campaign, pks=pks, actor=request.user, comment=comment
            )
            done = _("%(count)s applications were commended.")
        else:
            decision = {
                BULK_STAGE_RECOMMEND: "recommend",
                BULK_STAGE_NOT_RECOMMEND: "not_recommend",
            }[action]
            outcome = services.bulk_stage(
                campaign=campaign, pks=pks, actor=request.user, decision=decision, comment=comment
            )
            done = _(
                "A decision was staged for %(count)s applications; "
                "it takes effect when the staged decisions are released."
            )
        _report(request, outcome, done)
        return redirect(back)


class ReleaseView(RoleRequiredMixin, TemplateView):
    """Confirm, then release every staged decision of the campaign together."""

    roles = DEPARTMENT
    template_name = "appraisal/review/release.html"

    def get_context_data(self, **kwargs):
        campaign = _campaign_or_404(self.request.GET.get("campaign"))
        staged = list(selectors.staged_applications(campaign))
        return super().get_context_data(
            campaign=campaign,
            staged=staged,
            not_under_review=[a for a in staged if a.state != ApplicationState.UNDER_REVIEW],
            **kwargs,
        )

    def post(self, request):
        campaign = _campaign_or_404(request.POST.get("campaign"))
        outcome = services.decisions_release(campaign=campaign, actor=request.user)
        if not outcome.done and not outcome.failures:
            messages.info(request, _("No decision is staged in this campaign."))
        else:
            _report(request, outcome, _("%(count)s staged decisions were released."))
        return redirect(_queue_url(_queue_params(QueryDict(), campaign)))


# ---------------------------------------------------------------- review page


class ReviewDetailView(RoleRequiredMixin, TemplateView):
    """The application with its self-assessment and history, the reviewer's scores,
    the return form and the staged decision."""

    roles = DEPARTMENT
    template_name = "appraisal/review/detail.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.roles and self.scope.role not in self.roles:
            raise PermissionDenied
        self.application = selectors.review_application(request.user, kwargs["pk"])
        self.params = _queue_params(request.GET, self.application.campaign)
        return super().dispatch(request, *args, **kwargs)

    # -- helpers

    @cached_property
    def review(self):
        return selectors.review_of(self.application, self.request.user)

    def detail_url(self, application=None) -> str:
        pk = (application or self.application).pk
        return f"{reverse('appraisal:review.detail', args=[pk])}?{self.params.urlencode()}"

    @cached_property
    def assessment(self):
        application = self.application
        return application.self_assessment or assessment_for_application(application)

    @cached_property
    def assessment_rows(self) -> list:
        return assessment_detail(self.assessment) if self.assessment else []

    def review_form(self, data=None):
        return ReviewForm(
            data,
            criteria=selectors.review_criteria(self.application),
            review=self.review,
            self_scores={
                row.criterion.pk: row.score.score for row in self.assessment_rows if row.score
            },
        )

    def get_context_data(self, **kwargs):
        application = self.application
        user = self.request.user
        assessment, rows = self.assessment, self.assessment_rows
        kwargs.setdefault("form", self.review_form())
        kwargs.setdefault("return_form", ReturnForm())
        kwargs.setdefault(
            "stage_form",
            StageForm(
                initial={
                    "decision": application.staged_decision or None,
                    "comment": application.staged_comment,
                }
            ),
        )
        awaiting = application.state in AWAITING_REVIEW_STATES
        return super().get_context_data(
            application=application,
            campaign=application.campaign,
            history=selectors.application_history(application),
            assessment=assessment,
            assessment_rows=rows,
            assessment_totals=assessment_totals(assessment, rows) if assessment else None,
            review=self.review,
            review_total=selectors.score_total(self.review.scores.all()) if self.review else None,
            other_reviews=selectors.other_reviews(application, user),
            can_score=awaiting,
            can_return=awaiting,
            can_stage=awaiting,
            queue_url=_queue_url(self.params),
            queue_query=self.params.urlencode(),
            **kwargs,
        )

    # -- actions

    def post(self, request, *args, **kwargs):
        action = request.POST.get("form", "review")
        handler = {
            "review": self.save_review,
            "return": self.return_application,
            "stage": self.stage_decision,
            "unstage": self.unstage_decision,
        }.get(action)
        if handler is None:
            messages.error(request, _("Unknown action."))
            return redirect(self.detail_url())
        return handler(request)

    def _refused(self, request, error: ValidationError):
        for message in error.messages:
            messages.error(request, message)
        return redirect(self.detail_url())

    def save_review(self, request):
        form = self.review_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        complete = form.complete()
        try:
            services.review_save(
                application=self.application,
                reviewer=request.user,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
                complete=complete,
                expected_state=request.POST.get("state") or None,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") or getattr(error, "code", None) == "incomplete":
                add_service_errors(form, error)
                return self.render_to_response(self.get_context_data(form=form))
            # The application moved on (stale page, no longer awaiting review …).
            return self._refused(request, error)
        if complete:
            messages.success(request, _("The review was saved."))
        else:
            messages.warning(
                request,
                _(
                    "The review was saved. Some criteria have no score yet, so it does not "
                    "count as reviewed."
                ),
            )
        if "next" not in request.POST:
            return redirect(self.detail_url())
        queue = _filtered_queue(request.user, self.application.campaign, self.params).qs
        following = selectors.next_unreviewed(queue, self.application)
        if following is None:
            messages.info(request, _("No unreviewed application is left in this queue."))
            return redirect(_queue_url(self.params))
        return redirect(self.detail_url(following))

    def return_application(self, request):
        form = ReturnForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(return_form=form))
        try:
            services.review_return(
                application=self.application,
                reviewer=request.user,
                comment=form.cleaned_data["comment"],
                expected_state=request.POST.get("state") or None,
            )
        except ValidationError as error:
            return self._refused(request, error)
        messages.success(
            request, _("The application was returned to its organization for revision.")
        )
        return redirect(self.detail_url())

    def stage_decision(self, request):
        form = StageForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(stage_form=form))
        try:
            services.decision_stage(
                application=self.application,
                reviewer=request.user,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                expected_state=request.POST.get("state") or None,
            )
        except ValidationError as error:
            return self._refused(request, error)
        messages.success(
            request,
            _(
                "The decision was staged. The organization learns it only when the staged "
                "decisions are released."
            ),
        )
        return redirect(self.detail_url())

    def unstage_decision(self, request):
        services.decision_unstage(application=self.application, reviewer=request.user)
        messages.success(request, _("The staged decision was withdrawn."))
        return redirect(self.detail_url())


# ---------------------------------------------------------------- commendation list


class CommendationManageView(RoleRequiredMixin, TemplateView):
    roles = DEPARTMENT
    template_name = "appraisal/commendation/manage.html"

    def get_campaign(self):
        return _campaign_or_404(self.request.GET.get("year") or self.request.POST.get("year"))

    def get_context_data(self, **kwargs):
        campaign = self.get_campaign()
        entries = list(commendation_selectors.commendations_of(campaign))
        kwargs.setdefault("form", CommendationOrderForm(entries=entries))
        return super().get_context_data(
            campaign=campaign,
            entries=entries,
            published=[e for e in entries if e.published_at is not None],
            missing=commendation_selectors.commended_without_entry(campaign),
            years=selectors.campaign_years(),
            **kwargs,
        )

    def here(self, campaign) -> str:
        return f"{reverse('appraisal:commendation.manage')}?year={campaign.year}"

    def post(self, request):
        campaign = self.get_campaign()
        action = request.POST.get("action")
        try:
            if action in {"generate", "reorder"}:
                added = commendation_services.commendations_generate(
                    campaign=campaign, actor=request.user, reorder=action == "reorder"
                )
                if action == "reorder":
                    messages.success(request, _("The unpublished entries were put in order."))
                if added:
                    messages.success(
                        request,
                        _("%(count)s entries were added to the commendation list.")
                        % {"count": added},
                    )
                elif action == "generate":
                    messages.info(request, _("Every commended application is already listed."))
            elif action == "save":
                entries = list(commendation_selectors.commendations_of(campaign))
                form = CommendationOrderForm(request.POST, entries=entries)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(form=form))
                commendation_services.commendations_update(
                    campaign=campaign, actor=request.user, changes=form.changes()
                )
                messages.success(request, _("The order and the citations were saved."))
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(self.here(campaign))


class CommendationPublishView(RoleRequiredMixin, TemplateView):
    roles = DEPARTMENT
    template_name = "appraisal/commendation/publish.html"

    def get_context_data(self, **kwargs):
        campaign = _campaign_or_404(self.request.GET.get("year"))
        entries = commendation_selectors.commendations_of(campaign).filter(
            published_at__isnull=True
        )
        return super().get_context_data(campaign=campaign, entries=list(entries), **kwargs)

    def post(self, request):
        campaign = _campaign_or_404(request.POST.get("year"))
        try:
            count = commendation_services.commendations_publish(
                campaign=campaign, actor=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(f"{reverse('appraisal:commendation.manage')}?year={campaign.year}")
        messages.success(
            request,
            _("The commendation list was published (%(count)s entries).") % {"count": count},
        )
        return redirect(f"{reverse('appraisal:commendation.list')}?year={campaign.year}")


class CommendationListView(RoleRequiredMixin, TemplateView):
    """The published commendation list (表彰名单), for every signed-in user."""

    template_name = "appraisal/commendation/list.html"

    def get_context_data(self, **kwargs):
        campaign = _campaign_or_404(self.request.GET.get("year"))
        entries = list(commendation_selectors.published_commendations(self.request.user, campaign))
        published_at = max((e.published_at for e in entries), default=None)
        return super().get_context_data(
            campaign=campaign,
            entries=entries,
            published_at=published_at,
            years=selectors.campaign_years(),
            is_department=self.scope.is_department,
            **kwargs,
        )


urlpatterns = [
    path("review/", ReviewQueueView.as_view(), name="review.queue"),
    path("review/bulk/", BulkView.as_view(), name="review.bulk"),
    path("review/release/", ReleaseView.as_view(), name="review.release"),
    path("review/<int:pk>/", ReviewDetailView.as_view(), name="review.detail"),
    path("commendations/", CommendationListView.as_view(), name="commendation.list"),
    path("commendations/manage/", CommendationManageView.as_view(), name="commendation.manage"),
    path("commendations/publish/", CommendationPublishView.as_view(), name="commendation.publish"),
]
