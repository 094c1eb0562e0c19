"""Forms for the application pages and the department's deadline page.

They only shape input; appraisal.services.applications and campaigns.services
check every rule.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import Organization
from learning.forms.library import SearchFilterSet, form_helper

from ..enums import ApplicationKind, ApplicationState
from ..models import Application

TEXTAREA = forms.Textarea(attrs={"rows": 10})
# The browser's datetime-local input only takes (and shows) the ISO form with a "T".
DATETIME_WIDGET = forms.DateTimeInput(
    attrs={"type": "datetime-local", "step": 1}, format="%Y-%m-%dT%H:%M:%S"
)
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, member):
        return f"{member.name}（{member.organization.name}）"


class ApplicationTextForm(forms.Form):
    main_deeds = forms.CharField(
        label=_("Main deeds"),
        required=False,
        widget=TEXTAREA,
        max_length=20000,
        help_text=_(
            "What the nominee did to study and to apply what was learned, with facts and figures."
        ),
    )
    organization_opinion = forms.CharField(
        label=_("Opinion of the Party organization"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class ApplicationCreateForm(ApplicationTextForm):
    kind = forms.ChoiceField(
        label=_("Application for"),
        choices=ApplicationKind.choices,
        widget=forms.RadioSelect,
        initial=ApplicationKind.ORGANIZATION_MODEL,
    )
    organization = forms.ModelChoiceField(
        label=_("Party organization"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("For a model learning-oriented Party organization."),
    )
    member = MemberChoiceField(
        label=_("Party member"),
        queryset=None,
        required=False,
        empty_label=_("— choose a member —"),
        help_text=_("For a model learning-oriented Party member."),
    )
    field_order = ["kind", "organization", "member", "main_deeds", "organization_opinion"]

    def __init__(self, *args, organizations, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["organization"].empty_label = None
        self.fields["member"].queryset = members
        self.order_fields(self.field_order)


class TransitionForm(forms.Form):
    transition = forms.CharField(max_length=40)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class ApplicationFilter(SearchFilterSet):
    year = django_filters.ChoiceFilter(
        label=_("Year"), field_name="campaign__year", empty_label=_("All years")
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=ApplicationState.choices, empty_label=_("All states")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=ApplicationKind.choices, empty_label=_("All kinds")
    )
    organization = django_filters.ModelChoiceFilter(
        label=_("Party organization"),
        queryset=Organization.objects.none(),
        method="filter_organization",
        empty_label=_("All organizations"),
    )

    class Meta:
        model = Application
        fields = []

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = [(year, str(year)) for year in years]


class DeadlineMoveForm(forms.Form):
    new_deadline = forms.DateTimeField(
        label=_("New deadline (Beijing time)"),
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class ExtensionForm(forms.Form):
    organization = forms.CharField(
        label=_("Party organization"),
        max_length=200,
        help_text=_("Its organization code, or its full name."),
    )
    deadline = forms.DateTimeField(
        label=_("Extended deadline (Beijing time)"),
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()

    def clean_organization(self):
        text = self.cleaned_data["organization"].strip()
        found = list(
            Organization.objects.filter(code=text)[:1]
            or Organization.objects.filter(name=text, is_active=True)[:2]
        )
        if not found:
            raise forms.ValidationError(_("No Party organization has this code or name."))
        if len(found) > 1:
            raise forms.ValidationError(
                _("Several organizations have this name; enter the organization code instead.")
            )
        return found[0]
