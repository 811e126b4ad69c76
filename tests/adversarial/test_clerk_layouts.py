"""Workbooks as clerks and other programs really make them: formulas saved without their results,
two-row headers, signature footers, a sheet of instructions first, datetime text, month-only
dates and mixed encodings. Each is read right, or refused naming file, sheet, row and column."""

from __future__ import annotations

import codecs
import subprocess
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from planforge.default_plugins.convert import find_soffice, have_soffice
from planforge.engine import Engine
from planforge.errors import InputError
from planforge.model import Field, TableSpec
from planforge.plugins import load_plugins
from planforge.readers import RawTable, _table
from planforge.validate import _SIGNATURE_LABELS, RecordBinder

from .collect import case
from .test_spreadsheets import HEADERS, all_text, fills, person, refused, roster

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "gd-subsidy"
SAVE_AGAIN = "请在 Excel/WPS 中打开并保存后再试"


# --------------------------------------------------------------------------- formulas


def formula_roster(path: Path) -> Path:
    """Formulas as openpyxl saves them: the text of the formula and no result."""
    return roster(path, [person(1), person(2, name='="王"&"小明"', birth="=DATE(1950,3,5)"),
                         person(3, remark='=IF(1>2,"x","")'),
                         ["=ROW()", '=B4&"乙"', None, "=DATE(1950,1,1)", None, None]])


def test_formulas_saved_without_results_are_refused_cell_by_cell(planforge, tmp_path):
    data = formula_roster(tmp_path / "名册.xlsx")
    output = refused(planforge, data, tmp_path / "out", "名册", "第5行", "姓名", "出生日期",
                     "第6行", "备注", "第7行", SAVE_AGAIN)
    assert "必填项为空" not in output and "open and save the file in Excel or WPS" in output
    assert "第4行" not in output  # 人员1 has no formula


#: A LibreOffice profile that recalculates every formula of an .xlsx on loading (a fresh
#: profile keeps the file's cached results, and this file has none).
RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def recalculated_copy(path: Path, folder: Path) -> Path:
    """``path`` opened, recalculated and saved by LibreOffice, as a clerk's Calc would."""
    profile = folder / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALCULATE, encoding="utf-8")
    subprocess.run([find_soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(folder / "saved"), str(path)],
                   check=True, capture_output=True, timeout=300)
    return folder / "saved" / path.name


@pytest.mark.slow
@pytest.mark.skipif(not have_soffice(), reason="LibreOffice is not installed")
def test_the_same_workbook_saved_by_a_program_that_calculates_is_read(planforge, tmp_path):
    (tmp_path / "src").mkdir()
    data = formula_roster(tmp_path / "src" / "名册.xlsx")
    saved = recalculated_copy(data, tmp_path)
    texts = fills(planforge, saved, tmp_path / "out")
    forms = all_text({p: t for p, t in texts.items() if p.startswith("附件1")})
    assert "王小明" in forms and "1950年3月5日" in forms
    assert "备注：x" not in forms  # the empty text result of =IF(1>2,"x","") is read as empty
    assert "人员1乙" in forms


def test_gd_subsidy_formulas_that_decide_payment_are_refused(tmp_path):
    book = openpyxl.load_workbook(SAMPLES / "roster-2020.xlsx")
    sheet = book["名册"]
    header = [c.value for c in sheet[2]]
    sheet.cell(4, header.index("不良记录") + 1).value = '=IF(1>0,"是","")'
    sheet.cell(5, header.index("去世日期") + 1).value = "=DATE(2018,5,1)"
    data = tmp_path / "roster.xlsx"
    book.save(data)
    engine = Engine(load_plugins(None))
    settings = {"year": 2020, "county": "乳源瑶族自治县", "city_standard": {"first": 100, "step": 50}}
    with pytest.raises(InputError) as error:
        engine.prepare("gd-subsidy-roster", [data], settings)
    where = {(p.where.row, p.where.column) for p in error.value.problems if SAVE_AGAIN in p.zh}
    assert where == {(4, "不良记录"), (5, "去世日期")}


# --------------------------------------------------------------------------- two-row headers


