"""The book collection (学习型党组织书库) and members' close-reading records (精读一本好书).

Also home to the few view helpers the research pages share: service errors
beside the form's fields, filtered and paginated lists that never fail on a
bad page number or filter value, and object pages reached through
campaigns.rules.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView, ListView, TemplateView

from campaigns import rules
from campaigns.rules import Role
from campaigns.selectors import current_campaign, today
from campaigns.widgets import organization_lookups, plain_selects
from learning.forms.library import (
    CATEGORY_LIST_ID,
    BookFilter,
    BookForm,
    ReadingRecordEditForm,
    ReadingRecordFilter,
    ReadingRecordForm,
)
from learning.models import Book, ReadingRecord
from learning.selectors import library as selectors
from learning.services import library as services

from .mixins import CampaignMixin, RoleRequiredMixin, VisibleObjectMixin

PAGE_SIZE = 25
EVERYONE = (Role.DEPARTMENT, Role.SECRETARY, Role.MEMBER)
MEMBERS = (Role.SECRETARY, Role.MEMBER)  # a secretary is a Party member too


# ---------------------------------------------------------------- shared helpers


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError beside the fields it names (else above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class FilteredListView(ListView):
    """A list with a django-filter FilterSet and 25 rows a page.

    Filter values that do not validate are ignored (the form shows why), and
    any page number lands on a real page, so no query string can fail the page.
    """

    filterset_class = None
    paginate_by = PAGE_SIZE

    def get_base_queryset(self):
        raise NotImplementedError

    def get_filterset_kwargs(self) -> dict:
        return {}

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET or None,
            queryset=self.get_base_queryset(),
            **self.get_filterset_kwargs(),
        )
        return self.filterset.qs

    def paginate_queryset(self, queryset, page_size):
        paginator = Paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        # Filters offer every visible organization: thousands for the department.
        plain_selects(self.filterset.form)
        organization_lookups(self.filterset.form, self.request.user)
        return super().get_context_data(filterset=self.filterset, **kwargs)


class ObjectMixin(VisibleObjectMixin):
    """``self.object`` fetched through campaigns.rules before the view runs."""

    model = None

    def get_queryset(self):
        return self.model._default_manager.all()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = super().get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        return self.object

    def get_context_data(self, **kwargs):
        kwargs.setdefault("object", self.object)
        return super().get_context_data(**kwargs)


class ServiceFormView(FormView):
    """A form whose ``perform(form)`` calls a service; its ValidationErrors go beside the fields."""

    success_message = ""

    def perform(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.object = self.perform(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())


class ServiceDeleteView(ObjectMixin, TemplateView):
    """Confirm, then ``perform()``; a refusal comes back as a message on the object's page."""

    manage = True
    success_message = ""

    def perform(self):
        raise NotImplementedError

    def get_refused_url(self):
        raise NotImplementedError

    def get_success_url(self):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            self.perform()
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(self.get_refused_url())
        messages.success(request, self.success_message)
        return redirect(self.get_success_url())


# ---------------------------------------------------------------- books


class BookListView(RoleRequiredMixin, FilteredListView):
    roles = EVERYONE
    template_name = "learning/book/list.html"
    filterset_class = BookFilter

    def get_base_queryset(self):
        return selectors.book_list(self.request.user)

    def get_filterset_kwargs(self):
        return {
            "categories": selectors.book_categories(self.request.user),
            "organizations": selectors.filter_organizations(self.request.user),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_add=self.scope.is_secretary,
            can_record=self.scope.member is not None,
            show_organization="organization" in self.filterset.filters,
            **kwargs,
        )


class BookDetailView(ObjectMixin, DetailView):
    model = Book
    template_name = "learning/book/detail.html"

    def get_queryset(self):
        return selectors.book_list(self.request.user)

    def get_context_data(self, **kwargs):
        user = self.request.user
        scope = rules.scope_for(user)
        member = scope.member
        return super().get_context_data(
            readers=selectors.book_readers(user, self.object),
            can_manage=rules.can_manage(user, self.object),
            can_record=member is not None and member.organization_id == self.object.organization_id,
            sees_all_readers=scope.is_secretary or scope.is_department,
            **kwargs,
        )


class BookFormMixin:
    form_class = BookForm

    def get_context_data(self, **kwargs):
        organization = getattr(getattr(self, "object", None), "organization", None)
        if organization is None:
            organization = rules.scope_for(self.request.user).member.organization
        return super().get_context_data(
            categories=selectors.category_suggestions(organization),
            category_list_id=CATEGORY_LIST_ID,
            **kwargs,
        )

    def get_success_url(self):
        return reverse("learning:book.detail", args=[self.object.pk])


