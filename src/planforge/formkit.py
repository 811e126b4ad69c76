"""Building official-looking templates: Excel with openpyxl, Word with python-docx.

Official annexes look alike: 附件N at the top left, a centred title, a bordered table in 宋体,
A4 with the header row repeated on every printed page. Keeping that in one place keeps the forms
consistent across plugins.
"""

from __future__ import annotations

from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .fonts import declare_chinese

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
    sheet.oddFooter.center.text = "第 &P 页 共 &N 页"  # a long list prints on several pages
    sheet.oddFooter.center.font = f"{FONT},常规"
    sheet.oddFooter.center.size = 9


def sign_line(sheet: Worksheet, row: int, parts: Sequence[tuple[int, int, str]]) -> None:
    """填表人/审核人/日期 lines under a table: each text spans its own columns, unbordered."""
    for first, last, text in parts:
        if last > first:
            sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        cell = sheet.cell(row=row, column=first, value=text)
        cell.font = Font(name=FONT, size=11)
        cell.alignment = Alignment(horizontal="left", vertical="center")
    sheet.row_dimensions[row].height = 24


# Word ---------------------------------------------------------------------------------------

HEI = "黑体"


def _all_scripts(properties, name: str) -> None:
    """Name the font for Latin and East Asian text alike (python-docx sets only the Latin one)."""
    fonts = properties.get_or_add_rFonts()  # in schema order: after w:rStyle, if there is one
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def set_run_font(run, name: str = FONT, size: float | None = None, bold: bool = False) -> None:
    """Font, size and weight of one run, for Chinese text too."""
    run.font.name = name
    _all_scripts(run._element.get_or_add_rPr(), name)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold


def paragraph(container, text: str = "", *, size: float = 12, bold: bool = False,
              font: str = FONT, align=WD_ALIGN_PARAGRAPH.LEFT, before: float = 0,
              after: float = 0, indent: bool = False, line: float | None = None):
    """A paragraph whose text is one run, so Jinja tags in it stay whole."""
    result = container.add_paragraph()
    result.alignment = align
    spacing = result.paragraph_format
    spacing.space_before, spacing.space_after = Pt(before), Pt(after)
    if line:
        spacing.line_spacing = Pt(line)
    if indent:
        spacing.first_line_indent = Pt(size * 2)
    if text:
        set_run_font(result.add_run(text), font, size, bold)
    return result


def fill_cell(cell, lines: str | list[str], *, size: float = 10.5, bold: bool = False,
              align=WD_ALIGN_PARAGRAPH.CENTER,
              valign=WD_CELL_VERTICAL_ALIGNMENT.CENTER) -> None:
    """Replace a cell's text; each line becomes its own paragraph (one run each, for Jinja)."""
    lines = [lines] if isinstance(lines, str) else lines
    cell.vertical_alignment = valign
    first = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:
        extra._element.getparent().remove(extra._element)
    for run in first.runs:  # merged cells arrive holding the text of every cell merged in
        run._element.getparent().remove(run._element)
    for index, text in enumerate(lines):
        target = first if index == 0 else cell.add_paragraph()
        target.alignment = align
        target.paragraph_format.space_before = target.paragraph_format.space_after = Pt(0)
        if text:
            set_run_font(target.add_run(text), FONT, size, bold)


def set_column_widths(table, widths_cm: Sequence[float]) -> None:
    """Fixed column widths (grid and every cell) so Word, WPS and LibreOffice agree.

    ``autofit = False`` writes the one ``w:tblLayout w:type="fixed"`` in its schema place."""
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm, strict=True):
        column.set(qn("w:w"), str(int(Cm(width).twips)))
    for row in table.rows:
        for index, cell in enumerate(row.cells):
            cell.width = Cm(widths_cm[index])


def set_row_height(row, cm: float, exact: bool = False) -> None:
    row.height = Cm(cm)
    row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY if exact else WD_ROW_HEIGHT_RULE.AT_LEAST


# w:trPr's children in python-docx's order; the schema lets them come in any order but before
# the revision marks (w:ins, w:del, w:trPrChange).
ROW_PROPERTIES = ("w:cnfStyle", "w:divId", "w:gridBefore", "w:gridAfter", "w:wBefore", "w:wAfter",
                  "w:cantSplit", "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc",
                  "w:hidden", "w:ins", "w:del", "w:trPrChange")


def _row_property(row, tag: str):
    """The row's one ``tag`` element, made once and inserted in order."""
    properties = row._tr.get_or_add_trPr()
    element = properties.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        properties.insert_element_before(element, *ROW_PROPERTIES[ROW_PROPERTIES.index(tag) + 1:])
    return element


def repeat_header_row(row) -> None:
    """Mark a table row as header: repeated at the top of every printed page."""
    _row_property(row, "w:tblHeader").set(qn("w:val"), "true")


def keep_row_together(row) -> None:
    _row_property(row, "w:cantSplit")


def new_document(landscape: bool = False):
    """An A4 document in 宋体 with official margins (GB/T 9704 style)."""
    document = Document()
    declare_chinese(document)  # zh-CN East Asian language: Word picks Chinese glyphs
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)
    section.left_margin, section.right_margin = Cm(2.3), Cm(2.1)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(12)
    _all_scripts(normal.element.get_or_add_rPr(), FONT)
    core = document.core_properties
    core.author = core.last_modified_by = "planforge"
    core.revision = 1
    return document


def page_number_footer(document, size: float = 10.5) -> None:
    """第 N 页 共 M 页 centred in the footer (Word fields, counted when printed)."""
    footer = document.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in ("第 ", "PAGE", " 页 共 ", "NUMPAGES", " 页"):
        if text.isupper():
            field = OxmlElement("w:fldSimple")
            field.set(qn("w:instr"), f" {text} ")
            run = OxmlElement("w:r")
            label = OxmlElement("w:t")
            label.text = "1"
            run.append(label)
            field.append(run)
            footer._p.append(field)
        else:
            run = footer.add_run(text)
            run.font.size = Pt(size)
            run.font.name = FONT
            _all_scripts(run._element.get_or_add_rPr(), FONT)


def word_heading(document, annex: str | None, title: str, size: float = 20,
                 after: float = 10) -> None:
    """附件 label (黑体) and the centred bold title of a Word annex."""
    if annex:
        paragraph(document, annex, size=16, font=HEI)
    paragraph(document, title, size=size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=6,
              after=after)


def note_row(sheet: Worksheet, row: int, width: int, text: str, height: float = 32) -> None:
    """A 说明 line under an Excel table: one wrapped, unbordered cell across the table."""
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    cell = sheet.cell(row=row, column=1, value=text)
    cell.font = Font(name="宋体", size=10)
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet.row_dimensions[row].height = height
