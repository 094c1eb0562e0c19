"""The security audit trail: what is recorded, that it cannot be changed, the department's page."""

import contextlib
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from appraisal.enums import ApplicationState
from appraisal.services.applications import application_transition
from appraisal.transitions import START_REVIEW
from campaigns.enums import AuditAction, PlanStatus
from campaigns.middleware import current_request
from campaigns.models import SHANGHAI, AuditEvent, AuditTrailIsAppendOnly
from learning.enums import ActivityForm, StudyPlanKind
from learning.models import StudyActivity, StudyPlan

from ..factories import (
    PASSWORD,
    ApplicationFactory,
    CampaignFactory,
    SelfAssessmentFactory,
    StudyActivityFactory,
)

pytestmark = pytest.mark.django_db

A = AuditAction
IP = "10.1.2.3"


@pytest.fixture
def campaign(db):
    return CampaignFactory()


@contextlib.contextmanager
def serving(user, ip=IP):
    """As inside a request of ``user`` from ``ip`` (what RequestContextMiddleware sets)."""
    request = RequestFactory().get("/", REMOTE_ADDR=ip)
    request.user = user
    request.client_ip = ip
    token = current_request.set(request)
    try:
        yield request
    finally:
        current_request.reset(token)


def events(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("pk"))


def one(**filters):
    found = events(**filters)
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------- sign-in and sign-out


