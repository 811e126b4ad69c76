"""Blank input workbooks: the sheet a clerk fills in, made from what a document type declares.

The most common clerk errors happen before planforge ever reads a file: an ID number typed into a
General column becomes 4.40232E+17, a choice is spelt another way, a header is renamed. A blank made
from the fields themselves prevents them: the ID column is text, choices are drop-down lists,
every header carries an input message, and the example row is skipped when the sheet is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .errors import PlanforgeError
from .model import Field, FieldType, TableSpec
from .output import write_atomic
from .validate import EXAMPLE_MARK

EXPLANATION_SHEET = "填写说明"
#: Rows below the header that carry the column's formats and drop-down lists.
FORMATTED_ROWS = 5000

_CHOICES_BY_TYPE = {"yes_no": ("是", "否"), "sex": ("男", "女")}
#: The example of a yes/no column is 否: 是 usually marks an exception (离岗退养, 不良记录).
_EXAMPLE_YES_NO = "否"
_TEXT_TYPES = {"resident_id", "phone", "month", "text", "choice", "sex", "yes_no", "quarter",
               "image"}
_NUMBER_FORMATS = {"date": "yyyy-mm-dd", "integer": "0", "amount": "#,##0.00"}
#: Example values by type; a few common field names get a more telling one.
_EXAMPLES_BY_TYPE: dict[str, Any] = {
    "resident_id": "440232196003150014",  # a man, as the sex example says
    "date": dt.date(2020, 3, 5),
    "month": "1958.12",
    "phone": "13800138000",
    "integer": 1,
    "amount": "1000.00",
    "quarter": "2026Q1",
    "image": "照片/示例.jpg",
}
_EXAMPLES_BY_NAME = {"name": "张三", "school": "某某小学", "remark": ""}
_MAX_PROMPT = 255  # Excel refuses longer input messages
_MAX_PROMPT_TITLE = 32
_MAX_INLINE_LIST = 255  # the longest "a,b,c" list Excel keeps inline

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="E7EEF7")
_EXAMPLE_FONT = Font(name="宋体", size=11, italic=True, color="808080")
_WRAP = Alignment(vertical="top", wrap_text=True)


def choices_of(field: Field) -> tuple[str, ...]:
    """The values a drop-down offers for a field, if it has a fixed set."""
    if field.choices:
        return tuple(str(choice) for choice in field.choices)
    return _CHOICES_BY_TYPE.get(field.type, ())


def example_value(field: Field, field_type: FieldType | None = None) -> Any:
    """A value the field accepts, shown in the example row: a known one for the built-in
    types, else the first example a type's description gives after its colon
    (``"期限 / term: 2023—2025年, …"``), which is how every field type describes itself."""
    if field.type == "yes_no" and not field.choices:
        return _EXAMPLE_YES_NO
    choices = choices_of(field)
    if choices:
        return choices[0]
    if field.name in _EXAMPLES_BY_NAME:
        return _EXAMPLES_BY_NAME[field.name]
    if field.type in _EXAMPLES_BY_TYPE:
        value = _EXAMPLES_BY_TYPE[field.type]
        if field.type == "integer" and field.min is not None:
            value = max(value, int(field.min))
        return value
    described = field_type.description if field_type is not None else ""
    if field.type != "text" and ": " in described:
        return described.split(": ", 1)[1].split(", ")[0].strip()
    return f"（{field.label}）"


def sheet_name(spec: TableSpec, primary: bool) -> str:
    """The sheet a table is read from: the first name the spec looks for, else its title."""
    name = spec.sheets[0] if spec.sheets else (spec.title or ("数据" if primary else spec.name))
    for character in "[]:*?/\\":
        name = name.replace(character, "_")
    return name[:31]


def _prompt(field: Field, field_type: FieldType | None) -> tuple[str, str]:
    """The input message Excel shows when the clerk selects the column: title and text."""
    parts = ["必填。" if field.required else "可不填。"]
    if field.help:
        parts.append(field.help)
    elif field_type is not None and field_type.description:
        parts.append(field_type.description)
    choices = choices_of(field)
    if choices:
        parts.append("可选：" + "、".join(choices))
    if field.type == "resident_id":
        parts.append("本列为文本格式，请直接输入18位号码。")
    text = " ".join(parts)
    if len(text) > _MAX_PROMPT:
        text = text[: _MAX_PROMPT - 1] + "…"
    return field.label[:_MAX_PROMPT_TITLE], text


class _ChoiceLists:
    """Choices too long (or too odd) for an inline list live in a column of the explanation
    sheet, and the drop-down refers to that range."""

    def __init__(self, sheet: Worksheet, first_column: int):
        self.sheet = sheet
        self.next_column = first_column

    def formula(self, choices: Sequence[str]) -> str:
        inline = ",".join(choices)
        if len(inline) + 2 <= _MAX_INLINE_LIST and not any(
                "," in choice or '"' in choice for choice in choices):
            return f'"{inline}"'
        column = self.next_column
        self.next_column += 1
        letter = get_column_letter(column)
        self.sheet.cell(row=1, column=column, value="可选值列表")
        for row, choice in enumerate(choices, start=2):
            self.sheet.cell(row=row, column=column, value=choice)
        last = len(choices) + 1
        return f"{quote_sheetname(self.sheet.title)}!${letter}$2:${letter}${last}"


def _data_sheet(sheet: Worksheet, spec: TableSpec, field_types: Mapping[str, FieldType],
                lists: _ChoiceLists) -> None:
    last_row = FORMATTED_ROWS + 1
    for column, field in enumerate(spec.fields, start=1):
        letter = get_column_letter(column)
        header = sheet.cell(row=1, column=column, value=field.label)
        header.font = Font(name="黑体", size=11, bold=True,
                           color="C00000" if field.required else "000000")
        header.fill = _HEADER_FILL
        header.border = _BORDER
        header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if field.required:
            header.comment = Comment("必填 / required", "planforge")
        dimension = sheet.column_dimensions[letter]
        dimension.width = _width(field)
        number_format = "@" if field.type in _TEXT_TYPES else _NUMBER_FORMATS.get(field.type)
        if number_format:
            dimension.number_format = number_format
        title, prompt = _prompt(field, field_types.get(field.type))
        choices = choices_of(field)
        message = DataValidation(allow_blank=True, showInputMessage=True, promptTitle=title,
                                 prompt=prompt)
        sheet.add_data_validation(message)
        if choices:  # the header row itself is no value: the list starts below it
            message.add(f"{letter}1")
            listed = DataValidation(
                type="list", formula1=lists.formula(choices), allow_blank=True,
                showInputMessage=True, promptTitle=title, prompt=prompt, showErrorMessage=True,
                errorTitle=title, error=("请从下拉列表中选择：" + "、".join(choices))[:_MAX_PROMPT])
            listed.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(listed)
        else:
            message.add(f"{letter}1:{letter}{last_row}")
        example = sheet.cell(row=2, column=column,
                             value=example_value(field, field_types.get(field.type)))
        if number_format:
            example.number_format = number_format
        example.font = _EXAMPLE_FONT
    if spec.fields:
        first = sheet.cell(row=2, column=1)
        first.value = f"{EXAMPLE_MARK}：{'' if first.value is None else first.value}"
        first.number_format = "@"
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 30
    _print_wide(sheet)


def _print_wide(sheet: Worksheet) -> None:
    """A4 landscape, all columns on one page width, the header row on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"


