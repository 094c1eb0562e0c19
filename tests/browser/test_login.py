import re

import pytest
from playwright.sync_api import expect

from ..factories import PASSWORD, CampaignFactory

pytestmark = pytest.mark.browser

LOGOUT_BUTTON = "form[action='/accounts/logout/'] button"


def only_local(urls, live_server):
    return [url for url in urls if not url.startswith(f"{live_server.url}/")]


def log_in(page, username):
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_member_logs_in_sees_five_ones_switches_language_and_logs_out(
    page, live_server, district, requests_seen
):
    CampaignFactory()
    page.goto(f"{live_server.url}/")

    # Redirected to the login page, in Chinese.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_label("用户名")).to_be_visible()
    log_in(page, "mem")

    # The member's home with their “五个一”.
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#five-ones-title")).to_be_visible()
    expect(page.locator("[data-five-one]")).to_have_count(5)
    expect(page.locator(".five-ones progress")).to_have_attribute("value", "0")
    expect(page.locator("main .portal-eyebrow")).to_have_text("甲公司第一党支部")

    # English, then back to Chinese, staying on the same page.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("#five-ones-title")).to_contain_text("Five ones")
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")

    # Log out through the user menu.
    page.get_by_role("button", name=district.member.user.full_name).click()
    page.locator(LOGOUT_BUTTON).click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))

    assert len(requests_seen) > 5
    assert only_local(requests_seen, live_server) == []


def test_member_pages_fit_a_375_pixel_phone(page, live_server, district, requests_seen):
    CampaignFactory()
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/")
    log_in(page, "mem")
    expect(page.locator("#five-ones-title")).to_be_visible()

    # Nothing wider than the screen: no sideways scrolling with one hand.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # The menu folds behind the toggler; logging out still works from there.
    expect(page.locator(LOGOUT_BUTTON)).to_be_hidden()
    page.locator(".navbar-toggler").click()
    # Wait for the collapse animation to finish before using what it reveals.
    expect(page.locator("#portal-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    page.get_by_role("button", name=district.member.user.full_name).click()
    expect(page.locator(LOGOUT_BUTTON)).to_be_visible()
    page.locator(LOGOUT_BUTTON).click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    assert only_local(requests_seen, live_server) == []
