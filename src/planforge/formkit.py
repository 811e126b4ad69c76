"""Building official-looking Excel templates with openpyxl (for template scripts and plugins).

Official annexes look alike: 附件N at the top left, a centred title, a bordered table in 宋体,
A4 with the header row repeated on every printed page. Keeping that in one place keeps the forms
consistent across plugins.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FONT = "宋体"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def annex_heading(sheet: Worksheet, annex: str, title: str, width: int, subtitle: str = "") -> int:
    """附件 label, title and optional subtitle; returns the next free row."""
    sheet["A1"] = annex
    sheet["A1"].font = Font(name="黑体", size=12)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet["A2"] = title
    sheet["A2"].font = Font(name=FONT, size=18, bold=True)
    sheet["A2"].alignment = CENTER
    sheet.row_dimensions[2].height = 36
    row = 3
    if subtitle:
        sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=width)
        sheet["A3"] = subtitle
        sheet["A3"].font = Font(name=FONT, size=11)
        sheet["A3"].alignment = LEFT
        row = 4
    return row


def table_row(
    sheet: Worksheet,
    row: int,
    values: Sequence[object],
    bold: bool = False,
    height: float = 24,
    align: Alignment = CENTER,
) -> None:
    """One bordered table row."""
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        cell.font = Font(name=FONT, size=11, bold=bold)
        cell.border = BORDER
        cell.alignment = align
    sheet.row_dimensions[row].height = height


def page_setup(
    sheet: Worksheet,
    widths: Sequence[float],
    header_row: int,
    last_row: int,
    landscape: bool = True,
) -> None:
    """A4, fit to page width, header row repeated, print area over the whole form."""
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_area = f"A1:{get_column_letter(len(widths))}{last_row}"


def sign_line(sheet: Worksheet, row: int, parts: Sequence[tuple[int, int, str]]) -> None:
    """填表人/审核人/日期 lines under a table: each text spans its own columns, unbordered."""
    for first, last, text in parts:
        if last > first:
            sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        cell = sheet.cell(row=row, column=first, value=text)
        cell.font = Font(name=FONT, size=11)
        cell.alignment = Alignment(horizontal="left", vertical="center")
    sheet.row_dimensions[row].height = 24
