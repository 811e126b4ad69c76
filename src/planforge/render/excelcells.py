"""One template cell compiled once, and a worksheet filled in place: what both Excel writers
(in memory, :mod:`.excel`, and streamed as text, :mod:`.xlsxstream`) share.

A cell is a constant, a formula, a field lookup (``{{ row.name }}``, ``{{ index }}``: nearly
every cell of a marked row, looked up directly) or Jinja, rendered in the sandbox.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from copy import copy
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jinja2 import Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import TemplateError
from ..fields import MAX_CELL_CHARACTERS
from .jinja import printed, render_text, template_failure

_SINGLE_EXPRESSION = re.compile(r"^\s*\{\{(.*?)\}\}\s*$", re.S)
_LOOKUP = re.compile(r"^\s*\{\{\s*(?:row\.([A-Za-z_]\w*)|(index))\s*\}\}\s*$")
_NATIVE = (int, float, Decimal, date, datetime)
_KEPT = frozenset({type(None), str, *_NATIVE})  # exactly these types go into a cell as they are
NOT_FOUND = object()  # a lookup that found nothing: Jinja decides


def cell_value(value: Any) -> Any:
    """What a cell holds for a template's value: numbers and dates as such, a boolean as 是/否
    (as Jinja prints it), anything else as text."""
    if value is None or (isinstance(value, _NATIVE) and value is not True and value is not False):
        return value
    return printed(value) if isinstance(value, bool) else str(value)


def is_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)



class CellProgram:
    """One template cell compiled once: a constant, a formula, a field lookup or Jinja.

    ``{{ row.name }}`` and ``{{ index }}`` (nearly every cell of a marked row) are looked up
    directly; anything else goes through the sandbox.
    """

    def __init__(self, source: Any, env: ImmutableSandboxedEnvironment, template: str,
                 cell: str = ""):
        self.source, self.env, self.template, self.cell = source, env, template, cell
        self.kind = "constant"
        if isinstance(source, str) and source.startswith("=") and not is_template(source):
            self.kind = "formula"
        elif is_template(source):
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
            if found is not NOT_FOUND:
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
            return cell_value(result)
        return render_text(self.env, self.source, context, self.template, self._where)

    def _where(self, line: int) -> tuple[str, str]:
        """The template cell a failure happened in (see :func:`template_failure`)."""
        return f"单元格 {self.cell} ", f" cell {self.cell}"

    def look_up(self, row: Any, index: Any) -> Any:
        """A lookup cell's value straight from the row, or ``NOT_FOUND`` (then Jinja decides)."""
        if self.field is None:
            return index
        if (type(row) is dict or isinstance(row, Mapping)) and self.field in row:
            result = row[self.field]
            return result if type(result) in _KEPT else cell_value(result)
        return NOT_FOUND

    def formula_at(self, template_row: int, row: int, column: int) -> str:
        """The template row's own formula (``=H5*J5``) moved to ``row``."""
        letter = get_column_letter(column)
        return Translator(self.source, origin=f"{letter}{template_row}").translate_formula(
            f"{letter}{row}")


def too_long(coordinate: str, value: str) -> TemplateError:
    """The error for a filled cell longer than Excel allows."""
    return TemplateError(
        f"单元格 {coordinate} 填入后有 {len(value)} 个字，超过 Excel 的上限 "
        f"{MAX_CELL_CHARACTERS} / cell {coordinate} would hold {len(value)} characters, "
        f"more than Excel allows ({MAX_CELL_CHARACTERS})")


def _assign(cell, value: Any) -> None:
    if isinstance(value, str) and len(value) > MAX_CELL_CHARACTERS:
        raise too_long(cell.coordinate, value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # a value such as "=cmd|..." from data must never become a formula


class SheetFiller:
    """Fills one loaded worksheet in place (tables of moderate size)."""

    def __init__(self, sheet: Worksheet, env: ImmutableSandboxedEnvironment, template: str):
        self.sheet, self.env, self.template = sheet, env, template

    def fill_cells(self, context: Mapping[str, Any], skip_row: int | None) -> None:
        for row in self.sheet.iter_rows():
            for cell in row:
                if cell.row != skip_row and is_template(cell.value):
                    _assign(cell, CellProgram(cell.value, self.env, self.template,
                                              cell.coordinate).evaluate(context))

    def expand(self, template_row: int, items: Sequence[Any], context: Mapping[str, Any]) -> None:
        sheet = self.sheet
        shift = max(len(items), 1) - 1
        template = [(c.column, CellProgram(c.value, self.env, self.template, c.coordinate),
                     copy(c._style)) for c in sheet[template_row]]
        height = sheet.row_dimensions[template_row].height
        row_merges = [m for m in sheet.merged_cells.ranges if m.min_row == m.max_row == template_row]
        self.move_below(template_row, shift)
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

    def move_below(self, template_row: int, shift: int) -> None:
        """Cells, heights and links below the marked row go down (references already moved)."""
        if not shift:
            return
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
