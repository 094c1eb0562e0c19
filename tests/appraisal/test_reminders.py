import datetime
import io
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command

from appraisal.enums import ApplicationKind, ApplicationState
from appraisal.models import DeadlineReminder
from appraisal.notifications import send_deadline_reminders
from campaigns.models import SHANGHAI, Extension

from ..factories import (
    ApplicationFactory,
    CampaignFactory,
    OrganizationFactory,
    SecretaryFactory,
)

YEAR = 2026
DEADLINE = datetime.datetime(YEAR, 9, 30, 23, 59, 59, tzinfo=SHANGHAI)


def at(month, day, hour=8, minute=0, second=0):
    return datetime.datetime(YEAR, month, day, hour, minute, second, tzinfo=SHANGHAI)


class RefusingBackend(EmailBackend):
    """A mail server that refuses mail for one mailbox and delivers the rest."""

    def send_messages(self, messages):
        if any(address.startswith("branchsec@") for m in messages for address in m.to):
            raise smtplib.SMTPRecipientsRefused({"branchsec@example.cn": (550, b"no such user")})
        return super().send_messages(messages)


@pytest.fixture
def campaign(db):
    campaign = CampaignFactory(year=YEAR)
    assert campaign.application_deadline == DEADLINE
    return campaign


@pytest.fixture
def secretaries(district):
    """The three secretaries have e-mail addresses; other_branch has no secretary at all."""
    for member in (district.secretary, district.branch_secretary, district.other_secretary):
        member.user.email = f"{member.user.username}@example.cn"
        member.user.save(update_fields=["email"])
    return district


def run(when):
    with time_machine.travel(when, tick=False):
        return send_deadline_reminders()


def _sent_to():
    return sorted(address for message in mail.outbox for address in message.to)


ALL = ["branchsec@example.cn", "sec2@example.cn", "sec@example.cn"]


def test_reminder_eight_days_before_none(secretaries, campaign):
    assert run(at(9, 22, 23, 59, 59)) == 0
    assert mail.outbox == []
    assert not DeadlineReminder.objects.exists()


def test_reminder_seven_days_before_sends_week_reminder(secretaries, campaign):
    assert run(at(9, 23, 0, 0, 0)) == 3

    assert _sent_to() == ALL
    message = next(m for m in mail.outbox if m.to == ["branchsec@example.cn"])
    assert message.subject == "距标兵申报截止还有 7 天"
    assert "甲公司第一党支部尚未报送2026年度“双争”活动标兵申报表" in message.body
    assert "申报截止时间：2026年9月30日 23:59（北京时间）" in message.body
    assert "距截止还有 7 天" in message.body
    assert "请登录平台" in message.body
    reminders = DeadlineReminder.objects.filter(campaign=campaign)
    assert {(r.organization.name, r.days_before, r.deadline) for r in reminders} == {
        ("甲公司党委", 7, DEADLINE),
        ("甲公司第一党支部", 7, DEADLINE),
        ("乙公司党委", 7, DEADLINE),
    }
    assert reminders.get(organization=secretaries.branch).recipients == "branchsec@example.cn"


def test_reminder_run_twice_same_day_no_duplicate(secretaries, campaign):
    assert run(at(9, 24, 8)) == 3
    assert run(at(9, 24, 20)) == 0
    assert run(at(9, 27, 8)) == 0

    assert len(mail.outbox) == 3
    assert DeadlineReminder.objects.count() == 3


def test_reminder_one_day_before_sends_day_reminder(secretaries, campaign):
    run(at(9, 23))
    mail.outbox.clear()

    assert run(at(9, 29)) == 3

    assert _sent_to() == ALL
    assert {m.subject for m in mail.outbox} == {"距标兵申报截止还有 1 天"}
    assert "距截止还有 1 天" in mail.outbox[0].body
    days = sorted(DeadlineReminder.objects.values_list("days_before", flat=True))
    assert days == [1, 1, 1, 7, 7, 7]
    assert run(at(9, 30, 9)) == 0


def test_reminder_missed_day_still_reminds_on_last_day(secretaries, campaign):
    assert run(at(9, 30, 23, 59, 58)) == 3

    assert {m.subject for m in mail.outbox} == {"标兵申报今天截止"}
    assert "今天截止" in mail.outbox[0].body
    assert set(DeadlineReminder.objects.values_list("days_before", flat=True)) == {1}


@pytest.mark.parametrize("when", [at(10, 1, 0, 0, 0), at(10, 1, 0, 0, 1), at(10, 5)])
def test_reminder_after_deadline_none(secretaries, campaign, when):
    assert run(when) == 0
    assert mail.outbox == []


def test_reminder_organization_with_submitted_application_none(secretaries, campaign):
    ApplicationFactory(
        campaign=campaign,
        organization=secretaries.branch,
        kind=ApplicationKind.MEMBER_MODEL,
        member=secretaries.member,
        state=ApplicationState.RETURNED,
        created_by=secretaries.branch_secretary.user,
    )

    assert run(at(9, 25)) == 2

    assert _sent_to() == ["sec2@example.cn", "sec@example.cn"]


def test_reminder_organization_with_draft_only_still_reminded(secretaries, campaign):
    ApplicationFactory(
        campaign=campaign,
        organization=secretaries.branch,
        state=ApplicationState.DRAFT,
        created_by=secretaries.branch_secretary.user,
    )

    assert run(at(9, 25)) == 3
    assert "branchsec@example.cn" in _sent_to()


