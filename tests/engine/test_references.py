"""Everything in a workbook that points at the repeated row grows with it (issue 22).

The template has the shape official workbooks have: a 名册 sheet whose row 4 repeats, a 汇总
sheet summing it, a defined name over the amount column, a 是/否 drop-down, a conditional
format, a table, a hyperlink, and a picture and a chart below the roster. It is filled with 1,
2 and 3,000 records (3,000 takes the streaming writer; 2 goes through both writers).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table

from planforge.render import excel
from planforge.render.jinja import make_environment
from planforge.render.references import Insertion, ReferenceShifter

RED = PatternFill("solid", fgColor="FFC7CE")
#: (writer, number of records): 3,000 is above the streaming threshold.
CASES = [("memory", 1), ("memory", 2), ("stream", 2), ("stream", 3000)]


def issue_template(path: Path, picture: Path) -> Path:
    from openpyxl.drawing.image import Image

    workbook = Workbook()
    roster = workbook.active
    roster.title = "名册"
    roster["A1"] = "{{ document.title }}"
    roster.merge_cells("A1:D1")
    roster.append(["填表单位：乳源县"])
    roster.append(["序号", "姓名", "金额", "在校"])
    roster.append(["{{ index }}", "{{ row.name }}", "{{ row.amount }}", "{{ row.enrolled }}"])
    roster.append(["合计", "", "=SUM(C4:C4)", '=COUNTIF(D4:D4,"是")'])
    roster.merge_cells("A5:B5")
    roster["A6"] = "见汇总"
    roster["A6"].hyperlink = Hyperlink(ref="A6", location="'汇总'!A1")
    roster["B6"] = "回到合计"
    roster["B6"].hyperlink = "#名册!C5"  # how Excel writes some internal links
    roster.merge_cells("C7:D7")
    roster["C7"] = "审核人："
    roster.print_area = "A1:D7"
    roster.print_title_rows = "3:3"
    choice = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    choice.add("D4")
    roster.add_data_validation(choice)
    roster.conditional_formatting.add("C4", CellIsRule(operator="greaterThan", formula=["1000"],
                                                       fill=RED))
    roster.conditional_formatting.add("A4:D4", FormulaRule(formula=['$D4="否"'], fill=RED))
    roster.add_table(Table(displayName="Roster", ref="A3:D4"))
    image = Image(str(picture))
    roster.add_image(image, "A9")
    chart = BarChart()
    chart.add_data(Reference(roster, min_col=3, min_row=3, max_row=4), titles_from_data=True)
    chart.set_categories(Reference(roster, min_col=2, min_row=4, max_row=4))
    roster.add_chart(chart, "F9")
    workbook.defined_names["金额列"] = DefinedName("金额列", attr_text="名册!$C$4:$C$4")

    summary = workbook.create_sheet("汇总")
    summary.append(["总额", "=SUM(名册!C4:C4)"])
    summary.append(["人数", "=COUNTA(名册!B4:B4)"])
    summary.append(["按名称", "=SUM(金额列)"])
    summary.append(["在校", '=COUNTIF(名册!$D$4:$D$4,"是")'])
    summary.append(["合计格", "=名册!C5"])
    summary.append(["最大序号", "=MAX(名册!A:A)"])
    summary.append(["说明", '="名册!C4:C4"'])  # text that looks like a reference stays text
    summary.column_dimensions["B"].width = 20
    workbook.save(path)
    return path


def records(count: int) -> list[dict]:
    return [{"name": f"人员{i}", "amount": 100 * i, "enrolled": i % 3 != 0}
            for i in range(1, count + 1)]


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> dict[tuple[str, int], Path]:
    from PIL import Image

    folder = tmp_path_factory.mktemp("issue22")
    Image.new("RGB", (60, 40), "blue").save(folder / "logo.png")
    template = issue_template(folder / "t.xlsx", folder / "logo.png")
    results = {}
    with pytest.MonkeyPatch.context() as patch:
        for writer, count in CASES:
            patch.setattr(excel, "STREAM_MINIMUM", 1 if writer == "stream" else 10**9)
            target = folder / f"{writer}-{count}.xlsx"
            excel.render_xlsx(template, {"records": records(count), "document": {"title": "名册"}},
                              make_environment({}, autoescape=False), target, "records", {})
            results[writer, count] = target
    return results


def last_row(count: int) -> int:
    return 3 + count


@pytest.fixture(params=CASES, ids=[f"{w}-{c}" for w, c in CASES])
def case(request, filled):
    writer, count = request.param
    return load_workbook(filled[writer, count]), last_row(count)


def test_formulas_on_another_sheet_grow_and_move(case):
    workbook, last = case
    summary = workbook["汇总"]
    assert summary["B1"].value == f"=SUM(名册!C4:C{last})"
    assert summary["B2"].value == f"=COUNTA(名册!B4:B{last})"
    assert summary["B4"].value == f'=COUNTIF(名册!$D$4:$D${last},"是")'
    assert summary["B5"].value == f"=名册!C{last + 1}"
    assert summary["B6"].value == "=MAX(名册!A:A)"
    assert summary["B7"].value == '="名册!C4:C4"'


def test_formulas_on_the_same_sheet_grow_and_move(case):
    sheet, last = case[0]["名册"], case[1]
    assert sheet[f"C{last + 1}"].value == f"=SUM(C4:C{last})"
    assert sheet[f"D{last + 1}"].value == f'=COUNTIF(D4:D{last},"是")'


def test_defined_names_and_print_settings_grow(case):
    workbook, last = case
    assert workbook.defined_names["金额列"].value == f"名册!$C$4:$C${last}"
    sheet = workbook["名册"]
    assert sheet.print_area == f"'名册'!$A$1:$D${last + 3}"
    assert sheet.print_title_rows == "$3:$3"


def column_range(column: str, last: int) -> str:
    return f"{column}4" if last == 4 else f"{column}4:{column}{last}"  # one record: one cell


def test_the_drop_down_covers_every_filled_row(case):
    workbook, last = case
    (validation,) = workbook["名册"].data_validations.dataValidation
    assert str(validation.sqref) == column_range("D", last)
    assert validation.formula1 == '"是,否"' and validation.type == "list"


def test_conditional_formats_cover_every_filled_row(case):
    workbook, last = case
    sheet = workbook["名册"]
    formats = {str(entry.sqref): [r.formula for r in entry.rules]
               for entry in sheet.conditional_formatting}
    assert formats == {column_range("C", last): [["1000"]], f"A4:D{last}": [['$D4="否"']]}


def test_merged_cells_below_move(case):
    workbook, last = case
    sheet = workbook["名册"]
    merged = {str(m) for m in sheet.merged_cells.ranges}
    assert merged == {"A1:D1", f"A{last + 1}:B{last + 1}", f"C{last + 3}:D{last + 3}"}
    assert sheet[f"C{last + 3}"].value == "审核人："


@pytest.mark.parametrize("key", CASES, ids=[f"{w}-{c}" for w, c in CASES])
def test_no_rows_are_written_past_the_last_one(filled, key):
    import zipfile

    with zipfile.ZipFile(filled[key]) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert xml.count("<row ") == last_row(key[1]) + 3


def test_hyperlinks_below_move_and_follow_their_targets(case):
    workbook, last = case
    sheet = workbook["名册"]
    links = {c.coordinate: (c.hyperlink.ref, c.hyperlink.location or c.hyperlink.target)
             for r in sheet.iter_rows() for c in r if c.hyperlink}
    assert links == {f"A{last + 2}": (f"A{last + 2}", "'汇总'!A1"),
                     f"B{last + 2}": (f"B{last + 2}", f"#名册!C{last + 1}")}


def test_the_table_grows(case):
    workbook, last = case
    table = workbook["名册"].tables["Roster"]
    assert table.ref == f"A3:D{last}"
    assert [c.name for c in table.tableColumns] == ["序号", "姓名", "金额", "在校"]


def test_picture_and_chart_sit_below_the_last_row_and_the_series_grows(case):
    workbook, last = case
    sheet = workbook["名册"]
    (image,) = sheet._images
    (chart,) = sheet._charts
    assert image.anchor._from.row == last + 5 - 1 and image.anchor._from.col == 0
    assert chart.anchor._from.row == last + 5 - 1 and chart.anchor._from.col == 5
    (series,) = chart.series
    grown = "$4" if last == 4 else f"$4:${{0}}${last}"  # the chart's one row, or all of them
    assert series.val.numRef.f == "'名册'!$C" + grown.format("C")
    assert series.cat.numRef.f == "'名册'!$B" + grown.format("B")
    assert series.tx.strRef.f == "'名册'!C3"


def test_libreoffice_computes_the_data_s_sums_and_counts(filled, pdf_text):
    """LibreOffice opens every filled workbook (3,000 rows too) and its totals are the data's."""
    texts = pdf_text(*filled.values())
    for (writer, count), text in zip(filled, texts, strict=True):
        data = records(count)
        total, enrolled = sum(r["amount"] for r in data), sum(r["enrolled"] for r in data)
        assert (f"总额{total}人数{count}按名称{total}在校{enrolled}合计格{total}最大序号{count}"
                f"说明名册!C4:C4") in text, (writer, count)  # 合计格 reads the roster's own total


