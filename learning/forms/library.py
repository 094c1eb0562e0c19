"""Forms and list filters for the book collection and close-reading records.

The forms only shape input; learning.services.library checks every rule.
"""

from __future__ import annotations

import django_filters
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from learning.models import Book, ReadingRecord

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ISBN_MAX_LENGTH = 30  # room for hyphens, spaces and an "ISBN" prefix before normalising
CATEGORY_LIST_ID = "book-category-list"


def form_helper(*layout) -> FormHelper:
    """crispy-forms helper for a form the template wraps in its own <form> tag."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper


def legend(text) -> str:
    """A fieldset legend in the portal's section-title style (crispy renders it as HTML)."""
    return format_html('<span class="portal-section-title d-block mb-2">{}</span>', text)


def _field(model, name, **kwargs):
    return model._meta.get_field(name).formfield(**kwargs)


class BookForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Party organization"), queryset=None, empty_label=None
    )
    title = _field(Book, "title")
    author = _field(Book, "author")
    isbn = forms.CharField(
        label=_("ISBN"),
        max_length=ISBN_MAX_LENGTH,
        required=False,
        help_text=_("10 or 13 characters; hyphens and spaces are fine."),
        widget=forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off"}),
    )
    category = _field(
        Book,
        "category",
        widget=forms.TextInput(attrs={"list": CATEGORY_LIST_ID, "autocomplete": "off"}),
    )
    publisher = _field(Book, "publisher")
    copies = _field(Book, "copies", min_value=1)

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is None:
            # Editing: a book stays in its organization's collection.
            del self.fields["organization"]
        else:
            self.fields["organization"].queryset = organizations
        self.helper = form_helper()


class ReadingRecordForm(forms.Form):
    """Record the book read closely: pick it from the collection, or add it."""

    book = forms.ModelChoiceField(
        label=_("Book from the collection"),
        queryset=None,
        required=False,
        empty_label=_("— choose a book —"),
    )
    new_book_title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("The book is added to your organization's collection, so others find it too."),
    )
    new_book_author = forms.CharField(label=_("Author"), max_length=200, required=False)
    new_book_isbn = forms.CharField(
        label=_("ISBN (optional)"),
        max_length=ISBN_MAX_LENGTH,
        required=False,
        help_text=_("10 or 13 characters; hyphens and spaces are fine."),
    )
    finished_on = forms.DateField(label=_("Finished on"), widget=DATE_WIDGET)
    summary = _field(
        ReadingRecord,
        "summary",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What you took from the book and how it helps your work."),
    )

    def __init__(self, *args, books, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["book"].queryset = books
        self.helper = form_helper(
            Fieldset(legend(_("Pick a book from your organization's collection")), "book"),
            Fieldset(
                legend(_("…or add a book that is not in the collection yet")),
                "new_book_title",
                "new_book_author",
                "new_book_isbn",
            ),
            Fieldset(legend(_("Your reading")), "finished_on", "summary"),
        )


class ReadingRecordEditForm(forms.Form):
    book = forms.ModelChoiceField(label=_("Book"), queryset=None, empty_label=None)
    finished_on = forms.DateField(label=_("Finished on"), widget=DATE_WIDGET)
    summary = _field(ReadingRecord, "summary", widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, books, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["book"].queryset = books
        self.helper = form_helper()


# ---------------------------------------------------------------- list filters


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet whose invalid values are ignored rather than failing the page."""

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "organization" in self.filters:
            if organizations is None:
                del self.filters["organization"]
            else:
                self.filters["organization"].queryset = organizations

    def filter_organization(self, queryset, name, value):
        """An organization with those below it."""
        if value is None:
            return queryset
        return queryset.filter(organization__path__startswith=value.path)

    @property
    def active(self) -> bool:
        """Whether any filter is set (the page then offers to clear them)."""
        return any(self.data.get(name) for name in self.filters)


class BookFilter(SearchFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Title, author or ISBN"), "type": "search"}),
    )
    category = django_filters.ChoiceFilter(label=_("Category"), empty_label=_("All categories"))
    organization = django_filters.ModelChoiceFilter(
        label=_("Party organization"),
        queryset=None,
        empty_label=_("All organizations"),
        method="filter_organization",
    )
    order = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("Organization and title"),
        fields=(("title", "title"), ("reader_count", "readers")),
        field_labels={"title": _("Title"), "reader_count": _("Readers")},
    )

    class Meta:
        model = Book
        fields = []

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["category"].extra["choices"] = [(c, c) for c in categories]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        q = Q(title__icontains=value) | Q(author__icontains=value)
        digits = "".join(ch for ch in value if ch.isalnum())
        if digits:
            q |= Q(isbn__icontains=digits)
        return queryset.filter(q)


class ReadingRecordFilter(SearchFilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Title or author"), "type": "search"}),
    )
    year = django_filters.ChoiceFilter(
        label=_("Year"), field_name="campaign__year", empty_label=_("All years")
    )

    class Meta:
        model = ReadingRecord
        fields = []

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = [(str(year), str(year)) for year in years]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(book__title__icontains=value) | Q(book__author__icontains=value))
