"""Forms of the annual assessment pages (年度党建目标管理考核).

The forms shape input only; appraisal.services.annual checks the adjustment's
bounds and who may make it, and saves the weights (recomputing the totals).
"""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from campaigns.enums import OrganizationKind
from learning.forms.library import SearchFilterSet, form_helper

from ..models import AnnualAssessment, AssessmentWeights
from ..selectors.annual import ITEMS

# The list's sortable columns: query-string key → model field (or annotation).
SORT_FIELDS = {
    "organization": "organization__path",
    "kind": "organization__kind",
    "plan": "implementation_plan_filed",
    "annual_plan": "annual_plan_on_time",
    "quarterly": "quarterly_plans_on_time",
    "activities": "activity_count",
    "meetings": "three_meetings_count",
    "hours": "average_study_hours",
    "five_ones": "five_ones_rate",
    "self": "self_assessment_score",
    "review": "review_score",
    "outcome": "application_outcome",
    "computed": "computed_total",
    "adjustment": "adjustment",
    "total": "total",
}


class AssessmentOrderingFilter(django_filters.OrderingFilter):
    """Sorts by one column, empty figures last either way, then in tree order (stable pages)."""

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        field = F(self.param_map[param.lstrip("-")])
        return field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "organization__path", "pk")
        return qs


class AnnualAssessmentFilter(SearchFilterSet):
    campaign = django_filters.ChoiceFilter(
        label=_("Campaign year"), method="filter_campaign", empty_label=None
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of organization"),
        field_name="organization__kind",
        choices=OrganizationKind.choices,
        empty_label=_("All kinds"),
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(
            attrs={"placeholder": _("Organization name or code"), "type": "search"}
        ),
    )
    order = AssessmentOrderingFilter(
        label=_("Sort by"),
        fields=tuple((field, key) for key, field in SORT_FIELDS.items()),
    )

    class Meta:
        model = AnnualAssessment
        fields = []

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["campaign"].extra["choices"] = [(str(y), str(y)) for y in years]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(organization__name__icontains=value) | Q(organization__code__icontains=value)
        )

    def filter_campaign(self, queryset, name, value):
        # The view picks the campaign (and its assessments) before filtering.
        return queryset

    @property
    def active(self) -> bool:
        return any(self.data.get(name) for name in ("kind", "q"))

    @property
    def sort_order(self) -> str:
        """The sort column as given (``total``, ``-total``), or "" for tree order."""
        if self.is_bound and self.form.is_valid():
            value = self.form.cleaned_data.get("order") or []
            return value[0] if value else ""
        return ""


class AdjustmentForm(forms.Form):
    """The department's adjustment beside the computed total, with its reason."""

    adjustment = forms.DecimalField(
        label=_("Adjustment (points)"),
        max_digits=6,
        decimal_places=2,
        help_text=_(
            "Added to the computed total: a negative number takes points off. "
            "0 removes the adjustment."
        ),
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    adjustment_reason = forms.CharField(
        label=_("Reason for the adjustment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required whenever the adjustment is not 0; kept with the assessment."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


NEGATIVE_WEIGHT = _("A weight cannot be negative.")
TARGET_TOO_SMALL = _("The target must be at least 1.")


def _weight_field(name: str) -> forms.DecimalField:
    model_field = AssessmentWeights._meta.get_field(name)
    return forms.DecimalField(
        label=model_field.verbose_name.capitalize(),
        max_digits=model_field.max_digits,
        decimal_places=model_field.decimal_places,
        min_value=0,
        error_messages={"min_value": NEGATIVE_WEIGHT},
        widget=forms.NumberInput(
            attrs={"step": "0.5", "min": "0", "inputmode": "decimal", "data-weight": name}
        ),
    )


class WeightsForm(forms.Form):
    """The eight items' full points and the two targets of one campaign."""

    activity_target = forms.IntegerField(
        label=_("Activities for full points"),
        min_value=1,
        max_value=1000,
        error_messages={"min_value": TARGET_TOO_SMALL},
        help_text=AssessmentWeights._meta.get_field("activity_target").help_text,
        widget=forms.NumberInput(attrs={"min": "1", "inputmode": "numeric"}),
    )
    study_hours_target = forms.DecimalField(
        label=_("Study hours for full points"),
        max_digits=6,
        decimal_places=1,
        min_value=1,
        error_messages={"min_value": TARGET_TOO_SMALL},
        help_text=AssessmentWeights._meta.get_field("study_hours_target").help_text,
        widget=forms.NumberInput(attrs={"min": "1", "step": "0.5", "inputmode": "decimal"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        targets = dict(self.fields)
        self.fields = {name: _weight_field(name) for name in AssessmentWeights.WEIGHT_FIELDS}
        for name, label in ITEMS:
            self.fields[name].label = label
        self.fields.update(targets)
        self.helper = form_helper()

    @classmethod
    def initial_from(cls, weights: AssessmentWeights) -> dict:
        names = (*AssessmentWeights.WEIGHT_FIELDS, "activity_target", "study_hours_target")
        return {name: getattr(weights, name) for name in names}

    def weight_fields(self):
        return [self[name] for name in AssessmentWeights.WEIGHT_FIELDS]

    def target_fields(self):
        return [self["activity_target"], self["study_hours_target"]]

    def clean(self):
        data = super().clean()
        weights = [data.get(name) for name in AssessmentWeights.WEIGHT_FIELDS]
        if all(weight is not None for weight in weights) and sum(weights, Decimal(0)) <= 0:
            raise forms.ValidationError(
                _("At least one item must be worth points: the full points add up to 0.")
            )
        return data
