"""Reads for the application pages (标兵申报表), restricted by campaigns.rules."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from campaigns import rules
from campaigns.models import Campaign, Member
from campaigns.selectors import deadline_for

from ..enums import ApplicationState
from ..models import Application, ApplicationTransition


def application_list(user, campaign: Campaign | None = None) -> QuerySet:
    """The applications ``user`` may see (of ``campaign`` when given), ready for a table."""
    applications = rules.visible(user, Application).select_related(
        "campaign", "organization", "member__user"
    )
    if campaign is not None:
        applications = applications.filter(campaign=campaign)
    return applications.order_by("-campaign__year", "organization__path", "kind", "pk")


def application_detail_queryset(user) -> QuerySet:
    """One application page's object, with its history and actors in one extra query."""
    history = ApplicationTransition.objects.select_related("actor").order_by("at", "pk")
    return (
        application_list(user)
        .select_related(
            "organization__enterprise", "member__organization", "self_assessment", "created_by"
        )
        .prefetch_related(Prefetch("history", queryset=history))
    )


def nominee_members(user) -> QuerySet:
    """Active members of the organizations ``user`` manages, whom they may nominate."""
    return (
        rules.visible(user, Member)
        .filter(is_active=True, organization__is_active=True)
        .select_related("user", "organization")
        .order_by("organization__path", "user__full_name", "pk")
    )


def application_years(user) -> list[int]:
    return list(
        rules.visible(user, Application)
        .order_by("-campaign__year")
        .values_list("campaign__year", flat=True)
        .distinct()
    )


def deadline_of(application: Application):
    """The deadline that binds this application's organization (extensions counted)."""
    return deadline_for(application.campaign, application.organization)


def return_step(application: Application, history: list[ApplicationTransition]):
    """The step that returned the application, while it waits for revision (else None)."""
    if application.state != ApplicationState.RETURNED:
        return None
    returns = [step for step in history if step.to_state == ApplicationState.RETURNED]
    return returns[-1] if returns else None


def deadline_records(campaign: Campaign) -> dict:
    """The deadline's moves and the extensions granted, newest first, for the department."""
    return {
        "deadline_changes": list(
            campaign.deadline_changes.select_related("changed_by").order_by("-changed_at", "-pk")
        ),
        "extensions": list(
            campaign.extensions.select_related("organization", "granted_by").order_by(
                "-granted_at", "-pk"
            )
        ),
    }
