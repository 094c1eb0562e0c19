import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from appraisal.enums import ApplicationKind, ApplicationState
from appraisal.models import Application, ApplicationTransition
from appraisal.services.applications import allowed_transitions, application_transition
from appraisal.transitions import TRANSITIONS, transitions_from
from campaigns.models import SHANGHAI, Extension

from ..factories import ApplicationFactory, CampaignFactory, DepartmentUserFactory

S = ApplicationState
YEAR = 2026
IN_TIME = datetime.datetime(YEAR, 6, 1, 10, 0, tzinfo=SHANGHAI)
LAST_SECOND = datetime.datetime(YEAR, 9, 30, 23, 59, 59, tzinfo=SHANGHAI)
ONE_SECOND_LATE = datetime.datetime(YEAR, 10, 1, 0, 0, 0, tzinfo=SHANGHAI)

ALLOWED = {
    ("submit", S.DRAFT): S.SUBMITTED,
    ("start_review", S.SUBMITTED): S.UNDER_REVIEW,
    ("start_review", S.RESUBMITTED): S.UNDER_REVIEW,
    ("return_for_revision", S.UNDER_REVIEW): S.RETURNED,
    ("resubmit", S.RETURNED): S.RESUBMITTED,
    ("recommend", S.UNDER_REVIEW): S.RECOMMENDED,
    ("not_recommend", S.UNDER_REVIEW): S.NOT_RECOMMENDED,
    ("commend", S.RECOMMENDED): S.COMMENDED,
}
FORBIDDEN = [
    (name, state)
    for name in TRANSITIONS
    for state in ApplicationState
    if (name, state) not in ALLOWED
]


@pytest.fixture
def campaign(db):
    return CampaignFactory(year=YEAR)


@pytest.fixture
def clock():
    with time_machine.travel(IN_TIME, tick=False) as traveller:
        yield traveller


def _application(district, campaign, state=S.DRAFT, organization=None):
    return ApplicationFactory(
        campaign=campaign,
        organization=organization or district.branch,
        state=state,
        created_by=district.branch_secretary.user,
    )


def _actor(district, name):
    spec = TRANSITIONS[name]
    return (
        district.branch_secretary.user if spec.performer == "organization" else district.department
    )


def test_table_matches_the_workflow():
    table = {
        (name, state): spec.target for name, spec in TRANSITIONS.items() for state in spec.sources
    }
    assert table == ALLOWED
    assert {n for n, s in TRANSITIONS.items() if s.deadline_bound} == {"submit", "resubmit"}
    assert [t.name for t in transitions_from(S.UNDER_REVIEW)] == [
        "return_for_revision",
        "recommend",
        "not_recommend",
    ]


@pytest.mark.parametrize(("name", "state"), list(ALLOWED), ids=lambda v: str(v))
def test_transition_allowed_writes_one_history_row(district, campaign, clock, name, state):
    application = _application(district, campaign, state)
    actor = _actor(district, name)

    result = application_transition(
        application=application, transition=name, actor=actor, comment="  请补充材料  "
    )

    assert result.state == ALLOWED[(name, state)]
    assert Application.objects.get(pk=application.pk).state == ALLOWED[(name, state)]
    history = list(ApplicationTransition.objects.filter(application=application))
    assert len(history) == 1
    (row,) = history
    assert (row.actor, row.from_state, row.to_state, row.comment) == (
        actor,
        state,
        ALLOWED[(name, state)],
        "请补充材料",
    )
    assert row.at == IN_TIME


@pytest.mark.parametrize(("name", "state"), FORBIDDEN, ids=lambda v: str(v))
def test_transition_forbidden_from_state_changes_nothing(district, campaign, clock, name, state):
    application = _application(district, campaign, state)
    before = Application.objects.values().get(pk=application.pk)

    with pytest.raises(ValidationError) as excinfo:
        application_transition(
            application=application,
            transition=name,
            actor=_actor(district, name),
            comment="意见",
        )

    assert str(state.label) in excinfo.value.messages[0]
    assert Application.objects.values().get(pk=application.pk) == before
    assert not ApplicationTransition.objects.exists()


