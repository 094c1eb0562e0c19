"""The department moves the deadline and grants extensions; both are recorded."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from appraisal.enums import ApplicationState
from appraisal.services.applications import application_transition
from campaigns import services
from campaigns.models import SHANGHAI, Campaign, DeadlineChange, Extension

from ..factories import ApplicationFactory, CampaignFactory

pytestmark = pytest.mark.django_db

YEAR = 2026
URL = "appraisal:deadline.manage"


@pytest.fixture
def campaign(db):
    return CampaignFactory(year=YEAR)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime.datetime(YEAR, 9, 20, 9, 0, tzinfo=SHANGHAI), tick=False):
        yield


def test_move_deadline_records_old_new_who_and_why(client, district, campaign):
    client.force_login(district.department)
    response = client.post(
        reverse(URL),
        {"move_deadline": "", "new_deadline": "2026-10-08T23:59:59", "reason": "国庆假期顺延"},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.application_deadline == datetime.datetime(
        YEAR, 10, 8, 23, 59, 59, tzinfo=SHANGHAI
    )
    change = DeadlineChange.objects.get()
    assert change.old_deadline == datetime.datetime(YEAR, 9, 30, 23, 59, 59, tzinfo=SHANGHAI)
    assert (change.changed_by, change.reason) == (district.department, "国庆假期顺延")
    page = client.get(reverse(URL)).content.decode()
    assert "国庆假期顺延" in page and "2026年10月8日 23:59" in page


def test_moved_deadline_lets_every_organization_submit_later(district, campaign):
    services.campaign_deadline_move(
        user=district.department,
        campaign=campaign,
        new_deadline=datetime.datetime(YEAR, 10, 8, 23, 59, 59, tzinfo=SHANGHAI),
        reason="顺延",
    )
    application = ApplicationFactory(campaign=campaign, organization=district.branch)
    with time_machine.travel(datetime.datetime(YEAR, 10, 8, 23, 59, 59, tzinfo=SHANGHAI)):
        application_transition(
            application=application, transition="submit", actor=district.branch_secretary.user
        )
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED


@pytest.mark.parametrize(
    "data",
    [
        {"new_deadline": "2026-10-08T23:59", "reason": "  "},
        {"new_deadline": "not a date", "reason": "原因"},
        {"new_deadline": "2026-01-01T00:00", "reason": "早于活动开始"},
        {"new_deadline": "2026-09-30T23:59:59", "reason": "没有变化"},
    ],
)
def test_move_deadline_bad_input_changes_nothing(client, district, campaign, data):
    client.force_login(district.department)
    response = client.post(reverse(URL), {"move_deadline": "", **data})
    assert response.status_code == 400
    assert 'class="invalid-feedback' in response.content.decode()
    assert not DeadlineChange.objects.exists()
    assert Campaign.objects.get().application_deadline == datetime.datetime(
        YEAR, 9, 30, 23, 59, 59, tzinfo=SHANGHAI
    )


def test_grant_extension_by_organization_code(client, district, campaign):
    client.force_login(district.department)
    response = client.post(
        reverse(URL),
        {
            "grant_extension": "",
            "organization": district.branch.code,
            "deadline": "2026-10-15T23:59:59",
            "reason": "企业停产检修",
        },
    )
    assert response.status_code == 302
    extension = Extension.objects.get()
    assert (extension.organization, extension.granted_by) == (district.branch, district.department)
    page = client.get(reverse(URL)).content.decode()
    assert f'data-extension="{district.branch.code}"' in page


@pytest.mark.parametrize(
    ("organization", "deadline", "message"),
    [
        ("NO-SUCH-CODE", "2026-10-15T23:59", "没有该组织代码或名称的党组织"),
        (None, "2026-09-25T23:59", "必须晚于活动规定的截止时间"),
        (None, "", "必填"),
    ],
)
def test_grant_extension_bad_input_changes_nothing(
    client, district, campaign, organization, deadline, message
):
    client.force_login(district.department)
    response = client.post(
        reverse(URL),
        {
            "grant_extension": "",
            "organization": organization or district.branch.code,
            "deadline": deadline,
            "reason": "原因",
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Extension.objects.exists()


@pytest.mark.parametrize("who", ["secretary", "member"])
def test_deadline_page_only_for_the_department(client, district, campaign, who):
    client.force_login(getattr(district, who).user)
    assert client.get(reverse(URL)).status_code == 403
    response = client.post(
        reverse(URL), {"move_deadline": "", "new_deadline": "2026-10-08T23:59", "reason": "想延"}
    )
    assert response.status_code == 403
    assert not DeadlineChange.objects.exists()


def test_secretary_cannot_grant_extension_through_the_service(district, campaign):
    with pytest.raises(PermissionDenied):
        services.extension_grant(
            user=district.secretary.user,
            campaign=campaign,
            organization=district.branch,
            deadline=datetime.datetime(YEAR, 10, 15, tzinfo=SHANGHAI),
            reason="自己延",
        )
    assert not Extension.objects.exists()
