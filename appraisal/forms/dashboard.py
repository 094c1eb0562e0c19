"""The filters of the dashboard's organization list.

A plain form rather than a django-filter FilterSet: the list filters on
figures computed in Python (``appraisal.selectors.annual``), not on model
fields a queryset could filter. Like the FilterSets of the other lists, a
value it does not know shows an error beside its field and is ignored.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.enums import OrganizationKind

from ..selectors.dashboard import (
    FIVE_ONES_BANDS,
    NO_MEMBERS_BAND,
    STATUS_FILTERS,
)

SORT_CHOICES = [
    ("five_ones", _("“Five ones” rate, lowest first")),
    ("-five_ones", _("“Five ones” rate, highest first")),
    ("risk", _("Most at risk first")),
    ("tree", _("Organization tree")),
]
ALL = [("", _("All"))]


class DashboardListForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name or organization code")}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[*ALL, *OrganizationKind.choices]
    )
    at_risk = forms.ChoiceField(
        label=_("At risk"),
        required=False,
        choices=[*ALL, ("1", _("Nothing submitted"))],
    )
    five_ones = forms.ChoiceField(
        label=_("“Five ones” rate"),
        required=False,
        choices=[*ALL, *((band.key, band.label) for band in (*FIVE_ONES_BANDS, NO_MEMBERS_BAND))],
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for status in STATUS_FILTERS:
            self.fields[status.name] = forms.ChoiceField(
                label=status.label, required=False, choices=[*ALL, *status.choices]
            )
        self.order_fields(
            ["q", "kind", *(status.name for status in STATUS_FILTERS), "at_risk", "five_ones"]
        )

    def options(self) -> dict:
        """The valid filters as ``organization_rows`` keywords; invalid ones are left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q", ""),
            "kind": data.get("kind", ""),
            "at_risk": data.get("at_risk") == "1",
            "band": data.get("five_ones", ""),
            "sort": data.get("sort", ""),
            "statuses": {
                status.name: data[status.name] for status in STATUS_FILTERS if data.get(status.name)
            },
        }

    def described(self) -> list[tuple[str, str]]:
        """The valid filters that are set, as (field label, chosen label) for the heading."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        shown = []
        for name, field in self.fields.items():
            value = data.get(name)
            if not value or name == "sort":
                continue
            if isinstance(field, forms.ChoiceField):
                value = dict(field.choices).get(value, value)
            shown.append((field.label, value))
        return shown

    @property
    def active(self) -> bool:
        return any(self.data.get(name) for name in self.fields if name != "sort")
