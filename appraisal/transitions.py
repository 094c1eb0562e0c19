"""The application state machine (标兵申报表): every allowed transition, in one table.

draft → submitted → under review → returned for revision → resubmitted →
under review → recommended / not recommended → commended.

Each entry says where it may start, where it ends, who performs it and
whether the campaign's deadline (or the organization's extension) bounds it.
``appraisal.services.applications.application_transition`` is the only code that moves an
application along this table; pages ask ``appraisal.services.applications.allowed_transitions``
which buttons to show.

A plain table rather than a state-machine library: django-fsm(-2) wants an
``FSMField`` and decorated methods on the model, and python-statemachine keeps
the state in a Python object; neither does the conditional ``UPDATE … WHERE
state = …`` plus append-only history row in one transaction that the review
workflow needs, so they would add a layer without removing any code here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .enums import ApplicationState as S


class Performer(StrEnum):
    """Who performs a transition."""

    # The secretary who manages the application's organization (campaigns.rules.can_manage).
    ORGANIZATION = "organization"
    # Organization Department staff (党群科), campaigns.rules.scope_for(user).is_department.
    DEPARTMENT = "department"


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    sources: frozenset[S]
    target: S
    performer: Performer
    deadline_bound: bool = False
    comment_required: bool = False


SUBMIT = "submit"
START_REVIEW = "start_review"
RETURN_FOR_REVISION = "return_for_revision"
RESUBMIT = "resubmit"
RECOMMEND = "recommend"
NOT_RECOMMEND = "not_recommend"
COMMEND = "commend"

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            SUBMIT,
            _("Submit"),
            frozenset({S.DRAFT}),
            S.SUBMITTED,
            Performer.ORGANIZATION,
            deadline_bound=True,
        ),
        Transition(
            START_REVIEW,
            _("Start review"),
            frozenset({S.SUBMITTED, S.RESUBMITTED}),
            S.UNDER_REVIEW,
            Performer.DEPARTMENT,
        ),
        Transition(
            RETURN_FOR_REVISION,
            _("Return for revision"),
            frozenset({S.UNDER_REVIEW}),
            S.RETURNED,
            Performer.DEPARTMENT,
            comment_required=True,
        ),
        Transition(
            RESUBMIT,
            _("Resubmit"),
            frozenset({S.RETURNED}),
            S.RESUBMITTED,
            Performer.ORGANIZATION,
            deadline_bound=True,
        ),
        Transition(
            RECOMMEND,
            _("Recommend"),
            frozenset({S.UNDER_REVIEW}),
            S.RECOMMENDED,
            Performer.DEPARTMENT,
        ),
        Transition(
            NOT_RECOMMEND,
            _("Do not recommend"),
            frozenset({S.UNDER_REVIEW}),
            S.NOT_RECOMMENDED,
            Performer.DEPARTMENT,
        ),
        Transition(
            COMMEND,
            _("Commend"),
            frozenset({S.RECOMMENDED}),
            S.COMMENDED,
            Performer.DEPARTMENT,
        ),
    )
}


def transitions_from(state) -> list[Transition]:
    """The transitions that may start from ``state``, in table order."""
    return [t for t in TRANSITIONS.values() if state in t.sources]
