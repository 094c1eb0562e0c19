import datetime
import itertools
import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max, Min
from django.utils import timezone

from appraisal.defaults import DEFAULT_CRITERIA, create_default_criteria
from appraisal.enums import ApplicationState, CriterionSubject
from appraisal.models import (
    Application,
    ApplicationTransition,
    Criterion,
    CriterionScore,
    SelfAssessment,
)
from campaigns.demo import CODE_PREFIX, DEMO_PASSWORD, NOTICE_PATH
from campaigns.enums import ALLOWED_CHILD_KINDS, MemberRole, OrganizationKind, PlanStatus
from campaigns.models import Campaign, Member, Organization, User
from campaigns.rules import visible
from campaigns.services import DEPARTMENT_GROUP_NAME, ensure_department_group
from learning.enums import ActivityForm, NoteKind, StudyPlanKind, SuggestionStatus
from learning.models import (
    Attendance,
    ReadingRecord,
    StudyActivity,
    StudyNote,
    StudyPlan,
    StudyPlanItem,
    Suggestion,
)

from ..factories import OrganizationFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOGINS = ("dept", "secretary", "secretary2", "member")


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def seed_small() -> str:
    return seed("--orgs", "12", "--members", "60")


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app in ("campaigns", "learning", "appraisal", "auth")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    }


def notice_criteria() -> list[tuple[str, int, str]]:
    """The basic requirements as section 三 of the notice words them."""
    notice = NOTICE_PATH.read_text(encoding="utf-8")
    section = notice.split("三、")[1].split("四、")[0]
    organization = section.split("学习型党组织的基本要求是:")[1].split("2、")[0]
    member = section.split("学习型党员的基本要求是:")[1]
    criteria = []
    for subject, text in (
        (CriterionSubject.ORGANIZATION, organization),
        (CriterionSubject.MEMBER, member),
    ):
        parts = [p.strip() for p in re.split(r"\((\d)\)", text)[1:]]
        criteria += [(subject, int(n), t) for n, t in zip(parts[::2], parts[1::2], strict=True)]
    return criteria


def test_seed_demo_creates_the_four_logins_with_their_roles():
    seed_small()

    dept = User.objects.get(username="dept")
    assert dept.is_staff and dept.is_department_staff and not dept.is_superuser
    assert dept.groups.filter(name=DEPARTMENT_GROUP_NAME).exists()
    assert dept.has_perm("campaigns.change_organization")
    assert dept.has_perm("appraisal.change_application")
    assert dept.has_perm("appraisal.view_applicationtransition")
    assert not dept.has_perm("appraisal.change_applicationtransition")
    assert not dept.has_perm("appraisal.delete_applicationtransition")

    secretary = Member.objects.select_related("organization").get(user__username="secretary")
    secretary2 = Member.objects.select_related("organization").get(user__username="secretary2")
    member = Member.objects.get(user__username="member")
    assert secretary.role == secretary2.role == MemberRole.SECRETARY
    assert member.role == MemberRole.MEMBER
    assert member.organization_id == secretary.organization_id
    assert all(User.objects.get(username=name).full_name for name in LOGINS), (
        "every demo login has a Chinese full name"
    )

    # Unrelated trees: neither secretary's organization lies under the other's.
    mine, theirs = secretary.organization, secretary2.organization
    assert not theirs.path.startswith(mine.path)
    assert not mine.path.startswith(theirs.path)
    assert mine.enterprise_id != theirs.enterprise_id
    assert not visible(secretary.user, Organization).filter(pk=theirs.pk).exists()
    # The secretary's organization has branches below it and data of its own.
    assert mine.descendants_and_self().count() > 1
    assert StudyActivity.objects.filter(organization=mine).exists()

    # The member has the records a member's pages show.
    assert StudyPlan.objects.filter(member=member, kind=StudyPlanKind.PERSONAL).exists()
    assert StudyNote.objects.filter(member=member).count() >= 2
    assert Attendance.objects.filter(member=member).exists()


