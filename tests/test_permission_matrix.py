"""The permission matrix: every URL pattern × every role.

Walks every pattern Django's URL resolver knows (so a new page is covered
automatically), fills its parameters with objects that belong to the branch
of one organization tree — or to another member of it — and checks what each
role gets: anonymous, a member of that branch, its secretary, the secretary
of an unrelated organization and Organization Department staff. Refused POSTs
must change nothing. A pattern without an expectation fails, and so does an
expectation whose pattern is gone.

The expectations are in tests/permission_matrix/expectations.py; the world in
tests/permission_matrix/world.py.
"""

from __future__ import annotations

import os

import pytest
from django.db import transaction
from django.test import override_settings

from .permission_matrix.expectations import EXPECTATIONS, OTHER_OBJECTS, rule_for
from .permission_matrix.harness import (
    DENIED,
    ROLES,
    accepts_post,
    build_url,
    classify,
    client_for,
    difference,
    login_paths,
    matches,
    show,
    snapshot,
    watched_tables,
)
from .permission_matrix.params import NoParameterValue, fill
from .permission_matrix.walk import walk_patterns
from .permission_matrix.world import build_world

# PERMISSION_MATRIX_OBSERVE=1: report what every role gets (GET and an empty POST) for
# every pattern instead of checking, to write or review the table.
OBSERVE = bool(os.environ.get("PERMISSION_MATRIX_OBSERVE"))
PATTERNS = walk_patterns()
PATTERN_KEYS = [pattern.key for pattern in PATTERNS]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at its end;
    each test runs in its own savepoint (the ``db`` fixture), so a page that writes
    leaves the next test's world untouched."""
    media = tmp_path_factory.mktemp("permission-matrix-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        w = build_world()
        w.media_root = media
        # Signed in once (the sessions live in the module's transaction); each
        # test puts these cookies back, so a logout in one test does not sign
        # the role out for the next.
        w.clients = {role: client_for(user) for role, user in users_of(w).items()}
        w.cookies = {
            role: {name: morsel.value for name, morsel in client.cookies.items()}
            for role, client in w.clients.items()
        }
        yield w
        transaction.set_rollback(True)


@pytest.fixture
def matrix_world(world, db, settings):
    settings.MEDIA_ROOT = world.media_root
    return world


def clients_for(world) -> dict:
    """The module's clients, each with its role's session cookie put back."""
    for role, client in world.clients.items():
        client.cookies.clear()
        for name, value in world.cookies[role].items():
            client.cookies[name] = value
    return world.clients


def users_of(world) -> dict:
    return {
        "anonymous": None,
        "member": world.member.user,
        "secretary": world.secretary.user,
        "other_secretary": world.other_secretary.user,
        "department": world.department,
    }


def observe_posts(clients, url, target, logins) -> list[str]:
    tables = watched_tables()
    found = []
    for role in ROLES:
        before = snapshot(tables, target)
        outcome = classify(clients[role].post(url, {}), logins)
        changed = difference(before, snapshot(tables, target))
        found.append(f"{outcome} CHANGED {changed}" if changed else outcome)
    return found


def test_every_url_pattern_has_an_expectation():
    missing = [key for key in PATTERN_KEYS if expectation_for_key(key) is None]
    assert not missing, (
        "URL patterns without an entry in tests/permission_matrix/expectations.py "
        "(run this module to see what each role gets now):\n  " + "\n  ".join(missing)
    )


def expectation_for_key(key):
    return EXPECTATIONS.get(key) or rule_for(key)


def test_expectation_table_names_only_existing_patterns():
    stale = sorted(set(EXPECTATIONS) - set(PATTERN_KEYS))
    assert not stale, "Expectations for URL patterns that no longer exist:\n  " + "\n  ".join(stale)


@pytest.mark.parametrize("key", PATTERN_KEYS)
def test_url_gives_each_role_what_it_should(key, matrix_world):
    check(PATTERNS[PATTERN_KEYS.index(key)], matrix_world, expectation_for_key(key))


@pytest.mark.parametrize(("key", "attribute"), list(OTHER_OBJECTS))
def test_url_on_other_objects_gives_each_role_what_it_should(key, attribute, matrix_world):
    """The same pages on a second kind of object (e.g. another member's personal plan)."""
    if key not in PATTERN_KEYS:
        pytest.fail(f"OTHER_OBJECTS names {key}, which no longer exists")
    check(
        PATTERNS[PATTERN_KEYS.index(key)],
        matrix_world,
        OTHER_OBJECTS[key, attribute],
        attribute=attribute,
    )


def check(pattern, world, expect, attribute=None):
    key = pattern.key
    try:
        values, target = fill(pattern, world, attribute=attribute)
    except NoParameterValue as error:
        pytest.fail(str(error))
    url = build_url(pattern, values)
    logins = login_paths()

    clients = clients_for(world)
    wanted = (
        ROLES
        if expect is None or OBSERVE
        else [
            role for role, expected in zip(ROLES, expect.get, strict=True) if expected is not None
        ]
    )
    observed = {role: classify(clients[role].get(url), logins) for role in wanted}
    if expect is None or OBSERVE:
        pytest.fail(
            f"{key} ({url}): {'observed' if expect else 'no expectation'}. Now:\n"
            + (
                f'    "{key}": E({", ".join(repr(observed[r]) for r in ROLES)}, '
                f"post=({', '.join(map(repr, observe_posts(clients, url, target, logins)))})),"
            )
        )

    problems = [
        f"GET {url} as {role}: expected {show(expected)}, got {observed[role]!r}"
        for role, expected in zip(ROLES, expect.get, strict=True)
        if expected is not None and not matches(expected, observed[role])
    ]

    tables = watched_tables()
    posts = accepts_post(pattern.callback)
    for index, role in enumerate(ROLES):
        expected = expect.post_for(index)
        if expected is None or not posts:
            continue
        refused = isinstance(expected, str) and expected in DENIED
        before = snapshot(tables, target) if refused else None
        outcome = classify(clients[role].post(url, {}), logins)
        if not matches(expected, outcome):
            problems.append(f"POST {url} as {role}: expected {show(expected)}, got {outcome!r}")
        if refused:
            changed = difference(before, snapshot(tables, target))
            if changed:
                problems.append(f"POST {url} as {role} was refused but changed: {changed}")

    assert not problems, f"{key}:\n  " + "\n  ".join(problems)
