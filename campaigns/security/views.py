"""The department's account-security page: current lock-outs with an unlock button each,
and a forced password change at the next login."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.generic import View

from campaigns.rules import Role
from learning.views.mixins import RoleRequiredMixin

from . import selectors, services
from .forms import PasswordChangeRequireForm, UnlockForm, UserSearchForm

TEMPLATE = "campaigns/security/overview.html"


class DepartmentOnlyMixin(RoleRequiredMixin):
    roles = (Role.DEPARTMENT,)


def render_overview(request, *, status=200, unlock_form=None, require_form=None):
    search = UserSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    accounts, addresses = selectors.current_lockouts()
    return render(
        request,
        TEMPLATE,
        {
            "accounts": accounts,
            "addresses": addresses,
            "search_form": search,
            "query": query,
            "found": list(selectors.users_matching(query)),
            "search_limit": selectors.SEARCH_LIMIT,
            "unlock_form": unlock_form,
            "require_form": require_form,
        },
        status=status,
    )


class SecurityOverviewView(DepartmentOnlyMixin, View):
    def get(self, request, *args, **kwargs):
        return render_overview(request)


class LockoutResetView(DepartmentOnlyMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = UnlockForm(request.POST)
        if not form.is_valid():
            return render_overview(request, status=400, unlock_form=form)
        username, ip = form.cleaned_data["username"], form.cleaned_data["ip"]
        try:
            count = services.lockout_reset(actor=request.user, username=username, ip=ip)
        except ValidationError as error:
            form.add_error(None, error)
            return render_overview(request, status=400, unlock_form=form)
        if not count:
            messages.info(request, _("Nothing to unlock: the lock-out had already ended."))
        elif username:
            messages.success(request, _("Account “%(name)s” unlocked.") % {"name": username})
        else:
            messages.success(request, _("Address %(ip)s unlocked.") % {"ip": ip})
        return redirect("security.overview")


class PasswordChangeRequireView(DepartmentOnlyMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = PasswordChangeRequireForm(request.POST)
        if not form.is_valid():
            return render_overview(request, status=400, require_form=form)
        user = form.cleaned_data["user"]
        services.password_change_require(actor=request.user, user=user)
        messages.success(
            request,
            _("%(name)s (%(login)s) must change their password at the next login.")
            % {"name": user.get_full_name(), "login": user.username},
        )
        return redirect("security.overview")


urlpatterns = [
    path("accounts/security/", SecurityOverviewView.as_view(), name="security.overview"),
    path("accounts/security/unlock/", LockoutResetView.as_view(), name="security.unlock"),
    path(
        "accounts/security/password-change/",
        PasswordChangeRequireView.as_view(),
        name="security.password_change_require",
    ),
]
