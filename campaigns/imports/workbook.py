"""Reading and checking an uploaded district workbook (.xlsx).

Two kinds of problem are told apart:

* the file itself is wrong (not an .xlsx, corrupt, missing sheet, wrong
  headers, formulas, too many rows, …): ``WorkbookError`` with one message;
* a row's own values are wrong (missing name, bad date, duplicate code inside
  the file, …): a ``RowError`` per cell, collected for every row so the
  department sees the whole list at once.

Checks that need the database (parents, cycles, existing logins) are made by
``campaigns.imports.services``.

The sheet and column names are the file format the department fills in, so
they are Chinese whatever the page's language is.

openpyxl is imported inside the functions that need it. Before openpyxl opens
the file, each sheet's XML is streamed once through lxml to count its rows
and find formulas: openpyxl's read-only mode would otherwise scan a whole sheet
that has no ``<dimension>`` element just to open the workbook, so a
200,000-row file is refused after reading only its first 50,001 rows.
"""

from __future__ import annotations

import datetime
import functools
import io
import posixpath
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaigns.enums import MemberRole, OrganizationKind

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000  # data rows per sheet; a district of 100,000 members is imported in two files
# A 50,000-row members sheet unpacks to about 30 MB; far more means a zip bomb.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024  # openpyxl loads them whole
MAX_REPORTED_ERRORS = 1000
MAX_FORMULA_CELLS_NAMED = 10

SHEET_ORGANIZATIONS = "党组织"
SHEET_MEMBERS = "党员"
SHEET_GUIDE = "填写说明"

# The template's example rows: recognised on upload so they are not imported by mistake.
EXAMPLE_ORGANIZATION_CODES = ("示例DW001", "示例ZB001")
EXAMPLE_USERNAMES = ("示例zhangsan",)

