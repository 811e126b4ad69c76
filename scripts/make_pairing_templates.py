"""Build the templates of the declarative pairing plugins, each into its own plugin folder.

结对帮扶名单 (pairing_list), 教师结对帮扶名单 and 网络学习空间应用情况表 (teacher_pairing, seed 000
篇四 附件1/附件2) and 教共体建设名单 (education_community, seed 000 篇三, Word).
Deterministic and idempotent:  python scripts/make_pairing_templates.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from planforge.formkit import (
    annex_heading,
    fill_cell,
    new_document,
    note_row,
    page_setup,
    paragraph,
    repeat_header_row,
    set_column_widths,
    set_row_height,
    sign_line,
    table_row,
    word_heading,
)

sys.path.insert(0, str(Path(__file__).parent))
from ooxml_stable import save_stable  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def pairing_list(target: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "结对帮扶名单"
    headers = [
        "序号",
        "帮扶单位",
        "受帮扶单位",
        "帮扶人员",
        "联系人",
        "联系电话",
        "帮扶期限",
        "备注",
    ]
    row = annex_heading(
        sheet,
        "附件{{ document.annex }}",
        "{{ document.title }}",
        len(headers),
        # README's quick start gives only organisation; it is the unit when unit is not set
        subtitle="填报单位（盖章）：{{ settings.unit or settings.organisation }}",
    )
    table_row(sheet, row, headers, bold=True, height=30)
    header_row = row
    table_row(
        sheet,
        row + 1,
        [
            "{{ index }}",
            "{{ row.helper_unit }}",
            "{{ row.helped_unit }}",
            "{{ row.people }}",
            "{{ row.contact }}",
            "{{ row.phone }}",
            "{{ row.period }}",
            "{{ row.remark }}",
        ],
        height=36,
    )
    table_row(
        sheet,
        row + 2,
        ["合计", f'="共"&COUNTA(B{row + 1}:B{row + 1})&"对"', "", "", "", "", "", ""],
        bold=True,
    )
    sheet.merge_cells(start_row=row + 2, start_column=2, end_row=row + 2, end_column=8)
    footer = row + 4
    sign_line(
        sheet,
        footer,
        [
            (1, 4, "填表人：{{ settings.preparer }}"),
            (5, 8, "填表日期：{{ settings.date|cn_date }}"),
        ],
    )
    page_setup(sheet, [6, 22, 22, 24, 10, 15, 24, 14], header_row, footer)
    save_stable(workbook, target)


PAIR_HEADERS = ["帮扶教师", "学科", "帮扶教师所在学校", "结对教师", "结对教师所在学校"]
PAIR_CELLS = ["{{ row.mentor }}", "{{ row.subject }}", "{{ row.mentor_school }}",
              "{{ row.mentee }}", "{{ row.mentee_school }}"]



def _count_total(sheet, row: int, first: int, width: int, unit: str) -> None:
    """合计 row: the number of filled rows, live in Excel (the range widens with the rows)."""
    letter = get_column_letter(first)
    table_row(sheet, row, ["合计", f'="共"&COUNTA({letter}{row - 1}:{letter}{row - 1})&"{unit}"',
                           *[""] * (width - 2)], bold=True)
    sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=width)


def teacher_pairing(target: Path) -> None:
    """附件1 教师结对帮扶名单: one row per 1:1 pair of teachers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "教师结对名单"
    headers = ["序号", *PAIR_HEADERS, "结对开始日期", "备注"]
    row = annex_heading(sheet, "附件{{ document.annex }}", "{{ document.title }}", len(headers),
                        subtitle="填报单位：{{ settings.unit }}")
    table_row(sheet, row, headers, bold=True, height=30)
    table_row(sheet, row + 1, ["{{ index }}", *PAIR_CELLS, "{{ row.start|cn_date }}",
                               "{{ row.remark }}"], height=28)
    _count_total(sheet, row + 2, 2, len(headers), "对")
    footer = row + 4
    sign_line(sheet, footer, [(1, 3, "填表人：{{ settings.preparer }}"),
                              (4, 5, "审核人：{{ settings.reviewer }}"),
                              (6, 8, "填表日期：{{ settings.date|cn_date }}")])
    page_setup(sheet, [6, 12, 10, 22, 12, 22, 18, 14], row, footer)
    save_stable(workbook, target)


#: Each quarter's table is dated in its own quarter: the 填表日期 setting when it falls in the
#: quarter, else the first day of the 下旬 of the quarter's last month, when the report is due.
QUARTER_REPORT_DATE = ("{{ (settings.date if settings.date in period.quarter "
                       "else period.quarter.due_from)|cn_date }}")


