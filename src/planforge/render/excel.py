"""Excel tables through openpyxl: named cells filled, one marked row repeated per record.

The marked row is the one whose cells mention ``row`` or ``index`` inside ``{{ }}``. Rows below it
move down with their styles, heights and merged cells, and formulas that summed the marked row
(``=SUM(K5:K5)``) are widened to every filled row, so totals stay live in Excel.

Small tables are filled in place in the loaded template. Big ones (a province's roster) are
streamed with openpyxl's write-only mode: each output row is written as it is made, with the
template's styles copied by reference, so memory does not grow with the number of rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from copy import copy
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from jinja2 import Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from openpyxl.cell import Cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as _ILLEGAL
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import TemplateError
from ..fields import MAX_CELL_CHARACTERS
from ..rowfit import fit_row_heights, keep_signatures_with_table
from .jinja import render_text, template_failure
from .package import check_office_package

ROW_MARK = re.compile(r"\{\{[^}]*\b(row|index)\b")
STREAM_MINIMUM = 2000  # rows from which a table is streamed rather than built in memory
_SINGLE_EXPRESSION = re.compile(r"^\s*\{\{(.*?)\}\}\s*$", re.S)
_LOOKUP = re.compile(r"^\s*\{\{\s*(?:row\.([A-Za-z_]\w*)|(index))\s*\}\}\s*$")
_REF = re.compile(r"^(?P<sheet>.+!)?(?P<c1>\$?[A-Z]{1,3})(?P<r1>\$?\d+)"
                  r"(?::(?P<c2>\$?[A-Z]{1,3})(?P<r2>\$?\d+))?$")
_NATIVE = (int, float, Decimal, date, datetime)
_NOT_FOUND = object()


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


class CellProgram:
    """One template cell compiled once: a constant, a formula, a field lookup or Jinja.

    ``{{ row.name }}`` and ``{{ index }}`` (nearly every cell of a marked row) are looked up
    directly; anything else goes through the sandbox.
    """

    def __init__(self, source: Any, env: ImmutableSandboxedEnvironment, template: str):
        self.source, self.env, self.template = source, env, template
        self.kind = "constant"
        if isinstance(source, str) and source.startswith("=") and not _is_template(source):
            self.kind = "formula"
        elif _is_template(source):
            lookup = _LOOKUP.match(source)
            single = _SINGLE_EXPRESSION.match(source)
            if lookup and not hasattr(dict, lookup.group(1) or "index"):
                self.kind, self.field = "lookup", lookup.group(1)
            elif single and "{{" not in single.group(1):
                self.kind, self.compiled = "expression", self._compile_expression(single.group(1))
            else:
                self.kind = "text"

    def _compile_expression(self, expression: str):
        try:
            # Undefined stays Undefined (not None), so that a name the context lacks, or an
            # attribute the sandbox refuses, fails as it does everywhere else.
            return self.env.compile_expression(expression, undefined_to_none=False)
        except Exception as error:
            raise template_failure(self.template, error) from None

    def evaluate(self, context: Mapping[str, Any]) -> Any:
        """The cell's value; text from data stays text even when it starts with ``=``."""
        if self.kind in ("constant", "formula"):
            return self.source
        if self.kind == "lookup":
            found = self.look_up(context.get("row"), context.get("index"))
            if found is not _NOT_FOUND:
                return found
            self.kind, self.compiled = "expression", self._compile_expression(
                _SINGLE_EXPRESSION.match(self.source).group(1))
        if self.kind == "expression":
            try:
                result = self.compiled(**context)
                if isinstance(result, Undefined):
                    str(result)  # raises UndefinedError, or SecurityError for a refused attribute
            except Exception as error:
                raise template_failure(self.template, error) from None
            return result if result is None or isinstance(result, _NATIVE) else str(result)
        return render_text(self.env, self.source, context, self.template)

    def look_up(self, row: Any, index: Any) -> Any:
        """A lookup cell's value straight from the row, or ``_NOT_FOUND`` (then Jinja decides)."""
        if self.field is None:
            return index
        if (type(row) is dict or isinstance(row, Mapping)) and self.field in row:
            result = row[self.field]
            return result if result is None or isinstance(result, _NATIVE) else str(result)
        return _NOT_FOUND

    def formula_at(self, template_row: int, row: int, column: int) -> str:
        """The template row's own formula (``=H5*J5``) moved to ``row``."""
        letter = get_column_letter(column)
        return Translator(self.source, origin=f"{letter}{template_row}").translate_formula(
            f"{letter}{row}")


