"""The annual assessment workbook, opened with openpyxl as the department's Excel would."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from appraisal.models import AnnualAssessment
from appraisal.workbook import estimate_rows, workbook_filename, write_assessment_workbook
from campaigns.enums import PlanStatus
from learning.enums import ActivityForm, NoteKind, StudyPlanKind
from learning.models import Attendance, ReadingRecord
from tests.factories import (
    BookFactory,
    CampaignFactory,
    ImplementationPlanFactory,
    OrganizationFactory,
    StudyActivityFactory,
    StudyNoteFactory,
    StudyPlanFactory,
)

YEAR = 2026
SUMMARY_HEADERS = [
    "序号",
    "组织编码",
    "党组织",
    "上级党组织",
    "党员人数（人）",
    "实施方案已报送",
    "年度计划按期报送",
    "季度计划按期报送（份）",
    "开展学习活动",
    "其中“三会一课”",
    "人均学时",
    "“五个一”完成率",
    "自评得分",
    "审核得分",
    "申报结果",
    "计算得分",
    "分数调整",
    "调整理由",
    "考核得分",
]


@pytest.fixture
def records(district):
    """A year of records: the branch has done well, the other trees little."""
    campaign = CampaignFactory(year=YEAR)
    filed = {"status": PlanStatus.FILED, "filed_at": timezone.now()}
    with time_machine.travel(datetime.datetime(YEAR, 3, 10, 10, tzinfo=datetime.UTC)):
        ImplementationPlanFactory(campaign=campaign, organization=district.branch, **filed)
        StudyPlanFactory(
            campaign=campaign,
            organization=district.branch,
            kind=StudyPlanKind.ORGANIZATION_ANNUAL,
            status=PlanStatus.FILED,
            filed_at=timezone.now(),
        )
    activities = [
        StudyActivityFactory(
            campaign=campaign, organization=district.branch, form=form, hours=Decimal(2)
        )
        for form in (
            ActivityForm.CONCENTRATED_STUDY,
            ActivityForm.CONCENTRATED_STUDY,
            ActivityForm.PARTY_LECTURE,
        )
    ]
    for activity in activities:
        Attendance.objects.create(activity=activity, member=district.member, hours=Decimal(2))
    Attendance.objects.create(activity=activities[0], member=district.fellow, hours=Decimal(2))
    # The member did all five of the “五个一”.
    StudyPlanFactory(
        campaign=campaign,
        organization=district.branch,
        member=district.member,
        kind=StudyPlanKind.PERSONAL,
        status=PlanStatus.FILED,
        filed_at=timezone.now(),
    )
    book = BookFactory(organization=district.branch)
    ReadingRecord.objects.create(campaign=campaign, member=district.member, book=book)
    for kind in NoteKind:
        StudyNoteFactory(campaign=campaign, member=district.member, kind=kind)
    return campaign


def export(campaign, organization=None):
    buffer = BytesIO()
    rows = write_assessment_workbook(campaign=campaign, organization=organization, out=buffer)
    buffer.seek(0)
    return rows, load_workbook(buffer)


def data_rows(ws):
    """The rows under the header, without the totals row."""
    return list(ws.iter_rows(min_row=4, values_only=True))[:-1]


def totals_row(ws):
    return next(ws.iter_rows(min_row=ws.max_row, values_only=True))


def row_of(ws, name):
    return next(row for row in data_rows(ws) if row[2] == name)


def test_workbook_has_a_sheet_per_level_and_headers_in_chinese(records):
    _rows, workbook = export(records)

    assert workbook.sheetnames == ["党委汇总", "党支部汇总", "学习活动（按形式）", "党员“五个一”"]
    ws = workbook["党支部汇总"]
    assert ws["A1"].value == "2026年度党建目标管理考核（“双争”项）"
    assert "范围：全区" in ws["A2"].value
    assert "生成时间" in ws["A2"].value
    assert [cell.value for cell in ws[3]] == SUMMARY_HEADERS
    assert ws.freeze_panes == "D4"
    assert ws.auto_filter.ref == "A3:S5"
    assert ws.column_dimensions["C"].width == 34


def test_workbook_row_of_a_known_organization(records, district):
    _rows, workbook = export(records)

    row = row_of(workbook["党支部汇总"], "甲公司第一党支部")

    assert row[1] == district.branch.code
    assert row[3] == "甲公司党委"
    assert row[4] == 3  # branch secretary, member, fellow
    assert row[5:10] == ("是", "是", 0, 3, 1)
    assert row[10] == pytest.approx(2.7)  # 8 hours / 3 members, to one decimal
    assert row[11] == pytest.approx(0.3333)  # 1 of 3 did all five
    assert row[14] == "未申报"
    stored = AnnualAssessment.objects.get(campaign=records, organization=district.branch)
    assert row[15] == pytest.approx(float(stored.computed_total))
    assert row[18] == pytest.approx(float(stored.total))


def test_workbook_totals_row(records):
    _rows, workbook = export(records)
    ws = workbook["党支部汇总"]

    totals = totals_row(ws)

    assert totals[0] == "合计／平均"
    assert totals[4] == 4  # members of both branches
    assert totals[5] == 1  # one implementation plan filed
    assert totals[8] == 3  # activities held
    assert totals[11] == pytest.approx((0.3333 + 0) / 2, abs=1e-4)


def test_workbook_number_formats(records):
    _rows, workbook = export(records)
    ws = workbook["党支部汇总"]
    first = 4

    assert ws.cell(first, 11).number_format == "0.0"
    assert ws.cell(first, 12).number_format == "0.0%"
    assert ws.cell(first, 16).number_format == "0.00"


def test_workbook_activities_by_form(records):
    _rows, workbook = export(records)
    ws = workbook["学习活动（按形式）"]
    headers = [cell.value for cell in ws[3]]

    row = row_of(ws, "甲公司第一党支部")

    assert row[headers.index("集中学习")] == 2
    assert row[headers.index("党课")] == 1
    assert row[headers.index("合计")] == 3


def test_workbook_member_sheet_has_each_members_five_ones(records, district):
    _rows, workbook = export(records)
    ws = workbook["党员“五个一”"]
    headers = [cell.value for cell in ws[3]]
    name = district.member.user.full_name or district.member.user.username

    row = next(row for row in data_rows(ws) if row[2] == name)
    fellow = next(row for row in data_rows(ws) if row[2] == district.fellow.user.full_name)

    assert headers[4:9] == [
        "制定一个学习计划",
        "精读一本好书",
        "记好一本学习笔记",
        "写好一篇学习心得",
        "作好一次学习交流",
    ]
    assert row[4:11] == ("√", "√", "√", "√", "√", 5, 6)
    assert fellow[4:11] == (None, None, None, None, None, 0, 2)
    totals = totals_row(ws)
    assert totals[2] == 6  # every member of the district is listed
    assert totals[4] == 1  # one member filed a personal plan
    assert totals[10] == 8  # study hours of everyone


def test_workbook_for_a_secretary_holds_only_their_organizations(records, district):
    rows, workbook = export(records, organization=district.other_committee)

    names = {row[2] for ws in workbook.worksheets for row in data_rows(ws)}

    assert {"乙公司党委", "乙公司党支部"} <= names
    assert not {"甲公司党委", "甲公司第一党支部"} & names
    assert "乙公司党委及所属党组织" in workbook.worksheets[0]["A2"].value
    assert rows == estimate_rows(campaign=records, organization=district.other_committee)


def test_workbook_writes_a_formula_like_name_as_text(records):
    OrganizationFactory(name='=HYPERLINK("http://example.com","点此")', code="EVIL")
    _rows, workbook = export(records)

    cell = next(
        row[2] for row in workbook["党支部汇总"].iter_rows(min_row=4) if row[1].value == "EVIL"
    )

    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")


def test_workbook_drops_control_characters_excel_refuses(records):
    OrganizationFactory(name="丙公司\x0b党支部", code="CTRL")
    _rows, workbook = export(records)

    assert any(row[2] == "丙公司党支部" for row in data_rows(workbook["党支部汇总"]))


def test_workbook_keeps_the_departments_adjustment(records, district):
    export(records)
    AnnualAssessment.objects.filter(organization=district.branch).update(
        adjustment=Decimal("5"), adjustment_reason="获区级表彰加分"
    )

    _rows, workbook = export(records)
    row = row_of(workbook["党支部汇总"], "甲公司第一党支部")

    assert row[16] == 5
    assert row[17] == "获区级表彰加分"
    assert row[18] == pytest.approx(row[15] + 5)


def test_workbook_filename_names_the_year_and_scope(records, district):
    assert workbook_filename(campaign=records) == "2026年度党建目标管理考核（双争）-全区.xlsx"
    assert workbook_filename(campaign=records, organization=district.committee).endswith(
        "-甲公司党委.xlsx"
    )


def test_export_assessment_command_writes_the_file(records, tmp_path):
    out = tmp_path / "out" / "考核.xlsx"

    call_command("export_assessment", year=YEAR, out=str(out))

    assert load_workbook(out).sheetnames[0] == "党委汇总"


def test_export_assessment_command_for_one_organization(records, district, tmp_path):
    out = tmp_path / "乙.xlsx"

    call_command(
        "export_assessment", year=YEAR, out=str(out), organization=district.other_committee.code
    )

    names = {row[2] for row in data_rows(load_workbook(out)["党支部汇总"])}
    assert names == {"乙公司党支部"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"year": 1999, "out": "x.xlsx"}, "1999"),
        ({"year": YEAR, "out": "x.xlsx", "organization": "NOPE"}, "NOPE"),
        ({"year": YEAR, "out": "x.csv"}, ".xlsx"),
    ],
)
def test_export_assessment_command_refuses_bad_options(records, tmp_path, options, message):
    options["out"] = str(tmp_path / options["out"])

    with pytest.raises(CommandError, match=message):
        call_command("export_assessment", **options)

    assert not list(tmp_path.iterdir())