class BookCreateView(RoleRequiredMixin, BookFormMixin, ServiceFormView):
    roles = (Role.SECRETARY,)
    template_name = "learning/book/create.html"
    success_message = _("The book was added to the collection.")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "organizations": selectors.managed_organizations(self.request.user),
        }

    def get_initial(self):
        return {"organization": self.scope.organization_id, "copies": 1}

    def perform(self, form):
        return services.book_create(user=self.request.user, **form.cleaned_data)


class BookEditView(ObjectMixin, BookFormMixin, ServiceFormView):
    model = Book
    manage = True

    def get_queryset(self):
        return Book.objects.select_related("organization")

    template_name = "learning/book/edit.html"
    success_message = _("The book's entry was saved.")

    def get_initial(self):
        book = self.object
        return {
            "title": book.title,
            "author": book.author,
            "isbn": book.isbn,
            "category": book.category,
            "publisher": book.publisher,
            "copies": book.copies,
        }

    def perform(self, form):
        return services.book_update(user=self.request.user, book=self.object, **form.cleaned_data)


class BookDeleteView(ServiceDeleteView):
    model = Book

    def get_queryset(self):
        return Book.objects.select_related("organization")

    template_name = "learning/book/delete.html"
    success_message = _("The book was removed from the collection.")

    def perform(self):
        services.book_delete(user=self.request.user, book=self.object)

    def get_refused_url(self):
        return reverse("learning:book.detail", args=[self.object.pk])

    def get_success_url(self):
        return reverse("learning:book.list")


# ---------------------------------------------------------------- close-reading records


class ReadingListView(RoleRequiredMixin, FilteredListView):
    roles = MEMBERS
    template_name = "learning/reading/list.html"
    filterset_class = ReadingRecordFilter

    def get_base_queryset(self):
        return selectors.reading_records_of(self.request.user)

    def get_filterset_kwargs(self):
        return {"years": selectors.reading_years(self.request.user)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(campaign=current_campaign(), **kwargs)


class ReadingCreateView(RoleRequiredMixin, CampaignMixin, ServiceFormView):
    roles = MEMBERS
    form_class = ReadingRecordForm
    template_name = "learning/reading/create.html"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "books": selectors.collection_for_member(self.request.user),
        }

    def get_initial(self):
        initial = {}
        book = self.request.GET.get("book", "")
        if book.isdigit():
            initial["book"] = int(book)
        day = today()
        if day.year == self.get_campaign().year:
            initial["finished_on"] = day
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(campaign=self.get_campaign(), **kwargs)

    def perform(self, form):
        record = services.reading_record_create(
            user=self.request.user, campaign=self.get_campaign(), **form.cleaned_data
        )
        self.success_message = _("Recorded. “Read one good book closely” is done for %(year)s.") % {
            "year": record.campaign.year
        }
        return record

    def get_success_url(self):
        return reverse("learning:reading.list")


class ReadingEditView(ObjectMixin, ServiceFormView):
    model = ReadingRecord
    manage = True
    form_class = ReadingRecordEditForm
    template_name = "learning/reading/edit.html"
    success_message = _("Your close-reading record was saved.")

    def get_queryset(self):
        return ReadingRecord.objects.select_related("book", "campaign", "member")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "books": selectors.collection_for_member(
                self.request.user, keep_book_id=self.object.book_id
            ),
        }

    def get_initial(self):
        record = self.object
        return {
            "book": record.book_id,
            "finished_on": record.finished_on,
            "summary": record.summary,
        }

    def perform(self, form):
        return services.reading_record_update(
            user=self.request.user, record=self.object, **form.cleaned_data
        )

    def get_success_url(self):
        return reverse("learning:reading.list")


class ReadingDeleteView(ServiceDeleteView):
    model = ReadingRecord
    template_name = "learning/reading/delete.html"
    success_message = _("Your close-reading record was deleted.")

    def get_queryset(self):
        return ReadingRecord.objects.select_related("book", "campaign")

    def perform(self):
        services.reading_record_delete(user=self.request.user, record=self.object)

    def get_refused_url(self):
        return reverse("learning:reading.list")

    get_success_url = get_refused_url


urlpatterns = [
    path("books/", BookListView.as_view(), name="book.list"),
    path("books/new/", BookCreateView.as_view(), name="book.create"),
    path("books/<int:pk>/", BookDetailView.as_view(), name="book.detail"),
    path("books/<int:pk>/edit/", BookEditView.as_view(), name="book.edit"),
    path("books/<int:pk>/delete/", BookDeleteView.as_view(), name="book.delete"),
    path("reading/", ReadingListView.as_view(), name="reading.list"),
    path("reading/new/", ReadingCreateView.as_view(), name="reading.create"),
    path("reading/<int:pk>/edit/", ReadingEditView.as_view(), name="reading.edit"),
    path("reading/<int:pk>/delete/", ReadingDeleteView.as_view(), name="reading.delete"),
]
