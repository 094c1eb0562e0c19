"""The secretary's journey, first half: file the organization's annual study plan."""

import re

import pytest
from playwright.sync_api import expect

from learning.models import StudyPlan

from ..factories import CampaignFactory
from .test_login import log_in, only_local

pytestmark = pytest.mark.browser


def test_secretary_files_an_annual_plan_with_two_sessions(
    page, live_server, district, requests_seen
):
    campaign = CampaignFactory()
    page.goto(f"{live_server.url}/learning/plans/")
    log_in(page, "sec")
    expect(page).to_have_url(f"{live_server.url}/learning/plans/")

    # The organization still lacks its annual plan: the list says so and links to the form.
    missing = page.locator(
        f"[data-missing-organization='{district.committee.pk}'] [data-missing='org_annual']"
    )
    expect(missing).to_be_visible()
    missing.click()
    expect(page).to_have_url(re.compile(r"/learning/plans/new/\?organization=\d+&kind=org_annual"))
    expect(page.locator("#id_organization")).to_have_value(str(district.committee.pk))
    expect(page.locator("#id_kind")).to_have_value("org_annual")

    # Three blank rows; the script adds a fourth on request.
    expect(page.locator("[data-formset-row]")).to_have_count(3)
    page.locator("[data-formset-add]").click()
    expect(page.locator("[data-formset-row]")).to_have_count(4)
    expect(page.locator("#id_items-TOTAL_FORMS")).to_have_value("4")

    page.locator("#id_key_content").fill("1. 学习党章党规\n2. 学习“双争”活动通知")
    sessions = [
        ("学习党章党规", f"{campaign.year}-03-15", "concentrated_study", "张书记", "2"),
        ("科技创新专题讲座", f"{campaign.year}-06-20", "lecture", "李教授", "1.5"),
    ]
    for index, (topic, date, form, speaker, hours) in enumerate(sessions):
        page.locator(f"#id_items-{index}-topic").fill(topic)
        page.locator(f"#id_items-{index}-scheduled_on").fill(date)
        page.locator(f"#id_items-{index}-form").select_option(form)
        page.locator(f"#id_items-{index}-speaker").fill(speaker)
        page.locator(f"#id_items-{index}-hours").fill(hours)
    page.locator("[data-action='save-plan']").click()

    # A draft with its two sessions, dates the Chinese way.
    expect(page).to_have_url(re.compile(r"/learning/plans/\d+/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("[data-status='draft']")).to_be_visible()
    rows = page.locator("#plan-items tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("学习党章党规")
    expect(rows.first).to_contain_text(f"{campaign.year}年3月15日")
    expect(page.locator("[data-figure='total-hours']")).to_contain_text("3.5")

    # File it: read-only from now on.
    page.locator("[data-action='file']").click()
    expect(page.locator("[data-status='filed']")).to_be_visible()
    expect(page.locator("[data-action='edit']")).to_have_count(0)
    expect(page.locator("[data-action='file']")).to_have_count(0)
    expect(page.locator("[data-action='reopen']")).to_be_visible()
    detail_url = page.url

    # Even the edit address sends the secretary back to the filed plan with a warning.
    plan = StudyPlan.objects.get()
    page.goto(f"{live_server.url}/learning/plans/{plan.pk}/edit/")
    expect(page).to_have_url(detail_url)
    expect(page.locator(".alert-warning")).to_be_visible()
    expect(page.locator("#plan-items tbody tr")).to_have_count(2)

    assert plan.status == "filed"
    assert plan.organization == district.committee
    assert plan.items.count() == 2
    assert only_local(requests_seen, live_server) == []
