"""The secretary's journey, second half: record a “支部党员大会” with attendees.

Every member is ticked for a new activity; the secretary unticks the one absentee,
records the meeting and finds it in the activity list with its attendee count.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from learning.models import Attendance, StudyActivity

from ..factories import PASSWORD, CampaignFactory

pytestmark = pytest.mark.browser

TOPIC = "支部党员大会：学习贯彻党的二十大精神"


def log_in(page, username):
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_secretary_records_branch_general_meeting_with_one_absentee(
    page, live_server, district, requests_seen
):
    campaign = CampaignFactory()
    absentee = district.fellow
    page.goto(f"{live_server.url}/learning/activities/new/")
    log_in(page, "branchsec")

    # Back on the form after logging in, in Chinese, for the secretary's branch.
    expect(page).to_have_url(re.compile(r"/learning/activities/new/$"))
    expect(page.locator("main .portal-eyebrow")).to_contain_text("甲公司第一党支部")

    # The form's select groups the 三会一课 meetings apart from the forms of study.
    form_select = page.get_by_label("形式")
    expect(form_select.locator("optgroup")).to_have_count(2)
    form_select.select_option(label="支部党员大会")
    page.get_by_label("主题").fill(TOPIC)
    page.get_by_label("日期").fill(timezone.localdate().isoformat())
    page.get_by_label("学时").fill("2")
    page.get_by_label("主讲人").fill("支部书记")
    page.get_by_label("会议记录").fill("应到3人，实到2人。会议学习了党的二十大报告。")

    # Every member is ticked; "select none" and "select all" work, then one absentee is unticked.
    attendees = page.locator("input[name=attendees]")
    ticked = page.locator("[data-attendees-ticked]")
    expect(attendees).to_have_count(3)
    expect(ticked).to_have_text("3")
    for index in range(3):
        expect(attendees.nth(index)).to_be_checked()
    page.locator("[data-attendees-none]").click()
    expect(ticked).to_have_text("0")
    page.locator("[data-attendees-all]").click()
    expect(ticked).to_have_text("3")
    page.get_by_label(absentee.user.full_name, exact=True).uncheck()
    expect(ticked).to_have_text("2")

    page.locator("[data-submit-once]").click()

    # The activity's page: two attended, the absentee listed as absent.
    expect(page).to_have_url(re.compile(r"/learning/activities/\d+/$"))
    expect(page.locator("h1")).to_have_text(TOPIC)
    expect(page.locator("[data-figure=attendee-count]")).to_have_text("2")
    expect(page.locator(f"[data-absentee='{absentee.pk}']")).to_have_text(absentee.user.full_name)

    # The list shows it, with its attendee count.
    page.goto(f"{live_server.url}/learning/activities/")
    row = page.locator("#activity-table tbody tr", has_text=TOPIC)
    expect(row).to_have_count(1)
    expect(row.locator("[data-figure=attendees]")).to_have_text(re.compile(r"^2\s*人$"))
    expect(row).to_contain_text("支部党员大会")

    activity = StudyActivity.objects.get(topic=TOPIC)
    assert activity.campaign == campaign
    assert set(
        Attendance.objects.filter(activity=activity).values_list("member_id", flat=True)
    ) == {
        district.branch_secretary.pk,
        district.member.pk,
    }
    assert [url for url in requests_seen if not url.startswith(f"{live_server.url}/")] == []
