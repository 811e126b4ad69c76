"""Reading tables from the files clerks keep: .xlsx, .xls, .xlsb, .ods, .csv, .json and .yaml.

A reader only finds the header row and returns raw cells with their positions; turning cells into
values is :mod:`planforge.validate`'s job.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice, zip_longest
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import InputError, Location, Problem
from .marks import SheetMarks
from .model import TableSpec
from .text import normalize_header
from .yamlload import in_both_languages, load_yaml

if TYPE_CHECKING:
    from .calamine_books import CalamineBook

HEADER_SCAN_ROWS = 30


@dataclass
class RawTable:
    """Cells below a header row, each row with its number as the clerk sees it.

    From a :class:`DataFile`, ``rows`` is read as it is consumed (once, while the file is open), so
    a big sheet is never held whole; warnings about rows are complete once it is consumed.
    """

    file: Path
    sheet: str | None
    headers: list[str]
    header_row: int
    rows: Iterable[tuple[int, Sequence[Any]]] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # read anyway, but the clerk is told
    #: Formula cells saved without their result (row -> 0-based columns): not empty, unknown.
    uncomputed: dict[int, set[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._file_name = str(self.file)  # one string shared by the Location of every row

    def where(self, row: int | None = None, column: str | None = None) -> Location:
        return Location(self._file_name, self.sheet, row, column)


def _file_problem(path: Path, zh: str, en: str) -> InputError:
    return InputError(Problem(zh, en, Location(str(path))))


def _known_headers(spec: TableSpec) -> set[str]:
    return {normalize_header(h) for f in spec.fields for h in f.headers()}


def _header_score(row: Sequence[Any], known: set[str]) -> int:
    return sum(1 for cell in row if cell is not None and normalize_header(cell) in known)


def _merged_header(top: Sequence[Any], bottom: Sequence[Any]) -> list[Any]:
    """Two header rows read as one: a column's lower name (姓名 under a merged 个人信息), else its
    upper one (序号 merged down across both rows)."""
    return [low if low is not None and str(low).strip() else high
            for high, low in zip_longest(top, bottom)]


def _find_header(path: Path, sheet: str | None, rows: list[Sequence[Any]], spec: TableSpec
                 ) -> tuple[int, int]:
    """The header: the row (of the first few) naming the most known columns, or two rows read
    as one when together they name more than either alone. Returns its first and last index."""
    known = _known_headers(spec)
    best, best_score = (-1, -1), 0
    scores = [_header_score(row, known) for row in rows]
    for index, score in enumerate(scores):
        if score > best_score:
            best, best_score = (index, index), score
        if index + 1 < len(rows):
            pair = _header_score(_merged_header(rows[index], rows[index + 1]), known)
            if pair > max(best_score, score, scores[index + 1]):
                best, best_score = (index, index + 1), pair
    if best_score == 0:
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
    return best


def _table(path: Path, sheet: str | None, rows: Iterator[Sequence[Any]], spec: TableSpec) -> RawTable:
    """Only the rows searched for the header are held; the rest are left to be read as bound."""
    numbered = enumerate(rows, start=1)
    head = list(islice(numbered, HEADER_SCAN_ROWS))
    first, last = _find_header(path, sheet, [cells for _, cells in head], spec)
    cells = head[first][1] if first == last else _merged_header(head[first][1], head[last][1])
    headers = ["" if c is None else str(c).strip() for c in cells]
    return RawTable(path, sheet, headers, last + 1, chain(head[last + 1:], numbered))


_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def _password_problem(path: Path) -> InputError:
    return _file_problem(
        path,
        "这个工作簿设置了打开密码，无法读取；请在 Excel/WPS/LibreOffice 中去掉密码（另存时不设密码）后再试",
        "this workbook is protected with a password and cannot be read; remove the password in "
        "Excel, WPS or LibreOffice (save it again without one) and try again",
    )


#: Formats read by python-calamine, by suffix, when the bytes do not say which they are.
_CALAMINE_SUFFIXES = {".xls": "xls", ".xlsb": "xlsb", ".ods": "ods"}


def _workbook_kind(path: Path, head: bytes, suffix: str) -> str | None:
    """Which format a workbook is, by its bytes rather than its name (an .xlsx or .xlsm is
    XLSX); impostors are refused by name. None for a damaged file named .xlsx, which openpyxl
    names as it always has."""
    from .calamine_books import ODS, XLS, XLSX, ods_is_encrypted, zip_format

    if head.startswith(b"\xd0\xcf\x11\xe0"):
        # An OLE2 file: a workbook with an opening password keeps the real .xlsx encrypted in
        # a stream named EncryptedPackage (names are UTF-16 in the directory); else old .xls.
        if _ENCRYPTED_STREAM in path.read_bytes():
            raise _password_problem(path)
        return XLS
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<html", b"<!doctype", b"<table", b"<?xml")) or b"<html" in lowered[:512]:
        raise _file_problem(
            path,
            "这个文件其实是网页(HTML)，只是扩展名为 Excel；请用 Excel/WPS 打开后“另存为”.xlsx",
            "this file is really a web page (HTML) with an Excel extension; open it in Excel or WPS "
            "and save it as .xlsx",
        )
    if head.startswith(b"PK\x03\x04") and zipfile.is_zipfile(path):  # else damaged: by name
        kind = zip_format(path, _CALAMINE_SUFFIXES.get(suffix))
        if kind == ODS and ods_is_encrypted(path):
            raise _password_problem(path)
        return kind or XLSX
    return _CALAMINE_SUFFIXES.get(suffix)


def _unreadable_workbook(path: Path, error: Exception, kind: str | None = None) -> InputError:
    from .calamine_books import FORMAT_NAMES

    zh, en = FORMAT_NAMES.get(kind, ("Excel", "Excel"))
    return _file_problem(
        path, f"无法读取 {zh} 文件（{type(error).__name__}: {error}），文件可能已损坏",
        f"cannot read the {en} file ({type(error).__name__}: {error}); it may be damaged",
    )


class _OpenpyxlBook:
    """An .xlsx or .xlsm as openpyxl reads it, seen as :class:`CalamineBook` sees the rest."""

    def __init__(self, path: Path, workbook):
        self.path = path
        self._workbook = workbook

    def close(self) -> None:
        self._workbook.close()

    def sheets(self) -> list[tuple[str, bool]]:
        return [(n, self._workbook[n].sheet_state == "visible") for n in self._workbook.sheetnames]

    def rows(self, name: str) -> Iterator[Sequence[Any]]:
        return self._workbook[name].iter_rows(values_only=True)

    def marks(self, name: str) -> SheetMarks:
        from .xlsx_parts import scan_sheet

        scan = scan_sheet(self.path, getattr(self._workbook[name], "_worksheet_path", None))
        return SheetMarks(hidden=scan.hidden, uncomputed=scan.uncomputed)


def _sheet_table(path: Path, workbook, spec: TableSpec, primary: bool) -> RawTable | None:
    """The spec's sheet (or the first visible one): hidden sheets are never read, and rows a
    clerk hid are read but reported, since hiding a row in Excel does not delete it."""
    sheets = workbook.sheets()
    names = [n for n, visible in sheets if visible]
    hidden = [n for n, visible in sheets if not visible]
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
        chosen = _sheet_with_header(workbook, names, spec)
    marks = workbook.marks(chosen)
    table = _table(path, chosen, workbook.rows(chosen), spec)
    table.uncomputed = marks.uncomputed
    table.warnings.extend(marks.warnings)
    if marks.hidden:
        table.rows = _warn_hidden(table, table.rows, marks.hidden)
    table.rows = _read_guarded(path, table.rows, getattr(workbook, "kind", None))
    return table


def _sheet_with_header(workbook, names: list[str], spec: TableSpec) -> str:
    """Of sheets not named as the spec expects, the one whose first rows best name its columns
    (a first sheet of 填表说明 is passed over); the first sheet when none does."""
    if len(names) == 1:
        return names[0]
    known = _known_headers(spec)
    best, best_score = names[0], 0
    for name in names:
        head = islice(workbook.rows(name), HEADER_SCAN_ROWS)
        score = max((_header_score(row, known) for row in head), default=0)
        if score > best_score:
            best, best_score = name, score
    return best


def _warn_hidden(table: RawTable, rows: Iterable[tuple[int, Sequence[Any]]],
                 hidden: set[int]) -> Iterator[tuple[int, Sequence[Any]]]:
    """Pass the rows on, warning of each hidden one that holds anything."""
    for number, cells in rows:
        if number in hidden and any(c is not None and str(c).strip() for c in cells):
            table.warnings.append(Problem(
                "这一行在 Excel 中是隐藏的，但仍作为数据读取；不需要的行请删除而不是隐藏",
                "this row is hidden in Excel but was read as data; delete rows you do not want "
                "instead of hiding them", table.where(number)))
        yield number, cells


def _read_guarded(path: Path, rows: Iterable[tuple[int, Sequence[Any]]], kind: str | None
                  ) -> Iterator[tuple[int, Sequence[Any]]]:
    """Rows as the workbook reads them; a sheet damaged further down is a problem with the file."""
    try:
        yield from rows
    except Exception as error:
        raise _unreadable_workbook(path, error, kind) from None


def _decode_csv(path: Path, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(codecs.BOM_UTF8):  # says UTF-8: a line in another encoding is named
        body = data[len(codecs.BOM_UTF8):]
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as error:
            line = body.count(b"\n", 0, error.start) + 1
            raise _file_problem(
                path,
                f"CSV 文件开头标明是 UTF-8 编码，但第{line}行不是 UTF-8（可能混入了 GBK 编码的文字）；"
                "请在 Excel/WPS 或记事本中以同一种编码另存后再试",
                f"the CSV file is marked as UTF-8, but line {line} is not UTF-8 (GBK text mixed "
                "in?); save the whole file in one encoding and try again",
            ) from None
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


#: A line and its ending: \r\n (Windows), \n, or a lone \r (Excel for Mac's "CSV (Macintosh)").
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` as a file opened with ``newline=""`` gives them (what the csv module
    expects), without the copy (four bytes a character) that io.StringIO would make."""
    return (match.group() for match in _LINE.finditer(text))


