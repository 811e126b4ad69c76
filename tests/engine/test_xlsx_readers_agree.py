"""python-calamine and openpyxl read every .xlsx alike: every shipped sample and test workbook
under every built-in document type, and workbooks hypothesis writes with openpyxl (text IDs,
numbers, dates, hidden rows, merged headers, blank rows, formulas without results). Every
workbook the rest of the suite reads is compared as well (tests/xlsx_parity.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from planforge.errors import InputError
from planforge.fields import BUILTIN_FIELD_TYPES
from planforge.model import Field, TableSpec
from planforge.plugins import load_plugins
from planforge.readers import CALAMINE, OPENPYXL, DataFile, RawTable
from planforge.validate import RecordBinder

from ..xlsx_parity import checked_table, read, reading_with

#: openpyxl warns of each out-of-range date cell a generated workbook holds; the readers are
#: compared on those cells, the warning says nothing more.
pytestmark = pytest.mark.filterwarnings("ignore:Cell .* is marked as a date:UserWarning")

ROOT = Path(__file__).resolve().parents[2]
WORKBOOKS = sorted(p for folder in ("samples", "tests") for suffix in ("*.xlsx", "*.xlsm")
                   for p in (ROOT / folder).rglob(suffix))


def _input_sets() -> dict[str, tuple[TableSpec, ...]]:
    """Each distinct set of tables a built-in document type reads, named by one such type."""
    found: dict[str, tuple[TableSpec, ...]] = {}
    for name, document_type in load_plugins().document_types.items():
        if repr(document_type.inputs) not in {repr(i) for i in found.values()}:
            found[name] = document_type.inputs
    return found


INPUTS = _input_sets()
BINDER = RecordBinder({t.name: t for t in BUILTIN_FIELD_TYPES})


def outcome(path: Path, inputs: tuple[TableSpec, ...], reader: str) -> Any:
    """Every record (row, values with their types), problem and warning of a run, as ``reader``
    reads the file."""
    with reading_with(reader):
        try:
            data = BINDER.load([path], inputs)
            problems: list[str] = []
        except InputError as error:
            data, problems = getattr(error, "data", None), [str(p) for p in error.problems]
    if data is None:
        return problems
    records = {name: [(r.where, {k: (type(v).__name__, v) for k, v in r.values.items()})
                      for r in rows] for name, rows in data.tables.items()}
    return records, problems, [str(w) for w in data.warnings]


@pytest.mark.slow
@pytest.mark.one_xlsx_reader
@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_workbook_is_read_alike_under_every_document_type(path):
    assert WORKBOOKS, "no workbook found: the test would prove nothing"
    for inputs in INPUTS.values():
        for position, spec in enumerate(inputs):
            assert read(path, spec, position == 0, CALAMINE) == read(
                path, spec, position == 0, OPENPYXL), (path, spec.name)
        assert outcome(path, inputs, CALAMINE) == outcome(path, inputs, OPENPYXL)


def test_the_samples_are_read_by_python_calamine(tmp_path):
    """Not by the fallback: the comparison above compares two readers, not one with itself."""
    sample = ROOT / "samples" / "gd-subsidy" / "roster-2020.xlsx"
    with DataFile(sample) as source:
        source.table(INPUTS["gd-subsidy-application"][0])
        assert source.xlsx_reader == CALAMINE


def test_a_difference_between_the_readers_fails_the_test_that_read(tmp_path):
    path = tmp_path / "a.xlsx"
    book = Workbook()
    book.active.append(["姓名"])
    book.active.append(["张三"])
    book.save(path)
    spec = TableSpec("people", (Field("name", "姓名"),))

    def misread(self: DataFile, spec: TableSpec, primary: bool = True) -> RawTable:
        return RawTable(self.path, "Sheet", ["姓名"], 1, [(2, ["李四"])])

    with pytest.raises(AssertionError, match="differently"):
        checked_table(misread)(DataFile(path), spec)


# ----------------------------------------------------------------------------- generated

PEOPLE = TableSpec("people", (
    Field("seq", "序号", "integer"),
    Field("name", "姓名", required=True),
    Field("id_number", "身份证号码", "resident_id"),
    Field("born", "出生日期", "date"),
    Field("amount", "金额", "amount"),
    Field("retired", "退休", "yes_no"),
    Field("month", "起始年月", "month"),
    Field("remark", "备注"),
), sheets=("名册",))
HEADERS = [f.label for f in PEOPLE.fields]
FORMATS = ["General", "@", "0", "0.00", "yyyy-mm-dd", 'yyyy"年"m"月"d"日"', "yyyy/m/d;@",
           "h:mm:ss", "[h]:mm", "mm-dd-yy h:mm", "0.00E+00", '"ID "0', "mmm-yy", "[Red]0.0"]

texts = st.one_of(
    st.sampled_from(["张三", " 李四 ", "", "#N/A", "#DIV/0!", "是", "否", "1", "0012",
                     "440232196002042245", "4.40232196002042E+17", "2020-03-05", "2018.12",
                     "合计", "示例：张三", "填表人：王五", "\u3000", "a\nb"]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8))
numbers = st.one_of(
    st.integers(-10**6, 10**6), st.integers(10**14, 10**19),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e21, max_value=1e21),
    st.sampled_from([1.0, 2.5, 1e20, 4.40232196002042e17, 43831.0, 43831.5, 0.5, 2018.12]))
moments = st.one_of(
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1)),
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    st.times(), st.timedeltas(dt.timedelta(0), dt.timedelta(days=3)))
values = st.one_of(st.none(), texts, numbers, moments, st.booleans(), st.decimals(
    "-1e6", "1e6", places=2), st.sampled_from(["=1+1", '=A1&"x"', "=DATE(1950,3,5)"]))
rows = st.lists(st.lists(values, max_size=len(HEADERS) + 2), max_size=8)


@st.composite
def workbooks(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "title": draw(st.booleans()),
        "merged": draw(st.booleans()),
        "rows": draw(rows),
        "formats": draw(st.lists(st.sampled_from(FORMATS), min_size=len(HEADERS) + 2,
                                 max_size=len(HEADERS) + 2)),
        "hidden": draw(st.sets(st.integers(1, 12), max_size=3)),
        "blank": draw(st.sets(st.integers(1, 12), max_size=2)),
        "hidden_sheet": draw(st.booleans()),
    }


def write(path: Path, plan: dict[str, Any]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "名册"
    if plan["hidden_sheet"]:
        hidden = book.create_sheet("名册 (2)", 0)
        hidden.append(HEADERS)
        hidden.sheet_state = "hidden"
    if plan["title"]:
        sheet.append(["县教师名册"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    if plan["merged"]:  # 个人信息 over 姓名 and 身份证号码, 序号 merged down both rows
        top = sheet.max_row + 1 if plan["title"] else 1
        sheet.cell(top, 1, "序号")
        sheet.cell(top, 2, "个人信息")
        sheet.merge_cells(start_row=top, start_column=1, end_row=top + 1, end_column=1)
        sheet.merge_cells(start_row=top, start_column=2, end_row=top, end_column=3)
        for column, header in enumerate(HEADERS[1:], start=2):
            sheet.cell(top + 1, column, header)
    else:
        sheet.append(HEADERS)
    for index, cells in enumerate(plan["rows"], start=1):
        if index in plan["blank"]:
            sheet.append([])
        sheet.append([Decimal(str(v)) if isinstance(v, Decimal) else v for v in cells])
        for column, cell in enumerate(sheet[sheet.max_row], start=0):
            cell.number_format = plan["formats"][column % len(plan["formats"])]
    for number in plan["hidden"]:
        sheet.row_dimensions[number].hidden = True
    book.save(path)
    return path


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=workbooks())
def test_generated_workbooks_are_read_alike(tmp_path, plan):
    path = write(tmp_path / "名册.xlsx", plan)
    assert read(path, PEOPLE, True, CALAMINE) == read(path, PEOPLE, True, OPENPYXL)
    assert outcome(path, (PEOPLE,), CALAMINE) == outcome(path, (PEOPLE,), OPENPYXL)