def test_3d_whole_row_and_quoted_references():
    shifter = ReferenceShifter({"名册": Insertion(4, 29), "名 册 二": Insertion(4, 9)},
                               ["名册", "汇总", "名 册 二"])
    assert shifter.formula("=SUM('名册:名 册 二'!C4:C4)", "汇总") == (
        "=SUM('名册:名 册 二'!C4:C33)")
    assert shifter.formula("=SUM(汇总:名册!C4:C4)", "汇总") == "=SUM(汇总:名册!C4:C33)"
    assert shifter.formula("=SUM('名 册 二'!C4:C4)+'名 册 二'!C5", "汇总") == (
        "=SUM('名 册 二'!C4:C13)+'名 册 二'!C14")
    assert shifter.formula("=SUM(4:4)+SUM($3:$5)+SUM(C:C)", "名册") == (
        "=SUM(4:33)+SUM($3:$34)+SUM(C:C)")
    assert shifter.formula("=SUM(名册!C4:名册!C9)", "汇总") == "=SUM(名册!C4:名册!C38)"
    assert shifter.formula("=SUM(C9:C4)", "名册") == "=SUM(C38:C4)"
    english = ReferenceShifter({"Roster": Insertion(4, 29)}, ["Roster"])
    assert english.formula("=SUM(roster!C4:C4)+ROSTER!C5", "x") == "=SUM(roster!C4:C33)+ROSTER!C34"


