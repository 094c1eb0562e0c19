"""Reads for the “五个一” pages: a member's own, and an organization's roll-up.

The figure itself is defined once, in campaigns.selectors (with_five_ones,
five_ones_for_members, five_ones_complete_q, with_study_hours); this module
only arranges it for the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from campaigns import rules
from campaigns.models import Campaign, Member, Organization
from campaigns.selectors import (
    FIVE_ONES,
    HOURS_FIELD,
    KEYS,
    five_ones_complete_q,
    five_ones_from_row,
    with_five_ones,
    with_study_hours,
)
from learning.enums import NoteKind
from learning.models import StudyNote

from .notes import review_organizations

# Where a member goes to do each item, and where to see it once done.
# Other areas' pages (plan.personal, reading.*) are reversed tolerantly: a
# missing URL name gives no link rather than an error.
TODO_LINKS = {
    "plan": ("learning:plan.personal", {}),
    "book": ("learning:reading.create", {}),
    "notes": ("learning:note.create", {"kind": NoteKind.NOTE.value}),
    "reflection": ("learning:note.create", {"kind": NoteKind.REFLECTION.value}),
    "exchange": ("learning:note.create", {"kind": NoteKind.EXCHANGE.value}),
}
DONE_LINKS = {
    "plan": ("learning:plan.personal", {}),
    "book": ("learning:reading.list", {}),
    "notes": ("learning:note.list", {"kind": NoteKind.NOTE.value}),
    "reflection": ("learning:note.list", {"kind": NoteKind.REFLECTION.value}),
    "exchange": ("learning:note.list", {"kind": NoteKind.EXCHANGE.value}),
}
NOTE_KIND_OF = {
    "notes": NoteKind.NOTE,
    "reflection": NoteKind.REFLECTION,
    "exchange": NoteKind.EXCHANGE,
}

# Column headings of the roll-up table (the full wording is in each heading's title).
SHORT_LABELS = {
    "plan": _("Plan"),
    "book": _("Book"),
    "notes": _("Notes"),
    "reflection": _("Reflection"),
    "exchange": _("Exchange"),
}


def five_ones_columns() -> list[tuple[str, str, str]]:
    return [(key, SHORT_LABELS[key], label) for key, label in FIVE_ONES]


MISSING_ANY = "incomplete"
SORTS = {
    "name": ("user__full_name", "pk"),
    "-name": ("-user__full_name", "-pk"),
    "hours": ("study_hours", "user__full_name", "pk"),
    "-hours": ("-study_hours", "user__full_name", "pk"),
}
DEFAULT_SORT = "name"


def _link(name: str, query: dict) -> str | None:
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


def five_ones_link(key: str, done: bool) -> str | None:
    name, query = (DONE_LINKS if done else TODO_LINKS)[key]
    return _link(name, query)


@dataclass(frozen=True)
class FiveOnesItem:
    key: str
    label: str
    done: bool
    url: str | None
    count: int | None = None  # notes of that kind written this year


def my_five_ones(user, campaign: Campaign | None) -> dict:
    """The signed-in member's “五个一” and study hours for ``campaign``."""
    scope = rules.scope_for(user)
    members = rules.visible(user, Member).filter(pk=scope.member.pk).select_related("organization")
    me = with_study_hours(with_five_ones(members, campaign), campaign).get()
    five_ones = five_ones_from_row(me)
    counts = {}
    if campaign is not None:
        counts = dict(
            rules.visible(user, StudyNote)
            .filter(member=scope.member, campaign=campaign)
            .order_by()
            .values_list("kind")
            .annotate(n=Count("pk"))
        )
    items = []
    for key, label, done in five_ones.items:
        kind = NOTE_KIND_OF.get(key)
        items.append(
            FiveOnesItem(
                key=key,
                label=label,
                done=done,
                url=five_ones_link(key, done),
                count=counts.get(kind.value, 0) if kind else None,
            )
        )
    return {
        "organization": me.organization,
        "five_ones": five_ones,
        "items": items,
        "study_hours": me.study_hours,
    }


# ---------------------------------------------------------------- an organization's roll-up


def rollup_organizations(user) -> QuerySet:
    """The organizations a secretary may roll up: theirs and every one below, in tree order."""
    return review_organizations(user)


def organization_members(user, organization: Organization, *, include_below: bool) -> QuerySet:
    """Active members of ``organization`` (and, if asked, of those below) the user may see."""
    members = rules.visible(user, Member).filter(is_active=True)
    if include_below:
        return members.filter(organization__path__startswith=organization.path)
    return members.filter(organization=organization)


def rollup_figures(members: QuerySet, campaign: Campaign | None) -> dict:
    """Members, how many have all five, each item's count and total hours, in one query."""
    annotated = with_study_hours(with_five_ones(members.order_by(), campaign), campaign)
    aggregates = {
        "members": Count("pk"),
        "complete": Count("pk", filter=five_ones_complete_q()),
        "hours": Coalesce(Sum("study_hours"), Value(Decimal(0)), output_field=HOURS_FIELD),
    }
    for key in KEYS:
        aggregates[key] = Count("pk", filter=Q(**{f"five_{key}": True}))
    figures = annotated.aggregate(**aggregates)
    total = figures["members"]

    def rate(count):
        return round(100 * count / total) if total else 0

    return {
        "members": total,
        "complete": figures["complete"],
        "complete_rate": rate(figures["complete"]),
        "hours": figures["hours"],
        "items": [
            {"key": key, "label": label, "count": figures[key], "rate": rate(figures[key])}
            for key, label in FIVE_ONES
        ],
    }


def rollup_rows(
    members: QuerySet,
    campaign: Campaign | None,
    *,
    missing: str = "",
    name: str = "",
    sort: str = DEFAULT_SORT,
) -> QuerySet:
    """One row per member: name, organization, the five flags and study hours."""
    rows = with_study_hours(with_five_ones(members, campaign), campaign).select_related(
        "user", "organization"
    )
    if missing == MISSING_ANY:
        rows = rows.exclude(five_ones_complete_q())
    elif missing in KEYS:
        rows = rows.filter(**{f"five_{missing}": False})
    if name:
        rows = rows.filter(user__full_name__icontains=name)
    return rows.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))
