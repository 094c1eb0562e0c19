"""The annual Party-building target assessment (年度党建目标管理考核): figures and pages."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from appraisal.enums import ApplicationState, SelfAssessmentStatus
from appraisal.models import (
    AnnualAssessment,
    AssessmentWeights,
    CriterionScore,
    Review,
    ReviewScore,
)
from appraisal.services.annual import annual_assessment_adjust, annual_assessment_compute
from campaigns.enums import OrganizationKind, PlanStatus
from campaigns.models import SHANGHAI
from learning.enums import ActivityForm, NoteKind, StudyPlanKind
from learning.models import Attendance, ReadingRecord, StudyPlan
from learning.services.plans import plan_file

from ..factories import (
    ApplicationFactory,
    BookFactory,
    CampaignFactory,
    CriterionFactory,
    DepartmentUserFactory,
    ImplementationPlanFactory,
    MemberFactory,
    OrganizationFactory,
    SelfAssessmentFactory,
    StudyActivityFactory,
    StudyNoteFactory,
    StudyPlanFactory,
)

YEAR = 2026
NOW = datetime.datetime(YEAR, 11, 20, 9, 30, tzinfo=SHANGHAI)
LIST = reverse("appraisal:annual.list")
COMPUTE = reverse("appraisal:annual.compute")
WEIGHTS = reverse("appraisal:annual.weights")


def beijing(month, day, hour=10, minute=0):
    return datetime.datetime(YEAR, month, day, hour, minute, tzinfo=SHANGHAI)


def filed(plan, user, when):
    """File ``plan`` through the service with the clock at ``when`` (Beijing time)."""
    with time_machine.travel(when, tick=False):
        return plan_file(user=user, plan=plan)


def study_plan(campaign, organization, quarter=None, **kwargs):
    kind = StudyPlanKind.ORGANIZATION_QUARTERLY if quarter else StudyPlanKind.ORGANIZATION_ANNUAL
    return StudyPlanFactory(
        campaign=campaign,
        organization=organization,
        kind=kind,
        quarter=quarter,
        key_content="学习党的理论",
        **kwargs,
    )


def five_ones(campaign, member, *, skip=()):
    """Give ``member`` the “五个一” of ``campaign``, except the ones named in ``skip``."""
    if "plan" not in skip:
        StudyPlanFactory(
            campaign=campaign,
            organization=member.organization,
            member=member,
            kind=StudyPlanKind.PERSONAL,
            status=PlanStatus.FILED,
            filed_at=beijing(3, 5),
        )
    if "book" not in skip:
        ReadingRecord.objects.create(
            campaign=campaign, member=member, book=BookFactory(organization=member.organization)
        )
    for kind in (NoteKind.NOTE, NoteKind.REFLECTION, NoteKind.EXCHANGE):
        if kind not in skip:
            StudyNoteFactory(campaign=campaign, member=member, kind=kind)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def campaign(db):
    return CampaignFactory(year=YEAR)  # 1 March to 31 December


@pytest.fixture
def records(campaign, district):
    """The branch's year of records, with the figures worked out by hand beside them.

    Branch 甲公司第一党支部: 3 active members (branch secretary, member, fellow).
    """
    branch, secretary = district.branch, district.branch_secretary.user
    ImplementationPlanFactory(
        campaign=campaign, organization=branch, status=PlanStatus.FILED, filed_at=beijing(3, 2)
    )
    # Annual plan due 31 March (30 days after 1 March); quarterly plans by the 15th day of
    # the quarter, Q1 counted from the campaign's start: 15 March, 15 April, 15 July, 15 Oct.
    filed(study_plan(campaign, branch), secretary, beijing(3, 20))  # on time
    filed(study_plan(campaign, branch, 1), secretary, beijing(3, 10))  # on time
    filed(study_plan(campaign, branch, 2), secretary, beijing(4, 20))  # late
    filed(study_plan(campaign, branch, 3), secretary, beijing(7, 15, 23, 50))  # on time, just
    study_plan(campaign, branch, 4)  # a draft: not filed
    # The committee's annual plan reaches it ten minutes into 1 April, Beijing time: late,
    # although it is still 31 March in UTC.
    filed(study_plan(campaign, district.committee), district.secretary.user, beijing(4, 1, 0, 10))
    # The other branch's arrives at 23:30 on 31 March: on time.
    filed(
        study_plan(campaign, district.other_branch),
        district.other_secretary.user,
        beijing(3, 31, 23, 30),
    )

    def activity(form, hours):
        return StudyActivityFactory(
            campaign=campaign, organization=branch, form=form, hours=Decimal(hours)
        )

    study_1 = activity(ActivityForm.CONCENTRATED_STUDY, 2)
    study_2 = activity(ActivityForm.CONCENTRATED_STUDY, 2)
    lecture = activity(ActivityForm.LECTURE, 3)
    general = activity(ActivityForm.BRANCH_GENERAL_MEETING, "1.5")
    party_lecture = activity(ActivityForm.PARTY_LECTURE, "2.5")
    group = activity(ActivityForm.PARTY_GROUP_MEETING, 10)
    # An activity of another campaign does not count.
    StudyActivityFactory(campaign=CampaignFactory(year=YEAR - 1), organization=branch)

    member, fellow, branch_secretary = district.member, district.fellow, district.branch_secretary
    gone = MemberFactory(organization=branch, is_active=False)
    attended = {
        member: [(study_1, 2), (study_2, 2), (lecture, 3), (general, "1.5")],  # 8.5
        fellow: [(study_1, 2), (study_2, 2)],  # 4
        branch_secretary: [(study_1, 2), (lecture, 3), (party_lecture, "2.5"), (group, 10)],
        gone: [(study_1, 2), (lecture, 3)],  # an inactive member counts for nothing
    }
    for who, visits in attended.items():
        for visited, hours in visits:
            Attendance.objects.create(activity=visited, member=who, hours=Decimal(hours))

    five_ones(campaign, member)
    five_ones(campaign, fellow, skip=(NoteKind.EXCHANGE,))

    criteria = [
        CriterionFactory(campaign=campaign, position=n, max_score=Decimal(10)) for n in (1, 2)
    ]
    own = SelfAssessmentFactory(
        campaign=campaign, organization=branch, status=SelfAssessmentStatus.COMPLETED
    )
    for criterion, score in zip(criteria, (8, 6), strict=True):
        CriterionScore.objects.create(assessment=own, criterion=criterion, score=Decimal(score))
    application = ApplicationFactory(
        campaign=campaign,
        organization=branch,
        self_assessment=own,
        state=ApplicationState.RECOMMENDED,
    )
    reviews = [
        (district.department, NOW, (9, 7)),  # 16
        (DepartmentUserFactory(), NOW, (10, 8)),  # 18
        (DepartmentUserFactory(), None, (1, 1)),  # not completed: does not count
    ]
    for reviewer, completed_at, scores in reviews:
        review = Review.objects.create(
            application=application, reviewer=reviewer, completed_at=completed_at
        )
        for criterion, score in zip(criteria, scores, strict=True):
            ReviewScore.objects.create(review=review, criterion=criterion, score=Decimal(score))
    return district


# Default weights: plan 10, study plans 15, activities 15 (12 for full), hours 15 (32 for
# full), five ones 15, self-assessment 10, review 10, application 10 — 100 in all.
BRANCH_POINTS = {
    "implementation_plan": Decimal("10.00"),  # filed
    "study_plans": Decimal("9.00"),  # annual + 2 quarterly on time: 3/5 of 15
    "activities": Decimal("7.50"),  # 6 of 12
    "study_hours": Decimal("4.69"),  # 30 h / 3 members = 10.0 of 32 → 4.6875
    "five_ones": Decimal("5.00"),  # 1 of 3 members: 0.3333 × 15 = 4.9995
    "self_assessment": Decimal("7.00"),  # 14 of 20
    "review": Decimal("8.50"),  # mean of 16 and 18 = 17 of 20
    "application": Decimal("8.00"),  # recommended: 80 %
}
BRANCH_TOTAL = sum(BRANCH_POINTS.values())  # 59.69


def assessment_of(campaign, organization):
    return AnnualAssessment.objects.get(campaign=campaign, organization=organization)


def computed(campaign):
    annual_assessment_compute(campaign=campaign)


# ---------------------------------------------------------------- figures


def test_compute_stores_each_figure_from_the_records(campaign, records):
    computed(campaign)

    row = assessment_of(campaign, records.branch)
    assert row.implementation_plan_filed is True
    assert row.annual_plan_on_time is True
    assert row.quarterly_plans_on_time == 2
    assert row.activity_count == 6
    assert row.three_meetings_count == 3
    assert row.average_study_hours == Decimal("10.0")
    assert row.five_ones_rate == Decimal("0.3333")
    assert row.self_assessment_score == Decimal("14")
    assert row.review_score == Decimal("17.00")
    assert row.application_outcome == ApplicationState.RECOMMENDED
    assert Decimal("59.69") == BRANCH_TOTAL
    assert row.computed_total == BRANCH_TOTAL
    assert row.adjustment == 0
    assert row.total == BRANCH_TOTAL
    assert row.computed_at == NOW


def test_compute_counts_the_annual_plan_by_the_beijing_date(campaign, records):
    computed(campaign)

    committee = assessment_of(campaign, records.committee)
    assert committee.annual_plan_on_time is False  # 1 April 00:10 Beijing time
    assert committee.implementation_plan_filed is False
    assert committee.computed_total == 0
    assert assessment_of(campaign, records.other_branch).annual_plan_on_time is True
    assert assessment_of(campaign, records.other_branch).computed_total == Decimal("3.00")


def test_compute_covers_every_active_organization_once(campaign, records):
    computed(campaign)
    computed(campaign)

    assert AnnualAssessment.objects.filter(campaign=campaign).count() == 4


def test_recompute_keeps_the_adjustment(campaign, records, clock):
    computed(campaign)
    row = assessment_of(campaign, records.branch)
    annual_assessment_adjust(
        assessment=row, user=records.department, adjustment=Decimal("-2.5"), reason="迟报材料"
    )
    for _n in range(6):  # 12 activities now: the item's full 15 points
        StudyActivityFactory(campaign=campaign, organization=records.branch)
    clock.move_to(NOW + datetime.timedelta(hours=2))

    computed(campaign)

    row.refresh_from_db()
    assert row.activity_count == 12
    assert row.computed_total == BRANCH_TOTAL + Decimal("7.50")
    assert row.adjustment == Decimal("-2.5")
    assert row.adjustment_reason == "迟报材料"
    assert row.adjusted_by == records.department
    assert row.total == BRANCH_TOTAL + Decimal("5.00")
    assert row.computed_at == NOW + datetime.timedelta(hours=2)


def test_lowered_weights_hold_an_adjusted_total_at_the_full_points(client, campaign, records):
    computed(campaign)
    row = assessment_of(campaign, records.branch)
    annual_assessment_adjust(
        assessment=row, user=records.department, adjustment=Decimal("40"), reason="承办现场会"
    )
    client.force_login(records.department)

    # Every weight 5 instead of 10–15: full points 40, and the computed figure shrinks.
    response = client.post(
        WEIGHTS,
        weights_data(
            implementation_plan="5",
            study_plans="5",
            activities="5",
            study_hours="5",
            five_ones="5",
            self_assessment="5",
            review="5",
            application="5",
        ),
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.adjustment == Decimal("40")  # the department's figure is kept as it was made
    assert row.computed_total + row.adjustment > 40
    assert row.total == Decimal(40)
    page = client.get(detail_url(row)).text
    assert "data-total-capped" in page
    assert 'data-figure="total">40 <' in page


def test_fewer_records_hold_a_lowered_total_at_zero(campaign, records):
    computed(campaign)
    row = assessment_of(campaign, records.other_branch)  # 3.00 computed
    annual_assessment_adjust(
        assessment=row, user=records.department, adjustment=Decimal("-3"), reason="材料不实"
    )
    assert row.total == 0
    StudyPlan.objects.filter(organization=records.other_branch).delete()

    computed(campaign)

    row.refresh_from_db()
    assert row.computed_total == 0
    assert (row.adjustment, row.total, row.total_capped) == (Decimal(-3), 0, True)


def test_list_sorts_by_the_stored_total(client, campaign, records):
    computed(campaign)
    client.force_login(records.department)

    response = client.get(LIST, {"campaign": YEAR, "order": "-total"})

    totals = [a.total for a in response.context["assessments"]]
    assert totals == sorted(totals, reverse=True)
    assert totals[0] == BRANCH_TOTAL


# ---------------------------------------------------------------- list


def test_list_prompts_the_department_to_compute_when_nothing_is_computed(
    client, campaign, district
):
    client.force_login(district.department)

    response = client.get(LIST)

    assert response.status_code == 200
    assert "本年度考核结果尚未计算" in response.text
    assert COMPUTE in response.text


def test_list_tells_a_secretary_nothing_is_computed_yet(client, campaign, district):
    client.force_login(district.secretary.user)

    response = client.get(LIST)

    assert response.status_code == 200
    assert "组织部尚未计算本年度考核结果" in response.text
    assert COMPUTE not in response.text


def test_compute_button_says_how_many_and_when(client, campaign, records):
    client.force_login(records.department)

    response = client.post(COMPUTE, {"campaign": YEAR})

    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?campaign={YEAR}"
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "4 个党组织" in message
    assert "2026年11月20日 09:30" in message
    page = client.get(response["Location"]).text
    assert "上次根据记录计算：2026年11月20日 09:30" in page
    assert "59.69" in page


@pytest.mark.parametrize("who", ["secretary", "member"])
def test_compute_refused_to_others(client, campaign, records, who):
    user = records.secretary.user if who == "secretary" else records.member.user
    client.force_login(user)

    assert client.post(COMPUTE, {"campaign": YEAR}).status_code == 403
    assert not AnnualAssessment.objects.exists()


def test_list_shows_a_secretary_only_their_subtree_without_buttons(client, campaign, records):
    computed(campaign)
    client.force_login(records.secretary.user)

    response = client.get(LIST)

    assert response.status_code == 200
    shown = {a.organization for a in response.context["assessments"]}
    assert shown == {records.committee, records.branch}
    assert "乙公司" not in response.text
    assert COMPUTE not in response.text
    assert WEIGHTS not in response.text


def test_list_refused_to_a_member(client, campaign, records):
    computed(campaign)
    client.force_login(records.member.user)

    assert client.get(LIST).status_code == 403


def test_list_filters_searches_and_sorts(client, campaign, records):
    computed(campaign)
    client.force_login(records.department)

    def names(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200
        return [a.organization.name for a in response.context["assessments"]]

    assert names(kind=OrganizationKind.COMMITTEE) == ["甲公司党委", "乙公司党委"]
    assert names(q="第一") == ["甲公司第一党支部"]
    assert names(q=records.other_branch.code) == ["乙公司党支部"]
    assert names(order="-total")[:2] == ["甲公司第一党支部", "乙公司党支部"]
    assert names(order="total")[-1] == "甲公司第一党支部"
    # Bad values are ignored, never a server error.
    assert len(names(order="password", kind="x", page="99", campaign="abc")) == 4


@pytest.mark.parametrize("organizations", [1, 30])
def test_list_query_count_does_not_grow_with_rows(
    client, campaign, django_assert_num_queries, organizations
):
    committee = OrganizationFactory(kind=OrganizationKind.COMMITTEE)
    for _n in range(organizations - 1):
        OrganizationFactory(parent=committee)
    department = DepartmentUserFactory()
    computed(campaign)
    AnnualAssessment.objects.update(adjusted_by=department, adjustment=1, adjustment_reason="x")
    client.force_login(department)
    client.get(LIST)  # the session is warm

    with django_assert_num_queries(8):
        response = client.get(LIST, {"order": "-total", "q": "", "kind": ""})

    assert len(response.context["assessments"]) == organizations


def test_list_shows_fifty_rows_a_page(client, campaign, district):
    for n in range(60):
        OrganizationFactory(name=f"丙公司第{n}党支部", parent=district.other_committee)
    computed(campaign)
    client.force_login(district.department)

    first = client.get(LIST)
    last = client.get(LIST, {"page": 2})

    assert len(first.context["assessments"]) == 50
    assert len(last.context["assessments"]) == 14


# ---------------------------------------------------------------- detail and adjustment


def detail_url(row):
    return reverse("appraisal:annual.detail", args=[row.pk])


def test_detail_explains_each_item(client, campaign, records):
    computed(campaign)
    row = assessment_of(campaign, records.branch)
    client.force_login(records.department)

    response = client.get(detail_url(row))

    assert response.status_code == 200
    rows = {item.key: item for item in response.context["rows"]}
    assert {key: item.points for key, item in rows.items()} == BRANCH_POINTS
    assert rows["study_plans"].share == Decimal("0.6")
    text = response.text
    assert "年度学习计划须在活动开始后30日内" in text
    assert "2026年3月31日" in text
    assert "三会一课" in text
    assert "59.69" in text
    assert 'id="adjust"' in text
    assert "data-records-changed" not in text


def test_detail_says_when_records_changed_since_computed(client, campaign, records):
    computed(campaign)
    StudyActivityFactory(campaign=campaign, organization=records.branch)
    client.force_login(records.department)

    response = client.get(detail_url(assessment_of(campaign, records.branch)))

    assert "data-records-changed" in response.text
    assert response.context["current_total"] == BRANCH_TOTAL + Decimal("1.25")


def test_detail_recompute_of_one_organization_returns_to_it(client, campaign, records, clock):
    computed(campaign)
    row = assessment_of(campaign, records.branch)
    StudyActivityFactory(campaign=campaign, organization=records.branch)
    clock.move_to(NOW + datetime.timedelta(hours=1))
    client.force_login(records.department)

    response = client.post(COMPUTE, {"campaign": YEAR, "organization": records.branch.pk})

    assert response["Location"] == detail_url(row)
    row.refresh_from_db()
    assert row.activity_count == 7
    assert row.computed_at == NOW + datetime.timedelta(hours=1)
    assert assessment_of(campaign, records.committee).computed_at == NOW  # not its subtree


def test_list_links_to_the_export_page(client, campaign, records):
    client.force_login(records.department)

    assert reverse("appraisal:export.list") in client.get(LIST).text


def test_detail_refused_to_a_member(client, campaign, records):
    computed(campaign)
    client.force_login(records.member.user)

    assert client.get(detail_url(assessment_of(campaign, records.branch))).status_code == 403


def test_detail_for_a_secretary_is_read_only(client, campaign, records):
    computed(campaign)
    client.force_login(records.secretary.user)

    response = client.get(detail_url(assessment_of(campaign, records.branch)))

    assert response.status_code == 200
    assert response.context["form"] is None
    assert 'id="adjust"' not in response.text


def test_detail_of_another_secretarys_organization_is_404(client, campaign, records):
    computed(campaign)
    client.force_login(records.other_secretary.user)

    assert client.get(detail_url(assessment_of(campaign, records.branch))).status_code == 404
    assert client.get(reverse("appraisal:annual.detail", args=[999999])).status_code == 404


def test_adjustment_saved_by_the_department(client, campaign, records):
    computed(campaign)
    row = assessment_of(campaign, records.branch)
    client.force_login(records.department)

    response = client.post(
        detail_url(row), {"adjustment": "5", "adjustment_reason": "承办全区现场会"}
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.adjustment == Decimal("5")
    assert row.adjustment_reason == "承办全区现场会"
    assert row.adjusted_by == records.department
    page = client.get(detail_url(row)).text
    assert "64.69" in page
    assert "承办全区现场会" in page


def test_adjustment_needs_a_reason(client, campaign, records):
    computed(campaign)
    row = assessment_of(campaign, records.branch)
    client.force_login(records.department)

    response = client.post(detail_url(row), {"adjustment": "5", "adjustment_reason": "  "})

    assert response.status_code == 400
    assert response.context["form"].errors["adjustment_reason"] == ["请填写调整理由。"]
    row.refresh_from_db()
    assert row.adjustment == 0
    assert row.adjusted_by is None


@pytest.mark.parametrize("adjustment", ["-60", "40.32", "abc", ""])
def test_adjustment_keeps_the_total_within_the_full_points(client, campaign, records, adjustment):
    computed(campaign)
    row = assessment_of(campaign, records.branch)
    client.force_login(records.department)

    response = client.post(detail_url(row), {"adjustment": adjustment, "adjustment_reason": "理由"})

    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["adjustment"])
    assert any(word in errors for word in ("须在0至满分", "请输入数字", "这个字段是必填项"))
    row.refresh_from_db()
    assert row.adjustment == 0
    assert row.adjustment_reason == ""


def test_adjustment_up_to_exactly_the_full_points(client, campaign, records):
    computed(campaign)
    row = assessment_of(campaign, records.branch)
    client.force_login(records.department)

    client.post(detail_url(row), {"adjustment": "40.31", "adjustment_reason": "满分"})

    row.refresh_from_db()
    assert row.total == Decimal(100)


@pytest.mark.parametrize(
    ("who", "status"), [("secretary", 403), ("other_secretary", 404), ("member", 403)]
)
def test_adjustment_only_by_the_department(client, campaign, records, who, status):
    computed(campaign)
    row = assessment_of(campaign, records.branch)
    client.force_login(getattr(records, who).user)

    response = client.post(detail_url(row), {"adjustment": "5", "adjustment_reason": "理由"})

    assert response.status_code == status
    row.refresh_from_db()
    assert row.adjustment == 0


# ---------------------------------------------------------------- weights


def weights_data(**changes):
    data = {
        "campaign": YEAR,
        "implementation_plan": "10",
        "study_plans": "15",
        "activities": "15",
        "study_hours": "15",
        "five_ones": "15",
        "self_assessment": "10",
        "review": "10",
        "application": "10",
        "activity_target": "12",
        "study_hours_target": "32",
    }
    data.update(changes)
    return data


def test_weights_form_saves_and_recomputes_totals(client, campaign, records):
    computed(campaign)
    client.force_login(records.department)
    assert f"{WEIGHTS}?campaign={YEAR}" in client.get(LIST).text

    response = client.post(WEIGHTS, weights_data(activities="30", activity_target="6"))

    assert response.status_code == 302
    weights = AssessmentWeights.objects.get(campaign=campaign)
    assert (weights.activities, weights.activity_target) == (Decimal(30), 6)
    # Activities: 6 of 6 now earn the full 30 instead of 7.50 of 15.
    row = assessment_of(campaign, records.branch)
    assert row.computed_total == BRANCH_TOTAL - Decimal("7.50") + Decimal(30)
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "4 个党组织" in message


def test_weights_page_shows_the_sum_of_full_points(client, campaign, district):
    client.force_login(district.department)

    response = client.get(WEIGHTS)

    assert response.status_code == 200
    assert 'data-figure="full-points">100<' in response.text
    assert "尚未为本年度保存权重" in response.text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"review": "-5"}, "review", "权重不能为负数。"),
        ({"activity_target": "0"}, "activity_target", "目标值至少为 1。"),
        ({"study_hours_target": "0"}, "study_hours_target", "目标值至少为 1。"),
        ({"study_hours_target": "abc"}, "study_hours_target", "请输入数字。"),
    ],
)
def test_weights_form_rejects_bad_values(client, campaign, records, changes, field, message):
    computed(campaign)
    client.force_login(records.department)

    response = client.post(WEIGHTS, weights_data(**changes))

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert message in response.text
    assert not AssessmentWeights.objects.exists()
    assert assessment_of(campaign, records.branch).computed_total == BRANCH_TOTAL


def test_weights_form_rejects_all_zero(client, campaign, district):
    client.force_login(district.department)
    zero = dict.fromkeys(AssessmentWeights.WEIGHT_FIELDS, "0")

    response = client.post(WEIGHTS, weights_data(**zero))

    assert response.status_code == 400
    assert "满分合计为 0" in response.text
    assert not AssessmentWeights.objects.exists()


@pytest.mark.parametrize("who", ["secretary", "member"])
def test_weights_page_only_for_the_department(client, campaign, district, who):
    client.force_login(getattr(district, who).user)

    assert client.get(WEIGHTS).status_code == 403
    assert client.post(WEIGHTS, weights_data()).status_code == 403
    assert not AssessmentWeights.objects.exists()
