"""A blank Excel annex made a template: header found, first blank row marked, blanks as settings.

Everything the office drew stays as it was (styles, merges, borders, print set-up): only cell
values change, and the spare blank rows of the table are removed so the filled table ends with
its last record.
"""

from __future__ import annotations

import re
from copy import copy
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from .blanks import Settings
from .headers import FieldGuess, clean_label, guess_field, is_index, placeholder
from .model import Inference

ANNEX = re.compile(r"^\s*附\s*件\s*(\d+)\s*$")
TOTALS = {"合计", "总计", "小计"}
SIGNATURES = ("盖章", "签名", "签字", "填表人", "审核人", "负责人")
HEADER_SCAN = 25
_NUMERIC = {"amount", "integer"}


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _header_like(value: Any) -> bool:
    text = _text(value)
    return (bool(text) and len(text) <= 24 and not ANNEX.match(text)
            and not text.endswith(("：", ":")) and "：" not in text)


def _merged_at(sheet: Worksheet, row: int, column: int) -> CellRange | None:
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            return merged
    return None


def _header_rows(sheet: Worksheet) -> tuple[int, int] | None:
    """The first and last row of the header (two when merged parents stand over children)."""
    best, score = None, 1
    for row in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, HEADER_SCAN)):
        count = sum(1 for cell in row if _header_like(cell.value))
        if count > score:
            best, score = row[0].row, count
    if best is None:
        return None

    width = sum(1 for cell in sheet[best] if _text(cell.value))

    def parents_over(top: int) -> bool:
        """A merged parent names a group of columns, not the whole table (that is a title)."""
        return any(m.min_row == top and m.max_row == top and 1 < m.max_col - m.min_col + 1 < width
                   and _header_like(sheet.cell(top, m.min_col).value)
                   and sum(_header_like(sheet.cell(top + 1, c).value)
                           for c in range(m.min_col, m.max_col + 1)) >= 2
                   for m in sheet.merged_cells.ranges)

    if best > 1 and parents_over(best - 1):
        return best - 1, best
    if parents_over(best):
        return best, best + 1
    return best, best


def _columns(sheet: Worksheet, first: int, last: int) -> list[tuple[int, str, str]]:
    """(column, leaf label, parent label) of every header column."""
    found = []
    for column in range(1, sheet.max_column + 1):
        leaf = _text(sheet.cell(last, column).value)
        parent = ""
        if last > first:
            merged = _merged_at(sheet, first, column)
            top = _text(sheet.cell(first, merged.min_col if merged else column).value)
            if leaf and merged is not None and merged.max_col > merged.min_col:
                parent = top
            elif not leaf:
                leaf = top
        if leaf:
            found.append((column, leaf, parent))
    return found


def _blank_row(sheet: Worksheet, row: int, columns: list[int]) -> bool:
    return all(sheet.cell(row, c).value in (None, "") for c in columns)


def _delete_rows(sheet: Worksheet, first: int, count: int) -> None:
    """Delete rows and move what openpyxl leaves behind: merged cells and row heights."""
    if count <= 0:
        return
    heights = {r: copy(d) for r, d in sheet.row_dimensions.items() if r >= first + count}
    merged = [m for m in list(sheet.merged_cells.ranges) if m.min_row >= first]
    for m in merged:
        sheet.merged_cells.remove(m)
    sheet.delete_rows(first, count)
    for row in [r for r in sheet.row_dimensions if r >= first]:
        del sheet.row_dimensions[row]
    for row, dimension in heights.items():
        dimension.index = row - count
        sheet.row_dimensions[row - count] = dimension
    for m in merged:
        if m.min_row >= first + count:
            m.shift(row_shift=-count)
            sheet.merged_cells.add(m)
    if sheet.print_area:
        areas = []
        for area in sheet.print_area.split(","):
            left, top, right, bottom = range_boundaries(area.rsplit("!", 1)[-1].replace("$", ""))
            if bottom >= first + count:
                bottom -= count
            areas.append(f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}")
        sheet.print_area = areas