def _width(field: Field) -> float:
    if field.type == "resident_id":
        return 22
    return max(10.0, min(40.0, 2.2 * len(field.label) + 2))


_NOTES = (
    "红色列名为必填列，其余可不填。",
    f"各表第2行是示例（以“{EXAMPLE_MARK}”开头），读取时会跳过；可以删除，也可以保留。",
    "身份证号码列已设为文本格式：请直接输入或粘贴18位号码，不要改成数字格式。",
    "列名不要修改；列的顺序可以调整，也可以在右侧增加其他列。",
)
_EXPLANATION_COLUMNS = (("工作表", 14), ("列名", 18), ("必填", 6), ("类型", 34), ("说明", 40),
                        ("也可写作", 30), ("可选值", 24))


def _explanation(sheet: Worksheet, specs: Iterable[tuple[str, TableSpec]],
                 field_types: Mapping[str, FieldType]) -> None:
    """The notes, then a row per column of every data sheet."""
    width = len(_EXPLANATION_COLUMNS)
    for row, note in enumerate(_NOTES, start=1):
        sheet.cell(row=row, column=1, value=note)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    header_row = len(_NOTES) + 2
    for column, (title, column_width) in enumerate(_EXPLANATION_COLUMNS, start=1):
        cell = sheet.cell(row=header_row, column=column, value=title)
        cell.font = Font(name="黑体", bold=True)
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[get_column_letter(column)].width = column_width
    for name, spec in specs:
        for field in spec.fields:
            field_type = field_types.get(field.type)
            others = [h for h in dict.fromkeys(field.aliases) if h != field.label]
            sheet.append([
                name, field.label, "是" if field.required else "否",
                field_type.description if field_type else field.type,
                field.help, "、".join(others), "、".join(choices_of(field)),
            ])
    for line in sheet.iter_rows(min_row=header_row + 1):
        for cell in line:
            cell.alignment = _WRAP
    _print_wide(sheet)


def blank_workbook(specs: Sequence[TableSpec], field_types: Mapping[str, FieldType]) -> Workbook:
    """One sheet per input table (the primary first), then the explanation of every column."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    named = [(sheet_name(spec, index == 0), spec) for index, spec in enumerate(specs)]
    data_sheets = [(workbook.create_sheet(name), spec) for name, spec in named]
    explanation = workbook.create_sheet(EXPLANATION_SHEET)
    _explanation(explanation, named, field_types)
    lists = _ChoiceLists(explanation, first_column=9)
    for sheet, spec in data_sheets:
        _data_sheet(sheet, spec, field_types, lists)
    workbook.active = 0
    return workbook



def write_blank(specs: Sequence[TableSpec], field_types: Mapping[str, FieldType], target: Path,
                force: bool = False) -> Path:
    """Write the blank atomically; an existing file is replaced only when ``force`` says so."""
    target = Path(target)
    if target.suffix.lower() != ".xlsx":
        raise PlanforgeError(f"空白表只能保存为 .xlsx，而不是「{target.name}」 / "
                             f"a blank is written as .xlsx, not {target.name!r}")
    if target.is_dir():
        raise PlanforgeError(f"「{target}」是一个文件夹 / {str(target)!r} is a folder")
    if target.exists() and not force:
        raise PlanforgeError(f"「{target}」已存在；加 --force 覆盖 / {str(target)!r} exists; "
                             "add --force to replace it")
    workbook = blank_workbook(specs, field_types)
    try:
        write_atomic(target, lambda temporary: workbook.save(temporary))
    except OSError as error:
        raise PlanforgeError(f"无法写入「{target}」：{error.strerror} / cannot write "
                             f"{str(target)!r}: {error.strerror}") from None
    return target
