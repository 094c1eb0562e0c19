"""Forms of the account-security page."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class UserSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Login name or name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "class": "form-control"}
        ),
    )


class UnlockForm(forms.Form):
    """Exactly one of an account's login name or an address."""

    username = forms.CharField(max_length=150, required=False)
    ip = forms.GenericIPAddressField(
        required=False, error_messages={"invalid": _("Enter a valid IP address.")}
    )

    def clean(self):
        data = super().clean()
        username, ip = data.get("username"), data.get("ip")
        if self.errors:
            return data
        if bool(username) == bool(ip):
            raise forms.ValidationError(_("Name either the account or the address to unlock."))
        return data


class PasswordChangeRequireForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True),
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _("No active account has this id."),
            "required": _("Choose an account."),
        },
    )


class LoginForm(AuthenticationForm):
    """Django's login form; after a failure it also says how many attempts are left
    before django-axes locks the account or address."""

    def get_invalid_login_error(self):
        error = super().get_invalid_login_error()
        failures = getattr(self.request, "axes_failures_since_start", None) or 0
        remaining = settings.AXES_FAILURE_LIMIT - failures
        if failures and remaining > 0:
            return forms.ValidationError(
                [
                    error,
                    forms.ValidationError(
                        ngettext(
                            "%(remaining)d attempt left before logins are locked for 15 minutes.",
                            "%(remaining)d attempts left before logins are locked for 15 minutes.",
                            remaining,
                        )
                        % {"remaining": remaining},
                        code="attempts_remaining",
                    ),
                ]
            )
        return error
