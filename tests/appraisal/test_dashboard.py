import datetime
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from appraisal.enums import ApplicationKind, ApplicationState, SelfAssessmentStatus
from appraisal.selectors.annual import OrganizationFigures
from appraisal.selectors.dashboard import (
    FEW_ACTIVITIES_REASON,
    NO_APPLICATION,
    NO_IMPLEMENTATION_PLAN,
    NO_SELF_ASSESSMENT,
    risk_reasons,
)
from campaigns.enums import PlanStatus
from campaigns.models import SHANGHAI, Extension
from learning.enums import NoteKind, StudyPlanKind
from learning.models import ReadingRecord

from ..factories import (
    ApplicationFactory,
    BookFactory,
    CampaignFactory,
    ImplementationPlanFactory,
    MemberFactory,
    OrganizationFactory,
    SelfAssessmentFactory,
    StudyActivityFactory,
    StudyNoteFactory,
    StudyPlanFactory,
)

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("appraisal:dashboard")
ORGANIZATIONS = reverse("appraisal:dashboard.organizations")


def filed(**kwargs):
    return {"status": PlanStatus.FILED, "filed_at": timezone.now(), **kwargs}


def all_five(member, campaign):
    """The member does all of the “五个一” this campaign."""
    StudyPlanFactory(
        campaign=campaign,
        organization=member.organization,
        member=member,
        kind=StudyPlanKind.PERSONAL,
        **filed(),
    )
    ReadingRecord.objects.create(
        campaign=campaign, member=member, book=BookFactory(organization=member.organization)
    )
    for kind in (NoteKind.NOTE, NoteKind.REFLECTION, NoteKind.EXCHANGE):
        StudyNoteFactory(campaign=campaign, member=member, kind=kind)


def activities(organization, campaign, count):
    for _ in range(count):
        StudyActivityFactory(campaign=campaign, organization=organization)


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{re.escape(name)}"[^>]*>([^<]*)<', html)
    assert match, f"no figure {name!r} on the page"
    return match.group(1).strip()


def page(client, user, url=DASHBOARD, **params) -> str:
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def listed(client, user, url) -> list[int]:
    """The organizations (ids, in order) of a list page, following every page."""
    client.force_login(user)
    found = []
    while url:
        html = client.get(url).content.decode()
        found += [int(pk) for pk in re.findall(r'<tr data-organization="(\d+)"', html)]
        following = re.search(r'href="([^"]*)" rel="next"', html)
        url = ORGANIZATIONS + unescape(following.group(1)) if following else None
    return found


def figure_link(html: str, name: str) -> str:
    """The href of the link that holds ``data-figure=name``."""
    match = re.search(
        rf'<a href="([^"]*)"><span[^>]*></span>[^<]*<strong data-figure="{re.escape(name)}"',
        html,
    )
    assert match, f"no link around figure {name!r}"
    return unescape(match.group(1))


@pytest.fixture
def board(district):
    """The two-tree district with a known campaign year.

    committee: plan, annual plan, submitted application (and so a completed
      self-assessment), 5 activities; the secretary did all five ones.
    branch: nothing filed, a draft application, 1 activity; member did all five.
    other_committee: plan filed, 4 activities, no application.
    other_branch: nothing at all.
    """
    d = district
    campaign = CampaignFactory()
    d.campaign = campaign
    ImplementationPlanFactory(campaign=campaign, organization=d.committee, **filed())
    ImplementationPlanFactory(campaign=campaign, organization=d.other_committee, **filed())
    ImplementationPlanFactory(campaign=campaign, organization=d.branch)  # a draft does not count
    StudyPlanFactory(campaign=campaign, organization=d.committee, **filed())
    ApplicationFactory(
        campaign=campaign, organization=d.committee, state=ApplicationState.SUBMITTED
    )
    ApplicationFactory(
        campaign=campaign,
        organization=d.branch,
        self_assessment=SelfAssessmentFactory(campaign=campaign, organization=d.branch),
    )
    ApplicationFactory(
        campaign=campaign,
        organization=d.branch,
        kind=ApplicationKind.MEMBER_MODEL,
        member=d.member,
        state=ApplicationState.RETURNED,
    )
    activities(d.committee, campaign, 5)
    activities(d.branch, campaign, 1)
    activities(d.other_committee, campaign, 4)
    all_five(d.secretary, campaign)
    all_five(d.member, campaign)
    return d


# ---------------------------------------------------------------- figures


