"""Writes for members' notes, reflections and exchanges, and the secretary's 评学.

Every body goes through ``learning.richtext.clean_html`` here, whoever calls,
so the field can be shown back with ``|safe``.
"""

from __future__ import annotations

import datetime
import html
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Member
from campaigns.selectors import today
from learning.enums import NoteKind
from learning.models import Book, NoteComment, StudyNote
from learning.richtext import clean_html, plain_text

from ..selectors.notes import can_review_note

TAG = re.compile(r"</?[a-zA-Z][^>]*>")
BLANK_LINES = re.compile(r"\n\s*\n")
DIV_OPEN = re.compile(r"<div\b[^>]*>", re.IGNORECASE)
DIV_CLOSE = re.compile(r"</div\s*>", re.IGNORECASE)
EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|<br>)*</p>")
COMMENT_MAX_LENGTH = 2000


def prepare_body(raw: str) -> str:
    """Formatted text ready to store: plain text becomes paragraphs, then it is cleaned.

    Without JavaScript the browser sends what was typed in the bare textarea:
    no tags, so blank lines separate paragraphs and single newlines are line
    breaks. Anything with tags came from the editor (or was typed as HTML) and
    is only cleaned.
    """
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if text and not TAG.search(text):
        paragraphs = [part.strip() for part in BLANK_LINES.split(text) if part.strip()]
        text = "".join(
            "<p>{}</p>".format(html.escape(part).replace("\n", "<br>")) for part in paragraphs
        )
    # Some mobile engines' editors separate lines with <div>: keep them as paragraphs.
    text = DIV_CLOSE.sub("</p>", DIV_OPEN.sub("<p>", text))
    return EMPTY_PARAGRAPH.sub("", clean_html(text)).strip()


def body_is_empty(body: str) -> bool:
    return not plain_text(body).strip()


def written_on_bounds(campaign: Campaign) -> tuple[datetime.date, datetime.date]:
    """The dates a note of ``campaign`` may carry: its calendar year, up to today."""
    first = datetime.date(campaign.year, 1, 1)
    last = min(datetime.date(campaign.year, 12, 31), today())
    return first, last


def written_on_error(campaign: Campaign, day: datetime.date) -> str | None:
    """Why ``day`` cannot date a note of ``campaign`` (None when it can)."""
    if day > today():
        return _("The date cannot be in the future.")
    first, last = written_on_bounds(campaign)
    if not first <= day <= last:
        return _("The date must fall within the campaign year %(year)s.") % {"year": campaign.year}
    return None


def _check(*, note: StudyNote) -> None:
    errors = {}
    if body_is_empty(note.body):
        errors["body"] = _(
            "Please write the text. Scripts and unsupported formatting are removed, "
            "and nothing was left."
        )
    if note.written_on:
        problem = written_on_error(note.campaign, note.written_on)
        if problem:
            errors["written_on"] = problem
    if note.book_id is not None and note.book.organization_id != note.organization_id:
        errors["book"] = _("Choose a book from your organization's book collection.")
    if note.is_excellent and note.kind != NoteKind.REFLECTION:
        errors["kind"] = _("An excellent reflection must stay a reflection.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def note_create(
    *,
    member: Member,
    campaign: Campaign,
    kind: str,
    title: str,
    written_on: datetime.date,
    body: str,
    book: Book | None = None,
) -> StudyNote:
    """A member writes a note, reflection or exchange in ``campaign``."""
    note = StudyNote(
        campaign=campaign,
        member=member,
        organization_id=member.organization_id,
        kind=kind,
        title=(title or "").strip(),
        written_on=written_on,
        body=prepare_body(body),
        book=book,
    )
    _check(note=note)
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def note_update(
    *,
    note: StudyNote,
    kind: str,
    title: str,
    written_on: datetime.date,
    body: str,
    book: Book | None = None,
) -> StudyNote:
    """The author changes their note. An excellent reflection keeps its kind."""
    note.kind = kind
    note.title = (title or "").strip()
    note.written_on = written_on
    note.body = prepare_body(body)
    note.book = book
    _check(note=note)
    note.full_clean()
    note.save(update_fields=["kind", "title", "written_on", "body", "book", "updated_at"])
    return note


def note_deletion_blocker(note: StudyNote, *, comment_count: int | None = None) -> str | None:
    """Why the author may not delete ``note`` (None when they may).

    An excellent reflection is shown to the whole organization and a note the
    secretary has commented on is part of the 评学 record the Organization
    Department can check; deleting either would silently erase that record.
    """
    if note.is_excellent:
        return _(
            "This reflection was marked excellent and is shown to your organization, "
            "so it cannot be deleted. Ask your secretary to remove the mark first."
        )
    if comment_count is None:
        comment_count = note.comments.count()
    if comment_count:
        return _(
            "Your secretary has commented on this note, so it is part of the study "
            "evaluation record and cannot be deleted. You can still edit it."
        )
    return None


@transaction.atomic
def note_delete(*, note: StudyNote) -> None:
    """The author deletes their own note, unless it is excellent, commented on or cited."""
    note = StudyNote.objects.select_for_update().get(pk=note.pk)
    blocker = note_deletion_blocker(note)
    if blocker:
        raise ValidationError(blocker)
    try:
        note.delete()
    except (ProtectedError, RestrictedError):
        raise ValidationError(
            _("This note is cited as evidence in a self-assessment and cannot be deleted.")
        ) from None


@transaction.atomic
def note_comment_add(*, note: StudyNote, author, body: str) -> NoteComment:
    """A secretary comments on a note of a member in their organizations (评学)."""
    if not can_review_note(author, note):
        raise ValidationError(_("You can only comment on notes of members you supervise."))
    comment = NoteComment(note=note, author=author, body=(body or "").strip())
    if not comment.body:
        raise ValidationError({"body": _("Please write a comment.")})
    if len(comment.body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("A comment can be at most %(max)s characters long.")
                % {"max": COMMENT_MAX_LENGTH}
            }
        )
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def note_mark_excellent(*, note: StudyNote, by, excellent: bool) -> StudyNote:
    """Mark (or unmark) a reflection excellent (优秀心得); only reflections qualify."""
    if not can_review_note(by, note):
        raise ValidationError(_("You can only evaluate notes of members you supervise."))
    note = StudyNote.objects.select_for_update().get(pk=note.pk)
    if note.kind != NoteKind.REFLECTION:
        raise ValidationError(_("Only study reflections can be marked excellent."))
    if note.is_excellent == excellent:
        return note  # a double submit changes nothing
    note.is_excellent = excellent
    note.marked_excellent_by = by if excellent else None
    note.save(update_fields=["is_excellent", "marked_excellent_by", "updated_at"])
    return note
