import datetime
import logging
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.urls import reverse

from appraisal.enums import ApplicationKind, ApplicationState
from appraisal.models import Application, ApplicationTransition
from appraisal.notifications import notify_transition
from appraisal.services.applications import application_transition
from campaigns.models import SHANGHAI

from ..factories import (
    ApplicationFactory,
    CampaignFactory,
    DepartmentUserFactory,
    SecretaryFactory,
)

S = ApplicationState
YEAR = 2026
NOW = datetime.datetime(YEAR, 6, 1, 10, 5, tzinfo=SHANGHAI)
BASE_URL = "https://shuangzheng.example.gov.cn"


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture(autouse=True)
def _portal(settings):
    settings.PORTAL_BASE_URL = BASE_URL + "/"


@pytest.fixture
def campaign(db):
    return CampaignFactory(year=YEAR)


@pytest.fixture
def people(district):
    """Everyone in the district has an e-mail address, except a second department user."""
    for user in (
        district.secretary.user,
        district.branch_secretary.user,
        district.member.user,
        district.fellow.user,
        district.other_secretary.user,
        district.other_member.user,
        district.department,
    ):
        user.email = f"{user.username}@example.cn"
        user.save(update_fields=["email"])
    DepartmentUserFactory(username="dept_no_mail", email="")
    return district


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _application(district, campaign, state=S.DRAFT, member=None):
    return ApplicationFactory(
        campaign=campaign,
        organization=district.branch,
        kind=ApplicationKind.MEMBER_MODEL if member else ApplicationKind.ORGANIZATION_MODEL,
        member=member,
        state=state,
        # Filed by the committee's secretary for its branch: not one of the branch's secretaries.
        created_by=district.secretary.user,
    )


def _move(district, application, name, comment="", capture=None):
    actor = (
        district.branch_secretary.user if name in ("submit", "resubmit") else district.department
    )
    with capture(execute=True):
        application_transition(
            application=application, transition=name, actor=actor, comment=comment
        )


def _inbox():
    """Each recipient address with the subject and body of the mail sent to it."""
    result = {}
    for message in mail.outbox:
        (address,) = message.to
        assert address not in result, f"{address} got two mails"
        result[address] = message
    return result


def _detail_url(application):
    return BASE_URL + reverse("appraisal:application.detail", args=[application.pk])


def test_submit_mails_department_staff_and_confirms_to_secretaries(
    people, campaign, clock, django_capture_on_commit_callbacks
):
    application = _application(people, campaign)

    _move(people, application, "submit", capture=django_capture_on_commit_callbacks)

    inbox = _inbox()
    assert set(inbox) == {"dept@example.cn", "branchsec@example.cn"}
    to_department = inbox["dept@example.cn"]
    assert to_department.subject == "标兵申报表待审核：甲公司第一党支部 · 学习型党组织标兵申报表"
    body = to_department.body
    assert body.startswith(f"{people.department.full_name}同志：")
    assert "提交了" in body and "请审核" in body
    assert "党组织：甲公司第一党支部" in body
    assert "当前状态：已提交" in body
    assert "2026年6月1日 10:05（北京时间）" in body
    assert _detail_url(application) in body
    confirmation = inbox["branchsec@example.cn"]
    assert confirmation.subject == "申报表已提交：甲公司第一党支部 · 学习型党组织标兵申报表"
    assert "已报送党工委组织部审核" in confirmation.body
    assert to_department.from_email


def test_resubmit_mails_department_and_secretaries_as_resubmission(
    people, campaign, clock, django_capture_on_commit_callbacks
):
    application = _application(people, campaign, S.RETURNED)

    _move(people, application, "resubmit", capture=django_capture_on_commit_callbacks)

    inbox = _inbox()
    assert set(inbox) == {"dept@example.cn", "branchsec@example.cn"}
    assert inbox["dept@example.cn"].subject.startswith("标兵申报表已重新提交，待审核：")
    assert "当前状态：已重新提交" in inbox["dept@example.cn"].body
    assert inbox["branchsec@example.cn"].subject.startswith("申报表已重新提交：")


def test_start_review_sends_nothing(people, campaign, clock, django_capture_on_commit_callbacks):
    application = _application(people, campaign, S.SUBMITTED)

    _move(people, application, "start_review", capture=django_capture_on_commit_callbacks)

    assert Application.objects.get(pk=application.pk).state == S.UNDER_REVIEW
    assert mail.outbox == []


def test_return_mails_secretaries_and_creator_with_comment(
    people, campaign, clock, django_capture_on_commit_callbacks
):
    application = _application(people, campaign, S.UNDER_REVIEW)

    _move(
        people,
        application,
        "return_for_revision",
        comment="主要事迹过于简略，请补充2026年学习活动情况。",
        capture=django_capture_on_commit_callbacks,
    )

    inbox = _inbox()
    assert set(inbox) == {"branchsec@example.cn", "sec@example.cn"}
    message = inbox["sec@example.cn"]
    assert message.subject == "申报表被退回修改：甲公司第一党支部 · 学习型党组织标兵申报表"
    assert "退回修改" in message.body
    assert "主要事迹过于简略，请补充2026年学习活动情况。" in message.body
    assert "当前状态：退回修改" in message.body
    assert _detail_url(application) in message.body


