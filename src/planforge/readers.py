"""Reading tables from the files clerks keep: .xlsx, .csv, .json and .yaml.

A reader only finds the header row and returns raw cells with their positions; turning cells into
values is :mod:`planforge.validate`'s job.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Location, Problem
from .model import TableSpec
from .text import normalize_header

HEADER_SCAN_ROWS = 30


@dataclass
class RawTable:
    """Cells below a header row, each row with its number as the clerk sees it."""

    file: Path
    sheet: str | None
    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)

    def where(self, row: int | None = None, column: str | None = None) -> Location:
        return Location(str(self.file), self.sheet, row, column)


def _file_problem(path: Path, zh: str, en: str) -> InputError:
    return InputError(Problem(zh, en, Location(str(path))))


def _known_headers(spec: TableSpec) -> set[str]:
    return {normalize_header(h) for f in spec.fields for h in f.headers()}


def _find_header(path: Path, sheet: str | None, rows: list[list[Any]], spec: TableSpec) -> int:
    """The header is the row (of the first few) naming the most known columns."""
    known = _known_headers(spec)
    best_index, best_score = -1, 0
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = sum(1 for cell in row if cell is not None and normalize_header(cell) in known)
        if score > best_score:
            best_index, best_score = index, score
    if best_index < 0:
        expected = "、".join(f.label for f in spec.fields if f.required) or "、".join(
            f.label for f in spec.fields
        )
        raise InputError(
            Problem(
                f"找不到表头行：前{HEADER_SCAN_ROWS}行中没有任何一列名为 {expected}",
                f"no header row found: none of the first {HEADER_SCAN_ROWS} rows names a column "
                f"such as {expected}",
                Location(str(path), sheet),
            )
        )
    return best_index


def _table(path: Path, sheet: str | None, rows: list[list[Any]], spec: TableSpec,
           first_row_number: int = 1) -> RawTable:
    header_index = _find_header(path, sheet, rows, spec)
    headers = ["" if c is None else str(c).strip() for c in rows[header_index]]
    body = [
        (first_row_number + i, list(row))
        for i, row in enumerate(rows[header_index + 1:], start=header_index + 1)
    ]
    return RawTable(path, sheet, headers, first_row_number + header_index, body)


def _sniff_binary(path: Path, head: bytes) -> None:
    """Name the usual impostors: old .xls, encrypted workbooks and web pages saved as .xls."""
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _file_problem(
            path,
            "这是旧版 Excel(.xls) 文件或设置了打开密码的工作簿；请去掉密码，并在 Excel/WPS 中“另存为”.xlsx",
            "this is an old Excel .xls file or a password-protected workbook; remove the password "
            "and save it as .xlsx in Excel or WPS",
        )
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<html", b"<!doctype", b"<table", b"<?xml")) or b"<html" in lowered[:512]:
        raise _file_problem(
            path,
            "这个文件其实是网页(HTML)，只是扩展名为 Excel；请用 Excel/WPS 打开后“另存为”.xlsx",
            "this file is really a web page (HTML) with an Excel extension; open it in Excel or WPS "
            "and save it as .xlsx",
        )


def _xlsx_rows(path: Path, spec: TableSpec, primary: bool) -> RawTable | None:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise _file_problem(
            path, f"无法读取 Excel 文件（{error}）", f"cannot read the Excel file ({error})"
        ) from None
    try:
        names = workbook.sheetnames
        wanted = {normalize_header(s) for s in spec.sheets}
        chosen = next((n for n in names if normalize_header(n) in wanted), None)
        if chosen is None:
            if not primary:
                return None
            visible = [n for n in names if workbook[n].sheet_state == "visible"]
            chosen = (visible or names)[0]
        rows = [list(r) for r in workbook[chosen].iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _table(path, chosen, rows, spec)


def _decode_csv(path: Path, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _file_problem(
        path,
        "无法识别 CSV 文件的编码（应为 UTF-8 或 GBK/GB18030）",
        "cannot tell the CSV file's encoding (expected UTF-8 or GBK/GB18030)",
    )


def _csv_rows(path: Path, spec: TableSpec) -> RawTable:
    text = _decode_csv(path, path.read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    return _table(path, None, [[c if c != "" else None for c in r] for r in rows], spec)


def _records_rows(path: Path, items: Any, spec: TableSpec, sheet: str | None) -> RawTable:
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InputError(
            Problem(
                "数据应为对象列表（每个对象一行）",
                "the data must be a list of objects, one per row",
                Location(str(path), sheet),
            )
        )
    headers: list[str] = []
    for item in items:
        headers.extend(str(k) for k in item if str(k) not in headers)
    rows = [(n, [item.get(h) for h in headers]) for n, item in enumerate(items, start=1)]
    return RawTable(path, sheet, headers, 0, rows)


def _structured_rows(path: Path, spec: TableSpec, primary: bool) -> RawTable | None:
    text = path.read_text(encoding="utf-8-sig")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise _file_problem(path, f"文件格式错误：{error}", f"the file is malformed: {error}") from None
    if isinstance(data, dict):
        wanted = {normalize_header(s) for s in (*spec.sheets, spec.name)}
        key = next((k for k in data if normalize_header(k) in wanted), None)
        if key is None:
            if not primary:
                return None
            key = next((k for k, v in data.items() if isinstance(v, list)), None)
            if key is None:
                return _records_rows(path, data, spec, None)
        return _records_rows(path, data[key], spec, str(key))
    if not primary:
        return None
    return _records_rows(path, data, spec, None)


def read_table(path: Path, spec: TableSpec, primary: bool = True) -> RawTable | None:
    """Read the table ``spec`` describes from ``path``; None when an optional table is absent."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as error:
        raise _file_problem(
            path, f"无法打开文件（{error.strerror}）", f"cannot open the file ({error.strerror})"
        ) from None
    suffix = path.suffix.lower()
    if not head:
        raise _file_problem(path, "文件是空的", "the file is empty")
    if suffix in {".xlsx", ".xlsm", ".xls"}:
        _sniff_binary(path, head)
        return _xlsx_rows(path, spec, primary)
    if suffix in {".csv", ".txt", ".tsv"}:
        return _csv_rows(path, spec) if primary else None
    if suffix in {".json", ".yaml", ".yml"}:
        return _structured_rows(path, spec, primary)
    raise _file_problem(
        path,
        f"不支持的文件类型「{suffix}」（可用 .xlsx、.csv、.json、.yaml）",
        f"unsupported file type {suffix!r} (use .xlsx, .csv, .json or .yaml)",
    )
