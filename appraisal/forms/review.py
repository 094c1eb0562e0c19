"""Forms of the department's review (审核) and of the commendation list (表彰名单).

The forms shape input only; appraisal.services.reviews and
appraisal.services.commendations check every rule.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.templatetags.portal_tags import num
from learning.forms.library import SearchFilterSet, form_helper

from ..enums import AWAITING_REVIEW_STATES, ApplicationKind, ApplicationState, StagedDecision
from ..models import Application
from ..services.reviews import score_field

ALL_STATES = "all"


class ReviewQueueFilter(SearchFilterSet):
    """The review queue's filters. Without a state it shows what awaits review."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(
            attrs={"placeholder": _("Organization, code or member"), "type": "search"}
        ),
    )
    state = django_filters.ChoiceFilter(
        label=_("State"),
        method="filter_state",
        empty_label=_("Awaiting review"),
        choices=[(ALL_STATES, _("All (except drafts)"))]
        + [(s.value, s.label) for s in ApplicationState if s != ApplicationState.DRAFT],
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=ApplicationKind.choices, empty_label=_("Both kinds")
    )
    organization = django_filters.ModelChoiceFilter(
        label=_("Party organization (with those below it)"),
        queryset=None,
        empty_label=_("All organizations"),
        method="filter_organization",
    )
    campaign = django_filters.ChoiceFilter(
        label=_("Campaign year"), method="filter_campaign", empty_label=None
    )

    class Meta:
        model = Application
        fields = []

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["campaign"].extra["choices"] = [(str(y), str(y)) for y in years]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(organization__name__icontains=value)
            | Q(organization__code__iexact=value)
            | Q(member__user__full_name__icontains=value)
        )

    def filter_state(self, queryset, name, value):
        if value == ALL_STATES:
            return queryset
        return queryset.filter(state=value)

    def filter_campaign(self, queryset, name, value):
        # The view picks the campaign (and its applications) before filtering.
        return queryset

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            queryset = super().qs
            if not self.state_chosen:
                queryset = queryset.filter(state__in=AWAITING_REVIEW_STATES)
            self._qs = queryset
        return self._qs

    @property
    def state_chosen(self) -> bool:
        return bool(self.is_bound and self.form.is_valid() and self.form.cleaned_data.get("state"))

    @property
    def active(self) -> bool:
        return any(self.data.get(name) for name in self.filters if name != "campaign")


class ReviewForm(forms.Form):
    """A score (0 … maximum) and a comment per criterion, and an overall comment."""

    comment = forms.CharField(
        label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, criteria, review=None, self_scores=None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        scores = {s.criterion_id: s for s in review.scores.all()} if review else {}
        if review is not None:
            initial.setdefault("comment", review.comment)
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.self_scores = self_scores or {}
        for criterion in self.criteria:
            row = scores.get(criterion.pk)
            self.fields[score_field(criterion.pk)] = forms.DecimalField(
                label=_("Score (out of %(max)s)") % {"max": num(criterion.max_score)},
                required=False,
                max_digits=6,
                decimal_places=2,
                initial=num(row.score) if row else None,
                widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                initial=row.comment if row else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        # The comment field last, below the criteria.
        self.order_fields([f for f in self.fields if f != "comment"] + ["comment"])
        self.helper = form_helper()

    def rows(self):
        """(criterion, score field, comment field, self-assessed score or None) per criterion."""
        return [
            (c, self[score_field(c.pk)], self[f"comment_{c.pk}"], self.self_scores.get(c.pk))
            for c in self.criteria
        ]

    def scores(self) -> dict[int, tuple]:
        data = self.cleaned_data
        return {
            c.pk: (data.get(score_field(c.pk)), data.get(f"comment_{c.pk}", ""))
            for c in self.criteria
        }

    def complete(self) -> bool:
        """Every criterion scored: the review then counts as done."""
        return all(score is not None for score, _comment in self.scores().values())


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What needs to be revised"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please write a comment saying what needs to be revised.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "return")
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class StageForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=StagedDecision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment (recorded in the history when released)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "stage")
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


BULK_STAGE_RECOMMEND = "stage_recommend"
BULK_STAGE_NOT_RECOMMEND = "stage_not_recommend"
BULK_COMMEND = "commend"


MAX_DB_ID = 2**63 - 1  # the largest id a database integer column holds


class BulkForm(forms.Form):
    applications = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={"required": _("Select at least one application.")},
    )
    action = forms.ChoiceField(
        choices=[
            (BULK_STAGE_RECOMMEND, _("Stage “Recommend”")),
            (BULK_STAGE_NOT_RECOMMEND, _("Stage “Do not recommend”")),
            (BULK_COMMEND, _("Commend")),
        ],
        error_messages={"required": _("Choose an action.")},
    )
    comment = forms.CharField(required=False, max_length=2000)
    campaign = forms.IntegerField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the service only touches the campaign's applications.
        raw = self.data.getlist("applications") if hasattr(self.data, "getlist") else []
        # Ids beyond a database integer are left out: the service's query would overflow.
        self.fields["applications"].choices = [
            (v, v) for v in raw if str(v).isdigit() and int(v) <= MAX_DB_ID
        ]


class CommendationOrderForm(forms.Form):
    """The order and the citation of each unpublished entry of the commendation list."""

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = [e for e in entries if e.published_at is None]
        for entry in self.entries:
            self.fields[f"position_{entry.pk}"] = forms.IntegerField(
                label=_("Order"),
                min_value=1,
                initial=entry.position,
                widget=forms.NumberInput(
                    attrs={"class": "form-control form-control-sm", "aria-label": _("Order")}
                ),
            )
            self.fields[f"citation_{entry.pk}"] = forms.CharField(
                label=_("Citation"),
                required=False,
                initial=entry.citation,
                widget=forms.Textarea(
                    attrs={"rows": 2, "class": "form-control", "aria-label": _("Citation")}
                ),
            )

    def rows(self):
        return [(e, self[f"position_{e.pk}"], self[f"citation_{e.pk}"]) for e in self.entries]

    def changes(self) -> dict[int, tuple[int, str]]:
        data = self.cleaned_data
        return {e.pk: (data[f"position_{e.pk}"], data[f"citation_{e.pk}"]) for e in self.entries}
