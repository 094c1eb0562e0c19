"""Writes of the department's review (审核): scores, returns, staged decisions, bulk actions.

State changes all go through ``application_transition``. A decision is first
*staged* on the application (``staged_decision`` / ``staged_comment``, which
the organization never sees) and only becomes a state change when the
department releases every staged decision of the campaign together, so
organizations do not learn results one by one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import audit, rules
from campaigns.enums import AuditAction
from campaigns.templatetags.portal_tags import num

from ..enums import AWAITING_REVIEW_STATES, ApplicationState, StagedDecision
from ..models import Application, Review, ReviewScore
from ..selectors.reviews import QUEUE_ORDER, review_criteria, staged_applications
from ..transitions import (
    COMMEND,
    NOT_RECOMMEND,
    RECOMMEND,
    RETURN_FOR_REVISION,
    START_REVIEW,
)
from .applications import application_transition

# Submitted or resubmitted: the first act of a reviewer moves these to "under review".
NOT_YET_UNDER_REVIEW = frozenset({ApplicationState.SUBMITTED, ApplicationState.RESUBMITTED})
RELEASE_TRANSITIONS = {
    StagedDecision.RECOMMEND: RECOMMEND,
    StagedDecision.NOT_RECOMMEND: NOT_RECOMMEND,
}


def _require_department(user) -> None:
    if not rules.scope_for(user).is_department:
        raise PermissionDenied(_("Only the Organization Department reviews applications."))


def _start_review_if_needed(application: Application, reviewer) -> None:
    if application.state in NOT_YET_UNDER_REVIEW:
        application_transition(application=application, transition=START_REVIEW, actor=reviewer)


def _clear_staged(application: Application) -> None:
    Application.objects.filter(pk=application.pk).update(staged_decision="", staged_comment="")
    application.staged_decision = ""
    application.staged_comment = ""


def _check_unchanged(application: Application, expected_state: str | None) -> None:
    """Refuse when the page the reviewer acted on showed another state than the current one."""
    if expected_state and expected_state != application.state:
        raise ValidationError(
            _(
                "This application was changed by someone else meanwhile. "
                "Please reload the page and try again."
            ),
            code="stale",
        )


def score_field(criterion_id: int) -> str:
    """The name a criterion's score goes by in forms and in ``review_save``'s errors."""
    return f"score_{criterion_id}"


# ---------------------------------------------------------------- scores


def review_save(
    *,
    application: Application,
    reviewer,
    scores: dict[int, tuple[Decimal | None, str]],
    comment: str = "",
    complete: bool,
    expected_state: str | None = None,
) -> Review:
    """Save ``reviewer``'s scores and comments on ``application``.

    ``scores`` maps a criterion id to (score or None, comment). A submitted or
    resubmitted application moves to "under review" first. ``complete`` marks
    the review done (it then counts as reviewed) and needs every criterion
    scored. Errors name the form field ``score_<criterion id>``; nothing is
    saved unless every score is valid. ``expected_state``: the state the
    reviewer's page showed; if it has changed since, nothing is saved.
    """
    _require_department(reviewer)
    _check_unchanged(application, expected_state)
    if application.state not in AWAITING_REVIEW_STATES:
        raise ValidationError(
            _("Scores can be changed only while the application awaits review (it is “%(state)s”).")
            % {"state": ApplicationState(application.state).label},
            code="not_reviewable",
        )
    criteria = {c.pk: c for c in review_criteria(application)}
    unknown = set(scores) - set(criteria)
    if unknown:
        raise ValidationError(_("A score refers to a criterion of another campaign or kind."))

    errors = {}
    cleaned: dict[int, tuple[Decimal | None, str]] = {}
    for pk, criterion in criteria.items():
        score, remark = scores.get(pk, (None, ""))
        if score is not None:
            try:
                score = Decimal(str(score))
            except ArithmeticError:
                errors[score_field(pk)] = _("Enter a number.")
                continue
            if not score.is_finite():
                errors[score_field(pk)] = _("Enter a number.")
            elif score < 0:
                errors[score_field(pk)] = _("The score cannot be negative.")
            elif score > criterion.max_score:
                errors[score_field(pk)] = _("The score cannot exceed the maximum of %(max)s.") % {
                    "max": num(criterion.max_score)
                }
        cleaned[pk] = (score, (remark or "").strip())
    if errors:
        raise ValidationError(errors)
    if complete and any(score is None for score, _remark in cleaned.values()):
        raise ValidationError(_("Score every criterion to complete the review."), code="incomplete")
    entered = (comment or "").strip() or any(
        score is not None or remark for score, remark in cleaned.values()
    )
    if (
        not entered
        and not Review.objects.filter(application=application, reviewer=reviewer).exists()
    ):
        # A blank save (or a stray empty POST) must not open the review: the
        # organization would see “under review” when nobody has looked yet.
        raise ValidationError(
            _("Nothing was entered, so the review was not saved."), code="nothing_entered"
        )

    with transaction.atomic():
        _start_review_if_needed(application, reviewer)
        review, _created = Review.objects.get_or_create(application=application, reviewer=reviewer)
        review.comment = (comment or "").strip()
        review.completed_at = timezone.now() if complete else None
        review.full_clean()
        review.save()
        existing = {s.criterion_id: s for s in review.scores.all()}
        for pk, (score, remark) in cleaned.items():
            row = existing.get(pk)
            if score is None:
                if row is not None:
                    row.delete()
                continue
            row = row or ReviewScore(review=review, criterion=criteria[pk])
            row.score, row.comment = score, remark
            row.full_clean()
            row.save()
    return review


# ---------------------------------------------------------------- return and decisions


def review_return(
    *, application: Application, reviewer, comment: str, expected_state: str | None = None
) -> Application:
    """Return ``application`` to its organization for revision, with the reviewer's comment.

    A submitted or resubmitted application is taken under review first; a
    staged decision is dropped, since the revised application will be judged
    afresh.
    """
    _require_department(reviewer)
    _check_unchanged(application, expected_state)
    if not (comment or "").strip():
        raise ValidationError(
            _("Please write a comment saying what needs to be revised."), code="comment_required"
        )
    with transaction.atomic():
        _start_review_if_needed(application, reviewer)
        application_transition(
            application=application,
            transition=RETURN_FOR_REVISION,
            actor=reviewer,
            comment=comment,
        )
        _clear_staged(application)
    return application


def decision_stage(
    *,
    application: Application,
    reviewer,
    decision: str,
    comment: str = "",
    expected_state: str | None = None,
) -> Application:
    """Stage 推荐 / 不推荐 on an application under review, to be released later.

    A submitted or resubmitted application is taken under review first.
    """
    _require_department(reviewer)
    _check_unchanged(application, expected_state)
    if decision not in StagedDecision.values:
        raise ValidationError(_("Choose “Recommend” or “Do not recommend”."), code="decision")
    with transaction.atomic():
        _start_review_if_needed(application, reviewer)
        staged = Application.objects.filter(
            pk=application.pk, state=ApplicationState.UNDER_REVIEW
        ).update(staged_decision=decision, staged_comment=(comment or "").strip())
        if staged != 1:
            application.refresh_from_db(fields=["state"])
            raise ValidationError(
                _(
                    "A decision can be staged only while the application is under review "
                    "(it is “%(state)s”)."
                )
                % {"state": ApplicationState(application.state).label},
                code="not_under_review",
            )
        # A QuerySet update sends no signal: the staged decision is recorded here.
        audit.record(
            action=AuditAction.CHANGE,
            obj=application,
            actor=reviewer,
            changes={
                "staged_decision": [
                    StagedDecision(application.staged_decision).label
                    if application.staged_decision
                    else "",
                    StagedDecision(decision).label,
                ]
            },
            detail=(comment or "").strip(),
        )
    application.refresh_from_db(fields=["state", "staged_decision", "staged_comment"])
    return application


def decision_unstage(*, application: Application, reviewer) -> Application:
    """Withdraw a staged decision before it is released."""
    _require_department(reviewer)
    staged = application.staged_decision
    with transaction.atomic():
        _clear_staged(application)
        if staged in StagedDecision.values:
            audit.record(
                action=AuditAction.CHANGE,
                obj=application,
                actor=reviewer,
                changes={"staged_decision": [StagedDecision(staged).label, ""]},
            )
    return application


@dataclass
class BatchOutcome:
    """What a batch did: the applications it moved and, for the others, why not."""

    done: list[Application] = field(default_factory=list)
    failures: list[tuple[Application, str]] = field(default_factory=list)


def _messages(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You may not perform this action on this application.")


def decisions_release(*, campaign, actor) -> BatchOutcome:
    """Release every staged decision of ``campaign`` together.

    Each application moves (recommend / not recommend, with the staged comment
    as the history comment, ``actor`` as who) and loses its staged decision in
    one transaction of its own; one that cannot move (say, someone returned it
    meanwhile) is reported and keeps its staged decision, and the rest go on.
    """
    _require_department(actor)
    outcome = BatchOutcome()
    for application in staged_applications(campaign):
        try:
            with transaction.atomic():
                application_transition(
                    application=application,
                    transition=RELEASE_TRANSITIONS[StagedDecision(application.staged_decision)],
                    actor=actor,
                    comment=application.staged_comment,
                )
                _clear_staged(application)
        except (ValidationError, PermissionDenied) as error:
            application.refresh_from_db(fields=["state", "staged_decision", "staged_comment"])
            outcome.failures.append((application, _messages(error)))
        else:
            outcome.done.append(application)
    return outcome


def _selected(campaign, pks) -> list[Application]:
    return list(
        Application.objects.filter(campaign=campaign, pk__in=list(pks))
        .select_related("organization", "member__user", "campaign")
        .order_by(*QUEUE_ORDER)
    )


def bulk_stage(*, campaign, pks, actor, decision: str, comment: str = "") -> BatchOutcome:
    """Stage the same decision on the selected applications; each one on its own."""
    _require_department(actor)
    if decision not in StagedDecision.values:
        raise ValidationError(_("Choose “Recommend” or “Do not recommend”."), code="decision")
    outcome = BatchOutcome()
    for application in _selected(campaign, pks):
        try:
            decision_stage(
                application=application, reviewer=actor, decision=decision, comment=comment
            )
        except (ValidationError, PermissionDenied) as error:
            outcome.failures.append((application, _messages(error)))
        else:
            outcome.done.append(application)
    return outcome


def bulk_commend(*, campaign, pks, actor, comment: str = "") -> BatchOutcome:
    """Commend (表彰) the selected recommended applications; each one on its own."""
    _require_department(actor)
    outcome = BatchOutcome()
    for application in _selected(campaign, pks):
        try:
            application_transition(
                application=application, transition=COMMEND, actor=actor, comment=comment
            )
        except (ValidationError, PermissionDenied) as error:
            outcome.failures.append((application, _messages(error)))
        else:
            outcome.done.append(application)
    return outcome
