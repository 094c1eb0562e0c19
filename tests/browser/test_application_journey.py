"""The 标兵申报 journey across two desks, in Chinese:

secretary submits → department returns with a comment → secretary revises and resubmits →
department stages 推荐 and releases it → department commends → the organization sees 已表彰.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appraisal.defaults import create_default_criteria
from appraisal.enums import ApplicationState, SelfAssessmentStatus
from appraisal.models import Application

from ..factories import CampaignFactory, SelfAssessmentFactory
from .test_login import log_in, only_local

pytestmark = pytest.mark.browser


def desk(browser, live_server, username):
    """A separate browser (own cookies) signed in as ``username``."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    log_in(page, username)
    return page


def state_badge(page):
    return page.locator("h1 + [data-state], [data-state]").first


def test_application_submitted_returned_resubmitted_recommended_commended(
    page, browser, live_server, district, requests_seen
):
    campaign = CampaignFactory(application_deadline=timezone.now() + datetime.timedelta(days=20))
    create_default_criteria(campaign)
    SelfAssessmentFactory(
        campaign=campaign, organization=district.branch, status=SelfAssessmentStatus.COMPLETED
    )

    # The branch secretary starts the form for the branch and saves a draft.
    page.goto(f"{live_server.url}/appraisal/applications/new/")
    log_in(page, "branchsec")
    expect(page.get_by_role("heading", level=1)).to_contain_text("新建")
    page.get_by_label("学习型党组织标兵").check()
    page.locator("#id_main_deeds").fill("坚持每月集中学习两次，开展“我为企业发展献一计”活动。")
    page.locator("#id_organization_opinion").fill("情况属实，同意推荐。")
    page.get_by_role("button", name="保存草稿").click()
    expect(page).to_have_url(re.compile(r"/appraisal/applications/\d+/$"))
    expect(page.locator("[data-state]").first).to_have_text("草稿")
    expect(page.locator(".portal-deadline")).to_contain_text("距截止还有")

    page.locator("[data-action='submit']").click()
    expect(page.locator("[data-state]").first).to_have_text("已提交")
    application = Application.objects.get()
    review_url = f"{live_server.url}/appraisal/review/{application.pk}/"

    # The department finds it in the review queue and returns it with a comment.
    dept = desk(browser, live_server, "dept")
    dept.goto(f"{live_server.url}/appraisal/review/")
    dept.locator(f"a[href^='/appraisal/review/{application.pk}/']").first.click()
    expect(dept).to_have_url(re.compile(rf"/appraisal/review/{application.pk}/"))
    dept.locator("#return textarea").fill("请补充学习成果应用于企业生产的具体事例。")
    dept.locator("#return button[type='submit']").click()
    expect(dept.locator(".alert-success")).to_be_visible()
    application.refresh_from_db()
    assert application.state == ApplicationState.RETURNED

    # The secretary reads the comment, revises the deeds and resubmits.
    page.reload()
    expect(page.locator("[data-state]").first).to_have_text("退回修改")
    expect(page.locator("[data-return-comment]")).to_contain_text("请补充学习成果应用")
    page.get_by_role("link", name="修改").click()
    page.locator("#id_main_deeds").fill(
        "坚持每月集中学习两次；“献一计”活动采纳建议12条，节约成本30万元。"
    )
    page.get_by_role("button", name="保存").click()
    page.locator("[data-action='resubmit']").click()
    expect(page.locator("[data-state]").first).to_have_text("已重新提交")
    expect(page.locator("#history [data-history]")).to_have_count(4)

    # The department stages 推荐, then releases the staged decisions together.
    dept.goto(review_url)
    dept.locator("#decision").get_by_label("推荐", exact=True).check()
    dept.locator("#decision button[type='submit']").click()
    expect(dept.locator(".alert-success")).to_be_visible()
    application.refresh_from_db()
    assert application.state == ApplicationState.UNDER_REVIEW  # staged, not yet released
    page.reload()
    expect(page.locator("[data-state]").first).to_have_text("审核中")

    dept.goto(f"{live_server.url}/appraisal/review/release/?campaign={campaign.year}")
    dept.get_by_role("button", name=re.compile("发布")).click()
    application.refresh_from_db()
    assert application.state == ApplicationState.RECOMMENDED

    # And commends it from the queue.
    dept.goto(f"{live_server.url}/appraisal/review/?state=recommended")
    dept.locator(f"#select-{application.pk}").check()
    dept.locator("#bulk-action").select_option("commend")
    dept.locator(".review-bulk button[type='submit']").click()
    expect(dept.locator(".alert-success")).to_be_visible()

    page.reload()
    expect(page.locator("[data-state]").first).to_have_text("已表彰")
    steps = page.locator("#history [data-history]")
    expect(steps).to_have_count(7)
    expect(steps.last).to_contain_text("已表彰")
    assert only_local(requests_seen, live_server) == []
