"""Reads of the account-security page: who and which addresses are locked out now."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

SEARCH_LIMIT = 20


@dataclass
class Lockout:
    """One locked account (``key`` is the login name) or address (``key`` is the IP)."""

    key: str
    failures: int = 0
    last_attempt: datetime.datetime | None = None
    unlocks_at: datetime.datetime | None = None
    user: object | None = None  # the account, when the login name exists
    others: set[str] = field(
        default_factory=set
    )  # addresses of an account / names tried from an address


def _cooloff() -> datetime.timedelta:
    return settings.AXES_COOLOFF_TIME


def _unlocks_at(attempts, limit: int) -> datetime.datetime:
    """When enough of these records have aged past the cool-off for the sum to drop below the limit.

    django-axes counts a record's failures until its last attempt is older than
    the cool-off, then deletes it.
    """
    remaining = sum(attempt.failures_since_start for attempt in attempts)
    for attempt in sorted(attempts, key=lambda a: a.attempt_time):
        remaining -= attempt.failures_since_start
        if remaining < limit:
            return attempt.attempt_time + _cooloff()
    return max(a.attempt_time for a in attempts) + _cooloff()


def _group(attempts, key, other, limit: int) -> list[Lockout]:
    groups: dict[str, list] = {}
    for attempt in attempts:
        value = key(attempt)
        if value:
            groups.setdefault(value, []).append(attempt)
    locked = []
    for value, rows in groups.items():
        failures = sum(row.failures_since_start for row in rows)
        if failures < limit:
            continue
        locked.append(
            Lockout(
                key=value,
                failures=failures,
                last_attempt=max(row.attempt_time for row in rows),
                unlocks_at=_unlocks_at(rows, limit),
                others=sorted({other(row) for row in rows if other(row)}),
            )
        )
    locked.sort(key=lambda lockout: lockout.last_attempt, reverse=True)
    return locked


def current_lockouts(
    *, now: datetime.datetime | None = None
) -> tuple[list[Lockout], list[Lockout]]:
    """(locked accounts, locked addresses), latest first, as django-axes judges them now."""
    now = now or timezone.now()
    limit = settings.AXES_FAILURE_LIMIT
    attempts = list(
        AccessAttempt.objects.filter(attempt_time__gte=now - _cooloff()).only(
            "username", "ip_address", "failures_since_start", "attempt_time"
        )
    )
    accounts = _group(attempts, lambda a: a.username, lambda a: a.ip_address, limit)
    addresses = _group(attempts, lambda a: a.ip_address, lambda a: a.username, limit)
    users = get_user_model().objects.in_bulk(
        [lockout.key for lockout in accounts], field_name="username"
    )
    for lockout in accounts:
        lockout.user = users.get(lockout.key)
    return accounts, addresses


def users_matching(query: str):
    """Active users whose login name or full name contains ``query`` (at most SEARCH_LIMIT)."""
    query = (query or "").strip()
    if not query:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(
            Q(username__icontains=query) | Q(full_name__icontains=query), is_active=True
        )
        .order_by("username")[:SEARCH_LIMIT]
    )
