"""Writes for study plans (学习计划) and implementation plans (实施方案).

Every function checks ``campaigns.rules.can_manage`` and the plan's state
itself, so a view (or a hand-made POST) cannot skip a rule: a filed plan is
read-only until it is reopened, and the database's one-plan-per-slot
constraints surface as a friendly message rather than an IntegrityError.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import rules
from campaigns.enums import PlanStatus
from campaigns.models import Campaign, ImplementationPlan, Organization
from learning.enums import ActivityForm, StudyPlanKind
from learning.models import StudyPlan, StudyPlanItem
from learning.selectors.plans import QUARTER_LABELS, QUARTERS, find_plan
from learning.uploads import generated_name, validate_upload

MAX_HOURS = Decimal(24)


class DuplicatePlanError(ValidationError):
    """This year's plan for the slot already exists; ``existing`` is that plan."""

    def __init__(self, message, *, existing):
        super().__init__(message, code="duplicate")
        self.existing = existing


@dataclass(frozen=True)
class PlanItemData:
    """One scheduled session as a form hands it over; ``pk`` for an item being kept."""

    topic: str
    scheduled_on: datetime.date | None = None
    form: str = ""
    speaker: str = ""
    hours: Decimal = field(default_factory=Decimal)
    pk: int | None = None


# ---------------------------------------------------------------- checks


def _require_manage(user, obj) -> None:
    if not rules.can_manage(user, obj):
        raise PermissionDenied(_("You may not change this plan."))


