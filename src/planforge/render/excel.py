"""Excel tables through openpyxl: named cells filled, one marked row repeated per record.

The marked row is the one whose cells mention ``row`` or ``index`` inside ``{{ }}``. Rows below it
move down with their styles, heights and merged cells. Before any row is written, every reference
in the workbook is moved for the rows to come (:mod:`.references`), so ``=SUM(K5:K5)``, a 汇总
sheet, names, drop-downs, formats, tables and charts cover every filled row.

Small tables are filled in place in the loaded template. Big ones (a province's roster) are
written as text (:mod:`.xlsxstream`): the marked row compiled once, each output row written as
it is made, so time stays at a few microseconds a cell and memory does not grow with the rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from jinja2.sandbox import ImmutableSandboxedEnvironment
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import TemplateError
from ..rowfit import fit_row_heights, keep_signatures_with_table
from ..spill import SpilledList
from .excelcells import SheetFiller
from .package import check_office_package
from .references import Insertion, ReferenceShifter, UnreadableFormula
from .xlsxstream import stream_workbook

ROW_MARK = re.compile(r"\{\{[^}]*\b(row|index)\b")
STREAM_MINIMUM = 2000  # rows from which a table is streamed rather than built in memory


def find_template_row(sheet: Worksheet) -> int | None:
    """The first row holding a per-record placeholder."""
    for row in sheet.iter_rows():
        if any(isinstance(c.value, str) and ROW_MARK.search(c.value) for c in row):
            return row[0].row
    return None


def shift_references(workbook: openpyxl.Workbook, lists: Mapping[str, list[Any]], name: str
                     ) -> dict[str, int | None]:
    """Move every reference in the loaded template for the rows its marked rows will become;
    returns each sheet's marked row. Done once per template, before any row is written."""
    marked = {sheet.title: find_template_row(sheet) for sheet in workbook.worksheets}
    shifter = ReferenceShifter(
        {title: Insertion(row, max(len(lists[title]), 1) - 1)
         for title, row in marked.items() if row is not None}, workbook.sheetnames)
    if not shifter:
        return marked
    where = "定义名称 / defined names"
    try:
        shifter.shift_names(workbook.defined_names.values(), None)
        for sheet in workbook.worksheets:
            where = sheet.title
            shifter.shift_sheet(sheet)
            shifter.shift_merges(sheet)
            for row in sheet.iter_rows():
                for cell in row:
                    where = f"{sheet.title}!{cell.coordinate}"
                    _shift_cell(shifter, cell, cell.row == marked[sheet.title])
    except UnreadableFormula as error:
        raise TemplateError(f"模板「{name}」{where} 的公式无法读取：{error} / template {name!r}: "
                            f"the formula at {where} cannot be read: {error}") from None
    return marked


def _shift_cell(shifter: ReferenceShifter, cell, on_marked_row: bool) -> None:
    title = cell.parent.title
    if cell.data_type == "f" and isinstance(cell.value, str):
        cell.value = shifter.formula(cell.value, title, on_marked_row)
    elif isinstance(cell.value, ArrayFormula) and not on_marked_row:
        cell.value.text = shifter.formula(cell.value.text, title)
        cell.value.ref = shifter.ranges(cell.value.ref, title)
    if cell.hyperlink is not None:
        shifter.shift_link(cell.hyperlink, title)


def render_xlsx(template: Path, context: Mapping[str, Any], env: ImmutableSandboxedEnvironment,
                target: Path, each: str, sheet_lists: Mapping[str, str]) -> None:
    """Fill every sheet of ``template``; each sheet's marked row repeats over its list."""
    check_office_package(template)
    try:
        workbook = openpyxl.load_workbook(template)
    except Exception as error:  # a damaged template is the plugin's mistake, not a bug
        raise TemplateError(f"无法打开 Excel 模板「{template.name}」：{error} / "
                            f"cannot open Excel template {template.name!r}: {error}") from None
    lists = {s.title: _rows(context.get(sheet_lists.get(s.title, each)))
             for s in workbook.worksheets}
    marked = shift_references(workbook, lists, template.name)
    if sum(map(len, lists.values())) >= STREAM_MINIMUM:
        stream_workbook(workbook, template.name, context, env, target, lists, marked)
        return
    data_rows: dict[str, range] = {}
    for sheet in workbook.worksheets:
        filler = SheetFiller(sheet, env, template.name)
        template_row = marked[sheet.title]
        filler.fill_cells(context, skip_row=template_row)
        if template_row is not None:
            filler.expand(template_row, lists[sheet.title], context)
            data_rows[sheet.title] = range(template_row,
                                           template_row + max(len(lists[sheet.title]), 1))
    fit_row_heights(workbook, data_rows)  # long values wrap: data rows grow to show them whole
    keep_signatures_with_table(workbook)
    workbook.save(target)


def _rows(items: Any) -> Sequence[Any]:
    """A sheet's list; a spilled one (:mod:`planforge.spill`) is read in order, not copied."""
    return items if isinstance(items, SpilledList) else list(items or [])
