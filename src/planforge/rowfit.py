"""Rows tall enough for their wrapped text, measured with the printed face's real metrics.

A template row has the height of its placeholders; the values put in it may wrap to several
lines. LibreOffice and Excel keep a row's stored height, so a long value is cut off or printed
over the next row. After filling, each row with wrapped text grows (never shrinks) to the lines
its longest cell needs, measured with the advance widths of Noto Serif CJK SC (the face 宋体
prints with, see :mod:`planforge.fonts`), or 1 em per CJK character when it is not installed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from openpyxl.utils import get_column_letter

from .fonts import advance_widths

#: Line height of Noto CJK (ascent 1.16 em + descent 0.288 em), as LibreOffice spaces lines.
LINE_HEIGHT_EM = 1.45
#: Space above and below the text inside a cell, and left and right, in points.
CELL_PADDING_PT = 4.0
DEFAULT_COLUMN_WIDTH = 8.43
DEFAULT_FONT_SIZE = 11.0


def column_points(width: float | None, pixels_per_character: int = 7) -> float:
    """Excel column width (characters of '0' in Calibri 11) in points: 7 px a character + 5 px
    as Excel draws it (LibreOffice, laying out pages, counts 8)."""
    return ((width or DEFAULT_COLUMN_WIDTH) * pixels_per_character + 5) * 0.75


@cache
def _char_em(char: str) -> float:
    """Advance of ``char`` in em (a CJK character counts 1 em, others 0.55, without the font)."""
    em = advance_widths().get(ord(char))
    if em is None:
        em = 1.0 if unicodedata.east_asian_width(char) in "WF" else 0.55
    return em


def text_width(text: str, size: float) -> float:
    """Width of ``text`` in points at ``size``."""
    return sum(map(_char_em, text)) * size


def line_count(text: str, width: float, size: float) -> int:
    """Lines ``text`` wraps to in ``width`` points: greedy, any character may start a line."""
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for char in paragraph:
            advance = _char_em(char) * size
            if used + advance > width and used > 0:
                lines += 1
                used = 0.0
            used += advance
    return lines


def _width(sheet: Any, column: int) -> float | None:
    """A column's width without creating an entry for it."""
    dimension = sheet.column_dimensions.get(get_column_letter(column))
    return dimension.width if dimension is not None else None


@cache
def wide_characters() -> re.Pattern:
    """The characters wider than 1 em (a few dashes and letters); text without any of them
    fits on one line when it has no more characters than the line is ems wide."""
    wide = "".join(chr(code) for code, em in advance_widths().items() if em > 1.0)
    return re.compile(f"[{re.escape(wide)}]" if wide else "(?!)")


def needed_height(text: str, width: float, size: float) -> float:
    """Points a row needs to show ``text`` wrapped in ``width`` points at ``size``."""
    width = max(width, size)
    one_line = "\n" not in text and text_width(text, size) <= width
    lines = 1 if one_line else line_count(text, width, size)
    return lines * size * LINE_HEIGHT_EM + CELL_PADDING_PT


def _merge_spans(sheet: Any) -> tuple[dict[tuple[int, int], tuple[int, int]], set[tuple[int, int]]]:
    """Merged areas by top-left cell (last column, rows spanned), and every cell they cover."""
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for merged in sheet.merged_cells.ranges:
        spans[(merged.min_row, merged.min_col)] = (merged.max_col,
                                                   merged.max_row - merged.min_row + 1)
        covered.update((r, c) for r in range(merged.min_row, merged.max_row + 1)
                       for c in range(merged.min_col, merged.max_col + 1))
    return spans, covered


def _wrap_width(sheet: Any, cell: Any, spans: Mapping, covered: set) -> float | None:
    """Points of text a wrapping cell has (merged columns included); None for a cell that does
    not wrap, lies inside a merge, or heads a merge over several rows (left as designed)."""
    if not cell.alignment.wrap_text:
        return None
    key = (cell.row, cell.column)
    last, height_in_rows = spans.get(key, (cell.column, 1))
    if key in covered and key not in spans or height_in_rows > 1:
        return None
    return sum(column_points(_width(sheet, c))
               for c in range(cell.column, last + 1)) - 2 * CELL_PADDING_PT


