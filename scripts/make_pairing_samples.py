"""Build the sample data of the declarative pairing plugins into samples/.

samples/teacher-pairing/教师结对名单.xlsx holds the pairs (sheet 教师结对名单) and the activity log
(sheet 活动记录) of two quarters; samples/education-community/教共体建设名单.xlsx the communities;
samples/coop-school/协作学校结对名单.xlsx the pairs of two 协作学校 pairings (one mentor with two
mentees) and two semesters of 听评课 and 课题研究指导, one pair falling short in the second.
Deterministic and idempotent:  python scripts/make_pairing_samples.py
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ooxml_stable import save_stable  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

PAIRS = [
    ("林志强", "语文", "溪安八中", "陈丽华", "玉湖学校", dt.date(2026, 2, 24)),
    ("黄晓梅", "数学", "溪安八中", "王建国", "玉湖学校", dt.date(2026, 2, 24)),
    ("郑文杰", "英语", "溪安八中", "李春燕", "玉湖学校", dt.date(2026, 2, 24)),
    ("许丽娟", "物理", "溪安八中", "张伟", "蓝田中学", dt.date(2026, 3, 2)),
    ("吴国平", "化学", "溪安八中", "刘芳", "蓝田中学", dt.date(2026, 3, 2)),
    ("蔡雅琴", "历史", "溪安八中", "周明", "蓝田中学", dt.date(2026, 3, 2)),
]

#: date, mentor, mentee, kind, quantity, content
ACTIVITIES = [
    ("2026-03-05", "林志强", "陈丽华", "资源分享", 3, "七年级下册古诗文教学设计"),
    ("2026-03-12", "林志强", "陈丽华", "网络教研", 1, "《春》同课异构网络评课"),
    ("2026-03-10", "黄晓梅", "王建国", "资源分享", 2, "一元一次不等式课件"),
    ("2026-03-19", "许丽娟", "张伟", "网络教研", 1, "浮力实验教学网络研讨"),
    ("2026-03-26", "吴国平", "刘芳", "资源分享", 1, "化学实验安全微课"),
    ("2026-04-08", "林志强", "陈丽华", "资源分享", 2, "名著导读单"),
    ("2026-04-16", "郑文杰", "李春燕", "网络教研", 1, "听说课网络集体备课"),
    ("2026-05-14", "郑文杰", "李春燕", "资源分享", 4, "单元听力材料"),
    ("2026-05-21", "蔡雅琴", "周明", "网络教研", 1, "史料教学专题网络教研"),
    ("2026-06-04", "黄晓梅", "王建国", "网络教研", 1, "期末复习课网络评课"),
]

COMMUNITIES = [
    ("柳高—融水高中教共体", "柳州高级中学", "融水苗族自治县中学", "融合型", "市县高中", "2023—2026年"),
    ("铁一中—三江高中教共体", "柳州铁一中学", "三江侗族自治县中学", "共建型", "市县高中", "2023—2026年"),
    ("柳北—融安区县教共体", "柳北区", "融安县", "协作型", "区县", "2023—2025年"),
    ("城中—鹿寨区县教共体", "城中区", "鹿寨县、柳城县", "共建型", "区县", "2023—2025年"),
    # no name: the list prints the sign's 牵头单位名称+联合单位名称+教育共同体 (seed 000 line 164)
    ("", "鹿寨县鹿寨镇中心小学", "鹿寨县寨沙镇小学、鹿寨县拉沟乡小学",
     "融合型", "县域内", "2023—2026年"),
]


#: 协作学校 (seed 004): mentor, school, subject, mentee, school
COOP_PAIRS = [
    ("赵丽萍", "实验区第一小学", "语文", "孙晓燕", "河口镇中心小学"),
    ("赵丽萍", "实验区第一小学", "语文", "周文静", "河口镇中心小学"),  # 一对二
    ("钱建华", "实验区第一小学", "数学", "吴海军", "河口镇中心小学"),
    ("李淑芬", "实验区第一小学", "数学", "郑小红", "杨林乡小学"),
    ("王志刚", "实验区第一小学", "语文", "冯丽", "杨林乡小学"),
    ("陈桂香", "实验区第一小学", "英语", "褚明", "杨林乡小学"),
]
_COOP_CONTENT = {"听评课": "《{}》听课、评课", "课题研究指导": "课题“{}”研究指导"}
_COOP_TOPICS = ["小学语文整本书阅读", "低年级识字教学", "分数的意义", "图形与几何", "单元整体教学",
                "英语绘本阅读"]


def _coop_activities() -> list[tuple]:
    """Two of each per pair and semester, except 冯丽's second semester (one of each)."""
    rows = []
    for semester, months in (("2025-2026-1", (10, 12)), ("2025-2026-2", (3, 5))):
        for index, (mentor, _, _, mentee, _) in enumerate(COOP_PAIRS):
            short = semester.endswith("2") and mentee == "冯丽"
            for kind in ("听评课", "课题研究指导"):
                for month in months[:1] if short else months:
                    year = 2025 if month >= 9 else 2026
                    day = dt.date(year, month, 8 + index + (kind == "课题研究指导") * 10)
                    rows.append((day, mentor, mentee, kind, 1,
                                 _COOP_CONTENT[kind].format(_COOP_TOPICS[index])))
    return sorted(rows)


