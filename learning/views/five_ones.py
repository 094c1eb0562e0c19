"""The “五个一” pages: a member's own five items, and an organization's roll-up."""

from __future__ import annotations

from django.urls import path
from django.views.generic import ListView, TemplateView

from campaigns.rules import Role
from campaigns.selectors import current_campaign, five_ones_from_row

from ..forms.five_ones import RollupForm
from ..selectors import five_ones as selectors
from .mixins import RoleRequiredMixin
from .notes import MEMBER_ROLES, ForgivingPaginationMixin


class MyFiveOnesView(RoleRequiredMixin, TemplateView):
    """我的“五个一”: the five items for this year, each with a link to do it, and study hours."""

    roles = MEMBER_ROLES
    template_name = "learning/five_ones/mine.html"

    def get_context_data(self, **kwargs):
        campaign = current_campaign()
        return {
            **super().get_context_data(**kwargs),
            "campaign": campaign,
            **selectors.my_five_ones(self.request.user, campaign),
        }


class OrganizationFiveOnesView(RoleRequiredMixin, ForgivingPaginationMixin, ListView):
    """An organization's “五个一”: members × five items, completion rates, who is missing what."""

    roles = (Role.SECRETARY,)
    template_name = "learning/five_ones/organization.html"
    context_object_name = "rows"
    paginate_by = 50

    def get_form(self):
        scope = self.scope
        data = self.request.GET.copy()
        data.setdefault("organization", str(scope.organization_id))
        return RollupForm(
            data,
            organizations=selectors.rollup_organizations(self.request.user),
            base_depth=scope.member.organization.depth,
        )

    def get_queryset(self):
        self.campaign = current_campaign()
        self.form = self.get_form()
        if self.form.is_valid():
            options = self.form.cleaned_data
        else:
            # A bad value shows its error beside the field; the table falls back to the defaults.
            options = {"organization": self.scope.member.organization, "include_below": False}
        self.organization = options["organization"]
        self.include_below = options["include_below"]
        members = selectors.organization_members(
            self.request.user, self.organization, include_below=options["include_below"]
        )
        self.figures = selectors.rollup_figures(members, self.campaign)
        return selectors.rollup_rows(
            members,
            self.campaign,
            missing=options.get("missing", ""),
            name=options.get("name", ""),
            sort=options.get("sort", selectors.DEFAULT_SORT),
        )

    def prepare_rows(self, rows):
        for row in rows:
            row.five = five_ones_from_row(row)
        return rows

    def get_context_data(self, **kwargs):
        filtered = bool(
            self.form.is_valid()
            and (self.form.cleaned_data["missing"] or self.form.cleaned_data["name"])
        )
        return {
            **super().get_context_data(**kwargs),
            "campaign": self.campaign,
            "form": self.form,
            "organization": self.organization,
            "include_below": self.include_below,
            "figures": self.figures,
            "filtered": filtered,
            "columns": selectors.five_ones_columns(),
        }


urlpatterns = [
    path("five-ones/", MyFiveOnesView.as_view(), name="five_ones.mine"),
    path(
        "five-ones/organization/",
        OrganizationFiveOnesView.as_view(),
        name="five_ones.organization",
    ),
]
