"""Big Excel tables written as text: the marked row's XML compiled once, each record's values
put into its slots, rows streamed straight into the sheet part.

Making an object per cell and serialising it (openpyxl, even write-only) costs far more than the
values themselves. Here the template is filled as a small workbook first (the *frame*: every
reference already moved for the rows to come, fixed cells filled, rows below the table moved
down, the marked row left with its styles only), saved once, and copied member by member into
the output. In the sheet part of each marked sheet the frame's single marked row is replaced by
one ``<row>`` per record, written from text pieces: coordinates, style ids and the value, XML
escaped, as an inline string or a number. Merged cells of the marked row are repeated the same
way. Values come from the same :class:`~planforge.render.excelcells.CellProgram` as in memory, so a
cell expression runs in the sandbox exactly as it does there.

Text goes in as inline strings, as openpyxl writes it too: a shared-strings table would have to
be built and held for the whole sheet and written after it, and the repeated text it saves
costs little once deflated.
"""

from __future__ import annotations

import io
import math
import operator
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from copy import copy
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from jinja2.sandbox import ImmutableSandboxedEnvironment
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring

from ..errors import TemplateError
from ..fields import MAX_CELL_CHARACTERS
from ..rowfit import (
    DEFAULT_FONT_SIZE,
    needed_height,
    row_height,
    signature_break,
    wide_characters,
    wrap_widths,
)
from .excelcells import NOT_FOUND, CellProgram, SheetFiller, cell_value, too_long

#: Rows joined into one piece of text before it is compressed into the zip.
ROWS_PER_WRITE = 512
#: zlib level of the big sheet parts: 1 makes them about 15 % bigger at a third of the time.
SHEET_COMPRESSION = 1
#: Wrapped values per cell whose height is remembered (categories, townships, remarks repeat).
HEIGHTS_KEPT = 4096
_ESCAPED = re.compile(r"[&<>\r]")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_SPACE = " \t\n\r"


def _escape(text: str) -> str:
    return _ESCAPED.sub(lambda match: _ENTITIES[match.group()], text)


