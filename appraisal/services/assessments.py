"""Writes for the criteria (基本要求) and self-assessments (自评) with their evidence.

Every rule lives here; views turn the ValidationError / PermissionDenied raised
below into messages. Each function checks everything before it writes, so a
refused request changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns import rules
from campaigns.models import Campaign, Member, Organization
from learning.uploads import validate_upload

from ..defaults import create_default_criteria
from ..enums import CriterionSubject, EvidenceKind, SelfAssessmentStatus
from ..models import (
    EVIDENCE_TARGETS,
    Criterion,
    CriterionScore,
    Evidence,
    ReviewScore,
    SelfAssessment,
)
from ..selectors import assessments as selectors

logger = logging.getLogger(__name__)

MAX_WEIGHT = Decimal("999.99")
MAX_SCORE = Decimal("9999.99")
HALF = Decimal("0.5")

# ---------------------------------------------------------------- criteria


def _require_department(user) -> None:
    if not rules.scope_for(user).is_department:
        raise PermissionDenied(_("Only the Organization Department may change the criteria."))


def _check_criterion_fields(*, position, text, weight, max_score) -> dict:
    errors: dict[str, list] = {}
    if position is None or position < 1:
        errors["position"] = [_("The number starts at 1.")]
    elif position > 99:
        errors["position"] = [_("The number can be at most 99.")]
    if not (text or "").strip():
        errors["text"] = [_("Enter the wording of the requirement.")]
    if weight is None or weight < 0:
        errors["weight"] = [_("The weight cannot be negative.")]
    elif weight > MAX_WEIGHT:
        errors["weight"] = [_("The weight can be at most 999.99.")]
    if max_score is None or max_score <= 0:
        errors["max_score"] = [_("The maximum score must be greater than 0.")]
    elif max_score > MAX_SCORE:
        errors["max_score"] = [_("The maximum score can be at most 9999.99.")]
    return errors


def _highest_given(criterion: Criterion) -> Decimal | None:
    given = [
        CriterionScore.objects.filter(criterion=criterion).aggregate(m=Max("score"))["m"],
        ReviewScore.objects.filter(criterion=criterion).aggregate(m=Max("score"))["m"],
    ]
    given = [value for value in given if value is not None]
    return max(given) if given else None


def _taken_message(position):
    return _(
        "Number %(number)s is already taken for this group of criteria. Choose another number."
    ) % {"number": position}


def _save_criterion(criterion: Criterion) -> None:
    criterion.full_clean()
    try:
        with transaction.atomic():
            criterion.save()
    except IntegrityError:
        raise ValidationError({"position": [_taken_message(criterion.position)]}) from None


def criterion_create(
    *,
    user,
    campaign: Campaign,
    subject: str,
    position: int,
    text: str,
    weight: Decimal,
    max_score: Decimal,
) -> Criterion:
    """Add a criterion to ``campaign`` (department only). A taken number is refused."""
    _require_department(user)
    errors = _check_criterion_fields(
        position=position, text=text, weight=weight, max_score=max_score
    )
    if subject not in CriterionSubject.values:
        errors["subject"] = [_("Choose whom the requirement applies to.")]
    if errors:
        raise ValidationError(errors)
    criterion = Criterion(
        campaign=campaign,
        subject=subject,
        position=position,
        text=text.strip(),
        weight=weight,
        max_score=max_score,
    )
    with transaction.atomic():
        if Criterion.objects.filter(campaign=campaign, subject=subject, position=position).exists():
            raise ValidationError({"position": [_taken_message(position)]})
        _save_criterion(criterion)
    return criterion


def criterion_update(
    *,
    user,
    criterion: Criterion,
    position: int,
    text: str,
    weight: Decimal,
    max_score: Decimal,
) -> Criterion:
    """Change a criterion's wording, number, weight and maximum score (department only).

    Moving to a number another criterion of the same group holds swaps the two.
    The maximum cannot drop below a score already given against the criterion.
    """
    _require_department(user)
    errors = _check_criterion_fields(
        position=position, text=text, weight=weight, max_score=max_score
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        group = list(
            Criterion.objects.select_for_update()
            .filter(campaign_id=criterion.campaign_id, subject=criterion.subject)
            .order_by("pk")
        )
        highest = _highest_given(criterion)
        if highest is not None and max_score < highest:
            raise ValidationError(
                {
                    "max_score": [
                        _(
                            "A score of %(score)s has already been given against this "
                            "criterion; the maximum cannot be lower."
                        )
                        % {"score": _plain(highest)}
                    ]
                }
            )
        old_position = criterion.position
        other = next((c for c in group if c.position == position and c.pk != criterion.pk), None)
        criterion.text, criterion.weight, criterion.max_score = text.strip(), weight, max_score
        if other is None:
            criterion.position = position
            _save_criterion(criterion)
            return criterion
        # Swap numbers; 0 is never a real number, so it is free as a stepping stone.
        Criterion.objects.filter(pk=criterion.pk).update(position=0)
        Criterion.objects.filter(pk=other.pk).update(position=old_position)
        criterion.position = position
        _save_criterion(criterion)
    return criterion


def criterion_delete(*, user, criterion: Criterion) -> None:
    """Delete a criterion no score uses; the numbers after it move up by one."""
    _require_department(user)
    with transaction.atomic():
        if (
            CriterionScore.objects.filter(criterion=criterion).exists()
            or ReviewScore.objects.filter(criterion=criterion).exists()
        ):
            raise ValidationError(
                _(
                    "This criterion cannot be deleted: self-assessments or reviews have already "
                    "scored against it. Change its wording instead."
                ),
                code="protected",
            )
        campaign_id, subject, position = (
            criterion.campaign_id,
            criterion.subject,
            criterion.position,
        )
        criterion.delete()
        later = Criterion.objects.filter(
            campaign_id=campaign_id, subject=subject, position__gt=position
        ).order_by("position")
        for following in later:
            Criterion.objects.filter(pk=following.pk).update(position=following.position - 1)


def criteria_create_defaults(*, user, campaign: Campaign) -> list[Criterion]:
    """Give a campaign without criteria the notice's five + four (department only)."""
    _require_department(user)
    with transaction.atomic():
        if Criterion.objects.filter(campaign=campaign).exists():
            raise ValidationError(
                _("This campaign has criteria already; edit them instead."), code="exists"
            )
        return create_default_criteria(campaign)


