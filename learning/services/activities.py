"""Writes for study activities (学习活动, “三会一课”, 组织生活会).

A secretary records each collective study or meeting of an organization they
manage, with its attendees and attachments. Attendance credits each attendee
with the activity's hours (确保学习时间). Every function checks its input and
raises ``ValidationError`` (keyed by the form's field names) before anything
is written, and runs in one transaction. Attachment files are written under a
generated name; files of deleted attachments go once the deletion committed.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from campaigns import rules
from campaigns.models import Campaign, Member, Organization
from campaigns.selectors import today
from learning import uploads
from learning.enums import ORGANIZATION_PLAN_KINDS, ActivityForm
from learning.models import ActivityAttachment, Attendance, StudyActivity, StudyPlanItem

logger = logging.getLogger(__name__)

MAX_HOURS = Decimal(24)
ORIGINAL_NAME_MAX = ActivityAttachment._meta.get_field("original_name").max_length


# ---------------------------------------------------------------- checks


def _check_manage(user, activity: StudyActivity) -> None:
    if not rules.can_manage(user, activity):
        raise PermissionDenied


def held_on_problems(campaign: Campaign, held_on: datetime.date | None) -> list:
    """What is wrong with an activity's date: it must be in the campaign's year, not later
    than today (Beijing time). The form shows the same messages beside the field."""
    if held_on is None:
        return [_("Enter the date the activity was held.")]
    if held_on.year != campaign.year:
        message = _("The date must fall in %(year)s, the year of this campaign.")
        return [message % {"year": campaign.year}]
    if held_on > today():
        return [_("The date cannot be in the future: record an activity once held.")]
    return []


def _check_fields(
    *,
    campaign: Campaign,
    form: str,
    held_on: datetime.date | None,
    hours,
    topic: str,
) -> dict[str, list]:
    errors: dict[str, list] = {}
    if form not in ActivityForm.values:
        errors["form"] = [_("Choose the form of the activity.")]
    if not (topic or "").strip():
        errors["topic"] = [_("Enter the topic of the activity.")]
    date_problems = held_on_problems(campaign, held_on)
    if date_problems:
        errors["held_on"] = date_problems
    try:
        hours = Decimal(str(hours))
    except (InvalidOperation, ValueError, TypeError):
        hours = None
    if hours is None or not hours.is_finite() or not (0 < hours <= MAX_HOURS):
        errors["hours"] = [_("Hours must be more than 0 and at most 24.")]
    return errors


def _check_plan_item(plan_item, organization: Organization, campaign: Campaign) -> dict:
    if plan_item is None:
        return {}
    if isinstance(plan_item, StudyPlanItem):
        plan_item = plan_item.pk
    belongs = StudyPlanItem.objects.filter(
        pk=plan_item,
        plan__organization=organization,
        plan__campaign=campaign,
        plan__kind__in=ORGANIZATION_PLAN_KINDS,
    ).exists()
    if not belongs:
        message = _("The plan item must belong to this organization's study plans this campaign.")
        return {"plan_item": [message]}
    return {}


def _clean_attendee_ids(
    attendee_ids: Iterable, organization: Organization, *, keep: set[int] = frozenset()
) -> tuple[set[int], dict]:
    """The ids as a set, once each is an active member of the organization (or in ``keep``)."""
    try:
        ids = {int(pk) for pk in attendee_ids}
    except (TypeError, ValueError):
        return set(), {"attendees": [_("Only members of this Party organization can attend.")]}
    if not ids:
        return ids, {"attendees": [_("Tick at least one attendee.")]}
    known = set(
        Member.objects.filter(
            pk__in=ids - keep, organization=organization, is_active=True
        ).values_list("pk", flat=True)
    )
    if ids - keep - known:
        return ids, {
            "attendees": [
                _("Only members of %(organization)s can attend its activities.")
                % {"organization": organization.name}
            ]
        }
    return ids, {}


def _check_files(files: Sequence) -> tuple[list, dict]:
    """Each file with its kind, or the errors naming each bad file."""
    checked, problems = [], []
    for uploaded in files:
        try:
            checked.append((uploaded, uploads.validate_upload(uploaded)))
        except ValidationError as error:
            for message in error.messages:
                problems.append(
                    _("%(name)s: %(problem)s") % {"name": uploaded.name, "problem": message}
                )
    return checked, ({"attachments": problems} if problems else {})


def _check_duplicate(activity: StudyActivity) -> dict:
    """The same organization, form, date and topic twice is a double submit."""
    duplicate = (
        StudyActivity.objects.filter(
            organization_id=activity.organization_id,
            campaign_id=activity.campaign_id,
            form=activity.form,
            held_on=activity.held_on,
            topic=activity.topic,
        )
        .exclude(pk=activity.pk)
        .exists()
    )
    if duplicate:
        return {
            "topic": [
                _(
                    "An activity with this form, date and topic is already recorded for this "
                    "organization."
                )
            ]
        }
    return {}


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------- files


def _original_name(name: str) -> str:
    name = PurePath(name or "").name or "file"
    if len(name) <= ORIGINAL_NAME_MAX:
        return name
    suffix = PurePath(name).suffix[:16]
    return name[: ORIGINAL_NAME_MAX - len(suffix)] + suffix


def _store(*, user, activity: StudyActivity, checked, written: list[str]) -> list:
    """Write each checked file under a generated name and create its row."""
    storage = ActivityAttachment._meta.get_field("file").storage
    attachments = []
    for uploaded, kind in checked:
        uploaded.seek(0)
        name = storage.save(uploads.generated_name(f"activities/{activity.pk}", kind), uploaded)
        written.append(name)
        attachment = ActivityAttachment(
            activity=activity,
            original_name=_original_name(uploaded.name),
            content_type=kind.content_type,
            size=uploaded.size,
            uploaded_by=user,
        )
        attachment.file.name = name
        attachment.full_clean()
        attachment.save()
        attachments.append(attachment)
    return attachments


def _delete_files_later(names: list[str]) -> None:
    if not names:
        return
    storage = ActivityAttachment._meta.get_field("file").storage

    def delete():
        for name in names:
            try:
                storage.delete(name)
            except OSError:  # gone already, or the disk refuses: the row is gone anyway
                logger.warning("Could not delete attachment file %s", name, exc_info=True)

    transaction.on_commit(delete)


class _FilesWritten:
    """Remove the files written inside a transaction that did not commit."""

    def __init__(self):
        self.names: list[str] = []

    def __enter__(self):
        return self.names

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            storage = ActivityAttachment._meta.get_field("file").storage
            for name in self.names:
                try:
                    storage.delete(name)
                except OSError:
                    logger.warning("Could not remove %s after a failed save", name, exc_info=True)
        return False


# ---------------------------------------------------------------- services


def activity_record(
    *,
    user,
    organization: Organization,
    campaign: Campaign,
    form: str,
    held_on: datetime.date,
    hours: Decimal,
    topic: str,
    place: str = "",
    speaker: str = "",
    minutes: str = "",
    plan_item: StudyPlanItem | None = None,
    attendee_ids: Iterable[int],
    files: Sequence = (),
) -> StudyActivity:
    """Record an activity the organization held, its attendance and attachments.

    Each attendee is credited with the activity's hours. Raises
    ``PermissionDenied`` unless ``user`` manages the organization, and
    ``ValidationError`` (nothing written) for a date outside the campaign's
    year or in the future, hours outside (0, 24], a plan item of another
    organization or campaign, an attendee who is not an active member of the
    organization, or a file that is not an accepted document.
    """
    activity = StudyActivity(
        campaign=campaign,
        organization=organization,
        form=form,
        held_on=held_on,
        hours=hours,
        topic=(topic or "").strip(),
        place=(place or "").strip(),
        speaker=(speaker or "").strip(),
        minutes=minutes or "",
        plan_item=plan_item,
        recorded_by=user,
    )
    _check_manage(user, activity)
    errors = _check_fields(campaign=campaign, form=form, held_on=held_on, hours=hours, topic=topic)
    errors |= _check_plan_item(plan_item, organization, campaign)
    ids, attendee_errors = _clean_attendee_ids(attendee_ids, organization)
    errors |= attendee_errors
    checked, file_errors = _check_files(files)
    errors |= file_errors
    _raise(errors)
    with _FilesWritten() as written, transaction.atomic():
        _raise(_check_duplicate(activity))
        activity.full_clean()
        activity.save()
        Attendance.objects.bulk_create(
            Attendance(activity=activity, member_id=pk, hours=activity.hours) for pk in sorted(ids)
        )
        _store(user=user, activity=activity, checked=checked, written=written)
    return activity


def activity_update(
    *,
    user,
    activity: StudyActivity,
    form: str,
    held_on: datetime.date,
    hours: Decimal,
    topic: str,
    place: str = "",
    speaker: str = "",
    minutes: str = "",
    plan_item: StudyPlanItem | None = None,
    attendee_ids: Iterable[int],
    files: Sequence = (),
) -> StudyActivity:
    """Change an activity, its attendance and (adding ``files``) its attachments.

    The organization and campaign stay. Attendees who are no longer active
    members may stay on an activity they attended; new ones must be active
    members of the organization. When the hours change, every attendee's
    credited hours follow in the same transaction.
    """
    _check_manage(user, activity)
    campaign = activity.campaign
    organization = activity.organization
    errors = _check_fields(campaign=campaign, form=form, held_on=held_on, hours=hours, topic=topic)
    errors |= _check_plan_item(plan_item, organization, campaign)
    checked, file_errors = _check_files(files)
    errors |= file_errors
    with _FilesWritten() as written, transaction.atomic():
        # Lock the row: a double submit waits for the first, then sees its attendance.
        locked = StudyActivity.objects.select_for_update().get(pk=activity.pk)
        current = set(
            Attendance.objects.filter(activity=locked).values_list("member_id", flat=True)
        )
        ids, attendee_errors = _clean_attendee_ids(attendee_ids, organization, keep=current)
        _raise(errors | attendee_errors)
        activity.form = form
        activity.held_on = held_on
        activity.hours = Decimal(str(hours))
        activity.topic = (topic or "").strip()
        activity.place = (place or "").strip()
        activity.speaker = (speaker or "").strip()
        activity.minutes = minutes or ""
        activity.plan_item = plan_item
        _raise(_check_duplicate(activity))
        activity.full_clean()
        activity.save()
        Attendance.objects.filter(activity=activity, member_id__in=current - ids).delete()
        Attendance.objects.filter(activity=activity).exclude(hours=activity.hours).update(
            hours=activity.hours
        )
        Attendance.objects.bulk_create(
            Attendance(activity=activity, member_id=pk, hours=activity.hours)
            for pk in sorted(ids - current)
        )
        _store(user=user, activity=activity, checked=checked, written=written)
    return activity


def activity_delete(*, user, activity: StudyActivity) -> None:
    """Delete an activity with its attendance and its attachments (rows now, files
    once the deletion committed)."""
    _check_manage(user, activity)
    with transaction.atomic():
        attachments = ActivityAttachment.objects.filter(activity=activity)
        names = [name for name in attachments.values_list("file", flat=True) if name]
        attachments.delete()
        activity.delete()
        _delete_files_later(names)


def attachment_add(*, user, activity: StudyActivity, files: Sequence) -> list[ActivityAttachment]:
    """Attach accepted files to an activity; any bad file stops them all."""
    _check_manage(user, activity)
    if not files:
        raise ValidationError({"attachments": [_("Choose a file to upload.")]})
    checked, errors = _check_files(files)
    _raise(errors)
    with _FilesWritten() as written, transaction.atomic():
        return _store(user=user, activity=activity, checked=checked, written=written)


def attachment_remove(*, user, attachment: ActivityAttachment) -> None:
    """Remove an attachment from its activity; its file goes once that committed."""
    _check_manage(user, attachment)
    with transaction.atomic():
        name = attachment.file.name
        attachment.delete()
        _delete_files_later([name] if name else [])
