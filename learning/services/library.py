"""Writes for the book collection (学习型党组织书库) and close-reading records (精读一本好书).

Every rule lives here: views only turn the ValidationError / PermissionDenied
raised below into messages beside the form's fields.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from campaigns import rules
from campaigns.models import Campaign, Organization
from campaigns.selectors import today
from learning.models import Book, ReadingRecord

# ---------------------------------------------------------------- ISBN

_ISBN_NOISE = re.compile(r"[\s\-‐‑‒–—－]+")  # spaces and every kind of hyphen, full-width too
_ISBN_PREFIX = re.compile(r"^ISBN(?:-1[03])?:?", re.IGNORECASE)


def _isbn10_ok(isbn: str) -> bool:
    if not re.fullmatch(r"\d{9}[\dX]", isbn):
        return False
    total = sum((10 - i) * (10 if ch == "X" else int(ch)) for i, ch in enumerate(isbn))
    return total % 11 == 0


def _isbn13_ok(isbn: str) -> bool:
    if not re.fullmatch(r"97[89]\d{10}", isbn):
        return False
    total = sum(int(ch) * (1 if i % 2 == 0 else 3) for i, ch in enumerate(isbn))
    return total % 10 == 0


def normalize_isbn(value: str | None) -> str:
    """The ISBN without hyphens or spaces ("" when blank); ValidationError when invalid.

    Accepts ISBN-10 (check digit may be X) and ISBN-13 (978/979), with or
    without an "ISBN" prefix, and checks the check digit.
    """
    text = _ISBN_NOISE.sub("", (value or "").strip())
    text = _ISBN_PREFIX.sub("", text).upper()
    if not text:
        return ""
    if len(text) == 10 and _isbn10_ok(text):
        return text
    if len(text) == 13 and _isbn13_ok(text):
        return text
    raise ValidationError(
        _(
            "This is not a valid ISBN. Enter the 10 or 13 characters printed on the back "
            "of the book (hyphens and spaces may be left in); check the last digit."
        ),
        code="invalid_isbn",
    )


def isbn_variants(isbn: str) -> list[str]:
    """The ISBN and its other form (ISBN-10 ↔ 978-ISBN-13), so a book is found either way."""
    if len(isbn) == 10:
        core = "978" + isbn[:9]
        check = (10 - sum(int(ch) * (1 if i % 2 == 0 else 3) for i, ch in enumerate(core))) % 10
        return [isbn, f"{core}{check}"]
    if len(isbn) == 13 and isbn.startswith("978"):
        core = isbn[3:12]
        check = (11 - sum((10 - i) * int(ch) for i, ch in enumerate(core)) % 11) % 11
        return [isbn, core + ("X" if check == 10 else str(check))]
    return [isbn] if isbn else []


# ---------------------------------------------------------------- helpers


def _save(obj, *, integrity_error: dict) -> None:
    """Save in a savepoint; a lost race on a unique constraint becomes a friendly error."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise ValidationError(integrity_error) from None


def _duplicate_message():
    return _(
        "This book is already in the organization's collection. Pick it from the collection "
        "instead of adding it again."
    )


def _check_book(book: Book) -> None:
    """Normalise and check a book before saving: title, ISBN, copies, duplicates."""
    errors: dict[str, list] = {}
    book.title = (book.title or "").strip()
    book.author = (book.author or "").strip()
    book.category = (book.category or "").strip()
    book.publisher = (book.publisher or "").strip()
    if not book.title:
        errors["title"] = [_("Enter the book's title.")]
    try:
        book.isbn = normalize_isbn(book.isbn)
    except ValidationError as error:
        errors["isbn"] = error.messages
    if book.copies is None or book.copies < 1:
        errors["copies"] = [_("A book in the collection has at least one copy.")]
    if errors:
        raise ValidationError(errors)
    others = Book.objects.filter(organization_id=book.organization_id)
    if book.pk:
        others = others.exclude(pk=book.pk)
    if book.isbn:
        if others.filter(isbn__in=isbn_variants(book.isbn)).exists():
            raise ValidationError(
                {"isbn": _("A book with this ISBN is already in the organization's collection.")}
            )
    elif others.filter(title__iexact=book.title, author__iexact=book.author, isbn="").exists():
        raise ValidationError({"title": _duplicate_message()})
    # Checks field lengths and the remaining model rules (unique ISBN handled above).
    book.full_clean(validate_constraints=False)


def _require_book_manager(user, book: Book) -> None:
    if not rules.can_manage(user, book):
        raise PermissionDenied(_("Only the secretary of this organization may change its books."))


# ---------------------------------------------------------------- books


def book_create(
    *,
    user,
    organization: Organization,
    title: str,
    author: str = "",
    isbn: str = "",
    category: str = "",
    publisher: str = "",
    copies: int = 1,
) -> Book:
    """Add a book to ``organization``'s collection (secretaries of that organization or above)."""
    book = Book(
        organization=organization,
        title=title,
        author=author,
        isbn=isbn,
        category=category,
        publisher=publisher,
        copies=copies,
    )
    _require_book_manager(user, book)
    with transaction.atomic():
        _check_book(book)
        _save(book, integrity_error={"isbn": _duplicate_message()})
    return book


