"""The department's deadline page: move the deadline, grant extensions, see both records."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from campaigns import services
from campaigns.rules import Role
from learning.views.library import add_service_errors
from learning.views.mixins import CampaignMixin, RoleRequiredMixin

from ..forms.applications import DeadlineMoveForm, ExtensionForm
from ..selectors import applications as selectors


class DeadlineManageView(RoleRequiredMixin, CampaignMixin, View):
    """One page, two forms: which one was sent is told by the submit button's name."""

    roles = (Role.DEPARTMENT,)
    template_name = "appraisal/deadline/manage.html"

    def get(self, request, *args, **kwargs):
        campaign = self.get_campaign()
        return self.render(
            DeadlineMoveForm(initial={"new_deadline": campaign.application_deadline}),
            ExtensionForm(),
        )

    def post(self, request, *args, **kwargs):
        campaign = self.get_campaign()
        move_form, extension_form = DeadlineMoveForm(), ExtensionForm()
        if "grant_extension" in request.POST:
            extension_form = ExtensionForm(request.POST)
            if extension_form.is_valid():
                data = extension_form.cleaned_data
                try:
                    extension = services.extension_grant(
                        user=request.user,
                        campaign=campaign,
                        organization=data["organization"],
                        deadline=data["deadline"],
                        reason=data["reason"],
                    )
                except ValidationError as error:
                    add_service_errors(extension_form, error)
                else:
                    messages.success(
                        request,
                        _("%(organization)s was granted an extension.")
                        % {"organization": extension.organization.name},
                    )
                    return redirect("appraisal:deadline.manage")
        else:
            move_form = DeadlineMoveForm(request.POST)
            if move_form.is_valid():
                try:
                    services.campaign_deadline_move(
                        user=request.user,
                        campaign=campaign,
                        new_deadline=move_form.cleaned_data["new_deadline"],
                        reason=move_form.cleaned_data["reason"],
                    )
                except ValidationError as error:
                    add_service_errors(move_form, error)
                else:
                    messages.success(request, _("The application deadline was moved."))
                    return redirect("appraisal:deadline.manage")
        return self.render(move_form, extension_form, status=400)

    def render(self, move_form, extension_form, status=200):
        campaign = self.get_campaign()
        return render(
            self.request,
            self.template_name,
            {
                "campaign": campaign,
                "move_form": move_form,
                "extension_form": extension_form,
                **selectors.deadline_records(campaign),
            },
            status=status,
        )


urlpatterns = [
    path("deadline/", DeadlineManageView.as_view(), name="deadline.manage"),
]
