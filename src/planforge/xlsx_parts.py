"""What an .xlsx's cell values do not tell, read from the parts of the package that tell it.

python-calamine reads the values of an .xlsx; openpyxl read them before, and what a clerk's
roster means must not depend on which did. So this module reads, without loading the workbook:
which part holds each sheet; whether python-calamine takes the same number formats for dates
as openpyxl (both read the styles part; when they differ the workbook is read by openpyxl); and,
by a search of the sheet's bytes, rows hidden in Excel, formulas saved without their result,
cells showing an error (#N/A) and whole numbers written as decimals (4.40106200001011E+17, an ID
typed as a number), which openpyxl reads as floats.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_OFFICE_DOCUMENT = "/officeDocument"
_SHEET_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass
class SheetScan:
    """What a sheet's bytes say beyond its values; rows 1-based, columns 0-based."""

    hidden: set[int] = field(default_factory=set)
    uncomputed: dict[int, set[int]] = field(default_factory=dict)  # formulas without a result
    #: Cells python-calamine reads otherwise, as openpyxl reads them: an error's text (#N/A,
    #: #DIV/0!), and a number a date format cannot show (negative, past 9999) as #VALUE!.
    values: dict[int, dict[int, Any]] = field(default_factory=dict)
    floats: dict[int, set[int]] = field(default_factory=dict)  # whole numbers written 1.0, 1E+3
    #: Why python-calamine may not read the sheet as openpyxl does ("" when it may): written
    #: in UTF-16 or with namespace prefixes (parsed here), or a number past any date in a date
    #: format (which python-calamine may fail on). Such a workbook's values are read by openpyxl.
    unlike: str = ""


# ----------------------------------------------------------------------------- the package


def _targets(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (type, member), targets resolved against the part."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    found = {}
    for relation in etree.fromstring(archive.read(rels)).iter(_RELATIONSHIPS):
        target = relation.get("Target") or ""
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(folder, target))
        found[relation.get("Id")] = (relation.get("Type") or "", member)
    return found


def workbook_part(archive: zipfile.ZipFile) -> str:
    """The workbook's part, as the package's own relationships name it."""
    for kind, member in _targets(archive, "").values():
        if kind.endswith(_OFFICE_DOCUMENT):
            return member
    return "xl/workbook.xml"


def sheet_members(path: Path) -> dict[str, str]:
    """Each sheet's name and the part holding its cells."""
    with zipfile.ZipFile(path) as archive:
        book = workbook_part(archive)
        targets = _targets(archive, book)
        root = etree.fromstring(archive.read(book))
    return {sheet.get("name"): targets[sheet.get(_SHEET_ID)][1]
            for sheet in root.iter("{*}sheet") if sheet.get(_SHEET_ID) in targets}


# ----------------------------------------------------------------------------- dates

_DATE_1904 = re.compile(rb"""date1904\s*=\s*["'](?:1|true)["']""")
_STYLES = "xl/styles.xml"  # where openpyxl reads them, whatever the relationships say


def date_styles(path: Path) -> dict[int, str] | None:
    """The cell styles openpyxl reads a number in as a date ("date") or a duration
    ("duration"), when python-calamine gives the same verdict on every style; None when it
    does not, or the workbook counts days from 1904 (both handle it, but the rare workbook that
    does is left to openpyxl)."""
    with zipfile.ZipFile(path) as archive:
        if _DATE_1904.search(archive.read(workbook_part(archive))):
            return None
        try:
            styles = archive.read(_STYLES)
        except KeyError:
            return {}  # no styles: neither reader sees a date format
    verdicts = _openpyxl_verdicts(styles)
    if verdicts != _calamine_verdicts(styles):
        return None
    return {index: verdict for index, verdict in enumerate(verdicts) if verdict}


def _openpyxl_verdicts(styles: bytes) -> list[str]:
    """Per cell style: "date", "duration" or "" as openpyxl reads a number in it."""
    from openpyxl.styles.stylesheet import Stylesheet
    from openpyxl.xml.functions import fromstring

    sheet = Stylesheet.from_tree(fromstring(styles))
    return ["duration" if index in sheet.timedelta_formats else
            "date" if index in sheet.date_formats else ""
            for index in range(len(sheet.cell_styles))]


