"""Reads for the printed 申报表: everything one form shows, in a constant number of queries.

``printable_applications()`` loads an application with its campaign and
criteria, organization, enterprise, secretaries, member count, applicant and
self-assessment scores, so printing one form or a whole year's batch costs
the same handful of queries.
"""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from appraisal.enums import ApplicationState
from appraisal.models import Application, CriterionScore
from campaigns.enums import MemberRole
from campaigns.models import Campaign, Member


def printable_applications(queryset: QuerySet | None = None) -> QuerySet:
    """``queryset`` (default: every application) with what the printed form needs."""
    queryset = Application.objects.all() if queryset is None else queryset
    # The organization's members, its branches' included: a committee's
    # members sit in the branches below it.
    member_count = (
        Member.objects.filter(
            is_active=True, organization__path__startswith=OuterRef("organization__path")
        )
        .order_by()
        .values("is_active")
        .annotate(n=Count("pk"))
        .values("n")
    )
    secretaries = (
        Member.objects.filter(role=MemberRole.SECRETARY, is_active=True)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )
    return (
        queryset.select_related(
            "campaign",
            "organization__enterprise",
            "organization__parent",
            "member__user",
            "self_assessment",
        )
        .annotate(organization_member_count=Coalesce(Subquery(member_count), 0))
        .prefetch_related(
            "campaign__criteria",
            Prefetch("organization__members", queryset=secretaries, to_attr="secretaries"),
            Prefetch(
                "self_assessment__scores",
                queryset=CriterionScore.objects.order_by(),
                to_attr="printed_scores",
            ),
        )
    )


def exportable_applications(campaign: Campaign) -> QuerySet:
    """The campaign's submitted applications (every state but draft), in print order."""
    return printable_applications(
        Application.objects.filter(campaign=campaign)
        .exclude(state=ApplicationState.DRAFT)
        .order_by("organization__code", "kind", "member__user__full_name", "pk")
    )
