"""Self-assessment (自评): scores, statements, the evidence picker, files, completing."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from appraisal.enums import ApplicationKind, ApplicationState, CriterionSubject, EvidenceKind
from appraisal.models import CriterionScore, Evidence, SelfAssessment
from appraisal.selectors import assessments as selectors
from campaigns.enums import PlanStatus
from campaigns.selectors import today
from learning.enums import NoteKind, StudyPlanKind
from learning.models import Attendance

from ..factories import (
    ApplicationFactory,
    CampaignFactory,
    CriterionFactory,
    ImplementationPlanFactory,
    StudyActivityFactory,
    StudyNoteFactory,
    StudyPlanFactory,
)

pytestmark = pytest.mark.django_db

ORG = CriterionSubject.ORGANIZATION
MEMBER = CriterionSubject.MEMBER
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def campaign(db):
    return CampaignFactory(year=today().year)


@pytest.fixture
def last_year(db, campaign):
    return CampaignFactory(year=campaign.year - 1)


@pytest.fixture
def criteria(campaign):
    org = [
        CriterionFactory(campaign=campaign, subject=ORG, position=n, max_score=20)
        for n in (1, 2, 3)
    ]
    member = [
        CriterionFactory(campaign=campaign, subject=MEMBER, position=n, max_score=25)
        for n in (1, 2)
    ]
    return {ORG: org, MEMBER: member}


@pytest.fixture
def org_assessment(district, campaign, criteria):
    return SelfAssessment.objects.create(
        campaign=campaign, subject=ORG, organization=district.branch
    )


@pytest.fixture
def member_assessment(district, campaign, criteria):
    return SelfAssessment.objects.create(
        campaign=campaign, subject=MEMBER, organization=district.branch, member=district.member
    )


def edit_data(assessment, scores=None, **extra):
    """Form data with the given {criterion: score} (others left empty)."""
    data = {"statement": "总体达到要求"}
    for criterion in selectors.criteria_of(assessment.campaign, assessment.subject):
        value = (scores or {}).get(criterion.pk, "")
        data[f"score_{criterion.pk}"] = str(value)
        data[f"statement_{criterion.pk}"] = "说明" if value != "" else ""
    data.update(extra)
    return data


def edit_url(assessment):
    return reverse("appraisal:assessment.edit", args=[assessment.pk])


def detail_url(assessment):
    return reverse("appraisal:assessment.detail", args=[assessment.pk])


# ---------------------------------------------------------------- starting


def test_assessment_organization_start_by_secretary(client, district, criteria):
    client.force_login(district.branch_secretary.user)
    url = reverse("appraisal:assessment.organization")
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["subject_name"] == district.branch.name
    response = client.post(url)
    assessment = SelfAssessment.objects.get(subject=ORG, organization=district.branch)
    assert response.url == edit_url(assessment)
    client.post(url)  # a second press opens the same assessment
    assert SelfAssessment.objects.count() == 1


def test_assessment_organization_picks_managed_organization(client, district, criteria):
    client.force_login(district.secretary.user)
    url = reverse("appraisal:assessment.organization")
    response = client.get(url, {"organization": district.branch.pk})
    assert response.status_code == 200
    assert response.context["subject_name"] == district.branch.name
    assert response.context["picker"] is not None
    for bad in (district.other_branch.pk, "x", "999999999"):
        assert client.get(url, {"organization": bad}).status_code == 404
        assert client.post(f"{url}?organization={bad}").status_code == 404
    assert not SelfAssessment.objects.exists()


def test_assessment_organization_forbidden_to_member(client, district, criteria):
    client.force_login(district.member.user)
    assert client.get(reverse("appraisal:assessment.organization")).status_code == 403
    client.force_login(district.department)
    assert client.get(reverse("appraisal:assessment.organization")).status_code == 403


def test_assessment_mine_start_and_return(client, district, criteria):
    client.force_login(district.member.user)
    url = reverse("appraisal:assessment.mine")
    assert client.get(url).status_code == 200
    response = client.post(url)
    assessment = SelfAssessment.objects.get(subject=MEMBER, member=district.member)
    assert response.url == edit_url(assessment)
    assert client.get(url).url == detail_url(assessment)


def test_assessment_mine_without_criteria_explains(client, district, campaign):
    client.force_login(district.member.user)
    response = client.post(reverse("appraisal:assessment.mine"), follow=True)
    assert "组织部尚未设定本年度的基本要求" in response.content.decode()
    assert not SelfAssessment.objects.exists()


# ---------------------------------------------------------------- who sees


@pytest.mark.parametrize(
    "who, status",
    [
        ("branch_secretary", 200),  # owner
        ("secretary", 200),  # the secretary above
        ("department", 200),
        ("member", 404),  # a member does not see the organization's self-assessment
        ("other_secretary", 404),
    ],
)
def test_assessment_detail_organization_visibility(client, district, org_assessment, who, status):
    user = getattr(district, who)
    client.force_login(getattr(user, "user", user))
    assert client.get(detail_url(org_assessment)).status_code == status


@pytest.mark.parametrize(
    "who, status",
    [
        ("member", 200),
        ("branch_secretary", 200),
        ("department", 200),
        ("fellow", 404),
        ("other_secretary", 404),
    ],
)
def test_assessment_detail_member_visibility(client, district, member_assessment, who, status):
    user = getattr(district, who)
    client.force_login(getattr(user, "user", user))
    assert client.get(detail_url(member_assessment)).status_code == status


@pytest.mark.parametrize(
    "who, status",
    [("branch_secretary", 200), ("department", 403), ("member", 404), ("other_secretary", 404)],
)
def test_assessment_edit_only_owner(client, district, org_assessment, who, status):
    user = getattr(district, who)
    client.force_login(getattr(user, "user", user))
    assert client.get(edit_url(org_assessment)).status_code == status
    first = selectors.criteria_of(org_assessment.campaign, ORG).first()
    if status != 200:
        response = client.post(edit_url(org_assessment), edit_data(org_assessment, {first.pk: 5}))
        assert response.status_code == status
        assert not CriterionScore.objects.exists()


def test_assessment_member_edit_not_for_secretary_above(client, district, member_assessment):
    client.force_login(district.branch_secretary.user)
    assert client.get(edit_url(member_assessment)).status_code == 403


# ---------------------------------------------------------------- scores


def test_assessment_edit_saves_scores(client, district, org_assessment, criteria):
    client.force_login(district.branch_secretary.user)
    first, second, _third = criteria[ORG]
    response = client.post(
        edit_url(org_assessment), edit_data(org_assessment, {first.pk: "18.5", second.pk: 20})
    )
    assert response.status_code == 302
    scores = dict(CriterionScore.objects.values_list("criterion_id", "score"))
    assert scores == {first.pk: Decimal("18.5"), second.pk: Decimal(20)}
    org_assessment.refresh_from_db()
    assert org_assessment.statement == "总体达到要求"


@pytest.mark.parametrize(
    "value, message",
    [("21", "不能超过该项满分 20 分"), ("-1", "得分不能为负数"), ("10.3", "以 0.5 分为单位")],
)
def test_assessment_edit_bad_score_refused(
    client, district, org_assessment, criteria, value, message
):
    client.force_login(district.branch_secretary.user)
    first, second, _third = criteria[ORG]
    response = client.post(
        edit_url(org_assessment), edit_data(org_assessment, {first.pk: value, second.pk: 10})
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CriterionScore.objects.exists()


def test_assessment_statement_needs_score(client, district, org_assessment, criteria):
    client.force_login(district.branch_secretary.user)
    first = criteria[ORG][0]
    data = edit_data(org_assessment)
    data[f"statement_{first.pk}"] = "只有说明"
    response = client.post(edit_url(org_assessment), data)
    assert "请先为此项打分" in response.content.decode()
    assert not CriterionScore.objects.exists()


def test_assessment_clearing_score_removes_row(client, district, org_assessment, criteria):
    first = criteria[ORG][0]
    CriterionScore.objects.create(assessment=org_assessment, criterion=first, score=5)
    client.force_login(district.branch_secretary.user)
    client.post(edit_url(org_assessment), edit_data(org_assessment))
    assert not CriterionScore.objects.exists()


# ---------------------------------------------------------------- evidence picker


def test_picker_offers_only_the_organizations_records_of_the_year(
    client, district, campaign, last_year, org_assessment
):
    own = StudyActivityFactory(campaign=campaign, organization=district.branch, topic="本支部活动")
    other = StudyActivityFactory(campaign=campaign, organization=district.other_branch)
    old = StudyActivityFactory(
        campaign=last_year,
        organization=district.branch,
        held_on=datetime.date(last_year.year, 6, 1),
    )
    plan = ImplementationPlanFactory(
        campaign=campaign,
        organization=district.branch,
        status=PlanStatus.FILED,
        filed_at=datetime.datetime(campaign.year, 3, 5, tzinfo=datetime.UTC),
    )
    draft_plan = StudyPlanFactory(campaign=campaign, organization=district.branch)
    client.force_login(district.branch_secretary.user)
    response = client.get(edit_url(org_assessment))
    keys = {
        option.key
        for part in response.context["blocks"][0]["picker"]
        for option, _ticked in part["options"]
    }
    assert f"activity:{own.pk}" in keys
    assert f"implementation_plan:{plan.pk}" in keys
    assert f"activity:{other.pk}" not in keys
    assert f"activity:{old.pk}" not in keys
    assert f"study_plan:{draft_plan.pk}" not in keys
    assert "本支部活动" in response.content.decode()


def test_picker_member_offers_own_notes_and_attended_activities(
    client, district, campaign, member_assessment
):
    note = StudyNoteFactory(campaign=campaign, member=district.member, kind=NoteKind.REFLECTION)
    fellows = StudyNoteFactory(campaign=campaign, member=district.fellow)
    attended = StudyActivityFactory(campaign=campaign, organization=district.branch)
    Attendance.objects.create(activity=attended, member=district.member, hours=2)
    missed = StudyActivityFactory(campaign=campaign, organization=district.branch)
    plan = StudyPlanFactory(
        campaign=campaign,
        organization=district.branch,
        member=district.member,
        kind=StudyPlanKind.PERSONAL,
        title="个人学习计划",
    )
    client.force_login(district.member.user)
    response = client.get(edit_url(member_assessment))
    keys = {
        option.key
        for part in response.context["blocks"][0]["picker"]
        for option, _ticked in part["options"]
    }
    assert {f"note:{note.pk}", f"activity:{attended.pk}", f"study_plan:{plan.pk}"} <= keys
    assert f"note:{fellows.pk}" not in keys
    assert f"activity:{missed.pk}" not in keys


def test_picker_links_own_records(client, district, campaign, org_assessment, criteria):
    first = criteria[ORG][0]
    activities = [
        StudyActivityFactory(campaign=campaign, organization=district.branch) for _ in range(2)
    ]
    client.force_login(district.branch_secretary.user)
    data = edit_data(org_assessment, {first.pk: 18})
    data[f"evidence_{first.pk}"] = [f"activity:{a.pk}" for a in activities]
    assert client.post(edit_url(org_assessment), data).status_code == 302
    linked = Evidence.objects.filter(score__criterion=first)
    assert {e.activity_id for e in linked} == {a.pk for a in activities}
    assert {e.kind for e in linked} == {EvidenceKind.ACTIVITY}
    # Unticking one removes only that link.
    data[f"evidence_{first.pk}"] = [f"activity:{activities[0].pk}"]
    client.post(edit_url(org_assessment), data)
    assert list(Evidence.objects.values_list("activity_id", flat=True)) == [activities[0].pk]


@pytest.mark.parametrize("foreign", ["other_org", "other_year", "nonsense", "draft_plan"])
def test_picker_refuses_records_posted_by_hand(
    client, district, campaign, last_year, org_assessment, criteria, foreign
):
    first = criteria[ORG][0]
    own = StudyActivityFactory(campaign=campaign, organization=district.branch)
    if foreign == "other_org":
        other = StudyActivityFactory(campaign=campaign, organization=district.other_branch)
        key = f"activity:{other.pk}"
    elif foreign == "other_year":
        old = StudyActivityFactory(campaign=last_year, organization=district.branch)
        key = f"activity:{old.pk}"
    elif foreign == "draft_plan":
        draft = StudyPlanFactory(campaign=campaign, organization=district.branch)
        key = f"study_plan:{draft.pk}"
    else:
        key = "file:1"
    client.force_login(district.branch_secretary.user)
    data = edit_data(org_assessment, {first.pk: 18})
    data[f"evidence_{first.pk}"] = [f"activity:{own.pk}", key]
    response = client.post(edit_url(org_assessment), data)
    assert response.status_code == 200
    assert "不属于本党组织或党员" in response.content.decode()
    assert not CriterionScore.objects.exists()
    assert not Evidence.objects.exists()


def test_picker_member_refuses_fellows_note(
    client, district, campaign, member_assessment, criteria
):
    first = criteria[MEMBER][0]
    fellows = StudyNoteFactory(campaign=campaign, member=district.fellow)
    client.force_login(district.member.user)
    data = edit_data(member_assessment, {first.pk: 20})
    data[f"evidence_{first.pk}"] = [f"note:{fellows.pk}"]
    assert client.post(edit_url(member_assessment), data).status_code == 200
    assert not Evidence.objects.exists()


# ---------------------------------------------------------------- files


def test_file_evidence_upload_and_download(client, district, org_assessment, criteria):
    first = criteria[ORG][0]
    client.force_login(district.branch_secretary.user)
    data = edit_data(org_assessment, {first.pk: 18})
    data[f"file_{first.pk}"] = SimpleUploadedFile("会议纪要.pdf", PDF_BYTES, "application/pdf")
    data[f"file_description_{first.pk}"] = "会议纪要"
    assert client.post(edit_url(org_assessment), data).status_code == 302
    evidence = Evidence.objects.get(kind=EvidenceKind.FILE)
    assert evidence.file.name.endswith(".pdf")
    url = reverse("appraisal:evidence.download", args=[evidence.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    client.force_login(district.department)
    assert client.get(url).status_code == 200
    for outsider in (district.other_secretary.user, district.member.user):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("照片.pdf", PNG_BYTES, "文件名显示为PDF文件，但文件内容并非该格式"),
        ("脚本.exe", b"MZ\x90\x00", "只能上传 PDF"),
    ],
)
def test_file_evidence_wrong_type_refused(
    client, district, org_assessment, criteria, name, content, message
):
    first = criteria[ORG][0]
    client.force_login(district.branch_secretary.user)
    data = edit_data(org_assessment, {first.pk: 18})
    data[f"file_{first.pk}"] = SimpleUploadedFile(name, content)
    response = client.post(edit_url(org_assessment), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CriterionScore.objects.exists()
    assert not Evidence.objects.exists()


def test_file_evidence_remove(client, district, org_assessment, criteria):
    first = criteria[ORG][0]
    client.force_login(district.branch_secretary.user)
    data = edit_data(org_assessment, {first.pk: 18})
    data[f"file_{first.pk}"] = SimpleUploadedFile("a.pdf", PDF_BYTES)
    client.post(edit_url(org_assessment), data)
    evidence = Evidence.objects.get()
    data = edit_data(org_assessment, {first.pk: 18})
    data[f"remove_{first.pk}"] = [str(evidence.pk)]
    assert client.post(edit_url(org_assessment), data).status_code == 302
    assert not Evidence.objects.exists()


# ---------------------------------------------------------------- completing


def test_assessment_complete_requires_every_criterion(client, district, org_assessment, criteria):
    first, second, third = criteria[ORG]
    CriterionScore.objects.create(assessment=org_assessment, criterion=first, score=10)
    client.force_login(district.branch_secretary.user)
    url = reverse("appraisal:assessment.complete", args=[org_assessment.pk])
    response = client.post(url, follow=True)
    assert "每一项基本要求都要打分" in response.content.decode()
    org_assessment.refresh_from_db()
    assert org_assessment.status == "draft"
    for criterion in (second, third):
        CriterionScore.objects.create(assessment=org_assessment, criterion=criterion, score=10)
    client.post(url)
    org_assessment.refresh_from_db()
    assert org_assessment.status == "completed"
    assert org_assessment.completed_at is not None
    # A completed assessment is not edited until reopened.
    assert client.get(edit_url(org_assessment)).url == detail_url(org_assessment)


def test_assessment_complete_forbidden_to_department(client, district, org_assessment):
    client.force_login(district.department)
    url = reverse("appraisal:assessment.complete", args=[org_assessment.pk])
    assert client.post(url).status_code == 403


def test_assessment_reopen_blocked_by_submitted_application(client, district, org_assessment):
    org_assessment.status = "completed"
    org_assessment.completed_at = org_assessment.created_at
    org_assessment.save()
    application = ApplicationFactory(
        campaign=org_assessment.campaign,
        organization=district.branch,
        kind=ApplicationKind.ORGANIZATION_MODEL,
        self_assessment=org_assessment,
        state=ApplicationState.SUBMITTED,
    )
    client.force_login(district.branch_secretary.user)
    url = reverse("appraisal:assessment.reopen", args=[org_assessment.pk])
    response = client.post(url, follow=True)
    assert "已提交" in response.content.decode()
    org_assessment.refresh_from_db()
    assert org_assessment.status == "completed"
    application.state = ApplicationState.RETURNED
    application.save()
    client.post(url)
    org_assessment.refresh_from_db()
    assert org_assessment.status == "draft"


# ---------------------------------------------------------------- the assessment page


def _with_evidence(assessment, criteria, campaign, organization, count):
    score = CriterionScore.objects.create(
        assessment=assessment, criterion=criteria[0], score=15, statement="有方案"
    )
    for _ in range(count):
        activity = StudyActivityFactory(campaign=campaign, organization=organization)
        Evidence.objects.create(score=score, kind=EvidenceKind.ACTIVITY, activity=activity)
    note = StudyNoteFactory(campaign=campaign, member__organization=organization)
    Evidence.objects.create(score=score, kind=EvidenceKind.NOTE, note=note)
    return score


@pytest.mark.parametrize("count", [1, 30])
def test_assessment_detail_query_count(
    client, district, campaign, org_assessment, criteria, django_assert_num_queries, count
):
    _with_evidence(org_assessment, criteria[ORG], campaign, district.branch, count)
    client.force_login(district.branch_secretary.user)
    with django_assert_num_queries(8):
        response = client.get(detail_url(org_assessment))
    assert response.status_code == 200
    assert len(response.context["rows"][0].evidence) == count + 1


def test_assessment_detail_shows_thin_evidence(
    client, district, campaign, org_assessment, criteria
):
    _with_evidence(org_assessment, criteria[ORG], campaign, district.branch, 1)
    client.force_login(district.department)
    response = client.get(detail_url(org_assessment))
    body = response.content.decode()
    rows = response.context["rows"]
    assert [row.thin for row in rows] == [False, True, True]
    assert "佐证材料不足" in body
    assert (
        reverse("learning:activity.detail", args=[rows[0].evidence[0].evidence.activity_id]) in body
    )


def test_assessment_totals_plain_and_weighted(district, campaign, org_assessment, criteria):
    first, second, third = criteria[ORG]
    CriterionScore.objects.create(assessment=org_assessment, criterion=first, score=10)
    CriterionScore.objects.create(
        assessment=org_assessment, criterion=second, score=Decimal("15.5")
    )
    totals = selectors.assessment_totals(org_assessment)
    assert (totals.score, totals.maximum, totals.weighted) == (Decimal("25.5"), 60, False)
    assert (totals.scored, totals.criteria, totals.complete) == (2, 3, False)
    third.weight = Decimal(2)
    third.save()
    CriterionScore.objects.create(assessment=org_assessment, criterion=third, score=20)
    totals = selectors.assessment_totals(org_assessment)
    assert totals.weighted and totals.complete
    assert (totals.weighted_score, totals.weighted_maximum) == (Decimal("65.5"), 80)
    assert totals == selectors.assessment_totals(
        org_assessment, selectors.assessment_detail(org_assessment)
    )


def test_assessment_for_application(district, org_assessment, member_assessment):
    org_app = ApplicationFactory(
        campaign=org_assessment.campaign,
        organization=district.branch,
        kind=ApplicationKind.ORGANIZATION_MODEL,
    )
    member_app = ApplicationFactory(
        campaign=org_assessment.campaign,
        organization=district.branch,
        member=district.member,
        kind=ApplicationKind.MEMBER_MODEL,
    )
    fellow_app = ApplicationFactory(
        campaign=org_assessment.campaign,
        organization=district.branch,
        member=district.fellow,
        kind=ApplicationKind.MEMBER_MODEL,
        self_assessment=None,
    )
    assert selectors.assessment_for_application(org_app) == org_assessment
    assert selectors.assessment_for_application(member_app) == member_assessment
    assert selectors.assessment_for_application(fellow_app) is None
