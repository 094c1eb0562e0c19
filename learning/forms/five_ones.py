"""The filter of an organization's “五个一” roll-up.

A plain form rather than a FilterSet: the organization it picks is not a
filter of the rows but the base the completion figures are computed on; the
other fields (who is missing what, name, sort) narrow the table below them.
"""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from campaigns.selectors import FIVE_ONES

from ..selectors.five_ones import DEFAULT_SORT, MISSING_ANY
from .notes import OrganizationChoiceField

MISSING_CHOICES = [
    ("", _("All members")),
    (MISSING_ANY, _("Not all five done")),
    *[(key, format_lazy(_("Missing: {item}"), item=label)) for key, label in FIVE_ONES],
]
SORT_CHOICES = [
    ("name", _("Name")),
    ("-hours", _("Study hours, most first")),
    ("hours", _("Study hours, fewest first")),
]


class RollupForm(forms.Form):
    organization = OrganizationChoiceField(
        label=_("Party organization"), queryset=None, empty_label=None
    )
    include_below = forms.BooleanField(label=_("Include organizations below"), required=False)
    missing = forms.ChoiceField(
        label=_("Who is missing what"), choices=MISSING_CHOICES, required=False
    )
    name = forms.CharField(label=_("Member's name"), max_length=50, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args, organizations, base_depth=0, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = organizations
        field.base_depth = base_depth

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_sort(self):
        return self.cleaned_data["sort"] or DEFAULT_SORT
