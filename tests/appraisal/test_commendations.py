"""The commendation list (表彰名单): generated from commended applications, published to all."""

import datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from appraisal.enums import ApplicationKind, ApplicationState
from appraisal.models import Commendation
from appraisal.services.commendations import (
    commendations_generate,
    commendations_publish,
    commendations_update,
)
from campaigns.models import SHANGHAI

from ..factories import ApplicationFactory, CampaignFactory, MemberFactory, OrganizationFactory

S = ApplicationState
YEAR = 2026
NOW = datetime.datetime(YEAR, 12, 1, 10, 0, tzinfo=SHANGHAI)
LIST = reverse("appraisal:commendation.list")
MANAGE = reverse("appraisal:commendation.manage")
PUBLISH = reverse("appraisal:commendation.publish")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def campaign(db):
    return CampaignFactory(year=YEAR)


def _app(district, campaign, state=S.COMMENDED, organization=None, member=None):
    return ApplicationFactory(
        campaign=campaign,
        organization=organization or (member.organization if member else district.branch),
        kind=ApplicationKind.MEMBER_MODEL if member else ApplicationKind.ORGANIZATION_MODEL,
        member=member,
        state=state,
        created_by=district.secretary.user,
    )


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_generate_only_from_commended_applications(district, campaign):
    member_app = _app(district, campaign, member=district.member)
    org_app = _app(district, campaign, organization=district.other_branch)
    first_org = _app(district, campaign, organization=district.committee)
    _app(district, campaign, S.RECOMMENDED, organization=district.branch)
    _app(district, campaign, S.UNDER_REVIEW, member=district.other_member)

    assert commendations_generate(campaign=campaign, actor=district.department) == 3
    entries = list(Commendation.objects.order_by("position"))
    # Organizations first, each kind by the organization tree.
    assert [e.application for e in entries] == [first_org, org_app, member_app]
    assert [e.title for e in entries] == ["学习型党组织标兵", "学习型党组织标兵", "学习型党员标兵"]
    assert [e.position for e in entries] == [1, 2, 3]
    assert all(e.published_at is None for e in entries)

    # Again: nothing new, nothing doubled.
    assert commendations_generate(campaign=campaign, actor=district.department) == 0
    late = _app(district, campaign, organization=district.other_committee)
    assert commendations_generate(campaign=campaign, actor=district.department) == 1
    assert Commendation.objects.get(application=late).position == 4


def test_reorder_puts_unpublished_entries_in_organization_order(district, campaign):
    first = _app(district, campaign, organization=district.committee)
    second = _app(district, campaign, organization=district.other_committee)
    commendations_generate(campaign=campaign, actor=district.department)
    entries = {e.application_id: e for e in Commendation.objects.all()}
    commendations_update(
        campaign=campaign,
        actor=district.department,
        changes={entries[first.pk].pk: (9, "学习成效突出"), entries[second.pk].pk: (3, "")},
    )
    assert list(
        Commendation.objects.order_by("position").values_list("application", flat=True)
    ) == [second.pk, first.pk]
    assert Commendation.objects.get(application=first).citation == "学习成效突出"

    commendations_generate(campaign=campaign, actor=district.department, reorder=True)
    assert list(
        Commendation.objects.order_by("position").values_list("application", "position")
    ) == [(first.pk, 1), (second.pk, 2)]


def test_commendation_services_only_for_department(district, campaign):
    _app(district, campaign)
    with pytest.raises(PermissionDenied):
        commendations_generate(campaign=campaign, actor=district.secretary.user)
    commendations_generate(campaign=campaign, actor=district.department)
    with pytest.raises(PermissionDenied):
        commendations_publish(campaign=campaign, actor=district.secretary.user)
    assert not Commendation.objects.filter(published_at__isnull=False).exists()


def test_published_entries_cannot_be_changed(district, campaign):
    _app(district, campaign)
    commendations_generate(campaign=campaign, actor=district.department)
    commendations_publish(campaign=campaign, actor=district.department)
    entry = Commendation.objects.get()
    with pytest.raises(ValidationError):
        commendations_update(
            campaign=campaign, actor=district.department, changes={entry.pk: (5, "改")}
        )
    entry.refresh_from_db()
    assert (entry.position, entry.citation) == (1, "")
    with pytest.raises(ValidationError):
        commendations_publish(campaign=campaign, actor=district.department)


