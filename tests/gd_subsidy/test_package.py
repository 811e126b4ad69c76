"""The gd-subsidy packages end to end: the CLI on the samples, every annex read back and compared
with values computed here independently from the sample rows, the consistency check (also on
hand-edited files), the errors that must stop a run before it writes, and LibreOffice."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from planforge.cli import cli
from planforge.default_plugins.filters import rmb_upper

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "gd-subsidy"
ROSTER, LAST = SAMPLES / "roster-2020.xlsx", SAMPLES / "roster-2019.xlsx"
COUNTY2, COUNTY2_LAST = SAMPLES / "county2-2020.xlsx", SAMPLES / "county2-2019.xlsx"
SETTINGS = SAMPLES / "settings.yaml"
FORMS = ROOT / "templates" / "forms" / "gd-subsidy"
BANDS = ("30年以上", "20-29年", "10-19年", "1-9年")


def invoke(*args) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


# --------------------------------------------------------------------------- independent rules


def _day(value):
    return value.date() if isinstance(value, datetime) else value


def sample_rows(path: Path) -> list[dict]:
    """The roster as the clerk typed it (header in row 2), with its Excel row numbers and each
    person's stints from 任教经历 as (start, end, semesters) with months as (year, month)."""
    book = openpyxl.load_workbook(path)
    sheet = book["名册"]
    headers = [c.value for c in sheet[2]]
    stints: dict[str, list] = {}
    for number, _school, start, end, n in book["任教经历"].iter_rows(min_row=2, values_only=True):
        month = [tuple(map(int, m.split("."))) for m in (start, end)]
        stints.setdefault(number, []).append((*month, n))
    rows = []
    for number in range(3, sheet.max_row + 1):
        row = dict(zip(headers, (c.value for c in sheet[number]), strict=True))
        row["去世日期"], row["合同签订日期"] = _day(row["去世日期"]), _day(row["合同签订日期"])
        rows.append({**row, "row": number, "stints": stints[row["身份证号码"]]})
    return rows


MINBAN_CUTOFF, CONTRACT_END = date(1986, 3, 27), date(2008, 8, 31)  # samples/settings.yaml


def meets_conditions(row: dict) -> bool:
    """003:196-197 for the sample's rows: 户籍, 编制, cut-off or contract window and 备案,
    one year taught without more than two months' break."""
    if not row["户籍所在地"].startswith("广东") or row["后入编或国企正式职工"] == "是":
        return False
    if row["类别"] == "原民办教师":
        if min(start for start, _, _ in row["stints"]) > (1986, 3):
            return False
    elif not MINBAN_CUTOFF < row["合同签订日期"] <= CONTRACT_END or row["备案"] != "是":
        return False
    best = run = 0
    last_end = None
    for start, end, n in sorted(row["stints"]):
        gap = None if last_end is None else (start[0] - last_end[0]) * 12 + start[1] - last_end[1]
        run = run + n if gap is not None and gap <= 3 else n
        best, last_end = max(best, run), end
    return best >= 2