def test_dashboard_figures_match_the_records(client, board):
    html = page(client, board.department)
    assert figure(html, "organizations") == "4"
    assert figure(html, "members") == "6"
    assert figure(html, "implementation_plan-filed") == "2"
    assert figure(html, "implementation_plan-missing") == "2"
    assert figure(html, "annual_plan-filed") == "1"
    assert figure(html, "annual_plan-missing") == "3"
    assert figure(html, "self_assessment-completed") == "1"  # a member's own does not count
    assert figure(html, "self_assessment-missing") == "3"
    assert figure(html, "application-submitted") == "1"
    assert figure(html, "application-missing") == "3"
    assert figure(html, "at-risk") == "3"
    assert figure(html, "five-ones-complete") == "2"
    assert figure(html, "five-ones-percent") == "33%"
    assert figure(html, "applications-submitted") == "1"
    assert figure(html, "applications-draft") == "1"
    assert figure(html, "applications-returned") == "1"
    assert figure(html, "applications-commended") == "0"
    # committee 1/1 and branch 1/3 (member, fellow, branch secretary); the others 0.
    assert figure(html, "band-100") == "1"
    assert figure(html, "band-20-40") == "1"
    assert figure(html, "band-0-20") == "2"


def test_dashboard_counts_a_self_assessment_only_when_completed(client, board):
    SelfAssessmentFactory(
        campaign=board.campaign,
        organization=board.other_committee,
        status=SelfAssessmentStatus.COMPLETED,
    )
    html = page(client, board.department)
    assert figure(html, "self_assessment-completed") == "2"


def test_dashboard_shows_the_campaign_deadline_to_the_department(client, board):
    board.campaign.application_deadline = datetime.datetime(
        2026, 9, 30, 23, 59, 59, tzinfo=SHANGHAI
    )
    board.campaign.save()
    client.cookies["django_language"] = "en"
    with time_machine.travel(datetime.datetime(2026, 9, 20, 9, tzinfo=SHANGHAI), tick=False):
        html = page(client, board.department)
    assert "10 days left until the deadline" in html


def test_dashboard_countdown_of_a_secretary_follows_their_extension(client, district):
    campaign = CampaignFactory(year=2026)
    Extension.objects.create(
        campaign=campaign,
        organization=district.committee,
        deadline=datetime.datetime(2026, 10, 15, 23, 59, 59, tzinfo=SHANGHAI),
        reason="企业改制",
        granted_by=district.department,
    )
    client.cookies["django_language"] = "en"
    with time_machine.travel(datetime.datetime(2026, 10, 5, 9, tzinfo=SHANGHAI), tick=False):
        mine = page(client, district.secretary.user)
        other = page(client, district.other_secretary.user)
    assert "10 days left until the deadline" in mine
    assert "Deadline passed" in other


def test_dashboard_without_a_campaign_says_so(client, district):
    client.cookies["django_language"] = "en"
    html = page(client, district.department)
    assert "No campaign has been set up yet" in html
    assert "data-figure" not in html
    assert "No campaign has been set up yet" in page(client, district.department, ORGANIZATIONS)


# ---------------------------------------------------------------- who sees what


def test_secretary_sees_only_their_subtree(client, board):
    html = page(client, board.secretary.user)
    assert figure(html, "organizations") == "2"
    assert figure(html, "members") == "4"
    assert figure(html, "implementation_plan-filed") == "1"
    assert figure(html, "implementation_plan-missing") == "1"
    assert figure(html, "at-risk") == "1"
    assert figure(html, "five-ones-complete") == "2"
    assert board.other_committee.name not in html
    assert board.other_branch.name not in html
    rows = listed(client, board.secretary.user, ORGANIZATIONS)
    assert sorted(rows) == sorted([board.committee.pk, board.branch.pk])


def test_branch_secretary_sees_their_branch_only(client, board):
    html = page(client, board.branch_secretary.user)
    assert figure(html, "organizations") == "1"
    assert board.committee.name not in html
    assert listed(client, board.branch_secretary.user, ORGANIZATIONS) == [board.branch.pk]


@pytest.mark.parametrize("url", [DASHBOARD, ORGANIZATIONS])
def test_member_is_refused(client, board, url):
    client.force_login(board.member.user)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [DASHBOARD, ORGANIZATIONS])
def test_anonymous_is_sent_to_log_in(client, board, url):
    response = client.get(url)
    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("login")


