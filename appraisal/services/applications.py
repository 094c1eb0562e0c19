"""Writes for model-unit applications (标兵申报表).

``application_transition`` is the one way an application changes state. It
checks, in order: who may act, whether the transition starts from the current
state, the comment a return needs, and (for submit / resubmit) the deadline at
the server's clock, counting the organization's extension. The move itself is
a conditional ``UPDATE … WHERE state = <the state we read>`` inside a
transaction together with the history row, so two reviewers acting at once
cannot both win and nothing is ever half-written.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _

from campaigns import audit, rules
from campaigns.enums import AuditAction
from campaigns.models import SHANGHAI, Campaign, Member, Organization
from campaigns.selectors import deadline_for
from campaigns.templatetags.portal_tags import cn_date

from ..enums import (
    EDITABLE_STATES,
    ApplicationKind,
    ApplicationState,
    SelfAssessmentStatus,
)
from ..models import Application, ApplicationTransition
from ..selectors.assessments import assessment_for_application
from ..transitions import TRANSITIONS, Performer, Transition, transitions_from

# ---------------------------------------------------------------- checks


def may_perform(user, application: Application, transition: Transition) -> bool:
    """Does ``user``'s role allow ``transition`` on ``application`` (state aside)?"""
    scope = rules.scope_for(user)
    if transition.performer is Performer.DEPARTMENT:
        return scope.is_department
    return scope.is_secretary and rules.can_manage(user, application)


def _deadline_text(deadline: datetime.datetime) -> str:
    local = timezone.localtime(deadline, SHANGHAI)
    return _("%(date)s %(time)s (Beijing time)") % {
        "date": cn_date(local),
        "time": f"{local:%H:%M:%S}",
    }


def deadline_passed(application: Application, now: datetime.datetime | None = None) -> bool:
    """Has the deadline for this application's organization passed at ``now``?

    The deadline second itself counts as in time: 23:59:59.7 is still 23:59:59.
    """
    deadline = deadline_for(application.campaign, application.organization)
    if deadline is None:
        return False
    now = now or timezone.now()
    return now.replace(microsecond=0) > deadline


def _transition(name: str) -> Transition:
    try:
        return TRANSITIONS[name]
    except (KeyError, TypeError):
        raise ValidationError(_("Unknown action."), code="unknown_transition") from None


# ---------------------------------------------------------------- reads


def allowed_transitions(application: Application, user) -> list[Transition]:
    """The transitions ``user`` may perform on ``application`` now (for the page's buttons).

    Submit / resubmit are left out once the deadline has passed.
    """
    candidates = [
        t for t in transitions_from(application.state) if may_perform(user, application, t)
    ]
    if any(t.deadline_bound for t in candidates) and deadline_passed(application):
        candidates = [t for t in candidates if not t.deadline_bound]
    return candidates


# ---------------------------------------------------------------- writes


def _notify_later(record: ApplicationTransition) -> None:
    """Mail the people concerned from the background worker, not in the request:
    releasing the staged decisions moves hundreds of applications at once."""
    from ..tasks import send_transition_mail

    send_transition_mail.enqueue(record.pk)


def application_transition(
    *, application: Application, transition: str, actor, comment: str = ""
) -> Application:
    """Move ``application`` along ``transition``; record who, when, from, to and why."""
    spec = _transition(transition)
    if not may_perform(actor, application, spec):
        raise PermissionDenied(_("You may not perform this action on this application."))

    from_state = ApplicationState(application.state)
    if from_state not in spec.sources:
        raise ValidationError(
            _("“%(action)s” is not possible while the application is “%(state)s”.")
            % {"action": spec.label, "state": from_state.label},
            code="invalid_transition",
        )

    comment = (comment or "").strip()
    if spec.comment_required and not comment:
        raise ValidationError(
            _("Please write a comment saying what needs to be revised."),
            code="comment_required",
        )

    if spec.target in SUBMITTED_STATES:
        _link_self_assessment(application)
        _require_complete(application)

    now = timezone.now()
    if spec.deadline_bound and deadline_passed(application, now):
        deadline = deadline_for(application.campaign, application.organization)
        raise ValidationError(
            _("The deadline for applications, %(deadline)s, has passed.")
            % {"deadline": _deadline_text(deadline)},
            code="deadline_passed",
        )

    changes = {"state": spec.target, "updated_at": now}
    if spec.target == ApplicationState.SUBMITTED:
        changes["submitted_at"] = Coalesce("submitted_at", Value(now))
    with transaction.atomic():
        moved = Application.objects.filter(pk=application.pk, state=from_state).update(**changes)
        if moved != 1:
            raise ValidationError(
                _(
                    "This application was changed by someone else meanwhile. "
                    "Please reload the page and try again."
                ),
                code="stale",
            )
        record = ApplicationTransition.objects.create(
            application=application,
            from_state=from_state,
            to_state=spec.target,
            actor=actor,
            comment=comment,
        )
        transaction.on_commit(lambda: _notify_later(record))
        audit.record(
            action=AuditAction.TRANSITION,
            obj=application,
            actor=actor,
            changes={"state": [from_state.label, ApplicationState(spec.target).label]},
            detail=format_lazy("{}：{}", spec.label, comment) if comment else spec.label,
        )
    application.refresh_from_db()
    return application