def test_submit_sets_submitted_at_once_and_resubmit_keeps_it(district, campaign, clock):
    application = _application(district, campaign)
    secretary, department = district.branch_secretary.user, district.department
    application_transition(application=application, transition="submit", actor=secretary)
    assert application.submitted_at == IN_TIME

    clock.shift(datetime.timedelta(days=1))
    application_transition(application=application, transition="start_review", actor=department)
    application_transition(
        application=application, transition="return_for_revision", actor=department, comment="补"
    )
    application_transition(application=application, transition="resubmit", actor=secretary)

    assert application.state == S.RESUBMITTED
    assert application.submitted_at == IN_TIME
    assert application.updated_at == IN_TIME + datetime.timedelta(days=1)
    assert application.history.count() == 4


def test_submit_at_last_second_of_deadline_accepted(district, campaign):
    application = _application(district, campaign)
    with time_machine.travel(LAST_SECOND + datetime.timedelta(microseconds=999_999), tick=False):
        application_transition(
            application=application, transition="submit", actor=district.branch_secretary.user
        )
    assert application.state == S.SUBMITTED


@pytest.mark.parametrize(("name", "state"), [("submit", S.DRAFT), ("resubmit", S.RETURNED)])
def test_submit_one_second_after_deadline_refused(district, campaign, name, state):
    application = _application(district, campaign, state)
    with (
        time_machine.travel(ONE_SECOND_LATE, tick=False),
        pytest.raises(ValidationError) as excinfo,
    ):
        application_transition(
            application=application, transition=name, actor=district.branch_secretary.user
        )
    assert "申报截止时间2026年9月30日 23:59:59（北京时间）已过" in excinfo.value.messages[0]
    assert "23:59:59" in excinfo.value.messages[0]
    application.refresh_from_db()
    assert application.state == state
    assert application.submitted_at is None
    assert not ApplicationTransition.objects.exists()


def test_submit_after_deadline_with_extension_only_for_that_organization(district, campaign):
    Extension.objects.create(
        campaign=campaign,
        organization=district.branch,
        deadline=datetime.datetime(YEAR, 10, 8, 23, 59, 59, tzinfo=SHANGHAI),
        reason="系统故障",
        granted_by=district.department,
    )
    extended = _application(district, campaign)
    other = _application(district, campaign, organization=district.other_branch)

    with time_machine.travel(ONE_SECOND_LATE + datetime.timedelta(days=3), tick=False):
        application_transition(
            application=extended, transition="submit", actor=district.branch_secretary.user
        )
        with pytest.raises(ValidationError):
            application_transition(
                application=other, transition="submit", actor=district.other_secretary.user
            )

    assert extended.state == S.SUBMITTED
    other.refresh_from_db()
    assert other.state == S.DRAFT


def test_two_reviewers_racing_only_first_wins(district, campaign, clock):
    application = _application(district, campaign, S.UNDER_REVIEW)
    first = Application.objects.get(pk=application.pk)
    second = Application.objects.get(pk=application.pk)
    other_reviewer = DepartmentUserFactory(username="dept2")

    application_transition(application=first, transition="recommend", actor=district.department)
    with pytest.raises(ValidationError) as excinfo:
        application_transition(application=second, transition="not_recommend", actor=other_reviewer)

    assert "已被他人处理，请刷新页面后重试" in excinfo.value.messages[0]
    application.refresh_from_db()
    assert application.state == S.RECOMMENDED
    (row,) = ApplicationTransition.objects.filter(application=application)
    assert (row.actor, row.to_state) == (district.department, S.RECOMMENDED)


def test_secretary_of_another_organization_cannot_submit(district, campaign, clock):
    application = _application(district, campaign)
    with pytest.raises(PermissionDenied):
        application_transition(
            application=application, transition="submit", actor=district.other_secretary.user
        )
    application.refresh_from_db()
    assert application.state == S.DRAFT
    assert not ApplicationTransition.objects.exists()