def test_manage_page_generates_saves_and_publishes(client, district, campaign):
    application = _app(district, campaign, organization=district.committee)
    client.force_login(district.department)

    response = client.get(MANAGE)
    assert response.status_code == 200
    assert response.context["missing"] == 1

    response = client.post(MANAGE, {"action": "generate", "year": YEAR}, follow=True)
    assert "已向表彰名单添加 1 个条目。" in _messages(response)
    entry = Commendation.objects.get(application=application)

    response = client.post(
        MANAGE,
        {
            "action": "save",
            "year": YEAR,
            f"position_{entry.pk}": "0",
            f"citation_{entry.pk}": "x",
        },
    )
    assert response.status_code == 200  # the order must be at least 1
    entry.refresh_from_db()
    assert entry.citation == ""
    client.post(
        MANAGE,
        {
            "action": "save",
            "year": YEAR,
            f"position_{entry.pk}": "1",
            f"citation_{entry.pk}": "学习型党组织建设成效显著。",
        },
    )
    entry.refresh_from_db()
    assert entry.citation == "学习型党组织建设成效显著。"

    confirm = client.get(PUBLISH)
    assert confirm.status_code == 200
    assert "确认公布" in confirm.text
    entry.refresh_from_db()
    assert entry.published_at is None  # the confirmation page changes nothing

    response = client.post(PUBLISH, {"year": YEAR}, follow=True)
    assert response.redirect_chain[-1][0] == f"{LIST}?year={YEAR}"
    entry.refresh_from_db()
    assert entry.published_at is not None
    response = client.post(PUBLISH, {"year": YEAR}, follow=True)
    assert "表彰名单中没有待公布的新条目。" in _messages(response)


def test_manage_and_publish_forbidden_outside_the_department(client, district, campaign):
    _app(district, campaign)
    for user in (district.secretary.user, district.member.user):
        client.force_login(user)
        assert client.post(MANAGE, {"action": "generate", "year": YEAR}).status_code == 403
        assert client.post(PUBLISH, {"year": YEAR}).status_code == 403
    assert not Commendation.objects.exists()
    client.logout()
    assert client.get(MANAGE).status_code == 302


def test_list_shows_only_published_entries_to_members(client, district, campaign):
    _app(district, campaign, member=district.member)
    commendations_generate(campaign=campaign, actor=district.department)
    name = district.member.user.full_name

    client.force_login(district.other_member.user)
    response = client.get(LIST)
    assert response.status_code == 200
    assert name not in response.text
    assert "尚未公布" in response.text

    commendations_publish(campaign=campaign, actor=district.department)
    for user in (district.other_member.user, district.other_secretary.user, district.department):
        client.force_login(user)
        response = client.get(LIST)
        assert name in response.text
        assert "学习型党员标兵" in response.text
        assert "2026年度“双争”活动表彰名单" in response.text


def test_list_of_another_year(client, district, campaign):
    earlier = CampaignFactory(year=YEAR - 1)
    _app(district, earlier, organization=district.other_committee)
    commendations_generate(campaign=earlier, actor=district.department)
    commendations_publish(campaign=earlier, actor=district.department)
    client.force_login(district.member.user)
    assert district.other_committee.name not in client.get(LIST).text
    response = client.get(LIST, {"year": YEAR - 1})
    assert district.other_committee.name in response.text
    assert client.get(LIST, {"year": "abc"}).status_code == 200


def test_list_anonymous_redirected_to_login(client, district, campaign):
    response = client.get(LIST)
    assert response.status_code == 302


@pytest.mark.parametrize("rows", [1, 20])
def test_list_query_count_does_not_grow_with_rows(
    client, district, campaign, django_assert_num_queries, rows
):
    for number in range(rows):
        organization = OrganizationFactory(parent=district.committee)
        if number % 2:
            _app(district, campaign, member=MemberFactory(organization=organization))
        else:
            _app(district, campaign, organization=organization)
    commendations_generate(campaign=campaign, actor=district.department)
    commendations_publish(campaign=campaign, actor=district.department)
    client.force_login(district.member.user)
    client.get(LIST)
    with django_assert_num_queries(6):
        response = client.get(LIST)
    assert len(response.context["entries"]) == rows