ZIP_SIGNATURE = b"PK\x03\x04"
EMPTY_ZIP_SIGNATURE = b"PK\x05\x06"
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXCEL_ERRORS = {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!"}
INVISIBLE = str.maketrans({"\u3000": " ", "\xa0": " ", "\u200b": None, "\ufeff": None})


class WorkbookError(Exception):
    """The file as a whole cannot be imported; ``message`` says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CellError(Exception):
    """One cell's value is not acceptable."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"  # text, code, username, date, kind, role, yes_no, phone, mobile, email
    required: bool = False
    max_length: int | None = None
    aliases: tuple[str, ...] = ()
    width: int = 14
    example: tuple = ()
    guide: str = ""


ORGANIZATION_COLUMNS = (
    Column(
        "code",
        "党组织编码",
        kind="code",
        required=True,
        max_length=32,
        aliases=("组织编码", "编码"),
        width=16,
        example=("示例DW001", "示例ZB001"),
        guide="必填。区内统一的党组织编码，不超过32个字符，不能有空格，在本表中不能重复。"
        "系统按编码识别党组织：编码已存在的更新，不存在的新建。",
    ),
    Column(
        "name",
        "党组织名称",
        required=True,
        max_length=200,
        aliases=("组织名称", "名称"),
        width=32,
        example=(
            "示例公司党委（示例行，导入前请删除）",
            "示例公司第一党支部（示例行，导入前请删除）",
        ),
        guide="必填。党组织全称，不超过200个字。",
    ),
    Column(
        "kind",
        "组织类别",
        kind="kind",
        required=True,
        aliases=("类型", "组织类型", "党组织类别"),
        width=12,
        example=("党委", "党支部"),
        guide="必填。从下拉列表选择：党委、党总支、党支部。党委下可设党总支和党支部，"
        "党总支下只能设党支部，党支部下不能再设组织。",
    ),
    Column(
        "parent_code",
        "上级党组织编码",
        kind="code",
        max_length=32,
        aliases=("上级组织编码", "上级编码"),
        width=16,
        example=(None, "示例DW001"),
        guide="上级党组织的编码。留空表示顶级党组织（直属党工委）。上级可以在本表中"
        "（前后顺序不限），也可以是系统中已有的党组织。",
    ),
    Column(
        "enterprise",
        "所属企业",
        max_length=200,
        aliases=("企业", "企业名称"),
        width=30,
        example=("示例实业有限公司", None),
        guide="党组织所在企业的名称，不超过200个字。顶级党组织新建时必填；下级党组织留空"
        "则与上级相同。系统中没有的企业会自动新建。",
    ),
    Column(
        "founded_on",
        "成立日期",
        kind="date",
        aliases=("成立时间",),
        width=12,
        example=(datetime.date(2015, 7, 1), datetime.date(2016, 3, 15)),
        guide="日期单元格，或写成 2020-07-01、2020/7/1、2020年7月1日。",
    ),
    Column(
        "contact_phone",
        "联系电话",
        kind="phone",
        max_length=20,
        aliases=("电话",),
        width=16,
        example=("022-12345678", None),
        guide="固定电话或手机号码，不超过20个字符。",
    ),
)

MEMBER_COLUMNS = (
    Column(
        "username",
        "登录名",
        kind="username",
        required=True,
        max_length=150,
        aliases=("用户名", "账号"),
        width=16,
        example=("示例zhangsan",),
        guide="必填。登录门户用的用户名，只能包含字母、数字、汉字和 @ . + - _，不超过150个"
        "字符，在本表中不能重复。系统按登录名识别人员：已存在的更新，不存在的新建账号。",
    ),
    Column(
        "full_name",
        "姓名",
        required=True,
        max_length=50,
        width=12,
        example=("张三（示例行）",),
        guide="必填。不超过50个字。",
    ),
    Column(
        "phone",
        "手机号码",
        kind="mobile",
        aliases=("手机", "手机号", "联系电话"),
        width=14,
        example=("13800138000",),
        guide="11位手机号码，可留空。",
    ),
    Column(
        "email",
        "电子邮箱",
        kind="email",
        max_length=254,
        aliases=("邮箱", "电子邮件", "Email", "E-mail"),
        width=24,
        example=("zhangsan@example.com",),
        guide="可留空。用于接收门户的通知邮件。",
    ),
    Column(
        "organization_code",
        "所属党组织编码",
        kind="code",
        required=True,
        max_length=32,
        aliases=("所属组织编码", "党组织编码"),
        width=16,
        example=("示例ZB001",),
        guide="必填。党员所在党组织的编码：可以是“党组织”表中的，也可以是系统中已有的。",
    ),
    Column(
        "role",
        "党内职务",
        kind="role",
        aliases=("职务",),
        width=12,
        example=("党员",),
        guide="从下拉列表选择：书记、支委委员、党员。新建时留空按“党员”处理。"
        "书记可以管理本组织及下级组织的信息。",
    ),
    Column(
        "is_cadre",
        "是否党员干部",
        kind="yes_no",
        aliases=("党员干部",),
        width=14,
        example=("否",),
        guide="填“是”或“否”。新建时留空按“否”处理。",
    ),
    Column(
        "position",
        "企业职务",
        max_length=100,
        width=18,
        example=("生产部经理",),
        guide="党员在企业中的职务，不超过100个字，可留空。",
    ),
    Column(
        "joined_party_on",
        "入党日期",
        kind="date",
        aliases=("入党时间",),
        width=12,
        example=(datetime.date(2010, 7, 1),),
        guide="日期单元格，或写成 2020-07-01、2020/7/1、2020年7月1日。",
    ),
)

SHEETS = {SHEET_ORGANIZATIONS: ORGANIZATION_COLUMNS, SHEET_MEMBERS: MEMBER_COLUMNS}


@functools.cache
def kind_labels() -> dict[str, str]:
    """Chinese label → OrganizationKind value, as the template's drop-down offers them."""
    with translation.override("zh-hans"):
        return {str(label): value for value, label in OrganizationKind.choices}


@functools.cache
def role_labels() -> dict[str, str]:
    """Chinese label → MemberRole value, as the template's drop-down offers them."""
    with translation.override("zh-hans"):
        return {str(label): value for value, label in MemberRole.choices}


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int | None  # as Excel numbers it
    column: str
    value: str
    message: str


@dataclass
class ErrorLog:
    """Every error is counted; the first MAX_REPORTED_ERRORS are kept for the report."""

    items: list[RowError] = field(default_factory=list)
    count: int = 0

    def add(self, sheet: str, row: int | None, column: str, value, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_REPORTED_ERRORS:
            self.items.append(RowError(sheet, row, column, shown(value), str(message)))

    def __bool__(self) -> bool:
        return self.count > 0


@dataclass
class SheetRow:
    """One data row: Excel's row number and the parsed values (None: left blank)."""

    row: int
    values: dict


@dataclass
class ParsedWorkbook:
    organizations: list[SheetRow]
    members: list[SheetRow]
    errors: ErrorLog


def shown(value) -> str:
    """A cell value as the error report shows it."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date() if not value.time() else value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


# ---------------------------------------------------------------- the file


def read_workbook(uploaded) -> ParsedWorkbook:
    """Check the uploaded file and every row's own values.

    Raises WorkbookError when the file cannot be imported at all; otherwise
    returns the rows with their values and the row-by-row errors found.
    """
    data = _file_bytes(uploaded)
    archive = _open_zip(data)
    with archive:
        parts = _sheet_parts(archive)
        missing = [name for name in SHEETS if name not in parts]
        if missing:
            raise WorkbookError(
                _(
                    "The workbook has no sheet named “%(missing)s”. It needs the sheets "
                    "“%(organizations)s” and “%(members)s” as in the template; its sheets "
                    "are: %(found)s."
                )
                % {
                    "missing": "”、“".join(missing),
                    "organizations": SHEET_ORGANIZATIONS,
                    "members": SHEET_MEMBERS,
                    "found": "、".join(f"“{name}”" for name in parts) or _("none"),
                }
            )
        for name in SHEETS:
            _prescan_sheet(archive, parts[name], name)

    workbook = _load(data)
    try:
        errors = ErrorLog()
        rows = {}
        for name, columns in SHEETS.items():
            rows[name] = _read_sheet(workbook[name], name, columns, errors)
    except WorkbookError:
        raise
    except Exception as error:  # openpyxl met something it cannot read
        raise _corrupt() from error
    finally:
        workbook.close()
    if not rows[SHEET_ORGANIZATIONS] and not rows[SHEET_MEMBERS] and not errors:
        raise WorkbookError(
            _(
                "The sheets “%(organizations)s” and “%(members)s” hold only their header "
                "row: there is nothing to import. Fill in the rows below the headers."
            )
            % {"organizations": SHEET_ORGANIZATIONS, "members": SHEET_MEMBERS}
        )
    _check_duplicates(rows[SHEET_ORGANIZATIONS], SHEET_ORGANIZATIONS, "code", errors)
    _check_duplicates(rows[SHEET_MEMBERS], SHEET_MEMBERS, "username", errors)
    return ParsedWorkbook(rows[SHEET_ORGANIZATIONS], rows[SHEET_MEMBERS], errors)


def _corrupt() -> WorkbookError:
    return WorkbookError(
        _(
            "The file could not be read: it may be damaged or saved in a format this portal "
            "does not read. Open it in Excel or WPS, save it again as an Excel workbook "
            "(.xlsx) and upload that."
        )
    )


def _not_xlsx(what: str) -> WorkbookError:
    return WorkbookError(
        _(
            "This is not an Excel workbook (.xlsx): %(what)s Download the template, fill it "
            "in and upload it as .xlsx."
        )
        % {"what": what}
    )


def _file_bytes(uploaded) -> bytes:
    if uploaded is None:
        raise WorkbookError(_("Choose the workbook to upload."))
    size = getattr(uploaded, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise WorkbookError(
            _("The file is larger than 20 MB. Split the district into two or more workbooks.")
        )
    uploaded.seek(0)
    data = uploaded.read(MAX_FILE_BYTES + 1)
    uploaded.seek(0)
    if len(data) > MAX_FILE_BYTES:
        raise WorkbookError(
            _("The file is larger than 20 MB. Split the district into two or more workbooks.")
        )
    if not data:
        raise WorkbookError(_("The file is empty."))
    head = data[:16]
    if head.startswith(ZIP_SIGNATURE):
        return data
    if head.startswith(EMPTY_ZIP_SIGNATURE):
        raise _not_xlsx(_("it is an empty zip archive."))
    if head.startswith(OLE2_SIGNATURE):
        raise WorkbookError(
            _(
                "This file is an old-format Excel workbook (.xls, Excel 97–2003) or an "
                "encrypted workbook. Open it in Excel or WPS, remove any password and save it "
                "as “Excel workbook (.xlsx)”, then upload that."
            )
        )
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"RIFF")):
        raise _not_xlsx(_("it is a picture."))
    if head.startswith(b"%PDF"):
        raise _not_xlsx(_("it is a PDF document."))
    if _looks_like_text(data[:4096]):
        raise _not_xlsx(
            _(
                "it is a text file (CSV or similar). Open it in Excel or WPS and save it as "
                "“Excel workbook (.xlsx)”."
            )
        )
    raise _not_xlsx(_("its content is of another kind."))


def _looks_like_text(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030", "utf-16"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        return all(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return False


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _corrupt() from None
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        archive.close()
        if "word/document.xml" in names:
            raise _not_xlsx(_("it is a Word document."))
        if "ppt/presentation.xml" in names:
            raise _not_xlsx(_("it is a PowerPoint presentation."))
        raise _not_xlsx(_("it is a zip archive of other files."))
    unpacked = sum(info.file_size for info in infos)
    strings = sum(info.file_size for info in infos if info.filename == "xl/sharedStrings.xml")
    if unpacked > MAX_UNPACKED_BYTES or strings > MAX_SHARED_STRINGS_BYTES:
        archive.close()
        raise WorkbookError(
            _(
                "The workbook is too large once unpacked. Keep only the two sheets of the "
                "template with at most %(limit)s rows each, or split it into several files."
            )
            % {"limit": f"{MAX_ROWS:,}"}
        )
    return archive


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the archive member holding that worksheet, from workbook.xml and its rels."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    pkg = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError):
        raise _corrupt() from None
    targets = {}
    for rel in rels.iter(f"{pkg}Relationship"):
        target = rel.get("Target") or ""
        if target.startswith("/"):
            target = target.lstrip("/")
        else:
            target = posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = target
    names = set(archive.namelist())
    parts = {}
    for sheet in book.iter(f"{main}sheet"):
        target = targets.get(sheet.get(f"{rel_ns}id"))
        if target in names:  # chart sheets and broken links are not worksheets we read
            parts[(sheet.get("name") or "").strip()] = target
    return parts


class _TooManyRows(Exception):
    pass


def _prescan_sheet(archive: zipfile.ZipFile, part: str, sheet: str) -> None:
    """Count the sheet's filled rows (stopping past the limit) and look for formulas.

    lxml's iterparse hands Python only the <row> and <f> elements, so counting
    50,000 rows takes a fraction of a second.
    """
    from lxml import etree

    limit = MAX_ROWS + 1  # the header row
    rows = formula_count = 0
    formulas: list[str] = []
    try:
        with archive.open(part) as stream:
            events = etree.iterparse(
                stream,
                events=("end",),
                tag=("{*}row", "{*}f"),
                resolve_entities=False,
                no_network=True,
                huge_tree=True,  # long shared texts are legitimate; entities stay unresolved
            )
            for _event, element in events:
                if etree.QName(element).localname == "f":
                    formula_count += 1
                    if len(formulas) < MAX_FORMULA_CELLS_NAMED:
                        formulas.append(_cell_name(element.getparent()))
                    continue
                if element.find("*/*") is not None:  # a cell with a value, text or formula
                    rows += 1
                    if rows > limit:
                        raise _TooManyRows
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except _TooManyRows:
        raise WorkbookError(
            _(
                "The sheet “%(sheet)s” has more than %(limit)s rows. One import takes at most "
                "%(limit)s rows per sheet, so that the import finishes while you wait: split "
                "the list into several workbooks and import them one after another."
            )
            % {"sheet": sheet, "limit": f"{MAX_ROWS:,}"}
        ) from None
    except (etree.LxmlError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _corrupt() from None
    if formulas:
        cells = "、".join(formulas)
        if formula_count > len(formulas):
            cells = _("%(cells)s and %(more)s more") % {
                "cells": cells,
                "more": formula_count - len(formulas),
            }
        raise WorkbookError(
            _(
                "The sheet “%(sheet)s” contains formulas (cells %(cells)s). The import reads "
                "values only: select the cells, copy them and use “Paste Special → Values” to "
                "replace the formulas by their values, then upload again."
            )
            % {"sheet": sheet, "cells": cells}
        )


def _cell_name(cell) -> str:
    """A cell's name (B5) from its ``r`` attribute, else from its place in the row."""
    if cell is None:
        return "?"
    if cell.get("r"):
        return cell.get("r")
    row = cell.getparent()
    number = row.get("r") if row is not None else None
    position = row.index(cell) + 1 if row is not None else 0
    return f"{_column_letter(position)}{number or ''}"


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _load(data: bytes):
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unsupported extensions (e.g. WPS's) are harmless
            return load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # any failure to open is a damaged or foreign file
        raise _corrupt() from error


# ---------------------------------------------------------------- the rows


def _normal_header(value) -> str:
    if value is None:
        return ""
    return re.sub(r"[\s*＊:：]", "", str(value).translate(INVISIBLE))


def _header_map(header: tuple, columns: tuple[Column, ...]) -> dict[str, int]:
    found = {}
    positions = {_normal_header(value): index for index, value in enumerate(header) if value}
    for column in columns:
        for name in (column.header, *column.aliases):
            if _normal_header(name) in positions:
                found[column.key] = positions[_normal_header(name)]
                break
    return found


def _read_sheet(sheet, name: str, columns: tuple[Column, ...], errors: ErrorLog) -> list:
    sheet.reset_dimensions()  # a wrong <dimension> must not hide rows
    rows = sheet.iter_rows(values_only=True)
    header, header_row = None, 0
    for number, values in enumerate(rows, start=1):
        if any(_blank(value) is not None for value in values):
            header, header_row = values, number
            break
        if number >= 20:
            break
    if header is None:
        raise WorkbookError(
            _(
                "The sheet “%(sheet)s” is empty: its first row must hold the column headers "
                "of the template."
            )
            % {"sheet": name}
        )
    positions = _header_map(header, columns)
    missing = [
        column.header for column in columns if column.required and column.key not in positions
    ]
    if missing:
        raise WorkbookError(
            _(
                "The sheet “%(sheet)s” lacks the column(s) %(missing)s in its header row (row "
                "%(row)s). Use the template's headers: %(expected)s."
            )
            % {
                "sheet": name,
                "missing": "、".join(f"“{header}”" for header in missing),
                "row": header_row,
                "expected": "、".join(column.header for column in columns),
            }
        )
    present = [(column, positions[column.key]) for column in columns if column.key in positions]
    parsed = []
    for number, values in enumerate(rows, start=header_row + 1):
        if not any(_blank(value) is not None for value in values):
            continue
        if len(parsed) >= MAX_ROWS:
            raise WorkbookError(
                _("The sheet “%(sheet)s” has more than %(limit)s rows.")
                % {"sheet": name, "limit": f"{MAX_ROWS:,}"}
            )
        record = {}
        for column, index in present:
            raw = values[index] if index < len(values) else None
            try:
                record[column.key] = parse_value(column, raw)
            except CellError as error:
                errors.add(name, number, column.header, raw, str(error))
                record[column.key] = None
                record.setdefault("_bad", set()).add(column.key)
                continue
            if column.required and record[column.key] is None:
                errors.add(name, number, column.header, raw, _("Required: fill this in."))
                record.setdefault("_bad", set()).add(column.key)
        _check_example(name, number, record, errors)
        parsed.append(SheetRow(number, record))
    return parsed


def _check_example(sheet: str, number: int, record: dict, errors: ErrorLog) -> None:
    if sheet == SHEET_ORGANIZATIONS and record.get("code") in EXAMPLE_ORGANIZATION_CODES:
        column, value = "党组织编码", record["code"]
    elif sheet == SHEET_MEMBERS and record.get("username") in EXAMPLE_USERNAMES:
        column, value = "登录名", record["username"]
    else:
        return
    errors.add(
        sheet,
        number,
        column,
        value,
        _("This is the template's example row: delete it before importing."),
    )
    record.setdefault("_bad", set()).add("example")


def _check_duplicates(rows: list, sheet: str, key: str, errors: ErrorLog) -> None:
    column = next(column for column in SHEETS[sheet] if column.key == key)
    first = {}
    for row in rows:
        value = row.values.get(key)
        if value is None:
            continue
        if value in first:
            errors.add(
                sheet,
                row.row,
                column.header,
                value,
                _("“%(value)s” already appears in row %(row)s of this sheet; each may appear once.")
                % {"value": value, "row": first[value]},
            )
            row.values.setdefault("_bad", set()).add(key)
        else:
            first[value] = row.row


# ---------------------------------------------------------------- the values


def _blank(value):
    """None for an empty cell or one holding only spaces, else the value."""
    if value is None:
        return None
    if isinstance(value, str) and not value.translate(INVISIBLE).strip():
        return None
    return value


def _text(value) -> str | None:
    value = _blank(value)
    if value is None:
        return None
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        raise CellError(_("This cell is formatted as a date; this column needs text."))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).translate(INVISIBLE).strip()
    if text in EXCEL_ERRORS:
        raise CellError(_("The cell shows an Excel error (%(value)s).") % {"value": text})
    return text


def parse_value(column: Column, raw):
    """The cell's value for the database, None when blank; CellError when not acceptable."""
    if column.kind == "date":
        return parse_date(raw)
    if column.kind == "yes_no":
        return _yes_no(raw)
    text = _text(raw)
    if text is None:
        return None
    if column.max_length and len(text) > column.max_length:
        raise CellError(
            _("Too long: at most %(limit)s characters (this has %(length)s).")
            % {"limit": column.max_length, "length": len(text)}
        )
    if column.kind == "code":
        if re.search(r"\s", text):
            raise CellError(_("A code cannot contain spaces."))
    elif column.kind == "username":
        if not re.fullmatch(r"[\w.@+-]+", text):
            raise CellError(
                _("A login name may contain only letters, digits, Chinese characters and @ . + - _")
            )
    elif column.kind == "kind":
        labels = kind_labels()
        value = labels.get(text) or (text if text in OrganizationKind.values else None)
        if value is None:
            raise CellError(
                _("Unknown kind of organization; choose one of: %(choices)s.")
                % {"choices": "、".join(labels)}
            )
        return value
    elif column.kind == "role":
        labels = role_labels()
        value = labels.get(text) or (text if text in MemberRole.values else None)
        if value is None and text == "委员":
            value = MemberRole.COMMITTEE_MEMBER.value
        if value is None:
            raise CellError(
                _("Unknown Party post; choose one of: %(choices)s.")
                % {"choices": "、".join(labels)}
            )
        return value
    elif column.kind == "mobile":
        return _mobile(text)
    elif column.kind == "phone":
        digits = re.sub(r"\D", "", text)
        if not re.fullmatch(r"[\d\s()（）+\-转,，]+", text) or not 7 <= len(digits) <= 20:
            raise CellError(_("Not a telephone number."))
    elif column.kind == "email":
        try:
            validate_email(text)
        except ValidationError:
            raise CellError(_("Not an e-mail address.")) from None
    return text


def _mobile(text: str) -> str:
    digits = re.sub(r"[\s\-()（）]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not re.fullmatch(r"1[3-9]\d{9}", digits):
        raise CellError(_("Not a mobile phone number: give the 11 digits, e.g. 13800138000."))
    return digits


def _yes_no(raw) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = _text(raw)
    if text is None:
        return None
    answer = {"是": True, "否": False, "Y": True, "N": False}.get(text.upper())
    if answer is None:
        raise CellError(_("Write “是” (yes) or “否” (no)."))
    return answer


DATE_PATTERNS = (
    re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


def parse_date(raw) -> datetime.date | None:
    value = _blank(raw)
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, (datetime.time, bool)):
        raise CellError(_("Not a date. Write it as 2020-07-01."))
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).translate(INVISIBLE).strip()
        match = next((m for p in DATE_PATTERNS if (m := p.fullmatch(text))), None)
        if match is None:
            raise CellError(_("Not a date. Write it as 2020-07-01."))
        try:
            day = datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise CellError(_("There is no such date.")) from None
    if day.year < 1900:
        raise CellError(_("The date is too early."))
    if day > timezone.localdate():
        raise CellError(_("The date is in the future."))
    return day