def _assign(cell, value: Any) -> None:
    if isinstance(value, str) and len(value) > MAX_CELL_CHARACTERS:
        raise TemplateError(
            f"单元格 {cell.coordinate} 填入后有 {len(value)} 个字，超过 Excel 的上限 "
            f"{MAX_CELL_CHARACTERS} / cell {cell.coordinate} would hold {len(value)} characters, "
            f"more than Excel allows ({MAX_CELL_CHARACTERS})")
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # a value such as "=cmd|..." from data must never become a formula


def _assign_streamed(cell, value: Any) -> None:
    """:func:`_assign` for a reused cell, setting text and numbers without openpyxl's per-value
    type dispatch (a third of the time of writing a big roster); checks stay the same."""
    kind = type(value)
    if kind is str and len(value) <= MAX_CELL_CHARACTERS and not _ILLEGAL.search(value):
        cell._value, cell.data_type = value, "s"
    elif kind is int or kind is float:
        cell._value, cell.data_type = value, "n"
    else:
        _assign(cell, value)


class _ReusedCell(Cell):
    """A cell written once per row with a style that never changes: its style id is kept.

    openpyxl looks the id up by hashing the style for every cell written, which costs more than
    writing the value.
    """

    __slots__ = ("_kept_style_id",)

    @property
    def style_id(self) -> int:
        try:
            return self._kept_style_id
        except AttributeError:
            self._kept_style_id = self.parent.parent._cell_styles.add(self._style)
            return self._kept_style_id


def _put(program: CellProgram, cell, value: Any):
    if program.kind in ("constant", "formula"):
        cell.value = value
    else:
        _assign(cell, value)
    return cell


class SheetFiller:
    """Fills one loaded worksheet in place (tables of moderate size)."""

    def __init__(self, sheet: Worksheet, env: ImmutableSandboxedEnvironment, template: str):
        self.sheet, self.env, self.template = sheet, env, template

    def fill_cells(self, context: Mapping[str, Any], skip_row: int | None) -> None:
        for row in self.sheet.iter_rows():
            for cell in row:
                if cell.row != skip_row and _is_template(cell.value):
                    _assign(cell, CellProgram(cell.value, self.env, self.template)
                            .evaluate(context))

    def expand(self, template_row: int, items: Sequence[Any], context: Mapping[str, Any]) -> None:
        sheet = self.sheet
        shift = max(len(items), 1) - 1
        template = [(c.column, CellProgram(c.value, self.env, self.template), copy(c._style))
                    for c in sheet[template_row]]
        height = sheet.row_dimensions[template_row].height
        row_merges = [m for m in sheet.merged_cells.ranges if m.min_row == m.max_row == template_row]
        if shift:
            self._move_below(template_row, shift)
        for offset in range(max(len(items), 1)):
            row_number = template_row + offset
            row_context = {**context, "row": items[offset], "index": offset + 1} if items else None
            for column, program, style in template:
                cell = sheet.cell(row=row_number, column=column)
                cell._style = copy(style)
                if program.kind == "formula":
                    cell.value = program.formula_at(template_row, row_number, column)
                elif program.kind == "constant":
                    cell.value = program.source
                else:
                    _assign(cell, program.evaluate(row_context) if row_context else None)
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
        self.sheet.print_area = shifted_print_area(self.sheet.print_area, template_row, shift)


