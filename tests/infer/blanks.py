"""Blank annexes for the inference tests: shipped templates with their placeholders taken out
(what an office receives), and forms written here in the shapes offices draw."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl

_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_BOX = re.compile(r"\{\{[^}]*\|checkbox\([^)]*\)\s*\}\}")


def _blanked(text: str, annex: int) -> str | None:
    """A cell or paragraph as the blank shows it: boxes for tick boxes, the annex number."""
    text = _PLACEHOLDER.sub("", _BOX.sub("□", text))
    return f"附件{annex}" if text.strip() == "附件" else (text or None)


def strip_xlsx(template: Path, target: Path, title: str, annex: int = 1) -> Path:
    workbook = openpyxl.load_workbook(template)
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.value = None  # an office's blank has no formulas yet
                elif isinstance(cell.value, str) and ("{{" in cell.value or "{%" in cell.value):
                    cell.value = _blanked(cell.value, annex)
        sheet["A2"] = title
    workbook.save(target)
    return target


def strip_docx(template: Path, target: Path, title: str, annex: int = 1) -> Path:
    import docx

    document = docx.Document(str(template))

    def clean(paragraph, titled: bool = False) -> None:
        if "{{" in paragraph.text or "{%" in paragraph.text:
            text = _blanked(paragraph.text, annex) or ""
            if titled and not text.strip() and paragraph.alignment == 1:
                text = title  # the centred heading of the page
            for run in paragraph.runs[1:]:
                run._r.getparent().remove(run._r)
            if paragraph.runs:
                paragraph.runs[0].text = text

    for paragraph in document.paragraphs:
        clean(paragraph, titled=True)
    for table in document.tables:
        for row in list(table.rows):
            if "{%tr" in "".join(c.text for c in row.cells):
                row._tr.getparent().remove(row._tr)
                continue
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    clean(paragraph)
    document.save(str(target))
    return target
