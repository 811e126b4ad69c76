"""Reading big rosters cheaply: rows bound as they are read, one workbook load per file, and a
fixed province check; every message and warning must stay what it was when all was held at once."""

from __future__ import annotations

import dataclasses
import io
import pickle
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from stdnum.cn import ric

from planforge.errors import InputError, Location
from planforge.fields import BUILTIN_FIELD_TYPES, PROVINCE_CODES, ResidentId, parse_resident_id
from planforge.model import Field, FieldError, Record, TableSpec
from planforge.readers import HEADER_SCAN_ROWS, DataFile, _lines, read_table
from planforge.validate import RecordBinder
from planforge.xlsx_parts import _parsed, _searched, scan_sheet

#: GB/T 2260's province-level codes, written out independently of the module's constant.
PROVINCES = ("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
             "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
             "63", "64", "65", "71", "81", "82")
HEADERS = ["序号", "姓名", "性别", "身份证号码", "金额"]
PEOPLE = TableSpec("people", (
    Field("seq", "序号", "integer"),
    Field("name", "姓名", required=True),
    Field("sex", "性别", "sex", matches_id="id_number"),
    Field("id_number", "身份证号码", "resident_id", required=True, unique=True),
    Field("amount", "金额", "amount"),
), sheets=("名册",))
SCHOOLS = TableSpec("schools", (
    Field("id_number", "身份证号码", "resident_id", required=True),
    Field("school", "学校", required=True),
), sheets=("任教经历",))


def an_id(region: str = "440232", birth: str = "19600204", sequence: str = "224") -> str:
    body = region + birth + sequence
    return body + ric.calc_check_digit(body + "0")


MAN, WOMAN = an_id(sequence="113"), an_id(sequence="224")


@pytest.fixture
def binder() -> RecordBinder:
    return RecordBinder({t.name: t for t in BUILTIN_FIELD_TYPES})


