"""Workbooks openpyxl cannot read (.xls, .xlsb, .ods), read by python-calamine.

Cells come back as openpyxl gives them (empty cells None, whole numbers int, dates datetime), so
:mod:`planforge.readers` applies the same header search, sheet choice and checks to every format.
What values cannot tell is read from the format itself: hidden rows from an .xls's row records
(xlrd) and an .ods's ``table:visibility``; an .xlsb's hidden rows are not read, and said so.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator, Sequence
from itertools import repeat
from pathlib import Path
from typing import Any

from .errors import Location, Problem
from .readers import SheetMarks

XLS, XLSB, ODS = "xls", "xlsb", "ods"
#: How each format is named to the clerk (中文, English).
FORMAT_NAMES = {
    XLS: ("旧版 Excel(.xls)", "old Excel (.xls)"),
    XLSB: ("Excel 二进制(.xlsb)", "Excel binary (.xlsb)"),
    ODS: ("OpenDocument(.ods)", "OpenDocument (.ods)"),
}
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def zip_format(path: Path) -> str | None:
    """XLSB or ODS for a zip package holding one of them; None for anything else (an .xlsx)."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if "xl/workbook.bin" in names:
            return XLSB
        if "mimetype" in names and archive.read("mimetype").startswith(_ODS_MIMETYPE):
            return ODS
    return None


def ods_is_encrypted(path: Path) -> bool:
    """An .ods saved with a password lists how each part is encrypted in its manifest."""
    with zipfile.ZipFile(path) as archive:
        try:
            manifest = archive.read("META-INF/manifest.xml")
        except KeyError:
            return False
    return b"encryption-data" in manifest


def _cell(value: Any) -> Any:
    """A calamine value as openpyxl gives it, so every rule sees one kind of value."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if type(value) is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return value


class CalamineBook:
    """One workbook opened by python-calamine; sheets are parsed as they are read."""

    def __init__(self, path: Path, kind: str):
        import python_calamine

        self.path = path
        self.kind = kind
        # From a handle, so the format is told by the content, not the name (.xls named .xlsx).
        self._handle = path.open("rb")
        try:
            self._book = python_calamine.CalamineWorkbook.from_filelike(self._handle)
        except BaseException:
            self._handle.close()
            raise
        self._warned = False

    def close(self) -> None:
        self._book.close()
        self._handle.close()

    def sheets(self) -> list[tuple[str, bool]]:
        """Each worksheet's name and whether it is visible (chart sheets hold no table)."""
        from python_calamine import SheetTypeEnum, SheetVisibleEnum

        return [(sheet.name, sheet.visible == SheetVisibleEnum.Visible)
                for sheet in self._book.sheets_metadata if sheet.typ == SheetTypeEnum.WorkSheet]

    def rows(self, name: str) -> Iterator[Sequence[Any]]:
        """The sheet's rows from row 1 and column A, whatever its first filled cell."""
        sheet = self._book.get_sheet_by_name(name)
        top, left = sheet.start if sheet.height else (0, 0)
        yield from repeat((), top)
        padding = (None,) * left
        for row in sheet.iter_rows():
            yield (*padding, *map(_cell, row))

    def marks(self, name: str) -> SheetMarks:
        """Rows hidden in the sheet; or a warning, once per file, that they cannot be told."""
        if self.kind == XLS:
            return SheetMarks(hidden=_xls_hidden_rows(self.path, name))
        if self.kind == ODS:
            return SheetMarks(hidden=_ods_hidden_rows(self.path, name))
        if self._warned:
            return SheetMarks()
        self._warned = True
        zh, en = FORMAT_NAMES[self.kind]
        return SheetMarks(warnings=[Problem(
            f"{zh}文件无法区分隐藏的行：隐藏的行也会作为数据读取；不需要的行请删除而不是隐藏",
            f"hidden rows cannot be told apart in an {en} file: any hidden row is read as data; "
            "delete rows you do not want instead of hiding them", Location(str(self.path)))])


def _xls_hidden_rows(path: Path, name: str) -> set[int]:
    """From the row records xlrd reads with formatting information (1-based row numbers)."""
    import xlrd

    book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    try:
        sheet = book.sheet_by_name(name)
        return {index + 1 for index, info in sheet.rowinfo_map.items() if info.hidden}
    finally:
        book.release_resources()


_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_hidden_rows(path: Path, name: str) -> set[int]:
    """Rows of the named table whose ``table:visibility`` is collapse or filter (1-based),
    counting ``number-rows-repeated`` as Calc does."""
    from lxml import etree

    hidden: set[int] = set()
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as stream:
        number = 0
        inside = False
        for event, element in etree.iterparse(
                stream, events=("start", "end"), tag=(f"{_TABLE}table", f"{_TABLE}table-row")):
            if element.tag == f"{_TABLE}table":
                if event == "start":
                    inside = element.get(f"{_TABLE}name") == name
                elif inside:
                    break
                continue
            if event == "end":
                if inside:
                    count = int(element.get(f"{_TABLE}number-rows-repeated") or 1)
                    if element.get(f"{_TABLE}visibility") in ("collapse", "filter"):
                        hidden.update(range(number + 1, number + 1 + min(count, 1 << 16)))
                    number += count
                element.clear()
    return hidden
