"""Members' study notes, reflections and exchanges, and the secretary's 评学."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, ListView, TemplateView, View

from campaigns.rules import Role
from campaigns.selectors import today
from learning.enums import NoteKind

from ..forms.notes import (
    CommentForm,
    ExcellentNoteFilter,
    MarkExcellentForm,
    NoteForm,
    OwnNoteFilter,
    ReviewNoteFilter,
)
from ..selectors import notes as selectors
from ..services import notes as services
from .mixins import CampaignMixin, RoleRequiredMixin

MEMBER_ROLES = (Role.MEMBER, Role.SECRETARY)


def add_service_errors(form, error: ValidationError) -> None:
    """A service's errors beside the form's fields (or above the form for any other field)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ForgivingPaginationMixin:
    """A page number that is not a number, or past the end, shows the nearest page, not a 404."""

    paginate_by = 25

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        page.object_list = self.prepare_rows(list(page.object_list))
        return paginator, page, page.object_list, page.has_other_pages()

    def prepare_rows(self, rows):
        return rows


class NoteRowsMixin:
    def prepare_rows(self, rows):
        for note in rows:
            note.preview = selectors.note_preview(note.body)
        return rows


class FilteredListView(ForgivingPaginationMixin, ListView):
    """A list narrowed by a FilterSet; an invalid filter shows nothing rather than an error."""

    filterset_class = None

    def get_base_queryset(self):
        raise NotImplementedError

    def get_filterset_kwargs(self):
        return {"data": self.request.GET or None, "queryset": self.get_base_queryset()}

    def get_queryset(self):
        self.filterset = self.filterset_class(**self.get_filterset_kwargs())
        if self.filterset.is_bound and not self.filterset.is_valid():
            return self.filterset.queryset.none()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["filtered"] = any(
            value for key, value in self.request.GET.items() if key != self.page_kwarg
        )
        return context


# ---------------------------------------------------------------- the member's own notes


class NoteListView(RoleRequiredMixin, NoteRowsMixin, FilteredListView):
    roles = MEMBER_ROLES
    template_name = "learning/note/list.html"
    filterset_class = OwnNoteFilter
    context_object_name = "notes"

    def get_base_queryset(self):
        return selectors.own_notes(self.request.user)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "kinds": NoteKind}


class NoteFormMixin:
    """Shared by writing and editing: the form, its books and its date bounds."""

    form_class = NoteForm

    def get_note_campaign(self):
        raise NotImplementedError

    def get_note_organization_id(self):
        raise NotImplementedError

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        current_book_id = getattr(getattr(self, "note", None), "book_id", None)
        kwargs["books"] = selectors.books_for_note(
            self.request.user, self.get_note_organization_id(), current_book_id
        )
        kwargs["campaign"] = self.get_note_campaign()
        return kwargs

    def save(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            note = self.save(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(reverse("learning:note.detail", args=[note.pk]))


class NoteCreateView(RoleRequiredMixin, CampaignMixin, NoteFormMixin, FormView):
    roles = MEMBER_ROLES
    template_name = "learning/note/create.html"
    success_message = _("Saved.")

    def get_note_campaign(self):
        return self.get_campaign()

    def get_note_organization_id(self):
        return self.scope.organization_id

    def requested_kind(self):
        kind = self.request.GET.get("kind")
        return kind if kind in NoteKind.values else NoteKind.NOTE

    def get_initial(self):
        first, last = services.written_on_bounds(self.get_campaign())
        day = min(max(today(), first), last)
        return {"kind": self.requested_kind(), "written_on": day}

    def get_context_data(self, **kwargs):
        kind = self.request.POST.get("kind") or self.requested_kind()
        if kind not in NoteKind.values:
            kind = NoteKind.NOTE
        return {
            **super().get_context_data(**kwargs),
            "campaign": self.get_campaign(),
            "kind": NoteKind(kind),
        }

    def save(self, form):
        data = form.cleaned_data
        return services.note_create(
            member=self.scope.member,
            campaign=self.get_campaign(),
            kind=data["kind"],
            title=data["title"],
            written_on=data["written_on"],
            body=data["body"],
            book=data["book"],
        )


class NoteEditView(RoleRequiredMixin, NoteFormMixin, FormView):
    roles = MEMBER_ROLES
    template_name = "learning/note/edit.html"
    success_message = _("Your changes were saved.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.note = selectors.own_note_or_404(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_note_campaign(self):
        return self.note.campaign

    def get_note_organization_id(self):
        return self.note.organization_id

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "lock_kind": self.note.is_excellent}

    def get_initial(self):
        note = self.note
        return {
            "kind": note.kind,
            "title": note.title,
            "written_on": note.written_on,
            "book": note.book_id,
            "body": note.body,
        }

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "note": self.note}

    def save(self, form):
        data = form.cleaned_data
        return services.note_update(
            note=self.note,
            kind=data["kind"],
            title=data["title"],
            written_on=data["written_on"],
            body=data["body"],
            book=data["book"],
        )


class NoteDeleteView(RoleRequiredMixin, TemplateView):
    """Confirm, then delete the member's own note (some cannot be deleted; the page says why)."""

    roles = MEMBER_ROLES
    template_name = "learning/note/delete.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.note = selectors.own_note_or_404(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "note": self.note,
            "blocker": services.note_deletion_blocker(self.note),
        }

    def post(self, request, *args, **kwargs):
        try:
            services.note_delete(note=self.note)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("learning:note.detail", pk=self.note.pk)
        messages.success(request, _("The note was deleted."))
        return redirect("learning:note.list")


