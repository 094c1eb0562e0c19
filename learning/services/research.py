"""Writes for research topics (研究课题) and “我为企业发展献一计” suggestions."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns import rules
from campaigns.models import Campaign, Member, Organization
from campaigns.selectors import today
from learning.enums import ResearchStatus, SuggestionStatus
from learning.models import ResearchTopic, Suggestion

DECIDED = (SuggestionStatus.ADOPTED, SuggestionStatus.NOT_ADOPTED)

# ---------------------------------------------------------------- research topics


def _require_topic_manager(user, topic: ResearchTopic) -> None:
    if not rules.can_manage(user, topic):
        raise PermissionDenied(
            _("Only the secretary of this organization may change its research topics.")
        )


def _check_topic(
    topic: ResearchTopic,
    *,
    participants: list[Member],
    kept_member_ids: set[int],
) -> None:
    """Every rule of a topic. ``kept_member_ids``: lead and participants it already had,
    who may stay even if they have since moved to another organization."""
    errors: dict[str, list] = {}
    topic.title = (topic.title or "").strip()
    if not topic.title:
        errors.setdefault("title", []).append(_("Enter the topic's title."))

    def belongs(member: Member) -> bool:
        return member.pk in kept_member_ids or (
            member.organization_id == topic.organization_id and member.is_active
        )

    if topic.lead is not None and not belongs(topic.lead):
        errors.setdefault("lead", []).append(
            _("The lead must be a member of %(organization)s.")
            % {"organization": topic.organization.name}
        )
    strangers = [member for member in participants if not belongs(member)]
    if strangers:
        errors.setdefault("participants", []).append(
            _("Participants must be members of %(organization)s: %(names)s.")
            % {
                "organization": topic.organization.name,
                "names": "、".join(member.name for member in strangers),
            }
        )

    status = topic.status
    if status not in ResearchStatus.values:
        errors.setdefault("status", []).append(_("Choose a status."))
    if status in (ResearchStatus.IN_PROGRESS, ResearchStatus.CONCLUDED) and not topic.started_on:
        errors.setdefault("started_on", []).append(_("Enter the date the research started."))
    if topic.started_on and topic.started_on > today() and status != ResearchStatus.PROPOSED:
        errors.setdefault("started_on", []).append(
            _("Research that has started cannot start in the future.")
        )
    if status == ResearchStatus.CONCLUDED:
        if not topic.concluded_on:
            errors.setdefault("concluded_on", []).append(
                _("A concluded topic needs the date it was concluded.")
            )
        if not (topic.outcome or "").strip():
            errors.setdefault("outcome", []).append(
                _("A concluded topic needs its outcome (研究成果).")
            )
    elif topic.concluded_on:
        errors.setdefault("concluded_on", []).append(
            _(
                "Only a concluded topic has a conclusion date; clear it or set the status "
                "to concluded."
            )
        )
    if topic.concluded_on:
        if topic.concluded_on > today():
            errors.setdefault("concluded_on", []).append(
                _("The conclusion date cannot be in the future.")
            )
        if topic.started_on and topic.concluded_on < topic.started_on:
            errors.setdefault("concluded_on", []).append(
                _("A topic cannot be concluded before it started.")
            )
    if errors:
        raise ValidationError(errors)
    duplicates = ResearchTopic.objects.filter(
        campaign=topic.campaign, organization=topic.organization, title__iexact=topic.title
    )
    if topic.pk:
        duplicates = duplicates.exclude(pk=topic.pk)
    if duplicates.exists():
        raise ValidationError(
            {"title": _("This organization already has a topic with this title this year.")}
        )
    topic.full_clean()


def _save_topic(topic: ResearchTopic, participants: list[Member], kept: set[int]) -> None:
    with transaction.atomic():
        _check_topic(topic, participants=participants, kept_member_ids=kept)
        topic.save()
        topic.participants.set(participants)


def topic_create(
    *,
    user,
    campaign: Campaign,
    organization: Organization,
    title: str,
    problem: str = "",
    lead: Member | None = None,
    participants: Iterable[Member] = (),
    status: str = ResearchStatus.PROPOSED,
    started_on: datetime.date | None = None,
    concluded_on: datetime.date | None = None,
    outcome: str = "",
    outcome_application: str = "",
) -> ResearchTopic:
    """Set up a research topic tied to one of the enterprise's real problems."""
    topic = ResearchTopic(
        campaign=campaign,
        organization=organization,
        title=title,
        problem=problem,
        lead=lead,
        status=status,
        started_on=started_on,
        concluded_on=concluded_on,
        outcome=outcome,
        outcome_application=outcome_application,
    )
    _require_topic_manager(user, topic)
    _save_topic(topic, list(participants), kept=set())
    return topic


