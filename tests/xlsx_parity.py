"""The two readers of an .xlsx, python-calamine (what planforge uses) and openpyxl (what it used
before, and its fallback), must read every workbook alike: the same header, the same rows with
the same values of the same types, the same warnings, the same formula cells without results,
or the same refusal.

:func:`checked_table` wraps :meth:`DataFile.table` for the whole test session (see
``tests/conftest.py``), so every .xlsx any test writes or ships and reads through planforge is
read by both readers and compared; a difference fails the test that read it.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

from planforge import validate
from planforge.errors import InputError
from planforge.model import TableSpec
from planforge.readers import CALAMINE, OPENPYXL, DataFile, RawTable

XLSX_SUFFIXES = (".xlsx", ".xlsm")


def _cells(cells: Any) -> tuple:
    """A row's cells with their types; an empty text is an empty cell (openpyxl gives "" for an
    empty shared string, python-calamine nothing) and trailing empty cells are dropped."""
    typed = [None if c is None or c == "" else (type(c).__name__, c) for c in cells]
    while typed and typed[-1] is None:
        typed.pop()
    return tuple(typed)


def canonical(table: RawTable | None, rows: list) -> Any:
    """What a reader gave, in a form two readers can be compared by (rows already consumed)."""
    if table is None:
        return None
    headers = list(table.headers)
    while headers and headers[-1] == "":
        headers.pop()
    return {"sheet": table.sheet, "header_row": table.header_row, "headers": headers,
            "rows": [(n, c) for n, c in ((n, _cells(cells)) for n, cells in rows) if c],
            "warnings": [str(w) for w in table.warnings], "uncomputed": table.uncomputed}


def read(path: Path, spec: TableSpec, primary: bool, reader: str) -> Any:
    """The table as ``reader`` reads it, or the problems it refuses the file with."""
    with DataFile(path, xlsx_reader=reader) as source:
        try:
            table = source.table(spec, primary)
            rows = list(table.rows) if table is not None else []
        except InputError as error:
            return {"refused": [str(p) for p in error.problems]}
        return canonical(table, rows)


def checked_table(original: Callable) -> Callable:
    """:meth:`DataFile.table` that also reads an .xlsx with openpyxl and fails on a difference.
    The rows are consumed to compare them and handed on as an iterator, as they came."""

    @functools.wraps(original)
    def table(self: DataFile, spec: TableSpec, primary: bool = True) -> RawTable | None:
        if self.path.suffix.lower() not in XLSX_SUFFIXES or self.xlsx_reader != CALAMINE:
            return original(self, spec, primary)
        refusal = None
        try:
            found = original(self, spec, primary)
            rows = list(found.rows) if found is not None else []
            mine = canonical(found, rows)
        except InputError as error:
            refusal, mine = error, {"refused": [str(p) for p in error.problems]}
        theirs = read(self.path, spec, primary, OPENPYXL)
        assert mine == theirs, f"python-calamine and openpyxl read {self.path} differently"
        if refusal is not None:
            raise refusal
        if found is not None:
            found.rows = iter(rows)
        return found

    return table


@contextlib.contextmanager
def reading_with(reader: str) -> Iterator[None]:
    """Every file :class:`planforge.validate.RecordBinder` loads is read with ``reader``."""
    with mock.patch.object(validate, "DataFile", functools.partial(DataFile, xlsx_reader=reader)):
        yield
