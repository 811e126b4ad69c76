"""Workbooks read by python-calamine: .xlsx, .xls, .xlsb and .ods.

Cells come back as openpyxl gives them (empty cells None, whole numbers int, dates datetime), so
:mod:`planforge.readers` applies the same header search, sheet choice and checks to every format.
What values cannot tell is read from the format itself: an .xlsx's hidden rows, formulas without
results, error cells and whole numbers written as decimals from its sheet's bytes
(:mod:`planforge.xlsx_parts`); hidden rows from an .xls's row records (xlrd) and an .ods's
``table:visibility``; an .xlsb's hidden rows are not read, and said so.
"""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from itertools import repeat
from pathlib import Path
from typing import Any

from .errors import Location, Problem
from .marks import SheetMarks
from .xlsx_parts import SheetScan, scan_sheet, sheet_members

XLSX, XLS, XLSB, ODS = "xlsx", "xls", "xlsb", "ods"
#: How each format is named to the clerk (中文, English).
FORMAT_NAMES = {
    XLSX: ("Excel", "Excel"),
    XLS: ("旧版 Excel(.xls)", "old Excel (.xls)"),
    XLSB: ("Excel 二进制(.xlsb)", "Excel binary (.xlsb)"),
    ODS: ("OpenDocument(.ods)", "OpenDocument (.ods)"),
}
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def zip_format(path: Path, named: str | None) -> str | None:
    """XLSB or ODS for a zip package holding one of them; None for anything else (an .xlsx).
    A damaged package is taken as what its members, else its name (``named``), say it is."""
    names: set[str] = set()
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.bin" in names:
                return XLSB
            if "mimetype" in names and archive.read("mimetype").startswith(_ODS_MIMETYPE):
                return ODS
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        return ODS if "content.xml" in names else named  # named by the reader it needs
    return None


def ods_is_encrypted(path: Path) -> bool:
    """An .ods saved with a password lists how each part is encrypted in its manifest."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = archive.read("META-INF/manifest.xml")
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, zlib.error):
        return False  # no manifest, or a damaged one: the reader names the file
    return b"encryption-data" in manifest


def _cell(value: Any) -> Any:
    """A calamine value as openpyxl gives it, so every rule sees one kind of value."""
    if value.__class__ is str:  # most cells: one test
        return value or None
    if value.__class__ is float:
        return int(value) if value.is_integer() else value
    if value.__class__ is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return value


class UnreadSheet(Exception):
    """An .xlsx sheet python-calamine may not read as openpyxl does (see
    :attr:`SheetScan.unlike`): the workbook is read by openpyxl instead."""


class CalamineBook:
    """One workbook opened by python-calamine; sheets are parsed as they are read."""

    def __init__(self, path: Path, kind: str, dates: dict[int, str] | None = None):
        import python_calamine

        self.path = path
        self.kind = kind
        self.dates = dates  # an .xlsx's date styles (see xlsx_parts.date_styles)
        # By its name when that is right: only then is a password named (from a handle,
        # calamine tries each format and says none fits); by its content when it is not.
        if path.suffix.lower() == f".{kind}":
            self._book = python_calamine.CalamineWorkbook.from_path(str(path))
        else:
            with path.open("rb") as handle:
                self._book = python_calamine.CalamineWorkbook.from_filelike(handle)
        self._warned = False
        self._scans: dict[str, SheetScan] = {}
        self._members: dict[str, str] = {}

    def close(self) -> None:
        self._book.close()

    def sheets(self) -> list[tuple[str, bool]]:
        """Each worksheet's name and whether it is visible (chart sheets hold no table)."""
        from python_calamine import SheetTypeEnum, SheetVisibleEnum

        return [(sheet.name, sheet.visible == SheetVisibleEnum.Visible)
                for sheet in self._book.sheets_metadata if sheet.typ == SheetTypeEnum.WorkSheet]

    def rows(self, name: str) -> Iterator[Sequence[Any]]:
        """The sheet's rows from row 1 and column A, whatever its first filled cell; a cell
        showing an error (#N/A, #DIV/0!) reads as its text, as openpyxl reads it from an .xlsx,
        where python-calamine would give an empty cell. The sheet is loaded here, so a damaged
        one fails now rather than halfway through its rows."""
        sheet = self._book.get_sheet_by_name(name)
        return self._cells(sheet, self._scan(name))

    @staticmethod
    def _cells(sheet, scan: SheetScan) -> Iterator[Sequence[Any]]:
        """Rows below the last value are read while they hold a formula without a result."""
        values, floats = scan.values, scan.floats
        top, left = sheet.start if sheet.height else (0, 0)
        yield from repeat((), top)
        padding = (None,) * left
        number = top
        for number, row in enumerate(sheet.iter_rows(), start=top + 1):  # noqa: B007
            cells = [*padding, *(v if v.__class__ is str and v else _cell(v) for v in row)]
            for column in floats.get(number, ()):
                if cells[column].__class__ is int:  # written 1.0: openpyxl reads a float
                    cells[column] = float(cells[column])
            if number in values:
                cells = [values[number].get(column, cell) for column, cell in enumerate(cells)]
            yield cells
        yield from repeat((), max(scan.uncomputed, default=0) - number)

    def marks(self, name: str) -> SheetMarks:
        """Rows hidden in the sheet; or a warning, once per file, that they cannot be told."""
        if self.kind == XLSX:
            scan = self._scan(name)
            return SheetMarks(hidden=scan.hidden, uncomputed=scan.uncomputed)
        if self.kind != XLSB:
            return SheetMarks(hidden=self._scan(name).hidden)
        if self._warned:
            return SheetMarks()
        self._warned = True
        zh, en = FORMAT_NAMES[self.kind]
        return SheetMarks(warnings=[Problem(
            f"{zh}文件无法区分隐藏的行：隐藏的行也会作为数据读取；不需要的行请删除而不是隐藏",
            f"hidden rows cannot be told apart in an {en} file: any hidden row is read as data; "
            "delete rows you do not want instead of hiding them", Location(str(self.path)))])

    def _scan(self, name: str) -> SheetScan:
        """What values do not tell, read from the format once per sheet (nothing for .xlsb)."""
        if name not in self._scans:
            if self.kind == XLSX:
                if not self._members:
                    self._members = sheet_members(self.path)
                self._scans[name] = scan_sheet(self.path, self._members.get(name), self.dates)
                if self._scans[name].unlike:
                    raise UnreadSheet(f"sheet {name!r}: {self._scans[name].unlike}")
            else:
                scan = {XLS: _scan_xls, ODS: _scan_ods}.get(self.kind)
                self._scans[name] = scan(self.path, name) if scan else SheetScan()
        return self._scans[name]