# ---------------------------------------------------------------- reading one note


class NoteDetailView(RoleRequiredMixin, TemplateView):
    """One note, for its author, the secretaries who evaluate it and (if excellent) colleagues."""

    template_name = "learning/note/detail.html"

    def get_context_data(self, comment_form=None, **kwargs):
        user = self.request.user
        note = selectors.note_for_page(user, self.kwargs["pk"])
        is_owner = self.scope.member is not None and note.member_id == self.scope.member.pk
        can_review = selectors.can_review_note(user, note)
        show_comments = selectors.may_see_comments(user, note)
        comments = selectors.comments_on(note) if show_comments else []
        context = {
            **super().get_context_data(**kwargs),
            "note": note,
            "is_owner": is_owner,
            "can_review": can_review,
            "show_comments": show_comments,
            "comments": comments,
        }
        if is_owner:
            context["blocker"] = services.note_deletion_blocker(note, comment_count=len(comments))
        if can_review:
            context["comment_form"] = comment_form or CommentForm()
        return context


class NoteCommentView(RoleRequiredMixin, View):
    """A secretary's comment on a note (评学); POST only."""

    roles = (Role.SECRETARY,)
    http_method_names = ["post"]

    def post(self, request, pk):
        note = selectors.reviewable_note_or_404(request.user, pk)
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                services.note_comment_add(
                    note=note, author=request.user, body=form.cleaned_data["body"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
        if not form.is_valid():
            view = NoteDetailView()
            view.setup(request, pk=pk)
            return view.render_to_response(view.get_context_data(comment_form=form))
        messages.success(request, _("Your comment was added."))
        return HttpResponseRedirect(reverse("learning:note.detail", args=[pk]) + "#comments")


class NoteMarkExcellentView(RoleRequiredMixin, View):
    """Mark a reflection excellent (优秀心得), or take the mark away; POST only."""

    roles = (Role.SECRETARY,)
    http_method_names = ["post"]

    def post(self, request, pk):
        note = selectors.reviewable_note_or_404(request.user, pk)
        form = MarkExcellentForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose whether the reflection is excellent."))
            return redirect("learning:note.detail", pk=pk)
        excellent = form.cleaned_data["excellent"]
        try:
            services.note_mark_excellent(note=note, by=request.user, excellent=excellent)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("learning:note.detail", pk=pk)
        if excellent:
            messages.success(
                request, _("Marked excellent: the whole organization can now read it.")
            )
        else:
            messages.success(request, _("The excellent mark was removed."))
        return redirect("learning:note.detail", pk=pk)


# ---------------------------------------------------------------- lists others read


class ExcellentListView(RoleRequiredMixin, NoteRowsMixin, FilteredListView):
    """本组织优秀心得: reflections the secretary marked excellent, for the whole organization."""

    roles = MEMBER_ROLES
    template_name = "learning/note/excellent.html"
    filterset_class = ExcellentNoteFilter
    context_object_name = "notes"

    def get_base_queryset(self):
        return selectors.excellent_reflections(self.request.user)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "organization": self.scope.member.organization,
        }


class ReviewListView(RoleRequiredMixin, CampaignMixin, NoteRowsMixin, FilteredListView):
    """评学: the notes of the members in the secretary's organizations this campaign year."""

    roles = (Role.SECRETARY,)
    template_name = "learning/note/review_list.html"
    filterset_class = ReviewNoteFilter
    context_object_name = "notes"

    def get_base_queryset(self):
        return selectors.review_list(self.request.user, self.get_campaign())

    def get_filterset_kwargs(self):
        return {**super().get_filterset_kwargs(), "request": self.request}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "campaign": self.get_campaign()}


urlpatterns = [
    path("notes/", NoteListView.as_view(), name="note.list"),
    path("notes/new/", NoteCreateView.as_view(), name="note.create"),
    path("notes/excellent/", ExcellentListView.as_view(), name="note.excellent"),
    path("notes/review/", ReviewListView.as_view(), name="note.review_list"),
    path("notes/<int:pk>/", NoteDetailView.as_view(), name="note.detail"),
    path("notes/<int:pk>/edit/", NoteEditView.as_view(), name="note.edit"),
    path("notes/<int:pk>/delete/", NoteDeleteView.as_view(), name="note.delete"),
    path("notes/<int:pk>/comment/", NoteCommentView.as_view(), name="note.comment"),
    path("notes/<int:pk>/excellent/", NoteMarkExcellentView.as_view(), name="note.mark_excellent"),
]
