"""The department's review (审核): queue, review page, returns, staged decisions, bulk actions."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from appraisal.enums import ApplicationKind, ApplicationState, CriterionSubject
from appraisal.models import Application, ApplicationTransition, Review
from appraisal.selectors.reviews import next_unreviewed, review_progress, review_queue
from appraisal.services.applications import application_transition
from appraisal.services.reviews import (
    bulk_commend,
    bulk_stage,
    decision_stage,
    decisions_release,
    review_save,
)
from campaigns.models import SHANGHAI
from campaigns.selectors import applications_by_state

from ..factories import (
    ApplicationFactory,
    CampaignFactory,
    CriterionFactory,
    DepartmentUserFactory,
    OrganizationFactory,
)

S = ApplicationState
YEAR = 2026
NOW = datetime.datetime(YEAR, 10, 15, 10, 0, tzinfo=SHANGHAI)
QUEUE = reverse("appraisal:review.queue")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def campaign(db):
    return CampaignFactory(year=YEAR)


@pytest.fixture
def criteria(campaign):
    return {
        CriterionSubject.ORGANIZATION: [
            CriterionFactory(campaign=campaign, position=n, max_score=Decimal(20)) for n in (1, 2)
        ],
        CriterionSubject.MEMBER: [
            CriterionFactory(
                campaign=campaign,
                subject=CriterionSubject.MEMBER,
                position=n,
                max_score=Decimal(25),
            )
            for n in (1, 2)
        ],
    }


def _app(district, campaign, state=S.SUBMITTED, organization=None, member=None, **extra):
    organization = organization or (member.organization if member else district.branch)
    return ApplicationFactory(
        campaign=campaign,
        organization=organization,
        kind=ApplicationKind.MEMBER_MODEL if member else ApplicationKind.ORGANIZATION_MODEL,
        member=member,
        state=state,
        created_by=district.secretary.user,
        main_deeds="坚持学习工作化、工作学习化。",
        **extra,
    )


def _scores(criteria, subject, *values):
    return {c.pk: (v, "") for c, v in zip(criteria[subject], values, strict=True)}


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _rows(response):
    return [a.pk for a in response.context["applications"]]


# ---------------------------------------------------------------- who may use it


@pytest.mark.parametrize(
    "name",
    [
        "appraisal:review.queue",
        "appraisal:review.release",
        "appraisal:commendation.manage",
        "appraisal:commendation.publish",
    ],
)
def test_review_pages_forbidden_for_secretaries_and_members(client, district, campaign, name):
    for user in (district.secretary.user, district.member.user):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403


def test_review_pages_anonymous_redirected_to_login(client, district, campaign):
    application = _app(district, campaign)
    for url in (QUEUE, reverse("appraisal:review.detail", args=[application.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_review_detail_as_reviewer_owner_and_outsider(client, district, campaign, criteria):
    application = _app(district, campaign)
    url = reverse("appraisal:review.detail", args=[application.pk])
    client.force_login(district.department)
    response = client.get(url)
    assert response.status_code == 200
    assert "坚持学习工作化" in response.text
    assert "保存并审核下一份" in response.text
    client.force_login(district.branch_secretary.user)  # the owner: not a reviewer
    assert client.get(url).status_code == 403
    client.force_login(district.other_secretary.user)
    assert client.get(url).status_code == 403


def test_bulk_and_release_forbidden_for_secretary(client, district, campaign):
    application = _app(district, campaign)
    client.force_login(district.secretary.user)
    response = client.post(
        reverse("appraisal:review.bulk"),
        {"applications": [application.pk], "action": "stage_recommend", "campaign": YEAR},
    )
    assert response.status_code == 403
    assert client.post(reverse("appraisal:review.release"), {"campaign": YEAR}).status_code == 403
    application.refresh_from_db()
    assert application.staged_decision == ""


def test_review_services_refuse_non_department(district, campaign, criteria):
    application = _app(district, campaign)
    with pytest.raises(PermissionDenied):
        review_save(
            application=application, reviewer=district.secretary.user, scores={}, complete=False
        )
    with pytest.raises(PermissionDenied):
        decisions_release(campaign=campaign, actor=district.secretary.user)


# ---------------------------------------------------------------- queue


def test_queue_default_shows_what_awaits_review(client, district, campaign):
    awaiting = [
        _app(district, campaign, S.SUBMITTED, organization=district.committee),
        _app(district, campaign, S.UNDER_REVIEW, organization=district.branch),
        _app(district, campaign, S.RESUBMITTED, organization=district.other_committee),
    ]
    _app(district, campaign, S.RETURNED, organization=district.other_branch)
    _app(district, campaign, S.RECOMMENDED, member=district.member)
    _app(district, campaign, S.DRAFT, member=district.fellow)
    client.force_login(district.department)

    response = client.get(QUEUE)
    assert response.status_code == 200
    assert sorted(_rows(response)) == sorted(a.pk for a in awaiting)
    assert "待审核" in response.text
    assert "距截止" in response.text or "已截止" in response.text

    assert len(_rows(client.get(QUEUE, {"state": "all"}))) == 5  # drafts never
    recommended = _rows(client.get(QUEUE, {"state": "recommended"}))
    assert [Application.objects.get(pk=pk).state for pk in recommended] == [S.RECOMMENDED]
    # A bad value is ignored rather than failing the page.
    assert client.get(QUEUE, {"state": "nonsense", "organization": "x"}).status_code == 200


def test_queue_filters_by_kind_organization_subtree_search_and_campaign(client, district, campaign):
    org_app = _app(district, campaign, organization=district.committee)
    member_app = _app(district, campaign, member=district.member)
    other = _app(district, campaign, organization=district.other_branch)
    earlier = CampaignFactory(year=YEAR - 1)
    old = _app(district, earlier, organization=district.committee)
    client.force_login(district.department)

    assert _rows(client.get(QUEUE, {"kind": "member_model"})) == [member_app.pk]
    subtree = _rows(client.get(QUEUE, {"organization": district.committee.pk}))
    assert sorted(subtree) == sorted([org_app.pk, member_app.pk])
    assert _rows(client.get(QUEUE, {"q": district.other_branch.code})) == [other.pk]
    assert _rows(client.get(QUEUE, {"q": "乙公司"})) == [other.pk]
    assert _rows(client.get(QUEUE, {"q": district.member.user.full_name})) == [member_app.pk]
    assert _rows(client.get(QUEUE, {"campaign": YEAR - 1})) == [old.pk]
    # Queue order: by organization, its own application before its members'.
    assert _rows(client.get(QUEUE)) == [org_app.pk, member_app.pk, other.pk]


def test_queue_progress_counts_completed_reviews_of_this_reviewer(
    client, district, campaign, criteria
):
    org = CriterionSubject.ORGANIZATION
    done = _app(district, campaign, organization=district.committee)
    partial = _app(district, campaign, organization=district.branch)
    by_other = _app(district, campaign, organization=district.other_committee)
    _app(district, campaign, S.RECOMMENDED, member=district.member)
    _app(district, campaign, S.DRAFT, organization=district.other_branch)
    dept = district.department
    review_save(
        application=done, reviewer=dept, scores=_scores(criteria, org, 18, 19), complete=True
    )
    review_save(
        application=partial, reviewer=dept, scores=_scores(criteria, org, 18, None), complete=False
    )
    colleague = DepartmentUserFactory(username="dept2")
    review_save(
        application=by_other, reviewer=colleague, scores=_scores(criteria, org, 1, 2), complete=True
    )

    progress = review_progress(campaign, dept)
    assert (progress.reviewed, progress.total, progress.decided) == (1, 4, 1)
    client.force_login(dept)
    response = client.get(QUEUE)
    assert "已审核 1 / 4" in response.text
    assert response.context["progress"].awaiting == 3
    totals = {a.pk: a.my_total for a in response.context["applications"]}
    assert totals[done.pk] == Decimal(37)
    assert totals[by_other.pk] is None


@pytest.mark.parametrize("rows", [1, 30])
def test_queue_query_count_does_not_grow_with_rows(
    client, district, campaign, criteria, django_assert_num_queries, rows
):
    dept = district.department
    for _number in range(rows):
        application = _app(
            district,
            campaign,
            S.UNDER_REVIEW,
            organization=OrganizationFactory(parent=district.committee),
        )
        review_save(
            application=application,
            reviewer=dept,
            scores=_scores(criteria, CriterionSubject.ORGANIZATION, 10, 10),
            complete=True,
        )
        decision_stage(application=application, reviewer=dept, decision="recommend")
    client.force_login(dept)
    client.get(QUEUE)  # warm the session
    # No query for the organization filter: the department's is a search box.
    with django_assert_num_queries(7):
        response = client.get(QUEUE, {"state": "all"})
    assert len(_rows(response)) == min(rows, 25)


# ---------------------------------------------------------------- review page: scores


def _detail(application, **query):
    url = reverse("appraisal:review.detail", args=[application.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def _review_post(criteria, subject, values, **extra):
    data = {"form": "review", "comment": "总体较好"}
    for criterion, value in zip(criteria[subject], values, strict=True):
        data[f"score_{criterion.pk}"] = value
        data[f"comment_{criterion.pk}"] = "有佐证"
    data.update(extra)
    return data


def test_review_save_scores_and_start_review(client, district, campaign, criteria):
    application = _app(district, campaign, S.SUBMITTED)
    client.force_login(district.department)
    data = _review_post(criteria, CriterionSubject.ORGANIZATION, ["18", "19.5"], save="")
    response = client.post(_detail(application), data, follow=True)
    assert "审核已保存。" in _messages(response)
    application.refresh_from_db()
    assert application.state == S.UNDER_REVIEW
    review = Review.objects.get(application=application, reviewer=district.department)
    assert review.completed_at is not None
    assert review.comment == "总体较好"
    assert sorted(s.score for s in review.scores.all()) == [Decimal(18), Decimal("19.5")]
    step = ApplicationTransition.objects.get(application=application)
    assert (step.from_state, step.to_state, step.actor) == (
        S.SUBMITTED,
        S.UNDER_REVIEW,
        district.department,
    )


@pytest.mark.parametrize("data", [{}, {"form": "review", "comment": "   "}], ids=["empty", "blank"])
def test_review_save_with_nothing_entered_does_not_open_the_review(
    client, district, campaign, criteria, data
):
    application = _app(district, campaign, S.SUBMITTED)
    client.force_login(district.department)
    response = client.post(_detail(application), data, follow=True)
    assert "未填写任何内容，审核未保存。" in _messages(response)
    assert 'class="alert alert-danger alert-dismissible' in response.content.decode()
    application.refresh_from_db()
    assert application.state == S.SUBMITTED
    assert not Review.objects.exists()
    assert not ApplicationTransition.objects.filter(application=application).exists()


def test_review_save_above_maximum_refused_and_nothing_saved(client, district, campaign, criteria):
    application = _app(district, campaign, S.SUBMITTED)
    client.force_login(district.department)
    data = _review_post(criteria, CriterionSubject.ORGANIZATION, ["21", "10"])
    response = client.post(_detail(application), data)
    assert response.status_code == 200
    assert "得分不能超过满分 20 分。" in response.text
    application.refresh_from_db()
    assert application.state == S.SUBMITTED
    assert not Review.objects.exists()


def test_review_save_negative_score_refused(client, district, campaign, criteria):
    application = _app(district, campaign, S.UNDER_REVIEW)
    client.force_login(district.department)
    response = client.post(
        _detail(application), _review_post(criteria, CriterionSubject.ORGANIZATION, ["-1", "10"])
    )
    assert "得分不能为负数。" in response.text
    assert not Review.objects.exists()
    with pytest.raises(ValidationError):
        review_save(
            application=application,
            reviewer=district.department,
            scores=_scores(criteria, CriterionSubject.ORGANIZATION, Decimal(-1), Decimal(1)),
            complete=True,
        )


def test_review_member_application_uses_member_criteria(client, district, campaign, criteria):
    application = _app(district, campaign, S.UNDER_REVIEW, member=district.member)
    client.force_login(district.department)
    response = client.post(
        _detail(application), _review_post(criteria, CriterionSubject.MEMBER, ["25", "24"])
    )
    assert response.status_code == 302
    review = Review.objects.get()
    assert {s.criterion.subject for s in review.scores.all()} == {CriterionSubject.MEMBER}


def test_review_save_incomplete_does_not_count_as_reviewed(client, district, campaign, criteria):
    application = _app(district, campaign, S.UNDER_REVIEW)
    client.force_login(district.department)
    response = client.post(
        _detail(application),
        _review_post(criteria, CriterionSubject.ORGANIZATION, ["12", ""]),
        follow=True,
    )
    assert any("暂不计入已审核" in m for m in _messages(response))
    assert Review.objects.get().completed_at is None
    assert review_progress(campaign, district.department).reviewed == 0


def test_review_refused_once_decided(client, district, campaign, criteria):
    application = _app(district, campaign, S.RECOMMENDED)
    client.force_login(district.department)
    response = client.post(
        _detail(application),
        _review_post(criteria, CriterionSubject.ORGANIZATION, ["12", "12"]),
        follow=True,
    )
    assert any("只有待审核的申报表才能修改评分" in m for m in _messages(response))
    assert not Review.objects.exists()


def test_save_and_next_goes_to_next_unreviewed_in_filtered_order(
    client, district, campaign, criteria
):
    org = CriterionSubject.ORGANIZATION
    first = _app(district, campaign, organization=district.committee)
    done = _app(district, campaign, organization=district.branch)
    third = _app(district, campaign, member=district.member)
    elsewhere = _app(district, campaign, organization=district.other_committee)
    review_save(
        application=done,
        reviewer=district.department,
        scores=_scores(criteria, org, 1, 1),
        complete=True,
    )
    client.force_login(district.department)
    query = {"organization": district.committee.pk}

    data = _review_post(criteria, org, ["15", "16"], next="")
    response = client.post(_detail(first, **query), data)
    assert response.status_code == 302
    assert response["Location"].startswith(_detail(third))
    assert f"organization={district.committee.pk}" in response["Location"]

    data = _review_post(criteria, CriterionSubject.MEMBER, ["20", "20"], next="")
    response = client.post(_detail(third, **query), data, follow=True)
    assert response.redirect_chain[-1][0].startswith(QUEUE)
    assert "当前队列中已没有未审核的申报表。" in _messages(response)
    assert elsewhere.reviews.count() == 0


def test_next_unreviewed_wraps_round_to_the_start(district, campaign, criteria):
    first = _app(district, campaign, organization=district.committee)
    last = _app(district, campaign, organization=district.other_branch)
    queue = review_queue(campaign, district.department)
    assert next_unreviewed(queue, last) == first
    assert next_unreviewed(queue, first) == last


# ---------------------------------------------------------------- return for revision


def test_return_requires_comment(client, district, campaign, criteria):
    application = _app(district, campaign, S.UNDER_REVIEW)
    client.force_login(district.department)
    response = client.post(
        _detail(application), {"form": "return", "return-comment": "  ", "state": S.UNDER_REVIEW}
    )
    assert response.status_code == 200
    assert "请填写退回意见，说明需要修改的内容。" in response.text
    application.refresh_from_db()
    assert application.state == S.UNDER_REVIEW

    response = client.post(
        _detail(application),
        {"form": "return", "return-comment": "请补充学习成果应用的事例。", "state": S.UNDER_REVIEW},
        follow=True,
    )
    assert "申报表已退回党组织修改。" in _messages(response)
    application.refresh_from_db()
    assert application.state == S.RETURNED
    assert application.history.last().comment == "请补充学习成果应用的事例。"


def test_return_from_a_stale_page_shows_changed_meanwhile(client, district, campaign, criteria):
    application = _app(district, campaign, S.UNDER_REVIEW)
    client.force_login(district.department)
    # The page was loaded while submitted; someone took it under review and recommended it since.
    application_transition(
        application=application, transition="recommend", actor=DepartmentUserFactory()
    )
    response = client.post(
        _detail(application),
        {"form": "return", "return-comment": "请补充。", "state": S.UNDER_REVIEW},
        follow=True,
    )
    assert response.status_code == 200
    assert "此申报表刚刚已被他人处理，请刷新页面后重试。" in _messages(response)
    application.refresh_from_db()
    assert application.state == S.RECOMMENDED


def test_return_of_a_submitted_application_takes_it_under_review_first(
    client, district, campaign, criteria
):
    application = _app(district, campaign, S.SUBMITTED)
    client.force_login(district.department)
    client.post(
        _detail(application),
        {"form": "return", "return-comment": "材料不全。", "state": S.SUBMITTED},
    )
    application.refresh_from_db()
    assert application.state == S.RETURNED
    assert [(h.from_state, h.to_state) for h in application.history.all()] == [
        (S.SUBMITTED, S.UNDER_REVIEW),
        (S.UNDER_REVIEW, S.RETURNED),
    ]


# ---------------------------------------------------------------- staged decisions


def test_stage_decision_keeps_state_and_is_hidden_from_the_organization(
    client, district, campaign, criteria
):
    application = _app(district, campaign, S.UNDER_REVIEW, organization=district.committee)
    client.force_login(district.department)
    response = client.post(
        _detail(application),
        {"form": "stage", "stage-decision": "recommend", "stage-comment": "同意推荐。"},
        follow=True,
    )
    assert any("决定已暂存" in m for m in _messages(response))
    application.refresh_from_db()
    assert application.state == S.UNDER_REVIEW
    assert (application.staged_decision, application.staged_comment) == ("recommend", "同意推荐。")
    assert not application.history.filter(to_state=S.RECOMMENDED).exists()

    # The organization's figures read the real state only.
    secretary = district.secretary.user
    counts = {row["state"]: row["count"] for row in applications_by_state(secretary, campaign)}
    assert counts[S.UNDER_REVIEW] == 1
    assert counts[S.RECOMMENDED] == 0
    client.force_login(secretary)
    home = client.get("/")
    assert home.status_code == 200
    assert "同意推荐。" not in home.text
    assert "暂存" not in home.text
    # …and the review pages, which show staged decisions, are closed to it.
    assert client.get(_detail(application)).status_code == 403
    assert client.get(QUEUE).status_code == 403


def test_stage_refused_when_not_awaiting_review(district, campaign):
    application = _app(district, campaign, S.RETURNED)
    with pytest.raises(ValidationError) as error:
        decision_stage(application=application, reviewer=district.department, decision="recommend")
    assert "只有审核中的申报表才能暂存决定" in " ".join(error.value.messages)
    application.refresh_from_db()
    assert application.staged_decision == ""


def test_release_moves_all_staged_together_with_reviewer_as_actor(client, district, campaign):
    yes = _app(district, campaign, S.UNDER_REVIEW, organization=district.committee)
    no = _app(district, campaign, S.SUBMITTED, member=district.member)
    untouched = _app(district, campaign, S.UNDER_REVIEW, organization=district.other_committee)
    decision_stage(
        application=yes, reviewer=district.department, decision="recommend", comment="好"
    )
    decision_stage(
        application=no, reviewer=district.department, decision="not_recommend", comment="不足"
    )
    releaser = DepartmentUserFactory(username="dept2")
    client.force_login(releaser)

    confirm = client.get(reverse("appraisal:review.release"))
    assert confirm.status_code == 200
    assert [a.pk for a in confirm.context["staged"]] == [yes.pk, no.pk]

    response = client.post(reverse("appraisal:review.release"), {"campaign": YEAR}, follow=True)
    assert "已发布 2 项暂存决定。" in _messages(response)
    yes.refresh_from_db()
    no.refresh_from_db()
    untouched.refresh_from_db()
    assert (yes.state, no.state, untouched.state) == (
        S.RECOMMENDED,
        S.NOT_RECOMMENDED,
        S.UNDER_REVIEW,
    )
    assert yes.staged_decision == no.staged_decision == ""
    step = yes.history.last()
    assert (step.to_state, step.actor, step.comment) == (S.RECOMMENDED, releaser, "好")
    assert no.history.last().comment == "不足"
    assert no.history.last().actor == releaser


def test_release_reports_an_application_moved_meanwhile_and_continues(client, district, campaign):
    moved = _app(district, campaign, S.UNDER_REVIEW, organization=district.committee)
    fine = _app(district, campaign, S.UNDER_REVIEW, organization=district.other_committee)
    for application in (moved, fine):
        decision_stage(application=application, reviewer=district.department, decision="recommend")
    application_transition(
        application=moved,
        transition="return_for_revision",
        actor=DepartmentUserFactory(),
        comment="请补充。",
    )
    client.force_login(district.department)
    response = client.post(reverse("appraisal:review.release"), {"campaign": YEAR}, follow=True)
    messages = _messages(response)
    assert "已发布 1 项暂存决定。" in messages
    assert any(
        str(moved) in m and "申报表当前状态为“退回修改”，不能执行“推荐”。" in m for m in messages
    )
    moved.refresh_from_db()
    fine.refresh_from_db()
    assert moved.state == S.RETURNED
    assert moved.staged_decision == "recommend"  # kept, for the department to see
    assert fine.state == S.RECOMMENDED


def test_release_without_staged_decisions_changes_nothing(client, district, campaign):
    application = _app(district, campaign, S.UNDER_REVIEW)
    client.force_login(district.department)
    response = client.post(reverse("appraisal:review.release"), {"campaign": YEAR}, follow=True)
    assert "本年度没有暂存的决定。" in _messages(response)
    application.refresh_from_db()
    assert application.state == S.UNDER_REVIEW


# ---------------------------------------------------------------- bulk actions


def test_bulk_stage_reports_failures_and_stages_the_rest(client, district, campaign):
    submitted = _app(district, campaign, S.SUBMITTED, organization=district.committee)
    reviewing = _app(district, campaign, S.UNDER_REVIEW, organization=district.branch)
    decided = _app(district, campaign, S.RECOMMENDED, organization=district.other_committee)
    client.force_login(district.department)
    response = client.post(
        reverse("appraisal:review.bulk"),
        {
            "applications": [submitted.pk, reviewing.pk, decided.pk],
            "action": "stage_not_recommend",
            "comment": "本年度暂不推荐。",
            "campaign": YEAR,
            "query": "state=all&kind=org_model",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{QUEUE}?state=all&kind=org_model&campaign={YEAR}"
    messages = _messages(response)
    assert any("已为 2 份申报表暂存决定" in m for m in messages)
    assert any(str(decided) in m and "只有审核中的申报表才能暂存决定" in m for m in messages)
    for application in (submitted, reviewing, decided):
        application.refresh_from_db()
    assert submitted.state == reviewing.state == S.UNDER_REVIEW
    assert submitted.staged_decision == reviewing.staged_decision == "not_recommend"
    assert submitted.staged_comment == "本年度暂不推荐。"
    assert decided.staged_decision == ""


def test_bulk_commend_only_recommended(client, district, campaign):
    recommended = _app(district, campaign, S.RECOMMENDED, organization=district.committee)
    reviewing = _app(district, campaign, S.UNDER_REVIEW, organization=district.branch)
    client.force_login(district.department)
    response = client.post(
        reverse("appraisal:review.bulk"),
        {"applications": [recommended.pk, reviewing.pk], "action": "commend", "campaign": YEAR},
        follow=True,
    )
    messages = _messages(response)
    assert "已表彰 1 份申报表。" in messages
    assert any("不能执行“表彰”" in m for m in messages)
    recommended.refresh_from_db()
    reviewing.refresh_from_db()
    assert (recommended.state, reviewing.state) == (S.COMMENDED, S.UNDER_REVIEW)


def test_bulk_needs_a_selection_and_ignores_other_campaigns(client, district, campaign):
    earlier = _app(district, CampaignFactory(year=YEAR - 1), S.UNDER_REVIEW)
    client.force_login(district.department)
    response = client.post(
        reverse("appraisal:review.bulk"),
        {"action": "stage_recommend", "campaign": YEAR},
        follow=True,
    )
    assert "请至少选择一份申报表。" in _messages(response)
    response = client.post(
        reverse("appraisal:review.bulk"),
        {"applications": [earlier.pk, "abc"], "action": "stage_recommend", "campaign": YEAR},
        follow=True,
    )
    assert response.status_code == 200
    earlier.refresh_from_db()
    assert earlier.staged_decision == ""


def test_bulk_services_each_row_on_its_own(district, campaign):
    ok = _app(district, campaign, S.RESUBMITTED, organization=district.committee)
    bad = _app(district, campaign, S.DRAFT, organization=district.branch)
    outcome = bulk_stage(
        campaign=campaign, pks=[ok.pk, bad.pk], actor=district.department, decision="recommend"
    )
    assert outcome.done == [ok]
    assert [a for a, _reason in outcome.failures] == [bad]
    outcome = bulk_commend(campaign=campaign, pks=[ok.pk], actor=district.department)
    assert outcome.done == [] and len(outcome.failures) == 1
