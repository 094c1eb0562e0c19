"""Writes of the account-security page: unlocking and forcing a password change.

Small, keyword-only functions so the audit trail can wrap or hook them.
"""

from __future__ import annotations

from axes.utils import reset
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from campaigns import audit
from campaigns.enums import AuditAction
from campaigns.rules import scope_for


def _require_department(actor) -> None:
    if not scope_for(actor).is_department:
        raise PermissionDenied(_("Only the Organization Department may do this."))


def lockout_reset(*, actor, username: str | None = None, ip: str | None = None) -> int:
    """Unlock an account (its failed logins from every address) or an address
    (every failed login from it). Returns the number of attempt records removed."""
    _require_department(actor)
    username = (username or "").strip() or None
    ip = (ip or "").strip() or None
    if not username and not ip:
        raise ValidationError(_("Name the account or the address to unlock."))
    count = 0
    with transaction.atomic():
        # One at a time: axes' reset(ip=…, username=…) would match only both together.
        if username:
            count += reset(username=username)
        if ip:
            count += reset(ip=ip)
        audit.record(
            action=AuditAction.UNLOCK,
            actor=actor,
            object_type="campaigns.user" if username else "",
            object_repr=username or ip or "",
            detail=_("Account: %(username)s; address: %(ip)s; %(count)s failed sign-ins cleared")
            % {"username": username or "—", "ip": ip or "—", "count": count},
        )
    return count


def password_change_require(*, actor, user) -> None:
    """The user must choose a new password at their next request (see campaigns.middleware)."""
    _require_department(actor)
    if not user.is_active:
        raise ValidationError(_("This account is deactivated."))
    if not user.must_change_password:
        with transaction.atomic():
            user.must_change_password = True
            user.save(update_fields=["must_change_password"])
            audit.record(action=AuditAction.PASSWORD_CHANGE_REQUIRED, obj=user, actor=actor)
