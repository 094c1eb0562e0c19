"""Request-wide rules that no single view should have to remember."""

from __future__ import annotations

import time
from contextvars import ContextVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from .network import client_ip

# The request being served, for records written deep inside services and signals
# (the audit trail's who and from where). Unset outside a request (commands, jobs).
current_request: ContextVar = ContextVar("current_request", default=None)

# Where a user who must change their password may still go.
PASSWORD_CHANGE_EXEMPT = {"password_change", "password_change_done", "logout", "set_language"}


class RequestContextMiddleware:
    """Keeps the current request and its client address where services can read them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_ip = client_ip(request)
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class PasswordChangeRequiredMiddleware:
    """Sends a user told to change their password (must_change_password) to that page first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            if name not in PASSWORD_CHANGE_EXEMPT and not request.path_info.startswith(
                ("/static/", "/i18n/")
            ):
                return redirect("password_change")
        return self.get_response(request)


# The session's last request, in seconds since the epoch. Written at most once a
# minute, so a page's requests do not each cost a session UPDATE.
LAST_SEEN = "_last_seen"
LAST_SEEN_REFRESH = 60


@receiver(user_logged_in)
def _seen_at_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())


class IdleSessionMiddleware:
    """Ends a signed-in session after ``SESSION_IDLE_SECONDS`` without a request.

    The stored session outlives the limit (SESSION_COOKIE_AGE is longer), so it is
    this check that ends it, exactly, and tells the user why.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after 30 minutes without activity. Sign in again."),
                )
                return redirect_to_login(request.get_full_path())
            if last_seen is None or now - last_seen >= LAST_SEEN_REFRESH:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