def _plain(value: Decimal) -> str:
    value = Decimal(value)
    return (
        str(value.quantize(Decimal(1)))
        if value == value.to_integral_value()
        else str(value.normalize())
    )


# ---------------------------------------------------------------- self-assessments


def field_name(name: str, criterion_id: int) -> str:
    """The form field a criterion's value and errors go by: ``score_12``."""
    return f"{name}_{criterion_id}"


@dataclass
class ScoreEntry:
    """What the form gives for one criterion."""

    criterion_id: int
    score: Decimal | None = None
    statement: str = ""
    links: Iterable[str] = ()  # "kind:pk", see selectors.evidence_key
    upload: object | None = None
    upload_description: str = ""
    remove_files: Iterable[int] = field(default_factory=tuple)


def _require_owner(user, assessment: SelfAssessment) -> None:
    if not rules.can_manage(user, assessment):
        if assessment.subject == CriterionSubject.MEMBER:
            raise PermissionDenied(_("Only the member may fill in their own self-assessment."))
        raise PermissionDenied(
            _("Only the secretary of this organization may fill in its self-assessment.")
        )


def _require_draft(assessment: SelfAssessment) -> None:
    if assessment.status != SelfAssessmentStatus.DRAFT:
        raise ValidationError(
            _("The self-assessment is marked completed. Reopen it as a draft to change it."),
            code="completed",
        )
    if selectors.blocking_applications(assessment).exists():
        raise ValidationError(
            _("An application using this self-assessment has been submitted; it cannot change."),
            code="in_use",
        )


def assessment_start(
    *,
    user,
    campaign: Campaign,
    organization: Organization | None = None,
    member: Member | None = None,
) -> SelfAssessment:
    """The organization's (or, with ``member``, the member's) assessment, begun if need be."""
    if member is not None:
        subject, organization = CriterionSubject.MEMBER, member.organization
        existing = SelfAssessment.objects.filter(campaign=campaign, subject=subject, member=member)
    else:
        subject = CriterionSubject.ORGANIZATION
        existing = SelfAssessment.objects.filter(
            campaign=campaign, subject=subject, organization=organization
        )
    assessment = SelfAssessment(
        campaign=campaign, subject=subject, organization=organization, member=member
    )
    _require_owner(user, assessment)
    found = existing.first()
    if found is not None:
        return found
    if not selectors.criteria_of(campaign, subject).exists():
        raise ValidationError(
            _("The Organization Department has not set this year's criteria yet."),
            code="no_criteria",
        )
    assessment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            assessment.save()
    except IntegrityError:  # started at the same moment in another tab
        return existing.get()
    return assessment


def _parse_links(links: Iterable[str]) -> set[tuple[str, int]] | None:
    parsed = set()
    for token in links:
        kind, _sep, pk = str(token).partition(":")
        if kind not in EVIDENCE_TARGETS or kind == EvidenceKind.FILE or not pk.isdigit():
            return None
        parsed.add((kind, int(pk)))
    return parsed


