"""Build the template of the declarative 协作学校 plugin (seed 004 lines ~420-440) into its folder.

协作学校结对帮扶学期情况表: per pair of teachers, the mentor's 听评课 and 课题研究指导 in one
semester, whether the seed's minimum (2 and 2) is met and what is short.
Deterministic and idempotent:  python scripts/make_coop_school_templates.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook

from planforge.formkit import annex_heading, note_row, page_setup, sign_line, table_row

sys.path.insert(0, str(Path(__file__).parent))
from ooxml_stable import save_stable  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HEADERS = ["序号", "指导教师", "指导教师所在学校", "学科", "帮扶对象", "帮扶对象所在学校",
           "听评课（节次）", "课题研究指导（次）", "是否达标", "未达要求", "备注"]
CELLS = ["{{ index }}", "{{ row.mentor }}", "{{ row.mentor_school }}", "{{ row.subject }}",
         "{{ row.mentee }}", "{{ row.mentee_school }}", "{{ row.lessons }}", "{{ row.research }}",
         "{{ '达标' if row.met else '未达标' }}", "{{ row.shortfall }}", "{{ row.remark }}"]
WIDTHS = [6, 10, 18, 7, 10, 18, 12, 13, 9, 24, 10]


def semester_report(target: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "协作学校结对帮扶情况表"
    width = len(HEADERS)
    row = annex_heading(
        sheet, "", "{{ document.title }}", width,
        subtitle="填报单位：{{ settings.unit }}　　统计期间：{{ period.semester.label }}"
                 "（{{ period.semester.first|cn_date }}—{{ period.semester.last|cn_date }}）")
    table_row(sheet, row, HEADERS, bold=True, height=30)
    table_row(sheet, row + 1, CELLS, height=26)
    first, total = row + 1, row + 2
    table_row(sheet, total, ["合计", f'="共"&COUNTA(B{first}:B{first})&"对"', "", "", "", "",
                             f"=SUM(G{first}:G{first})", f"=SUM(H{first}:H{first})",
                             "达标{{ totals.met }}对", "未达标{{ totals.count - totals.met }}对",
                             ""], bold=True)
    sheet.merge_cells(start_row=total, start_column=2, end_row=total, end_column=6)
    note = total + 1
    note_row(sheet, note, width, (
        "说明：协作学校双方教师确定“一对一或一对二”帮扶关系，保证结成对子3对以上；指导教师每学期对帮扶对象"
        "听评课{{ settings.min_lessons }}节次以上、指导课题研究{{ settings.min_research }}次以上。"
        "本学期活动记录{{ period.count }}条。"))
    footer = note + 2
    sign_line(sheet, footer, [(1, 3, "填表人：{{ settings.preparer }}"),
                              (4, 6, "负责人：{{ settings.reviewer }}"),
                              (7, 11, "填表日期：{{ settings.date|cn_date }}")])
    page_setup(sheet, WIDTHS, row, footer)
    save_stable(workbook, target)


if __name__ == "__main__":
    semester_report(ROOT / "plugins" / "coop_school" / "协作学校结对帮扶情况表.xlsx")