def wrap_widths(sheet: Any, row: int) -> dict[int, float]:
    """{column: points of text} of the wrapping cells of ``row`` (for rows written as text)."""
    spans, covered = _merge_spans(sheet)
    widths = {cell.column: _wrap_width(sheet, cell, spans, covered) for cell in sheet[row]}
    return {column: width for column, width in widths.items() if width is not None}


def fit_row_heights(workbook: Any, rows: Mapping[str, range] | None = None) -> None:
    """Grow every row whose wrapped cells need more height than the row has; with ``rows``
    ({sheet title: rows}), only those (the filled data rows: the template's own rows keep
    their designed heights)."""
    for sheet in workbook.worksheets:
        only = rows.get(sheet.title, range(0)) if rows is not None else None
        spans, covered = _merge_spans(sheet)
        for row in sheet.iter_rows():
            if only is not None and row and row[0].row not in only:
                continue
            needed = 0.0
            for cell in row:
                if not isinstance(cell.value, str):
                    continue
                width = _wrap_width(sheet, cell, spans, covered)
                if width is not None:
                    size = float(cell.font.sz or DEFAULT_FONT_SIZE)
                    needed = max(needed, needed_height(cell.value, width, size))
            if row and needed > row_height(sheet, row[0].row):
                sheet.row_dimensions[row[0].row].height = round(needed + 0.5, 1)


#: A4 in points (portrait width, height).
A4 = (595.0, 842.0)
#: Data rows kept on the page of the signature block when it would otherwise stand alone.
ROWS_WITH_SIGNATURES = 2
#: Room kept free on each simulated page: the printer's metrics differ a little from ours.
PAGE_SAFETY = 0.97


def row_height(sheet: Any, row: int) -> float:
    """A row's height without creating an entry for it (openpyxl adds one on every lookup)."""
    dimension = sheet.row_dimensions.get(row)
    return (dimension.height if dimension is not None else None) or 15.0


def _pages(sheet: Any, last: int, height_of: Callable[[int], float]) -> list[int]:
    """The first row of each printed page, as A4 with the sheet's margins, scale and title rows
    lays them out (fit to one page wide, rows in full)."""
    landscape = sheet.page_setup.orientation == "landscape"
    width, height = (A4[1], A4[0]) if landscape else A4
    margins = sheet.page_margins
    columns = sum(column_points(_width(sheet, c), 8) for c in range(1, sheet.max_column + 1))
    scale = min(1.0, (width - (margins.left + margins.right) * 72) / max(columns, 1.0))
    room = (height - (margins.top + margins.bottom) * 72) / scale * PAGE_SAFETY
    titles = re.findall(r"\d+", sheet.print_title_rows or "")  # '4:4' or '$4:$4'
    title_rows = list(range(int(titles[0]), int(titles[-1]) + 1)) if titles else []
    repeated = sum(height_of(r) for r in title_rows)
    starts, used = [1], 0.0
    for row in range(1, last + 1):
        height = height_of(row)
        if used + height > room and used > 0:
            starts.append(row)
            used = repeated if title_rows and row > title_rows[-1] else 0.0
        used += height
    return starts


def signature_break(sheet: Any, height_of: Callable[[int], float] | None = None) -> int | None:
    """The row after which a manual page break keeps the signature block (the rows under the
    合计 row) from starting a page alone, or None; ``height_of`` gives rows' heights (a sheet
    whose data rows are streamed knows them without holding them)."""
    totals = [c.row for c in sheet["A"] if isinstance(c.value, str) and c.value.strip() == "合计"]
    if not totals or sheet.max_row <= totals[-1]:
        return None
    total, last = totals[-1], sheet.max_row
    starts = _pages(sheet, last, height_of or (lambda row: row_height(sheet, row)))
    if any(total <= start <= last for start in starts):  # 合计 starts a page too
        return max(1, total - ROWS_WITH_SIGNATURES) - 1
    return None


def keep_signatures_with_table(workbook: Any) -> None:
    """A signature block (the rows under the 合计 row) never starts a page or splits: the last
    data rows move with it to the next page (a manual page break)."""
    from openpyxl.worksheet.pagebreak import Break

    for sheet in workbook.worksheets:
        row = signature_break(sheet)
        if row is not None:
            sheet.row_breaks.append(Break(id=row))