def _scan_xls(path: Path, name: str) -> SheetScan:
    """Hidden rows from the row records xlrd reads with formatting information, error cells
    from its cell types."""
    import xlrd

    book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    try:
        sheet = book.sheet_by_name(name)
        scan = SheetScan({index + 1 for index, info in sheet.rowinfo_map.items() if info.hidden})
        for index in range(sheet.nrows):
            for column, kind in enumerate(sheet.row_types(index)):
                if kind == xlrd.XL_CELL_ERROR:
                    text = xlrd.error_text_from_code.get(sheet.cell_value(index, column), "#N/A")
                    scan.values.setdefault(index + 1, {})[column] = text
        return scan
    finally:
        book.release_resources()


_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_CALC_VALUE_TYPE = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type"
#: Repeats past this are the empty rest of a sheet (Calc writes a million rows as one element).
_MOST_REPEATS = 1 << 16


def _scan_ods(path: Path, name: str) -> SheetScan:
    """Rows of the named table whose ``table:visibility`` is collapse or filter, and cells whose
    value type is error, counting ``number-rows-repeated`` and ``number-columns-repeated`` as
    Calc does."""
    from lxml import etree

    scan = SheetScan()
    cells = (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell")
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as stream:
        number, column, inside = 0, 0, False
        for event, element in etree.iterparse(stream, events=("start", "end"), tag=(
                f"{_TABLE}table", f"{_TABLE}table-row", *cells)):
            tag = element.tag
            if tag == f"{_TABLE}table":
                if event == "start":
                    inside = element.get(f"{_TABLE}name") == name
                elif inside:
                    break
            elif event == "start" or not inside:
                if event == "end":
                    element.clear()
            elif tag in cells:
                repeats = int(element.get(f"{_TABLE}number-columns-repeated") or 1)
                if element.get(_CALC_VALUE_TYPE) == "error":
                    text = "".join(element.itertext()).strip() or "#N/A"
                    row = scan.values.setdefault(number + 1, {})
                    row.update(dict.fromkeys(range(column, column + min(repeats, _MOST_REPEATS)),
                                             text))
                column += repeats
            else:  # the end of a row
                repeats = int(element.get(f"{_TABLE}number-rows-repeated") or 1)
                if element.get(f"{_TABLE}visibility") in ("collapse", "filter"):
                    scan.hidden.update(range(number + 1, number + 1 + min(repeats, _MOST_REPEATS)))
                number, column = number + repeats, 0
                element.clear()
    return scan
