"""The study activity form and the activity list's filters."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from campaigns import rules
from campaigns.models import Organization
from campaigns.templatetags.portal_tags import cn_date
from learning import uploads
from learning.enums import THREE_MEETINGS_ONE_LECTURE, ActivityForm
from learning.models import StudyActivity
from learning.services.activities import held_on_problems

# The select groups the notice's forms of study apart from the meetings of
# “三会一课” and the life meetings (组织生活会, 民主生活会).
MEETING_FORMS = (
    ActivityForm.BRANCH_GENERAL_MEETING,
    ActivityForm.BRANCH_COMMITTEE_MEETING,
    ActivityForm.PARTY_GROUP_MEETING,
    ActivityForm.PARTY_LECTURE,
    ActivityForm.ORGANIZATIONAL_LIFE_MEETING,
    ActivityForm.DEMOCRATIC_LIFE_MEETING,
)
STUDY_FORMS = tuple(form for form in ActivityForm if form not in MEETING_FORMS)
assert set(MEETING_FORMS) >= THREE_MEETINGS_ONE_LECTURE

FORM_CHOICES = [
    (_("Forms of study"), [(form.value, form.label) for form in STUDY_FORMS]),
    (
        _("“Three meetings and one lecture” and organizational life"),
        [(form.value, form.label) for form in MEETING_FORMS],
    ),
]

MAX_HOURS = Decimal(24)


def _label(name: str):
    return capfirst(StudyActivity._meta.get_field(name).verbose_name)


def _max_length(name: str) -> int:
    return StudyActivity._meta.get_field(name).max_length


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": uploads.ACCEPT_ATTRIBUTE}))
        # Empty files reach learning.uploads, whose message names the file.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_clean = super().clean
        if isinstance(data, list | tuple):
            return [single_clean(item, initial) for item in data if item]
        return [single_clean(data, initial)] if data else []


class PlanItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, item):
        parts = [item.plan.title, item.topic]
        if item.scheduled_on:
            parts.append(cn_date(item.scheduled_on))
        return " · ".join(parts)


class StudyActivityForm(forms.Form):
    """What a secretary fills in for one activity of ``campaign``.

    ``attendee_choices``: (member id, name, is secretary) of the members to
    list (see ``selectors.activities.attendee_choices``); the template renders
    them as one checkbox list. ``plan_items``: the items the activity may fulfil.
    """

    form = forms.ChoiceField(label=_label("form"), choices=[("", "---------"), *FORM_CHOICES])
    held_on = forms.DateField(label=_label("held_on"), widget=DateInput())
    hours = forms.DecimalField(
        label=_label("hours"),
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"min": "0.1", "max": "24", "step": "0.1"}),
        help_text=_("Every attendee is credited with these study hours."),
    )
    topic = forms.CharField(label=_label("topic"), max_length=_max_length("topic"))
    place = forms.CharField(label=_label("place"), max_length=_max_length("place"), required=False)
    speaker = forms.CharField(
        label=_label("speaker"), max_length=_max_length("speaker"), required=False
    )
    plan_item = PlanItemChoiceField(
        label=_label("plan_item"),
        queryset=None,
        required=False,
        empty_label=_("— Not part of a study plan —"),
        help_text=_("The scheduled item of this organization's study plans that this fulfils."),
    )
    minutes = forms.CharField(
        label=_label("minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text: who spoke, what was studied or decided."),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_(
            "PDF, Word, Excel, JPEG or PNG, at most 20 MB each; you may choose several. "
            "If the form shows an error, choose the files again."
        ),
    )
    attendees = forms.TypedMultipleChoiceField(
        label=_label("attendees"),
        coerce=int,
        error_messages={
            "required": _("Tick at least one attendee."),
            "invalid_choice": _("Only members of this Party organization can attend."),
        },
    )

    def __init__(self, *args, campaign, attendee_choices, plan_items, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.attendee_rows = attendee_choices
        self.fields["attendees"].choices = [(pk, name) for pk, name, _sec in attendee_choices]
        self.fields["plan_item"].queryset = plan_items
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "topic",
            Row(
                Column("form", css_class="col-md-5"),
                Column("held_on", css_class="col-6 col-md-4"),
                Column("hours", css_class="col-6 col-md-3"),
            ),
            Row(Column("speaker", css_class="col-md-6"), Column("place", css_class="col-md-6")),
            "plan_item",
            "minutes",
            "attachments",
        )

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        problems = held_on_problems(self.campaign, held_on)
        if problems:
            raise ValidationError(problems)
        return held_on

    def clean_hours(self):
        hours = self.cleaned_data["hours"]
        if not (0 < hours <= MAX_HOURS):
            raise ValidationError(_("Hours must be more than 0 and at most 24."))
        return hours

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        problems = []
        for uploaded in files:
            try:
                uploads.validate_upload(uploaded)
            except ValidationError as error:
                problems.extend(
                    _("%(name)s: %(problem)s") % {"name": uploaded.name, "problem": message}
                    for message in error.messages
                )
        if problems:
            raise ValidationError(problems)
        return files

    def attendee_options(self) -> list[tuple[int, str, bool, bool]]:
        """(id, name, is secretary, ticked) for each listed member."""
        if self.is_bound:
            ticked = set(self.data.getlist(self.add_prefix("attendees")))
            return [
                (pk, name, secretary, str(pk) in ticked)
                for pk, name, secretary in self.attendee_rows
            ]
        ticked = self.initial.get("attendees")
        return [
            (pk, name, secretary, ticked is None or pk in ticked)
            for pk, name, secretary in self.attendee_rows
        ]

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "form": data["form"],
            "held_on": data["held_on"],
            "hours": data["hours"],
            "topic": data["topic"],
            "place": data["place"],
            "speaker": data["speaker"],
            "minutes": data["minutes"],
            "plan_item": data["plan_item"],
            "attendee_ids": data["attendees"],
            "files": data["attachments"],
        }


class AttachmentForm(forms.Form):
    attachments = MultipleFileField(label=_("Attachments"))


# ---------------------------------------------------------------- list filters


class ActivityFilter(django_filters.FilterSet):
    """Filters of the activity list; the organization filter includes those below it."""

    q = django_filters.CharFilter(
        label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"})
    )
    organization = django_filters.ModelChoiceFilter(
        label=_("Party organization"),
        queryset=Organization.objects.none(),
        method="in_subtree",
        empty_label=_("All organizations"),
    )
    form = django_filters.ChoiceFilter(
        label=_label("form"), choices=FORM_CHOICES, empty_label=_("All forms")
    )
    three_meetings = django_filters.BooleanFilter(
        label=_("“Three meetings and one lecture” only"),
        method="only_three_meetings",
        widget=forms.CheckboxInput,
    )
    start = django_filters.DateFilter(
        label=_("From"), field_name="held_on", lookup_expr="gte", widget=DateInput()
    )
    end = django_filters.DateFilter(
        label=_("To"), field_name="held_on", lookup_expr="lte", widget=DateInput()
    )

    class Meta:
        model = StudyActivity
        fields = []

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = organizations
        if queryset is None:
            queryset = rules.visible(self.request.user, Organization).filter(is_active=True)
        self.filters["organization"].queryset = queryset
        self.form.fields["organization"].queryset = queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(topic__icontains=value) | Q(speaker__icontains=value))

    def in_subtree(self, queryset, name, organization):
        if organization is None:
            return queryset
        return queryset.filter(organization__path__startswith=organization.path)

    def only_three_meetings(self, queryset, name, value):
        return queryset.filter(form__in=THREE_MEETINGS_ONE_LECTURE) if value else queryset
