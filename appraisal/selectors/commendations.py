"""Reads of the commendation list (表彰名单)."""

from __future__ import annotations

from django.db.models import QuerySet

from campaigns import rules

from ..enums import ApplicationState
from ..models import Application, Commendation

# The generated order: 学习型党组织标兵 (org_model) before 学习型党员标兵 (member_model),
# each by the organization tree.
LIST_ORDER = (
    "-application__kind",
    "application__organization__path",
    "application__member__user__full_name",
    "pk",
)
# The order shown: by kind, then the department's own order.
SHOWN_ORDER = ("-application__kind", "position", "pk")


def _with_nominee(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "campaign", "application__organization", "application__member__user"
    )


def commendations_of(campaign) -> QuerySet:
    """Every entry of ``campaign``, published or not (the department's manage page)."""
    return _with_nominee(Commendation.objects.filter(campaign=campaign)).order_by(*SHOWN_ORDER)


def published_commendations(user, campaign) -> QuerySet:
    """The published entries of ``campaign`` that ``user`` may read."""
    return _with_nominee(
        rules.visible(user, Commendation).filter(campaign=campaign, published_at__isnull=False)
    ).order_by(*SHOWN_ORDER)


def commended_without_entry(campaign) -> int:
    """Commended applications of ``campaign`` the list does not hold yet."""
    return Application.objects.filter(
        campaign=campaign, state=ApplicationState.COMMENDED, commendation__isnull=True
    ).count()
