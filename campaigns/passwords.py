"""Password rules beyond Django's own (等保2.0: complexity)."""

from __future__ import annotations

import string

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CLASSES = (
    ("lower", str.islower),
    ("upper", str.isupper),
    ("digit", str.isdigit),
    ("symbol", lambda c: c in string.punctuation or (not c.isalnum() and not c.isspace())),
)


class CharacterClassesValidator:
    """At least ``min_classes`` of: lower-case letters, capitals, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        used = sum(any(test(c) for c in password) for _name, test in CLASSES)
        if used < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return ngettext(
            "Your password must mix at least %(n)d kind of character: lower-case letters, "
            "capital letters, digits and symbols.",
            "Your password must mix at least %(n)d kinds of characters: lower-case letters, "
            "capital letters, digits and symbols.",
            self.min_classes,
        ) % {"n": self.min_classes}


class NotUsernameValidator:
    """The password may not contain the login name, forwards or backwards."""

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").casefold()
        folded = password.casefold()
        if len(username) >= 3 and (username in folded or username[::-1] in folded):
            raise ValidationError(self.get_help_text(), code="password_contains_username")

    def get_help_text(self):
        return _("Your password cannot contain your login name.")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with its message in the portal's own catalogue.

    Django 5.2 reworded the message and its own Chinese catalogue has no
    translation of the new wording yet, so users would read English.
    """

    def get_error_message(self):
        return (
            ngettext(
                "This password is too short. It must contain at least %d character.",
                "This password is too short. It must contain at least %d characters.",
                self.min_length,
            )
            % self.min_length
        )