def book_update(
    *,
    user,
    book: Book,
    title: str,
    author: str = "",
    isbn: str = "",
    category: str = "",
    publisher: str = "",
    copies: int = 1,
) -> Book:
    """Change a book's catalogue entry (its organization stays)."""
    _require_book_manager(user, book)
    book.title, book.author, book.isbn = title, author, isbn
    book.category, book.publisher, book.copies = category, publisher, copies
    with transaction.atomic():
        _check_book(book)
        _save(book, integrity_error={"isbn": _duplicate_message()})
    return book


def book_delete(*, user, book: Book) -> None:
    """Remove a book no one has recorded or written notes about (PROTECT otherwise)."""
    _require_book_manager(user, book)
    with transaction.atomic():
        if book.reading_records.exists() or book.notes.exists():
            raise ValidationError(
                _(
                    "This book cannot be deleted: members have recorded reading it or written "
                    "study notes about it. Edit its entry instead."
                ),
                code="protected",
            )
        book.delete()


# ---------------------------------------------------------------- reading records


def _member_of(user):
    member = rules.scope_for(user).member
    if member is None:
        raise PermissionDenied(_("Only Party members record the books they read."))
    return member


def _check_finished_on(finished_on: datetime.date | None, campaign: Campaign) -> None:
    if finished_on is None:
        raise ValidationError({"finished_on": _("Enter the date you finished the book.")})
    if finished_on > today():
        raise ValidationError({"finished_on": _("The date you finished cannot be in the future.")})
    if finished_on.year != campaign.year:
        raise ValidationError(
            {
                "finished_on": _("Record a book you finished in %(year)s, the campaign year.")
                % {"year": campaign.year}
            }
        )


def _check_record(record: ReadingRecord, *, book_changed: bool = True) -> None:
    member = record.member
    # A member who moved keeps their old records; a newly picked book comes from
    # their present organization's collection.
    if book_changed and record.book.organization_id != member.organization_id:
        raise ValidationError({"book": _("Pick a book from your organization's collection.")})
    _check_finished_on(record.finished_on, record.campaign)
    record.summary = (record.summary or "").strip()
    duplicates = ReadingRecord.objects.filter(
        campaign=record.campaign, member=member, book=record.book
    )
    if record.pk:
        duplicates = duplicates.exclude(pk=record.pk)
    if duplicates.exists():
        raise ValidationError(_duplicate_record_error())
    record.full_clean(validate_constraints=False)


def _duplicate_record_error():
    return {"book": _("You have already recorded this book for this year's campaign.")}


def reading_record_create(
    *,
    user,
    campaign: Campaign,
    book: Book | None = None,
    new_book_title: str = "",
    new_book_author: str = "",
    new_book_isbn: str = "",
    finished_on: datetime.date | None,
    summary: str = "",
) -> ReadingRecord:
    """Record the book the user read closely this campaign (精读一本好书).

    Either ``book`` from the member's organization's collection, or a new book
    (``new_book_*``) that is added to that collection in the same transaction.
    """
    member = _member_of(user)
    adding = bool((new_book_title or "").strip() or (new_book_author or "").strip())
    adding = adding or bool((new_book_isbn or "").strip())
    if book is not None and adding:
        raise ValidationError(
            _("Either pick a book from the collection or add a new one, not both.")
        )
    if book is None and not adding:
        raise ValidationError(
            {"book": _("Pick a book from the collection, or add a new one below.")}
        )
    with transaction.atomic():
        if adding:
            book = Book(
                organization=member.organization,
                title=new_book_title,
                author=new_book_author,
                isbn=new_book_isbn,
            )
            try:
                _check_book(book)
            except ValidationError as error:
                raise ValidationError(
                    {f"new_book_{key}": value for key, value in error.message_dict.items()}
                ) from None
            _save(book, integrity_error={"new_book_isbn": _duplicate_message()})
        record = ReadingRecord(
            campaign=campaign,
            member=member,
            book=book,
            finished_on=finished_on,
            summary=summary,
        )
        _check_record(record)
        _save(record, integrity_error=_duplicate_record_error())
    return record


def _require_record_owner(user, record: ReadingRecord) -> None:
    if not rules.can_manage(user, record):
        raise PermissionDenied(_("Only the member who wrote this record may change it."))


def reading_record_update(
    *,
    user,
    record: ReadingRecord,
    book: Book,
    finished_on: datetime.date | None,
    summary: str = "",
) -> ReadingRecord:
    _require_record_owner(user, record)
    book_changed = book.pk != record.book_id
    record.book, record.finished_on, record.summary = book, finished_on, summary
    with transaction.atomic():
        _check_record(record, book_changed=book_changed)
        _save(record, integrity_error=_duplicate_record_error())
    return record


def reading_record_delete(*, user, record: ReadingRecord) -> None:
    _require_record_owner(user, record)
    record.delete()