def shifted_print_area(area: str | None, template_row: int, shift: int) -> list[str] | None:
    """The print area grown by the rows the marked row became."""
    if not area:
        return None
    ranges = []
    for part in (area if isinstance(area, list) else area.split(",")):
        reference = part.split("!")[-1].replace("$", "")
        min_col, min_row, max_col, max_row = range_boundaries(reference)
        if max_row >= template_row:
            max_row += shift
        ranges.append(f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}")
    return ranges


def _streamable(workbook: openpyxl.Workbook) -> bool:
    """Write-only output cannot carry pictures, charts, validations or conditional formats."""
    return not any(s._images or s._charts or s.data_validations.dataValidation
                   or s.conditional_formatting for s in workbook.worksheets)


def render_xlsx(template: Path, context: Mapping[str, Any], env: ImmutableSandboxedEnvironment,
                target: Path, each: str, sheet_lists: Mapping[str, str]) -> None:
    """Fill every sheet of ``template``; each sheet's marked row repeats over its list."""
    check_office_package(template)
    try:
        workbook = openpyxl.load_workbook(template)
    except Exception as error:  # a damaged template is the plugin's mistake, not a bug
        raise TemplateError(f"无法打开 Excel 模板「{template.name}」：{error} / "
                            f"cannot open Excel template {template.name!r}: {error}") from None
    lists = {s.title: list(context.get(sheet_lists.get(s.title, each)) or [])
             for s in workbook.worksheets}
    if sum(map(len, lists.values())) >= STREAM_MINIMUM and _streamable(workbook):
        stream_workbook(workbook, template.name, context, env, target, lists)
        return
    data_rows: dict[str, range] = {}
    for sheet in workbook.worksheets:
        filler = SheetFiller(sheet, env, template.name)
        template_row = find_template_row(sheet)
        filler.fill_cells(context, skip_row=template_row)
        if template_row is not None:
            filler.expand(template_row, lists[sheet.title], context)
            data_rows[sheet.title] = range(template_row,
                                           template_row + max(len(lists[sheet.title]), 1))
    fit_row_heights(workbook, data_rows)  # long values wrap: data rows grow to show them whole
    keep_signatures_with_table(workbook)
    workbook.save(target)


def stream_workbook(source: openpyxl.Workbook, name: str, context: Mapping[str, Any],
                    env: ImmutableSandboxedEnvironment, target: Path,
                    lists: Mapping[str, list[Any]]) -> None:
    """Write the filled workbook row by row in write-only mode."""
    output = openpyxl.Workbook(write_only=True)
    for sheet in source.worksheets:
        _stream_sheet(sheet, output.create_sheet(sheet.title), name, context, env,
                      lists[sheet.title])
    output.save(target)


def _copy_layout(sheet: Worksheet, out, template_row: int | None, shift: int) -> None:
    for key, dimension in sheet.column_dimensions.items():
        out.column_dimensions[key].width = dimension.width
        out.column_dimensions[key].hidden = dimension.hidden
    out.sheet_properties = copy(sheet.sheet_properties)
    out.page_margins = copy(sheet.page_margins)
    out.HeaderFooter = copy(sheet.HeaderFooter)  # printed page numbers (第 &P 页，共 &N 页)
    for attribute in ("orientation", "paperSize", "fitToWidth", "fitToHeight", "scale"):
        setattr(out.page_setup, attribute, getattr(sheet.page_setup, attribute))
    for attribute in ("horizontalCentered", "verticalCentered", "gridLines"):
        setattr(out.print_options, attribute, getattr(sheet.print_options, attribute))
    out.freeze_panes = sheet.freeze_panes
    if sheet.print_title_rows:
        out.print_title_rows = sheet.print_title_rows.replace("$", "")
    if sheet.print_area:
        area = sheet.print_area
        out.print_area = (shifted_print_area(area, template_row, shift) if template_row
                          else [a.split("!")[-1].replace("$", "") for a in area.split(",")])