def roster(path: Path, rows: list[list], hidden: tuple[int, ...] = ()) -> Path:
    """Two merged title rows, the header on row 3, ``rows`` from row 4; a 任教经历 sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "名册"
    for number in (1, 2):
        sheet.append([f"2026年名册（标题{number}）"])
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=5)
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    for number in hidden:
        sheet.row_dimensions[number].hidden = True
    history = workbook.create_sheet("任教经历")
    history.append(["身份证号码", "学校"])
    history.append([MAN, "城南小学"])
    history.append([WOMAN, "城北小学"])
    workbook.save(path)
    return path


@pytest.mark.parametrize("code", [f"{n:02d}" for n in range(100)])
def test_exactly_the_province_codes_open_a_valid_id(code):
    number = an_id(region=code + "0232")
    if code in PROVINCES:
        assert parse_resident_id(number, PEOPLE.fields[3]) == number
    else:
        with pytest.raises(FieldError, match="region code"):
            parse_resident_id(number, PEOPLE.fields[3])


def test_the_province_codes_are_gb_t_2260s():
    assert set(PROVINCES) == PROVINCE_CODES
    assert not {"00", "19", "99"} & PROVINCE_CODES


def test_resident_ids_carry_no_dict_and_survive_pickling():
    number = parse_resident_id(MAN, PEOPLE.fields[3])
    assert not hasattr(number, "__dict__")
    again = pickle.loads(pickle.dumps(number))
    assert type(again) is ResidentId and again == MAN and again.sex == "男"
    assert again.birth_date.isoformat() == "1960-02-04"


def test_records_are_slotted_and_still_plain_mappings_that_pickle():
    record = Record({"name": "张三", "id_number": ResidentId(MAN)}, Location("a.xlsx", "名册", 4))
    assert not hasattr(record, "__dict__")
    assert dict(record) == record.values and record["name"] == "张三" and len(record) == 2
    for protocol in (pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL):
        again = pickle.loads(pickle.dumps(record, protocol))
        assert again == record and again.where == Location("a.xlsx", "名册", 4)
        assert type(again["id_number"]) is ResidentId
    assert Record({"x": 1}).where == Location()
    assert dataclasses.replace(record.where, column="姓名").column == "姓名"


def test_a_streamed_sheet_gives_the_records_problems_and_warnings_of_a_whole_read(binder, tmp_path):
    rows = [
        [1, "张三", "男", MAN, "1,200.50"],  # row 4, hidden
        [None] * 5,  # row 5, hidden but blank: no warning
        [2, "李四", "男", WOMAN, 800],  # row 6: sex disagrees with the ID
        [],  # row 7
        ["合 计", None, None, None, 2000.5],  # row 8, hidden: skipped as data, still warned
        [3, "", "女", "4402321960020422", "x"],  # row 9: three problems
        [4, "王五", "女", WOMAN, None],  # row 10: repeats row 6
    ]
    path = roster(tmp_path / "名册.xlsx", rows, hidden=(2, 4, 5, 8))
    with pytest.raises(InputError) as error:
        binder.load([path], (PEOPLE, SCHOOLS))
    where = f"{path}, 工作表/sheet「名册」"
    assert [str(p) for p in error.value.problems] == [
        f"{where}, 第6行/row 6, 列/column「性别」: 性别「男」与身份证号码（女性）不符 / "
        "sex '男' disagrees with the ID number (female)",
        f"{where}, 第9行/row 9, 列/column「姓名」: 必填项为空 / required value is empty",
        f"{where}, 第9行/row 9, 列/column「身份证号码」: 身份证号码「4402321960020422」应为18位，"
        "实际16位 / ID number '4402321960020422' must have 18 characters, not 16",
        f"{where}, 第9行/row 9, 列/column「金额」: 「x」不是金额 / 'x' is not an amount",
        f"{where}, 第10行/row 10, 列/column「身份证号码」: 「{WOMAN}」与第6行重复 / "
        f"'{WOMAN}' repeats row 6",
    ]
    table = read_table(path, PEOPLE)  # the rows all at once, as before
    assert table.header_row == 3 and table.headers == HEADERS
    assert [n for n, _ in table.rows] == list(range(4, 11))
    assert [w.where.row for w in table.warnings] == [4, 8]
    assert "隐藏" in str(table.warnings[0]) and "hidden" in str(table.warnings[0])

    rows[2][2] = "女"
    rows[5] = [3, "赵六", "女", an_id(sequence="246"), 300]
    rows[6] = [4, "王五", "女", an_id(sequence="268"), None]
    data = binder.load([roster(tmp_path / "好.xlsx", rows, hidden=(2, 4, 5, 8))], (PEOPLE, SCHOOLS))
    assert [(r["name"], r.where.row) for r in data.tables["people"]] == [
        ("张三", 4), ("李四", 6), ("赵六", 9), ("王五", 10)]
    assert str(data.tables["people"][0]["amount"]) == "1200.50"
    assert [(r.where.sheet, r.where.row) for r in data.tables["schools"]] == [
        ("任教经历", 2), ("任教经历", 3)]
    assert [(w.where.sheet, w.where.row) for w in data.warnings] == [("名册", 4), ("名册", 8)]


@pytest.mark.one_xlsx_reader
def test_a_workbook_is_loaded_once_for_all_its_tables_and_its_rows_are_read_as_bound(
        binder, tmp_path, monkeypatch):
    import openpyxl

    from planforge import calamine_books

    loads = []
    load = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: loads.append(1) or load(*a, **k))

    class CountedBook(calamine_books.CalamineBook):
        def __init__(self, *args):
            loads.append(1)
            super().__init__(*args)

    monkeypatch.setattr(calamine_books, "CalamineBook", CountedBook)
    path = roster(tmp_path / "名册.xlsx", [[1, "张三", "男", MAN, 1], [2, "李四", "女", WOMAN, 2]])
    data = binder.load([path, path], (PEOPLE, SCHOOLS))
    assert len(loads) == 2  # once per file, not once per table
    assert len(data.tables["people"]) == len(data.tables["schools"]) == 4
    with DataFile(path) as source:
        table = source.table(PEOPLE)
        assert iter(table.rows) is table.rows  # not a list: read as it is consumed
        assert [n for n, _ in table.rows] == [4, 5]
        assert source.table(SCHOOLS, primary=False).sheet == "任教经历"


@pytest.mark.parametrize("blank_rows", [HEADER_SCAN_ROWS - 1, HEADER_SCAN_ROWS])
def test_the_header_is_looked_for_in_the_first_rows_only(binder, tmp_path, blank_rows):
    workbook = Workbook()
    sheet = workbook.active
    for _ in range(blank_rows):
        sheet.append(["说明"])
    sheet.append(HEADERS)
    sheet.append([1, "张三", "男", MAN, 1])
    workbook.save(tmp_path / "a.xlsx")
    if blank_rows < HEADER_SCAN_ROWS:
        data = binder.load([tmp_path / "a.xlsx"], (PEOPLE,))
        assert data.tables["people"][0].where.row == HEADER_SCAN_ROWS + 1
    else:
        with pytest.raises(InputError, match="no header row"):
            binder.load([tmp_path / "a.xlsx"], (PEOPLE,))


def _rewrite_sheet(path: Path, change) -> Path:
    """A copy of the workbook with the first sheet's XML passed through ``change``."""
    out = path.with_name(f"changed-{path.name}")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for name in source.namelist():
            data = source.read(name)
            copy.writestr(name, change(data) if name == "xl/worksheets/sheet1.xml" else data)
    return out


def test_a_sheet_damaged_below_the_header_is_one_problem_with_the_file(binder, tmp_path):
    path = roster(tmp_path / "名册.xlsx", [[1, "张三", "男", MAN, 1]])
    damaged = _rewrite_sheet(path, lambda xml: xml.replace(
        b"</sheetData>", b'<row r="90"><c r="A90" t="n"><v>abc</v></c></row></sheetData>'))
    with pytest.raises(InputError) as error:
        binder.load([damaged], (PEOPLE, SCHOOLS))
    assert len(error.value.problems) == 1
    assert error.value.problems[0].where == Location(str(damaged))
    assert "cannot read the Excel file (ValueError" in str(error.value.problems[0])


