"""The strict Content-Security-Policy holds on every role's key pages: no inline script,
style or event handler is blocked, so nothing on the page silently stops working."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from campaigns.services import ensure_department_group

from ..factories import PASSWORD, CampaignFactory

pytestmark = pytest.mark.browser

# Injected by Playwright before any page script; CSP does not apply to it.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || document.location.href}:${event.lineNumber}`
  );
});
"""

PAGES = {
    "dept": [
        "/",
        reverse("appraisal:dashboard"),
        reverse("appraisal:review.queue"),
        reverse("appraisal:application.list"),
        reverse("appraisal:annual.list"),
        reverse("security.overview"),
        reverse("admin:index"),
        reverse("admin:campaigns_organization_changelist"),
    ],
    "sec": [
        "/",
        reverse("learning:activity.list"),
        reverse("appraisal:application.list"),
    ],
    "mem": [
        "/",
        reverse("learning:note.list"),
        reverse("learning:note.create"),
    ],
}


@pytest.fixture
def watched_page(page):
    """The page, recording CSP violations (events and console reports)."""
    console = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.console_csp = console
    return page


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_label("用户名")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/")


def violations(page):
    return page.evaluate("window.__cspViolations")


@pytest.mark.parametrize("username", ["dept", "sec", "mem"])
def test_key_pages_of_each_role_break_no_content_security_policy(
    watched_page, live_server, district, username
):
    CampaignFactory()
    district.department.groups.add(ensure_department_group())
    page = watched_page

    # The login page itself.
    page.goto(f"{live_server.url}/accounts/login/")
    assert violations(page) == []
    log_in(page, live_server, username)

    found = {}
    for path in PAGES[username]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("load")
        if violations(page):
            found[path] = violations(page)
    assert found == {}
    assert page.console_csp == []