def test_login_logout_and_failed_login_recorded_with_the_address(client, district):
    user = district.secretary.user
    response = client.post(
        reverse("login"),
        {"username": "sec", "password": "wrong-password"},
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 200
    failed = one(action=A.LOGIN_FAILED)
    assert (failed.actor, failed.actor_name, failed.ip) == (None, "sec", "192.0.2.7")

    response = client.post(
        reverse("login"), {"username": "sec", "password": PASSWORD}, REMOTE_ADDR="192.0.2.8"
    )
    assert response.status_code == 302
    login = one(action=A.LOGIN)
    assert (login.actor, login.actor_name, login.ip) == (user, "sec", "192.0.2.8")

    client.post(reverse("logout"), REMOTE_ADDR="192.0.2.9")
    logout = one(action=A.LOGOUT)
    assert (logout.actor, logout.ip) == (user, "192.0.2.9")


def test_failed_login_of_a_locked_out_account_still_recorded(client, district, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _attempt in range(3):
        client.post(reverse("login"), {"username": "sec", "password": "nope"}, REMOTE_ADDR=IP)
    # The third attempt is refused by django-axes before the password is checked.
    assert len(events(action=A.LOGIN_FAILED, actor_name="sec", ip=IP)) == 3


def test_password_change_recorded_without_the_hash(client, district):
    user = district.member.user
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Xinmima-2026!ab",
            "new_password2": "Xinmima-2026!ab",
        },
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 302
    event = one(action=A.PASSWORD_CHANGE)
    assert (event.actor, event.ip, event.object_id) == (user, IP, str(user.pk))
    user.refresh_from_db()
    assert user.password not in str(event.changes) + event.detail
    assert "password" not in event.changes


# ---------------------------------------------------------------- create / change / delete


def test_plan_create_change_delete_recorded_through_the_pages(client, district, campaign):
    secretary = district.secretary.user
    client.force_login(secretary)
    data = {
        "organization": district.committee.pk,
        "kind": StudyPlanKind.ORGANIZATION_ANNUAL,
        "quarter": "",
        "title": "年度学习计划",
        "key_content": "学习党章党规",
        "items-TOTAL_FORMS": "0",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    response = client.post(reverse("learning:plan.create"), data, REMOTE_ADDR=IP)
    assert response.status_code == 302
    plan = StudyPlan.objects.get()
    created = one(action=A.CREATE, object_type="learning.studyplan")
    assert (created.actor, created.actor_name, created.ip) == (secretary, "sec", IP)
    assert created.object_id == str(plan.pk)
    assert created.changes["title"] == [None, "年度学习计划"]
    assert created.changes["organization"] == [None, district.committee.name]
    assert created.changes["status"] == [None, "草稿"]

    data.update(title="修改后的计划")
    response = client.post(
        reverse("learning:plan.edit", args=[plan.pk]), data, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 302
    changed = one(action=A.CHANGE, object_type="learning.studyplan")
    assert changed.ip == "10.9.9.9" and changed.actor == secretary
    assert changed.changes == {"title": ["年度学习计划", "修改后的计划"]}

    response = client.post(reverse("learning:plan.delete", args=[plan.pk]), REMOTE_ADDR=IP)
    assert response.status_code == 302
    deleted = one(action=A.DELETE, object_type="learning.studyplan")
    assert (deleted.object_id, deleted.object_repr) == (str(plan.pk), "修改后的计划")
    assert deleted.changes["title"] == ["修改后的计划", None]


def test_activity_create_change_delete_recorded(district, campaign):
    secretary = district.secretary.user
    with serving(secretary):
        activity = StudyActivityFactory(
            campaign=campaign, organization=district.committee, recorded_by=secretary
        )
        activity.hours = Decimal("3.5")
        activity.form = ActivityForm.LECTURE
        activity.save()
        activity.save()  # nothing changed: no second event
        pk = activity.pk
        activity.delete()

    created = one(action=A.CREATE, object_type="learning.studyactivity")
    assert (created.actor, created.ip, created.object_id) == (secretary, IP, str(pk))
    changed = one(action=A.CHANGE, object_type="learning.studyactivity")
    assert changed.changes["hours"][1] == "3.5"
    assert changed.changes["form"][1] == "专题讲座"
    assert set(changed.changes) == {"hours", "form"}
    deleted = one(action=A.DELETE, object_type="learning.studyactivity")
    assert deleted.actor == secretary and deleted.object_id == str(pk)
    assert not StudyActivity.objects.exists()


def test_self_assessment_and_application_changes_recorded(district, campaign):
    secretary = district.branch_secretary.user
    with serving(secretary, ip="2001:db8::1"):
        assessment = SelfAssessmentFactory(campaign=campaign, organization=district.branch)
        assessment.statement = "对照基本要求逐条自评"
        assessment.save()
        application = ApplicationFactory(
            campaign=campaign, organization=district.branch, created_by=secretary
        )
        deeds = application.main_deeds
        application.main_deeds = "主要事迹"
        application.save(update_fields=["main_deeds"])
        application_pk = application.pk
        application.delete()

    assert one(action=A.CREATE, object_type="appraisal.selfassessment").ip == "2001:db8::1"
    changed = one(action=A.CHANGE, object_type="appraisal.selfassessment")
    assert changed.changes["statement"][1] == "对照基本要求逐条自评"
    assert changed.actor == secretary
    assert one(action=A.CREATE, object_type="appraisal.application").actor == secretary
    changed = one(action=A.CHANGE, object_type="appraisal.application")
    assert changed.changes == {"main_deeds": [deeds, "主要事迹"]}
    deleted = one(action=A.DELETE, object_type="appraisal.application")
    assert deleted.object_id == str(application_pk)


def test_bulk_writes_record_nothing_per_row(district, campaign):
    before = AuditEvent.objects.count()
    StudyPlan.objects.bulk_create(
        StudyPlan(
            campaign=campaign,
            organization=district.committee,
            kind=StudyPlanKind.ORGANIZATION_QUARTERLY,
            quarter=quarter,
            title=f"第{quarter}季度",
            status=PlanStatus.DRAFT,
        )
        for quarter in (1, 2)
    )
    assert AuditEvent.objects.count() == before


def test_transition_recorded_with_from_to_and_comment(district, campaign):
    department = district.department
    application = ApplicationFactory(
        campaign=campaign,
        organization=district.branch,
        state=ApplicationState.SUBMITTED,
        created_by=district.branch_secretary.user,
    )
    with serving(department, ip="172.16.0.5"):
        application_transition(application=application, transition=START_REVIEW, actor=department)
    event = one(action=A.TRANSITION)
    assert (event.actor, event.ip, event.object_id) == (
        department,
        "172.16.0.5",
        str(application.pk),
    )
    assert event.changes == {"state": ["已提交", "审核中"]}


# ---------------------------------------------------------------- exports and imports


def test_assessment_export_recorded(client, district, campaign):
    client.force_login(district.department)
    response = client.post(
        reverse("appraisal:export.create"), {"year": campaign.year}, REMOTE_ADDR=IP
    )
    assert response.status_code == 302
    event = one(action=A.EXPORT)
    assert (event.actor, event.ip, event.object_type) == (
        district.department,
        IP,
        "appraisal.assessmentexport",
    )


def test_export_command_recorded_without_a_user(district, campaign, tmp_path):
    call_command(
        "export_assessment", year=campaign.year, out=str(tmp_path / "a.xlsx"), stdout=io.StringIO()
    )
    event = one(action=A.EXPORT)
    assert (event.actor, event.ip, event.object_type) == (None, None, "campaigns.campaign")


def test_import_recorded_once_with_the_counts(client, district):
    from .test_import import GOOD_MEMBERS, GOOD_ORGS, upload, workbook_bytes

    members_before = len(events(action=A.CREATE, object_type="campaigns.member"))
    client.force_login(district.department)
    client.defaults["REMOTE_ADDR"] = IP
    response = upload(client, workbook_bytes(GOOD_ORGS, GOOD_MEMBERS))
    assert response.status_code == 302
    event = one(action=A.IMPORT)
    assert (event.actor, event.ip, event.object_repr) == (district.department, IP, "district.xlsx")
    assert f"{len(GOOD_MEMBERS)}" in event.detail
    # The rows themselves went in with bulk_create: no event per organization or member.
    assert len(events(action=A.CREATE, object_type="campaigns.member")) == members_before


# ---------------------------------------------------------------- append-only


def test_audit_event_cannot_be_changed_or_deleted_through_the_orm(district):
    from campaigns.audit import record

    event = record(action=A.EXPORT, actor=district.department, detail="原始记录")
    event.detail = "篡改"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(detail="篡改")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent._base_manager.filter(pk=event.pk).update(detail="篡改")
    assert AuditEvent.objects.get(pk=event.pk).detail == "原始记录"


def test_audit_event_cannot_be_changed_or_deleted_through_the_admin(admin_client, district):
    from campaigns.audit import record

    event = record(action=A.EXPORT, actor=district.department, detail="原始记录")
    change = reverse("admin:campaigns_auditevent_change", args=[event.pk])
    delete = reverse("admin:campaigns_auditevent_delete", args=[event.pk])
    page = admin_client.get(change)
    assert page.status_code == 200  # viewable
    assert b'name="_save"' not in page.content
    assert admin_client.post(change, {"detail": "篡改"}).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client.get(reverse("admin:campaigns_auditevent_add")).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).detail == "原始记录"


def test_user_with_audit_events_is_not_deleted_silently(district):
    from django.db.models import ProtectedError

    from campaigns.audit import record

    record(action=A.EXPORT, actor=district.department)
    with pytest.raises(ProtectedError):
        district.department.delete()


# ---------------------------------------------------------------- the department's page


def _event(action, actor, at, **fields):
    return AuditEvent.objects.create(
        action=action, actor=actor, actor_name=actor.get_username(), at=at, **fields
    )


@pytest.fixture
def trail(district):
    def at(month, day, hour=10):
        return datetime.datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)

    return {
        "sec_login": _event(A.LOGIN, district.secretary.user, at(3, 1), object_repr="sec"),
        "sec_export": _event(A.EXPORT, district.secretary.user, at(3, 2), object_repr="导出甲"),
        "mem_login": _event(A.LOGIN, district.member.user, at(3, 2, 23), object_repr="mem"),
        "dept_export": _event(A.EXPORT, district.department, at(4, 1), object_repr="导出乙"),
    }


def shown(response):
    return {event.pk for event in response.context["events"]}


def test_audit_page_filters_by_actor_action_and_date(client, district, trail):
    client.force_login(district.department)
    url = reverse("audit.list")

    response = client.get(url, {"actor": "sec"})
    assert response.status_code == 200
    assert {trail["sec_login"].pk, trail["sec_export"].pk} <= shown(response)
    assert trail["mem_login"].pk not in shown(response)

    response = client.get(url, {"action": A.EXPORT})
    assert shown(response) == {trail["sec_export"].pk, trail["dept_export"].pk}

    # Beijing dates: 2 March 23:00 in Beijing is still 2 March.
    response = client.get(url, {"start": "2026-03-02", "end": "2026-03-02"})
    assert shown(response) == {trail["sec_export"].pk, trail["mem_login"].pk}

    response = client.get(url, {"actor": "sec", "action": A.EXPORT, "start": "2026-03-01"})
    assert shown(response) == {trail["sec_export"].pk}


def test_audit_page_shows_changes_with_field_names(client, district, campaign):
    with serving(district.secretary.user):
        activity = StudyActivityFactory(campaign=campaign, organization=district.committee)
        activity.topic = "新的主题"
        activity.save()
    client.force_login(district.department)
    response = client.get(reverse("audit.list"), {"action": A.CHANGE})
    content = response.content.decode()
    assert response.status_code == 200
    assert "新的主题" in content
    assert str(StudyActivity._meta.get_field("topic").verbose_name) in content


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-13-45"},
        {"start": "2026-04-01", "end": "2026-03-01"},
        {"ip": "<script>"},
        {"action": "nonsense", "page": "999"},
        {"object_type": "auth.permission"},
    ],
)
def test_audit_page_bad_filters_do_not_fail(client, district, trail, params):
    client.force_login(district.department)
    response = client.get(reverse("audit.list"), params)
    assert response.status_code == 200