# ---------------------------------------------------------------- links


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("implementation_plan-filed", ["committee", "other_committee"]),
        ("implementation_plan-missing", ["branch", "other_branch"]),
        ("annual_plan-filed", ["committee"]),
        ("annual_plan-missing", ["branch", "other_committee", "other_branch"]),
        ("self_assessment-completed", ["committee"]),
        ("self_assessment-missing", ["branch", "other_committee", "other_branch"]),
        ("application-submitted", ["committee"]),
        ("application-missing", ["branch", "other_committee", "other_branch"]),
    ],
)
def test_each_figure_links_to_exactly_its_organizations(client, board, name, expected):
    SelfAssessmentFactory(
        campaign=board.campaign,
        organization=board.other_committee,
        status=SelfAssessmentStatus.DRAFT,
    )
    html = page(client, board.department)
    url = figure_link(html, name)
    assert urlsplit(url).path == ORGANIZATIONS
    rows = listed(client, board.department, url)
    assert sorted(rows) == sorted(getattr(board, key).pk for key in expected)
    assert int(figure(html, name)) == len(rows)


def test_at_risk_tile_links_to_the_organizations_with_nothing_submitted(client, board):
    html = page(client, board.department)
    assert f'href="{ORGANIZATIONS}?at_risk=1"' in html
    rows = listed(client, board.department, f"{ORGANIZATIONS}?at_risk=1")
    assert sorted(rows) == sorted(
        [board.branch.pk, board.other_committee.pk, board.other_branch.pk]
    )


def test_five_ones_band_links_to_its_organizations(client, board):
    html = page(client, board.department)
    assert f'href="{ORGANIZATIONS}?five_ones=100"' in html
    assert listed(client, board.department, f"{ORGANIZATIONS}?five_ones=100") == [
        board.committee.pk
    ]
    assert listed(client, board.department, f"{ORGANIZATIONS}?five_ones=20-40") == [board.branch.pk]


def test_department_application_states_link_to_the_review_queue(client, board):
    html = page(client, board.department)
    year = board.campaign.year
    queue = f"{reverse('appraisal:review.queue')}?state=submitted&amp;campaign={year}"
    drafts = f"{reverse('appraisal:application.list')}?state=draft&amp;year={year}"
    assert f'href="{queue}"' in html
    assert f'href="{drafts}"' in html
    client.force_login(board.department)
    response = client.get(unescape(queue))
    assert response.status_code == 200
    assert len(response.context["applications"]) == 1


def test_secretary_application_states_link_to_their_application_list(client, board):
    html = page(client, board.branch_secretary.user)
    year = board.campaign.year
    returned = f"{reverse('appraisal:application.list')}?state=returned&amp;year={year}"
    assert f'href="{returned}"' in html
    assert figure(html, "applications-returned") == "1"
    client.force_login(board.branch_secretary.user)
    response = client.get(unescape(returned))
    assert [a.state for a in response.context["page_obj"]] == [ApplicationState.RETURNED]


def test_secretary_five_ones_rows_link_to_the_organizations_five_ones(client, board):
    html = page(client, board.secretary.user)
    link = f"{reverse('learning:five_ones.organization')}?organization={board.branch.pk}"
    assert f'href="{link}"' in html
    client.force_login(board.secretary.user)
    assert client.get(link).status_code == 200


def test_organization_list_rows_link_to_the_organizations_activities(client, board):
    html = page(client, board.department, ORGANIZATIONS)
    link = f"{reverse('learning:activity.list')}?organization={board.other_committee.pk}"
    assert f'href="{link}"' in html
    client.force_login(board.department)
    response = client.get(link)
    assert response.status_code == 200
    assert len(response.context["activities"]) == 4


