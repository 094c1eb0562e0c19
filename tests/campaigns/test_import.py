"""The department's district import: the template, a good file, bad rows, bad files, access."""

from __future__ import annotations

import datetime
import io
import time
import zipfile

import pytest
from django.contrib.auth.hashers import check_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.enums import MemberRole, OrganizationKind
from campaigns.imports import services
from campaigns.models import Enterprise, Member, Organization, User

from ..factories import PASSWORD, OrganizationFactory, UserFactory

INITIAL_PASSWORD = "Xinqu-2026-dangjian"
UPLOAD_URL = "/district/import/"
TEMPLATE_URL = "/district/import/template/"

ORG_HEADERS = [
    "党组织编码",
    "党组织名称",
    "组织类别",
    "上级党组织编码",
    "所属企业",
    "成立日期",
    "联系电话",
]
MEMBER_HEADERS = [
    "登录名",
    "姓名",
    "手机号码",
    "电子邮箱",
    "所属党组织编码",
    "党内职务",
    "是否党员干部",
    "企业职务",
    "入党日期",
]

# A small district: the branch is listed before its parent, which comes later in the sheet.
GOOD_ORGS = [
    ["JZB01", "甲公司第一党支部", "党支部", "JZZ01", None, "2016/3/15", None],
    [
        "JDW01",
        "甲公司党委",
        "党委",
        None,
        "甲实业有限公司",
        datetime.date(2010, 7, 1),
        "022-12345678",
    ],
    ["JZZ01", "甲公司机关党总支", "党总支", "JDW01", None, "2012年5月4日", None],
    ["JZB02", "甲公司第二党支部", "党支部", "JDW01", None, None, None],
]
GOOD_MEMBERS = [
    [
        "zhangwei",
        "张伟",
        "13800138000",
        "zhangwei@example.com",
        "JZB01",
        "书记",
        "是",
        "生产部经理",
        "2005-07-01",
    ],
    ["lina", "李娜", None, None, "JZB01", "支委委员", "否", None, datetime.date(2012, 7, 1)],
    ["wangfang", "王芳", "139 1234 5678", None, "JZB02", "党员", None, "技术员", "2020年7月1日"],
    ["liuyang", "刘洋", None, None, "JDW01", None, None, None, None],
]


# ---------------------------------------------------------------- helpers