def topic_update(
    *,
    user,
    topic: ResearchTopic,
    title: str,
    problem: str = "",
    lead: Member | None = None,
    participants: Iterable[Member] = (),
    status: str = ResearchStatus.PROPOSED,
    started_on: datetime.date | None = None,
    concluded_on: datetime.date | None = None,
    outcome: str = "",
    outcome_application: str = "",
) -> ResearchTopic:
    """Change a topic: its people, status (立项 / 研究中 / 结题), outcome and its application."""
    _require_topic_manager(user, topic)
    kept = set(topic.participants.values_list("pk", flat=True))
    if topic.lead_id:
        kept.add(topic.lead_id)
    topic.title, topic.problem, topic.lead, topic.status = title, problem, lead, status
    topic.started_on, topic.concluded_on = started_on, concluded_on
    topic.outcome, topic.outcome_application = outcome, outcome_application
    _save_topic(topic, list(participants), kept)
    return topic


# ---------------------------------------------------------------- suggestions


def can_decide_suggestion(user, suggestion: Suggestion) -> bool:
    """Who marks a suggestion adopted or not: a secretary whose organization it came from
    (or one above it), never on their own suggestion, and the department's staff.

    campaigns.rules lets only the member change their own suggestion, so the
    decision needs this predicate; it is built on ``rules.can_view``.
    """
    scope = rules.scope_for(user)
    if scope.is_department:
        return True
    if not scope.is_secretary or suggestion.member_id == scope.member.pk:
        return False
    return rules.can_view(user, suggestion)


def _require_owner_pending(user, suggestion: Suggestion) -> None:
    if not rules.can_manage(user, suggestion):
        raise PermissionDenied(_("Only the member who made this suggestion may change it."))
    if suggestion.status != SuggestionStatus.PENDING:
        raise ValidationError(
            _("This suggestion has been decided on; it can no longer be changed or withdrawn."),
            code="decided",
        )


def _check_suggestion(suggestion: Suggestion) -> None:
    suggestion.title = (suggestion.title or "").strip()
    suggestion.content = (suggestion.content or "").strip()
    errors = {}
    if not suggestion.title:
        errors["title"] = _("Give your suggestion a title.")
    if not suggestion.content:
        errors["content"] = _("Write out your suggestion.")
    if errors:
        raise ValidationError(errors)
    duplicates = Suggestion.objects.filter(
        campaign=suggestion.campaign,
        member=suggestion.member,
        title=suggestion.title,
        content=suggestion.content,
    )
    if suggestion.pk:
        duplicates = duplicates.exclude(pk=suggestion.pk)
    if duplicates.exists():
        raise ValidationError(_("You have already submitted this suggestion."), code="duplicate")
    suggestion.full_clean()


def suggestion_submit(*, user, campaign: Campaign, title: str, content: str) -> Suggestion:
    """A member's “我为企业发展献一计” suggestion, to their own organization."""
    member = rules.scope_for(user).member
    if member is None:
        raise PermissionDenied(_("Only Party members submit suggestions."))
    suggestion = Suggestion(
        campaign=campaign,
        member=member,
        organization=member.organization,
        title=title,
        content=content,
        status=SuggestionStatus.PENDING,
    )
    with transaction.atomic():
        _check_suggestion(suggestion)
        suggestion.save()
    return suggestion


def suggestion_update(*, user, suggestion: Suggestion, title: str, content: str) -> Suggestion:
    """The member changes their suggestion while it awaits a decision."""
    with transaction.atomic():
        suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        _require_owner_pending(user, suggestion)
        suggestion.title, suggestion.content = title, content
        _check_suggestion(suggestion)
        suggestion.save(update_fields=["title", "content", "updated_at"])
    return suggestion


def suggestion_withdraw(*, user, suggestion: Suggestion) -> None:
    """The member withdraws (deletes) their suggestion while it awaits a decision."""
    with transaction.atomic():
        suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        _require_owner_pending(user, suggestion)
        suggestion.delete()


def suggestion_decide(
    *, user, suggestion: Suggestion, status: str, benefit: str = ""
) -> Suggestion:
    """Mark a suggestion adopted (采纳, with its benefit) or not adopted (未采纳).

    A decision may be revised (say, the benefit measured later); it cannot go
    back to pending.
    """
    if not can_decide_suggestion(user, suggestion):
        raise PermissionDenied(_("Only a secretary of the organization may decide on it."))
    benefit = (benefit or "").strip()
    if status not in DECIDED:
        raise ValidationError({"status": _("Choose adopted or not adopted.")})
    if status == SuggestionStatus.ADOPTED and not benefit:
        raise ValidationError(
            {"benefit": _("Record the benefit the adopted suggestion brought (or is expected to).")}
        )
    with transaction.atomic():
        suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        suggestion.status = status
        suggestion.benefit = benefit
        suggestion.decided_by = user
        suggestion.decided_at = timezone.now()
        suggestion.full_clean()
        suggestion.save(
            update_fields=["status", "benefit", "decided_by", "decided_at", "updated_at"]
        )
    return suggestion
