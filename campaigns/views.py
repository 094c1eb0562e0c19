from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.views import View
from django.views.generic import TemplateView

from . import selectors, services


class HomeView(LoginRequiredMixin, TemplateView):
    """Each role's home page: the figures that matter to them this campaign year."""

    def get_template_names(self):
        return [f"campaigns/home/{self.role}.html"]

    def get_context_data(self, **kwargs):
        role, figures = selectors.home_context(self.request.user)
        self.role = role.value
        return {**super().get_context_data(**kwargs), "role": self.role, **figures}


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; a user told to change their password is then let off."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_changed(user=form.user)
        return response


class OrganizationLookupView(LoginRequiredMixin, View):
    """Organizations matching ``?q=`` (name or code) among those the user may see, as JSON:
    what the organization search box of a list's filters offers."""

    def get(self, request):
        organizations = selectors.organization_lookup(request.user, request.GET.get("q", ""))
        results = [
            {"id": organization.pk, "label": f"{organization.name}（{organization.code}）"}
            for organization in organizations
        ]
        return JsonResponse({"results": results})