def teacher_pairing(target: Path) -> None:
    workbook = Workbook()
    pairs = workbook.active
    pairs.title = "教师结对名单"
    pairs.append(["溪安八中帮扶玉湖学校、蓝田中学教师一对一结对名单"])
    pairs.append(["序号", "帮扶教师", "学科", "帮扶教师所在学校", "结对教师", "结对教师所在学校",
                  "结对开始日期", "备注"])
    for number, pair in enumerate(PAIRS, start=1):
        pairs.append([number, *pair, ""])
    log = workbook.create_sheet("活动记录")
    log.append(["日期", "帮扶教师", "结对教师", "类型", "数量", "内容"])
    for date, *rest in ACTIVITIES:
        log.append([dt.date.fromisoformat(date), *rest])
    save_stable(workbook, target)


def education_community(target: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "教共体建设名单"
    sheet.append(["教共体名称", "牵头单位", "联合单位", "类型", "层级", "合作期限", "备注"])
    for row in COMMUNITIES:
        sheet.append([*row, ""])
    save_stable(workbook, target)


def coop_school(target: Path) -> None:
    workbook = Workbook()
    pairs = workbook.active
    pairs.title = "协作学校结对名单"
    pairs.append(["序号", "指导教师", "指导教师所在学校", "学科", "帮扶对象", "帮扶对象所在学校", "备注"])
    for number, pair in enumerate(COOP_PAIRS, start=1):
        pairs.append([number, *pair, ""])
    log = workbook.create_sheet("活动记录")
    log.append(["日期", "指导教师", "帮扶对象", "类型", "次数", "内容"])
    for row in _coop_activities():
        log.append(list(row))
    save_stable(workbook, target)


COOP_SETTINGS = """\
# 协作学校结对帮扶学期情况表: planforge fill coop-school samples/coop-school/协作学校结对名单.xlsx \\
#   --settings samples/coop-school/settings.yaml -o out/   (one table per semester; or --set semester=2025-2026-2)
organisation: 实验区
unit: 实验区第一小学
preparer: 刘敏
reviewer: 张国庆
date: 2026-06-30
"""


if __name__ == "__main__":
    teacher_pairing(SAMPLES / "teacher-pairing" / "教师结对名单.xlsx")
    education_community(SAMPLES / "education-community" / "教共体建设名单.xlsx")
    coop_school(SAMPLES / "coop-school" / "协作学校结对名单.xlsx")
    (SAMPLES / "coop-school" / "settings.yaml").write_text(COOP_SETTINGS, encoding="utf-8")
