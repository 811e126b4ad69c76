"""Data files for the document types of issue 5, written the way clerks keep them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook
from stdnum.cn import ric

from ..conftest import SAMPLES


def resident_id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


HARDSHIP_HEADERS = ["序号", "姓名", "身份证号码", "学校", "人员类别", "困难类型", "负债金额", "申请金额",
                    "家庭困难情况", "上次获省级资助年份", "备注", "是否专任"]


def teacher(name: str, id17: str, *, school: str = "实验中学", status: str = "在职",
            hardship: str = "重大疾病", debt: object = 60000, requested: object = None,
            situation: str = "患病负债", last_aid: object = None, remark: str = "",
            full_time: object = "是") -> list:
    return [None, name, resident_id(id17), school, status, hardship, debt, requested, situation,
            last_aid, remark, full_time]


def write_book(path: Path, sheets: dict[str, list[list]]) -> Path:
    """One workbook, one sheet per key; each sheet's first row is its header."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def hardship_roster(path: Path, teachers: list[list]) -> Path:
    rows = [[number, *t[1:]] for number, t in enumerate(teachers, start=1)]
    return write_book(path, {"花名册": [HARDSHIP_HEADERS, *rows]})


PAIR_HEADERS = ["帮扶教师", "学科", "帮扶教师所在学校", "结对教师", "结对教师所在学校", "结对开始日期"]
PAIRS = [
    ["林志强", "语文", "溪安八中", "陈丽华", "玉湖学校", dt.date(2026, 2, 24)],
    ["黄晓梅", "数学", "溪安八中", "王建国", "蓝田中学", dt.date(2026, 3, 2)],
]
LOG_HEADERS = ["日期", "帮扶教师", "结对教师", "类型", "数量", "内容"]


def pairing_book(path: Path, log: list[list], pairs: list[list] | None = None) -> Path:
    return write_book(path, {"教师结对名单": [PAIR_HEADERS, *(pairs or PAIRS)],
                             "活动记录": [LOG_HEADERS, *log]})


@pytest.fixture
def hardship_sample() -> Path:
    return SAMPLES / "hardship-aid"
