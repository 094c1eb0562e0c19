"""Writes that belong to the campaigns app."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Campaign, DeadlineChange, Extension, Organization

DEPARTMENT_GROUP_NAME = "Organization Department"
DEPARTMENT_APPS = ("campaigns", "learning", "appraisal")
# Application history is append-only: the department may read it, never edit it.
_WITHHELD = {
    ("appraisal", f"{action}_applicationtransition") for action in ("add", "change", "delete")
}


def ensure_department_group() -> Group:
    """Create or refresh the Organization Department's group and return it.

    It holds every model permission of the portal's apps except adding,
    changing or deleting application history entries. Idempotent: a second
    call leaves the same group with the same permissions.
    """
    with transaction.atomic():
        group, _created = Group.objects.get_or_create(name=DEPARTMENT_GROUP_NAME)
        permissions = [
            permission
            for permission in Permission.objects.filter(
                content_type__app_label__in=DEPARTMENT_APPS
            ).select_related("content_type")
            if (permission.content_type.app_label, permission.codename) not in _WITHHELD
        ]
        group.permissions.set(permissions)
    return group


def user_password_changed(*, user) -> None:
    """A user chose a new password: a forced change at next login is now done."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])


# ---------------------------------------------------------------- deadlines


def _require_department(user) -> None:
    from .rules import scope_for

    if not scope_for(user).is_department:
        raise PermissionDenied(_("Only the Organization Department may change deadlines."))


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason; it is kept with the record.")})
    return reason


def campaign_deadline_move(
    *, user, campaign: Campaign, new_deadline: datetime.datetime, reason: str
) -> DeadlineChange:
    """Move the campaign's application deadline and record who moved it, from what, and why."""
    _require_department(user)
    reason = _require_reason(reason)
    if new_deadline.date() < campaign.starts_on:
        raise ValidationError(
            {"new_deadline": _("The deadline cannot be before the campaign starts.")}
        )
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.application_deadline == new_deadline:
            raise ValidationError(
                {"new_deadline": _("This is already the deadline; nothing was changed.")}
            )
        change = DeadlineChange(
            campaign=locked,
            old_deadline=locked.application_deadline,
            new_deadline=new_deadline,
            reason=reason,
            changed_by=user,
        )
        change.full_clean()
        locked.application_deadline = new_deadline
        locked.save(update_fields=["application_deadline"])
        change.save()
    campaign.application_deadline = new_deadline
    return change


def extension_grant(
    *,
    user,
    campaign: Campaign,
    organization: Organization,
    deadline: datetime.datetime,
    reason: str,
) -> Extension:
    """Give one organization a later deadline than the campaign's (recorded, never overwritten)."""
    _require_department(user)
    reason = _require_reason(reason)
    if deadline <= campaign.application_deadline:
        raise ValidationError(
            {"deadline": _("An extension must end after the campaign's own deadline.")}
        )
    if deadline <= timezone.now():
        raise ValidationError({"deadline": _("An extension must end in the future.")})
    extension = Extension(
        campaign=campaign,
        organization=organization,
        deadline=deadline,
        reason=reason,
        granted_by=user,
    )
    extension.full_clean()
    with transaction.atomic():
        extension.save()
    return extension
