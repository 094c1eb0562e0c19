"""Writes of the commendation list (表彰名单).

The department generates entries from the campaign's commended applications,
edits citations and the order while they are unpublished, then publishes them
all at once; campaigns.rules shows only published entries to everyone else.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaigns import rules

from ..enums import ApplicationKind, ApplicationState
from ..models import Application, Commendation
from ..selectors.commendations import LIST_ORDER

# The honour is stored in the notice's own Chinese words (学习型党组织标兵 / 学习型党员标兵):
# the list is an official document, whatever language the department's browser uses.
TITLE_LANGUAGE = "zh-hans"


def _require_department(user) -> None:
    if not rules.scope_for(user).is_department:
        raise PermissionDenied(_("Only the Organization Department manages the commendation list."))


def title_for(kind: str) -> str:
    with translation.override(TITLE_LANGUAGE):
        return str(ApplicationKind(kind).label)


def _renumber(campaign) -> None:
    """Number the unpublished entries after the published ones, by kind and organization."""
    start = (
        Commendation.objects.filter(campaign=campaign, published_at__isnull=False).aggregate(
            top=Max("position")
        )["top"]
        or 0
    )
    unpublished = Commendation.objects.filter(campaign=campaign, published_at__isnull=True)
    for number, entry in enumerate(unpublished.order_by(*LIST_ORDER), start=start + 1):
        if entry.position != number:
            entry.position = number
            entry.save(update_fields=["position"])


def commendations_generate(*, campaign, actor, reorder: bool = False) -> int:
    """Add an entry for every commended application of ``campaign`` that has none yet.

    New entries go after the existing ones, by kind and organization order;
    with ``reorder`` every unpublished entry is renumbered that way (the
    department's own order is then lost). Returns how many were added.
    """
    _require_department(actor)
    applications = (
        Application.objects.filter(
            campaign=campaign, state=ApplicationState.COMMENDED, commendation__isnull=True
        )
        .select_related("organization", "member__user")
        .order_by("-kind", "organization__path", "member__user__full_name", "pk")
    )
    with transaction.atomic():
        top = (
            Commendation.objects.filter(campaign=campaign).aggregate(top=Max("position"))["top"]
            or 0
        )
        created = Commendation.objects.bulk_create(
            Commendation(
                campaign=campaign,
                application=application,
                title=title_for(application.kind),
                position=top + number,
            )
            for number, application in enumerate(applications, start=1)
        )
        if reorder:
            _renumber(campaign)
    return len(created)


def commendations_update(*, campaign, actor, changes: dict[int, tuple[int, str]]) -> int:
    """Save the order and citations of unpublished entries: ``{pk: (position, citation)}``.

    Published entries are part of an official list and stay as they are.
    """
    _require_department(actor)
    entries = Commendation.objects.filter(campaign=campaign, pk__in=list(changes))
    if any(entry.published_at is not None for entry in entries):
        raise ValidationError(_("Published entries of the commendation list cannot be changed."))
    errors = []
    for position, _citation in changes.values():
        if position is None or position < 1:
            errors.append(_("The order must be a whole number from 1."))
            break
    if errors:
        raise ValidationError(errors)
    saved = 0
    with transaction.atomic():
        for entry in entries:
            position, citation = changes[entry.pk]
            entry.position = position
            entry.citation = (citation or "").strip()
            entry.full_clean()
            entry.save(update_fields=["position", "citation"])
            saved += 1
    return saved


def commendations_publish(*, campaign, actor) -> int:
    """Publish every unpublished entry of ``campaign`` at the same moment."""
    _require_department(actor)
    with transaction.atomic():
        published = Commendation.objects.filter(
            campaign=campaign, published_at__isnull=True
        ).update(published_at=timezone.now())
    if not published:
        raise ValidationError(_("There is nothing new to publish in the commendation list."))
    return published
