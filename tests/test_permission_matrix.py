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

import pytest
from django.db import transaction
from django.test import override_settings

from .permission_matrix.expectations import EXPECTATIONS, rule_for
from .permission_matrix.harness import (
    DENIED,
    ROLES,
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

PATTERNS = walk_patterns()
PATTERN_KEYS = [pattern.key for pattern in PATTERNS]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at its end;
    each test runs in its own savepoint (the ``db`` fixture), so a page that writes
    leaves the next test's world untouched."""
    media = tmp_path_factory.mktemp("permission-matrix-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            w = build_world()
            w.media_root = media
            yield w
            transaction.set_rollback(True)


@pytest.fixture
def matrix_world(world, db, settings):
    settings.MEDIA_ROOT = world.media_root
    return world


def users_of(world) -> dict:
    return {
        "anonymous": None,
        "member": world.member.user,
        "secretary": world.secretary.user,
        "other_secretary": world.other_secretary.user,
        "department": world.department,
    }


def expectation_for(pattern):
    return EXPECTATIONS.get(pattern.key) or rule_for(pattern.key)


def observe(pattern, world) -> dict:
    """GET as every role: {role: outcome}."""
    values, _target = fill(pattern, world)
    url = build_url(pattern, values)
    logins = login_paths()
    return {
        role: classify(client_for(user).get(url), logins)
        for role, user in users_of(world).items()
    }


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
    assert not stale, "Expectations for URL patterns that no longer exist:\n  " + "\n  ".join(
        stale
    )


@pytest.mark.parametrize("key", PATTERN_KEYS)
def test_url_gives_each_role_what_it_should(key, matrix_world):
    pattern = PATTERNS[PATTERN_KEYS.index(key)]
    world = matrix_world
    try:
        values, target = fill(pattern, world)
    except NoParameterValue as error:
        pytest.fail(str(error))
    url = build_url(pattern, values)
    expect = expectation_for(pattern)
    logins = login_paths()
    users = users_of(world)

    observed = {
        role: classify(client_for(user).get(url), logins) for role, user in users.items()
    }
    if expect is None:
        pytest.fail(
            f"{key} ({url}) has no expectation. What each role gets now:\n"
            f'    "{key}": E({", ".join(repr(observed[r]) for r in ROLES)}),'
        )

    problems = [
        f"GET {url} as {role}: expected {show(expected)}, got {observed[role]!r}"
        for role, expected in zip(ROLES, expect.get, strict=True)
        if not matches(expected, observed[role])
    ]

    tables = watched_tables()
    for index, role in enumerate(ROLES):
        expected = expect.post_for(index)
        if expected is None:
            continue
        refused = isinstance(expected, str) and expected in DENIED
        before = snapshot(tables, target) if refused else None
        outcome = classify(client_for(users[role]).post(url, {}), logins)
        if not matches(expected, outcome):
            problems.append(f"POST {url} as {role}: expected {show(expected)}, got {outcome!r}")
        if refused:
            changed = difference(before, snapshot(tables, target))
            if changed:
                problems.append(f"POST {url} as {role} was refused but changed: {changed}")

    assert not problems, f"{key}:\n  " + "\n  ".join(problems)