def expected(row: dict, year: int = 2020, first_year: int = 2019) -> dict | None:
    """The seed's rules written out again, plainly: None when the person is not paid."""
    number = row["身份证号码"]
    birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    age = 60 if int(number[16]) % 2 else 55
    try:
        reached = birth.replace(year=birth.year + age)
    except ValueError:
        reached = date(birth.year + age, 2, 28)  # Civil Code art. 202
    cutoff, death = date(first_year - 1, 12, 31), row["去世日期"]
    semesters = row["任教学期数"]
    if (death and death <= cutoff) or "是" in (row["离岗退养"], row["不良记录"]) or semesters < 2:
        return None
    if not meets_conditions(row):
        return None
    if reached <= cutoff:
        start = date(first_year, 1, 1)
    else:
        start = date(reached.year + reached.month // 12, reached.month % 12 + 1, 1)
    if (death and (death.year, death.month) < (start.year, start.month)) or (
            death and death.year < year) or start > date(year, 12, 1):  # paid from next year on
        return None
    years = (semesters + 1) // 2
    standard = 900 if years >= 30 else 800 if years >= 20 else 700 if years >= 10 else (
        100 + 50 * (years - 1))
    first = max(start, date(year, 1, 1))
    last = date(death.year, death.month, 1) if death else date(year, 12, 1)
    months = max(0, (last.year - first.year) * 12 + last.month - first.month + 1)
    band = BANDS[0] if years >= 30 else BANDS[1] if years >= 20 else BANDS[2] if years >= 10 \
        else BANDS[3]
    return {"years": years, "standard": standard, "months": months, "amount": months * standard,
            "start": start, "band": band}


def paid(path: Path, year: int = 2020) -> list[tuple[dict, dict]]:
    return [(r, e) for r in sample_rows(path) if (e := expected(r, year)) is not None]


def month_text(day: date) -> str:
    return f"{day.year}年{day.month}月"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    """The sample county's package, filled once for the module."""
    out = tmp_path_factory.mktemp("county") / "乳源"
    result = invoke("fill", "gd-subsidy", ROSTER, "--previous", LAST, "--settings", SETTINGS,
                    "-o", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def city(tmp_path_factory, county) -> Path:
    """A city folder: 附件5 of both sample counties, with both county packages inside it."""
    out = tmp_path_factory.mktemp("city") / "韶关"
    result = invoke("fill", "gd-subsidy-city", ROSTER, COUNTY2, "--settings", SETTINGS, "-o", out)
    assert result.exit_code == 0, result.output
    shutil.copytree(county, out / "乳源瑶族自治县")
    result = invoke("fill", "gd-subsidy", COUNTY2, "--previous", COUNTY2_LAST, "--settings",
                    SETTINGS, "--set", "county=翁源县", "-o", out / "翁源县")
    assert result.exit_code == 0, result.output
    return out


def one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, (pattern, found)
    return found[0]


def table_rows(sheet, first_header: str) -> tuple[int, list[list]]:
    """Data rows below the header starting with ``first_header`` down to 合计."""
    header = next(r for r in range(1, 30) if sheet.cell(r, 1).value == first_header)
    rows = []
    for values in sheet.iter_rows(min_row=header + 1, values_only=True):
        if values[0] == "合计":
            break
        rows.append(list(values))
    return header, rows


# --------------------------------------------------------------------------- the county package


def test_fill_writes_every_annex_and_a_manifest(county) -> None:
    people = paid(ROSTER)
    forms = one(county, "附件1 *申请表")
    assert forms.is_dir() and forms.name == "附件1 广东省原民办代课教师生活困难补助申请表"
    singles = [p for p in forms.glob("*.docx") if "合订打印" not in p.name]
    assert len(singles) == len(people) == 53
    assert (forms / "附件1 广东省原民办代课教师生活困难补助申请表（合订打印）.docx").exists()
    for name in ("附件2 乳源瑶族自治县原民办代课教师生活困难补助发放对象名册表.xlsx",
                 "附件3 乳源瑶族自治县原民办代课教师生活困难补助发放对象增减情况表.xlsx",
                 "附件4 乳源瑶族自治县原民办代课教师生活困难补助发放对象人数汇总表.xlsx",
                 "公示名单.docx", "manifest.json"):
        assert (county / name).is_file(), name
    manifest = json.loads((county / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["target"] == "gd-subsidy" and manifest["previous"]
    by_row = {r["row"]: (n, r) for n, (r, _) in enumerate(people, start=1)}
    for entry in manifest["files"]:
        if entry["document_type"] == "gd-subsidy-application" and "合订" not in entry["path"]:
            (source,) = entry["rows"]
            number, person = by_row[source["row"]]  # the file maps to the person's input row
            # and is numbered as 附件2 numbers the person (issue 12 §2.8), not by input row
            assert entry["path"].endswith(f"{number:02d} {person['姓名']}.docx")
            assert source["file"].endswith("roster-2020.xlsx") and source["sheet"] == "名册"
    numbers = sorted(p.name[:2] for p in singles)
    assert numbers == [f"{n:02d}" for n in range(1, 54)]


def test_roster_lists_the_paid_with_their_amounts(county) -> None:
    book = openpyxl.load_workbook(one(county, "附件2 *.xlsx"))
    sheet = book["名册"]
    assert sheet["A1"].value == "附件2"
    assert sheet["A2"].value == "乳源瑶族自治县原民办代课教师生活困难补助发放对象名册表"
    header, rows = table_rows(sheet, "序号")
    people = paid(ROSTER)
    assert [r[1] for r in rows] == [p["姓名"] for p, _ in people]
    assert [(r[6], r[7], r[9], r[10]) for r in rows] == [
        (e["years"], e["standard"], e["months"], e["amount"]) for _, e in people]
    assert sum(r[10] for r in rows) == sum(e["amount"] for _, e in people) == 417700
    total = header + len(rows) + 1
    assert sheet.cell(total, 11).value == f"=SUM(K{header + 1}:K{total - 1})"
    assert sheet.cell(total, 8).value is None  # monthly rates are not added up (issue 12 §2.11)
    by_name = {r[1]: r for r in rows}
    died = next(p for p in sample_rows(ROSTER) if p["去世日期"] == date(2020, 4, 30))
    row = by_name[died["姓名"]]  # paid up to and including April, the month of death
    assert (row[9], row[10]) == (4, 4 * row[7]) and "已故（发放至2020年4月）" in row[12]
    late = next(p for p in sample_rows(ROSTER) if p["身份证号码"][6:14] == "19651230")
    assert late["姓名"] not in by_name  # 55 on 30 Dec 2020: paid from January 2021 only
    _, rejected = table_rows(book["不符合条件人员"], "序号")
    reasons = {r[1]: r for r in rejected}
    assert "次年起发放（2020年12月达到年龄）" in reasons[late["姓名"]]
    not_paid = [r for r in sample_rows(ROSTER) if expected(r) is None]
    assert [r[1] for r in rejected] == [r["姓名"] for r in not_paid]
    single = next(r for r in not_paid if r["任教学期数"] == 1)
    assert next(r[4] for r in rejected if r[1] == single["姓名"]) == "任教不满1学年"


def test_changes_add_up_and_name_who_joined_and_left(county) -> None:
    sheet = openpyxl.load_workbook(one(county, "附件3 *.xlsx")).active
    last, this = len(paid(LAST, 2019)), len(paid(ROSTER))
    counts = [sheet.cell(5, c).value for c in (1, 3, 4, 6)]
    assert counts[0] == last and counts[3] == this
    assert counts[0] + counts[1] - counts[2] == counts[3]
    _, rows = table_rows(sheet, "序号")
    changes = {r[1]: (r[3], r[4], r[5]) for r in rows}
    assert sum(r[3] == "增加" for r in rows) == counts[1]
    assert sum(r[3] == "减少" for r in rows) == counts[2]
    joined = next(r for r, e in paid(ROSTER) if e["start"] == date(2020, 5, 1))
    assert changes[joined["姓名"]] == ("增加", "达到领取年龄", "2020年5月")
    died = next(r for r in sample_rows(ROSTER) if r["去世日期"] == date(2019, 5, 20))
    assert changes[died["姓名"]] == ("减少", "已去世", "2019年5月")
    found_out = next(r for r in sample_rows(ROSTER) if "资格审查" in (r["备注"] or ""))
    assert changes[found_out["姓名"]] == (
        "减少", "有刑事犯罪记录，或任教期间被开除、辞退、解除聘用合同", "2020年1月")
    late = next(p for p in sample_rows(ROSTER) if p["身份证号码"][6:14] == "19651230")
    assert late["姓名"] not in changes  # paid from 2021: not an increase of 2020


def test_summary_counts_bands_and_shares_the_cost(county) -> None:
    sheet = openpyxl.load_workbook(one(county, "附件4 *.xlsx")).active
    assert sheet["A1"].value == "附件4"
    _, rows = table_rows(sheet, "工作年限")
    rows = rows[1:]  # the second header row
    people = paid(ROSTER)
    assert [r[0] for r in rows] == list(BANDS)
    for row in rows:
        members = [(p, e) for p, e in people if e["band"] == row[0]]
        assert row[2] == sum(p["类别"] == "原民办教师" for p, _ in members)
        assert row[3] == sum(p["类别"] == "原代课教师" for p, _ in members)
        assert row[4] == len(members) and row[6] == sum(e["amount"] for _, e in members)
        assert row[7] == row[8] == row[6] / 2  # 韶关: province and city share 5:5
    assert rows[0][1] == 900 and rows[3][1] == "100-500"
    upper = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "金额合计（大写）")
    assert upper[1] == rmb_upper(417700) == "肆拾壹万柒仟柒佰元整"


def test_notice_masks_ids_and_names_the_period(county) -> None:
    document = Document(str(county / "公示名单.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "共53人" in text and "公示期为2020年5月6日至2020年5月11日" in text  # 9 May: 调休
    rows = [[c.text for c in r.cells] for r in document.tables[0].rows[1:]]
    people = paid(ROSTER)
    assert [r[1] for r in rows] == [p["姓名"] for p, _ in people]
    for row, (person, _) in zip(rows, people, strict=True):
        number = person["身份证号码"]
        assert row[4] == number[:6] + "*" * 8 + number[-4:]
    assert not re.search(r"\d{17}[\dX]", document.element.xml)
    remarks = {r[1]: r[7] for r in rows}
    died = next(p for p in sample_rows(ROSTER) if p["去世日期"] == date(2020, 4, 30))
    assert remarks[died["姓名"]] == "已故（发放至2020年4月）"
    late = next(p for p in sample_rows(ROSTER) if p["身份证号码"][6:14] == "19651230")
    assert late["姓名"] not in remarks  # paid from 2021: not on this year's notice
    # the clerk's own remarks and every reason of a refusal stay off the public notice
    xml = document.element.xml
    assert "资格审查" not in xml and "刑事" not in xml and "不符合" not in xml


def test_application_form_carries_the_person_and_history(county) -> None:
    number, (person, result) = next((n, pe) for n, pe in enumerate(paid(ROSTER), start=1)
                                    if pe[1]["band"] == "30年以上")
    form = one(county / "附件1 广东省原民办代课教师生活困难补助申请表",
               f"{number:02d} {person['姓名']}.docx")
    document = Document(str(form))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert person["身份证号码"] in cells and f"{result['standard']}元/月" in cells
    assert f"{result['years']}年" in cells and month_text(result["start"]) in cells
    history = openpyxl.load_workbook(ROSTER)["任教经历"]
    stints = [r for r in history.iter_rows(min_row=2, values_only=True)
              if r[0] == person["身份证号码"]]
    assert stints and sum(s[4] for s in stints) == person["任教学期数"]
    for _id, school, start, _end, _n in stints:
        year, month = start.split(".")
        assert school in cells and f"{year}年{int(month)}月" in cells
    ticked = "☑ 原民办教师" if person["类别"] == "原民办教师" else "☑ 原代课教师"
    assert any(ticked in c for c in cells)
    assert document.paragraphs[0].text == "附件1"


@pytest.mark.parametrize("copies", [None, 1])
def test_copies_repeat_each_form_in_the_print_file(tmp_path, copies) -> None:
    """一式三份 (003:209): three copies of every form by default, one with --set copies=1;
    without a history sheet the rows stay blank."""
    people = [p for p, _ in paid(ROSTER)[:2]]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名册"
    headers = ["序号", "姓名", "身份证号码", "类别", "任教学期数"]
    sheet.append(headers)
    for person in people:
        sheet.append([person[h] for h in headers])
    book.save(tmp_path / "two.xlsx")
    out = tmp_path / "out"
    chosen = ["--set", f"copies={copies}"] if copies else []
    result = invoke("fill", "gd-subsidy-application", tmp_path / "two.xlsx", "--settings",
                    SETTINGS, *chosen, "-o", out)
    assert result.exit_code == 0, result.output
    combined = Document(str(one(out, "*/*合订打印*.docx")))
    titles = [p.text for p in combined.paragraphs
              if p.text == "广东省原民办代课教师生活困难补助申请表"]
    expected_copies = copies or 3
    assert len(titles) == expected_copies * len(people)
    names = [c.text for t in combined.tables for c in t.rows[0].cells[1:2]]
    assert names == [p["姓名"] for p in people for _ in range(expected_copies)]


def test_annex_numbers_are_settings(tmp_path) -> None:
    out = tmp_path / "out"
    result = invoke("fill", "gd-subsidy-county-summary", ROSTER, "--settings", SETTINGS,
                    "--set", "annex_county_summary=7", "-o", out)
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(one(out, "附件7 *人数汇总表.xlsx")).active["A1"].value == "附件7"


def test_first_year_lists_everyone_as_added(tmp_path) -> None:
    out = tmp_path / "out"
    result = invoke("fill", "gd-subsidy-changes", LAST, "--settings", SETTINGS, "--set",
                    "year=2019", "-o", out)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(one(out, "附件3 *.xlsx")).active
    people = paid(LAST, 2019)
    assert [sheet.cell(5, c).value for c in (1, 3, 4, 6)] == [0, len(people), 0, len(people)]
    _, rows = table_rows(sheet, "序号")
    assert [r[1] for r in rows] == [p["姓名"] for p, _ in people]
    assert {r[4] for r in rows} == {"首个发放年度纳入"}


@pytest.mark.parametrize("name", ["gd-subsidy-application", "gd-subsidy-roster",
                                  "gd-subsidy-changes", "gd-subsidy-county-summary",
                                  "gd-subsidy-notice", "gd-subsidy-city-summary"])
@pytest.mark.slow
def test_templates_ask_only_for_what_the_plugin_provides(name) -> None:
    from planforge.plugins import load_plugins

    template = load_plugins().document_types[name].template
    result = invoke("template", "check", template, "--type", name)
    assert result.exit_code == 0 and "未知 / unknown: —" in result.output, result.output


# --------------------------------------------------------------------------- the city


def test_city_summary_is_the_sum_of_its_counties(city) -> None:
    sheet = openpyxl.load_workbook(one(city, "附件5 *.xlsx")).active
    assert sheet["A1"].value == "附件5" and sheet["A2"].value.startswith("韶关市")
    _, rows = table_rows(sheet, "县（市、区）")
    rows = rows[1:]
    assert [r[0] for r in rows] == ["乳源瑶族自治县", "翁源县"]
    for row, roster in zip(rows, (ROSTER, COUNTY2), strict=True):
        people = paid(roster)
        assert row[3] == len(people) and row[5] == sum(e["amount"] for _, e in people)
        assert row[1] + row[2] == row[3] and row[6] + row[7] == row[5]
    for county_row, folder in zip(rows, ("乳源瑶族自治县", "翁源县"), strict=True):
        annex4 = openpyxl.load_workbook(one(city / folder, "附件4 *.xlsx")).active
        _, bands = table_rows(annex4, "工作年限")
        assert [sum(b[c] for b in bands[1:]) for c in range(2, 9)] == county_row[1:8]
    assert invoke("check", "gd-subsidy-city", city).exit_code == 0


def test_city_form_is_signed_by_the_city_not_the_county(city) -> None:
    """Issue 12 §2.10: one settings file serves both levels; the county's clerk, reviewer and
    phone stay on the county's forms."""
    sheet = openpyxl.load_workbook(one(city, "附件5 *.xlsx")).active
    text = " ".join(str(c) for r in sheet.iter_rows(values_only=True) for c in r if c)
    assert "填报单位（盖章）：韶关市教育局" in text
    for city_value in ("填表人：何淑仪", "审核人：罗建明", "联系电话：0751-8876120", "2020年5月25日"):
        assert city_value in text
    for county_value in ("邓丽萍", "黄振华", "0751-5321468", "乳源瑶族自治县教育局"):
        assert county_value not in text
    annex4 = openpyxl.load_workbook(one(city / "乳源瑶族自治县", "附件4 *.xlsx")).active
    county_text = " ".join(str(c) for r in annex4.iter_rows(values_only=True) for c in r if c)
    assert "填表人：邓丽萍" in county_text and "何淑仪" not in county_text


def test_city_check_catches_an_edited_county_row(city, tmp_path) -> None:
    folder = shutil.copytree(city, tmp_path / "city")
    path = one(folder, "附件5 *.xlsx")
    book = openpyxl.load_workbook(path)
    book.active["F7"] = book.active["F7"].value + 100  # 翁源县's amount
    book.save(path)
    result = invoke("check", "gd-subsidy-city", folder)
    assert result.exit_code == 2
    assert "第7行/row 7" in result.output and "本年度补助金额（元）" in result.output
    assert "翁源县附件4" in result.output and path.name in result.output


# --------------------------------------------------------------------------- the check


def test_check_of_an_untouched_package_passes(county) -> None:
    result = invoke("check", "gd-subsidy", county)
    assert result.exit_code == 0 and "核对一致" in result.output, result.output


@pytest.mark.parametrize("edit", ["amount", "count", "changes", "upper"])
def test_check_names_every_hand_edited_cell(county, tmp_path, edit) -> None:
    folder = shutil.copytree(county, tmp_path / "edited")
    annex, cell, column, row = {
        "amount": ("附件2 *.xlsx", "K5", "本年度补助金额（元）", 5),
        "count": ("附件4 *.xlsx", "C6", "原民办教师", 6),
        "changes": ("附件3 *.xlsx", "D5", "本年减少", 5),
        "upper": ("附件4 *.xlsx", "B11", "金额合计（大写）", 11),
    }[edit]
    path = one(folder, annex)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet[cell] = "壹佰元整" if edit == "upper" else sheet[cell].value + 1
    book.save(path)
    result = invoke("check", "gd-subsidy", folder)
    assert result.exit_code == 2, result.output
    assert path.name in result.output and f"工作表/sheet「{sheet.title}」" in result.output
    assert f"第{row}行/row {row}" in result.output
    assert f"列/column「{column}」" in result.output


def test_check_sees_a_total_formula_that_skips_rows(county, tmp_path) -> None:
    folder = shutil.copytree(county, tmp_path / "edited")
    path = one(folder, "附件2 *.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["名册"]
    total = next(r for r in range(5, sheet.max_row) if sheet.cell(r, 1).value == "合计")
    sheet.cell(total, 11).value = f"=SUM(K5:K{total - 2})"
    book.save(path)
    result = invoke("check", "gd-subsidy", folder)
    assert result.exit_code == 2 and f"第{total}行/row {total}" in result.output
    assert f"K5:K{total - 1}" in result.output


# --------------------------------------------------------------------------- errors


def edited_copy(tmp_path: Path, sheet_name: str, change) -> Path:
    target = tmp_path / "roster.xlsx"
    book = openpyxl.load_workbook(ROSTER)
    change(book[sheet_name])
    book.save(target)
    return target


@pytest.mark.slow
def test_missing_city_standard_names_everyone_it_blocks(tmp_path) -> None:
    out = tmp_path / "out"
    result = invoke("fill", "gd-subsidy", ROSTER, "--previous", LAST, "--settings", SETTINGS,
                    "--set", "city_standard=", "-o", out)
    assert result.exit_code == 2 and not out.exists()
    blocked = [p for p, e in paid(ROSTER) if e["years"] < 10]
    assert len(blocked) == 9 and result.output.count("city_standard") >= 1
    for person in blocked:
        assert f"{person['姓名']}（第{person['row']}行）" in result.output
    assert "工作年限1年" in result.output
    result = invoke("validate", "gd-subsidy", ROSTER, "--previous", LAST, "--settings", SETTINGS,
                    "--set", "city_standard=", "--set", "city_standard_first=100", "--set",
                    "city_standard_step=50")
    assert result.exit_code == 0, result.output


def test_history_that_does_not_add_up_stops_the_run(tmp_path) -> None:
    def change(sheet):
        sheet["E2"] = sheet["E2"].value + 1

    data = edited_copy(tmp_path, "任教经历", change)
    owner = openpyxl.load_workbook(ROSTER)["任教经历"]["A2"].value
    person = next(p for p in sample_rows(ROSTER) if p["身份证号码"] == owner)
    out = tmp_path / "out"
    result = invoke("fill", "gd-subsidy", data, "--previous", LAST, "--settings", SETTINGS,
                    "-o", out)
    assert result.exit_code == 2 and not out.exists()
    assert f"第{person['row']}行/row {person['row']}" in result.output
    assert "列/column「任教学期数」" in result.output and person["姓名"] in result.output
    assert "工作表/sheet「名册」" in result.output and "任教经历" in result.output


def test_sex_disagreeing_with_the_id_stops_the_run(tmp_path) -> None:
    def change(sheet):
        sheet["C5"] = "女" if sheet["C5"].value == "男" else "男"

    data = edited_copy(tmp_path, "名册", change)
    out = tmp_path / "out"
    result = invoke("fill", "gd-subsidy", data, "--previous", LAST, "--settings", SETTINGS,
                    "-o", out)
    assert result.exit_code == 2 and not out.exists()
    assert "第5行/row 5" in result.output and "列/column「性别」" in result.output
    assert "roster.xlsx" in result.output


def test_later_year_needs_last_years_roster(tmp_path) -> None:
    out = tmp_path / "out"
    result = invoke("fill", "gd-subsidy", ROSTER, "--settings", SETTINGS, "-o", out)
    assert result.exit_code == 2 and "--previous" in result.output and not out.exists()


def test_notice_beyond_the_holiday_calendar_is_refused(tmp_path) -> None:
    result = invoke("validate", "gd-subsidy", ROSTER, "--previous", LAST, "--settings", SETTINGS,
                    "--set", "notice_start=2099-05-06")
    assert result.exit_code == 2
    assert "notice_start" in result.output and "chinese-calendar" in result.output


# --------------------------------------------------------------------------- LibreOffice


@pytest.mark.libreoffice
def test_every_annex_converts_to_pdf(county, city, pdf_text) -> None:
    forms = county / "附件1 广东省原民办代课教师生活困难补助申请表"
    first = sorted(p for p in forms.glob("*.docx") if "合订" not in p.name)[0]
    files = [first, one(county, "附件2 *.xlsx"), one(county, "附件3 *.xlsx"),
             one(county, "附件4 *.xlsx"), county / "公示名单.docx", one(city, "附件5 *.xlsx")]
    texts = [re.sub(r"\s+", "", t) for t in pdf_text(*files)]
    application, roster, changes, summary, notice, city_summary = texts
    person = paid(ROSTER)[0][0]
    assert "申请表" in application and person["姓名"] in application
    assert "发放对象名册表" in roster and person["身份证号码"] in roster
    assert "增减情况表" in changes and "达到领取年龄" in changes
    assert "30年以上" in summary and "肆拾壹万柒仟柒佰元整" in summary
    assert "417,700.00" in summary  # LibreOffice computes the live totals
    assert person["身份证号码"][:6] + "********" in notice and "公示名单" in notice
    assert "翁源县" in city_summary and "合计" in city_summary