@pytest.mark.parametrize("extra", [0, 60])
def test_audit_page_query_count_does_not_grow(
    client, district, trail, extra, django_assert_num_queries
):
    from campaigns.audit import record

    for n in range(extra):
        record(action=A.EXPORT, actor=district.member.user, object_repr=f"第{n}次")
    client.force_login(district.department)
    # session, user, count, the page of events with their users
    with django_assert_num_queries(4):
        response = client.get(reverse("audit.list"))
    assert response.status_code == 200


def test_audit_export_holds_the_filtered_rows_and_is_recorded(client, district, trail):
    client.force_login(district.department)
    response = client.get(reverse("audit.export"), {"action": A.EXPORT}, REMOTE_ADDR=IP)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "导出甲" in values and "导出乙" in values
    assert "mem" not in values  # a login, filtered out
    # The export itself is recorded (and was not part of what it exported).
    export = AuditEvent.objects.filter(action=A.EXPORT, object_type="campaigns.auditevent").get()
    assert (export.actor, export.ip) == (district.department, IP)
    assert "2" in export.detail


@pytest.mark.parametrize("who", ["secretary", "member"])
def test_audit_pages_refused_to_secretary_and_member(client, district, who):
    user = district.secretary.user if who == "secretary" else district.member.user
    client.force_login(user)
    assert client.get(reverse("audit.list")).status_code == 403
    assert client.get(reverse("audit.export")).status_code == 403


