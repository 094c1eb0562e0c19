"""Property-based tests: random input thrown at the main forms and the district import.

Whatever is posted, no page answers 500; when a form is refused, no row was
written. Each example runs in a savepoint that is rolled back, so the examples
share one set of fixtures and stay independent.
"""

from __future__ import annotations

import datetime
import io
import os
import string

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appraisal.enums import ApplicationState, CriterionSubject
from appraisal.models import (
    Application,
    CriterionScore,
    Evidence,
    Review,
    ReviewScore,
    SelfAssessment,
)
from campaigns.imports import services as import_services
from campaigns.imports.workbook import (
    MEMBER_COLUMNS,
    ORGANIZATION_COLUMNS,
    SHEET_MEMBERS,
    SHEET_ORGANIZATIONS,
    WorkbookError,
)
from campaigns.models import Campaign, Extension, Member, Organization, User
from learning.models import Attendance, StudyActivity, StudyNote, StudyPlan, StudyPlanItem

from .factories import (
    ApplicationFactory,
    BookFactory,
    CampaignFactory,
    CriterionFactory,
    StudyActivityFactory,
)

# Modest counts keep the module near a minute on SQLite; BAD_INPUT_EXAMPLES=500 searches harder.
EXAMPLES = int(os.environ.get("BAD_INPUT_EXAMPLES", "20"))
FORM_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
IMPORT_SETTINGS = settings(
    max_examples=EXAMPLES + 5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
IMPORT_PASSWORD = "Xinqu#2026-import"

# ---------------------------------------------------------------- strategies

# Letters, digits, punctuation, symbols, marks, spaces, format characters (ZWJ, RLO) and
# controls (NUL among them); surrogates cannot travel in a POST.
TEXT = st.text(
    alphabet=st.characters(
        categories=["L", "N", "P", "S", "M", "Zs", "Cf", "Cc"], exclude_characters="\r"
    ),
    max_size=60,
)
NUMBER = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
    st.sampled_from(
        ["1e999", "-0", "0.25", "24", "24.05", "NaN", "1,5", "２", "٣", "99999999999999999999"]
    ),
)
DATE = st.one_of(
    st.dates(min_value=datetime.date(1, 1, 1)).map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%Y/%m/%d")),
    st.sampled_from(["2026-02-30", "0000-00-00", "99999-01-01", "2026-13-01", "昨天"]),
)
JUNK = st.one_of(TEXT, NUMBER, DATE, st.just(""), st.just("x" * 5000))


def field_values(valid: dict) -> st.SearchStrategy[dict]:
    """Each field either keeps its valid value or gets junk; sometimes it is left out."""
    return st.fixed_dictionaries(
        {name: st.one_of(st.just(value), JUNK, st.just(None)) for name, value in valid.items()}
    ).map(lambda data: {k: v for k, v in data.items() if v is not None})


def post_once(client, url, data, counted_models):
    """POST inside a rolled-back savepoint; return (status, rows written while refused)."""
    with transaction.atomic():
        before = [model.objects.count() for model in counted_models]
        response = client.post(url, data)
        after = [model.objects.count() for model in counted_models]
        transaction.set_rollback(True)
    assert response.status_code != 500
    if response.status_code != 302:
        assert after == before, (data, before, after)
    return response.status_code


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def world(district):
    w = district
    w.campaign = CampaignFactory()
    w.today = timezone.localdate()
    w.org_criterion = CriterionFactory(
        campaign=w.campaign, subject=CriterionSubject.ORGANIZATION, position=1, max_score=20
    )
    w.assessment = SelfAssessment.objects.create(
        campaign=w.campaign, subject=CriterionSubject.ORGANIZATION, organization=w.branch
    )
    w.activity = StudyActivityFactory(
        campaign=w.campaign, organization=w.branch, recorded_by=w.branch_secretary.user
    )
    w.book = BookFactory(organization=w.branch)
    w.application = ApplicationFactory(
        campaign=w.campaign,
        organization=w.branch,
        state=ApplicationState.SUBMITTED,
        created_by=w.branch_secretary.user,
    )
    return w


# ---------------------------------------------------------------- forms


@FORM_SETTINGS
@given(data=st.data())
def test_note_create_random_input_never_fails(client, world, data):
    client.force_login(world.member.user)
    valid = {
        "kind": "note",
        "title": "学习笔记",
        "written_on": world.today.isoformat(),
        "book": str(world.book.pk),
        "body": "<p>学习体会</p>",
    }
    post_once(client, reverse("learning:note.create"), data.draw(field_values(valid)), [StudyNote])


@FORM_SETTINGS
@given(data=st.data())
def test_activity_create_random_input_never_fails(client, world, data):
    client.force_login(world.branch_secretary.user)
    valid = {
        "form": "lecture",
        "held_on": world.today.isoformat(),
        "hours": "2",
        "topic": "专题讲座",
        "place": "会议室",
        "speaker": "王书记",
        "minutes": "纪要",
        "plan_item": "",
        "attendees": str(world.member.pk),
    }
    post_once(
        client,
        reverse("learning:activity.create"),
        data.draw(field_values(valid)),
        [StudyActivity, Attendance],
    )


@FORM_SETTINGS
@given(data=st.data())
def test_study_plan_create_random_input_never_fails(client, world, data):
    client.force_login(world.member.user)
    valid = {
        "title": "个人年度学习计划",
        "key_content": "学习党章",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-topic": "学习党章",
        "items-0-scheduled_on": world.today.isoformat(),
        "items-0-form": "",
        "items-0-speaker": "",
        "items-0-hours": "2",
    }
    post_once(
        client,
        reverse("learning:plan.create"),
        data.draw(field_values(valid)),
        [StudyPlan, StudyPlanItem],
    )