def infer_xlsx(path: Path) -> Inference:
    """Read a blank workbook and turn its first table into a template (in memory)."""
    workbook = openpyxl.load_workbook(path)
    sheet = next((s for s in workbook.worksheets if s.sheet_state == "visible"
                  and _header_rows(s) is not None), None)
    result = Inference(kind="excel", renderer="excel-table", source=path, document=workbook)
    if sheet is None:
        result.problems.append("没有找到表头行 / no header row found")
        return result
    result.sheet = sheet.title
    first, last = _header_rows(sheet)
    columns = _columns(sheet, first, last)
    rows = f"第{first}至{last}行（两级表头）" if last > first else f"第{first}行"
    result.notes.append(f"表头：{rows}，{len(columns)}列 / header row(s) {first}-{last}")
    taken: set[str] = set()
    fields: dict[int, FieldGuess | None] = {}
    for column, leaf, parent in columns:
        fields[column] = None if is_index(leaf) else guess_field(leaf, taken, parent)
    result.fields = [f for f in fields.values() if f is not None]

    table = [c for c, _, _ in columns]
    repeated = last + 1
    if not _blank_row(sheet, repeated, table):
        result.notes.append(f"第{repeated}行不是空行，仍作为重复行 / row {repeated} is not blank; "
                            "used as the repeated row all the same")
    spare = repeated + 1
    while spare <= sheet.max_row and _blank_row(sheet, spare, table) and any(
            sheet.cell(spare, c).has_style for c in table):
        spare += 1
    _delete_rows(sheet, repeated + 1, spare - repeated - 1)
    if spare - repeated - 1:
        result.notes.append(f"删除了表中 {spare - repeated - 1} 个多余的空行 / removed "
                            f"{spare - repeated - 1} spare blank row(s)")
    for column, field in fields.items():
        sheet.cell(repeated, column).value = ("{{ index }}" if field is None
                                               else placeholder(f"row.{field.name}", field))
    _totals(sheet, repeated, fields, result)
    _annex_title_settings(sheet, first, repeated, result)
    return result


def _totals(sheet: Worksheet, repeated: int, fields: dict[int, FieldGuess | None],
            result: Inference) -> None:
    """A 合计 row under the table gets live sums of the numeric columns."""
    for row in range(repeated + 1, min(sheet.max_row, repeated + 3) + 1):
        first = next((_text(c.value) for c in sheet[row] if _text(c.value)), "")
        if clean_label(first) not in TOTALS:
            continue
        for column, field in fields.items():
            if field is not None and field.type in _NUMERIC and sheet.cell(row, column).value in (
                    None, ""):
                letter = get_column_letter(column)
                sheet.cell(row, column).value = f"=SUM({letter}{repeated}:{letter}{repeated})"
        result.notes.append(f"合计行：第{row}行（数值列为 SUM 公式）/ total row {row} (live sums)")
        return


def _annex_title_settings(sheet: Worksheet, header: int, repeated: int,
                          result: Inference) -> None:
    settings = Settings(set())
    for row in sheet.iter_rows():
        for cell in row:
            if cell.row in range(header, repeated + 1) or not isinstance(cell.value, str):
                continue
            text = cell.value
            match = ANNEX.match(text)
            if match and cell.row <= 3 and result.annex is None:
                result.annex = int(match.group(1))
                cell.value = "附件{{ document.annex }}"
                continue
            if cell.row < header and result.title is None and len(text.strip()) >= 4 and (
                    ("表" in text or "名单" in text or "名册" in text or "清单" in text)
                    and "：" not in text):
                result.title = text.strip()
                cell.value = "{{ document.title }}"
                continue
            filled = settings.fill(text)
            if filled is not None:
                cell.value = filled
            if cell.row > repeated and any(word in text for word in SIGNATURES):
                result.signatures.append(f"{cell.coordinate} {text.strip()}")
    result.settings = settings.fields
