"""The upload form: the workbook and the initial password for the users it creates."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)
from django.utils.translation import gettext_lazy as _


class DistrictImportForm(forms.Form):
    workbook = forms.FileField(
        label=_("Workbook (.xlsx)"),
        help_text=_(
            "The filled-in template: sheets “党组织” and “党员”, at most 50,000 rows each, "
            "at most 20 MB."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    initial_password = forms.CharField(
        label=_("Initial password for new users"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Every login the import creates gets this password and must change it at the first "
            "login. Existing users keep their own password."
        ),
    )
    initial_password_again = forms.CharField(
        label=_("Initial password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.fields["initial_password_again"].help_text = password_validators_help_text_html()

    def clean_initial_password(self):
        password = self.cleaned_data["initial_password"]
        validate_password(password)
        return password

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("initial_password"), cleaned.get("initial_password_again")
        if first and second and first != second:
            self.add_error("initial_password_again", _("The two passwords differ."))
        return cleaned