def _stream_sheet(sheet: Worksheet, out, name: str, context: Mapping[str, Any],
                  env: ImmutableSandboxedEnvironment, items: list[Any]) -> None:
    template_row = find_template_row(sheet)
    shift = max(len(items), 1) - 1 if template_row else 0
    _copy_layout(sheet, out, template_row, shift)
    width = sheet.max_column
    for merge in sheet.merged_cells.ranges:
        if template_row is None or merge.max_row < template_row:
            out.merged_cells.add(copy(merge))
        elif merge.min_row > template_row:
            moved = copy(merge)
            moved.shift(0, shift)
            out.merged_cells.add(moved)
    row_merges = [m for m in sheet.merged_cells.ranges
                  if template_row and m.min_row == m.max_row == template_row]

    # Cells are made once per column and reused for every row: write-only mode writes a row as
    # soon as it is appended, and handing it finished cells skips its per-value conversion.
    out._values_to_row = lambda cells, row_number: cells

    def prototypes(row: Iterable) -> list[tuple[CellProgram, Any]]:
        """Compile each cell once and register its style in the output once."""
        result = []
        for cell in row:
            target = _ReusedCell(out)
            if cell.has_style:
                target.font, target.border = copy(cell.font), copy(cell.border)
                target.fill, target.number_format = copy(cell.fill), cell.number_format
                target.alignment, target.protection = copy(cell.alignment), copy(cell.protection)
            target.column = cell.column
            result.append((CellProgram(cell.value, env, name), target))
        return result

    heights: dict[float, dict[str, str]] = {}

    def emit(row_number: int, cells: list, height: float | None) -> None:
        if height is not None:
            # The writer only reads a row dimension's attributes (ht, customHeight): the same
            # ones, worked out once per height, serve every row instead of a new object each.
            if height not in heights:
                heights[height] = dict(RowDimension(out, index=row_number, ht=height))
            out.row_dimensions[row_number] = heights[height]
        for cell in cells:
            cell.row = row_number
        out.append(cells)
        if height is not None:
            del out.row_dimensions[row_number]  # written already; keep memory flat

    marked = prototypes(sheet[template_row]) if template_row else []
    marked_height = sheet.row_dimensions[template_row].height if template_row else None
    for source_row in sheet.iter_rows(min_row=1, max_row=sheet.max_row, max_col=width):
        number = source_row[0].row
        if number == template_row:
            for offset in range(max(len(items), 1)):
                row_number = template_row + offset
                item = items[offset] if items else None
                row_context = None  # made only for a cell that is more than a lookup
                cells = []
                for program, cell in marked:
                    if program.kind == "formula":
                        cell.value = program.formula_at(template_row, row_number, cell.column)
                    elif program.kind == "constant":
                        cell.value = program.source
                    elif not items:
                        _assign(cell, None)
                    else:
                        value = (program.look_up(item, offset + 1) if program.kind == "lookup"
                                 else _NOT_FOUND)
                        if value is _NOT_FOUND:
                            row_context = row_context or {**context, "row": item,
                                                          "index": offset + 1}
                            value = program.evaluate(row_context)
                        _assign_streamed(cell, value)
                    cells.append(cell)
                emit(row_number, cells, marked_height)
                if offset:
                    for merge in row_merges:
                        out.merged_cells.add(f"{get_column_letter(merge.min_col)}{row_number}:"
                                             f"{get_column_letter(merge.max_col)}{row_number}")
            continue
        below = template_row is not None and number > template_row
        cells = []
        for program, cell in prototypes(source_row):
            if program.kind == "formula":
                value = (shift_formula(program.source, template_row, shift, sheet.title)
                         if template_row else program.source)
            else:
                value = program.evaluate(context)
            cells.append(_put(program, cell, value))
        emit(number + (shift if below else 0), cells, sheet.row_dimensions[number].height
             if number in sheet.row_dimensions else None)
