"""Rows tall enough for their wrapped text, measured with the printed face's real metrics.

A template row has the height of its placeholders; the values put in it may wrap to several
lines. LibreOffice and Excel keep a row's stored height, so a long value is cut off or printed
over the next row. After filling, each row with wrapped text grows (never shrinks) to the lines
its longest cell needs, measured with the advance widths of Noto Serif CJK SC (the face 宋体
prints with, see :mod:`planforge.fonts`), or 1 em per CJK character when it is not installed.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from openpyxl.utils import get_column_letter

from .fonts import advance_widths

#: Line height of Noto CJK (ascent 1.16 em + descent 0.288 em), as LibreOffice spaces lines.
LINE_HEIGHT_EM = 1.45
#: Space above and below the text inside a cell, and left and right, in points.
CELL_PADDING_PT = 4.0
DEFAULT_COLUMN_WIDTH = 8.43
DEFAULT_FONT_SIZE = 11.0


def column_points(width: float | None) -> float:
    """Excel column width (characters of '0' in Calibri 11) in points: 7 px a character + 5 px."""
    return ((width or DEFAULT_COLUMN_WIDTH) * 7 + 5) * 0.75


def text_width(text: str, size: float) -> float:
    """Width of ``text`` in points at ``size``."""
    widths = advance_widths()
    total = 0.0
    for char in text:
        em = widths.get(ord(char)) if widths else None
        if em is None:
            em = 1.0 if unicodedata.east_asian_width(char) in "WF" else 0.55
        total += em
    return total * size


def line_count(text: str, width: float, size: float) -> int:
    """Lines ``text`` wraps to in ``width`` points: greedy, any character may start a line."""
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for char in paragraph:
            advance = text_width(char, size)
            if used + advance > width and used > 0:
                lines += 1
                used = 0.0
            used += advance
    return lines


def fit_row_heights(workbook: Any) -> None:
    """Grow every row whose wrapped cells need more height than the row has."""
    for sheet in workbook.worksheets:
        spans: dict[tuple[int, int], tuple[int, int]] = {}  # top-left -> (last column, rows)
        covered: set[tuple[int, int]] = set()
        for merged in sheet.merged_cells.ranges:
            spans[(merged.min_row, merged.min_col)] = (merged.max_col,
                                                       merged.max_row - merged.min_row + 1)
            covered.update((r, c) for r in range(merged.min_row, merged.max_row + 1)
                           for c in range(merged.min_col, merged.max_col + 1))
        for row in sheet.iter_rows():
            needed = 0.0
            for cell in row:
                if not isinstance(cell.value, str) or not cell.alignment.wrap_text:
                    continue
                key = (cell.row, cell.column)
                last, rows = spans.get(key, (cell.column, 1))
                if key in covered and key not in spans or rows > 1:
                    continue  # inside a merge, or a merge over several rows: left as designed
                width = sum(column_points(sheet.column_dimensions[get_column_letter(c)].width)
                            for c in range(cell.column, last + 1)) - 2 * CELL_PADDING_PT
                size = float(cell.font.sz or DEFAULT_FONT_SIZE)
                lines = line_count(cell.value, max(width, size), size)
                needed = max(needed, lines * size * LINE_HEIGHT_EM + CELL_PADDING_PT)
            if not row:
                continue
            dimension = sheet.row_dimensions[row[0].row]
            if needed > (dimension.height or 15.0):
                dimension.height = round(needed + 0.5, 1)