def workbook_bytes(orgs=(), members=(), *, org_headers=ORG_HEADERS, member_headers=MEMBER_HEADERS):
    """A district workbook as the department would fill it in (sheets 党组织 and 党员)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "党组织"
    if org_headers is not None:
        sheet.append(org_headers)
    for row in orgs:
        sheet.append(list(row))
    sheet = book.create_sheet("党员")
    if member_headers is not None:
        sheet.append(member_headers)
    for row in members:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, *, name="district.xlsx", password=INITIAL_PASSWORD, again=None):
    return client.post(
        UPLOAD_URL,
        {
            "workbook": SimpleUploadedFile(name, data),
            "initial_password": password,
            "initial_password_again": password if again is None else again,
        },
    )


def snapshot():
    """Every stored value the import may write, to prove what changed and what did not."""
    return {
        "organizations": {
            org["code"]: org
            for org in Organization.objects.values(
                "id",
                "code",
                "name",
                "kind",
                "parent_id",
                "enterprise_id",
                "path",
                "depth",
                "founded_on",
                "contact_phone",
            )
        },
        "users": {
            user["username"]: user
            for user in User.objects.values(
                "id",
                "username",
                "full_name",
                "phone",
                "email",
                "password",
                "must_change_password",
            )
        },
        "members": {
            member["user__username"]: member
            for member in Member.objects.values(
                "id",
                "user__username",
                "organization_id",
                "role",
                "is_cadre",
                "position",
                "joined_party_on",
            )
        },
        "enterprises": set(Enterprise.objects.values_list("id", "name")),
    }


def errors_of(response) -> list:
    assert response.status_code == 400
    assert response.context["errors"], response.content.decode()[:2000]
    return response.context["errors"].items


def file_error_of(response) -> str:
    assert response.status_code == 400
    assert not response.context["errors"]
    return " ".join(response.context["form"].errors["workbook"])


@pytest.fixture
def department(db):
    from ..factories import DepartmentUserFactory

    return DepartmentUserFactory(username="dept")


@pytest.fixture
def dept_client(client, department):
    client.force_login(department)
    return client


@pytest.fixture
def imported(dept_client):
    response = upload(dept_client, workbook_bytes(GOOD_ORGS, GOOD_MEMBERS))
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


# ---------------------------------------------------------------- the template


def test_template_download_has_sheets_headers_validation_and_examples(dept_client):
    from openpyxl import load_workbook

    response = dept_client.get(TEMPLATE_URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["党组织", "党员", "填写说明"]
    orgs, members = book["党组织"], book["党员"]
    assert [cell.value for cell in orgs[1]] == ORG_HEADERS
    assert [cell.value for cell in members[1]] == MEMBER_HEADERS
    assert orgs["A1"].font.b and members["A1"].font.b
    assert orgs.freeze_panes == "A2" and members.freeze_panes == "A2"
    lists = {
        (sheet.title, str(validation.sqref).split(":")[0]): validation.formula1
        for sheet in (orgs, members)
        for validation in sheet.data_validations.dataValidation
    }
    assert lists[("党组织", "C2")] == '"党委,党总支,党支部"'
    assert lists[("党员", "F2")] == '"书记,支委委员,党员"'
    assert lists[("党员", "G2")] == '"是,否"'
    assert orgs["F2"].number_format == "yyyy-mm-dd"
    assert "示例" in orgs["B2"].value and members["A2"].value.startswith("示例")
    guide = "\n".join(str(cell.value) for row in book["填写说明"].iter_rows() for cell in row)
    assert "50,000" in guide and "删除" in guide and "公式" in guide
    for header in ORG_HEADERS + MEMBER_HEADERS:
        assert header in guide


def test_template_reuploaded_asks_to_delete_the_example_rows(dept_client):
    before = snapshot()
    template = b"".join(dept_client.get(TEMPLATE_URL).streaming_content)

    errors = errors_of(upload(dept_client, template))

    example_rows = {(error.sheet, error.row) for error in errors if "示例行" in error.message}
    assert example_rows == {("党组织", 2), ("党组织", 3), ("党员", 2)}
    assert snapshot() == before


def test_template_with_examples_deleted_and_rows_filled_imports(dept_client):
    from openpyxl import load_workbook

    template = b"".join(dept_client.get(TEMPLATE_URL).streaming_content)
    book = load_workbook(io.BytesIO(template))
    for name in ("党组织", "党员"):
        book[name].delete_rows(2, 2)
    for row in GOOD_ORGS:
        book["党组织"].append(row)
    for row in GOOD_MEMBERS:
        book["党员"].append(row)
    buffer = io.BytesIO()
    book.save(buffer)

    response = upload(dept_client, buffer.getvalue())

    assert response.status_code == 302
    assert Organization.objects.count() == 4 and Member.objects.count() == 4


# ---------------------------------------------------------------- a good file


def test_good_file_builds_the_tree_with_paths_and_enterprises(imported):
    orgs = {org.code: org for org in Organization.objects.select_related("enterprise")}
    committee, general, branch1, branch2 = (orgs[c] for c in ("JDW01", "JZZ01", "JZB01", "JZB02"))

    assert committee.parent is None and committee.kind == OrganizationKind.COMMITTEE
    assert general.parent == committee and general.kind == OrganizationKind.GENERAL_BRANCH
    assert branch1.parent == general and branch2.parent == committee
    assert committee.path == f"/{committee.pk}/" and committee.depth == 0
    assert general.path == f"/{committee.pk}/{general.pk}/" and general.depth == 1
    assert branch1.path == f"/{committee.pk}/{general.pk}/{branch1.pk}/" and branch1.depth == 2
    assert branch2.path == f"/{committee.pk}/{branch2.pk}/" and branch2.depth == 1
    assert {org.enterprise.name for org in orgs.values()} == {"甲实业有限公司"}
    assert committee.founded_on == datetime.date(2010, 7, 1)
    assert general.founded_on == datetime.date(2012, 5, 4)
    assert branch1.founded_on == datetime.date(2016, 3, 15)
    assert committee.contact_phone == "022-12345678"
    assert list(committee.descendants_and_self().order_by("path")) == sorted(
        orgs.values(), key=lambda org: org.path
    )


def test_good_file_creates_members_with_users_that_must_change_the_initial_password(imported):
    members = {m.user.username: m for m in Member.objects.select_related("user", "organization")}

    assert set(members) == {"zhangwei", "lina", "wangfang", "liuyang"}
    zhang = members["zhangwei"]
    assert zhang.user.full_name == "张伟" and zhang.user.phone == "13800138000"
    assert zhang.user.email == "zhangwei@example.com"
    assert zhang.organization.code == "JZB01" and zhang.role == MemberRole.SECRETARY
    assert zhang.is_cadre and zhang.position == "生产部经理"
    assert zhang.joined_party_on == datetime.date(2005, 7, 1)
    assert members["lina"].role == MemberRole.COMMITTEE_MEMBER
    assert members["wangfang"].user.phone == "13912345678"
    assert members["wangfang"].joined_party_on == datetime.date(2020, 7, 1)
    assert members["liuyang"].role == MemberRole.MEMBER and not members["liuyang"].is_cadre
    for member in members.values():
        assert member.user.must_change_password
        assert member.user.check_password(INITIAL_PASSWORD)
    # Hashed once: every new user holds the same encoded password.
    assert len({member.user.password for member in members.values()}) == 1


def test_good_file_redirects_to_a_summary_with_counts(dept_client, imported):
    assert imported["Location"] == reverse("import.upload")

    page = dept_client.get(imported["Location"])

    content = page.content.decode()
    assert "工作簿已导入" in content and "导入结果" in content
    assert page.context["summary"]["organizations"] == {"created": 4, "updated": 0, "unchanged": 0}
    assert page.context["summary"]["members"] == {"created": 4, "updated": 0, "unchanged": 0}
    assert page.context["summary"]["users_created"] == 4
    # Shown once: reloading the page shows the empty form again.
    assert dept_client.get(UPLOAD_URL).context["summary"] is None


def test_good_file_login_works_with_the_initial_password(client, imported):
    client.logout()  # the same client imported the file as the department
    # Through the login page: with django-axes, authentication needs the request.
    response = client.post(
        "/accounts/login/", {"username": "wangfang", "password": INITIAL_PASSWORD}, follow=True
    )

    assert client.session.get("_auth_user_id") == str(User.objects.get(username="wangfang").pk)
    # A new account must choose its own password first.
    assert response.redirect_chain[-1][0] == reverse("password_change")


def test_reimport_of_the_same_file_changes_nothing(dept_client, imported):
    before = snapshot()

    response = upload(
        dept_client, workbook_bytes(GOOD_ORGS, GOOD_MEMBERS), password="Another-pass-2026"
    )

    assert response.status_code == 302
    summary = dept_client.get(UPLOAD_URL).context["summary"]
    assert summary["organizations"] == {"created": 0, "updated": 0, "unchanged": 4}
    assert summary["members"] == {"created": 0, "updated": 0, "unchanged": 4}
    assert summary["users_created"] == 0
    assert snapshot() == before


def test_reimport_with_one_change_updates_only_that_row(dept_client, imported):
    before = snapshot()
    orgs = [list(row) for row in GOOD_ORGS]
    orgs[3][1] = "甲公司第二党支部（更名）"
    members = [list(row) for row in GOOD_MEMBERS]
    members[1][7] = "财务部主管"

    response = upload(dept_client, workbook_bytes(orgs, members))

    assert response.status_code == 302
    summary = dept_client.get(UPLOAD_URL).context["summary"]
    assert summary["organizations"] == {"created": 0, "updated": 1, "unchanged": 3}
    assert summary["members"] == {"created": 0, "updated": 1, "unchanged": 3}
    after = snapshot()
    assert after["organizations"]["JZB02"] == {
        **before["organizations"]["JZB02"],
        "name": "甲公司第二党支部（更名）",
    }
    assert after["members"]["lina"] == {**before["members"]["lina"], "position": "财务部主管"}
    for key in ("organizations", "members"):
        changed = {code for code in before[key] if before[key][code] != after[key][code]}
        assert changed == ({"JZB02"} if key == "organizations" else {"lina"})
    assert after["users"] == before["users"]


def test_reimport_moves_an_organization_and_its_subtree(dept_client, imported):
    orgs = [list(row) for row in GOOD_ORGS]
    orgs[2][3] = None  # the general branch becomes a top-level organization…
    orgs[2][2] = "党委"  # …as a committee, which is what a top-level one usually is
    orgs[2][4] = "甲实业有限公司"

    response = upload(dept_client, workbook_bytes(orgs, GOOD_MEMBERS))

    assert response.status_code == 302
    general = Organization.objects.get(code="JZZ01")
    branch = Organization.objects.get(code="JZB01")
    assert general.parent is None and general.path == f"/{general.pk}/"
    assert branch.path == f"/{general.pk}/{branch.pk}/" and branch.depth == 1


def test_existing_user_keeps_password_and_parent_in_database_is_found(dept_client):
    existing_org = OrganizationFactory(code="OLD01", kind=OrganizationKind.COMMITTEE)
    existing_user = UserFactory(username="olduser", full_name="老用户")
    password_before = existing_user.password
    orgs = [["NEW01", "新支部", "党支部", "OLD01", None, None, None]]
    members = [["olduser", "老用户", None, None, "NEW01", "党员", "否", None, None]]

    response = upload(dept_client, workbook_bytes(orgs, members))

    assert response.status_code == 302
    new = Organization.objects.get(code="NEW01")
    assert new.parent == existing_org and new.enterprise == existing_org.enterprise
    assert new.path == f"{existing_org.path}{new.pk}/"
    existing_user.refresh_from_db()
    assert existing_user.password == password_before
    assert existing_user.check_password(PASSWORD) and not existing_user.must_change_password
    assert existing_user.membership.organization == new


def test_blank_cells_keep_what_the_portal_has(dept_client, imported):
    members = [list(row) for row in GOOD_MEMBERS]
    members[0][2] = members[0][3] = members[0][7] = members[0][8] = None

    response = upload(dept_client, workbook_bytes(GOOD_ORGS, members))

    assert response.status_code == 302
    zhang = Member.objects.select_related("user").get(user__username="zhangwei")
    assert zhang.user.phone == "13800138000" and zhang.position == "生产部经理"
    assert zhang.joined_party_on == datetime.date(2005, 7, 1)


def test_import_queries_grow_by_batches_not_by_rows(department):
    def run(count):
        orgs = [["DW1", "党委", "党委", None, "企业", None, None]] + [
            [f"ZB{i}", f"第{i}支部", "党支部", "DW1", None, None, None] for i in range(count)
        ]
        members = [
            [f"u{count}_{i}", f"党员{i}", None, None, f"ZB{i % count}", None, None, None, None]
            for i in range(count * 5)
        ]
        data = workbook_bytes(orgs, members)
        with CaptureQueriesContext(connection) as queries:
            result = services.district_import(
                user=department,
                uploaded=SimpleUploadedFile("d.xlsx", data),
                initial_password=INITIAL_PASSWORD,
            )
        assert result.ok
        Member.objects.all().delete()
        User.objects.exclude(pk=department.pk).delete()
        Organization.objects.filter(parent__isnull=False).delete()
        Organization.objects.all().delete()
        return len(queries)

    small, large = run(3), run(300)
    # Batches, not rows: 1,800 rows cost a few dozen queries more than 18 rows do.
    assert large - small < 60, (small, large)


# ---------------------------------------------------------------- bad rows


def _org(code, name="某党支部", kind="党支部", parent=None, enterprise="某企业", founded=None):
    return [code, name, kind, parent, enterprise, founded, None]


def _member(username, org="ZB1", name="某党员", role="党员", joined=None, phone=None, email=None):
    return [username, name, phone, email, org, role, "否", None, joined]


BASE_ORGS = [_org("DW1", "某党委", "党委"), _org("ZB1", parent="DW1", enterprise=None)]

BAD_ROWS = {
    "bad parent": (
        [*BASE_ORGS, _org("ZB2", parent="NOPE")],
        [],
        ("党组织", 4, "上级党组织编码", "NOPE", "找不到编码为“NOPE”的党组织"),
    ),
    "duplicate code": (
        [*BASE_ORGS, _org("ZB1", parent="DW1")],
        [],
        ("党组织", 4, "党组织编码", "ZB1", "与本表第 3 行重复"),
    ),
    "duplicate username": (
        BASE_ORGS,
        [_member("zhang"), _member("li"), _member("zhang")],
        ("党员", 4, "登录名", "zhang", "与本表第 2 行重复"),
    ),
    "unknown role": (
        BASE_ORGS,
        [_member("zhang", role="主任")],
        ("党员", 2, "党内职务", "主任", "无法识别的党内职务"),
    ),
    "unknown kind": (
        [*BASE_ORGS, _org("ZB2", kind="党小组", parent="DW1")],
        [],
        ("党组织", 4, "组织类别", "党小组", "无法识别的组织类别"),
    ),
    "missing organization name": (
        [*BASE_ORGS, _org("ZB2", name=None, parent="DW1")],
        [],
        ("党组织", 4, "党组织名称", "", "必填项"),
    ),
    "missing member name": (
        BASE_ORGS,
        [_member("zhang", name="  ")],
        ("党员", 2, "姓名", "  ", "必填项"),
    ),
    "missing code": (
        [*BASE_ORGS, _org(None, parent="DW1")],
        [],
        ("党组织", 4, "党组织编码", "", "必填项"),
    ),
    "missing username": (
        BASE_ORGS,
        [_member(None)],
        ("党员", 2, "登录名", "", "必填项"),
    ),
    "missing member organization": (
        BASE_ORGS,
        [_member("zhang", org=None)],
        ("党员", 2, "所属党组织编码", "", "必填项"),
    ),
    "unknown member organization": (
        BASE_ORGS,
        [_member("zhang", org="ZB9")],
        ("党员", 2, "所属党组织编码", "ZB9", "找不到编码为“ZB9”的党组织"),
    ),
    "impossible date": (
        BASE_ORGS,
        [_member("zhang", joined="2020-13-45")],
        ("党员", 2, "入党日期", "2020-13-45", "日期不存在"),
    ),
    "not a date": (
        [*BASE_ORGS, _org("ZB2", parent="DW1", founded="去年七月")],
        [],
        ("党组织", 4, "成立日期", "去年七月", "不是有效的日期"),
    ),
    "future date": (
        BASE_ORGS,
        [_member("zhang", joined="2999-01-01")],
        ("党员", 2, "入党日期", "2999-01-01", "日期不能晚于今天"),
    ),
    "parent kind cannot hold the child": (
        [*BASE_ORGS, _org("ZB2", parent="ZB1")],
        [],
        ("党组织", 4, "上级党组织编码", "ZB1", "党支部不能设在党支部（“ZB1”）之下"),
    ),
    "committee under a committee": (
        [*BASE_ORGS, _org("DW2", kind="党委", parent="DW1")],
        [],
        ("党组织", 4, "上级党组织编码", "DW1", "党委不能设在党委"),
    ),
    "loop": (
        [
            *BASE_ORGS,
            _org("ZZ1", kind="党总支", parent="ZZ2"),
            _org("ZZ2", kind="党总支", parent="ZZ1"),
        ],
        [],
        ("党组织", 4, "上级党组织编码", "ZZ2", "上级关系形成了循环"),
    ),
    "own parent": (
        [*BASE_ORGS, _org("ZZ1", kind="党总支", parent="ZZ1")],
        [],
        ("党组织", 4, "上级党组织编码", "ZZ1", "不能以自己为上级"),
    ),
    "bad mobile": (
        BASE_ORGS,
        [_member("zhang", phone="1380013")],
        ("党员", 2, "手机号码", "1380013", "不是有效的手机号码"),
    ),
    "bad e-mail": (
        BASE_ORGS,
        [_member("zhang", email="zhang@")],
        ("党员", 2, "电子邮箱", "zhang@", "不是有效的电子邮箱"),
    ),
    "too long name": (
        [*BASE_ORGS, _org("ZB2", name="支" * 201, parent="DW1")],
        [],
        ("党组织", 4, "党组织名称", "支" * 57 + "…", "最多 200 个字符"),
    ),
    "bad login name": (
        BASE_ORGS,
        [_member("zhang san")],
        ("党员", 2, "登录名", "zhang san", "登录名只能包含"),
    ),
    "top level without enterprise": (
        [*BASE_ORGS, _org("DW2", kind="党委", enterprise=None)],
        [],
        ("党组织", 4, "所属企业", "", "必须填写所属企业"),
    ),
}


@pytest.mark.parametrize("case", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_bad_row_is_reported_with_its_row_and_nothing_is_written(dept_client, case):
    orgs, members, (sheet, row, column, value, message) = case
    before = snapshot()

    errors = errors_of(upload(dept_client, workbook_bytes(orgs, members)))

    matching = [e for e in errors if (e.sheet, e.row, e.column) == (sheet, row, column)]
    assert matching, errors
    assert matching[0].value == value
    assert message in matching[0].message
    assert snapshot() == before


def test_bad_rows_are_all_listed_in_a_table(dept_client):
    members = [_member("a", role="主任"), _member("b", joined="2020-13-45"), _member("c", org="X")]

    response = upload(dept_client, workbook_bytes(BASE_ORGS, members))

    content = response.content.decode()
    assert response.status_code == 400
    assert "发现 3 处问题，未导入任何数据" in content
    assert 'class="table-responsive"' in content
    assert content.count('<td class="text-nowrap">党员</td>') == 3
    assert Organization.objects.count() == 0


def test_department_login_cannot_be_imported_as_a_member(dept_client, department):
    errors = errors_of(upload(dept_client, workbook_bytes(BASE_ORGS, [_member("dept")])))

    assert errors[0].row == 2 and "组织部工作人员" in errors[0].message
    assert not Member.objects.exists()


def test_nothing_is_imported_into_an_archived_organization(dept_client):
    OrganizationFactory(code="OLD01", kind=OrganizationKind.COMMITTEE, is_active=False)
    orgs = [["NEW01", "新支部", "党支部", "OLD01", None, None, None]]
    members = [["newbie", "新党员", None, None, "OLD01", "党员", "否", None, None]]
    before = snapshot()

    errors = errors_of(upload(dept_client, workbook_bytes(orgs, members)))

    assert [(e.sheet, e.value) for e in errors] == [("党组织", "OLD01"), ("党员", "OLD01")]
    assert all("已停用" in e.message for e in errors)
    assert snapshot() == before


def test_kind_change_that_would_orphan_existing_children_is_refused(dept_client, imported):
    orgs = [list(row) for row in GOOD_ORGS if row[0] != "JZB01"]
    orgs[1][2] = "党支部"  # the general branch (row 3) would become a branch: JZB01 under it

    errors = errors_of(upload(dept_client, workbook_bytes(orgs, [])))

    assert any(e.row == 3 and "JZB01" in e.message for e in errors)


# ---------------------------------------------------------------- bad files


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def _formula_file() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "党组织"
    book.active.append(ORG_HEADERS)
    book.active.append(["DW1", "某党委", "党委", None, "某企业", None, None])
    members = book.create_sheet("党员")
    members.append(MEMBER_HEADERS)
    members.append(["zhang", '=CONCATENATE("张","三")', None, None, "DW1", None, None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _missing_sheet() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Sheet1"
    book.active.append(ORG_HEADERS)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _word_document() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


BAD_FILES = {
    "csv renamed": (lambda: "党组织编码,党组织名称\nDW1,某党委\n".encode(), "文本文件"),
    "renamed png": (_png, "这是一张图片"),
    "old xls": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "旧版 Excel"),
    "random bytes": (lambda: bytes(range(256)) * 4, "不是 Excel 工作簿"),
    "corrupt zip": (lambda: b"PK\x03\x04" + b"\x00\x01garbage" * 50, "无法读取此文件"),
    "truncated xlsx": (lambda: workbook_bytes(BASE_ORGS)[:3000], "无法读取此文件"),
    "word document": (_word_document, "这是一个 Word 文档"),
    "missing sheet": (_missing_sheet, "没有名为“党组织”、“党员”的工作表"),
    "empty sheet": (lambda: workbook_bytes(BASE_ORGS, member_headers=None), "工作表“党员”是空的"),
    "header only": (lambda: workbook_bytes(), "都只有表头"),
    "wrong headers": (
        lambda: workbook_bytes(BASE_ORGS, org_headers=["编号", "名字", "类型"]),
        "缺少列 “党组织编码”、“党组织名称”",
    ),
    "formulas": (_formula_file, "单元格 B2"),
    "too big": (lambda: b"PK\x03\x04" + b"\x00" * (20 * 1024 * 1024 + 1), "超过 20 MB"),
}


@pytest.mark.parametrize("case", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_file_gets_a_clear_message_and_nothing_is_written(dept_client, case):
    make, message = case
    before = snapshot()

    error = file_error_of(upload(dept_client, make()))

    assert message in error
    assert snapshot() == before


def test_formula_message_says_to_paste_values(dept_client):
    error = file_error_of(upload(dept_client, _formula_file()))

    assert "工作表“党员”中有公式" in error and "选择性粘贴 → 数值" in error


def test_file_with_200000_rows_is_refused_quickly(dept_client, tmp_path):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    orgs = book.create_sheet("党组织")
    orgs.append(ORG_HEADERS)
    members = book.create_sheet("党员")
    members.append(MEMBER_HEADERS)
    for i in range(200_000):
        members.append([i])  # one cell a row keeps the test's own writing short
    path = tmp_path / "big.xlsx"
    book.save(path)
    before = snapshot()

    started = time.monotonic()
    error = file_error_of(upload(dept_client, path.read_bytes()))
    elapsed = time.monotonic() - started

    assert "工作表“党员”超过 50,000 行" in error and "拆分" in error
    assert elapsed < 10, elapsed
    assert snapshot() == before


def test_weak_or_mismatched_initial_password_is_refused(dept_client):
    data = workbook_bytes(GOOD_ORGS, GOOD_MEMBERS)

    weak = upload(dept_client, data, password="12345678")
    mismatched = upload(dept_client, data, again="Xinqu-2026-other")

    assert weak.status_code == 400 and weak.context["form"].errors["initial_password"]
    assert "两次输入的密码不一致" in mismatched.content.decode()
    assert not Organization.objects.exists()


def test_upload_without_a_file_is_refused(dept_client):
    response = dept_client.post(
        UPLOAD_URL,
        {"initial_password": INITIAL_PASSWORD, "initial_password_again": INITIAL_PASSWORD},
    )

    assert response.status_code == 400 and response.context["form"].errors["workbook"]


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize("url", [UPLOAD_URL, TEMPLATE_URL])
@pytest.mark.parametrize("who", ["secretary", "member"])
def test_secretary_and_member_cannot_reach_the_import(client, district, url, who):
    client.force_login(getattr(district, who).user)

    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


@pytest.mark.parametrize("url", [UPLOAD_URL, TEMPLATE_URL])
def test_anonymous_is_sent_to_login(client, db, url):
    response = client.get(url)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_service_refuses_anyone_but_the_department(district):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.district_import(
            user=district.secretary.user,
            uploaded=SimpleUploadedFile("d.xlsx", workbook_bytes(GOOD_ORGS)),
            initial_password=INITIAL_PASSWORD,
        )


def test_urls_have_their_names():
    assert reverse("import.upload") == UPLOAD_URL
    assert reverse("import.template") == TEMPLATE_URL


def test_login_is_unaffected_for_unchanged_password(client, dept_client, imported):
    assert check_password(INITIAL_PASSWORD, User.objects.get(username="lina").password)