def test_hidden_rows_are_found_in_a_sheet_written_in_utf_16(binder, tmp_path):
    path = roster(tmp_path / "名册.xlsx", [[1, "张三", "男", MAN, 1], [2, "李四", "女", WOMAN, 2]],
                  hidden=(5,))

    def utf16(xml: bytes) -> bytes:
        body = xml.decode("utf-8").split("?>", 1)[-1]
        return ('<?xml version="1.0" encoding="UTF-16"?>' + body).encode("utf-16")

    data = binder.load([_rewrite_sheet(path, utf16)], (PEOPLE,))
    assert [r["name"] for r in data.tables["people"]] == ["张三", "李四"]
    assert [w.where.row for w in data.warnings] == [5]


@pytest.mark.parametrize("at", [0, (1 << 20) - 8, (1 << 20) - 3, 1 << 20, (1 << 20) + 5])
def test_the_word_hidden_is_found_across_the_chunks_the_sheet_is_searched_in(tmp_path, at):
    head, tail = b"<worksheet><sheetData>", b"</sheetData></worksheet>"
    row = b'<row r="1"><c r="A1"><v>1</v></c></row>'
    hidden = b'<row r="2" hidden="1"></row>'
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as archive:
        archive.writestr("sheet.xml", head + row * (at // len(row)) + hidden + row * 100 + tail)
        archive.writestr("plain.xml", head + row * 60_000 + tail)
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert _searched(archive, "sheet.xml")[1]
        assert not _searched(archive, "plain.xml")[1]


@given(st.text(alphabet="ab,\"\r\n\x1c\x85\u2028"))
def test_csv_lines_split_as_a_text_file_would(text):
    assert list(_lines(text)) == list(io.StringIO(text, newline=""))


def test_a_csv_with_mac_line_endings_is_read(binder, tmp_path):
    """Excel for Mac's "CSV (Macintosh)" ends lines with a lone CR."""
    lines = [",".join(HEADERS), f"1,张三,男,{MAN},1", f'2,"李\r四",女,{WOMAN},2']
    path = tmp_path / "名册.csv"
    path.write_bytes("\r".join(lines).encode("utf-8"))
    data = binder.load([path], (PEOPLE, SCHOOLS))
    assert [(r["name"], r.where.row) for r in data.tables["people"]] == [("张三", 2), ("李 四", 3)]


def test_a_streamed_csv_numbers_its_records_as_before(binder, tmp_path):
    lines = ["人员名单", ",".join(HEADERS), f'1,"张\r\n三",男,{MAN},1', "", f"2,李四,女,{WOMAN},2",
             "合计,,,,3"]
    path = tmp_path / "名册.csv"
    path.write_bytes("\r\n".join(lines).encode("gb18030"))
    data = binder.load([path], (PEOPLE, SCHOOLS))
    assert [(r["name"], r.where.row) for r in data.tables["people"]] == [("张 三", 3), ("李四", 5)]
    assert data.tables["schools"] == []


def test_a_csv_line_the_csv_module_refuses_is_bad_input_naming_the_line(binder, tmp_path):
    path = tmp_path / "名册.csv"
    path.write_text(",".join(HEADERS) + f'\n1,"{"长" * 140_000}",男,{MAN},1\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        binder.load([path], (PEOPLE, SCHOOLS))
    (problem,) = caught.value.problems
    assert problem.where.file == str(path)
    assert "第2行" in problem.zh and "line 2" in problem.en


def _sheet_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


@pytest.mark.slow
def test_formulas_without_results_are_found_alike_by_search_and_by_parse(tmp_path):
    """Over 1 MB of rows (so across the chunks the search reads), hidden rows, an empty text
    result (cached) and a namespace-prefixed copy of the same sheet (parsed)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "姓名", "备注"])
    for number in range(2, 9000):
        sheet.append([number, f"人员{number}", "=1+1" if number % 7 == 0 else "无"])
    sheet.row_dimensions[40].hidden = True
    path, other = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    book.save(path)
    book.save(other)
    cached = _rewrite_sheet(path, lambda xml: xml.replace(
        b'<c r="C14"><f>1+1</f><v></v></c>', b'<c r="C14" t="str"><f>1+1</f><v></v></c>'))
    prefixed = _rewrite_sheet(other, lambda xml: xml.replace(b"<", b"<x:").replace(
        b"<x:/", b"</x:").replace(b"<x:?", b"<?").replace(b"<x:worksheet xmlns=",
                                                           b"<x:worksheet xmlns:x="))
    assert len(_sheet_xml(path)) > 1 << 20
    expected = {n: {2} for n in range(7, 9000, 7)}
    for workbook, rows in ((path, expected), (prefixed, expected),
                           (cached, {n: c for n, c in expected.items() if n != 14})):
        marks = scan_sheet(workbook, "xl/worksheets/sheet1.xml")
        with zipfile.ZipFile(workbook) as archive:
            parsed = _parsed(archive, "xl/worksheets/sheet1.xml", cells=True)
        assert marks.uncomputed == parsed.uncomputed == rows
        assert marks.hidden == parsed.hidden == {40}
