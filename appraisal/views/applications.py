"""The organization's side of model-unit applications (标兵申报表): list, form, page, actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, View

from campaigns import rules
from campaigns.rules import Role
from campaigns.selectors import deadline_for
from learning.selectors.library import filter_organizations, managed_organizations
from learning.views.library import (
    EVERYONE,
    FilteredListView,
    ObjectMixin,
    ServiceDeleteView,
    ServiceFormView,
)
from learning.views.mixins import CampaignMixin, RoleRequiredMixin

from ..enums import EDITABLE_STATES, ApplicationKind
from ..forms.applications import (
    ApplicationCreateForm,
    ApplicationFilter,
    ApplicationTextForm,
    TransitionForm,
)
from ..models import Application
from ..selectors import applications as selectors
from ..selectors.assessments import (
    assessment_detail,
    assessment_for_application,
    assessment_totals,
)
from ..services import applications as services


class ApplicationListView(RoleRequiredMixin, CampaignMixin, FilteredListView):
    """A secretary's applications (their organizations'); a member's own; the department's all."""

    roles = EVERYONE
    template_name = "appraisal/application/list.html"
    filterset_class = ApplicationFilter

    def get_base_queryset(self):
        return selectors.application_list(self.request.user)

    def get_filterset_kwargs(self):
        return {
            "years": selectors.application_years(self.request.user),
            "organizations": filter_organizations(self.request.user),
        }

    def get_context_data(self, **kwargs):
        scope = self.scope
        campaign = self.get_campaign()
        organization = scope.member.organization if scope.member else None
        return super().get_context_data(
            campaign=campaign,
            deadline=deadline_for(campaign, organization if scope.is_secretary else None),
            can_add=scope.is_secretary,
            show_organization="organization" in self.filterset.filters,
            **kwargs,
        )


class ApplicationCreateView(RoleRequiredMixin, CampaignMixin, ServiceFormView):
    roles = (Role.SECRETARY,)
    template_name = "appraisal/application/create.html"
    form_class = ApplicationCreateForm
    success_message = _("The application was saved as a draft.")

    def get_initial(self):
        initial = {"organization": self.scope.organization_id}
        if self.request.GET.get("kind") in ApplicationKind.values:
            initial["kind"] = self.request.GET["kind"]
        return initial

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "organizations": managed_organizations(self.request.user),
            "members": selectors.nominee_members(self.request.user),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(campaign=self.get_campaign(), **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        return services.application_create(
            user=self.request.user,
            campaign=self.get_campaign(),
            kind=data["kind"],
            organization=data["organization"],
            member=data["member"],
            main_deeds=data["main_deeds"],
            organization_opinion=data["organization_opinion"],
        )

    def get_success_url(self):
        return reverse("appraisal:application.detail", args=[self.object.pk])


class ApplicationDetailView(ObjectMixin, DetailView):
    model = Application
    template_name = "appraisal/application/detail.html"
    context_object_name = "application"

    def get_queryset(self):
        return selectors.application_detail_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        application = self.object
        user = self.request.user
        actions = services.allowed_transitions(application, user)
        scope = rules.scope_for(user)
        can_edit = (
            scope.is_secretary
            and rules.can_manage(user, application)
            and application.state in EDITABLE_STATES
        )
        history = list(application.history.all())
        assessment = application.self_assessment or assessment_for_application(application)
        rows = assessment_detail(assessment) if assessment else []
        return super().get_context_data(
            assessment=assessment,
            assessment_rows=rows,
            assessment_totals=assessment_totals(assessment, rows) if assessment else None,
            history=history,
            return_step=selectors.return_step(application, history),
            deadline=selectors.deadline_of(application),
            deadline_passed=services.deadline_passed(application),
            organization_actions=[a for a in actions if a.performer == "organization"],
            can_edit=can_edit,
            can_delete=can_edit and services.may_delete(application),
            missing=services.missing_for_submission(application) if can_edit else [],
            is_department=scope.is_department,
            transition_form=TransitionForm(),
            **kwargs,
        )


class ApplicationEditView(ObjectMixin, ServiceFormView):
    model = Application
    manage = True
    template_name = "appraisal/application/edit.html"
    form_class = ApplicationTextForm
    success_message = _("The application was saved.")

    def get(self, request, *args, **kwargs):
        if self.object.state not in EDITABLE_STATES:
            messages.error(
                request,
                _("The application is “%(state)s” and can no longer be changed.")
                % {"state": self.object.get_state_display()},
            )
            return redirect("appraisal:application.detail", self.object.pk)
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        return {
            "main_deeds": self.object.main_deeds,
            "organization_opinion": self.object.organization_opinion,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(application=self.object, **kwargs)

    def perform(self, form):
        return services.application_update(
            user=self.request.user, application=self.object, **form.cleaned_data
        )

    def get_success_url(self):
        return reverse("appraisal:application.detail", args=[self.object.pk])


class ApplicationDeleteView(ServiceDeleteView):
    model = Application
    template_name = "appraisal/application/delete.html"
    success_message = _("The draft application was deleted.")

    def perform(self):
        services.application_delete(user=self.request.user, application=self.object)

    def get_refused_url(self):
        return reverse("appraisal:application.detail", args=[self.object.pk])

    def get_success_url(self):
        return reverse("appraisal:application.list")


class ApplicationTransitionView(ObjectMixin, View):
    """POST one named transition (submit, resubmit, …); every refusal comes back as a message."""

    model = Application
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = TransitionForm(request.POST)
        back = redirect("appraisal:application.detail", self.object.pk)
        if not form.is_valid():
            messages.error(request, _("Unknown action."))
            return back
        try:
            application = services.application_transition(
                application=self.object,
                transition=form.cleaned_data["transition"],
                actor=request.user,
                comment=form.cleaned_data["comment"],
            )
        except PermissionDenied as error:
            messages.error(request, str(error) or _("You may not perform this action."))
            return back
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return back
        messages.success(
            request,
            _("The application is now “%(state)s”.") % {"state": application.get_state_display()},
        )
        return back


urlpatterns = [
    path("applications/", ApplicationListView.as_view(), name="application.list"),
    path("applications/new/", ApplicationCreateView.as_view(), name="application.create"),
    path("applications/<int:pk>/", ApplicationDetailView.as_view(), name="application.detail"),
    path("applications/<int:pk>/edit/", ApplicationEditView.as_view(), name="application.edit"),
    path(
        "applications/<int:pk>/delete/", ApplicationDeleteView.as_view(), name="application.delete"
    ),
    path(
        "applications/<int:pk>/transition/",
        ApplicationTransitionView.as_view(),
        name="application.transition",
    ),
]
