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
from django.utils.translation import gettext as _

from campaigns import rules
from campaigns.models import SHANGHAI
from campaigns.selectors import deadline_for
from campaigns.templatetags.portal_tags import cn_date

from ..enums import ApplicationState
from ..models import Application, ApplicationTransition
from ..notifications import notify_transition
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
        transaction.on_commit(lambda: notify_transition(record))
    application.refresh_from_db()
    return application
