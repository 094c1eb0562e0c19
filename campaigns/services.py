"""Writes that belong to the campaigns app."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

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