def two_row_roster(path: Path, rows: list[list]) -> Path:
    """序号 merged down two rows; 个人信息 merged over 姓名 and 身份证号码."""
    book = Workbook()
    sheet = book.active
    sheet.title = "名册"
    sheet.append(["人员名册"])
    sheet.append(["序号", "个人信息", None, "出生日期", "参加工作年月", "备注"])
    sheet.append([None, "姓名", "身份证号码", None, None, None])
    for column in (1, 4, 5, 6):
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    sheet.merge_cells("B2:C2")
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_two_row_header_with_a_merged_parent_is_read(planforge, tmp_path):
    data = two_row_roster(tmp_path / "名册.xlsx", [person(1), person(2)])
    texts = fills(planforge, data, tmp_path / "out")
    assert "人员1" in all_text(texts) and "人员2" in all_text(texts)
    bad = two_row_roster(tmp_path / "bad.xlsx", [person(1), person(2, birth="1950-02-30")])
    refused(planforge, bad, tmp_path / "bad-out", "第5行", "出生日期")  # rows as Excel numbers them


SPEC = TableSpec("records", (
    Field("name", "姓名", required=True), Field("id_number", "身份证号码"),
    Field("birth", "出生日期", "date"), Field("remark", "备注")))


@settings(max_examples=60, deadline=None)
@given(parents=st.lists(st.sampled_from([None, "个人信息", "基本情况", "其他"]), min_size=4,
                        max_size=4),
       titles=st.integers(0, 3))
def test_splitting_a_header_under_parent_cells_reads_the_same_columns(parents, titles):
    """Any columns may move under a parent row (with the rest merged down): same headers."""
    names = ["姓名", "身份证号码", "出生日期", "备注"]
    top = [parent if parent else name for parent, name in zip(parents, names, strict=True)]
    bottom = [name if parent else None for parent, name in zip(parents, names, strict=True)]
    data = ["张三", "110105195001010015", "1950-01-01", "无"]
    rows = [["标题"]] * titles + ([top, bottom] if any(parents) else [names]) + [data]
    table = _table(Path("x.csv"), None, iter(rows), SPEC)
    assert table.headers == names
    assert [n for n, _ in table.rows] == [len(rows)]
    case()


# --------------------------------------------------------------------------- footers


def test_signature_footer_rows_end_the_table(planforge, tmp_path):
    data = roster(tmp_path / "名册.xlsx", [
        person(1), person(2), [],
        ["填表人：张三", None, None, "审核人：李四", None, "填表日期：2026年3月1日"],
        ["单位负责人（签字）：", None, "（盖章）"],
        ["说明：本表一式三份"],
        ["填表人", "王五"]])
    texts = fills(planforge, data, tmp_path / "out")
    assert sum(p.startswith("附件1") and "合订" not in p for p in texts) == 2
    assert "张三" not in all_text(texts) and "王五" not in all_text(texts)


def test_a_record_below_the_footer_is_reported_not_dropped(planforge, tmp_path):
    data = roster(tmp_path / "名册.xlsx", [person(1), ["填表人：张三", None, "审核人：李四"],
                                         person(2)])
    output = refused(planforge, data, tmp_path / "out", "第6行", "第5行")
    assert "below the signature footer (row 5)" in output


def test_a_person_whose_row_starts_with_a_label_word_is_still_data(planforge, tmp_path):
    data = roster(tmp_path / "名册.xlsx", [person(1, seq=None, name="联系人")])
    assert "联系人" in all_text(fills(planforge, data, tmp_path / "out"))


BINDER = RecordBinder(load_plugins(None).field_types)
FOOTER_CELL = st.builds(lambda label, colon, text: f"{label}{colon}{text}",
                        st.sampled_from(_SIGNATURE_LABELS), st.sampled_from(["：", ":", " ："]),
                        st.text(st.characters(categories=["Lo", "Nd"]), max_size=8))


@settings(max_examples=80, deadline=None)
@given(footers=st.lists(st.lists(st.one_of(st.none(), FOOTER_CELL), min_size=1, max_size=4)
                        .filter(lambda cells: cells[0] is not None), min_size=1, max_size=3),
       blank_before=st.integers(0, 2))
