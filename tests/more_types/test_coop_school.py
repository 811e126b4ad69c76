"""协作学校 (seed 004:423): pairs 一对一或一对二, 3 pairs per school pair, 2+2 a semester."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from planforge.periods import Semester, to_semester

from ..conftest import SAMPLES
from .conftest import write_book

SAMPLE = SAMPLES / "coop-school"
PAIR_HEADERS = ["指导教师", "指导教师所在学校", "学科", "帮扶对象", "帮扶对象所在学校"]
LOG_HEADERS = ["日期", "指导教师", "帮扶对象", "类型", "次数"]
BIG, SMALL = "实验区第一小学", "河口镇中心小学"
PAIRS = [["赵丽萍", BIG, "语文", "孙晓燕", SMALL], ["赵丽萍", BIG, "语文", "周文静", SMALL],
         ["钱建华", BIG, "数学", "吴海军", SMALL]]


def full_log(day: dt.date, pairs=PAIRS, times: int = 2) -> list[list]:
    return [[day, p[0], p[3], kind, times] for p in pairs for kind in ("听评课", "课题研究指导")]


def book(path, pairs=PAIRS, log=None):
    log = full_log(dt.date(2026, 3, 10)) if log is None else log
    return write_book(path, {"协作学校结对名单": [PAIR_HEADERS, *pairs], "活动记录": [LOG_HEADERS, *log]})


def rows(path):
    return [list(r) for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]


def body(table):
    return [r for r in table if isinstance(r[0], int)]


def test_sample_writes_one_table_per_semester_and_marks_the_shortfall(run_cli, tmp_path):
    out = tmp_path / "out"
    result = run_cli("fill", "coop-school", SAMPLE / "协作学校结对名单.xlsx", "--settings",
                     SAMPLE / "settings.yaml", "-o", out)
    assert result.exit_code == 0, result.output
    folder = out / "实验区协作学校结对帮扶情况表"
    first, second = (rows(folder / f"2025—2026学年第{n}学期.xlsx") for n in "一二")
    assert second[1][0] == "实验区协作学校结对帮扶情况表（2025—2026学年第二学期）"
    assert "统计期间：2025—2026学年第二学期（2026年2月1日—2026年8月31日）" in second[2][0]
    assert second[3][6:10] == ["听评课（节次）", "课题研究指导（次）", "是否达标", "未达要求"]
    assert [r[6:10] for r in body(first)] == [[2, 2, "达标", None]] * 6
    feng = next(r for r in body(second) if r[4] == "冯丽")
    assert feng[6:10] == [1, 1, "未达标", "听评课差1节；课题研究指导差1次"]
    total = next(r for r in second if r[0] == "合计")
    assert total[8:10] == ["达标5对", "未达标1对"]
    assert result.output.count("未达要求") == 1
    assert "2025—2026学年第二学期「王志刚—冯丽」未达要求：听评课差1节；课题研究指导差1次" in result.output


def test_one_semester_by_setting(run_cli, tmp_path):
    result = run_cli("fill", "coop-school", SAMPLE / "协作学校结对名单.xlsx", "-o", tmp_path,
                     "--set", "semester=2025—2026学年第一学期")
    assert result.exit_code == 0, result.output
    assert "警告" not in result.output
    table = rows(tmp_path / "协作学校结对帮扶情况表（2025—2026学年第一学期）.xlsx")
    assert len(body(table)) == 6


@pytest.mark.parametrize(("times", "args", "met"), [
    (2, (), True),  # 2节次以上 includes 2
    (1, (), False),
    (2, ("--set", "min_lessons=3"), False),
    (3, ("--set", "min_lessons=3", "--set", "min_research=3"), True),
])
def test_two_lessons_and_two_research_sessions_a_semester(run_cli, tmp_path, times, args, met):
    data = book(tmp_path / "协作.xlsx", log=full_log(dt.date(2026, 3, 10), times=times))
    result = run_cli("fill", "coop-school", data, "-o", tmp_path / "out",
                     "--set", "semester=2025-2026-2", *args)
    assert result.exit_code == 0, result.output
    table = body(rows(next((tmp_path / "out").glob("*.xlsx"))))
    assert [r[8] for r in table] == ["达标" if met else "未达标"] * 3
    assert ("未达要求" in result.output) is not met


def test_an_earlier_semesters_shortfall_is_told_too(run_cli, tmp_path):
    log = [*full_log(dt.date(2025, 10, 9), times=1), *full_log(dt.date(2026, 3, 10))]
    result = run_cli("fill", "coop-school", book(tmp_path / "协作.xlsx", log=log), "-o",
                     tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert result.output.count("2025—2026学年第一学期「") == 3
    assert "第二学期「" not in result.output


@pytest.mark.parametrize(("pairs", "expected"), [
    ([*PAIRS, ["赵丽萍", BIG, "语文", "冯丽", SMALL]],
     ["第2行/row 2, 列/column「指导教师」", "带3名帮扶对象：帮扶关系为一对一或一对二"]),
    ([*PAIRS, ["钱建华", BIG, "数学", "孙晓燕", SMALL]],
     ["第5行/row 5, 列/column「帮扶对象」", "已在第2行由「赵丽萍」指导"]),
    ([*PAIRS, ["冯丽", SMALL, "语文", "褚明", SMALL]],
     ["同在河口镇中心小学：结对双方应来自两所协作学校"]),
    ([*PAIRS, ["孙晓燕", SMALL, "语文", "褚明", BIG]],
     ["第2行/row 2, 列/column「帮扶对象」", "「孙晓燕」（河口镇中心小学）既是帮扶对象，又是指导教师"]),
    (PAIRS[:2], ["列/column「帮扶对象所在学校」", "实验区第一小学与河口镇中心小学只结成2对：协作学校双方应保证结成对子3对以上"]),
])
def test_pairing_rules_are_errors(run_cli, tmp_path, pairs, expected):
    data = book(tmp_path / "协作.xlsx", pairs, full_log(dt.date(2026, 3, 10), pairs))
    out = tmp_path / "out"
    result = run_cli("fill", "coop-school", data, "-o", out)
    assert result.exit_code == 2, result.output
    for text in expected:
        assert text in result.output
    assert not out.exists()


def test_an_activity_of_no_listed_pair_is_an_error(run_cli, tmp_path):
    log = [*full_log(dt.date(2026, 3, 10)), [dt.date(2026, 3, 12), "钱建华", "孙晓燕", "听评课", 1]]
    result = run_cli("validate", "coop-school", book(tmp_path / "协作.xlsx", log=log))
    assert result.exit_code == 2 and "第8行/row 8" in result.output
    assert "「钱建华—孙晓燕」不在协作学校结对名单中" in result.output


@pytest.mark.parametrize(("day", "semester"), [
    (dt.date(2025, 8, 31), "2024-2025-2"), (dt.date(2025, 9, 1), "2025-2026-1"),
    (dt.date(2026, 1, 31), "2025-2026-1"), (dt.date(2026, 2, 1), "2025-2026-2"),
])
def test_semesters_turn_in_september_and_february(day, semester):
    assert Semester.of(day) == semester and day in Semester(semester)
    assert to_semester(Semester(semester).label) == semester


@pytest.mark.parametrize("text", ["2025-2027-1", "2025-2026-3", "2025学年", "下学期"])
def test_impossible_semesters_are_refused(run_cli, tmp_path, text):
    result = run_cli("validate", "coop-school", book(tmp_path / "协作.xlsx"), "--set",
                     f"semester={text}")
    assert result.exit_code == 2 and "不是有效学期" in result.output
