"""Issue 13 item 12: impossible subsidy rosters are refused instead of paid.

A million semesters gave 500,000 working years and the top band; a death date in 2030 paid the
full year. Each is now an error naming the row and column; an age over 110 is a warning."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from stdnum.cn import ric

from planforge.cli import cli

from .collect import case

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "samples" / "gd-subsidy" / "settings.yaml"  # year 2020, report 2020-05-15


def id_number(birth: date) -> str:
    body = f"440232{birth:%Y%m%d}011"
    return body + ric.calc_check_digit(body + "0")


def roster(path: Path, birth: date, semesters: int, death: str | None = None) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "名册"
    sheet.append(["姓名", "身份证号码", "类别", "任教学期数", "去世日期"])
    sheet.append(["张三", id_number(birth), "原民办教师", semesters, death])
    book.save(path)
    return path


def run(path: Path) -> object:
    return CliRunner().invoke(cli, ["validate", "gd-subsidy-roster", str(path), "--settings",
                                    str(SETTINGS)], catch_exceptions=False)


@pytest.mark.parametrize("semesters", [111, 1_000, 1_000_000])
def test_more_semesters_than_a_working_life_holds(tmp_path, semesters) -> None:
    result = run(roster(tmp_path / "r.xlsx", date(1950, 6, 15), semesters))
    assert result.exit_code == 2
    assert "第2行/row 2, 列/column「任教学期数」" in result.output and "最多任教110个学期" in result.output


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(birth=st.dates(min_value=date(1930, 1, 1), max_value=date(1965, 12, 31)),
       extra=st.integers(min_value=1, max_value=10**9))
def test_any_count_beyond_two_a_year_from_16_is_refused(tmp_path, birth, extra) -> None:
    most = 2 * (2020 - birth.year - 16 + 1)
    result = run(roster(tmp_path / "r.xlsx", birth, most + extra))
    assert result.exit_code == 2 and "任教学期数" in result.output
    case()


@pytest.mark.parametrize("death", ["2030-01-01", "2020-05-16", "1940-01-01"])
def test_a_death_after_the_report_date_or_before_birth_is_refused(tmp_path, death) -> None:
    result = run(roster(tmp_path / "r.xlsx", date(1950, 6, 15), 40, death))
    assert result.exit_code == 2 and "列/column「去世日期」" in result.output


def test_a_living_person_over_110_is_a_warning(tmp_path) -> None:
    result = run(roster(tmp_path / "r.xlsx", date(1905, 1, 1), 20))
    assert result.exit_code == 0, result.output
    assert "警告 / warning" in result.output and "115周岁，超过110岁" in result.output
