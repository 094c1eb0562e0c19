"""Small mixins every learning page uses, so access rules stay in campaigns.rules."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404

from campaigns import rules
from campaigns.selectors import current_campaign


class RoleRequiredMixin(LoginRequiredMixin):
    """Only users with one of ``roles`` (campaigns.rules.Role) reach the page; others get 403."""

    roles: tuple[rules.Role, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.roles and rules.scope_for(request.user).role not in self.roles:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def scope(self) -> rules.Scope:
        return rules.scope_for(self.request.user)


class CampaignMixin:
    """The campaign the page works in: the current one (404 while none exists)."""

    def get_campaign(self):
        if not hasattr(self, "_campaign"):
            self._campaign = current_campaign()
        if self._campaign is None:
            raise Http404
        return self._campaign


class VisibleObjectMixin(LoginRequiredMixin):
    """``get_object`` through campaigns.rules: outsiders get 404, never a hint.

    Set ``manage = True`` on views that change the object: a user who may see
    but not change it gets 403.
    """

    manage = False

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        obj = rules.get_visible_or_404(self.request.user, queryset, pk=self.kwargs["pk"])
        if self.manage and not rules.can_manage(self.request.user, obj):
            raise PermissionDenied
        return obj