def test_organization_list_shows_each_figure(client, board):
    html = page(client, board.department, ORGANIZATIONS, q=board.branch.code)
    assert listed(client, board.department, f"{ORGANIZATIONS}?q={board.branch.code}") == [
        board.branch.pk
    ]
    row = html[html.index(f'data-organization="{board.branch.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-state="draft"' in row
    assert re.search(r'data-figure="rate">33.3%<', row)


# ---------------------------------------------------------------- risk


def test_risk_reasons_follow_the_rule():
    submitted = OrganizationFigures(organization_id=1, application_state=ApplicationState.RETURNED)
    assert risk_reasons(submitted) is None
    nothing = OrganizationFigures(organization_id=2)
    assert risk_reasons(nothing) == [
        NO_APPLICATION,
        NO_IMPLEMENTATION_PLAN,
        NO_SELF_ASSESSMENT,
        FEW_ACTIVITIES_REASON,
    ]
    ready = OrganizationFigures(
        organization_id=3,
        application_state=ApplicationState.DRAFT,
        implementation_plan_filed=True,
        self_assessment_completed=True,
        activities_by_form={"concentrated_study": 3},
    )
    assert risk_reasons(ready) == []


def test_most_at_risk_come_first_on_the_dashboard_and_in_the_list(client, board):
    # other_branch: 4 reasons; other_committee: no application, no self-assessment (2);
    # branch: plan missing, self-assessment not completed, 1 activity (3): before quiet,
    # which has as many reasons but more activities.
    quiet = OrganizationFactory(parent=board.other_committee)
    ImplementationPlanFactory(campaign=board.campaign, organization=quiet, **filed())
    activities(quiet, board.campaign, 2)  # no application, no self-assessment, few (3)
    html = page(client, board.department)
    shown = [int(pk) for pk in re.findall(r'data-at-risk="(\d+)"', html)]
    expected = [board.other_branch.pk, board.branch.pk, quiet.pk, board.other_committee.pk]
    assert shown == expected
    assert listed(client, board.department, f"{ORGANIZATIONS}?at_risk=1") == expected
    first = html[html.index(f'data-at-risk="{board.other_branch.pk}"') :]
    first = first[: first.index("</tr>")]
    assert re.findall(r'data-reason="(\w+)"', first) == [
        "no_application",
        "no_implementation_plan",
        "no_self_assessment",
        "few_activities",
    ]


def test_list_sorts_by_five_ones_rate_lowest_first(client, board):
    rows = listed(client, board.department, ORGANIZATIONS)
    assert rows[-2:] == [board.branch.pk, board.committee.pk]
    highest = listed(client, board.department, f"{ORGANIZATIONS}?sort=-five_ones")
    assert highest[:2] == [board.committee.pk, board.branch.pk]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "query",
    [
        "implementation_plan=bogus",
        "annual_plan=1&self_assessment=yes&application=%00",
        "at_risk=2&five_ones=101",
        "kind=emperor&sort=drop table",
        "page=abc",
        "page=999999",
        "q=" + "党" * 500,
        "status=missing",
        "implementation_plan=missing&implementation_plan=filed",
    ],
)
def test_bad_filter_values_do_not_fail(client, board, query):
    client.force_login(board.department)
    response = client.get(f"{ORGANIZATIONS}?{query}")
    assert response.status_code == 200


def test_bad_filter_value_is_explained_and_ignored(client, board):
    html = page(client, board.department, ORGANIZATIONS, implementation_plan="bogus")
    assert "bogus" in html  # Django's “Select a valid choice” names the value
    assert len(re.findall(r'<tr data-organization="', html)) == 4


# ---------------------------------------------------------------- queries


def grow(board, size):
    for parent in (board.committee, board.other_committee):
        for _ in range(size):
            branch = OrganizationFactory(parent=parent)
            ImplementationPlanFactory(campaign=board.campaign, organization=branch, **filed())
            ApplicationFactory(campaign=board.campaign, organization=branch)
            activities(branch, board.campaign, 1)
            all_five(MemberFactory(organization=branch), board.campaign)


# session, user, the secretary's member row, campaign, organization_figures (12), the
# organizations shown, applications by state (dashboard), the extension (secretary's dashboard).
EXPECTED_QUERIES = {
    ("dashboard", "department"): 17,
    ("dashboard", "secretary"): 19,
    ("organizations", "department"): 16,
    ("organizations", "secretary"): 17,
}


@pytest.mark.parametrize("size", [1, 15])
@pytest.mark.parametrize("role", ["department", "secretary"])
@pytest.mark.parametrize("view", ["dashboard", "organizations"])
def test_query_count_does_not_grow_with_the_district(
    client, board, django_assert_num_queries, size, role, view
):
    grow(board, size)
    user = board.department if role == "department" else board.secretary.user
    url = DASHBOARD if view == "dashboard" else f"{ORGANIZATIONS}?at_risk=1"
    client.force_login(user)
    with django_assert_num_queries(EXPECTED_QUERIES[view, role]):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    if view == "dashboard":
        expected = 4 + 2 * size if role == "department" else 2 + size
        assert figure(html, "organizations") == str(expected)