def test_any_signature_footer_leaves_exactly_the_records(footers, blank_before):
    people = [["张三", "110105195001010015", "1950-01-01", None],
              ["李四", "110105195101010012", "1951-01-01", "调入"]]
    rows = [(n, cells) for n, cells in enumerate(
        [*people, *([[None]] * blank_before), *footers], start=2)]
    table = RawTable(Path("x.csv"), None, ["姓名", "身份证号码", "出生日期", "备注"], 1, rows)
    records, problems = BINDER.bind(table, SPEC)
    assert not problems, problems
    assert [r["name"] for r in records] == ["张三", "李四"]
    case()


# --------------------------------------------------------------------------- dates, sheets, text


def test_datetime_text_in_a_csv_is_a_date(planforge, tmp_path):
    data = tmp_path / "名册.csv"
    data.write_text(",".join(HEADERS) + "\n"
                    + f"1,人员1,{person(1)[2]},2019-11-03 00:00:00,1970年9月,\n", encoding="utf-8")
    assert "2019年11月3日" in all_text(fills(planforge, data, tmp_path / "out"))


def test_a_year_dot_month_number_in_a_date_column_is_not_a_day_in_1905(planforge, tmp_path):
    data = roster(tmp_path / "名册.xlsx", [person(1, birth=1950.03)])
    refused(planforge, data, tmp_path / "out", "第4行", "出生日期", "looks like a year and month")


def _roster_with_death(path: Path, death: object) -> tuple[Path, str]:
    """The sample roster with its first person (row 3) clean, so paid, and dead at ``death``;
    and that person's name."""
    book = openpyxl.load_workbook(SAMPLES / "roster-2020.xlsx")
    sheet = book["名册"]
    header = [c.value for c in sheet[2]]
    sheet.cell(3, header.index("不良记录") + 1).value = "否"
    cell = sheet.cell(3, header.index("去世日期") + 1)
    cell.value = death
    cell.number_format = "General"  # 2020.03 typed as a number, not a date Excel recognised
    book.save(path)
    return path, sheet.cell(3, header.index("姓名") + 1).value


@pytest.mark.slow
@pytest.mark.parametrize("death", ["2020.3", "2020年3月", 2020.03])
def test_a_death_month_pays_through_that_month(tmp_path, death):
    engine = Engine(load_plugins(None))
    settings = {"year": 2020, "county": "乳源瑶族自治县", "city_standard": {"first": 100, "step": 50}}
    months = {}
    for given_as in (death, "2020-03-15"):
        data, name = _roster_with_death(tmp_path / f"roster-{len(months)}.xlsx", given_as)
        context = engine.prepare("gd-subsidy-roster", [data], settings).context
        paid = next(p for p in context["eligible"] if p["name"] == name)
        months[str(given_as)] = (paid["months"], paid["amount"], paid["last_month"])
    assert months[str(death)] == months["2020-03-15"]
    assert months[str(death)][0] == 3


def test_an_instruction_sheet_first_is_passed_over(planforge, tmp_path):
    data = roster(tmp_path / "名册.xlsx", [person(1), person(2, birth="1950-02-30")],
                  sheet="人员")
    book = openpyxl.load_workbook(data)
    notes = book.create_sheet("填表说明", 0)
    for line in ("填表说明", "1. 姓名填写身份证上的姓名", "2. 出生日期写作 1950-01-01"):
        notes.append([line])
    book.save(data)
    output = refused(planforge, data, tmp_path / "out", "人员", "第5行", "出生日期")
    assert "填表说明" not in output


def test_gbk_lines_after_a_utf8_bom_are_named(planforge, tmp_path):
    data = tmp_path / "名册.csv"
    data.write_bytes(codecs.BOM_UTF8 + (",".join(HEADERS) + "\n1,人员1,,,,\n").encode("utf-8")
                     + "2,人员二,,,,\n".encode("gbk"))
    output = refused(planforge, data, tmp_path / "out", "第3行", "line 3")
    assert "GBK" in output