@pytest.mark.parametrize(
    ("name", "state", "phrase"),
    [
        ("recommend", S.UNDER_REVIEW, "当前状态：已推荐"),
        ("not_recommend", S.UNDER_REVIEW, "当前状态：未推荐"),
        ("commend", S.RECOMMENDED, "当前状态：已表彰"),
    ],
)
def test_decision_on_organization_application_mails_its_secretaries(
    people, campaign, clock, django_capture_on_commit_callbacks, name, state, phrase
):
    application = _application(people, campaign, state)

    _move(people, application, name, capture=django_capture_on_commit_callbacks)

    inbox = _inbox()
    assert set(inbox) == {"branchsec@example.cn"}
    assert inbox["branchsec@example.cn"].subject.startswith("申报表审核结果：")
    assert phrase in inbox["branchsec@example.cn"].body


@pytest.mark.parametrize("name", ["recommend", "not_recommend"])
def test_decision_on_member_application_mails_the_member_too(
    people, campaign, clock, django_capture_on_commit_callbacks, name
):
    application = _application(people, campaign, S.UNDER_REVIEW, member=people.member)

    _move(people, application, name, capture=django_capture_on_commit_callbacks)

    inbox = _inbox()
    assert set(inbox) == {"branchsec@example.cn", "mem@example.cn"}
    message = inbox["mem@example.cn"]
    assert message.subject == (
        f"申报表审核结果：甲公司第一党支部 {people.member.name} · 学习型党员标兵申报表"
    )
    assert f"推荐对象：{people.member.name}" in message.body


def test_commend_member_application_congratulates_the_member(
    people, campaign, clock, django_capture_on_commit_callbacks
):
    application = _application(people, campaign, S.RECOMMENDED, member=people.member)

    _move(people, application, "commend", capture=django_capture_on_commit_callbacks)

    assert "表彰" in _inbox()["mem@example.cn"].body


def test_users_without_email_or_inactive_are_skipped(
    people, campaign, clock, django_capture_on_commit_callbacks
):
    people.branch_secretary.user.email = ""
    people.branch_secretary.user.save(update_fields=["email"])
    SecretaryFactory(
        organization=people.branch,
        user__username="gone",
        user__email="gone@example.cn",
        is_active=False,
    )
    application = _application(people, campaign)

    _move(people, application, "submit", capture=django_capture_on_commit_callbacks)

    assert set(_inbox()) == {"dept@example.cn"}


def test_submit_mail_lists_every_department_user_once(
    people, campaign, clock, django_capture_on_commit_callbacks
):
    DepartmentUserFactory(username="dept2", email="dept2@example.cn")
    DepartmentUserFactory(username="dept3", email="DEPT@example.cn")  # same mailbox as dept
    application = _application(people, campaign)

    _move(people, application, "submit", capture=django_capture_on_commit_callbacks)

    assert set(_inbox()) == {"dept@example.cn", "dept2@example.cn", "branchsec@example.cn"}


def test_failing_mail_server_keeps_the_state_change(
    people, campaign, clock, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    application = _application(people, campaign)

    with caplog.at_level(logging.ERROR, logger="appraisal.notifications"):
        _move(people, application, "submit", capture=django_capture_on_commit_callbacks)

    assert Application.objects.get(pk=application.pk).state == S.SUBMITTED
    assert ApplicationTransition.objects.filter(application=application).count() == 1
    assert "Could not send" in caplog.text


@pytest.mark.parametrize("secretaries", [1, 6])
def test_notify_queries_constant(people, campaign, clock, django_assert_num_queries, secretaries):
    for n in range(secretaries - 1):
        SecretaryFactory(
            organization=people.branch, user__username=f"s{n}", user__email=f"s{n}@example.cn"
        )
    application = _application(people, campaign, S.DRAFT)
    record = ApplicationTransition.objects.create(
        application=application,
        from_state=S.DRAFT,
        to_state=S.SUBMITTED,
        actor=people.branch_secretary.user,
    )

    # The history row with its application, the organization's secretaries, the department.
    with django_assert_num_queries(3):
        notify_transition(record.pk)

    assert len(mail.outbox) == 1 + secretaries


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
def test_mails_wait_for_the_background_worker(
    people, campaign, clock, django_capture_on_commit_callbacks
):
    from django_tasks import default_task_backend

    from appraisal.tasks import send_transition_mail

    application = _application(people, campaign)

    _move(people, application, "submit", capture=django_capture_on_commit_callbacks)

    assert mail.outbox == []  # nothing sent in the request
    [queued] = default_task_backend.results
    record = ApplicationTransition.objects.get(application=application)
    assert (queued.task.name, queued.args) == ("send_transition_mail", [record.pk])
    send_transition_mail.call(*queued.args)  # what the worker does
    assert set(_inbox()) == {"dept@example.cn", "branchsec@example.cn"}