def _calamine_verdicts(styles: bytes) -> list[str]:
    """Per cell style, as python-calamine reads the number 1 in it: a workbook made of the
    same styles and one cell per style, read back (its rules change between versions)."""
    import datetime as dt

    import python_calamine

    xfs = etree.fromstring(styles).find("{*}cellXfs")
    count = len(xfs) if xfs is not None else 0
    cells = "".join(f'<row r="{i + 1}"><c r="A{i + 1}" s="{i}"><v>1</v></c></row>'
                    for i in range(count))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as probe:
        for member, text in _probe_parts(cells).items():
            probe.writestr(member, text)
        probe.writestr(_STYLES, styles)
    buffer.seek(0)
    book = python_calamine.CalamineWorkbook.from_filelike(buffer)
    rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False) if count else []
    values = [row[0] if row else None for row in rows] + [None] * (count - len(rows))
    return ["duration" if isinstance(v, dt.timedelta) else
            "date" if isinstance(v, dt.date | dt.time) else "" for v in values]


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOCUMENT_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _probe_parts(cells: str) -> dict[str, str]:
    types = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{types}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{types}.worksheet+xml"/>'
            f'<Override PartName="/{_STYLES}" ContentType="{types}.styles+xml"/></Types>'),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PACKAGE_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOCUMENT_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PACKAGE_RELS}">'
            f'<Relationship Id="rId1" Type="{_DOCUMENT_RELS}/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_DOCUMENT_RELS}/styles" Target="styles.xml"/>'
            '</Relationships>'),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOCUMENT_RELS}"><sheets>'
            '<sheet name="probe" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{_MAIN}"><sheetData>{cells}'
                                    "</sheetData></worksheet>",
    }


# ----------------------------------------------------------------------------- the sheet's bytes

#: A formula not followed by a result: no <v>, or an empty one, before the cell ends.
_FORMULA_WITHOUT_VALUE = re.compile(rb"(?:</f>|<f\b[^>]*/>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>")
#: A value that may be a whole number written as a decimal: 1.0, 12., 4.40106200001011E+17.
_DECIMAL_TEXT = re.compile(rb"<v>(-?(?:\d+\.0*|\d*\.?\d+[eE][-+]?\d+))</v>")
#: A cell showing an error: its start tag says t="e".
_ERROR_CELL = re.compile(rb"""<c\b[^>]*\st\s*=\s*["']e["'][^>]*(?<!/)>(.*?)</c>""", re.S)
_ERROR_VALUE = re.compile(rb"<v>([^<]*)</v>")
_CELL_REFERENCE = re.compile(rb'\sr="([A-Za-z]{1,3})([0-9]+)"')
_CELL_TYPE = re.compile(rb'\st="([A-Za-z]+)"')
_CELL_STYLE = re.compile(rb'\ss="([0-9]+)"')
#: A number no date can show, or near that: negative, seven digits and more, an exponent.
_UNDATED = re.compile(rb"<v>(-[0-9.eE+-]+|[0-9]{7,}(?:\.[0-9]*)?|[0-9.]+[eE][-+]?[0-9]+)</v>")
_ROW_END = b"</row>"
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*\sencoding\s*=\s*["']([^"']+)["']""")


def scan_sheet(path: Path, member: str | None, dates: dict[int, str] | None = None) -> SheetScan:
    """The sheet's marks, found by searching its bytes (ten times faster than parsing them);
    a sheet that mentions "hidden" is parsed for its rows, one the search cannot read (UTF-16,
    namespace prefixes, cells without references) for everything. ``dates`` are the styles
    openpyxl reads as dates (see :func:`date_styles`)."""
    if not member:
        return SheetScan()
    name = member.lstrip("/")
    with zipfile.ZipFile(path) as archive:
        searched = _searched(archive, name, dates or {})
        if searched is None:
            scan = _parsed(archive, name, cells=True)
            scan.unlike = "not plain UTF-8 XML"
            return scan
        scan, mentions_hidden = searched
        if mentions_hidden:
            scan.hidden = _parsed(archive, name, cells=False).hidden
        return scan


def _searched(archive: zipfile.ZipFile, member: str, dates: dict[int, str] | None = None
              ) -> tuple[SheetScan, bool] | None:
    """The marks from a search of the bytes, row by row, and whether "hidden" occurs (only a
    parse says which rows); None when the search cannot place a cell."""
    scan = SheetScan()
    mentions_hidden = False
    pending = b""
    with archive.open(member) as stream:
        first = stream.read(1 << 20)
        declared = _ENCODING.search(first[:200])
        if first.startswith((b"\xff\xfe", b"\xfe\xff")) or b"<worksheet" not in first[:4096] or (
                declared and declared.group(1).lower() not in (b"utf-8", b"utf8")):
            return None  # UTF-16 or another encoding, or the elements carry a namespace prefix
        chunk = first
        while chunk:
            pending += chunk
            chunk = stream.read(1 << 20)
            cut = len(pending) if not chunk else pending.rfind(_ROW_END) + len(_ROW_END)
            if cut < len(_ROW_END) and chunk:
                continue  # no row ends in what was read yet
            rows, pending = pending[:cut], pending[cut:]
            mentions_hidden = mentions_hidden or b"hidden" in rows
            if not _search_rows(rows, scan, dates or {}):
                return None
    return scan, mentions_hidden


def _search_rows(rows: bytes, scan: SheetScan, dates: dict[int, str]) -> bool:
    """Add what ``rows`` (whole rows of sheet XML) hold to ``scan``; False when a cell cannot
    be placed by its reference. Each search runs only on rows that can hold what it finds."""
    if b"<f" in rows:
        for match in _FORMULA_WITHOUT_VALUE.finditer(rows):
            tag = _start_tag(rows, match.start())
            place = _place(tag)
            if place is None:
                return False
            cell_type = _CELL_TYPE.search(tag)
            if cell_type is not None and cell_type.group(1) == b"str" and b"<v" in rows[
                    match.start():match.end()]:
                continue  # an empty text result, as Excel, WPS and LibreOffice save ""
            scan.uncomputed.setdefault(place[0], set()).add(place[1])
    for match in _DECIMAL_TEXT.finditer(rows):
        if not float(match.group(1)).is_integer():
            continue
        tag = _start_tag(rows, match.start())
        cell_type = _CELL_TYPE.search(tag)
        if cell_type is not None and cell_type.group(1) != b"n":
            continue  # a text, or a formula's text result: read as written
        place = _place(tag)
        if place is None:
            return False
        scan.floats.setdefault(place[0], set()).add(place[1])
    if b'"e"' in rows or b"'e'" in rows:
        for match in _ERROR_CELL.finditer(rows):
            place = _place(rows[match.start():match.start(1)])
            value = _ERROR_VALUE.search(match.group(1))
            if place is None:
                return False
            if value is not None:
                scan.values.setdefault(place[0], {})[place[1]] = value.group(1).decode()
    for match in _UNDATED.finditer(rows) if dates else ():
        tag = _start_tag(rows, match.start())
        cell_type, style = _CELL_TYPE.search(tag), _CELL_STYLE.search(tag)
        verdict = dates.get(int(style.group(1))) if style else None
        if verdict is None or (cell_type is not None and cell_type.group(1) != b"n"):
            continue
        place = _place(tag)
        if place is None:
            return False
        value = _openpyxl_date(match.group(1).decode(), verdict)
        scan.values.setdefault(place[0], {})[place[1]] = value
        if value == "#VALUE!":
            scan.unlike = "a number past any date in a date format"
    return True


def _openpyxl_date(text: str, verdict: str) -> Any:
    """A number in a date format as openpyxl reads it: #VALUE! when no date can show it."""
    from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

    number = float(text) if "." in text or "e" in text.lower() else int(text)
    try:
        return from_excel(number, WINDOWS_EPOCH, timedelta=verdict == "duration")
    except (OverflowError, ValueError):
        return "#VALUE!"