def test_audit_page_sends_anonymous_to_login(client):
    response = client.get(reverse("audit.list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


# ---------------------------------------------------------------- retention


def test_prune_removes_only_events_older_than_180_days(district):
    now = timezone.now()
    old = _event(A.LOGIN, district.member.user, now - datetime.timedelta(days=181))
    kept = _event(A.LOGIN, district.member.user, now - datetime.timedelta(days=179))
    out = io.StringIO()
    call_command("prune_audit", stdout=out)
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    assert "1" in out.getvalue()
    # The pruning is itself in the trail.
    assert " 1 " in one(action=A.DELETE, object_type="campaigns.auditevent").detail


def test_prune_refuses_fewer_than_180_days(district):
    old = _event(A.LOGIN, district.member.user, timezone.now() - datetime.timedelta(days=60))
    with pytest.raises(CommandError, match="180"):
        call_command("prune_audit", days=30, stdout=io.StringIO())
    assert AuditEvent.objects.filter(pk=old.pk).exists()


# ---------------------------------------------------------------- account security


def test_unlock_and_password_change_required_recorded(district):
    from campaigns.security.services import lockout_reset, password_change_require

    department, member = district.department, district.member.user
    with serving(department):
        lockout_reset(actor=department, username="mem", ip="192.0.2.1")
        password_change_require(actor=department, user=member)
    unlock = one(action=A.UNLOCK)
    assert (unlock.actor, unlock.ip, unlock.object_repr) == (department, IP, "mem")
    assert "192.0.2.1" in unlock.detail
    required = one(action=A.PASSWORD_CHANGE_REQUIRED)
    assert (required.actor, required.object_id) == (department, str(member.pk))