def _csv_table(path: Path, spec: TableSpec) -> RawTable:
    text = _decode_csv(path, path.read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return _table(path, None, _csv_rows(path, csv.reader(_lines(text), dialect)), spec)


def _csv_rows(path: Path, reader) -> Iterator[list[Any]]:
    """Cells of each row (empty ones None); a line the csv module refuses is the clerk's to fix."""
    try:
        for row in reader:
            yield [c if c != "" else None for c in row]
    except csv.Error as error:
        raise _file_problem(path, f"CSV 文件第{reader.line_num}行无法读取：{error}",
                            f"line {reader.line_num} of the CSV file cannot be read: {error}"
                            ) from None


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
    rows = ((n, [item.get(h) for h in headers]) for n, item in enumerate(items, start=1))
    return RawTable(path, sheet, headers, 0, rows)


def _structured_table(path: Path, data: Any, spec: TableSpec, primary: bool) -> RawTable | None:
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


def _parse_structured(path: Path) -> Any:
    text = path.read_text(encoding="utf-8-sig")
    try:
        return json.loads(text) if path.suffix.lower() == ".json" else load_yaml(text, path)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        zh, en = in_both_languages(error)
        raise _file_problem(path, f"文件格式错误：{zh}", f"the file is malformed: {en}") from None


_EXCEL_SUFFIXES = {".xlsx", ".xlsm", *_CALAMINE_SUFFIXES}
#: What reads an .xlsx's values (see :class:`DataFile`).
CALAMINE, OPENPYXL = "calamine", "openpyxl"
_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_STRUCTURED_SUFFIXES = {".json", ".yaml", ".yml"}
_UNREAD = object()


class DataFile:
    """One data file, opened and parsed once however many tables are read from it.

    Use it as a context manager: the rows of the tables it returns are read from the open file as
    they are consumed, so each table must be consumed before the file is closed.
    """

    def __init__(self, path: Path, xlsx_reader: str = CALAMINE):
        self.path = Path(path)
        #: Which reads an .xlsx's values: python-calamine, or openpyxl (whose values it must
        #: equal; the fallback for a workbook python-calamine cannot open or reads otherwise).
        self.xlsx_reader = xlsx_reader
        self._checked = False
        self._handle = None
        self._workbook: _OpenpyxlBook | CalamineBook | None = None
        self._kind: str | None = None  # the workbook's format (XLSX for .xlsx and .xlsm)
        self._data: Any = _UNREAD

    def __enter__(self) -> DataFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def table(self, spec: TableSpec, primary: bool = True) -> RawTable | None:
        """The table ``spec`` describes; None when an optional table is absent."""
        suffix = self.path.suffix.lower()
        if not self._checked:
            self._check(suffix)
        if suffix in _EXCEL_SUFFIXES:
            try:
                return _sheet_table(self.path, self._open_workbook(), spec, primary)
            except InputError:
                raise
            except Exception as error:  # the readers raise many kinds on a damaged or foreign file
                self.close()
                if self._reads_xlsx_with(CALAMINE):  # openpyxl says what is wrong, as it did
                    self.xlsx_reader = OPENPYXL
                    return self.table(spec, primary)
                if type(error).__name__ == "PasswordError" or "encrypted" in str(error):
                    raise _password_problem(self.path) from None  # an .xls: calamine's, xlrd's
                raise _unreadable_workbook(self.path, error, self._kind) from None
        if suffix in _CSV_SUFFIXES:
            return _csv_table(self.path, spec) if primary else None
        if self._data is _UNREAD:
            self._data = _parse_structured(self.path)
        return _structured_table(self.path, self._data, spec, primary)

    def sheet_rows(self, sheet: str | None) -> tuple[str, list[Sequence[Any]]]:
        """Every row of a workbook's sheet (``sheet``, else the first), in any workbook format,
        numbered from row 1 as the clerk sees them: for showing a problem's cell in context."""
        if not self._checked:
            self._check(self.path.suffix.lower())
        book = self._open_workbook()
        names = [name for name, _ in book.sheets()]
        chosen = sheet if sheet in names else names[0]
        return chosen, [list(row) for row in book.rows(chosen)]

    def _check(self, suffix: str) -> None:
        """Refuse, by name, files that cannot be read at all."""
        path = self.path
        try:
            with path.open("rb") as handle:
                head = handle.read(1024)
        except OSError as error:
            raise _file_problem(
                path, f"无法打开文件（{error.strerror}）", f"cannot open the file ({error.strerror})"
            ) from None
        if not head:
            raise _file_problem(path, "文件是空的", "the file is empty")
        if suffix in _EXCEL_SUFFIXES:
            self._kind = _workbook_kind(path, head, suffix)
        elif suffix not in _CSV_SUFFIXES | _STRUCTURED_SUFFIXES:
            raise _file_problem(
                path,
                f"不支持的文件类型「{suffix}」（可用 .xlsx、.xls、.xlsb、.ods、.csv、.json、.yaml）",
                f"unsupported file type {suffix!r} (use .xlsx, .xls, .xlsb, .ods, .csv, .json or "
                ".yaml)",
            )
        self._checked = True

    def _reads_xlsx_with(self, reader: str) -> bool:
        from .calamine_books import XLSX

        return self._kind == XLSX and self.xlsx_reader == reader

    def _open_workbook(self) -> _OpenpyxlBook | CalamineBook:
        """Loaded once per file. openpyxl parses the shared strings then, and the whole of every
        sheet that does not state its size (no <dimension>, as in many exported files); it reads
        an .xlsx only when asked to, or when python-calamine cannot open it or would take other
        cells for dates."""
        import openpyxl

        from .calamine_books import CalamineBook
        from .xlsx_parts import date_styles

        if self._workbook is None and self._reads_xlsx_with(CALAMINE):
            try:
                dates = date_styles(self.path)
                if dates is not None:
                    self._workbook = CalamineBook(self.path, self._kind, dates)
            except Exception:  # a damaged package: openpyxl names what is wrong, as it did
                self._workbook = None
            if self._workbook is None:
                self.xlsx_reader = OPENPYXL
        if self._workbook is None and self._kind is not None and not self._reads_xlsx_with(
                OPENPYXL):
            self._workbook = CalamineBook(self.path, self._kind)
        elif self._workbook is None:
            # Opened from a handle, so a real .xlsx named .xls is read by its content.
            self._handle = self.path.open("rb")
            self._workbook = _OpenpyxlBook(self.path, openpyxl.load_workbook(
                self._handle, read_only=True, data_only=True))
        return self._workbook


def read_table(path: Path, spec: TableSpec, primary: bool = True) -> RawTable | None:
    """Read the table ``spec`` describes from ``path``, all its rows at once; None when an
    optional table is absent. :class:`DataFile` reads several tables, row by row."""
    with DataFile(path) as source:
        table = source.table(spec, primary)
        if table is not None:
            table.rows = list(table.rows)
    return table
