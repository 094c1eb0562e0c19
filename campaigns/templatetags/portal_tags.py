"""Template filters and tags for the portal's pages.

Dates the Chinese way (2026年9月30日, 周三), 24-hour times, Beijing time; in
English the same dates read "30 Sep 2026, Wed". Numbers carry translatable
units (人, 个, 小时, 次).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import npgettext

from appraisal.enums import ApplicationState
from campaigns import selectors
from campaigns.models import SHANGHAI
from campaigns.rules import scope_for

register = template.Library()

# Formatting tables, not messages: each language's own way of writing a date.
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _chinese() -> bool:
    return (translation.get_language() or "zh-hans").lower().startswith("zh")


def _local(value) -> datetime.date | datetime.datetime | None:
    """A datetime in Beijing time, or a plain date; None for anything else."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(SHANGHAI) if timezone.is_aware(value) else value
    if isinstance(value, datetime.date):
        return value
    return None


def _date_text(day: datetime.date) -> str:
    if _chinese():
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def _weekday_text(day: datetime.date) -> str:
    return (WEEKDAYS_ZH if _chinese() else WEEKDAYS_EN)[day.weekday()]


@register.filter
def cn_date(value, arg=""):
    """2026年9月30日 (zh) / 30 Sep 2026 (en).

    With "weekday": 2026年9月30日 周三 / 30 Sep 2026, Wed.
    """
    local = _local(value)
    if local is None:
        return ""
    text = _date_text(local)
    if arg == "weekday":
        separator = " " if _chinese() else ", "
        text = f"{text}{separator}{_weekday_text(local)}"
    return text


@register.filter
def cn_weekday(value):
    """周三 (zh) / Wed (en)."""
    local = _local(value)
    return "" if local is None else _weekday_text(local)


@register.filter
def cn_time(value):
    """24-hour time in Beijing time: 23:59."""
    local = _local(value)
    if not isinstance(local, datetime.datetime):
        return ""
    return f"{local:%H:%M}"


@register.filter
def cn_datetime(value):
    """2026年9月30日 23:59 (zh) / 30 Sep 2026 23:59 (en)."""
    local = _local(value)
    if local is None:
        return ""
    if not isinstance(local, datetime.datetime):
        return _date_text(local)
    return f"{_date_text(local)} {local:%H:%M}"


@register.filter
def countdown_days(value):
    """Whole days left until a deadline, counted in Beijing calendar days.

    0 means the deadline is today; None means it has passed (or there is none).
    """
    local = _local(value)
    if local is None:
        return None
    if isinstance(local, datetime.datetime):
        if timezone.is_aware(local) and timezone.now() >= local:
            return None
        local = local.date()
    days = (local - selectors.today()).days
    return days if days >= 0 else None


@register.filter
def num(value):
    """A number without a useless fraction: 12.0 → 12, 2.50 → 2.5."""
    if value is None or value == "":
        return "0"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def _units(count):
    return {
        "people": npgettext("unit", "person", "people", count),
        "organizations": npgettext("unit", "organization", "organizations", count),
        "hours": npgettext("unit", "hour", "hours", count),
        "sessions": npgettext("unit", "session", "sessions", count),
        "days": npgettext("unit", "day", "days", count),
        "plans": npgettext("unit", "plan", "plans", count),
        "applications": npgettext("unit", "application", "applications", count),
        "items": npgettext("unit", "item", "items", count),
    }


@register.filter
def unit(value, kind):
    """The unit word for a number: {{ n }} {{ n|unit:"people" }} → 12 人 / 12 people."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = Decimal(0)
    count = int(number) if number == number.to_integral_value() else 2
    return _units(count).get(kind, "")


@register.filter
def percent_of(part, whole):
    """Whole-number percentage of ``part`` in ``whole`` (0 when ``whole`` is 0)."""
    try:
        return round(100 * Decimal(part) / Decimal(whole)) if whole else 0
    except (InvalidOperation, ValueError, TypeError):
        return 0


# Bootstrap badge classes for application states (草稿, 已提交, 退回修改, 已推荐, 已表彰 …).
STATE_CLASSES = {
    ApplicationState.DRAFT: "text-bg-secondary",
    ApplicationState.SUBMITTED: "text-bg-primary",
    ApplicationState.UNDER_REVIEW: "text-bg-info",
    ApplicationState.RETURNED: "text-bg-warning",
    ApplicationState.RESUBMITTED: "text-bg-primary",
    ApplicationState.RECOMMENDED: "text-bg-success",
    ApplicationState.NOT_RECOMMENDED: "text-bg-dark",
    ApplicationState.COMMENDED: "badge-commended",
}


@register.filter
def state_class(state):
    return STATE_CLASSES.get(state, "text-bg-secondary")


@register.simple_tag(takes_context=True)
def portal_scope(context):
    """The signed-in user's role and organization (None without a request)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return scope_for(user) if user is not None else None


@register.simple_tag
def portal_languages():
    """The languages as settings name them, each in its own language (中文, English)."""
    return settings.LANGUAGES


@register.simple_tag
def portal_today():
    return selectors.today()


@register.inclusion_tag("partials/deadline.html")
def deadline_countdown(deadline):
    """The deadline with its countdown: 距截止还有 N 天 / 今天截止 / 已截止."""
    return {"deadline": deadline, "days": countdown_days(deadline)}


@register.simple_tag(takes_context=True)
def nav_active(context, *url_name_prefixes):
    """ " active" when the current page's URL name starts with one of the prefixes.

    Prefixes are "namespace:name" without the action, e.g. "learning:plan." or
    "learning:note.list".
    """
    match = getattr(context.get("request"), "resolver_match", None)
    if match is None:
        return ""
    current = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    return " active" if any(current.startswith(prefix) for prefix in url_name_prefixes) else ""