def _foreign_evidence_message():
    return _(
        "Some of the chosen evidence does not belong to this organization or member, or to "
        "this year's campaign. Nothing was saved; choose from the list."
    )


def _check_entry(assessment, criterion, entry, existing, errors) -> dict:
    """Validate one criterion's entry; returns what to write."""
    score_field = field_name("score", criterion.pk)
    evidence_field = field_name("evidence", criterion.pk)
    file_field = field_name("file", criterion.pk)
    score = entry.score
    if score is not None:
        if score < 0:
            errors[score_field] = [_("The score cannot be negative.")]
        elif score > criterion.max_score:
            errors[score_field] = [
                _("The score cannot exceed this criterion's maximum of %(max)s.")
                % {"max": _plain(criterion.max_score)}
            ]
        elif (score / HALF) != (score / HALF).to_integral_value():
            errors[score_field] = [_("Scores go in steps of 0.5.")]

    links = _parse_links(entry.links)
    if links is None:
        errors[evidence_field] = [_foreign_evidence_message()]
        links = set()
    score_row = existing.get(criterion.pk)
    current_links: set[tuple[str, int]] = set()
    current_files: dict[int, Evidence] = {}
    if score_row is not None:
        for evidence in score_row.evidence.all():
            if evidence.kind == EvidenceKind.FILE:
                current_files[evidence.pk] = evidence
            else:
                target = getattr(evidence, f"{EVIDENCE_TARGETS[evidence.kind]}_id")
                current_links.add((evidence.kind, target))
    # Only new links are checked: one linked earlier stays even if, say, its plan
    # was reopened since.
    new_links = links - current_links
    allowed_kinds = set(selectors.evidence_kinds(assessment.subject))
    by_kind: dict[str, set[int]] = {}
    for kind, pk in new_links:
        by_kind.setdefault(kind, set()).add(pk)
    for kind, pks in by_kind.items():
        if kind not in allowed_kinds:
            errors[evidence_field] = [_foreign_evidence_message()]
            break
        found = set(
            selectors.evidence_candidates(assessment, kind)
            .filter(pk__in=pks)
            .values_list("pk", flat=True)
        )
        if found != pks:
            errors[evidence_field] = [_foreign_evidence_message()]
            break

    remove_files = {int(pk) for pk in entry.remove_files}
    if not remove_files <= set(current_files):
        errors[file_field] = [_("A file to remove is not attached to this criterion.")]

    kind_of_upload = None
    if entry.upload is not None:
        try:
            kind_of_upload = validate_upload(entry.upload)
        except ValidationError as error:
            errors[file_field] = error.messages

    statement = (entry.statement or "").strip()
    keeps_files = bool(set(current_files) - remove_files) or entry.upload is not None
    if score is None and score_field not in errors and (statement or links or keeps_files):
        errors[score_field] = [
            _("Give this criterion a score before writing a statement or adding evidence.")
        ]
    return {
        "criterion": criterion,
        "score": score,
        "statement": statement,
        "row": score_row,
        "add_links": links - current_links,
        "drop_links": current_links - links,
        "remove_files": [current_files[pk] for pk in remove_files if pk in current_files],
        "upload": entry.upload,
        "upload_kind": kind_of_upload,
        "upload_description": (entry.upload_description or "").strip(),
    }


def _delete_files_later(names: list[str]) -> None:
    names = [name for name in names if name]
    if not names:
        return
    storage = Evidence._meta.get_field("file").storage

    def delete():
        for name in names:
            try:
                storage.delete(name)
            except OSError:  # the row is gone either way
                logger.warning("Could not delete evidence file %s", name, exc_info=True)

    transaction.on_commit(delete)


