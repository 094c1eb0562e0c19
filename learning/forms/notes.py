"""Forms and list filters for notes, reflections, exchanges and the secretary's 评学."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns import rules
from learning.enums import NoteKind

from ..selectors.notes import review_organizations
from ..services.notes import (
    COMMENT_MAX_LENGTH,
    body_is_empty,
    prepare_body,
    written_on_bounds,
    written_on_error,
)

EMPTY_BODY = _("Please write the text.")


class NoteForm(forms.Form):
    """What a member writes. The body arrives from the editor (HTML) or the bare textarea."""

    kind = forms.ChoiceField(label=_("kind"), choices=NoteKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    written_on = forms.DateField(
        label=_("written on"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    book = forms.ModelChoiceField(
        label=_("book"),
        queryset=None,
        required=False,
        empty_label=_("(no book)"),
        help_text=_("Optional: the book from your organization's collection this is about."),
    )
    body = forms.CharField(
        label=_("text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "form-control note-editor-source"}),
    )

    def __init__(self, *args, books, campaign, lock_kind=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["book"].queryset = books
        first, last = written_on_bounds(campaign)
        self.fields["written_on"].widget.attrs.update(
            {"min": first.isoformat(), "max": last.isoformat()}
        )
        if lock_kind:
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _(
                "An excellent reflection stays a reflection while it is marked excellent."
            )

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Please give a title."))
        return title

    def clean_written_on(self):
        day = self.cleaned_data["written_on"]
        problem = written_on_error(self.campaign, day)
        if problem:
            raise forms.ValidationError(problem)
        return day

    def clean_body(self):
        body = prepare_body(self.cleaned_data.get("body", ""))
        if body_is_empty(body):
            raise forms.ValidationError(EMPTY_BODY)
        return body


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please write a comment.")},
    )


class MarkExcellentForm(forms.Form):
    excellent = forms.TypedChoiceField(
        choices=(("1", "1"), ("0", "0")), coerce=lambda value: value == "1"
    )


def _search_notes(queryset, _name, value):
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(Q(title__icontains=value) | Q(body__icontains=value))


class OwnNoteFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("kind"), choices=NoteKind.choices, empty_label=_("All kinds")
    )
    q = django_filters.CharFilter(label=_("Search"), method="search")

    search = staticmethod(_search_notes)


class ExcellentNoteFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")

    search = staticmethod(_search_notes)


class OrganizationSelect(forms.Select):
    # Django reads the first choice to decide on ``required``: a second query for nothing.
    def use_required_attribute(self, initial):
        return False


class OrganizationChoiceField(forms.ModelChoiceField):
    """Organizations of a subtree, indented under the top one."""

    widget = OrganizationSelect

    def __init__(self, *args, base_depth=0, **kwargs):
        self.base_depth = base_depth
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return f"{'　' * max(obj.depth - self.base_depth, 0)}{obj.name}"


class OrganizationFilter(django_filters.ModelChoiceFilter):
    field_class = OrganizationChoiceField


class ReviewNoteFilter(django_filters.FilterSet):
    organization = OrganizationFilter(
        label=_("Party organization"),
        queryset=lambda request: review_organizations(request.user),
        method="in_organization",
        empty_label=_("All my organizations"),
    )
    member = django_filters.CharFilter(label=_("Member's name"), method="member_named")
    kind = django_filters.ChoiceFilter(
        label=_("kind"), choices=NoteKind.choices, empty_label=_("All kinds")
    )
    excellent = django_filters.ChoiceFilter(
        label=_("Excellent reflection"),
        choices=(("yes", _("Marked excellent")), ("no", _("Not marked"))),
        empty_label=_("All"),
        method="marked",
    )
    q = django_filters.CharFilter(label=_("Search"), method="search")

    search = staticmethod(_search_notes)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        scope = rules.scope_for(getattr(request, "user", None))
        if scope.member is not None:
            self.filters["organization"].extra["base_depth"] = scope.member.organization.depth

    def in_organization(self, queryset, _name, value):
        return queryset.filter(organization__path__startswith=value.path)

    def member_named(self, queryset, _name, value):
        value = value.strip()
        return queryset.filter(member__user__full_name__icontains=value) if value else queryset

    def marked(self, queryset, _name, value):
        return queryset.filter(is_excellent=(value == "yes"))