@FORM_SETTINGS
@given(data=st.data())
def test_self_assessment_random_scores_never_fail(client, world, data):
    client.force_login(world.branch_secretary.user)
    pk = world.org_criterion.pk
    valid = {
        "statement": "总体达到要求",
        f"score_{pk}": "10",
        f"statement_{pk}": "说明",
        f"evidence_{pk}": f"activity:{world.activity.pk}",
        f"file_description_{pk}": "",
    }
    post_once(
        client,
        reverse("appraisal:assessment.edit", args=[world.assessment.pk]),
        data.draw(field_values(valid)),
        [CriterionScore, Evidence],
    )


@FORM_SETTINGS
@given(data=st.data())
def test_review_random_scores_never_fail(client, world, data):
    client.force_login(world.department)
    pk = world.org_criterion.pk
    valid = {
        "form": "review",
        "comment": "较好",
        f"score_{pk}": "18",
        f"comment_{pk}": "",
        "save": "",
    }
    post_once(
        client,
        reverse("appraisal:review.detail", args=[world.application.pk]),
        data.draw(field_values(valid)),
        [Review, ReviewScore],
    )


@FORM_SETTINGS
@given(text=JUNK, organization=JUNK)
def test_organization_lookup_and_filter_random_input_never_fail(client, world, text, organization):
    client.force_login(world.department)
    response = client.get(reverse("organization.lookup"), {"q": text})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)
    response = client.get(reverse("appraisal:application.list"), {"organization": organization})
    assert response.status_code == 200


@FORM_SETTINGS
@given(data=st.data())
def test_application_create_random_input_never_fails(client, world, data):
    client.force_login(world.branch_secretary.user)
    valid = {
        "kind": "member_model",
        "organization": str(world.branch.pk),
        "member": str(world.member.pk),
        "main_deeds": "坚持学习",
        "organization_opinion": "同意推荐",
    }
    post_once(
        client,
        reverse("appraisal:application.create"),
        data.draw(field_values(valid)),
        [Application],
    )


@FORM_SETTINGS
@given(data=st.data())
def test_deadline_adjustment_random_input_never_fails(client, world, data):
    client.force_login(world.department)
    year = world.campaign.year
    valid = {
        "organization": world.branch.code,
        "deadline": f"{year}-10-15T23:59",
        "new_deadline": f"{year}-10-08T23:59:59",
        "reason": "统一安排",
    }
    button = data.draw(st.sampled_from(["grant_extension", "move_deadline"]))
    post_once(
        client,
        reverse("appraisal:deadline.manage"),
        {**data.draw(field_values(valid)), button: ""},
        [Extension, Campaign],
    )


@FORM_SETTINGS
@given(data=st.data())
def test_criterion_create_random_input_never_fails(client, world, data):
    from appraisal.models import Criterion

    client.force_login(world.department)
    valid = {
        "subject": "organization",
        "position": "2",
        "text": "有学习制度",
        "weight": "1",
        "max_score": "20",
    }
    post_once(
        client,
        reverse("appraisal:criterion.create"),
        data.draw(field_values(valid)),
        [Criterion],
    )


# ---------------------------------------------------------------- the district import

# What openpyxl can write into a cell: no C0 controls other than tab and line breaks.
CELL_TEXT = st.text(
    alphabet=st.characters(
        categories=["L", "N", "P", "S", "M", "Zs", "Cf"],
        include_characters="\t\n",
    ),
    max_size=40,
)
CELL = st.one_of(
    st.none(),
    CELL_TEXT,
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)),
    st.datetimes(min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2100, 1, 1)),
    st.booleans(),
    st.sampled_from(
        ["=1+1", "=SUM(A1:A3)", "#REF!", "党支部", "党委", "是", "否", "书记", "ZB1", "DW1"]
    ),
    st.text(alphabet=string.ascii_letters + string.digits + "_-.", min_size=1, max_size=12),
)


def sheet_rows(columns):
    headers = [column.header for column in columns]
    header_row = st.permutations(headers).flatmap(
        lambda order: st.lists(st.sampled_from(order), min_size=1, max_size=len(order), unique=True)
    )
    return st.tuples(
        header_row,
        st.lists(st.lists(CELL, min_size=0, max_size=len(headers) + 2), max_size=6),
    )


def build_workbook(organizations, members) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, (headers, rows) in ((SHEET_ORGANIZATIONS, organizations), (SHEET_MEMBERS, members)):
        sheet = book.create_sheet(title)
        sheet.append(list(headers))
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def department(db):
    from .factories import DepartmentUserFactory

    return DepartmentUserFactory(username="importer")


@IMPORT_SETTINGS
@given(
    organizations=sheet_rows(ORGANIZATION_COLUMNS),
    members=sheet_rows(MEMBER_COLUMNS),
)
def test_district_import_random_workbook_succeeds_or_reports_rows(
    department, organizations, members
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = build_workbook(organizations, members)
    uploaded = SimpleUploadedFile("district.xlsx", content)
    with transaction.atomic():
        before = (Organization.objects.count(), Member.objects.count(), User.objects.count())
        try:
            result = import_services.district_import(
                user=department, uploaded=uploaded, initial_password=IMPORT_PASSWORD
            )
        except WorkbookError as error:
            assert error.message
            result = None
        after = (Organization.objects.count(), Member.objects.count(), User.objects.count())
        transaction.set_rollback(True)
    if result is None or not result.ok:
        assert after == before
    if result is not None and not result.ok:
        assert all(error.message for error in result.errors.items)
