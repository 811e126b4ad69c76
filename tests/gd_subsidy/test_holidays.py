"""Holidays as data (issue 12 §3): the State Council's schedule of a year chinese-calendar lacks.

The 2027 schedule below is made up for the tests (the real one is published in autumn 2026):
May Day off 1-5 May, with the weekends 25 April and 8 May worked (调休上班).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from docx import Document
from gd_subsidy import rules
from gd_subsidy.holidays import Calendar
from test_package import ROSTER, SETTINGS, invoke

SCHEDULE_2027 = {2027: {"放假": ["2027-01-01", "2027-05-01~2027-05-05"],
                        "调休上班": [date(2027, 4, 25), "2027.5.8"]}}


def test_a_given_year_skips_its_holidays_and_counts_its_working_weekends() -> None:
    calendar = Calendar.from_setting(SCHEDULE_2027)
    # Thu 29 Apr, Fri 30 Apr, (1-5 May off), Thu 6, Fri 7, Sat 8 May (调休上班)
    assert rules.notice_period(date(2027, 4, 29), 5, calendar) == (date(2027, 4, 29),
                                                                   date(2027, 5, 8))
    assert calendar.is_workday(date(2027, 4, 25)) and not calendar.is_workday(date(2027, 5, 3))
    assert not calendar.is_workday(date(2027, 5, 9))  # a plain Sunday
    # years chinese-calendar knows keep its data: 9 May 2020 was a 调休 Saturday
    assert calendar.is_workday(date(2020, 5, 9))


def test_a_missing_year_says_exactly_what_to_add() -> None:
    with pytest.raises(rules.CalendarOutOfRange) as caught:
        rules.notice_period(date(2028, 3, 1), 5, Calendar.from_setting(SCHEDULE_2027))
    message = caught.value.zh
    assert "2028年" in message and "holidays:\n  2028:\n    放假: [2028-01-01" in message
    assert "调休上班: [2028-" in message and "holidays" in caught.value.en


@pytest.mark.parametrize(("schedule", "words"), [
    ({2027: {"放假": ["2026-12-31"]}}, "应在2027年内"),
    ({2027: {"放假": ["5月1日"]}}, "节假日安排中「5月1日」不是有效日期（可写作 2020-03-05"),
    ({2027: {"放假": ["2027-05-01 国庆"]}}, "不是有效日期"),
    ({2027: {"放假": ["2027-05-05~2027-05-01"]}}, "不是有效的日期范围"),
    ({2027: {"放假": ["2027-02-30"]}}, "不是有效日期"),
    ({2027: {"放假": ["2027-05-01"], "调休上班": ["2027-05-06"]}}, "不是周末"),
    ({2027: {"放假": ["2027-05-01"], "调休上班": ["2027-05-01"]}}, "同时列为放假"),
    ({2027: {"调休上班": ["2027-05-08"]}}, "应列出放假和调休上班日期"),
    ({"明年": {"放假": []}}, "不是年份"),
    ([2027], "应为按年份的安排"),
])
def test_a_wrong_schedule_is_refused_with_the_reason(schedule, words) -> None:
    with pytest.raises(rules.RuleError) as caught:
        Calendar.from_setting(schedule)
    assert words in caught.value.zh


def _settings_2027(tmp_path: Path, holidays) -> Path:
    values = yaml.safe_load(SETTINGS.read_text(encoding="utf-8"))
    values.update(year=2027, notice_start=date(2027, 4, 29))
    values.pop("report_date")
    if holidays is not None:
        values["holidays"] = holidays
    path = tmp_path / "settings-2027.yaml"
    path.write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
    return path


def test_a_2027_notice_is_made_from_the_holidays_setting(tmp_path) -> None:
    out = tmp_path / "out"
    result = invoke("fill", "gd-subsidy-notice", ROSTER, "--settings",
                    _settings_2027(tmp_path, SCHEDULE_2027), "-o", out)
    assert result.exit_code == 0, result.output
    (notice,) = out.glob("*.docx")
    text = "\n".join(p.text for p in Document(str(notice)).paragraphs)
    assert "公示期为2027年4月29日至2027年5月8日（5个工作日）" in text


def test_the_holidays_setting_may_name_a_file(tmp_path) -> None:
    schedule = tmp_path / "holidays-2027.yaml"
    schedule.write_text(yaml.safe_dump(SCHEDULE_2027, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("fill", "gd-subsidy-notice", ROSTER, "--settings",
                    _settings_2027(tmp_path, str(schedule)), "-o", out)
    assert result.exit_code == 0, result.output
    missing = invoke("fill", "gd-subsidy-notice", ROSTER, "--settings",
                     _settings_2027(tmp_path, str(tmp_path / "nowhere.yaml")), "-o", out / "x")
    assert missing.exit_code == 2 and "holidays" in missing.output and "nowhere.yaml" in missing.output


def test_a_2027_notice_without_the_schedule_is_refused_with_an_example(tmp_path) -> None:
    out = tmp_path / "out"
    result = invoke("fill", "gd-subsidy-notice", ROSTER, "--settings",
                    _settings_2027(tmp_path, None), "-o", out)
    assert result.exit_code == 2 and not out.exists()
    assert "notice_start" in result.output and "2027:" in result.output
    assert "放假: [2027-01-01" in result.output
