"""The downloadable district template: sheets 党组织, 党员 and 填写说明.

Built with openpyxl's normal mode (it is small). The headers, choices and
guidance are those ``campaigns.imports.workbook`` reads, so the template and
the importer cannot drift apart.
"""

from __future__ import annotations

import io

from .workbook import (
    MAX_ROWS,
    SHEET_GUIDE,
    SHEETS,
    Column,
    kind_labels,
    role_labels,
)

FILENAME = "党组织和党员导入模板.xlsx"
HEADER_FILL = "C8161D"  # the portal's Party red
EXAMPLE_FILL = "FFF2CC"
DATE_FORMAT = "yyyy-mm-dd"

GENERAL_NOTES = (
    "一、本模板用于党工委组织部批量导入党组织和党员。请在“党组织”和“党员”两张表中填写，"
    "不要改动表名和第一行的列名。",
    "二、黄色底纹的第2行是示例行，导入前请删除；示例行留在表中时系统会提示并拒绝导入。",
    f"三、每张表最多 {MAX_ROWS:,} 行数据，文件不超过 20 MB。"
    "更大的名册请按企业分成几个文件，依次导入（党组织可以引用之前已导入的上级组织）。",
    "四、单元格中不能有公式：如有，请复制后“选择性粘贴 → 数值”。",
    "五、系统先检查全部行，发现任何问题时列出问题所在的表、行号、列和原因，不导入任何数据；"
    "全部无误才一次性导入。",
    "六、党组织按“党组织编码”识别，党员按“登录名”识别：已存在的只更新有变化的信息，"
    "同一文件重复导入不会产生重复数据。空白单元格不会清除系统中已有的信息。",
    "七、新建的账号使用上传时填写的初始密码，首次登录后须修改；已有账号的密码不变。",
)


def _choices(column: Column) -> list[str] | None:
    if column.kind == "kind":
        return list(kind_labels())
    if column.kind == "role":
        return list(role_labels())
    if column.kind == "yes_no":
        return ["是", "否"]
    return None


def build_template() -> bytes:
    """The template workbook as .xlsx bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor=HEADER_FILL)
    example_fill = PatternFill("solid", fgColor=EXAMPLE_FILL)
    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    last_row = MAX_ROWS + 1

    for index, (title, columns) in enumerate(SHEETS.items()):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        examples = max(len(column.example) for column in columns)
        for position, column in enumerate(columns, start=1):
            letter = get_column_letter(position)
            cell = sheet.cell(row=1, column=position, value=column.header)
            cell.font, cell.fill, cell.border = header_font, header_fill, border
            cell.alignment = Alignment(horizontal="center", vertical="center")
            dimension = sheet.column_dimensions[letter]
            dimension.width = column.width + 2
            # Whole-column formats: dates show as 2020-07-01, codes and phone numbers stay text.
            dimension.number_format = DATE_FORMAT if column.kind == "date" else "@"
            for offset in range(examples):
                value = column.example[offset] if offset < len(column.example) else None
                cell = sheet.cell(row=2 + offset, column=position, value=value)
                cell.fill, cell.border = example_fill, border
                cell.number_format = DATE_FORMAT if column.kind == "date" else "@"
            choices = _choices(column)
            if choices:
                validation = DataValidation(
                    type="list",
                    formula1='"{}"'.format(",".join(choices)),
                    allow_blank=not column.required,
                    showErrorMessage=True,
                    errorTitle="请从列表中选择",
                    error="可选值：" + "、".join(choices),
                    promptTitle=column.header,
                    prompt="请选择：" + "、".join(choices),
                    showInputMessage=True,
                )
                validation.add(f"{letter}2:{letter}{last_row}")
                sheet.add_data_validation(validation)
        sheet.row_dimensions[1].height = 22
        sheet.freeze_panes = "A2"

    guide = workbook.create_sheet(SHEET_GUIDE)
    guide.column_dimensions["A"].width = 12
    guide.column_dimensions["B"].width = 18
    guide.column_dimensions["C"].width = 10
    guide.column_dimensions["D"].width = 90
    title = guide.cell(row=1, column=1, value="党组织和党员导入模板填写说明")
    title.font = Font(bold=True, size=14)
    row = 2
    for note in GENERAL_NOTES:
        cell = guide.cell(row=row, column=1, value=note)
        guide.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        guide.row_dimensions[row].height = 32
        row += 1
    row += 1
    for position, header in enumerate(("工作表", "列名", "是否必填", "填写要求"), start=1):
        cell = guide.cell(row=row, column=position, value=header)
        cell.font, cell.fill, cell.border = header_font, header_fill, border
    row += 1
    for title, columns in SHEETS.items():
        for column in columns:
            values = (title, column.header, "必填" if column.required else "选填", column.guide)
            for position, value in enumerate(values, start=1):
                cell = guide.cell(row=row, column=position, value=value)
                cell.border = border
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            row += 1

    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