def _require_draft(plan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(
            _("This plan has been filed and is read-only. Reopen it to make changes."),
            code="filed",
        )


def _kind(kind) -> StudyPlanKind:
    try:
        return StudyPlanKind(kind)
    except ValueError:
        raise ValidationError(_("Choose the kind of plan."), code="kind") from None


def default_title(*, kind: str, year: int, quarter: int | None = None, member=None) -> str:
    """The title a plan gets when none is typed: “2026年度学习计划” and the like."""
    if kind == StudyPlanKind.ORGANIZATION_QUARTERLY:
        return _("%(year)s study plan, %(quarter)s") % {
            "year": year,
            "quarter": QUARTER_LABELS[quarter],
        }
    if kind == StudyPlanKind.PERSONAL:
        return _("%(name)s's personal study plan for %(year)s") % {
            "name": member.name if member is not None else "",
            "year": year,
        }
    return _("%(year)s annual study plan") % {"year": year}


def duplicate_message(plan: StudyPlan) -> str:
    values = {
        "organization": plan.organization.name,
        "year": plan.campaign.year,
        "title": plan.title,
    }
    if plan.kind == StudyPlanKind.PERSONAL:
        return _("You already have a personal study plan for %(year)s: “%(title)s”.") % values
    if plan.kind == StudyPlanKind.ORGANIZATION_QUARTERLY:
        values["quarter"] = QUARTER_LABELS[plan.quarter]
        return (
            _(
                "%(organization)s already has a study plan for the %(quarter)s of %(year)s: "
                "“%(title)s”."
            )
            % values
        )
    return (
        _("%(organization)s already has an annual study plan for %(year)s: “%(title)s”.") % values
    )


def _slot(user, *, kind, organization, quarter):
    """(kind, organization, quarter, member) of the plan the user is making."""
    kind = _kind(kind)
    if kind == StudyPlanKind.PERSONAL:
        member = rules.scope_for(user).member
        if member is None:
            raise PermissionDenied(_("Only Party members keep a personal study plan."))
        return kind, member.organization, None, member
    if organization is None:
        raise ValidationError(_("Choose the Party organization."), code="organization")
    if kind == StudyPlanKind.ORGANIZATION_QUARTERLY:
        try:
            quarter = int(quarter)
        except (TypeError, ValueError):
            quarter = None
        if quarter not in QUARTERS:
            raise ValidationError(_("Choose the quarter."), code="quarter")
    else:
        quarter = None
    return kind, organization, quarter, None


def _refuse_duplicate(plan: StudyPlan) -> None:
    existing = find_plan(
        campaign=plan.campaign,
        kind=plan.kind,
        organization=plan.organization,
        quarter=plan.quarter,
        member=plan.member,
    )
    if existing is not None and existing.pk != plan.pk:
        existing.campaign = plan.campaign
        raise DuplicatePlanError(duplicate_message(existing), existing=existing)


# ---------------------------------------------------------------- items


def _row_error(row: int, message: str) -> str:
    return _("Row %(row)s: %(message)s") % {"row": row, "message": message}


def _validated_items(plan: StudyPlan, items: Sequence[PlanItemData], existing: dict):
    """Check every row, then return (items to update, items to create); nothing is saved."""
    year = plan.campaign.year
    choices = set(ActivityForm.values)
    errors, to_update, to_create = [], [], []
    for row, data in enumerate(items, start=1):
        row_errors = []
        topic = (data.topic or "").strip()
        if not topic:
            row_errors.append(_("enter the topic."))
        if data.scheduled_on is not None and data.scheduled_on.year != year:
            row_errors.append(
                _("the date must fall within %(year)s, the campaign's year.") % {"year": year}
            )
        try:
            hours = Decimal(data.hours if data.hours not in (None, "") else 0)
        except (InvalidOperation, TypeError, ValueError):
            hours = None
        if hours is None or not hours.is_finite() or hours < 0 or hours > MAX_HOURS:
            row_errors.append(_("hours must be between 0 and 24."))
        if data.form and data.form not in choices:
            row_errors.append(_("choose the form from the list."))
        if data.pk is not None and data.pk not in existing:
            row_errors.append(_("this session no longer exists; reload the page."))
        if row_errors:
            errors.extend(_row_error(row, message) for message in row_errors)
            continue
        item = existing[data.pk] if data.pk is not None else StudyPlanItem()
        item.position = row
        item.topic = topic
        item.scheduled_on = data.scheduled_on
        item.form = data.form or ""
        item.speaker = (data.speaker or "").strip()
        item.hours = hours
        try:
            item.full_clean(exclude=["plan"])
        except ValidationError as error:
            errors.extend(_row_error(row, message) for message in error.messages)
            continue
        (to_update if data.pk is not None else to_create).append(item)
    if errors:
        raise ValidationError(errors, code="items")
    return to_update, to_create


def _save_items(plan: StudyPlan, to_update, to_create) -> None:
    kept = [item.pk for item in to_update]
    StudyPlanItem.objects.filter(plan=plan).exclude(pk__in=kept).delete()
    if to_update:
        StudyPlanItem.objects.bulk_update(
            to_update, ["position", "topic", "scheduled_on", "form", "speaker", "hours"]
        )
    for item in to_create:
        item.plan = plan
    StudyPlanItem.objects.bulk_create(to_create)


def _locked(model, pk):
    return model.objects.select_for_update().select_related("campaign", "organization").get(pk=pk)


# ---------------------------------------------------------------- study plans


def _create(user, plan: StudyPlan, items: Sequence[PlanItemData]) -> StudyPlan:
    _require_manage(user, plan)
    with transaction.atomic():
        _refuse_duplicate(plan)
        plan.full_clean()
        _to_update, to_create = _validated_items(plan, items, existing={})
        try:
            with transaction.atomic():
                plan.save()
        except IntegrityError:
            # Someone filed the same slot a moment ago (a double submit).
            existing = find_plan(
                campaign=plan.campaign,
                kind=plan.kind,
                organization=plan.organization,
                quarter=plan.quarter,
                member=plan.member,
            )
            if existing is None:
                raise
            existing.campaign = plan.campaign
            raise DuplicatePlanError(duplicate_message(existing), existing=existing) from None
        _save_items(plan, [], to_create)
    return plan


def plan_create(
    *,
    user,
    campaign: Campaign,
    kind: str,
    organization: Organization | None = None,
    quarter: int | None = None,
    title: str = "",
    key_content: str = "",
    items: Sequence[PlanItemData] = (),
) -> StudyPlan:
    """Draft a new plan: an organization's annual or quarterly plan, or the user's personal one."""
    kind, organization, quarter, member = _slot(
        user, kind=kind, organization=organization, quarter=quarter
    )
    plan = StudyPlan(
        campaign=campaign,
        kind=kind,
        organization=organization,
        member=member,
        quarter=quarter,
        title=(title or "").strip()
        or default_title(kind=kind, year=campaign.year, quarter=quarter, member=member),
        key_content=(key_content or "").strip(),
        status=PlanStatus.DRAFT,
    )
    return _create(user, plan, items)


def plan_update(
    *,
    user,
    plan: StudyPlan,
    title: str,
    key_content: str,
    items: Sequence[PlanItemData],
) -> StudyPlan:
    """Change a draft's title, key content and sessions; the sessions are replaced as a whole
    (kept ones by ``pk``, so activities that fulfil them stay linked)."""
    _require_manage(user, plan)
    with transaction.atomic():
        locked = _locked(StudyPlan, plan.pk)
        _require_draft(locked)
        locked.title = (title or "").strip() or default_title(
            kind=locked.kind,
            year=locked.campaign.year,
            quarter=locked.quarter,
            member=locked.member,
        )
        locked.key_content = (key_content or "").strip()
        locked.full_clean()
        existing = {item.pk: item for item in locked.items.all()}
        to_update, to_create = _validated_items(locked, items, existing)
        locked.save(update_fields=["title", "key_content", "updated_at"])
        _save_items(locked, to_update, to_create)
    return locked


def plan_file(*, user, plan: StudyPlan) -> StudyPlan:
    """File (提交) a draft: from now on it is read-only and counts as filed."""
    _require_manage(user, plan)
    with transaction.atomic():
        locked = _locked(StudyPlan, plan.pk)
        if locked.status == PlanStatus.FILED:
            raise ValidationError(_("This plan has already been filed."), code="filed")
        if not locked.key_content.strip() and not locked.items.exists():
            raise ValidationError(
                _(
                    "Write the key study content or add at least one session before "
                    "filing the plan."
                ),
                code="empty",
            )
        locked.status = PlanStatus.FILED
        locked.filed_at = timezone.now()
        locked.filed_by = user
        locked.full_clean()
        locked.save(update_fields=["status", "filed_at", "filed_by", "updated_at"])
    return locked


def _reopen(*, user, plan):
    """Back to draft, for either kind of plan; it no longer counts as filed."""
    _require_manage(user, plan)
    with transaction.atomic():
        locked = _locked(type(plan), plan.pk)
        if locked.status != PlanStatus.FILED:
            raise ValidationError(
                _("This plan is not filed; it can be changed already."), code="draft"
            )
        locked.status = PlanStatus.DRAFT
        locked.filed_at = None
        locked.filed_by = None
        locked.save(update_fields=["status", "filed_at", "filed_by", "updated_at"])
    return locked


def plan_reopen(*, user, plan: StudyPlan) -> StudyPlan:
    """Reopen (重新打开) a filed plan so it can be changed; it no longer counts as filed."""
    return _reopen(user=user, plan=plan)


def plan_delete(*, user, plan: StudyPlan) -> None:
    """Delete a draft plan and its sessions; a filed plan must be reopened first."""
    _require_manage(user, plan)
    with transaction.atomic():
        locked = _locked(StudyPlan, plan.pk)
        if locked.status != PlanStatus.DRAFT:
            raise ValidationError(
                _("A filed plan cannot be deleted. Reopen it first."), code="filed"
            )
        locked.delete()


def shift_year(day: datetime.date | None, years: int) -> datetime.date | None:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def plan_copy_from_last_year(
    *,
    user,
    campaign: Campaign,
    kind: str,
    organization: Organization | None = None,
    quarter: int | None = None,
) -> StudyPlan:
    """Start this year's plan from last year's (参照上年度计划): a new draft with the same key
    content and sessions, their dates moved on by one year."""
    kind, organization, quarter, member = _slot(
        user, kind=kind, organization=organization, quarter=quarter
    )
    target = StudyPlan(
        campaign=campaign,
        kind=kind,
        organization=organization,
        member=member,
        quarter=quarter,
        status=PlanStatus.DRAFT,
    )
    _require_manage(user, target)
    _refuse_duplicate(target)
    last_year = campaign.year - 1
    last_campaign = Campaign.objects.filter(year=last_year).first()
    source = None
    if last_campaign is not None:
        source = find_plan(
            campaign=last_campaign,
            kind=kind,
            organization=organization,
            quarter=quarter,
            member=member,
        )
    if source is None or not rules.can_view(user, source):
        raise ValidationError(
            _("There is no plan from %(year)s of this kind to start from.") % {"year": last_year},
            code="no_source",
        )
    years = campaign.year - last_year
    target.title = source.title.replace(str(last_year), str(campaign.year)).strip()
    if str(campaign.year) not in target.title:
        target.title = default_title(kind=kind, year=campaign.year, quarter=quarter, member=member)
    target.key_content = source.key_content.replace(f"{last_year}年", f"{campaign.year}年")
    items = []
    for item in source.items.order_by("position", "scheduled_on", "pk"):
        day = shift_year(item.scheduled_on, years)
        items.append(
            PlanItemData(
                topic=item.topic,
                scheduled_on=day if day is None or day.year == campaign.year else None,
                form=item.form,
                speaker=item.speaker,
                hours=item.hours,
            )
        )
    return _create(user, target, items)


# ---------------------------------------------------------------- implementation plans


def implementation_plan_save(
    *,
    user,
    campaign: Campaign,
    organization: Organization,
    title: str,
    content: str,
    attachment=None,
    remove_attachment: bool = False,
    plan: ImplementationPlan | None = None,
) -> ImplementationPlan:
    """Create or change an organization's draft implementation plan (实施方案).

    ``attachment`` (an uploaded file) is checked by content and stored under a
    generated name; it replaces any earlier one, whose file is removed once
    the change is committed.
    """
    if plan is None:
        plan = ImplementationPlan(campaign=campaign, organization=organization)
    _require_manage(user, plan)
    storage = ImplementationPlan._meta.get_field("attachment").storage
    stored = None
    try:
        with transaction.atomic():
            if plan.pk is None:
                existing = ImplementationPlan.objects.filter(
                    campaign=campaign, organization=organization
                ).first()
                if existing is not None:
                    raise DuplicatePlanError(
                        _(
                            "%(organization)s already has an implementation plan for %(year)s: "
                            "“%(title)s”."
                        )
                        % {
                            "organization": organization.name,
                            "year": campaign.year,
                            "title": existing.title,
                        },
                        existing=existing,
                    )
            else:
                plan = _locked(ImplementationPlan, plan.pk)
                _require_draft(plan)
            title = (title or "").strip()
            if not title:
                raise ValidationError({"title": _("Enter the title.")}, code="title")
            plan.title = title
            plan.content = (content or "").strip()
            old_name = plan.attachment.name or ""
            if attachment is not None:
                kind = validate_upload(attachment)
                attachment.seek(0)
                stored = storage.save(generated_name("implementation-plans", kind), attachment)
                plan.attachment.name = stored
            elif remove_attachment:
                plan.attachment.name = ""
            plan.full_clean()
            try:
                with transaction.atomic():
                    plan.save()
            except IntegrityError:
                raise ValidationError(
                    _("This organization already has an implementation plan for %(year)s.")
                    % {"year": campaign.year},
                    code="duplicate",
                ) from None
            if old_name and old_name != (plan.attachment.name or ""):
                transaction.on_commit(lambda: storage.delete(old_name))
    except BaseException:
        if stored:
            storage.delete(stored)
        raise
    return plan


def implementation_plan_file(*, user, plan: ImplementationPlan) -> ImplementationPlan:
    """File (提交) the implementation plan; it becomes read-only and members can read it."""
    _require_manage(user, plan)
    with transaction.atomic():
        locked = _locked(ImplementationPlan, plan.pk)
        if locked.status == PlanStatus.FILED:
            raise ValidationError(_("This plan has already been filed."), code="filed")
        if not locked.content.strip() and not locked.attachment:
            raise ValidationError(
                _("Write the plan's content or attach the plan's file before filing it."),
                code="empty",
            )
        locked.status = PlanStatus.FILED
        locked.filed_at = timezone.now()
        locked.filed_by = user
        locked.save(update_fields=["status", "filed_at", "filed_by", "updated_at"])
    return locked


def implementation_plan_reopen(*, user, plan: ImplementationPlan) -> ImplementationPlan:
    """Reopen a filed implementation plan so it can be changed."""
    return _reopen(user=user, plan=plan)
