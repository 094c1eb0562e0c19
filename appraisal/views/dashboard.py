"""The dashboard of the current campaign (工作看板) and the organization list behind its figures.

The department sees the district; a secretary sees their organization and
everything below it; members and everyone else get 403.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.urls import path
from django.views.generic import TemplateView

from campaigns.rules import Role
from campaigns.selectors import current_campaign
from learning.views.mixins import RoleRequiredMixin

from ..forms.dashboard import DashboardListForm
from ..selectors import dashboard as selectors

DASHBOARD_ROLES = (Role.DEPARTMENT, Role.SECRETARY)
PAGE_SIZE = 50


class DashboardMixin(RoleRequiredMixin):
    roles = DASHBOARD_ROLES

    def get_context_data(self, **kwargs):
        self.campaign = current_campaign()
        return super().get_context_data(
            campaign=self.campaign,
            is_department=self.scope.is_department,
            **kwargs,
        )


class DashboardView(DashboardMixin, TemplateView):
    template_name = "appraisal/dashboard/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.campaign is not None:
            context["board"] = selectors.dashboard(self.request.user, self.campaign)
        return context


class DashboardOrganizationsView(DashboardMixin, TemplateView):
    """Every organization of the dashboard with its figures, filtered by ``status``
    parameters (``implementation_plan=missing``, ``at_risk=1`` …), 50 a page."""

    template_name = "appraisal/dashboard/organizations.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = self.request.GET.copy()
        # The table's order when none is chosen, shown as chosen in the form.
        default_sort = (
            selectors.AT_RISK_SORT if data.get("at_risk") == "1" else selectors.DEFAULT_SORT
        )
        data.setdefault("sort", default_sort)
        form = DashboardListForm(data)
        options = form.options()
        rows = []
        if self.campaign is not None:
            rows = selectors.organization_rows(self.request.user, self.campaign, **options)
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            form=form,
            filtered=form.active,
            page_obj=page,
            paginator=page.paginator,
            rows=page.object_list,
            show_reasons=options.get("at_risk") or options.get("sort") == selectors.AT_RISK_SORT,
            statuses=selectors.STATUS_FILTERS,
            scope_organization=selectors.dashboard_scope(self.request.user),
        )
        return context


urlpatterns = [
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
    path(
        "dashboard/organizations/",
        DashboardOrganizationsView.as_view(),
        name="dashboard.organizations",
    ),
]