def test_names_text_and_other_workbooks_are_not_references():
    shifter = ReferenceShifter({"名册": Insertion(4, 29)}, ["名册"])
    for formula in ('="C5"&金额列', "=ZZZ5+XFE9", "=Roster[金额]", "=[1]名册!C9", "=#REF!", "=TRUE",
                    "=C4", "=C3+SUM(A1:B3)"):
        assert shifter.formula(formula, "名册") == formula


def test_a_formula_on_the_marked_row_keeps_its_running_range_and_moves_what_is_below():
    shifter = ReferenceShifter({"名册": Insertion(4, 29)}, ["名册", "汇总"])
    assert shifter.formula("=SUM($C$4:C4)/$C$5+汇总!B1", "名册", on_marked_row=True) == (
        "=SUM($C$4:C4)/$C$34+汇总!B1")


def fill_two_rosters(tmp_path: Path, writer: str, monkeypatch) -> Workbook:
    """Two sheets each repeating its own list; a third reads both; odd parts a clerk adds."""
    from openpyxl.worksheet.formula import ArrayFormula
    from openpyxl.worksheet.pagebreak import Break

    workbook = Workbook()
    first = workbook.active
    first.title = "教师 名单"  # a space: every reference to it is quoted
    first.append(["姓名", "金额"])
    first.append(["{{ row.name }}", "{{ row.amount }}"])
    first.append(["合计", "=SUM(B2:B2)"])
    first["A3"].comment = Comment("请核对", "审核人")
    first["B4"] = ArrayFormula("B4", "=SUM(B2:B2*2)")
    first.row_breaks.append(Break(id=3))
    first.auto_filter.ref = "A1:B2"
    first.defined_names["本表金额"] = DefinedName("本表金额", attr_text="'教师 名单'!$B$2:$B$2")
    second = workbook.create_sheet("学生")
    second.append(["说明"])
    second.append(["姓名", "金额"])
    second.append(["{{ row.name }}", "{{ row.amount }}"])
    second.append(["合计", "=SUM(B3:B3)"])
    summary = workbook.create_sheet("汇总")
    summary["A1"] = "=SUM('教师 名单'!B2:B2)+SUM(学生!B3:B3)"
    summary["A2"] = "='教师 名单'!B3+学生!B4"
    summary["A3"] = "=SUM('教师 名单:学生'!B2:B3)"
    summary["A4"] = "=SUM('教师 名单'!B:B)"
    summary["A5"] = "=SUM(学生!b3:b3)+学生!B4"
    template = tmp_path / "two.xlsx"
    workbook.save(template)
    monkeypatch.setattr(excel, "STREAM_MINIMUM", 1 if writer == "stream" else 10**9)
    context = {"teachers": [{"name": f"师{i}", "amount": i} for i in range(5)],
               "students": [{"name": f"生{i}", "amount": i} for i in range(3)],
               "document": {"title": "t"}}
    target = tmp_path / f"{writer}.xlsx"
    excel.render_xlsx(template, context, make_environment({}, autoescape=False), target,
                      "teachers", {"学生": "students"})
    return load_workbook(target)


