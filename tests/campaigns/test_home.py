import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from appraisal.enums import ApplicationKind, ApplicationState
from campaigns import selectors
from campaigns.enums import PlanStatus
from campaigns.models import SHANGHAI, Extension, Member
from learning.enums import ActivityForm, NoteKind, StudyPlanKind
from learning.models import Attendance, ReadingRecord

from ..factories import (
    ApplicationFactory,
    BookFactory,
    CampaignFactory,
    ImplementationPlanFactory,
    MemberFactory,
    OrganizationFactory,
    StudyActivityFactory,
    StudyNoteFactory,
    StudyPlanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def figure(html: str, name: str) -> str:
    match = re.search(rf'data-figure="{re.escape(name)}">([^<]*)<', html)
    assert match, f"no figure {name!r} on the page"
    return match.group(1).strip()


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def filed(**kwargs):
    return {"status": PlanStatus.FILED, "filed_at": timezone.now(), **kwargs}


def attend(activity, member, hours):
    return Attendance.objects.create(activity=activity, member=member, hours=Decimal(hours))


@pytest.fixture
def known(district):
    """A small, known campaign year on top of the two-tree district."""
    d = district
    campaign = CampaignFactory()
    last_year = CampaignFactory(year=campaign.year - 1)
    d.campaign = campaign

    ImplementationPlanFactory(campaign=campaign, organization=d.committee, **filed())
    ImplementationPlanFactory(campaign=campaign, organization=d.branch)  # draft: not counted
    ImplementationPlanFactory(campaign=campaign, organization=d.other_committee, **filed())
    ImplementationPlanFactory(campaign=last_year, organization=d.branch, **filed())

    StudyPlanFactory(campaign=campaign, organization=d.branch, **filed())
    StudyPlanFactory(campaign=campaign, organization=d.other_branch, **filed())
    StudyPlanFactory(campaign=last_year, organization=d.committee, **filed())
    for quarter in (1, 2):
        StudyPlanFactory(
            campaign=campaign,
            organization=d.branch,
            kind=StudyPlanKind.ORGANIZATION_QUARTERLY,
            quarter=quarter,
            **filed(),
        )
    StudyPlanFactory(
        campaign=campaign,
        organization=d.branch,
        kind=StudyPlanKind.ORGANIZATION_QUARTERLY,
        quarter=3,
    )

    study = StudyActivityFactory(campaign=campaign, organization=d.branch, hours=Decimal("2.0"))
    lecture = StudyActivityFactory(
        campaign=campaign,
        organization=d.branch,
        form=ActivityForm.PARTY_LECTURE,
        hours=Decimal("1.5"),
    )
    StudyActivityFactory(
        campaign=campaign, organization=d.committee, form=ActivityForm.BRANCH_GENERAL_MEETING
    )
    StudyActivityFactory(campaign=campaign, organization=d.other_branch)
    StudyActivityFactory(
        campaign=campaign, organization=d.other_branch, form=ActivityForm.PARTY_GROUP_MEETING
    )
    old = StudyActivityFactory(campaign=last_year, organization=d.branch)
    attend(study, d.member, "2.0")
    attend(lecture, d.member, "1.5")
    attend(old, d.member, "3.0")  # last year's hours do not count
    attend(study, d.fellow, "2.0")

    ApplicationFactory(
        campaign=campaign, organization=d.committee, state=ApplicationState.SUBMITTED
    )
    ApplicationFactory(
        campaign=campaign,
        organization=d.branch,
        kind=ApplicationKind.MEMBER_MODEL,
        member=d.member,
    )
    ApplicationFactory(
        campaign=campaign, organization=d.other_committee, state=ApplicationState.RETURNED
    )
    ApplicationFactory(
        campaign=last_year, organization=d.committee, state=ApplicationState.COMMENDED
    )

    # The member's “五个一”: plan, book and notes done; no reflection, no exchange.
    StudyPlanFactory(
        campaign=campaign,
        organization=d.branch,
        member=d.member,
        kind=StudyPlanKind.PERSONAL,
        **filed(),
    )
    ReadingRecord.objects.create(
        campaign=campaign, member=d.member, book=BookFactory(organization=d.branch)
    )
    StudyNoteFactory(campaign=campaign, member=d.member)
    StudyNoteFactory(campaign=last_year, member=d.member, kind=NoteKind.REFLECTION)
    StudyNoteFactory(
        campaign=campaign,
        member=d.fellow,
        kind=NoteKind.REFLECTION,
        title="在岗位上学习的体会",
        is_excellent=True,
    )
    StudyNoteFactory(campaign=campaign, member=d.fellow, kind=NoteKind.REFLECTION, title="未评优")
    StudyNoteFactory(
        campaign=campaign,
        member=d.other_member,
        kind=NoteKind.REFLECTION,
        title="乙公司的优秀心得",
        is_excellent=True,
    )
    return d


# ---------------------------------------------------------------- department


def test_department_home_shows_the_whole_district(client, known):
    html = home(client, known.department)
    assert figure(html, "organizations") == "4"
    assert figure(html, "kind-committee") == "2"
    assert figure(html, "kind-general_branch") == "0"
    assert figure(html, "kind-branch") == "2"
    assert figure(html, "members") == "6"
    assert figure(html, "implementation-plans") == "2"
    assert figure(html, "annual-plans") == "2"
    assert figure(html, "activities") == "5"
    assert figure(html, "three-meetings") == "3"
    assert figure(html, "activity-hours") == "9.5"
    assert figure(html, "applications-submitted") == "1"
    assert figure(html, "applications-draft") == "1"
    assert figure(html, "applications-returned") == "1"
    assert figure(html, "applications-commended") == "0"


def test_department_nav_links_to_the_back_office(client, known):
    html = home(client, known.department)
    assert f'href="{reverse("admin:index")}"' in html


def test_department_home_counts_down_to_the_deadline(client, district):
    CampaignFactory(year=2026)
    with time_machine.travel(datetime.datetime(2026, 9, 20, 9, tzinfo=SHANGHAI), tick=False):
        client.cookies["django_language"] = "en"
        html = home(client, district.department)
    assert "10 days left until the deadline" in html
    assert "30 Sep 2026, Wed 23:59" in html


def test_department_home_without_any_campaign_still_shows_figures(client, district):
    html = home(client, district.department)
    assert figure(html, "organizations") == "4"
    assert figure(html, "activities") == "0"


# ---------------------------------------------------------------- secretary


def test_secretary_home_shows_own_tree_only(client, known):
    html = home(client, known.secretary.user)
    assert figure(html, "organizations") == "2"
    assert figure(html, "members") == "4"
    assert figure(html, "annual-plans") == "1"
    assert figure(html, "quarterly-plans") == "2"
    assert figure(html, "activities") == "3"
    assert figure(html, "three-meetings") == "2"
    assert figure(html, "applications-submitted") == "1"
    assert figure(html, "applications-draft") == "1"
    assert 'data-figure="applications-returned"' not in html
    assert "甲公司第一党支部" in html
    assert "乙公司" not in html


def test_secretary_figures_exclude_another_organizations_records(client, known):
    html = home(client, known.other_secretary.user)
    assert figure(html, "organizations") == "2"
    assert figure(html, "members") == "2"
    assert figure(html, "annual-plans") == "1"
    assert figure(html, "quarterly-plans") == "0"
    assert figure(html, "activities") == "2"
    assert figure(html, "three-meetings") == "1"
    assert figure(html, "applications-returned") == "1"
    assert 'data-figure="applications-submitted"' not in html
    assert "甲公司" not in html


def test_secretary_table_shows_each_organizations_figures(known):
    rows = {
        org.name: org
        for org in selectors.secretary_organizations(known.secretary.user, known.campaign)
    }
    assert set(rows) == {"甲公司党委", "甲公司第一党支部"}
    branch = rows["甲公司第一党支部"]
    assert branch.member_count == 3
    assert (branch.annual_plan_filed, branch.implementation_plan_filed) == (True, False)
    assert (branch.quarterly_plans_filed, branch.activity_count) == (2, 2)
    assert rows["甲公司党委"].implementation_plan_filed is True


def test_branch_secretary_does_not_see_the_committee_above(client, known):
    html = home(client, known.branch_secretary.user)
    assert figure(html, "organizations") == "1"
    assert figure(html, "members") == "3"
    assert figure(html, "activities") == "2"
    assert 'data-figure="applications-submitted"' not in html


def test_secretary_countdown_follows_the_organizations_extension(client, district):
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
        mine = home(client, district.secretary.user)
        other = home(client, district.other_secretary.user)
    assert "10 days left until the deadline" in mine
    assert "Deadline passed" in other


def test_secretary_nav_leads_to_the_organizations_work_not_the_admin(client, known):
    html = home(client, known.secretary.user)
    for name in ("learning:plan.list", "learning:activity.list", "learning:note.review_list"):
        assert f'href="{reverse(name)}"' in html
    assert f'href="{reverse("admin:index")}"' not in html


def test_member_nav_leads_to_their_own_study_not_the_secretarys_pages(client, known):
    html = home(client, known.member.user)
    assert f'href="{reverse("learning:five_ones.mine")}"' in html
    assert f'href="{reverse("learning:note.list")}"' in html
    assert f'href="{reverse("learning:note.review_list")}"' not in html


# ---------------------------------------------------------------- member


def test_member_home_shows_hours_five_ones_and_excellent_reflections(client, known):
    html = home(client, known.member.user)
    assert "甲公司第一党支部" in html
    assert figure(html, "study-hours") == "3.5"
    for key, done in [
        ("plan", "yes"),
        ("book", "yes"),
        ("notes", "yes"),
        ("reflection", "no"),
        ("exchange", "no"),
    ]:
        assert f'data-five-one="{key}" data-done="{done}"' in html
    assert '<progress class="portal-progress mb-2" value="3" max="5"' in html
    assert "在岗位上学习的体会" in html
    assert "未评优" not in html
    assert "乙公司的优秀心得" not in html
    assert f'href="{reverse("admin:index")}"' not in html


def test_member_five_ones_progress_changes_when_they_add_a_reflection(client, known):
    assert '<progress class="portal-progress mb-2" value="3" max="5"' in home(
        client, known.member.user
    )
    StudyNoteFactory(campaign=known.campaign, member=known.member, kind=NoteKind.REFLECTION)
    html = home(client, known.member.user)
    assert '<progress class="portal-progress mb-2" value="4" max="5"' in html
    assert 'data-five-one="reflection" data-done="yes"' in html


def test_draft_personal_plan_does_not_count_for_five_ones(known):
    fellow_plan = StudyPlanFactory(
        campaign=known.campaign,
        organization=known.branch,
        member=known.fellow,
        kind=StudyPlanKind.PERSONAL,
    )
    assert fellow_plan.status == PlanStatus.DRAFT
    result = selectors.five_ones_for_members(
        known.campaign, Member.objects.filter(pk__in=[known.member.pk, known.fellow.pk])
    )
    assert result[known.member.pk].as_dict() == {
        "plan": True,
        "book": True,
        "notes": True,
        "reflection": False,
        "exchange": False,
    }
    assert result[known.fellow.pk].as_dict() == {
        "plan": False,
        "book": False,
        "notes": False,
        "reflection": True,
        "exchange": False,
    }


def test_five_ones_for_many_members_takes_one_query(known, django_assert_num_queries):
    for _ in range(10):
        member = MemberFactory(organization=known.branch)
        StudyNoteFactory(campaign=known.campaign, member=member, kind=NoteKind.EXCHANGE)
    with django_assert_num_queries(1):
        result = selectors.five_ones_for_members(known.campaign, Member.objects.all())
    assert len(result) == 16
    assert sum(f.exchange for f in result.values()) == 10


def test_member_home_without_any_campaign_shows_nothing_done(client, district):
    html = home(client, district.member.user)
    assert figure(html, "study-hours") == "0"
    assert '<progress class="portal-progress mb-2" value="0" max="5"' in html


# ---------------------------------------------------------------- no role


def test_user_without_organization_gets_a_polite_page(client, db):
    client.cookies["django_language"] = "en"
    html = home(client, UserFactory(full_name="王小明"))
    assert "not linked to a Party organization" in html
    assert "data-figure" not in html


# ---------------------------------------------------------------- current campaign


def test_current_campaign_is_this_years_in_beijing(db):
    CampaignFactory(year=2025)
    CampaignFactory(year=2026)
    CampaignFactory(year=2027)
    # 31 December 2025, 17:00 UTC is already 1 January 2026 in Beijing.
    with time_machine.travel(datetime.datetime(2025, 12, 31, 17, tzinfo=datetime.UTC)):
        assert selectors.current_campaign().year == 2026


def test_current_campaign_falls_back_to_the_latest(db):
    assert selectors.current_campaign() is None
    CampaignFactory(year=2020)
    CampaignFactory(year=2022)
    with time_machine.travel(datetime.datetime(2026, 5, 1, tzinfo=SHANGHAI)):
        assert selectors.current_campaign().year == 2022


# ---------------------------------------------------------------- query counts


def grow(district, campaign, size):
    """Add ``size`` branches under each committee, each with members and records."""
    for committee in (district.committee, district.other_committee):
        for _ in range(size):
            branch = OrganizationFactory(parent=committee)
            ImplementationPlanFactory(campaign=campaign, organization=branch, **filed())
            StudyPlanFactory(campaign=campaign, organization=branch, **filed())
            activity = StudyActivityFactory(
                campaign=campaign, organization=branch, form=ActivityForm.PARTY_LECTURE
            )
            ApplicationFactory(campaign=campaign, organization=branch)
            for _ in range(2):
                member = MemberFactory(organization=branch)
                attend(activity, member, "2.0")
                StudyNoteFactory(
                    campaign=campaign,
                    member=member,
                    kind=NoteKind.REFLECTION,
                    is_excellent=True,
                )
    for _ in range(size):
        StudyNoteFactory(
            campaign=campaign,
            member=MemberFactory(organization=district.branch),
            kind=NoteKind.REFLECTION,
            is_excellent=True,
        )
        attend(
            StudyActivityFactory(campaign=campaign, organization=district.branch),
            district.member,
            "1.0",
        )


# session, user, then per role: department 5, secretary 6 (its scope lookup
# included), member 4, no role 1 (the scope lookup).
EXPECTED_QUERIES = {"department": 7, "secretary": 8, "member": 6, "none": 3}


@pytest.mark.parametrize("size", [0, 1, 12])
@pytest.mark.parametrize("role", ["department", "secretary", "member", "none"])
def test_home_query_count_does_not_grow_with_the_district(
    client, known, django_assert_num_queries, role, size
):
    grow(known, known.campaign, size)
    user = {
        "department": known.department,
        "secretary": known.secretary.user,
        "member": known.member.user,
        "none": UserFactory(),
    }[role]
    client.force_login(user)
    with django_assert_num_queries(EXPECTED_QUERIES[role]):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    if role == "secretary":
        assert figure(response.content.decode(), "organizations") == str(2 + size)