class _Slot:
    """One cell of the marked row: where it goes, its style ids and how its value is made."""

    def __init__(self, cell, program: CellProgram, wrap_width: float | None):
        self.program, self.column = program, cell.column
        self.letter = get_column_letter(cell.column)
        self.head = f'<c r="{self.letter}'
        self.style = f' s="{cell.style_id}"' if cell.has_style else ""
        self.text_head = f'{self.style} t="inlineStr"><is><t>'
        self.number_head = f'{self.style} t="n"><v>'
        self.field = program.field if program.kind == "lookup" else None
        self.size = float(cell.font.sz or DEFAULT_FONT_SIZE) if wrap_width is not None else 0.0
        self.wrap_width = wrap_width
        self.heights: dict[str, float] = {}
        if wrap_width is not None:  # text of at most this many characters of 1 em or less
            self.one_line_chars = int(max(wrap_width, self.size) // self.size)
            self.one_line = needed_height("", wrap_width, self.size)
        self.date_styles = {kind: self._date_style(cell, kind) for kind in (date, datetime)}

    @staticmethod
    def _date_style(cell, kind: type) -> str:
        """The style id a date gets: the cell's own when it shows dates, else the cell's style
        with openpyxl's date format (as assigning a date in memory does)."""
        if is_date_format(cell.number_format):
            return f' s="{cell.style_id}"'
        original = cell._style
        cell._style = copy(original)
        cell.number_format = "yyyy-mm-dd h:mm:ss" if kind is datetime else "yyyy-mm-dd"
        registered = cell.style_id
        cell._style = original
        return f' s="{registered}"'

    def xml(self, row: int, value: Any) -> str:
        """The ``<c>`` element holding ``value`` on ``row``."""
        kind = type(value)
        if kind is str:
            if not value:
                return f'{self.head}{row}"{self.style}/>'
            if len(value) > MAX_CELL_CHARACTERS:
                raise too_long(f"{self.letter}{row}", value)
            if ILLEGAL_CHARACTERS_RE.search(value):
                raise IllegalCharacterError(f"{value!r} cannot be used in worksheets.")
            space = ' xml:space="preserve"' if (value[0] in _SPACE or value[-1] in _SPACE) else ""
            if "&" in value or "<" in value or ">" in value or "\r" in value:
                value = _escape(value)
            return (f'{self.head}{row}"{self.style} t="inlineStr"><is><t{space}>{value}</t></is>'
                    "</c>")
        if kind is int:
            return f'{self.head}{row}"{self.style} t="n"><v>{value}</v></c>'
        if value is None:
            return f'{self.head}{row}"{self.style}/>'
        if kind is float or kind is Decimal:
            if not math.isfinite(value):
                return f'{self.head}{row}"{self.style}/>'
            return f'{self.head}{row}"{self.style} t="n"><v>{value:.16g}</v></c>'
        if isinstance(value, date):
            style = self.date_styles[datetime if isinstance(value, datetime) else date]
            return f'{self.head}{row}"{style} t="n"><v>{to_excel(value):.16g}</v></c>'
        converted = cell_value(value)  # a boolean as 是/否, anything else as text
        return self.xml(row, str.__str__(converted) if isinstance(converted, str) else converted)

    def height_of(self, text: str) -> float:
        """Points ``text`` needs wrapped in this cell; remembered for values that repeat."""
        known = self.heights.get(text)
        if known is None:
            known = needed_height(text, self.wrap_width, self.size)
            if len(self.heights) < HEIGHTS_KEPT:
                self.heights[text] = known
        return known

    def formula(self, row: int, template_row: int) -> str:
        text = self.program.formula_at(template_row, row, self.column)
        return f"{self.head}{row}\"{self.style}><f>{_escape(text[1:])}</f><v></v></c>"


class MarkedRow:
    """A sheet's marked row compiled once: its cells as slots, its ``<row>`` tag, its merges."""

    def __init__(self, sheet: Worksheet, template_row: int, env: ImmutableSandboxedEnvironment,
                 name: str):
        self.template_row = template_row
        widths = wrap_widths(sheet, template_row)
        self.slots = []
        for cell in sheet[template_row]:
            if cell.value is None and not cell.has_style:
                continue  # nothing to write, as openpyxl skips it
            program = CellProgram(cell.value, env, name, cell.coordinate)
            self.slots.append(_Slot(cell, program, widths.get(cell.column)))
            if program.kind not in ("constant", "formula"):
                cell.value = None  # the frame keeps the cell's style only
        self.height = sheet.row_dimensions[template_row].height
        self.merges = [(m.min_col, m.max_col) for m in sheet.merged_cells.ranges
                       if m.min_row == m.max_row == template_row]
        self.attributes = ">"  # of the frame's <row> tag after its number (see rows)
        self.grown: dict[int, float] = {}  # rows grown for wrapped text, by number

    def rows(self, items: Sequence[Any], context: Mapping[str, Any]) -> Iterator[str]:
        """One ``<row>`` per item, from the marked row on (one empty row when there is none).

        A record that is a plain dict holding plain text and integers in the looked-up fields
        (nearly every record) is written by one ``str.format`` of a row text compiled for its
        types; any other goes cell by cell (:meth:`_cells`), through the sandbox where needed.
        """
        first = self.template_row
        height = self.height or 15.0
        attributes = self.attributes
        unsized = re.sub(r' (ht|customHeight)="[^"]*"', "", attributes)
        fast = _RowFormats(self.slots) if items else None
        for offset in range(max(len(items), 1)):
            number = first + offset
            item = items[offset] if items else None
            found = fast.row(item, number, offset + 1) if fast is not None else None
            cells, tallest = found if found is not None else self._cells(
                item, number, offset, context)
            if tallest > height:  # wrapped text: the row grows as rowfit grows it in memory
                self.grown[number] = round(tallest + 0.5, 1)
                tag = f'<row r="{number}" ht="{self.grown[number]}" customHeight="1"{unsized}'
            else:
                tag = f'<row r="{number}"{attributes}'
            yield f"{tag}{cells}</row>"

    def _cells(self, item: Any, number: int, offset: int, context: Mapping[str, Any]
               ) -> tuple[str, float]:
        """A row's cells one by one, and the height its wrapped text needs."""
        row_context = None  # made only for a cell that is more than a lookup
        cells, tallest = [], 0.0
        for slot in self.slots:
            kind = slot.program.kind
            if kind == "formula":
                cells.append(slot.formula(number, self.template_row))
                continue
            if kind == "constant":
                value = slot.program.source
            elif item is None:
                value = None
            else:
                value = slot.program.look_up(item, offset + 1) if kind == "lookup" else NOT_FOUND
                if value is NOT_FOUND:
                    row_context = row_context or {**context, "row": item, "index": offset + 1}
                    value = slot.program.evaluate(row_context)
            if slot.wrap_width is not None and type(value) is str and value:
                tallest = max(tallest, slot.height_of(value))
            cells.append(slot.xml(number, value))
        return "".join(cells), tallest

    def merge_refs(self, count: int) -> Iterator[str]:
        """The marked row's merged cells repeated on each filled row after the first."""
        for number in range(self.template_row + 1, self.template_row + count):
            for low, high in self.merges:
                yield (f'<mergeCell ref="{get_column_letter(low)}{number}:'
                       f'{get_column_letter(high)}{number}"/>')


#: Text that may go into a row as it is: no markup characters, nothing illegal in XML, no
#: space to keep at either end (\x01 separates the values checked together).
_UNSAFE = re.compile(r"[&<>\r\x00\x02-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"
                     r"|(?:^|\x01)[ \t\n]|[ \t\n](?:\x01|$)")
#: What may follow <rowBreaks> in a sheet part (ECMA-376 CT_Worksheet's order).
_AFTER_ROW_BREAKS = re.compile(
    r"<(colBreaks|customProperties|cellWatches|ignoredErrors|smartTags|drawing|legacyDrawing|"
    r"legacyDrawingHF|drawingHF|picture|oleObjects|controls|webPublishItems|tableParts|extLst)\b")
_ROW_NUMBER = "\x02row\x02"  # stands for the row number while a row text is compiled


class _RowFormats:
    """Whole-row texts for the marked row, one per combination of value types, filled with
    ``str.format``: ``{0}`` the row number, ``{1}`` the record's number, ``{2}``… its fields.

    Only for a marked row whose cells are all constants, ``{{ index }}`` and ``{{ row.field }}``
    lookups; a record that is no dict, lacks a field, or holds anything but non-empty safe text,
    empty text, integers or nothing is left to the cell-by-cell writer.
    """

    def __init__(self, slots: Sequence[_Slot]):
        self.slots = slots
        looked_up = [s for s in slots if s.program.kind == "lookup" and s.field]
        plain = all(s.program.kind == "constant" or (s.program.kind == "lookup")
                    for s in slots)
        self.usable = plain and bool(looked_up)
        self.fields = [s.field for s in looked_up]
        self.get = operator.itemgetter(*self.fields) if len(self.fields) > 1 else (
            lambda item, field=self.fields[0] if self.fields else "": (item[field],))
        self.formats: dict[tuple, tuple[str, Callable, list] | None] = {}
        wrapped = any(slot.wrap_width is not None for slot in slots)
        self.wide = wide_characters() if wrapped else None

    def _compile(self, key: tuple) -> tuple[str, Callable, list] | None:
        """The row text for one combination of (type, non-empty) of the looked-up values."""
        pieces, texts, wraps = [], [], []
        values = iter(enumerate(key))
        for slot in self.slots:
            kind = slot.program.kind
            if kind == "constant":
                xml = slot.xml(0, slot.program.source).replace(f'r="{slot.letter}0"',
                                                               f'r="{slot.letter}{_ROW_NUMBER}')
                pieces.append(xml.replace("{", "{{").replace("}", "}}"))
                continue
            if not slot.field:  # {{ index }}
                pieces.append(f'{slot.head}{_ROW_NUMBER}"{slot.number_head}{{1}}</v></c>')
                continue
            position, (kind_of_value, filled) = next(values)
            slot_text = f"{{{position + 2}}}"
            if kind_of_value is str and filled:
                pieces.append(f'{slot.head}{_ROW_NUMBER}"{slot.text_head}{slot_text}</t></is>'
                              "</c>")
                texts.append(position)
                if slot.wrap_width is not None:
                    wraps.append((position, slot))
            elif kind_of_value is int:
                pieces.append(f'{slot.head}{_ROW_NUMBER}"{slot.number_head}{slot_text}</v></c>')
            elif kind_of_value is type(None) or (kind_of_value is str and not filled):
                pieces.append(f'{slot.head}{_ROW_NUMBER}"{slot.style}/>')
            else:
                return None
        text = "".join(pieces).replace(_ROW_NUMBER, "{0}")
        pick = (operator.itemgetter(*texts) if len(texts) > 1
                else (lambda values, at=texts[0]: (values[at],)) if texts else (lambda values: ()))
        return text, pick, wraps

    def row(self, item: Any, number: int, index: int) -> tuple[str, float] | None:
        """The row's cells and the height its wrapped text needs, or None (cell by cell)."""
        if not self.usable or type(item) is not dict:
            return None
        try:
            values = self.get(item)
        except KeyError:
            return None
        key = tuple(zip(map(type, values), map(bool, values), strict=True))
        if key not in self.formats:
            self.formats[key] = self._compile(key)
        compiled = self.formats[key]
        if compiled is None:
            return None
        text, pick, wraps = compiled
        texts = pick(values)
        if texts:
            joined = "\x01".join(texts)
            if (len(joined) > MAX_CELL_CHARACTERS or _UNSAFE.search(joined)
                    or joined.count("\x01") != len(texts) - 1):
                return None
        tallest = 0.0
        if wraps:
            narrow = "\n" not in joined and not self.wide.search(joined)
            for position, slot in wraps:
                value = values[position]
                needed = (slot.one_line if narrow and len(value) <= slot.one_line_chars
                          else slot.height_of(value))
                if needed > tallest:
                    tallest = needed
        return text.format(number, index, *values), tallest


def _row_span(xml: str, row: int, name: str) -> tuple[int, int]:
    """Where the frame's ``<row r="row">`` element starts and ends in the sheet part."""
    match = re.search(rf'<row r="{row}"(?:[^>]*/>|[^>]*>.*?</row>)', xml, re.S)
    if match is None:
        raise TemplateError(f"模板「{name}」第 {row} 行无法写出 / template {name!r}: row {row} "
                            "is missing from the written sheet")
    return match.start(), match.end()


def _dimension(head: str, last_row: int) -> str:
    """The sheet's ``<dimension>`` reaching at least ``last_row`` (the frame's ends at the
    marked row when nothing is below it)."""
    def widened(match: re.Match) -> str:
        end = int(match.group(2))
        return f'<dimension ref="{match.group(1)}{max(end, last_row)}"'

    return re.sub(r'<dimension ref="([A-Z]+\d+:[A-Z]+)(\d+)"', widened, head, count=1)


def _page_breaks(sheet: Worksheet, marked: MarkedRow, count: int, tail: str) -> str:
    """``tail`` (the sheet part after its rows) with the break that keeps the signature block
    with the table, worked out as in memory from the heights the rows were written with."""
    first, height = marked.template_row, marked.height or 15.0

    def height_of(row: int) -> float:
        if first <= row < first + count:
            return marked.grown.get(row, height)
        return row_height(sheet, row)

    row = signature_break(sheet, height_of)
    if row is None:
        return tail
    sheet.row_breaks.append(Break(id=row))
    breaks = tostring(sheet.row_breaks.to_tree()).decode()
    existing = re.search(r"<rowBreaks\b(?:[^>]*/>|.*?</rowBreaks>)", tail, re.S)
    if existing:
        return tail[:existing.start()] + breaks + tail[existing.end():]
    later = re.search(_AFTER_ROW_BREAKS, tail)
    at = later.start() if later else tail.rindex("</worksheet>")
    return tail[:at] + breaks + tail[at:]


def _write_sheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo, xml: str, marked: MarkedRow,
                 items: Sequence[Any], context: Mapping[str, Any], name: str,
                 sheet: Worksheet) -> None:
    start, end = _row_span(xml, marked.template_row, name)
    head, tail = _dimension(xml[:start], marked.template_row + len(items) - 1), xml[end:]
    tag = xml[start:xml.index(">", start) + 1]
    marked.attributes = tag[len(f'<row r="{marked.template_row}"'):].replace("/>", ">")
    count = max(len(items), 1)
    extra_merges = len(marked.merges) * (count - 1)
    info.compress_type = zipfile.ZIP_DEFLATED
    # Python 3.13 names it compress_level; before, ZipInfo had only the private attribute
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel",
            SHEET_COMPRESSION)
    with archive.open(info, "w", force_zip64=True) as part:
        part.write(head.encode())
        _write_chunks(part, marked.rows(items, context))
        tail = _page_breaks(sheet, marked, count, tail)
        merges_end = tail.find("</mergeCells>")
        if extra_merges and merges_end >= 0:
            before = re.sub(r'<mergeCells count="(\d+)"',
                            lambda m: f'<mergeCells count="{int(m.group(1)) + extra_merges}"',
                            tail[:merges_end], count=1)
            part.write(before.encode())
            _write_chunks(part, marked.merge_refs(count))
            part.write(tail[merges_end:].encode())
        elif extra_merges:
            merges = "".join(marked.merge_refs(count))
            at = tail.index("</sheetData>") + len("</sheetData>")
            part.write((tail[:at] + f'<mergeCells count="{extra_merges}">{merges}</mergeCells>'
                        + tail[at:]).encode())
        else:
            part.write(tail.encode())


