"""The department's organization filter: a search box instead of a 5,000-option drop-down."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.enums import OrganizationKind
from campaigns.models import Organization

from ..factories import ApplicationFactory, CampaignFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

LOOKUP = reverse("organization.lookup")


def looked_up(client, user, text):
    client.force_login(user)
    response = client.get(LOOKUP, {"q": text})
    assert response.status_code == 200
    return [row["label"] for row in response.json()["results"]]


def test_lookup_finds_by_name_and_by_code_in_tree_order(client, district):
    assert looked_up(client, district.department, "公司党委") == [
        f"甲公司党委（{district.committee.code}）",
        f"乙公司党委（{district.other_committee.code}）",
    ]
    assert looked_up(client, district.department, district.branch.code.lower()) == [
        f"甲公司第一党支部（{district.branch.code}）"
    ]


def test_lookup_shows_a_secretary_only_their_subtree(client, district):
    assert looked_up(client, district.secretary.user, "党") == [
        f"甲公司党委（{district.committee.code}）",
        f"甲公司第一党支部（{district.branch.code}）",
    ]
    assert looked_up(client, district.other_secretary.user, "甲公司") == []


def test_lookup_shows_a_member_only_their_organization(client, district):
    assert looked_up(client, district.member.user, "公司") == [
        f"甲公司第一党支部（{district.branch.code}）"
    ]


def test_lookup_leaves_out_archived_organizations(client, district):
    Organization.objects.filter(pk=district.other_branch.pk).update(is_active=False)
    assert looked_up(client, district.department, "乙公司") == [
        f"乙公司党委（{district.other_committee.code}）"
    ]


@pytest.mark.parametrize("text", ["", "   ", "没有这个组织", "%", "_", "x" * 5000, "\x00"])
def test_lookup_of_nothing_or_odd_text_answers_an_empty_list(client, district, text):
    assert looked_up(client, district.department, text) == []


def test_lookup_ignores_nul_and_undecodable_bytes(client, district):
    assert looked_up(client, district.department, "乙公司\x00党委") == [
        f"乙公司党委（{district.other_committee.code}）"
    ]
    response = client.get(f"{LOOKUP}?q=%ED%A0%80%FF")
    assert response.json() == {"results": []}


def test_lookup_answers_at_most_twenty_in_one_query(client, district):
    for n in range(30):
        OrganizationFactory(name=f"丙公司第{n}党支部", parent=district.other_committee)
    client.force_login(district.department)
    client.get(LOOKUP, {"q": "warm"})  # the session and user are loaded once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LOOKUP, {"q": "丙公司"})
    assert len(response.json()["results"]) == 20
    assert len(queries) == 3  # session, user, the organizations


def test_lookup_needs_a_login(client, district):
    response = client.get(LOOKUP, {"q": "公司"})
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# ---------------------------------------------------------------- on the list pages

FILTERED_LISTS = ["appraisal:application.list", "appraisal:review.queue", "learning:activity.list"]


@pytest.mark.parametrize("url_name", FILTERED_LISTS)
def test_department_filter_sends_no_organization_list(client, district, url_name):
    CampaignFactory()
    for n in range(20):
        OrganizationFactory(name=f"丙公司第{n}党支部", kind=OrganizationKind.BRANCH)
    client.force_login(district.department)

    page = client.get(reverse(url_name)).content.decode()

    assert f'data-org-lookup="{LOOKUP}"' in page
    assert "丙公司第" not in page
    assert 'value="" selected' in page or '<option value="">' in page


@pytest.mark.parametrize("url_name", FILTERED_LISTS)
def test_department_filter_keeps_the_chosen_organization(client, district, url_name):
    CampaignFactory()
    client.force_login(district.department)

    response = client.get(reverse(url_name), {"organization": district.other_committee.pk})

    page = response.content.decode()
    assert f'<option value="{district.other_committee.pk}" selected>' in page
    assert "甲公司党委</option>" not in page


def test_department_filter_by_organization_narrows_the_applications(client, district):
    campaign = CampaignFactory()
    ApplicationFactory(campaign=campaign, organization=district.branch)
    ApplicationFactory(campaign=campaign, organization=district.other_branch)
    client.force_login(district.department)

    response = client.get(
        reverse("appraisal:application.list"),
        {"organization": district.committee.pk, "year": campaign.year},
    )

    shown = {application.organization for application in response.context["page_obj"]}
    assert shown == {district.branch}


def test_secretary_keeps_the_ordinary_drop_down(client, district):
    client.force_login(district.secretary.user)

    page = client.get(reverse("learning:activity.list")).content.decode()

    assert "data-org-lookup=" not in page
    assert "甲公司第一党支部</option>" in page