def assessment_update(
    *,
    user,
    assessment: SelfAssessment,
    statement: str,
    entries: Sequence[ScoreEntry],
) -> SelfAssessment:
    """Save the scores, statements and evidence of a draft self-assessment.

    Per criterion: a score from 0 to its maximum in steps of 0.5 (or none yet),
    a statement, records linked from ``selectors.evidence_candidates`` (anything
    else is refused), an uploaded file checked by its content, and files to
    remove. A criterion left empty has no score row. Errors are keyed by
    ``field_name(<score|evidence|file>, criterion.pk)``; nothing is written
    unless everything is right.
    """
    _require_owner(user, assessment)
    criteria = {c.pk: c for c in selectors.criteria_of(assessment.campaign_id, assessment.subject)}
    existing = {
        row.criterion_id: row
        for row in CriterionScore.objects.filter(assessment=assessment).prefetch_related("evidence")
    }
    errors: dict[str, list] = {}
    plans = []
    for entry in entries:
        criterion = criteria.get(entry.criterion_id)
        if criterion is None:
            raise ValidationError(
                _("The criteria changed while you were editing. Reload the page and try again."),
                code="stale",
            )
        plans.append(_check_entry(assessment, criterion, entry, existing, errors))
    if errors:
        raise ValidationError(errors)
    written: list[str] = []
    try:
        with transaction.atomic():
            locked = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
            _require_draft(locked)
            for plan in plans:
                _write_entry(assessment, plan, written)
            assessment.statement = (statement or "").strip()
            assessment.save(update_fields=["statement", "updated_at"])
    except BaseException:
        storage = Evidence._meta.get_field("file").storage
        for name in written:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("Could not remove %s after a failed save", name, exc_info=True)
        raise
    return assessment


def _write_entry(assessment, plan: dict, written: list[str]) -> None:
    """Write one criterion's score row and evidence; stored file names go into ``written``."""
    criterion, row = plan["criterion"], plan["row"]
    if plan["score"] is None:
        if row is not None:
            _delete_files_later([e.file.name for e in row.evidence.all() if e.file])
            row.delete()
        return
    if row is None:
        row = CriterionScore(assessment=assessment, criterion=criterion)
    row.score, row.statement = plan["score"], plan["statement"]
    row.full_clean(validate_constraints=False)
    row.save()
    for kind, pk in plan["drop_links"]:
        row.evidence.filter(kind=kind, **{f"{EVIDENCE_TARGETS[kind]}_id": pk}).delete()
    Evidence.objects.bulk_create(
        [
            Evidence(score=row, kind=kind, **{f"{EVIDENCE_TARGETS[kind]}_id": pk})
            for kind, pk in sorted(plan["add_links"])
        ]
    )
    if plan["remove_files"]:
        _delete_files_later([evidence.file.name for evidence in plan["remove_files"]])
        Evidence.objects.filter(pk__in=[e.pk for e in plan["remove_files"]]).delete()
    upload = plan["upload"]
    if upload is not None:
        evidence = Evidence(
            score=row,
            kind=EvidenceKind.FILE,
            description=(plan["upload_description"] or upload.name or "")[:200],
        )
        # The stored name is generated; only the content-checked extension is kept.
        evidence.file.save(f"evidence{plan['upload_kind'].extension}", upload, save=False)
        written.append(evidence.file.name)
        evidence.full_clean(validate_constraints=False)
        evidence.save()


def _missing_scores(assessment: SelfAssessment) -> list[Criterion]:
    scored = set(
        CriterionScore.objects.filter(assessment=assessment).values_list("criterion_id", flat=True)
    )
    return [
        criterion
        for criterion in selectors.criteria_of(assessment.campaign_id, assessment.subject)
        if criterion.pk not in scored
    ]


def assessment_complete(*, user, assessment: SelfAssessment) -> SelfAssessment:
    """Mark the self-assessment completed; every criterion must have a score."""
    _require_owner(user, assessment)
    with transaction.atomic():
        locked = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status == SelfAssessmentStatus.COMPLETED:
            raise ValidationError(
                _("The self-assessment is already marked completed."), code="completed"
            )
        missing = _missing_scores(locked)
        if missing:
            raise ValidationError(
                _(
                    "Every criterion needs a score before the self-assessment is completed. "
                    "Not scored yet: %(numbers)s."
                )
                % {"numbers": "、".join(f"({c.position})" for c in missing)},
                code="incomplete",
            )
        assessment.status = SelfAssessmentStatus.COMPLETED
        assessment.completed_at = timezone.now()
        assessment.save(update_fields=["status", "completed_at", "updated_at"])
    return assessment


def assessment_reopen(*, user, assessment: SelfAssessment) -> SelfAssessment:
    """Back to draft, while no application using it is past the draft stage."""
    _require_owner(user, assessment)
    with transaction.atomic():
        locked = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != SelfAssessmentStatus.COMPLETED:
            raise ValidationError(_("The self-assessment is a draft already."), code="draft")
        if selectors.blocking_applications(locked).exists():
            raise ValidationError(
                _(
                    "An application using this self-assessment has been submitted, so it "
                    "cannot be reopened. If the application is returned for revision, it can."
                ),
                code="in_use",
            )
        assessment.status = SelfAssessmentStatus.DRAFT
        assessment.completed_at = None
        assessment.save(update_fields=["status", "completed_at", "updated_at"])
    return assessment
