"""The uploaded sheet as the clerk knows it, with the cells a check found wrong marked.

Problems name a cell by file, sheet, row number and column header (what the CLI prints); here
the header is looked up in the sheet's first rows so the very cell can be coloured.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..readers import DataFile
from ..text import normalize_header

#: Rows shown around the problems (and at the top): enough to find one's way, never a
#: 20,000-row page.
CONTEXT_ROWS = 2
MAX_ROWS = 300
HEADER_SCAN = 30


def _rows(path: Path, sheet: str | None) -> tuple[str | None, list[Sequence[Any]]]:
    """Every row's values, from a workbook's sheet or a CSV file."""
    if path.suffix.lower() in {".csv", ".txt", ".tsv"}:
        data = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030", "utf-16"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return None, []
        return None, list(csv.reader(io.StringIO(text, newline="")))
    with DataFile(path) as workbook:
        return workbook.sheet_rows(sheet)


def _column_of(rows: list[Sequence[Any]], header: str, before: int) -> int | None:
    """The column whose header (in the first rows above ``before``) reads ``header``."""
    wanted = normalize_header(header)
    for row in rows[: min(before - 1, HEADER_SCAN)]:
        for index, value in enumerate(row):
            if value is not None and normalize_header(value) == wanted:
                return index
    return None


def sheet_view(path: Path, display_name: str, problems: Iterable[Problem]) -> dict[str, Any] | None:
    """Rows to show (numbered as in Excel) and the marked cells, for the problems of one file."""
    mine = [p for p in problems if p.where.file and Path(p.where.file).name == path.name]
    if not mine or path.suffix.lower() not in {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv",
                                                ".txt", ".tsv"}:
        return None
    sheet = next((p.where.sheet for p in mine if p.where.sheet), None)
    try:
        sheet, rows = _rows(path, sheet)
    except Exception:  # an unreadable file: the problem list already says why
        return None
    marked: dict[tuple[int, int], list[str]] = {}
    bad_rows: set[int] = set()
    for problem in mine:
        if problem.where.sheet not in (None, sheet) or problem.where.row is None:
            continue
        row = problem.where.row
        bad_rows.add(row)
        column = _column_of(rows, problem.where.column or "", row)
        if column is not None:
            marked.setdefault((row, column), []).append(f"{problem.zh} / {problem.en}")
    shown = set(range(1, min(len(rows), HEADER_SCAN // 3) + 1))
    for row in sorted(bad_rows):
        shown.update(range(max(1, row - CONTEXT_ROWS), min(len(rows), row + CONTEXT_ROWS) + 1))
    numbers = sorted(shown)[:MAX_ROWS]
    width = max((len(rows[n - 1]) for n in numbers), default=0)
    return {
        "file": display_name, "sheet": sheet, "width": width,
        "rows": [{"number": n,
                  "cells": [{"text": "" if v is None else str(v),
                             "problems": marked.get((n, i), [])}
                            for i, v in enumerate(list(rows[n - 1]) + [None] * (width - len(rows[n - 1])))]}
                 for n in numbers],
    }