def test_reminder_application_of_other_campaign_does_not_count(secretaries, campaign):
    ApplicationFactory(
        campaign=CampaignFactory(year=YEAR - 1),
        organization=secretaries.branch,
        state=ApplicationState.COMMENDED,
        created_by=secretaries.branch_secretary.user,
    )

    assert run(at(9, 25)) == 3


def test_reminder_extension_moves_that_organizations_reminders(secretaries, campaign):
    extended = datetime.datetime(YEAR, 10, 15, 23, 59, 59, tzinfo=SHANGHAI)
    Extension.objects.create(
        campaign=campaign,
        organization=secretaries.branch,
        deadline=extended,
        reason="系统故障",
        granted_by=secretaries.department,
    )

    assert run(at(9, 29)) == 2
    assert "branchsec@example.cn" not in _sent_to()
    mail.outbox.clear()

    assert run(at(10, 8)) == 1
    assert _sent_to() == ["branchsec@example.cn"]
    assert "申报截止时间：2026年10月15日 23:59（北京时间）" in mail.outbox[0].body
    assert run(at(10, 14)) == 1
    assert run(at(10, 16)) == 0
    assert set(
        DeadlineReminder.objects.filter(organization=secretaries.branch).values_list(
            "days_before", "deadline"
        )
    ) == {(7, extended), (1, extended)}


def test_reminder_extension_after_reminders_sends_them_again(secretaries, campaign):
    run(at(9, 29))
    assert "branchsec@example.cn" in _sent_to()
    mail.outbox.clear()
    Extension.objects.create(
        campaign=campaign,
        organization=secretaries.branch,
        deadline=datetime.datetime(YEAR, 10, 3, 23, 59, 59, tzinfo=SHANGHAI),
        reason="补充材料",
        granted_by=secretaries.department,
    )

    assert run(at(9, 29, 12)) == 1
    assert _sent_to() == ["branchsec@example.cn"]
    assert mail.outbox[0].subject == "距标兵申报截止还有 4 天"


def test_reminder_moved_deadline_sends_again(secretaries, campaign):
    run(at(9, 23))
    campaign.application_deadline = datetime.datetime(YEAR, 10, 9, 23, 59, 59, tzinfo=SHANGHAI)
    campaign.save(update_fields=["application_deadline"])
    mail.outbox.clear()

    assert run(at(9, 24)) == 0
    assert run(at(10, 2)) == 3
    assert {m.subject for m in mail.outbox} == {"距标兵申报截止还有 7 天"}


def test_reminder_without_secretary_email_skipped_and_not_recorded(secretaries, campaign):
    user = secretaries.branch_secretary.user
    user.email = ""
    user.save(update_fields=["email"])
    SecretaryFactory(
        organization=secretaries.branch,
        user__username="left",
        user__email="left@example.cn",
        is_active=False,
    )

    assert run(at(9, 24)) == 2
    assert not DeadlineReminder.objects.filter(organization=secretaries.branch).exists()

    user.email = "branchsec@example.cn"
    user.save(update_fields=["email"])
    assert run(at(9, 25)) == 1
    assert mail.outbox[-1].to == ["branchsec@example.cn"]


def test_reminder_only_secretaries_of_that_organization(secretaries, campaign):
    for member in (secretaries.member, secretaries.other_member):
        member.user.email = f"{member.user.username}@example.cn"
        member.user.save(update_fields=["email"])

    run(at(9, 24))

    assert _sent_to() == ALL


def test_reminder_inactive_organization_none(secretaries, campaign):
    secretaries.other_committee.is_active = False
    secretaries.other_committee.save()

    assert run(at(9, 24)) == 2
    assert "sec2@example.cn" not in _sent_to()


def test_reminder_refused_mail_not_recorded_and_retried(secretaries, campaign, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"

    assert run(at(9, 24)) == 2
    assert not DeadlineReminder.objects.filter(organization=secretaries.branch).exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run(at(9, 25)) == 1
    assert mail.outbox[-1].to == ["branchsec@example.cn"]


def test_reminder_without_campaign_none(secretaries):
    assert run(at(9, 24)) == 0


def test_command_prints_how_many_were_sent(secretaries, campaign):
    out = io.StringIO()
    with time_machine.travel(at(9, 24), tick=False):
        call_command("send_deadline_reminders", stdout=out)
        assert out.getvalue().strip() == "已发送 3 封截止提醒邮件。"
        out = io.StringIO()
        call_command("send_deadline_reminders", stdout=out)
    assert out.getvalue().strip() == "已发送 0 封截止提醒邮件。"


@pytest.mark.parametrize("organizations", [1, 25])
def test_reminder_queries_constant(campaign, django_assert_num_queries, organizations):
    for n in range(organizations):
        organization = OrganizationFactory()
        SecretaryFactory(
            organization=organization,
            user__username=f"secretary{n}",
            user__email=f"secretary{n}@example.cn",
        )
        Extension.objects.create(
            campaign=campaign,
            organization=organization,
            deadline=DEADLINE + datetime.timedelta(days=n % 2),
            reason="延期",
            granted_by=organization.members.get().user,
        )

    with time_machine.travel(at(9, 24), tick=False), django_assert_num_queries(9):
        sent = send_deadline_reminders()

    assert sent == organizations
    assert DeadlineReminder.objects.count() == organizations
