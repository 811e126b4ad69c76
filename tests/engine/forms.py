"""Small Word and Excel templates built in tests, so each test states what its template holds."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from openpyxl import Workbook
from openpyxl.styles import Border, Font, Side

THIN = Side(style="thin")


def word_template(path: Path, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    """Each string becomes one paragraph (one run), so Jinja tags stay whole."""
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        grid.style = "Table Grid"
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    document.save(path)
    return path


def excel_template(path: Path, header: list[str], row: list[str], title: str = "{{ document.title }}",
                   total: list[str] | None = None, footer: str | None = None) -> Path:
    """Title on row 1, header on row 2, the marked row 3, an optional total row and footer."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "表"
    sheet["A1"] = title
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    sheet.append(row)
    border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
    for cell in sheet[3]:
        cell.font = Font(name="宋体", size=12, bold=True, color="FF0000")
        cell.border = border
        cell.number_format = "0.00"
    sheet.row_dimensions[3].height = 30
    if total:
        sheet.append(total)
        sheet.row_dimensions[4].height = 22
        sheet.merge_cells("A4:B4")
    if footer:
        sheet.append([])
        sheet.append([footer])
    sheet.print_title_rows = "2:2"
    sheet.print_area = f"A1:{chr(64 + len(header))}{sheet.max_row}"
    workbook.save(path)
    return path
