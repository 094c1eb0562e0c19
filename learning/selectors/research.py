"""Reads for research topics and “献一计” suggestions, restricted by campaigns.rules.

Topics are public within their organization; a suggestion belongs to its
member, and the secretaries of that organization and those above see it.
"""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from campaigns import rules
from campaigns.models import Campaign, Member, Organization
from learning.models import ResearchTopic, ResearchTopicParticipant, Suggestion


def topic_list(user) -> QuerySet:
    """Topics ``user`` may see, with ``participant_count``."""
    participants = (
        ResearchTopicParticipant.objects.filter(topic=OuterRef("pk"))
        .order_by()
        .values("topic")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        rules.visible(user, ResearchTopic)
        .select_related("organization", "lead__user", "campaign")
        .annotate(
            participant_count=Coalesce(
                Subquery(participants, output_field=IntegerField()), Value(0)
            )
        )
        .order_by("-campaign__year", "organization__path", "title", "pk")
    )


def topic_detail_queryset(user) -> QuerySet:
    return topic_list(user).prefetch_related("participants__user")


def topic_members(organization: Organization, *, keep: QuerySet | None = None) -> QuerySet:
    """Members who may lead or take part in a topic of ``organization`` (active members;
    plus ``keep``, people a topic already has)."""
    members = Member.objects.filter(organization=organization, is_active=True)
    if keep is not None:
        members = members | Member.objects.filter(pk__in=keep.values("pk"))
    return members.select_related("user").order_by("user__full_name", "pk")


def campaign_years() -> list[int]:
    return list(Campaign.objects.order_by("-year").values_list("year", flat=True))


def suggestion_list(user) -> QuerySet:
    """Suggestions ``user`` may see: a member their own, a secretary their subtree's."""
    return (
        rules.visible(user, Suggestion)
        .select_related("member__user", "organization", "campaign", "decided_by")
        .order_by("-created_at", "-pk")
    )


def own_suggestions(user) -> QuerySet:
    member = rules.scope_for(user).member
    if member is None:
        return Suggestion.objects.none()
    return suggestion_list(user).filter(member=member)
