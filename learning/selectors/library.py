"""Reads for the book collection and close-reading records.

Visibility comes from campaigns.rules: books are public within their
organization; reading records belong to their member, and the secretaries
above them see them too. So the names of a book's readers show to the
secretary (and the department); a member sees the number of readers and
whether they read it themselves, not who the others are.
"""

from __future__ import annotations

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from campaigns import rules
from campaigns.models import Organization
from learning.models import Book, ReadingRecord

# Offered beside the category field; organizations may use their own words too.
SUGGESTED_CATEGORIES = (
    _("Political theory"),
    _("Party history and Party building"),
    _("Laws and regulations"),
    _("Economics and management"),
    _("Science and technology"),
    _("Corporate culture"),
    _("Literature and history"),
)


def managed_organizations(user) -> QuerySet:
    """The active organizations whose records ``user`` manages as a secretary (theirs and below)."""
    if not rules.scope_for(user).is_secretary:
        return Organization.objects.none()
    return rules.visible(user, Organization).filter(is_active=True).order_by("path")


def filter_organizations(user) -> QuerySet | None:
    """Organizations a list page may filter by; None when the user sees only one."""
    scope = rules.scope_for(user)
    if scope.is_department or scope.is_secretary:
        return rules.visible(user, Organization).filter(is_active=True).order_by("path")
    return None


def _reader_count():
    readers = (
        ReadingRecord.objects.filter(book=OuterRef("pk"))
        .order_by()
        .values("book")
        .annotate(n=Count("member", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(readers, output_field=IntegerField()), Value(0))


def book_list(user) -> QuerySet:
    """The books ``user`` may see, with ``reader_count`` (members who read each closely)
    and ``read_by_me``."""
    member = rules.scope_for(user).member
    read_by_me = (
        Exists(ReadingRecord.objects.filter(book=OuterRef("pk"), member=member))
        if member is not None
        else Value(False)
    )
    return (
        rules.visible(user, Book)
        .select_related("organization")
        .annotate(reader_count=_reader_count(), read_by_me=read_by_me)
        .order_by("organization__path", "title", "pk")
    )


def book_categories(user) -> list[str]:
    """The categories in use in the collections ``user`` may see (for the filter)."""
    return list(
        rules.visible(user, Book)
        .exclude(category="")
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )


def category_suggestions(organization: Organization | None) -> list[str]:
    """Categories to offer when cataloguing: the usual ones plus those the organization uses."""
    used = []
    if organization is not None:
        used = list(
            Book.objects.filter(organization=organization)
            .exclude(category="")
            .order_by("category")
            .values_list("category", flat=True)
            .distinct()
        )
    suggested = [str(category) for category in SUGGESTED_CATEGORIES]
    return suggested + [category for category in used if category not in suggested]


def book_readers(user, book: Book) -> list[ReadingRecord]:
    """The close-reading records of ``book`` that ``user`` may see, newest campaign first."""
    return list(
        rules.visible(user, ReadingRecord)
        .filter(book=book)
        .select_related("member__user", "member__organization", "campaign")
        .order_by("-campaign__year", "member__user__full_name", "pk")
    )


def reading_records_of(user) -> QuerySet:
    """The user's own close-reading records."""
    member = rules.scope_for(user).member
    if member is None:
        return ReadingRecord.objects.none()
    return (
        rules.visible(user, ReadingRecord)
        .filter(member=member)
        .select_related("book", "campaign")
        .order_by("-campaign__year", "-finished_on", "-pk")
    )


def collection_for_member(user, *, keep_book_id: int | None = None) -> QuerySet:
    """The books a member may pick as read: their own organization's collection
    (plus ``keep_book_id``, the book an existing record names, should they have moved)."""
    scope = rules.scope_for(user)
    if scope.member is None:
        return Book.objects.none()
    books = Q(organization_id=scope.member.organization_id)
    if keep_book_id is not None:
        books |= Q(pk=keep_book_id)
    return Book.objects.filter(books).order_by("title", "pk")


def reading_years(user) -> list[int]:
    """The campaign years in which the user recorded books (for the year filter)."""
    return list(
        reading_records_of(user)
        .order_by("-campaign__year")
        .values_list("campaign__year", flat=True)
        .distinct()
    )
