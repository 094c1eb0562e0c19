"""The department's pages for each campaign's criteria (基本要求（评价标准）)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from campaigns.models import Campaign
from campaigns.rules import Role
from campaigns.selectors import current_campaign
from campaigns.templatetags.portal_tags import num
from learning.views.library import ObjectMixin, ServiceDeleteView, ServiceFormView
from learning.views.mixins import RoleRequiredMixin

from ..enums import CriterionSubject
from ..forms.criteria import CriterionForm
from ..models import Criterion
from ..selectors import assessments as selectors
from ..services import assessments as services

DEPARTMENT = (Role.DEPARTMENT,)


def list_url(campaign) -> str:
    return f"{reverse('appraisal:criterion.list')}?{urlencode({'year': campaign.year})}"


class CampaignByYearMixin:
    """The campaign named by ?year= (the current one without it); 404 when there is none."""

    def get_campaign(self) -> Campaign:
        if not hasattr(self, "_campaign"):
            year = self.request.GET.get("year", "")
            if year:
                valid = year.isdigit() and len(year) <= 4
                campaign = Campaign.objects.filter(year=int(year)).first() if valid else None
            else:
                campaign = current_campaign()
            if campaign is None:
                raise Http404
            self._campaign = campaign
        return self._campaign


class CriterionListView(RoleRequiredMixin, CampaignByYearMixin, TemplateView):
    roles = DEPARTMENT
    template_name = "appraisal/criterion/list.html"

    def get_context_data(self, **kwargs):
        campaign = self.get_campaign()
        groups = selectors.criteria_groups(campaign)
        return super().get_context_data(
            campaign=campaign,
            years=selectors.campaign_years(),
            groups=groups,
            empty=not any(group.criteria for group in groups),
            **kwargs,
        )


class CriterionCreateView(RoleRequiredMixin, CampaignByYearMixin, ServiceFormView):
    roles = DEPARTMENT
    form_class = CriterionForm
    template_name = "appraisal/criterion/create.html"
    success_message = _("The criterion was added.")

    def get_initial(self):
        subject = self.request.GET.get("subject", "")
        if subject not in CriterionSubject.values:
            subject = CriterionSubject.ORGANIZATION
        return {
            "subject": subject,
            "position": selectors.next_position(self.get_campaign(), subject),
            "weight": 1,
            "max_score": 20 if subject == CriterionSubject.ORGANIZATION else 25,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(campaign=self.get_campaign(), **kwargs)

    def perform(self, form):
        return services.criterion_create(
            user=self.request.user, campaign=self.get_campaign(), **form.cleaned_data
        )

    def get_success_url(self):
        return list_url(self.get_campaign())


class CriterionEditView(RoleRequiredMixin, ObjectMixin, ServiceFormView):
    roles = DEPARTMENT
    model = Criterion
    manage = True
    form_class = CriterionForm
    template_name = "appraisal/criterion/edit.html"
    success_message = _("The criterion was saved.")

    def get_queryset(self):
        return Criterion.objects.select_related("campaign")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "editing": True}

    def get_initial(self):
        criterion = self.object
        return {
            "position": criterion.position,
            "text": criterion.text,
            "weight": num(criterion.weight),
            "max_score": num(criterion.max_score),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(campaign=self.object.campaign, **kwargs)

    def perform(self, form):
        return services.criterion_update(
            user=self.request.user, criterion=self.object, **form.cleaned_data
        )

    def get_success_url(self):
        return list_url(self.object.campaign)


class CriterionDeleteView(RoleRequiredMixin, ServiceDeleteView):
    roles = DEPARTMENT
    model = Criterion
    template_name = "appraisal/criterion/delete.html"
    success_message = _("The criterion was deleted.")

    def get_queryset(self):
        return Criterion.objects.select_related("campaign")

    def perform(self):
        services.criterion_delete(user=self.request.user, criterion=self.object)

    def get_refused_url(self):
        return list_url(self.object.campaign)

    get_success_url = get_refused_url


class CriteriaDefaultsView(RoleRequiredMixin, CampaignByYearMixin, View):
    """POST: give a campaign without criteria the notice's five + four."""

    roles = DEPARTMENT
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        campaign = self.get_campaign()
        try:
            created = services.criteria_create_defaults(user=request.user, campaign=campaign)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The notice's %(count)s basic requirements were added.")
                % {"count": len(created)},
            )
        return redirect(list_url(campaign))


urlpatterns = [
    path("criteria/", CriterionListView.as_view(), name="criterion.list"),
    path("criteria/new/", CriterionCreateView.as_view(), name="criterion.create"),
    path("criteria/defaults/", CriteriaDefaultsView.as_view(), name="criterion.defaults"),
    path("criteria/<int:pk>/edit/", CriterionEditView.as_view(), name="criterion.edit"),
    path("criteria/<int:pk>/delete/", CriterionDeleteView.as_view(), name="criterion.delete"),
]
