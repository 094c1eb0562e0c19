"""The department finds an organization for a list's filter by typing, not by scrolling 5,000."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from campaigns.services import ensure_department_group

from ..factories import ApplicationFactory, CampaignFactory
from .test_csp import log_in

pytestmark = pytest.mark.browser


def test_department_filters_applications_by_a_looked_up_organization(page, live_server, district):
    campaign = CampaignFactory()
    ApplicationFactory(campaign=campaign, organization=district.branch, main_deeds="甲")
    ApplicationFactory(campaign=campaign, organization=district.other_branch, main_deeds="乙")
    district.department.groups.add(ensure_department_group())
    log_in(page, live_server, "dept")
    page.goto(f"{live_server.url}{reverse('appraisal:application.list')}")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)

    search = page.get_by_label("查找党组织")
    search.fill("乙公司")
    expect(page.get_by_text("找到 2 个党组织，请在下方选择")).to_be_visible()
    choice = page.locator("select[name=organization]")
    choice.select_option(label=f"乙公司党委（{district.other_committee.code}）")
    page.get_by_role("button", name="搜索").click()

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("乙公司党支部")
    expect(choice).to_have_value(str(district.other_committee.pk))

    search.fill("没有这个")
    expect(page.get_by_text("没有找到符合的党组织")).to_be_visible()
