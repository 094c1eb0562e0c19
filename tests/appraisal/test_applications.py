"""The organization's application pages: the form, submission, the page, the list."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from appraisal.enums import ApplicationKind, ApplicationState, SelfAssessmentStatus
from appraisal.models import Application, ApplicationTransition
from appraisal.services import applications as services
from campaigns.models import SHANGHAI

from ..factories import ApplicationFactory, CampaignFactory, MemberFactory, SelfAssessmentFactory

pytestmark = pytest.mark.django_db

S = ApplicationState
YEAR = 2026
IN_TIME = datetime.datetime(YEAR, 6, 1, 10, 0, tzinfo=SHANGHAI)
AFTER_DEADLINE = datetime.datetime(YEAR, 10, 1, 0, 0, 0, tzinfo=SHANGHAI)


@pytest.fixture
def campaign(db):
    return CampaignFactory(year=YEAR)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(IN_TIME, tick=False) as traveller:
        yield traveller


def login(client, who):
    client.force_login(getattr(who, "user", who))
    return client


def detail_url(application):
    return reverse("appraisal:application.detail", args=[application.pk])


def completed_assessment(campaign, organization):
    return SelfAssessmentFactory(
        campaign=campaign, organization=organization, status=SelfAssessmentStatus.COMPLETED
    )


# ---------------------------------------------------------------- the form


def test_create_organization_application_links_its_self_assessment(client, district, campaign):
    assessment = completed_assessment(campaign, district.branch)
    login(client, district.branch_secretary)
    response = client.post(
        reverse("appraisal:application.create"),
        {
            "kind": ApplicationKind.ORGANIZATION_MODEL,
            "organization": district.branch.pk,
            "member": "",
            "main_deeds": "每月集中学习两次。",
            "organization_opinion": "同意推荐。",
        },
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(application)
    assert application.state == S.DRAFT
    assert application.self_assessment == assessment
    assert application.created_by == district.branch_secretary.user


def test_create_member_application_takes_the_members_organization(client, district, campaign):
    login(client, district.secretary)  # the committee's secretary nominates a branch member
    client.post(
        reverse("appraisal:application.create"),
        {
            "kind": ApplicationKind.MEMBER_MODEL,
            "organization": district.committee.pk,
            "member": district.member.pk,
            "main_deeds": "",
            "organization_opinion": "",
        },
    )
    application = Application.objects.get()
    assert (application.member, application.organization) == (district.member, district.branch)


def test_create_second_application_for_same_organization_refused(client, district, campaign):
    ApplicationFactory(campaign=campaign, organization=district.branch)
    login(client, district.branch_secretary)
    response = client.post(
        reverse("appraisal:application.create"),
        {"kind": ApplicationKind.ORGANIZATION_MODEL, "organization": district.branch.pk},
    )
    assert response.status_code == 200
    assert "已有" in response.content.decode()
    assert Application.objects.count() == 1


def test_create_for_member_of_another_organization_refused(client, district, campaign):
    login(client, district.branch_secretary)
    response = client.post(
        reverse("appraisal:application.create"),
        {"kind": ApplicationKind.MEMBER_MODEL, "member": district.other_member.pk},
    )
    assert response.status_code == 200
    assert not Application.objects.exists()
    with pytest.raises(PermissionDenied):
        services.application_create(
            user=district.branch_secretary.user,
            campaign=campaign,
            kind=ApplicationKind.MEMBER_MODEL,
            member=district.other_member,
        )


@pytest.mark.parametrize("who", ["member", "department"])
def test_create_page_only_for_secretaries(client, district, campaign, who):
    login(client, getattr(district, who))
    assert client.get(reverse("appraisal:application.create")).status_code == 403


def test_create_with_unknown_kind_shows_error(client, district, campaign):
    login(client, district.branch_secretary)
    response = client.post(reverse("appraisal:application.create"), {"kind": "medal"})
    assert response.status_code == 200
    assert not Application.objects.exists()


# ---------------------------------------------------------------- submitting


def test_submit_incomplete_application_lists_what_is_missing(client, district, campaign):
    application = services.application_create(
        user=district.branch_secretary.user,
        campaign=campaign,
        kind=ApplicationKind.ORGANIZATION_MODEL,
        organization=district.branch,
    )
    login(client, district.branch_secretary)
    response = client.post(
        reverse("appraisal:application.transition", args=[application.pk]),
        {"transition": "submit"},
        follow=True,
    )
    page = response.content.decode()
    assert "尚不能提交" in page
    assert "主要事迹" in page and "党组织意见" in page and "自评" in page
    application.refresh_from_db()
    assert application.state == S.DRAFT
    assert not ApplicationTransition.objects.exists()


def test_submit_picks_up_a_self_assessment_completed_later(district, campaign):
    application = services.application_create(
        user=district.branch_secretary.user,
        campaign=campaign,
        kind=ApplicationKind.ORGANIZATION_MODEL,
        organization=district.branch,
        main_deeds="事迹",
        organization_opinion="同意",
    )
    assert application.self_assessment is None
    assessment = completed_assessment(campaign, district.branch)
    services.application_transition(
        application=application, transition="submit", actor=district.branch_secretary.user
    )
    application.refresh_from_db()
    assert (application.state, application.self_assessment) == (S.SUBMITTED, assessment)


def test_submit_from_the_page_shows_the_history(client, district, campaign):
    application = ApplicationFactory(campaign=campaign, organization=district.branch)
    login(client, district.branch_secretary)
    response = client.post(
        reverse("appraisal:application.transition", args=[application.pk]),
        {"transition": "submit"},
        follow=True,
    )
    page = response.content.decode()
    assert "已提交" in page
    assert 'data-history="submitted"' in page
    application.refresh_from_db()
    assert application.state == S.SUBMITTED


def test_submit_after_deadline_refused_with_message(client, district, campaign, clock):
    application = ApplicationFactory(campaign=campaign, organization=district.branch)
    clock.move_to(AFTER_DEADLINE)
    login(client, district.branch_secretary)
    page = client.get(detail_url(application)).content.decode()
    assert 'data-action="submit"' not in page
    assert "data-deadline-passed" in page
    response = client.post(
        reverse("appraisal:application.transition", args=[application.pk]),
        {"transition": "submit"},
        follow=True,
    )
    assert "已过" in response.content.decode()
    application.refresh_from_db()
    assert application.state == S.DRAFT


def test_transition_by_outsider_is_404(client, district, campaign):
    application = ApplicationFactory(campaign=campaign, organization=district.branch)
    login(client, district.other_secretary)
    response = client.post(
        reverse("appraisal:application.transition", args=[application.pk]),
        {"transition": "submit"},
    )
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.state == S.DRAFT


def test_member_cannot_submit_own_nomination(client, district, campaign):
    application = ApplicationFactory(
        campaign=campaign,
        kind=ApplicationKind.MEMBER_MODEL,
        organization=district.branch,
        member=district.member,
    )
    login(client, district.member)
    response = client.post(
        reverse("appraisal:application.transition", args=[application.pk]),
        {"transition": "submit"},
        follow=True,
    )
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.state == S.DRAFT


def test_transition_with_garbage_changes_nothing(client, district, campaign):
    application = ApplicationFactory(campaign=campaign, organization=district.branch)
    login(client, district.branch_secretary)
    for data in ({}, {"transition": "x" * 500}, {"transition": "commend"}):
        response = client.post(
            reverse("appraisal:application.transition", args=[application.pk]), data
        )
        assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == S.DRAFT


# ---------------------------------------------------------------- editing


def test_edit_draft_saves_text(client, district, campaign):
    application = ApplicationFactory(campaign=campaign, organization=district.branch)
    login(client, district.branch_secretary)
    response = client.post(
        reverse("appraisal:application.edit", args=[application.pk]),
        {"main_deeds": "  新的事迹  ", "organization_opinion": "同意推荐"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.main_deeds == "新的事迹"


def test_edit_submitted_application_refused(client, district, campaign):
    application = ApplicationFactory(
        campaign=campaign, organization=district.branch, state=S.SUBMITTED
    )
    login(client, district.branch_secretary)
    response = client.get(reverse("appraisal:application.edit", args=[application.pk]))
    assert response.status_code == 302
    response = client.post(
        reverse("appraisal:application.edit", args=[application.pk]),
        {"main_deeds": "改", "organization_opinion": "改"},
    )
    assert response.status_code == 200
    assert "不能再修改" in response.content.decode()
    application.refresh_from_db()
    assert application.main_deeds != "改"


def test_edit_by_department_forbidden(client, district, campaign):
    application = ApplicationFactory(campaign=campaign, organization=district.branch)
    login(client, district.department)
    assert (
        client.get(reverse("appraisal:application.edit", args=[application.pk])).status_code == 403
    )


def test_delete_draft_but_not_a_submitted_one(client, district, campaign):
    draft = ApplicationFactory(campaign=campaign, organization=district.branch)
    login(client, district.branch_secretary)
    client.post(reverse("appraisal:application.delete", args=[draft.pk]))
    assert not Application.objects.filter(pk=draft.pk).exists()

    submitted = ApplicationFactory(campaign=campaign, organization=district.branch)
    services.application_transition(
        application=submitted, transition="submit", actor=district.branch_secretary.user
    )
    client.post(reverse("appraisal:application.delete", args=[submitted.pk]))
    assert Application.objects.filter(pk=submitted.pk).exists()
    with pytest.raises(ValidationError):
        services.application_delete(user=district.branch_secretary.user, application=submitted)


# ---------------------------------------------------------------- who sees the page


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("branch_secretary", 200),
        ("secretary", 200),  # the committee above
        ("department", 200),
        ("fellow", 404),  # a plain member of the organization
        ("other_secretary", 404),
        ("other_member", 404),
    ],
)
def test_detail_page_by_role(client, district, campaign, who, status):
    application = ApplicationFactory(campaign=campaign, organization=district.branch)
    login(client, getattr(district, who))
    assert client.get(detail_url(application)).status_code == status


def test_member_sees_own_nomination(client, district, campaign):
    application = ApplicationFactory(
        campaign=campaign,
        kind=ApplicationKind.MEMBER_MODEL,
        organization=district.branch,
        member=district.member,
    )
    login(client, district.member)
    page = client.get(detail_url(application)).content.decode()
    assert district.member.name in page
    assert 'data-action="submit"' not in page


def test_detail_page_anonymous_redirects_to_login(client, district, campaign):
    application = ApplicationFactory(campaign=campaign, organization=district.branch)
    response = client.get(detail_url(application))
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_detail_shows_return_comment_to_the_organization(client, district, campaign):
    application = ApplicationFactory(
        campaign=campaign, organization=district.branch, state=S.UNDER_REVIEW
    )
    services.application_transition(
        application=application,
        transition="return_for_revision",
        actor=district.department,
        comment="请补充学习成果应用的事例",
    )
    login(client, district.branch_secretary)
    page = client.get(detail_url(application)).content.decode()
    assert "请补充学习成果应用的事例" in page
    assert 'data-action="resubmit"' in page


def test_staged_decision_is_not_shown_to_the_organization(client, district, campaign):
    application = ApplicationFactory(
        campaign=campaign,
        organization=district.branch,
        state=S.UNDER_REVIEW,
        staged_decision="not_recommend",
        staged_comment="材料薄弱",
    )
    login(client, district.branch_secretary)
    page = client.get(detail_url(application)).content.decode()
    assert "材料薄弱" not in page
    assert "不推荐" not in page


# ---------------------------------------------------------------- the list


@pytest.mark.parametrize("rows", [1, 12])
def test_list_query_count_does_not_grow(
    client, district, campaign, rows, django_assert_num_queries
):
    ApplicationFactory(campaign=campaign, organization=district.branch)
    for _ in range(rows - 1):
        member = MemberFactory(organization=district.branch)
        ApplicationFactory(
            campaign=campaign,
            kind=ApplicationKind.MEMBER_MODEL,
            organization=district.branch,
            member=member,
        )
    login(client, district.branch_secretary)
    client.get(reverse("appraisal:application.list"))  # warm the session
    with django_assert_num_queries(9):
        response = client.get(reverse("appraisal:application.list"))
    assert len(response.context["page_obj"].object_list) == rows


def test_list_shows_only_own_organizations(client, district, campaign):
    mine = ApplicationFactory(campaign=campaign, organization=district.branch)
    theirs = ApplicationFactory(campaign=campaign, organization=district.other_branch)
    login(client, district.secretary)
    page = client.get(reverse("appraisal:application.list")).content.decode()
    assert f'data-application="{mine.pk}"' in page
    assert f'data-application="{theirs.pk}"' not in page


def test_list_with_bad_filters_does_not_fail(client, district, campaign):
    login(client, district.branch_secretary)
    response = client.get(
        reverse("appraisal:application.list"), {"year": "abc", "state": "nope", "page": "-3"}
    )
    assert response.status_code == 200