def test_secretary_of_parent_committee_can_submit(district, campaign, clock):
    application = _application(district, campaign)
    application_transition(
        application=application, transition="submit", actor=district.secretary.user
    )
    assert application.state == S.SUBMITTED


@pytest.mark.parametrize("who", ["member", "department"])
def test_non_secretary_cannot_submit(district, campaign, clock, who):
    application = ApplicationFactory(
        campaign=campaign,
        kind=ApplicationKind.MEMBER_MODEL,
        organization=district.branch,
        member=district.member,
        created_by=district.branch_secretary.user,
    )
    actor = district.member.user if who == "member" else district.department
    with pytest.raises(PermissionDenied):
        application_transition(application=application, transition="submit", actor=actor)
    assert not ApplicationTransition.objects.exists()


@pytest.mark.parametrize("name", ["start_review", "recommend", "commend"])
def test_secretary_cannot_review(district, campaign, clock, name):
    state = next(iter(TRANSITIONS[name].sources))
    application = _application(district, campaign, state)
    with pytest.raises(PermissionDenied):
        application_transition(
            application=application, transition=name, actor=district.branch_secretary.user
        )
    application.refresh_from_db()
    assert application.state == state


@pytest.mark.parametrize("comment", ["", "   "])
def test_return_without_comment_refused(district, campaign, clock, comment):
    application = _application(district, campaign, S.UNDER_REVIEW)
    with pytest.raises(ValidationError):
        application_transition(
            application=application,
            transition="return_for_revision",
            actor=district.department,
            comment=comment,
        )
    application.refresh_from_db()
    assert application.state == S.UNDER_REVIEW
    assert not ApplicationTransition.objects.exists()


def test_unknown_transition_refused(district, campaign, clock):
    application = _application(district, campaign)
    with pytest.raises(ValidationError):
        application_transition(
            application=application, transition="approve", actor=district.department
        )


def test_allowed_transitions_per_role_and_deadline(district, campaign, clock):
    draft = _application(district, campaign)
    in_review = _application(district, campaign, S.UNDER_REVIEW, organization=district.other_branch)
    secretary = district.branch_secretary.user

    assert [t.name for t in allowed_transitions(draft, secretary)] == ["submit"]
    assert allowed_transitions(draft, district.department) == []
    assert allowed_transitions(draft, district.member.user) == []
    assert allowed_transitions(draft, district.other_secretary.user) == []
    assert [t.name for t in allowed_transitions(in_review, district.department)] == [
        "return_for_revision",
        "recommend",
        "not_recommend",
    ]
    assert allowed_transitions(in_review, district.other_secretary.user) == []

    clock.move_to(ONE_SECOND_LATE)
    assert allowed_transitions(draft, secretary) == []


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_in_parallel_threads_only_one_wins(settings):
    """Two requests at the same moment, each in its own connection and transaction."""
    import threading

    from django.db import connection, connections

    if connection.vendor == "sqlite":
        pytest.skip("SQLite's test database is one in-memory connection; PostgreSQL runs this")
    campaign = CampaignFactory(year=YEAR)
    application = ApplicationFactory(campaign=campaign, state=S.UNDER_REVIEW)
    reviewers = [DepartmentUserFactory(username=f"parallel{i}") for i in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(reviewer, name):
        try:
            mine = Application.objects.get(pk=application.pk)  # both read "under review"
            barrier.wait()
            with time_machine.travel(IN_TIME, tick=False):
                application_transition(application=mine, transition=name, actor=reviewer)
            outcomes.append("won")
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(reviewers[0], "recommend")),
        threading.Thread(target=decide, args=(reviewers[1], "not_recommend")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["stale", "won"]
    application.refresh_from_db()
    (row,) = ApplicationTransition.objects.filter(application=application)
    assert row.to_state == application.state
