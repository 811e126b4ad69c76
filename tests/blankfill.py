"""Filling a blank from ``planforge blank`` as a clerk would: type the sample people into it."""

from __future__ import annotations

from pathlib import Path

import openpyxl


def _sample_rows(path: Path, sheet: str) -> tuple[list[str], list[list]]:
    workbook = openpyxl.load_workbook(path, data_only=True)
    rows = list(workbook[sheet].iter_rows(values_only=True))
    header_index = next(i for i, r in enumerate(rows) if "姓名" in r or "身份证号码" in r)
    return [str(h) for h in rows[header_index]], [list(r) for r in rows[header_index + 1:]]


def fill_blank(blank: Path, sample: Path, sheets: tuple[str, ...], target: Path) -> Path:
    """Copy the sample's rows under the blank's matching headers (the example row stays)."""
    filled = openpyxl.load_workbook(blank)
    for sheet_title in sheets:
        headers, rows = _sample_rows(sample, sheet_title)
        sheet = filled[sheet_title]
        columns = {c.value: c.column for c in sheet[1]}
        for offset, row in enumerate(rows, start=3):
            for header, value in zip(headers, row, strict=False):
                if header in columns and value is not None:
                    sheet.cell(row=offset, column=columns[header], value=value)
    filled.save(target)
    return target
