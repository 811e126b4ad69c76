"""Excel tables through openpyxl: named cells filled, one marked row repeated per record.

The marked row is the one whose cells mention ``row`` or ``index`` inside ``{{ }}``. Rows below it
move down with their styles, heights and merged cells, and formulas that summed the marked row
(``=SUM(K5:K5)``) are widened to every filled row, so totals stay live in Excel.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from copy import copy
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from jinja2.sandbox import ImmutableSandboxedEnvironment
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from .jinja import render_text, template_failure

ROW_MARK = re.compile(r"\{\{[^}]*\b(row|index)\b")
_SINGLE_EXPRESSION = re.compile(r"^\s*\{\{(.*?)\}\}\s*$", re.S)
_REF = re.compile(r"^(?P<sheet>.+!)?(?P<c1>\$?[A-Z]{1,3})(?P<r1>\$?\d+)"
                  r"(?::(?P<c2>\$?[A-Z]{1,3})(?P<r2>\$?\d+))?$")


def _is_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def find_template_row(sheet: Worksheet) -> int | None:
    """The first row holding a per-record placeholder."""
    for row in sheet.iter_rows():
        if any(isinstance(c.value, str) and ROW_MARK.search(c.value) for c in row):
            return row[0].row
    return None


def _shift_row(text: str, template_row: int, shift: int, widen: bool) -> str:
    absolute = text.startswith("$")
    number = int(text.lstrip("$"))
    if number > template_row or (widen and number == template_row):
        number += shift
    return f"{'$' if absolute else ''}{number}"


def shift_formula(formula: str, template_row: int, shift: int, sheet_title: str) -> str:
    """Move references below the template row down and widen ranges that end on it."""
    tokenizer = Tokenizer(formula)
    for token in tokenizer.items:
        if token.type != Token.OPERAND or token.subtype != Token.RANGE:
            continue
        match = _REF.match(token.value)
        if not match:
            continue
        sheet = match.group("sheet")
        if sheet and sheet.rstrip("!").strip("'") != sheet_title:
            continue
        first = _shift_row(match.group("r1"), template_row, shift, widen=False)
        value = f"{sheet or ''}{match.group('c1')}{first}"
        if match.group("c2"):
            last = _shift_row(match.group("r2"), template_row, shift, widen=True)
            value += f":{match.group('c2')}{last}"
        token.value = value
    return tokenizer.render()


class SheetFiller:
    """Fills one worksheet in place."""

    def __init__(self, sheet: Worksheet, env: ImmutableSandboxedEnvironment, template: str):
        self.sheet, self.env, self.template = sheet, env, template

    def value(self, source: str, context: Mapping[str, Any]) -> Any:
        """A lone ``{{ expr }}`` keeps its type (numbers stay numbers); anything else is text."""
        match = _SINGLE_EXPRESSION.match(source)
        if match and "{{" not in match.group(1):
            try:
                result = self.env.compile_expression(match.group(1))(**context)
            except Exception as error:
                raise template_failure(self.template, error) from None
            if result is None or isinstance(result, int | float | Decimal | date | datetime):
                return result
            return str(result)
        return render_text(self.env, source, context, self.template)

    def set(self, cell, value: Any) -> None:
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # a value such as "=cmd|..." from data must never become a formula

    def fill_cells(self, context: Mapping[str, Any], skip_row: int | None) -> None:
        for row in self.sheet.iter_rows():
            for cell in row:
                if cell.row != skip_row and _is_template(cell.value):
                    self.set(cell, self.value(cell.value, context))

    def expand(self, template_row: int, items: Sequence[Any], context: Mapping[str, Any]) -> None:
        sheet = self.sheet
        shift = max(len(items), 1) - 1
        template = [(c.column, c.value, copy(c._style)) for c in sheet[template_row]]
        height = sheet.row_dimensions[template_row].height
        row_merges = [m for m in sheet.merged_cells.ranges if m.min_row == m.max_row == template_row]
        if shift:
            self._move_below(template_row, shift)
        for offset in range(max(len(items), 1)):
            row_number = template_row + offset
            row_context = dict(context)
            if items:
                row_context.update(row=items[offset], index=offset + 1)
            for column, source, style in template:
                cell = sheet.cell(row=row_number, column=column)
                cell._style = copy(style)
                if _is_template(source):
                    self.set(cell, self.value(source, row_context) if items else None)
                else:
                    cell.value = source
            sheet.row_dimensions[row_number].height = height
            if offset:
                for merge in row_merges:
                    sheet.merge_cells(start_row=row_number, end_row=row_number,
                                      start_column=merge.min_col, end_column=merge.max_col)

    def _move_below(self, template_row: int, shift: int) -> None:
        sheet = self.sheet
        last_row, last_col = sheet.max_row, sheet.max_column
        below_merges = [m for m in sheet.merged_cells.ranges if m.min_row > template_row]
        for merge in below_merges:
            sheet.merged_cells.remove(merge)
        heights = {r: d.height for r, d in sheet.row_dimensions.items() if r > template_row}
        if last_row > template_row:
            sheet.move_range(f"A{template_row + 1}:{get_column_letter(last_col)}{last_row}",
                             rows=shift)
        for row in sorted(heights, reverse=True):
            sheet.row_dimensions[row + shift].height = heights[row]
            sheet.row_dimensions[row].height = None
        for merge in below_merges:
            merge.shift(0, shift)
            sheet.merged_cells.add(merge)
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" and isinstance(cell.value, str):
                    cell.value = shift_formula(cell.value, template_row, shift, sheet.title)
        self._shift_print_area(template_row, shift)

    def _shift_print_area(self, template_row: int, shift: int) -> None:
        area = self.sheet.print_area
        if not area:
            return
        ranges = []
        for part in (area if isinstance(area, list) else area.split(",")):
            reference = part.split("!")[-1].replace("$", "")
            min_col, min_row, max_col, max_row = range_boundaries(reference)
            if max_row >= template_row:
                max_row += shift
            ranges.append(f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}")
        self.sheet.print_area = ranges


def render_xlsx(template: Path, context: Mapping[str, Any], env: ImmutableSandboxedEnvironment,
                target: Path, each: str, sheet_lists: Mapping[str, str]) -> None:
    """Fill every sheet of ``template``; each sheet's marked row repeats over its list."""
    workbook = openpyxl.load_workbook(template)
    for sheet in workbook.worksheets:
        filler = SheetFiller(sheet, env, template.name)
        template_row = find_template_row(sheet)
        filler.fill_cells(context, skip_row=template_row)
        if template_row is not None:
            items = context.get(sheet_lists.get(sheet.title, each)) or []
            filler.expand(template_row, list(items), context)
    workbook.save(target)
