"""A blank Word annex made a template: a list table loops over the records, a form of label and
blank cells becomes one form per record, single blanks become settings.

Text is replaced run by run where it can be (the first run keeps its formatting), so fonts,
borders, merges and page set-up stay those of the blank.
"""

from __future__ import annotations

import re
from copy import deepcopy
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from .blanks import Settings
from .excel import ANNEX, SIGNATURES, TOTALS
from .headers import FieldGuess, box_choices, clean_label, guess_field, is_index, placeholder
from .model import Inference

_NUMERIC = {"amount", "integer"}
#: A label cell: short text, no sentence, not a tick-box list.
_LABEL = re.compile(r"^[^\n。；;]{1,16}$")


def _set_text(paragraph: Paragraph, text: str) -> None:
    """Replace a paragraph's text, keeping the first run's formatting."""
    runs = paragraph.runs
    if not runs:
        run = paragraph.add_run(text)
        mark = paragraph._p.pPr.find(qn("w:rPr")) if paragraph._p.pPr is not None else None
        if mark is not None:  # the paragraph mark's font: what Word shows in an empty cell
            run._r.insert(0, deepcopy(mark))
        return
    runs[0].text = text
    for run in runs[1:]:
        run._r.getparent().remove(run._r)


def _set_cell(cell: _Cell, text: str) -> None:
    paragraphs = cell.paragraphs
    _set_text(paragraphs[0], text)
    for extra in paragraphs[1:]:
        extra._p.getparent().remove(extra._p)


def _unique_cells(row) -> list[_Cell]:
    seen, cells = set(), []
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            cells.append(cell)
    return cells


def _empty(cell: _Cell) -> bool:
    return not cell.text.strip()


def _is_list_table(table: Table) -> bool:
    """A header row of several labels, then a blank row."""
    if len(table.rows) < 2:
        return False
    header = _unique_cells(table.rows[0])
    labels = [c for c in header if c.text.strip() and _LABEL.match(c.text.strip())]
    return len(labels) >= 2 and len(labels) == len(header) and all(
        _empty(c) for c in _unique_cells(table.rows[1]))


def _loop_row(template_row, text: str):
    """A copy of ``template_row`` holding only ``text`` in its first cell: docxtpl removes a
    row holding ``{%tr %}`` and keeps the tag."""
    row = deepcopy(template_row._tr)
    for index, tc in enumerate(row.iter(qn("w:tc"))):
        paragraphs = tc.findall(qn("w:p"))
        for extra in paragraphs[1:]:
            tc.remove(extra)
        for run in paragraphs[0].findall(qn("w:r")):
            paragraphs[0].remove(run)
        if index == 0:
            run, text_element = OxmlElement("w:r"), OxmlElement("w:t")
            text_element.text = text
            run.append(text_element)
            paragraphs[0].append(run)
    return row


def _fill_list_table(table: Table, taken: set[str], result: Inference) -> None:
    header = _unique_cells(table.rows[0])
    fields: list[FieldGuess | None] = [
        None if is_index(c.text) else guess_field(c.text, taken) for c in header]
    result.fields.extend(f for f in fields if f is not None)
    repeated = table.rows[1]
    spare = [r for r in table.rows[2:] if all(_empty(c) for c in _unique_cells(r))]
    for row in spare:
        row._tr.getparent().remove(row._tr)
    if spare:
        result.notes.append(f"删除了表中 {len(spare)} 个多余的空行 / removed {len(spare)} spare "
                            "blank row(s)")
    for cell, field in zip(_unique_cells(repeated), fields, strict=False):
        _set_cell(cell, "{{ loop.index }}" if field is None
                  else placeholder(f"row.{field.name}", field))
    repeated._tr.addprevious(_loop_row(repeated, "{%tr for row in records %}"))
    repeated._tr.addnext(_loop_row(repeated, "{%tr endfor %}"))
    for row in table.rows:
        cells = _unique_cells(row)
        if cells and clean_label(cells[0].text) in TOTALS:
            for cell, field in zip(cells, fields, strict=False):
                if field is not None and field.type in _NUMERIC and _empty(cell):
                    _set_cell(cell, f"{{{{ records|map(attribute='{field.name}')|select|sum }}}}")
            result.notes.append("合计行：由记录求和 / total row: summed from the records")
    result.renderer = "word-single"
    result.notes.append(f"列表表格：{len(header)}列，按记录重复一行 / a list table of "
                        f"{len(header)} columns, one row per record")


def _fill_form_table(table: Table, taken: set[str], result: Inference) -> int:
    """Label cells beside blank (or tick-box) cells become per-record fields."""
    found = 0
    for row in table.rows:
        cells = _unique_cells(row)
        for label, value in zip(cells, cells[1:], strict=False):
            text = label.text.strip()
            if (not text or not _LABEL.match(text) or box_choices(text)
                    or clean_label(text) in TOTALS):
                continue
            choices = box_choices(value.text)
            if not _empty(value) and not choices:
                continue
            field = guess_field(text, taken)
            if choices:
                field.type, field.choices = "choice", choices
                field.why = "勾选框 / tick boxes"
                _set_cell(value, "\u3000".join(
                    f"{{{{ {field.name}|checkbox('{c}') }}}}{c}" for c in choices))
            else:
                _set_cell(value, placeholder(field.name, field))
            result.fields.append(field)
            found += 1
    return found


def infer_docx(path: Path) -> Inference:
    document = Document(str(path))
    result = Inference(kind="word", renderer="word-per-record", source=path, document=document)
    taken: set[str] = set()
    tables = document.tables
    lists = [t for t in tables if _is_list_table(t)]
    listed = {id(t._tbl) for t in lists}
    for table in lists:
        _fill_list_table(table, taken, result)
    pairs = sum(_fill_form_table(t, taken, result) for t in tables if id(t._tbl) not in listed)
    if not result.fields:
        result.problems.append("没有找到表格中的表头或「标签—空白」单元格 / found no table header "
                               "and no label/blank cells")
        return result
    if not lists:
        named = next((f.name for f in result.fields if f.name in {"name", "theme"}), None)
        result.file_name = f"{{{{ index }}}} {{{{ {named} }}}}" if named else "{{ index }}"
        result.notes.append(f"表单：{pairs} 对「标签—空白」单元格，每条记录一份 / a form of {pairs} "
                            "label/blank cells, one document per record")
    settings = Settings(set())
    for paragraph in document.paragraphs:
        text = paragraph.text
        if ANNEX.match(text) and result.annex is None:
            result.annex = int(ANNEX.match(text).group(1))
            _set_text(paragraph, "附件{{ document.annex }}")
            continue
        if result.title is None and paragraph.alignment == 1 and len(text.strip()) >= 4:
            result.title = text.strip()
            _set_text(paragraph, "{{ document.title }}")
            continue
        filled = settings.fill(text)
        if filled is not None:
            _set_text(paragraph, filled)
        if any(word in text for word in SIGNATURES):
            result.signatures.append(text.strip())
    result.settings = settings.fields
    return result