@pytest.mark.parametrize("writer", ["memory", "stream"])
def test_each_sheet_s_rows_move_its_own_references(tmp_path, monkeypatch, writer):
    workbook = fill_two_rosters(tmp_path, writer, monkeypatch)
    summary = workbook["汇总"]
    assert summary["A1"].value == "=SUM('教师 名单'!B2:B6)+SUM(学生!B3:B5)"
    assert summary["A2"].value == "='教师 名单'!B7+学生!B6"
    assert summary["A3"].value == "=SUM('教师 名单:学生'!B2:B7)"  # the longer list wins
    assert summary["A4"].value == "=SUM('教师 名单'!B:B)"
    assert summary["A5"].value == "=SUM(学生!b3:b5)+学生!B6"
    teachers, students = workbook["教师 名单"], workbook["学生"]
    assert teachers["B7"].value == "=SUM(B2:B6)" and students["B6"].value == "=SUM(B3:B5)"
    assert teachers["B8"].value.text == "=SUM(B2:B6*2)" and teachers["B8"].value.ref == "B8"
    assert [b.id for b in teachers.row_breaks.brk] == [7]
    assert teachers["A7"].comment.text == "请核对"
    assert teachers.auto_filter.ref == "A1:B6"
    assert teachers.defined_names["本表金额"].value == "'教师 名单'!$B$2:$B$6"


def test_a_formula_the_tokenizer_cannot_read_is_the_template_s_error(tmp_path):
    from planforge.errors import TemplateError

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "名册"
    sheet.append(["{{ row.name }}"])
    sheet["A2"] = '="未完'
    workbook.save(tmp_path / "bad.xlsx")
    with pytest.raises(TemplateError, match=r"名册!A2"):
        excel.render_xlsx(tmp_path / "bad.xlsx", {"records": [{"name": "a"}, {"name": "b"}]},
                          make_environment({}, autoescape=False), tmp_path / "o.xlsx",
                          "records", {})
    assert not (tmp_path / "o.xlsx").exists()


@given(first=st.integers(1, 60), last=st.integers(1, 60), marked=st.integers(1, 40),
       shift=st.integers(0, 5000), column=st.sampled_from(["A", "C", "AB", "XFD"]),
       dollars=st.tuples(st.booleans(), st.booleans()),
       sheet=st.sampled_from(["", "名册!", "'名 册'!", "'It''s'!", "其他!"]))
def test_a_range_keeps_its_form_and_moves_by_the_insertion_rule(first, last, marked, shift,
                                                                 column, dollars, sheet):
    shifter = ReferenceShifter({"名册": Insertion(marked, shift), "名 册": Insertion(marked, shift),
                                "It's": Insertion(marked, shift)}, ["名册", "名 册", "It's"])
    col, row = ("$" if dollars[0] else "") + column, "$" if dollars[1] else ""
    moved = shifter.formula(f"=SUM({sheet}{col}{row}{first}:{col}{row}{last})", "名册")
    if sheet == "其他!":
        assert moved == f"=SUM(其他!{col}{row}{first}:{col}{row}{last})"
        return
    low, high = sorted((first, last))
    new_low = low + shift if low > marked else low
    new_high = high + shift if high >= marked else high
    rows = (new_low, new_high) if first <= last else (new_high, new_low)
    assert moved == f"=SUM({sheet}{col}{row}{rows[0]}:{col}{row}{rows[1]})"
