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
    warnings: list[Problem] = field(default_factory=list)  # read anyway, but the clerk is told

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


_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def _sniff_binary(path: Path, head: bytes) -> None:
    """Name the usual impostors: old .xls, encrypted workbooks and web pages saved as .xls."""
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        # An OLE2 file: a workbook with an opening password keeps the real .xlsx encrypted in
        # a stream named EncryptedPackage (names are UTF-16 in the directory); else old .xls.
        if _ENCRYPTED_STREAM in path.read_bytes():
            raise _file_problem(
                path,
                "这个工作簿设置了打开密码，无法读取；请在 Excel/WPS 中去掉密码（文件→信息→保护工作簿）后再试",
                "this workbook is protected with a password and cannot be read; remove the "
                "password in Excel or WPS (File → Info → Protect Workbook) and try again",
            )
        raise _file_problem(
            path,
            "这是旧版 Excel(.xls) 文件；请在 Excel/WPS 中“另存为”.xlsx 后再试",
            "this is an old Excel .xls file; save it as .xlsx in Excel or WPS and try again",
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
    """The spec's sheet (or the first visible one): hidden sheets are never read, and rows a
    clerk hid are read but reported, since hiding a row in Excel does not delete it."""
    import openpyxl

    try:
        # Opened from a handle, so a real .xlsx named .xls is read by its content.
        with path.open("rb") as handle:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
            return _workbook_table(path, workbook, spec, primary)
    except InputError:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged or foreign file
        raise _file_problem(
            path, f"无法读取 Excel 文件（{type(error).__name__}: {error}）",
            f"cannot read the Excel file ({type(error).__name__}: {error})",
        ) from None


def _workbook_table(path: Path, workbook, spec: TableSpec, primary: bool) -> RawTable | None:
    try:
        names = [n for n in workbook.sheetnames if workbook[n].sheet_state == "visible"]
        hidden = [n for n in workbook.sheetnames if n not in names]
        wanted = {normalize_header(s) for s in spec.sheets}
        chosen = next((n for n in names if normalize_header(n) in wanted), None)
        if chosen is None:
            refused = [n for n in hidden if normalize_header(n) in wanted]
            if refused:  # the clerk hid the very sheet we look for: ask rather than guess
                raise InputError([Problem(
                    f"工作表「{n}」是隐藏的；请在 Excel/WPS 中取消隐藏后再试，或删除它",
                    f"sheet {n!r} is hidden; unhide it in Excel or WPS (or delete it) and try "
                    "again", Location(str(path), n)) for n in refused])
            if not primary or not names:
                return None
            chosen = names[0]
        sheet = workbook[chosen]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        hidden_rows = _hidden_rows(path, getattr(sheet, "_worksheet_path", None))
    finally:
        workbook.close()
    table = _table(path, chosen, rows, spec)
    body = {number for number, cells in table.rows
            if any(c is not None and str(c).strip() for c in cells)}
    for number in sorted(hidden_rows & body):
        table.warnings.append(Problem(
            "这一行在 Excel 中是隐藏的，但仍作为数据读取；不需要的行请删除而不是隐藏",
            "this row is hidden in Excel but was read as data; delete rows you do not want "
            "instead of hiding them", table.where(number)))
    return table


def _hidden_rows(path: Path, member: str | None) -> set[int]:
    """Row numbers a sheet marks hidden (hidden by hand or by a filter)."""
    from lxml import etree

    if not member:
        return set()
    found = set()
    with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as stream:
        for _, element in etree.iterparse(stream, tag="{*}row"):
            if element.get("hidden") in ("1", "true") and element.get("r", "").isdigit():
                found.add(int(element.get("r")))
            element.clear()
    return found


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
