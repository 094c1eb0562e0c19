"""E-mails about applications: state changes and deadline reminders.

Both run outside a request (in the background worker, or from cron), so they
render in the site's language and build links from ``PORTAL_BASE_URL``. A mail
server that is down is logged and never undoes what already happened: the state
change is committed before ``notify_transition`` runs, and a reminder that
could not be sent is not recorded, so the next run tries again.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.fields import DateTimeField
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns.enums import MemberRole
from campaigns.models import SHANGHAI, Campaign, Extension, Member, Organization, User
from campaigns.selectors import current_campaign
from campaigns.templatetags.portal_tags import cn_datetime

from .enums import ApplicationKind, ApplicationState
from .models import Application, ApplicationTransition, DeadlineReminder

logger = logging.getLogger(__name__)
BLANK_LINES = re.compile(r"\n\s*\n(\s*\n)+")

TEMPLATES = "appraisal/email/"
# The reminders the notice asks for: a week before and the day before.
WEEK, DAY = 7, 1
# Below SQLite's historical limit of 999 parameters per statement.
IDS_PER_QUERY = 900


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str


def _base_url() -> str:
    return settings.PORTAL_BASE_URL.rstrip("/")


def _recipient(user) -> Recipient:
    return Recipient(name=user.get_full_name(), email=user.email.strip())


def _unique(recipients) -> list[Recipient]:
    """Each address once, in order; users without an address are left out."""
    seen, result = set(), []
    for recipient in recipients:
        key = recipient.email.lower()
        if key and key not in seen:
            seen.add(key)
            result.append(recipient)
    return result


def _active_secretaries(**filters):
    return (
        Member.objects.filter(
            role=MemberRole.SECRETARY, is_active=True, user__is_active=True, **filters
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("organization_id", "user__full_name", "pk")
    )


def _message(template: str, subject: str, recipient: Recipient, context: dict) -> EmailMessage:
    body = render_to_string(
        TEMPLATES + template,
        {**context, "recipient": recipient, "portal_name": settings.PORTAL_NAME},
    )
    # Template tags on lines of their own leave runs of blank lines behind.
    body = BLANK_LINES.sub("\n\n", body).strip() + "\n"
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )


def _send(messages: list[EmailMessage], what: str) -> int:
    """Send over one connection; a failing mail server is logged, not raised."""
    if not messages:
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except OSError:  # smtplib.SMTPException and socket errors alike
        logger.exception("Could not send %d e-mail(s) about %s", len(messages), what)
        return 0


# ---------------------------------------------------------------- state changes


def application_title(application: Application) -> str:
    """How a mail names an application: organization, nominee and kind."""
    if application.kind == ApplicationKind.MEMBER_MODEL and application.member_id:
        return _("%(organization)s %(member)s · %(kind)s application") % {
            "organization": application.organization.name,
            "member": application.member.name,
            "kind": application.get_kind_display(),
        }
    return _("%(organization)s · %(kind)s application") % {
        "organization": application.organization.name,
        "kind": application.get_kind_display(),
    }


def _transition_mails(record: ApplicationTransition) -> list[EmailMessage]:
    application = record.application
    state = ApplicationState(record.to_state)
    title = application_title(application)
    context = {
        "application": application,
        "title": title,
        "record": record,
        "state": state.label,
        "actor": record.actor.get_full_name(),
        "at": cn_datetime(record.at),
        "comment": record.comment,
        "is_resubmission": state == ApplicationState.RESUBMITTED,
        "url": _base_url() + reverse("appraisal:application.detail", args=[application.pk]),
    }
    secretaries = [
        _recipient(m.user) for m in _active_secretaries(organization_id=application.organization_id)
    ]
    plan: list[tuple[str, str, list[Recipient]]] = []

    if state in (ApplicationState.SUBMITTED, ApplicationState.RESUBMITTED):
        staff = (
            User.objects.filter(is_department_staff=True, is_active=True)
            .exclude(email="")
            .order_by("full_name", "pk")
        )
        if state == ApplicationState.RESUBMITTED:
            to_staff = _("Application resubmitted for review: %(title)s")
            to_organization = _("Your application was resubmitted: %(title)s")
        else:
            to_staff = _("Application submitted for review: %(title)s")
            to_organization = _("Your application was submitted: %(title)s")
        plan.append(("submitted_department.txt", to_staff, [_recipient(u) for u in staff]))
        plan.append(("submitted_confirmation.txt", to_organization, secretaries))
    elif state == ApplicationState.RETURNED:
        creator = application.created_by
        people = list(secretaries)
        if creator.is_active:
            people.append(_recipient(creator))
        plan.append(("returned.txt", _("Application returned for revision: %(title)s"), people))
    elif state in (
        ApplicationState.RECOMMENDED,
        ApplicationState.NOT_RECOMMENDED,
        ApplicationState.COMMENDED,
    ):
        people = list(secretaries)
        member = application.member
        if (
            application.kind == ApplicationKind.MEMBER_MODEL
            and member is not None
            and member.is_active
            and member.user.is_active
        ):
            people.append(_recipient(member.user))
        plan.append(("decided.txt", _("Review result of your application: %(title)s"), people))

    return [
        _message(template, subject % {"title": title}, recipient, context)
        for template, subject, people in plan
        for recipient in _unique(people)
    ]


def notify_transition(transition_id: int) -> None:
    """Tell the people concerned that an application moved (the ApplicationTransition).

    Submitted / resubmitted: the Organization Department staff, and a
    confirmation to the organization's secretaries. Returned for revision: the
    secretaries and whoever created the application, with the reviewer's
    comment. Recommended / not recommended / commended: the secretaries and,
    for a member's application, the member. Starting the review sends nothing.
    Runs in the background worker after the transition committed; mail-server
    errors are logged.
    """
    record = ApplicationTransition.objects.select_related(
        "actor",
        "application__organization",
        "application__campaign",
        "application__member__user",
        "application__created_by",
    ).get(pk=transition_id)
    with translation.override(settings.LANGUAGE_CODE):
        messages = _transition_mails(record)
    _send(messages, f"application {record.application_id} ({record.to_state})")


# ---------------------------------------------------------------- deadline reminders


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=SHANGHAI)


def _organizations_due(campaign: Campaign, now: datetime.datetime):
    """Active organizations owing a reminder now, with ``deadline`` and ``reminder_days``.

    One query: the deadline that applies (the latest extension, else the
    campaign's) and the reminder due are computed in the database, and those
    with a submitted application or with this very reminder already recorded
    are left out. A deadline counts in Beijing calendar days, as the pages'
    countdown does.
    """
    today = timezone.localdate(now, SHANGHAI)
    latest_extension = (
        Extension.objects.filter(campaign=campaign, organization=OuterRef("pk"))
        .order_by("-granted_at", "-pk")
        .values("deadline")[:1]
    )
    submitted = Application.objects.filter(campaign=campaign, organization=OuterRef("pk")).exclude(
        state=ApplicationState.DRAFT
    )
    already_sent = DeadlineReminder.objects.filter(
        campaign=campaign,
        organization=OuterRef("pk"),
        days_before=OuterRef("reminder_days"),
        deadline=OuterRef("deadline"),
    )
    return (
        Organization.objects.filter(is_active=True)
        .annotate(
            deadline=Coalesce(
                Subquery(latest_extension, output_field=DateTimeField()),
                Value(campaign.application_deadline, output_field=DateTimeField()),
            )
        )
        .filter(deadline__gt=now, deadline__lt=_midnight(today + datetime.timedelta(WEEK + 1)))
        .annotate(
            reminder_days=Case(
                When(deadline__lt=_midnight(today + datetime.timedelta(DAY + 1)), then=Value(DAY)),
                default=Value(WEEK),
                output_field=IntegerField(),
            )
        )
        .exclude(Exists(submitted))
        .exclude(Exists(already_sent))
        .order_by("path")
    )


def _reminder_mails(
    campaign: Campaign, organization, days_left: int, people: list[Recipient]
) -> list[EmailMessage]:
    if days_left <= 0:
        subject = _("The application deadline is today")
    else:
        subject = ngettext(
            "%(days)s day left until the application deadline",
            "%(days)s days left until the application deadline",
            days_left,
        ) % {"days": days_left}
    context = {
        "campaign": campaign,
        "organization": organization,
        "days": days_left,
        "deadline": cn_datetime(organization.deadline),
        "url": _base_url() + reverse("home"),
    }
    return [_message("deadline_reminder.txt", subject, person, context) for person in people]


def send_deadline_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind organizations with no submitted application 7 days and 1 day before the deadline.

    For the current campaign, every active organization without an application
    beyond draft whose deadline (extension included) is at most 7 Beijing
    calendar days away gets the 7-day reminder, and at most 1 day away (the
    last day included, never after the deadline) the 1-day reminder — so a
    day cron missed still reminds. Each is recorded in ``DeadlineReminder``
    keyed by the deadline, so nobody gets the same reminder twice, while a moved
    deadline or a new extension brings reminders for the new date. Organizations
    whose secretaries have no e-mail address are skipped and not recorded.
    Returns the number of e-mails sent. Queries do not grow per organization
    (the recipients are read 900 organizations at a time, the records written
    in bulk) and all mail goes over one mail-server connection.
    """
    now = now or timezone.now()
    campaign = current_campaign()
    if campaign is None:
        return 0
    today = timezone.localdate(now, SHANGHAI)

    with transaction.atomic():
        # Two runs at once queue on the campaign row (PostgreSQL), so the second
        # one sees the reminders the first recorded and sends none of them.
        list(Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk"))
        organizations = list(_organizations_due(campaign, now))
        # By ids rather than as a subquery: Django mislabels the nested
        # OuterRef aliases of ``due`` inside another query.
        ids = [organization.pk for organization in organizations]
        secretaries: dict[int, list[Recipient]] = {}
        for start in range(0, len(ids), IDS_PER_QUERY):
            chunk = ids[start : start + IDS_PER_QUERY]
            for member in _active_secretaries(organization_id__in=chunk):
                secretaries.setdefault(member.organization_id, []).append(_recipient(member.user))

        batches: list[tuple[DeadlineReminder, list[EmailMessage]]] = []
        with translation.override(settings.LANGUAGE_CODE):
            for organization in organizations:
                people = _unique(secretaries.get(organization.pk, []))
                if not people:
                    continue
                days_left = (timezone.localdate(organization.deadline, SHANGHAI) - today).days
                reminder = DeadlineReminder(
                    campaign=campaign,
                    organization=organization,
                    days_before=organization.reminder_days,
                    deadline=organization.deadline,
                    recipients=", ".join(p.email for p in people),
                )
                mails = _reminder_mails(campaign, organization, days_left, people)
                batches.append((reminder, mails))
        if not batches:
            return 0
        try:
            with transaction.atomic():
                DeadlineReminder.objects.bulk_create([reminder for reminder, _mails in batches])
        except IntegrityError:
            # A run that does not queue on the lock (e.g. SQLite) got there first.
            logger.warning("Another run is sending deadline reminders; this one sent none")
            return 0

    # Recorded first, sent after: a crash mid-way can cost a reminder, never repeat one.
    sent, unsent = 0, []
    connection = get_connection()
    try:
        connection.open()
    except OSError:
        logger.exception("Could not connect to the mail server for deadline reminders")
        unsent = [reminder.pk for reminder, _mails in batches]
    else:
        with connection:
            for reminder, mails in batches:
                try:
                    sent += connection.send_messages(mails) or 0
                except OSError:
                    logger.exception(
                        "Could not send the deadline reminder to organization %s",
                        reminder.organization_id,
                    )
                    unsent.append(reminder.pk)
    if unsent:
        # Not sent, so not recorded: the next run tries again.
        DeadlineReminder.objects.filter(pk__in=unsent).delete()
    logger.info("Sent %d deadline reminder e-mail(s) for campaign %s", sent, campaign.year)
    return sent
