"""Requests, outcomes and "did anything change" snapshots for the permission matrix."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse

ROLES = ("anonymous", "member", "secretary", "other_secretary", "department")
DENIED = frozenset({"login", "403", "404", "405"})
# Apps whose rows a refused request may legitimately add: sessions, lock-out
# bookkeeping, content types created on first use, background-task rows.
UNWATCHED_APPS = frozenset({"sessions", "axes", "contenttypes", "django_tasks_database"})

ANY = "*"  # in ``post=``: a role that may act; its POST is sent but only checked for no 500


@dataclass(frozen=True)
class Expect:
    """What each role gets from one URL.

    ``get``: outcome per role, in ROLES order. Outcomes: ``login`` (redirect to a
    login page), ``403``, ``404``, ``405``, ``ok`` (200), ``redirect`` (a redirect
    elsewhere than a login page), or a set of these where the page legitimately
    answers more than one way.
    ``post``: outcome per role of a POST with empty data; by default a role that
    GET refuses (login / 403 / 404) must be refused the same way. Use ``None``
    for a role not to POST as, ANY for a role that may act (only a 500 fails).
    Every refused POST must leave the database as it was.
    """

    get: tuple
    post: tuple | None = None

    def post_for(self, index: int):
        if self.post is not None:
            return self.post[index]
        expected = self.get[index]
        if isinstance(expected, str) and expected in {"login", "403", "404"}:
            return expected
        return None


def accepts_post(callback) -> bool:
    """False for a class-based view without a POST handler (a POST gets 405 before
    anything else happens, so there is nothing to check)."""
    view_class = getattr(callback, "view_class", None)
    if view_class is None:
        return True
    return "post" in view_class.http_method_names and hasattr(view_class, "post")


def E(anonymous, member, secretary, other_secretary, department, *, post=None) -> Expect:
    return Expect(get=(anonymous, member, secretary, other_secretary, department), post=post)


def matches(expected, observed: str) -> bool:
    if expected == ANY:
        return not observed.startswith("500")
    if isinstance(expected, (set, frozenset)):
        return observed in expected
    return observed == expected


def show(expected) -> str:
    if isinstance(expected, (set, frozenset)):
        return "{" + ", ".join(sorted(map(repr, expected))) + "}"
    return repr(expected)


# ---------------------------------------------------------------------------- outcomes


def login_paths() -> set[str]:
    paths = {reverse("login")}
    with contextlib.suppress(NoReverseMatch):
        paths.add(reverse("admin:login"))
    return paths


def classify(response, logins: set[str]) -> str:
    if response.streaming:
        # Reading it to the end lets the test client close the file the way a
        # server would (closing it here would fire request_finished, which closes
        # the database connection on PostgreSQL).
        b"".join(response.streaming_content)
    status = response.status_code
    if status in {301, 302, 303, 307, 308}:
        path = urlsplit(response["Location"]).path
        return "login" if path in logins else "redirect"
    if status == 200:
        return "ok"
    if status >= 500:
        exc = getattr(response, "exc_info", None)
        detail = f" {exc[0].__name__}: {exc[1]}" if exc else ""
        return f"500{detail}"
    return str(status)


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


# ---------------------------------------------------------------------------- URLs

_ROUTE_PARAM = re.compile(r"<(?:[^>:]+:)?(\w+)>")
_REGEX_PARAM = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def build_url(pattern, values: dict) -> str:
    """The URL of ``pattern`` with ``values``: reverse() for named patterns, else the route."""
    if pattern.name:
        return reverse(pattern.name, kwargs=values)
    route = _ROUTE_PARAM.sub(lambda m: str(values[m.group(1)]), pattern.route)
    route = _REGEX_PARAM.sub(lambda m: str(values[m.group(1)]), route)
    return "/" + route.replace("^", "").replace("$", "")


# ---------------------------------------------------------------------------- snapshots


def watched_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in UNWATCHED_APPS
        and model._meta.managed
        and not model._meta.proxy
    )


def snapshot(tables: list[str], obj=None) -> dict:
    """Row counts of every watched table (one query) and the fields of ``obj``."""
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        counts = dict(zip(tables, cursor.fetchone(), strict=True))
    state = {"counts": counts}
    if obj is not None:
        state["object"] = type(obj)._base_manager.filter(pk=obj.pk).values().first()
    return state


def difference(before: dict, after: dict) -> str:
    changed = [
        f"{table}: {before['counts'][table]} → {after['counts'][table]}"
        for table in before["counts"]
        if before["counts"][table] != after["counts"][table]
    ]
    if before.get("object") != after.get("object"):
        changed.append(f"object: {before.get('object')} → {after.get('object')}")
    return "; ".join(changed)