def space_report(target: Path) -> None:
    """附件2 网络学习空间应用情况表: per pair, resources shared and online research in a quarter."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "网络学习空间应用情况表"
    # no 小计: resources (个) and research sessions (次) are different units (issue 12 §2.11)
    headers = ["序号", *PAIR_HEADERS, "资源分享（个）", "网络教研（次）", "备注"]
    width = len(headers)
    row = annex_heading(
        sheet, "附件{{ document.annex }}", "{{ document.title }}", width,
        subtitle="填报单位：{{ settings.unit }}　　统计期间：{{ period.quarter.label }}"
                 "（{{ period.quarter.months }}）　　报送时间：{{ period.quarter.due }}")
    table_row(sheet, row, headers, bold=True, height=30)
    table_row(sheet, row + 1, ["{{ index }}", *PAIR_CELLS, "{{ row.resources }}",
                               "{{ row.research }}", "{{ row.remark }}"], height=26)
    total = row + 2
    first = row + 1
    table_row(sheet, total, ["合计", f'="共"&COUNTA(B{first}:B{first})&"对"', "", "", "", "",
                             f"=SUM(G{first}:G{first})", f"=SUM(H{first}:H{first})", ""],
              bold=True)
    sheet.merge_cells(start_row=total, start_column=2, end_row=total, end_column=6)
    note = total + 1
    note_row(sheet, note, width, (
        "说明：资源分享指通过网络学习空间为结对教师提供或共建的教学资源（个）；网络教研指依托网络学习空间"
        "开展的教学教研活动（次）。本季度活动记录{{ period.count }}条；本表于每季度最后一个月下旬报送。"))
    footer = note + 2
    sign_line(sheet, footer, [(1, 3, "填表人：{{ settings.preparer }}"),
                              (4, 6, "负责人：{{ settings.reviewer }}"),
                              (7, 9, "填表日期：" + QUARTER_REPORT_DATE)])
    page_setup(sheet, [6, 11, 9, 20, 11, 20, 13, 13, 16], row, footer)
    save_stable(workbook, target)


COMMUNITY_WIDTHS = [1.2, 4.4, 4.4, 5.0, 5.4, 3.4, 1.5]  # 2023—2026年 on one line


def education_community(target: Path) -> None:
    """教共体建设名单 (Word annex): grouped by level, the type ticked among the three."""
    document = new_document(landscape=True)
    word_heading(document, "附件{{ document.annex }}", "{{ document.title }}")
    paragraph(document, "共{{ totals.count }}个教共体，其中融合型{{ totals.fusion }}个、"
                        "共建型{{ totals.joint }}个、协作型{{ totals.cooperative }}个。",
              size=12, after=6)
    table = document.add_table(rows=7, cols=len(COMMUNITY_WIDTHS))
    table.style = "Table Grid"
    head, group_open, group, unit_open, unit, unit_close, group_close = table.rows
    for cell, text in zip(head.cells, ["序号", "教共体名称", "牵头单位", "联合单位", "类型",
                                       "合作期限", "备注"], strict=True):
        fill_cell(cell, text, bold=True, size=11)
    repeat_header_row(head)
    set_row_height(head, 1.0)
    fill_cell(group_open.cells[0], "{%tr for g in levels %}")
    fill_cell(group.cells[0].merge(group.cells[-1]),
              "{{ g.level }}教共体（{{ g.count }}个）", bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    set_row_height(group, 0.8)
    fill_cell(unit_open.cells[0], "{%tr for u in g.rows %}")
    values = ["{{ loop.index }}", "{{ u.community }}", "{{ u.lead }}", "{{ u.members }}",
              "{{ u.kind|checkbox('融合型') }}融合型 {{ u.kind|checkbox('共建型') }}共建型 "
              "{{ u.kind|checkbox('协作型') }}协作型",
              "{{ u.period }}", "{{ u.remark }}"]
    for cell, text in zip(unit.cells, values, strict=True):
        fill_cell(cell, text, size=10.5)
    set_row_height(unit, 1.2)
    fill_cell(unit_close.cells[0], "{%tr endfor %}")
    fill_cell(group_close.cells[0], "{%tr endfor %}")
    set_column_widths(table, COMMUNITY_WIDTHS)
    paragraph(document, "", after=6)
    paragraph(document, "填报单位（盖章）：{{ settings.unit }}　　　　填表人：{{ settings.preparer }}"
                        "　　　　填报日期：{{ settings.date|cn_date }}", size=12, before=12)
    save_stable(document, target)


if __name__ == "__main__":
    plugins = ROOT / "plugins"
    pairing_list(plugins / "pairing_list" / "结对帮扶名单.xlsx")
    teacher_pairing(plugins / "teacher_pairing" / "教师结对帮扶名单.xlsx")
    space_report(plugins / "teacher_pairing" / "网络学习空间应用情况表.xlsx")
    education_community(plugins / "education_community" / "教共体建设名单.docx")
