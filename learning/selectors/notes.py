"""Reads for notes, reflections and exchanges; all of them go through campaigns.rules."""

from __future__ import annotations

import html
import re

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from campaigns import rules
from campaigns.models import Organization
from learning.enums import NoteKind
from learning.models import Book, NoteComment, StudyNote
from learning.richtext import plain_text

BLOCK_END = re.compile(r"<(?:br|hr|/p|/li|/h3|/h4|/blockquote)\b[^>]*>", re.IGNORECASE)
PREVIEW_LENGTH = 80


def note_preview(body: str, length: int = PREVIEW_LENGTH) -> str:
    """The first words of a note as plain text (to be escaped by the template)."""
    text = html.unescape(plain_text(BLOCK_END.sub(" ", body or "")))
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _with_list_columns(notes: QuerySet) -> QuerySet:
    return notes.select_related("book").annotate(comment_count=Count("comments"))


def own_notes(user) -> QuerySet:
    """The signed-in member's own notes, newest first, with their comment counts."""
    scope = rules.scope_for(user)
    if scope.member is None:
        return StudyNote.objects.none()
    notes = rules.visible(user, StudyNote).filter(member=scope.member)
    return _with_list_columns(notes).order_by("-written_on", "-pk")


def excellent_reflections(user) -> QuerySet:
    """Reflections marked excellent in the user's own organization (本组织优秀心得)."""
    scope = rules.scope_for(user)
    if scope.organization_id is None:
        return StudyNote.objects.none()
    return (
        rules.visible(user, StudyNote)
        .filter(organization_id=scope.organization_id, kind=NoteKind.REFLECTION, is_excellent=True)
        .select_related("member__user", "book")
        .order_by("-written_on", "-pk")
    )


def reviewable_notes(user) -> QuerySet:
    """Notes a secretary evaluates (评学): their organizations' members', never their own."""
    scope = rules.scope_for(user)
    if not scope.is_secretary:
        return StudyNote.objects.none()
    return (
        rules.visible(user, StudyNote)
        .filter(organization__path__startswith=scope.managed_path)
        .exclude(member=scope.member)
    )


def review_list(user, campaign) -> QuerySet:
    notes = reviewable_notes(user).filter(campaign=campaign)
    return (
        _with_list_columns(notes)
        .select_related("member__user", "organization")
        .order_by("-written_on", "-pk")
    )


def can_review_note(user, note: StudyNote) -> bool:
    """May ``user`` comment on ``note`` and mark it excellent?

    A secretary evaluates the notes of members of their organization and those
    below it, but not their own (the secretary above them does).
    """
    scope = rules.scope_for(user)
    if not scope.is_secretary or note.member_id == scope.member.pk:
        return False
    return note.organization.path.startswith(scope.managed_path)


def note_for_page(user, pk) -> StudyNote:
    """One note the user may read (404 otherwise), with what its page shows."""
    notes = StudyNote.objects.select_related(
        "member__user", "organization", "book", "campaign", "marked_excellent_by"
    )
    return rules.get_visible_or_404(user, notes, pk=pk)


def own_note_or_404(user, pk) -> StudyNote:
    """The user's own note (another member's, even an excellent one, is a 404)."""
    scope = rules.scope_for(user)
    if scope.member is None:
        raise Http404
    notes = StudyNote.objects.filter(member=scope.member).select_related(
        "campaign", "book", "organization"
    )
    return rules.get_visible_or_404(user, notes, pk=pk)


def reviewable_note_or_404(user, pk) -> StudyNote:
    notes = reviewable_notes(user).select_related("organization", "member__user")
    return rules.get_visible_or_404(user, notes, pk=pk)


def comments_on(note: StudyNote) -> list[NoteComment]:
    return list(note.comments.select_related("author").order_by("created_at", "pk"))


def may_see_comments(user, note: StudyNote) -> bool:
    """The author and those who evaluate the note read its comments; other members do not."""
    scope = rules.scope_for(user)
    if scope.is_department:
        return True
    if scope.member is not None and scope.member.pk == note.member_id:
        return True
    return can_review_note(user, note)


def books_for_note(user, organization_id: int, current_book_id: int | None = None) -> QuerySet:
    """The books a note may name: its organization's collection (and the one it names)."""
    visible_ids = rules.visible(user, Book).filter(organization_id=organization_id).values("pk")
    condition = Q(pk__in=visible_ids)
    if current_book_id is not None:
        condition |= Q(pk=current_book_id)
    return Book.objects.filter(condition).order_by("title", "pk")


def review_organizations(user) -> QuerySet:
    """The organizations a secretary can filter the 评学 list by: theirs and those below."""
    scope = rules.scope_for(user)
    if not scope.is_secretary:
        return Organization.objects.none()
    return (
        rules.visible(user, Organization)
        .filter(path__startswith=scope.managed_path, is_active=True)
        .order_by("path")
    )
