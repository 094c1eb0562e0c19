"""Forms and list filters for research topics and “献一计” suggestions."""

from __future__ import annotations

import django_filters
from crispy_forms.bootstrap import InlineCheckboxes, InlineRadios
from crispy_forms.layout import Fieldset
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from learning.enums import ResearchStatus, SuggestionStatus
from learning.models import ResearchTopic, Suggestion

from .library import DATE_WIDGET, SearchFilterSet, form_helper, legend


def _field(model, name, **kwargs):
    return model._meta.get_field(name).formfield(**kwargs)


class MemberChoiceMixin:
    def label_from_instance(self, member):
        return member.name


class MemberChoiceField(MemberChoiceMixin, forms.ModelChoiceField):
    pass


# The largest id a database integer column holds; a posted id beyond it is no choice at all.
MAX_DB_ID = 2**63 - 1


class MemberMultipleChoiceField(MemberChoiceMixin, forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        # Django's ``pk__in`` query would overflow on such an id (a 500 on SQLite).
        for pk in value:
            text = str(pk)
            if not text.isdigit() or int(text) > MAX_DB_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text},
                )
        return super()._check_values(value)


class OrganizationChoiceForm(forms.Form):
    """Step one of a new topic for a secretary of several organizations."""

    organization = forms.ModelChoiceField(
        label=_("Party organization"), queryset=None, empty_label=None
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.helper = form_helper()


class TopicForm(forms.Form):
    title = _field(ResearchTopic, "title")
    problem = _field(
        ResearchTopic,
        "problem",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The real problem of the enterprise the topic works on."),
    )
    lead = MemberChoiceField(
        label=_("Lead"), queryset=None, required=False, empty_label=_("— not yet chosen —")
    )
    participants = MemberMultipleChoiceField(
        label=_("Participants"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=ResearchStatus.choices, widget=forms.RadioSelect
    )
    started_on = forms.DateField(label=_("Started on"), required=False, widget=DATE_WIDGET)
    concluded_on = forms.DateField(
        label=_("Concluded on"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Required when the topic is concluded."),
    )
    outcome = _field(
        ResearchTopic,
        "outcome",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when the topic is concluded."),
    )
    outcome_application = _field(
        ResearchTopic,
        "outcome_application",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How the outcome was applied to the enterprise's work (学习成果应用)."),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = members
        self.fields["participants"].queryset = members
        self.helper = form_helper(
            Fieldset(legend(_("The topic")), "title", "problem"),
            Fieldset(legend(_("People")), "lead", InlineCheckboxes("participants")),
            Fieldset(
                legend(_("Progress and outcome")),
                InlineRadios("status"),
                "started_on",
                "concluded_on",
                "outcome",
                "outcome_application",
            ),
        )


class SuggestionForm(forms.Form):
    title = _field(Suggestion, "title")
    content = _field(
        Suggestion,
        "content",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What the problem is, what you suggest, and what it would bring."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class SuggestionDecideForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (SuggestionStatus.ADOPTED.value, SuggestionStatus.ADOPTED.label),
            (SuggestionStatus.NOT_ADOPTED.value, SuggestionStatus.NOT_ADOPTED.label),
        ],
        widget=forms.RadioSelect,
    )
    benefit = forms.CharField(
        label=_("Benefit"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when adopted: the benefit it brought or is expected to bring."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(InlineRadios("status"), "benefit")


# ---------------------------------------------------------------- list filters


class TopicFilter(SearchFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Title or problem"), "type": "search"}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ResearchStatus.choices, empty_label=_("All statuses")
    )
    organization = django_filters.ModelChoiceFilter(
        label=_("Party organization"),
        queryset=None,
        empty_label=_("All organizations"),
        method="filter_organization",
    )
    year = django_filters.ChoiceFilter(
        label=_("Year"), field_name="campaign__year", empty_label=_("All years")
    )

    class Meta:
        model = ResearchTopic
        fields = []

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = [(str(year), str(year)) for year in years]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(problem__icontains=value))


class SuggestionFilter(SearchFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(
            attrs={"placeholder": _("Title, content or name"), "type": "search"}
        ),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=SuggestionStatus.choices, empty_label=_("All statuses")
    )
    organization = django_filters.ModelChoiceFilter(
        label=_("Party organization"),
        queryset=None,
        empty_label=_("All organizations"),
        method="filter_organization",
    )

    class Meta:
        model = Suggestion
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(content__icontains=value)
            | Q(member__user__full_name__icontains=value)
        )