def test_demo_password_works_for_the_four_logins_and_the_bulk_members(client):
    seed_small()

    # Through the login page: with django-axes, authentication needs the request.
    for username in (*LOGINS, "m000001"):
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        assert client.session.get("_auth_user_id") == str(User.objects.get(username=username).pk)
        client.logout()
    response = client.post("/accounts/login/", {"username": "member", "password": "wrong-password"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_seed_demo_campaign_has_the_notices_nine_criteria_verbatim():
    seed_small()

    campaign = Campaign.objects.get()
    assert campaign.year == timezone.localdate().year
    assert campaign.title == "争创学习型党组织，争当学习型党员"
    assert campaign.notice == NOTICE_PATH.read_text(encoding="utf-8")
    assert campaign.application_deadline == datetime.datetime(
        campaign.year, 9, 30, 23, 59, 59, tzinfo=SHANGHAI
    )

    expected = notice_criteria()
    assert len(expected) == 9
    criteria = Criterion.objects.filter(campaign=campaign).order_by("-subject", "position")
    assert [(c.subject, c.position, c.text) for c in criteria] == expected
    assert {(c.subject, c.max_score, c.weight) for c in criteria} == {
        (CriterionSubject.ORGANIZATION, 20, 1),
        (CriterionSubject.MEMBER, 25, 1),
    }
    assert [(d.subject, d.position, d.text) for d in DEFAULT_CRITERIA] == expected


def test_create_default_criteria_adds_only_what_is_missing():
    seed_small()
    campaign = Campaign.objects.get()
    edited = campaign.criteria.get(subject=CriterionSubject.MEMBER, position=2)
    edited.text = "由组织部修改的要求"
    edited.save()

    assert create_default_criteria(campaign) == []
    edited.refresh_from_db()
    assert edited.text == "由组织部修改的要求"
    assert campaign.criteria.count() == 9


def test_seed_demo_default_scale_builds_a_believable_district():
    seed()
    campaign = Campaign.objects.get()

    assert 25 <= Organization.objects.count() <= 35
    assert Member.objects.count() == 300
    assert set(StudyActivity.objects.values_list("form", flat=True)) == set(ActivityForm.values)
    # Attendance credits the activity's hours.
    assert not Attendance.objects.exclude(hours=F("activity__hours")).exists()
    assert set(StudyNote.objects.values_list("kind", flat=True)) == set(NoteKind.values)
    assert StudyNote.objects.filter(kind=NoteKind.REFLECTION, is_excellent=True).exists()
    assert set(Suggestion.objects.values_list("status", flat=True)) == set(SuggestionStatus.values)
    plans = StudyPlan.objects.values_list("kind", "status").distinct()
    assert {
        (StudyPlanKind.ORGANIZATION_ANNUAL, PlanStatus.FILED),
        (StudyPlanKind.ORGANIZATION_QUARTERLY, PlanStatus.FILED),
        (StudyPlanKind.PERSONAL, PlanStatus.FILED),
    } <= set(plans)
    assert StudyPlan.objects.filter(status=PlanStatus.DRAFT).exists()
    assert CriterionScore.objects.exists()
    assert {
        ApplicationState.DRAFT,
        ApplicationState.SUBMITTED,
        ApplicationState.UNDER_REVIEW,
        ApplicationState.RETURNED,
        ApplicationState.RECOMMENDED,
    } <= set(Application.objects.values_list("state", flat=True))

    assert_dated_within_the_year_up_to_now(campaign.year)


DATED = {
    StudyActivity: "held_on",
    StudyNote: "written_on",
    StudyPlanItem: "scheduled_on",
    ReadingRecord: "finished_on",
}
TIMESTAMPED = {
    StudyPlan: "filed_at",
    StudyActivity: "created_at",
    StudyNote: "updated_at",
    Suggestion: "decided_at",
    SelfAssessment: "completed_at",
    Application: "created_at",
    ApplicationTransition: "at",
}


def assert_dated_within_the_year_up_to_now(year):
    today, now = timezone.localdate(), timezone.now()
    for model, field in DATED.items():
        bounds = model.objects.aggregate(lo=Min(field), hi=Max(field))
        assert datetime.date(year, 1, 1) <= bounds["lo"] <= bounds["hi"] <= today, model
    for model, field in TIMESTAMPED.items():
        bounds = model.objects.aggregate(lo=Min(field), hi=Max(field))
        if bounds["lo"] is None:
            continue
        assert datetime.datetime(year, 1, 1, tzinfo=SHANGHAI) <= bounds["lo"], model
        assert bounds["hi"] <= now, model


def assert_histories_consistent(deadline):
    now = timezone.now()
    for application in Application.objects.prefetch_related("history"):
        steps = list(application.history.order_by("at", "pk"))
        if application.state == ApplicationState.DRAFT:
            assert steps == []
            continue
        assert steps[0].from_state == ApplicationState.DRAFT
        assert steps[0].to_state == ApplicationState.SUBMITTED
        assert steps[0].at == application.submitted_at
        for before, after in itertools.pairwise(steps):
            assert before.to_state == after.from_state
            assert before.at < after.at
        assert steps[-1].to_state == application.state
        assert all(step.at <= now for step in steps)
        assert all(
            step.at <= deadline
            for step in steps
            if step.to_state in (ApplicationState.SUBMITTED, ApplicationState.RESUBMITTED)
        )


def test_seed_demo_application_histories_are_consistent():
    seed()
    assert_histories_consistent(Campaign.objects.get().application_deadline)


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI),
        datetime.datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI),
        datetime.datetime(2027, 9, 30, 23, 0, tzinfo=SHANGHAI),
        datetime.datetime(2027, 12, 31, 23, 59, tzinfo=SHANGHAI),
    ],
)
def test_seed_demo_on_any_day_of_the_year_dates_nothing_ahead(moment):
    with time_machine.travel(moment, tick=False):
        seed_small()
        assert Campaign.objects.get().year == 2027
        assert_dated_within_the_year_up_to_now(2027)
        assert_histories_consistent(Campaign.objects.get().application_deadline)


