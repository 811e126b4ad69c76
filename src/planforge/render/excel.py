"""Excel tables through openpyxl: named cells filled, one marked row repeated per record.

The marked row is the one whose cells mention ``row`` or ``index`` inside ``{{ }}``. Rows below it
move down with their styles, heights and merged cells. Before any row is written, every reference
in the workbook is moved for the rows to come (:mod:`.references`), so ``=SUM(K5:K5)``, a 汇总
sheet, names, drop-downs, formats, tables and charts cover every filled row.

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
from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import TemplateError
from ..fields import MAX_CELL_CHARACTERS
from ..rowfit import fit_row_heights, keep_signatures_with_table
from ..spill import SpilledList
from .jinja import printed, render_text, template_failure
from .package import check_office_package
from .references import Insertion, ReferenceShifter, UnreadableFormula

ROW_MARK = re.compile(r"\{\{[^}]*\b(row|index)\b")
STREAM_MINIMUM = 2000  # rows from which a table is streamed rather than built in memory
_SINGLE_EXPRESSION = re.compile(r"^\s*\{\{(.*?)\}\}\s*$", re.S)
_LOOKUP = re.compile(r"^\s*\{\{\s*(?:row\.([A-Za-z_]\w*)|(index))\s*\}\}\s*$")
_NATIVE = (int, float, Decimal, date, datetime)
_KEPT = frozenset({type(None), str, *_NATIVE})  # exactly these types go into a cell as they are
_NOT_FOUND = object()


def _cell_value(value: Any) -> Any:
    """What a cell holds for a template's value: numbers and dates as such, a boolean as 是/否
    (as Jinja prints it), anything else as text."""
    if value is None or (isinstance(value, _NATIVE) and value is not True and value is not False):
        return value
    return printed(value) if isinstance(value, bool) else str(value)


def _is_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def find_template_row(sheet: Worksheet) -> int | None:
    """The first row holding a per-record placeholder."""
    for row in sheet.iter_rows():
        if any(isinstance(c.value, str) and ROW_MARK.search(c.value) for c in row):
            return row[0].row
    return None


class CellProgram:
    """One template cell compiled once: a constant, a formula, a field lookup or Jinja.

    ``{{ row.name }}`` and ``{{ index }}`` (nearly every cell of a marked row) are looked up
    directly; anything else goes through the sandbox.
    """

    def __init__(self, source: Any, env: ImmutableSandboxedEnvironment, template: str,
                 cell: str = ""):
        self.source, self.env, self.template, self.cell = source, env, template, cell
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
                raise template_failure(self.template, error, self._where) from None
            return _cell_value(result)
        return render_text(self.env, self.source, context, self.template, self._where)

    def _where(self, line: int) -> tuple[str, str]:
        """The template cell a failure happened in (see :func:`template_failure`)."""
        return f"单元格 {self.cell} ", f" cell {self.cell}"

    def look_up(self, row: Any, index: Any) -> Any:
        """A lookup cell's value straight from the row, or ``_NOT_FOUND`` (then Jinja decides)."""
        if self.field is None:
            return index
        if (type(row) is dict or isinstance(row, Mapping)) and self.field in row:
            result = row[self.field]
            return result if type(result) in _KEPT else _cell_value(result)
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
                    _assign(cell, CellProgram(cell.value, self.env, self.template,
                                              cell.coordinate).evaluate(context))

    def expand(self, template_row: int, items: Sequence[Any], context: Mapping[str, Any]) -> None:
        sheet = self.sheet
        shift = max(len(items), 1) - 1
        template = [(c.column, CellProgram(c.value, self.env, self.template, c.coordinate),
                     copy(c._style)) for c in sheet[template_row]]
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
        """Cells, heights and links below the marked row go down (references already moved)."""
        sheet = self.sheet
        last_row, last_col = sheet.max_row, sheet.max_column
        heights = {r: d.height for r, d in sheet.row_dimensions.items() if r > template_row}
        if last_row > template_row:
            sheet.move_range(f"A{template_row + 1}:{get_column_letter(last_col)}{last_row}",
                             rows=shift)
        for row in sorted(heights, reverse=True):
            sheet.row_dimensions[row + shift].height = heights[row]
            sheet.row_dimensions[row].height = None
        for row in sheet.iter_rows(min_row=template_row + shift + 1):
            for cell in row:
                if cell.hyperlink is not None:
                    cell.hyperlink.ref = cell.coordinate


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


def stream_workbook(source: openpyxl.Workbook, name: str, context: Mapping[str, Any],
                    env: ImmutableSandboxedEnvironment, target: Path,
                    lists: Mapping[str, list[Any]], marked: Mapping[str, int | None]) -> None:
    """Write the filled workbook row by row in write-only mode; references in ``source`` are
    already moved (:func:`shift_references`)."""
    output = openpyxl.Workbook(write_only=True)
    for defined in source.defined_names.values():
        output.defined_names.add(defined)
    for sheet in source.worksheets:
        _stream_sheet(sheet, output.create_sheet(sheet.title), name, context, env,
                      lists[sheet.title], marked[sheet.title])
    output.save(target)


def _copy_layout(sheet: Worksheet, out) -> None:
    """What a sheet carries besides its cells: page set-up, names, validations, formats,
    tables, pictures and charts (all moved for the inserted rows already)."""
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
        out.print_area = [a.split("!")[-1].replace("$", "") for a in sheet.print_area.split(",")]
    out.defined_names = sheet.defined_names
    out.data_validations = sheet.data_validations
    out.conditional_formatting = sheet.conditional_formatting
    out.auto_filter = sheet.auto_filter
    out.row_breaks = sheet.row_breaks
    for table in sheet.tables.values():
        out.tables.add(table)
    for image in sheet._images:
        out.add_image(image)
    for chart in sheet._charts:
        out.add_chart(chart)


def _stream_sheet(sheet: Worksheet, out, name: str, context: Mapping[str, Any],
                  env: ImmutableSandboxedEnvironment, items: list[Any],
                  template_row: int | None) -> None:
    shift = max(len(items), 1) - 1 if template_row else 0
    _copy_layout(sheet, out)
    width = sheet.max_column
    for merge in sheet.merged_cells.ranges:
        out.merged_cells.add(merge.coord)  # a copy would make the source's cells where it now is
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
            result.append((CellProgram(cell.value, env, name, cell.coordinate), target))
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
        row_number = number + (shift if template_row and number > template_row else 0)
        cells = []
        for (program, cell), source in zip(prototypes(source_row), source_row, strict=True):
            value = program.source if program.kind == "formula" else program.evaluate(context)
            cells.append(_put(program, cell, value))
            if source.hyperlink is not None:
                cell._hyperlink = copy(source.hyperlink)
                cell._hyperlink.ref = f"{get_column_letter(source.column)}{row_number}"
            if source.comment is not None:
                cell.comment = copy(source.comment)
        emit(row_number, cells, sheet.row_dimensions[number].height
             if number in sheet.row_dimensions else None)