def _start_tag(rows: bytes, position: int) -> bytes:
    """The start tag of the cell that holds ``position``."""
    start = rows.rfind(b"<c ", 0, position)
    return rows[start:rows.find(b">", start)] if start >= 0 else b""


def _place(tag: bytes) -> tuple[int, int] | None:
    """A cell's row (1-based) and column (0-based) from its start tag's reference."""
    reference = _CELL_REFERENCE.search(tag)
    if reference is None:
        return None
    return int(reference.group(2)), column_index(reference.group(1).decode()) - 1


def _parsed(archive: zipfile.ZipFile, member: str, cells: bool) -> SheetScan:
    """The marks from parsing the sheet (any encoding, any namespace prefix); its cells are
    looked at only for ``cells``."""
    scan = SheetScan()
    with archive.open(member) as stream:
        number = 0
        for _, row in etree.iterparse(stream, tag="{*}row"):
            number = int(row.get("r")) if (row.get("r") or "").isdigit() else number + 1
            if row.get("hidden") in ("1", "true"):
                scan.hidden.add(number)
            column = 0
            for cell in row if cells else ():
                letters = re.match(r"[A-Za-z]+", cell.get("r") or "")
                column = column_index(letters.group()) if letters else column + 1
                _parsed_cell(cell, number, column - 1, scan)
            row.clear()
    return scan


def _parsed_cell(cell: etree._Element, row: int, column: int, scan: SheetScan) -> None:
    parts = {_local_name(child.tag): child for child in cell}
    value = parts.get("v")
    kind = cell.get("t") or "n"
    if "f" in parts and "is" not in parts and (
            value is None or (not value.text and kind != "str")):
        # no cached value, or an empty one where the result is not a text (Excel, WPS and
        # LibreOffice write an empty text result as t="str" with <v></v>)
        scan.uncomputed.setdefault(row, set()).add(column)
    elif value is not None and value.text and kind == "e":
        scan.values.setdefault(row, {})[column] = value.text
    elif value is not None and kind == "n" and _DECIMAL_TEXT.fullmatch(
            f"<v>{value.text}</v>".encode()) and float(value.text).is_integer():
        scan.floats.setdefault(row, set()).add(column)


def column_index(letters: str) -> int:
    """A column's 1-based number from its letters (A, AB)."""
    from openpyxl.utils import column_index_from_string

    return column_index_from_string(letters.upper())


def _local_name(tag: object) -> str:
    """An element's name without its namespace (comments have no name)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