def test_seed_demo_run_twice_creates_nothing_new():
    seed_small()
    secretary = User.objects.get(username="secretary")
    secretary.set_password("changed-by-the-user")
    secretary.save()
    before = row_counts()

    output = seed_small()

    assert "exists already" in output
    assert row_counts() == before
    secretary.refresh_from_db()
    assert secretary.check_password(DEMO_PASSWORD)


def test_seed_demo_if_empty_does_nothing_when_an_organization_exists():
    OrganizationFactory()
    before = row_counts()

    output = seed("--if-empty", "--orgs", "12", "--members", "60")

    assert "not seeding" in output
    assert row_counts() == before
    assert not User.objects.filter(username__in=LOGINS).exists()


def test_seed_demo_if_empty_builds_on_an_empty_database():
    seed("--if-empty", "--orgs", "12", "--members", "60")

    assert Organization.objects.filter(code__startswith=CODE_PREFIX).count() == 12
    assert Member.objects.count() == 60


def test_seed_demo_tree_paths_are_consistent():
    seed_small()

    organizations = {o.pk: o for o in Organization.objects.all()}
    for org in organizations.values():
        parent = organizations.get(org.parent_id)
        assert org.path == f"{parent.path if parent else '/'}{org.pk}/"
        assert org.depth == org.path.count("/") - 2
        if parent is not None:
            assert org.kind in ALLOWED_CHILD_KINDS[OrganizationKind(parent.kind)]
            assert org.enterprise_id == parent.enterprise_id
    assert {o.kind for o in organizations.values()} == set(OrganizationKind.values)
    # Every organization has exactly one secretary.
    assert set(
        Member.objects.filter(role=MemberRole.SECRETARY)
        .values("organization")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    ) == {1}
    assert Member.objects.filter(role=MemberRole.SECRETARY).count() == len(organizations)

    # Rows added afterwards get fresh ids and their own paths.
    later = OrganizationFactory(parent=organizations[min(organizations)])
    assert later.pk > max(organizations)
    assert later.path == f"{organizations[min(organizations)].path}{later.pk}/"


def test_seed_demo_refuses_sizes_it_cannot_build():
    with pytest.raises(CommandError):
        seed("--orgs", "2", "--members", "60")
    with pytest.raises(CommandError):
        seed("--orgs", "12", "--members", "12")
    assert not Organization.objects.exists()


def test_ensure_department_group_is_idempotent():
    group = ensure_department_group()
    permissions = set(group.permissions.values_list("codename", flat=True))

    again = ensure_department_group()

    assert again.pk == group.pk
    assert Group.objects.filter(name=DEPARTMENT_GROUP_NAME).count() == 1
    assert set(again.permissions.values_list("codename", flat=True)) == permissions
    assert "view_applicationtransition" in permissions
    assert "add_applicationtransition" not in permissions
    assert {"add_studynote", "change_campaign", "delete_criterion"} <= permissions
