"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live_server.

pytest-playwright cannot download its own browser here, so the launch points at
/usr/bin/chromium; without it the browser tests are skipped, not failed.
"""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module", autouse=True)
def _allow_orm_beside_playwright():
    """Playwright's sync API runs an event loop in the test's thread, yet the test
    and the database set-up and flush around it still use the ORM.

    Module-scoped so it outlives each test's database teardown, and undone after
    the browser tests: it must not leak into other tests (``check --deploy``
    rejects it).
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def playwright(django_db_setup, playwright):
    """pytest-playwright's ``playwright``, started only once the test database exists.

    Creating (and at the end destroying) the test database uses the ORM, which
    refuses to run beside Playwright's event loop.
    """
    return playwright


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Without it Chromium sends Accept-Language: en-US and the portal answers in English.
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.fixture
def requests_seen(page):
    """Every URL the page requests, to prove nothing goes to another host."""
    urls = []
    page.on("request", lambda request: urls.append(request.url))
    return urls