# ---------------------------------------------------------------- the form itself

SUBMITTED_STATES = frozenset({ApplicationState.SUBMITTED, ApplicationState.RESUBMITTED})


def _link_self_assessment(application: Application) -> None:
    """Keep the form pointing at the nominee's self-assessment, made before or after it."""
    assessment = assessment_for_application(application)
    if assessment is not None and assessment.pk != application.self_assessment_id:
        application.self_assessment = assessment
        Application.objects.filter(pk=application.pk).update(self_assessment=assessment)


def missing_for_submission(application: Application) -> list[str]:
    """What the form still lacks before it can be submitted (empty when complete)."""
    missing = []
    if not (application.main_deeds or "").strip():
        missing.append(_("the main deeds (主要事迹)"))
    if not (application.organization_opinion or "").strip():
        missing.append(_("the opinion of the Party organization (党组织意见)"))
    assessment = application.self_assessment
    if assessment is None or assessment.status != SelfAssessmentStatus.COMPLETED:
        if application.kind == ApplicationKind.MEMBER_MODEL:
            missing.append(_("the member's completed self-assessment (自评)"))
        else:
            missing.append(_("the organization's completed self-assessment (自评)"))
    return missing


def _require_complete(application: Application) -> None:
    missing = missing_for_submission(application)
    if missing:
        raise ValidationError(
            _("The application cannot be submitted yet. Still missing: %(missing)s.")
            % {"missing": "、".join(str(item) for item in missing)},
            code="incomplete",
        )


def _require_manager(user, organization: Organization) -> None:
    if not (rules.scope_for(user).is_secretary and rules.can_manage(user, organization)):
        raise PermissionDenied(
            _("Only the secretary of this organization may file its applications.")
        )


def _clean_text(value) -> str:
    return (value or "").strip()


def application_create(
    *,
    user,
    campaign: Campaign,
    kind: str,
    organization: Organization | None = None,
    member: Member | None = None,
    main_deeds: str = "",
    organization_opinion: str = "",
) -> Application:
    """Start a draft application (申报表) for an organization or one of its members."""
    try:
        kind = ApplicationKind(kind)
    except ValueError:
        raise ValidationError({"kind": _("Choose what the application is for.")}) from None
    if kind == ApplicationKind.MEMBER_MODEL:
        if member is None:
            raise ValidationError({"member": _("Choose the Party member the application is for.")})
        if not member.is_active:
            raise ValidationError({"member": _("This member has left the organization.")})
        organization = member.organization
    else:
        member = None
        if organization is None:
            raise ValidationError(
                {"organization": _("Choose the Party organization that applies.")}
            )
    _require_manager(user, organization)

    duplicates = Application.objects.filter(campaign=campaign, kind=kind)
    duplicates = (
        duplicates.filter(member=member)
        if kind == ApplicationKind.MEMBER_MODEL
        else duplicates.filter(organization=organization)
    )
    if duplicates.exists():
        field = "member" if kind == ApplicationKind.MEMBER_MODEL else "organization"
        raise ValidationError(
            {
                field: _("%(nominee)s already has a %(kind)s application in %(year)s.")
                % {
                    "nominee": member.name if member else organization.name,
                    "kind": kind.label,
                    "year": campaign.year,
                }
            },
            code="duplicate",
        )

    application = Application(
        campaign=campaign,
        kind=kind,
        organization=organization,
        member=member,
        main_deeds=_clean_text(main_deeds),
        organization_opinion=_clean_text(organization_opinion),
        created_by=user,
    )
    application.self_assessment = assessment_for_application(application)
    application.full_clean()
    with transaction.atomic():
        application.save()
    return application


def application_update(
    *, user, application: Application, main_deeds: str, organization_opinion: str
) -> Application:
    """Change the form's text while it is a draft or returned for revision."""
    _require_manager(user, application.organization)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.state not in EDITABLE_STATES:
            raise ValidationError(
                _("The application is “%(state)s” and can no longer be changed.")
                % {"state": locked.get_state_display()},
                code="not_editable",
            )
        locked.main_deeds = _clean_text(main_deeds)
        locked.organization_opinion = _clean_text(organization_opinion)
        locked.self_assessment = assessment_for_application(locked)
        locked.full_clean()
        locked.save(
            update_fields=["main_deeds", "organization_opinion", "self_assessment", "updated_at"]
        )
    return locked


def may_delete(application: Application) -> bool:
    """Only a draft that was never submitted may go; anything with a history stays."""
    return application.state == ApplicationState.DRAFT and not application.history.exists()


def application_delete(*, user, application: Application) -> None:
    """Delete a draft that was never submitted; anything with a history stays."""
    _require_manager(user, application.organization)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if not may_delete(locked):
            raise ValidationError(
                _("Only a draft that was never submitted can be deleted."), code="not_deletable"
            )
        locked.delete()