def _write_chunks(part: io.RawIOBase, pieces: Iterator[str]) -> None:
    batch: list[str] = []
    for piece in pieces:
        batch.append(piece)
        if len(batch) >= ROWS_PER_WRITE:
            part.write("".join(batch).encode())
            batch.clear()
    part.write("".join(batch).encode())


def stream_workbook(workbook: openpyxl.Workbook, name: str, context: Mapping[str, Any],
                    env: ImmutableSandboxedEnvironment, target: Path,
                    lists: Mapping[str, list[Any]], marked: Mapping[str, int | None]) -> None:
    """Write the filled workbook; references in ``workbook`` are already moved for the rows to
    come (:func:`~planforge.render.excel.shift_references`)."""
    for sheet in workbook.worksheets:
        filler = SheetFiller(sheet, env, name)
        template_row = marked[sheet.title]
        filler.fill_cells(context, skip_row=template_row)
        if template_row is not None:
            shift = max(len(lists[sheet.title]), 1) - 1
            filler.move_below(template_row, shift)
            for number in [r for r in sheet.row_dimensions if template_row < r <= template_row
                           + shift]:
                del sheet.row_dimensions[number]  # left empty by the move; streamed instead
    # Style ids are handed out as cells are first written; hand them out in the writer's order
    # (sheets, rows, columns) before the marked rows ask for theirs, so that every cell gets
    # the id it gets in memory (a date's extra style, when needed, comes last).
    for sheet in workbook.worksheets:
        for _, cell in sorted(sheet._cells.items()):  # noqa: SLF001 (the writer's own order)
            if cell.has_style:
                cell.style_id  # noqa: B018 (registers the style)
    rows = {sheet.title: MarkedRow(sheet, marked[sheet.title], env, name)
            for sheet in workbook.worksheets if marked[sheet.title] is not None}
    frame = io.BytesIO()
    workbook.save(frame)
    parts = {sheet.path.lstrip("/"): sheet for sheet in workbook.worksheets
             if sheet.title in rows}
    # A value can still fail (too long, refused by the sandbox) halfway through the rows: the
    # file is written beside the target and takes its name only once it is whole.
    partial = target.with_name(f".{target.name}.partial")
    try:
        with zipfile.ZipFile(frame) as source, zipfile.ZipFile(
                partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for info in source.infolist():
                sheet = parts.get(info.filename)
                if sheet is None:
                    archive.writestr(info, source.read(info), zipfile.ZIP_DEFLATED)
                else:
                    _write_sheet(archive, zipfile.ZipInfo(info.filename, info.date_time),
                                 source.read(info).decode(), rows[sheet.title],
                                 lists[sheet.title], context, name, sheet)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)

