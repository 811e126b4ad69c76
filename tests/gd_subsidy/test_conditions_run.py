"""Issue 20's subsidy rules through the CLI: reasons on the 不符合条件 sheet, warnings on the
console, errors that stop a run, and what `planforge check` reports (只减不增)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from stdnum.cn import ric

from planforge.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "samples" / "gd-subsidy" / "settings.yaml"
BASE = ["姓名", "身份证号码", "类别", "任教学期数"]
#: Every condition column, filled so that everything is checked and met.
MET = {"户籍所在地": "广东省韶关市", "后入编或国企正式职工": "否", "备案": "是",
       "合同签订日期": date(1990, 8, 1)}


def invoke(*args) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def id_number(birth: date, male: bool = True, serial: int = 1) -> str:
    body = f"440232{birth:%Y%m%d}{serial:02d}{1 if male else 2}"
    return body + ric.calc_check_digit(body + "0")


def roster(path: Path, people: list[dict], history: list[tuple] | None = None) -> Path:
    """A 名册 (and optionally 任教经历) with the columns the people use, in order of first use."""
    columns = list(BASE)
    for p in people:
        columns += [k for k in p if k not in columns]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名册"
    sheet.append(columns)
    for p in people:
        sheet.append([p.get(c) for c in columns])
    if history is not None:
        stints = book.create_sheet("任教经历")
        stints.append(["身份证号码", "任教学校", "起始年月", "终止年月", "学期数"])
        for row in history:
            stints.append(list(row))
    book.save(path)
    return path


def teacher(name: str, serial: int, category: str = "原民办教师", semesters: int = 20,
            birth: date = date(1950, 6, 15), **columns) -> dict:
    return {"姓名": name, "身份证号码": id_number(birth, serial=serial), "类别": category,
            "任教学期数": semesters, **columns}


def warnings_of(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("警告 / warning")]


def validate(path: Path, *extra) -> object:
    return invoke("validate", "gd-subsidy-roster", path, "--settings", SETTINGS, *extra)


def rejected(out: Path) -> dict[str, str]:
    sheet = openpyxl.load_workbook(next(out.glob("附件2 *.xlsx")))["不符合条件人员"]
    header = next(r for r in range(1, 20) if sheet.cell(r, 1).value == "序号")
    columns = {c.value: c.column for c in sheet[header]}
    found = {}
    for r in range(header + 1, sheet.max_row + 1):
        if sheet.cell(r, 1).value == "合计":
            return found
        found[sheet.cell(r, columns["姓名"]).value] = sheet.cell(r, columns["原因"]).value
    raise AssertionError("no 合计 row")


# --------------------------------------------------------------------------- 003:196-197


def test_failed_conditions_are_reasons_on_the_ineligible_sheet(tmp_path) -> None:
    history = [
        (id_number(date(1950, 6, 15), serial=1), "甲小学", "1975.09", "1985.07", 20),
        (id_number(date(1950, 6, 15), serial=2), "乙小学", "1975.09", "1985.07", 20),
        (id_number(date(1950, 6, 15), serial=3), "丙小学", "1975.09", "1985.07", 20),
        (id_number(date(1950, 6, 15), serial=4), "丁小学", "1987.09", "1997.07", 20),
        (id_number(date(1950, 6, 15), serial=5), "戊小学", "1990.09", "2000.07", 20),
        (id_number(date(1950, 6, 15), serial=6), "己小学", "1990.09", "2000.07", 20),
        (id_number(date(1950, 6, 15), serial=7), "庚小学", "1990.09", "1991.01", 1),
        (id_number(date(1950, 6, 15), serial=7), "庚小学", "1992.09", "1993.01", 1),
    ]
    people = [
        teacher("符合", 1, **MET),
        teacher("外省", 2, **{**MET, "户籍所在地": "湖南省郴州市"}),
        teacher("入编", 3, **{**MET, "后入编或国企正式职工": "是"}),
        teacher("晚任", 4, **MET),
        teacher("晚签", 5, "原代课教师", **{**MET, "合同签订日期": date(2008, 9, 1)}),
        teacher("未备案", 6, "原代课教师", **{**MET, "备案": "否"}),
        teacher("中断", 7, "原代课教师", semesters=2, **MET),
    ]
    path = roster(tmp_path / "r.xlsx", people, history)
    out = tmp_path / "out"
    result = invoke("fill", "gd-subsidy-roster", path, "--settings", SETTINGS, "-o", out)
    assert result.exit_code == 0, result.output
    assert not warnings_of(result), result.output  # every condition was checkable
    assert rejected(out) == {
        "外省": "现非广东省户籍",
        "入编": "离岗后被录用为编制内人员或国有企业正式工作人员",
        "晚任": "1986年3月27日（含）以前未在公办中小学教学岗位上任教",
        "晚签": "聘用代课教师合同书于2008年8月31日以后签订",
        "未备案": "聘用代课教师合同书未经县级教育行政部门备案",
        "中断": "未连续任教满1学年（或2个学期）",
    }


def test_absent_columns_are_named_once_in_one_warning(tmp_path) -> None:
    people = [teacher("甲", 1), teacher("乙", 2, "原代课教师")]
    result = validate(roster(tmp_path / "r.xlsx", people), "--set", "minban_cutoff_year=")
    assert result.exit_code == 0, result.output
    (warning,) = [w for w in warnings_of(result) if "资格条件" in w]
    for needed in ("户籍所在地", "任教经历", "minban_cutoff_year", "合同签订日期", "备案",
                   "后入编或国企正式职工", "全部发放对象（2人）", "全部原代课教师（1人）"):
        assert needed in warning, needed


def test_a_partly_filled_column_names_whom_it_leaves_unchecked(tmp_path) -> None:
    history = [(id_number(date(1950, 6, 15), serial=n), "甲小学", "1975.09", "1985.07", 20)
               for n in (1, 2)]
    people = [teacher("甲", 1, **MET), teacher("乙", 2, **{**MET, "户籍所在地": None})]
    result = validate(roster(tmp_path / "r.xlsx", people, history))
    assert result.exit_code == 0, result.output
    (warning,) = warnings_of(result)
    assert "现为广东省户籍" in warning and "1人：乙" in warning and "后入编" not in warning


def test_an_address_without_province_leaves_hukou_unchecked(tmp_path) -> None:
    people = [teacher("甲", 1, 户籍所在地="乳源瑶族自治县乳城镇"), teacher("乙", 2, 户籍所在地="广东")]
    result = validate(roster(tmp_path / "r.xlsx", people))
    assert "现为广东省户籍（需列「户籍所在地」；1人：甲）" in result.output


# --------------------------------------------------------------------------- city names


@pytest.mark.parametrize("written", ["广东省韶关市", "韶关", "韶关市　", "广东韶关市"])
def test_city_written_any_way_keeps_the_provincial_share(tmp_path, written) -> None:
    path = roster(tmp_path / "r.xlsx", [teacher("甲", 1, 地级市=written, **MET)])
    out = tmp_path / "out"
    result = invoke("fill", "gd-subsidy-county-summary", path, "--settings", SETTINGS,
                    "--set", "city=", "-o", out)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(next(out.glob("附件4 *.xlsx"))).active
    band = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "10-19年")
    assert band[6] == 12 * 700 and band[7] == band[8] == 12 * 350


def test_unknown_city_is_an_error_listing_guangdongs_cities(tmp_path) -> None:
    path = roster(tmp_path / "r.xlsx", [teacher("甲", 1, 地级市="韶山市")])
    result = validate(path)
    assert result.exit_code == 2
    assert "「韶山市」不是广东省的地级市" in result.output and "云浮市" in result.output
    assert "列/column「地级市」" in result.output
    result = validate(roster(tmp_path / "ok.xlsx", [teacher("甲", 1)]), "--set", "city=韶州")
    assert result.exit_code == 2 and "「韶州」不是广东省的地级市" in result.output


def test_city_summary_groups_a_county_written_two_ways(tmp_path) -> None:
    people = [teacher("甲", 1, **{"县(市、区)": "翁源"}),
              teacher("乙", 2, **{"县(市、区)": "韶关市翁源县"})]
    out = tmp_path / "out"
    result = invoke("fill", "gd-subsidy-city", roster(tmp_path / "r.xlsx", people),
                    "--settings", SETTINGS, "-o", out)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(next(out.glob("附件5 *.xlsx"))).active
    rows = [r for r in sheet.iter_rows(values_only=True) if r[0] in ("翁源", "翁源县")]
    assert [(r[0], r[3]) for r in rows] == [("翁源县", 2)]
    assert any("资格条件未能核对" in w for w in warnings_of(result))  # the city is told too


# --------------------------------------------------------------------------- 只减不增


def test_someone_not_on_last_years_roster_is_warned_and_checked(tmp_path) -> None:
    last = roster(tmp_path / "2019.xlsx", [teacher("甲", 1, **MET)])
    this = roster(tmp_path / "2020.xlsx", [teacher("甲", 1, **MET), teacher("乙", 2, **MET)])
    out = tmp_path / "out"
    result = invoke("fill", "gd-subsidy", this, "--previous", last, "--settings", SETTINGS,
                    "--set", "minban_cutoff_year=", "-o", out)
    assert result.exit_code == 0, result.output
    assert any("只减不增" in w and "乙" in w and "甲" not in w for w in warnings_of(result))
    checked = invoke("check", "gd-subsidy", out)
    assert checked.exit_code == 2
    assert "乙不在上年名单中却列为增加" in checked.output and "列/column「原因」" in checked.output


def test_an_approved_late_application_joins_quietly(tmp_path) -> None:
    last = roster(tmp_path / "2019.xlsx", [teacher("甲", 1, **MET)])
    this = roster(tmp_path / "2020.xlsx", [teacher("甲", 1, **MET),
                                           teacher("乙", 2, 补报="是", **MET)])
    out = tmp_path / "out"
    result = invoke("fill", "gd-subsidy", this, "--previous", last, "--settings", SETTINGS,
                    "--set", "minban_cutoff_year=", "-o", out)
    assert result.exit_code == 0, result.output
    assert not any("只减不增" in w for w in warnings_of(result))
    assert invoke("check", "gd-subsidy", out).exit_code == 0


def test_reaching_the_age_from_last_years_list_is_no_warning(tmp_path) -> None:
    young = dict(birth=date(1960, 5, 3), **MET)  # 60 in May 2020: 未到龄 on the 2019 roster
    last = roster(tmp_path / "2019.xlsx", [teacher("甲", 1, **young)])
    this = roster(tmp_path / "2020.xlsx", [teacher("甲", 1, **young)])
    out = tmp_path / "out"
    result = invoke("fill", "gd-subsidy-changes", this, "--previous", last, "--settings",
                    SETTINGS, "--set", "minban_cutoff_year=", "-o", out)
    assert result.exit_code == 0, result.output
    assert not any("只减不增" in w for w in warnings_of(result))


# --------------------------------------------------------------------------- dates and bounds


def test_report_dated_within_the_notice_stops_the_run(tmp_path) -> None:
    path = roster(tmp_path / "r.xlsx", [teacher("甲", 1, **MET)])
    result = invoke("validate", "gd-subsidy", path, "--settings", SETTINGS, "--set",
                    "report_date=2020-05-11", "--previous", path)
    assert result.exit_code == 2 and "不晚于公示结束日2020-05-11" in result.output
    result = invoke("validate", "gd-subsidy", path, "--settings", SETTINGS, "--set",
                    "report_date=2020-05-12", "--previous", path)
    assert result.exit_code == 0, result.output


def test_plan_years_and_an_assumed_first_year_are_warned(tmp_path) -> None:
    path = roster(tmp_path / "r.xlsx", [teacher("甲", 1, **MET)])
    result = validate(path, "--set", "year=2024", "--set", "report_date=")
    assert result.exit_code == 0 and "003:225" in result.output
    result = validate(path, "--set", "year=2023", "--set", "report_date=")
    assert result.exit_code == 0 and "003:225" not in result.output
    result = validate(path, "--set", "first_year=")
    assert "按2019年计算" in result.output


@pytest.mark.parametrize(("semesters", "ok"), [(110, True), (111, False), (1_000_000, False)])
def test_semesters_beyond_two_a_year_from_16_are_refused(tmp_path, semesters, ok) -> None:
    # born 1950: 16 in 1966, 55 years to 2020
    path = roster(tmp_path / "r.xlsx", [teacher("甲", 1, semesters=semesters, **MET)])
    result = validate(path)
    assert (result.exit_code == 0) is ok, result.output
    if not ok:
        assert "最多任教110个学期" in result.output and "任教学期数" in result.output


@pytest.mark.parametrize(("died", "ok"), [("2020-05-15", True), ("2020-05-16", False),
                                          ("2030-01-01", False)])
def test_death_after_the_report_date_is_refused(tmp_path, died, ok) -> None:
    path = roster(tmp_path / "r.xlsx", [teacher("甲", 1, 去世日期=died, **MET)])
    result = validate(path)  # the sample's report date is 2020-05-15
    assert (result.exit_code == 0) is ok, result.output
    if not ok:
        assert "去世日期" in result.output


def test_ages_over_110_are_warned(tmp_path) -> None:
    people = [teacher("甲", 1, birth=date(1909, 5, 15), semesters=4, **MET),
              teacher("乙", 2, birth=date(1909, 5, 16), semesters=4, **MET)]
    result = validate(roster(tmp_path / "r.xlsx", people))  # report date 2020-05-15
    assert result.exit_code == 0, result.output
    old = [w for w in warnings_of(result) if "超过110岁" in w]
    assert len(old) == 1 and "甲" in old[0]
