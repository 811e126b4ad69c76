"""Build the templates of the hardship-aid plugin (特困教师资助, seed 003 lines ~40-55).

Into templates/forms/hardship-aid/: 附件1 汇总表(花名册) (Excel, landscape, totals with the sum in
Chinese capitals), 附件2 申请表 (Word, one per teacher, with opinion and stamp blocks) and the
申报材料清单 (Excel, one row per teacher, one column per required material).
Deterministic and idempotent:  python scripts/make_hardship_templates.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment

from planforge.formkit import (
    annex_heading,
    fill_cell,
    keep_row_together,
    new_document,
    page_setup,
    paragraph,
    set_column_widths,
    set_row_height,
    sign_line,
    table_row,
    word_heading,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ooxml_stable import save_stable  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "templates" / "forms" / "hardship-aid"
#: As the Word forms print amounts (the amount filter: 86000.00), so both forms agree.
AMOUNT_FORMAT = "0.00"
SIGN_DATE = "年　　月　　日"



def roster(target: Path) -> None:
    """附件1 汇总表(花名册): one row per teacher, sums live in Excel, the total also in capitals."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "汇总表"
    headers = ["序号", "姓名", "学校", "身份证号码", "困难类型", "负债金额（元）", "申请金额（元）",
               "核定金额（元）", "备注"]
    width = len(headers)
    row = annex_heading(
        sheet, "附件{{ document.annex }}", "{{ document.title }}", width,
        subtitle="填报单位（盖章）：{{ settings.unit }}　　资助级别：{{ level.name }}"
                 "（负债{{ level.debt_min|amount|replace('.00', '') }}元以上，"
                 "每人一次性{{ level.grant|amount|replace('.00', '') }}元）"
                 "　　报送截止：{{ level.deadline|cn_date }}")
    table_row(sheet, row, headers, bold=True, height=32)
    first = row + 1
    table_row(sheet, first, ["{{ index }}", "{{ row.name }}", "{{ row.school }}",
                             "{{ row.id_number }}", "{{ row.hardship }}", "{{ row.debt }}",
                             "{{ row.requested }}", "{{ row.approved }}", "{{ row.remark_text }}"],
              height=26)
    total = first + 1
    table_row(sheet, total, ["合计", f'="共"&COUNTA(B{first}:B{first})&"人"', "", "", "",
                             f"=SUM(F{first}:F{first})", f"=SUM(G{first}:G{first})",
                             f"=SUM(H{first}:H{first})",
                             "其中退休{{ totals.retired }}人"], bold=True)
    sheet.merge_cells(start_row=total, start_column=2, end_row=total, end_column=5)
    for column in (6, 7, 8):
        sheet.cell(row=first, column=column).number_format = AMOUNT_FORMAT
        sheet.cell(row=total, column=column).number_format = AMOUNT_FORMAT
    upper = total + 1
    table_row(sheet, upper, ["核定金额合计（大写）：{{ totals.approved|rmb_upper }}",
                             *[""] * (width - 1)], bold=True, align=Alignment(
                                 horizontal="left", vertical="center", wrap_text=True))
    sheet.merge_cells(start_row=upper, start_column=1, end_row=upper, end_column=width)
    footer = upper + 2
    sign_line(sheet, footer, [(1, 2, "负责人：{{ settings.reviewer }}"),
                              (3, 4, "填表人：{{ settings.preparer }}"),
                              (5, 7, "联系电话：{{ settings.phone }}"),
                              (8, 9, "填报日期：{{ settings.date|cn_date }}")])
    page_setup(sheet, [6, 10, 24, 22, 11, 15, 15, 15, 18], row, footer)
    save_stable(workbook, target)


def checklist(target: Path) -> None:
    """申报材料清单: per teacher, each material present (✓), missing (✗) or not needed (—)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "材料清单"
    headers = ["序号", "姓名", "学校", "困难类型", "身份证复印件", "教师资格证复印件", "医院诊断证明",
               "医疗费用票据", "公示无异议证明", "民政/村委会证明", "缺少的材料"]
    width = len(headers)
    row = annex_heading(
        sheet, "", "{{ document.title }}", width,
        # no folder path on paper: it is the clerk's computer, not the application's
        subtitle="{{ '按各教师材料文件夹逐项核对' if materials.folder else '请逐项核对后打勾' }}"
                 "　　✓ 已提供　✗ 缺少　— 不需要　☐ 待核对")
    table_row(sheet, row, headers, bold=True, height=32)
    table_row(sheet, row + 1, ["{{ index }}", "{{ row.name }}", "{{ row.school }}",
                               "{{ row.hardship }}", "{{ row.material_status.id_card }}",
                               "{{ row.material_status.teacher_cert }}", "{{ row.material_status.diagnosis }}",
                               "{{ row.material_status.bills }}", "{{ row.material_status.notice }}",
                               "{{ row.material_status.disaster }}", "{{ row.missing_text }}"], height=26)
    total = row + 2
    table_row(sheet, total, ["合计", "共{{ totals.count }}人，材料齐全{{ materials.complete }}人，"
                             "缺少材料{{ materials.incomplete }}人", *[""] * (width - 2)], bold=True)
    sheet.merge_cells(start_row=total, start_column=2, end_row=total, end_column=width)
    footer = total + 2
    sign_line(sheet, footer, [(1, 3, "核对人：{{ settings.preparer }}"),
                              (4, 7, "复核人：{{ settings.reviewer }}"),
                              (8, 11, "核对日期：{{ settings.date|cn_date }}")])
    page_setup(sheet, [6, 10, 22, 11, 12, 14, 12, 12, 14, 14, 26], row, footer)
    save_stable(workbook, target)


APPLICATION_WIDTHS = [3.0, 3.0, 2.0, 2.8, 2.4, 3.4]


def _label(cell, text: str | list[str]) -> None:
    fill_cell(cell, text, bold=True, size=11)


def _value(cell, text: str | list[str], align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    fill_cell(cell, text, size=11, align=align)


def _opinion(row, label: str | list[str], lines: list[str], height: float) -> None:
    """An opinion block: a label left, the text, then 盖章 and 年 月 日 at the bottom right."""
    cells = row.cells
    _label(cells[0], label)
    block = cells[1].merge(cells[5])
    fill_cell(block, [*lines, "", "（盖章）", "负责人（签名）：　　　　　　" + SIGN_DATE], size=11,
              align=WD_ALIGN_PARAGRAPH.LEFT)
    for paragraph_ in block.paragraphs[-2:]:
        paragraph_.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_row_height(row, height)
    keep_row_together(row)


def application(target: Path) -> None:
    """附件2 申请表: one per teacher, A4 portrait, the official opinion and stamp blocks."""
    document = new_document()
    word_heading(document, "附件{{ document.annex }}", "{{ document.title }}", size=18, after=4)
    # the applicant's form: no 填报单位 (the setting is the foundation that receives it)
    paragraph(document, "编号：{{ index }}", size=11, align=WD_ALIGN_PARAGRAPH.RIGHT, after=4)
    table = document.add_table(rows=10, cols=6)
    table.style = "Table Grid"
    rows = table.rows
    c = rows[0].cells
    for cell, text in zip(c, ["姓名", "{{ name }}", "性别", "{{ sex }}", "出生年月",
                              "{{ birth_date|cn_date(false) }}"], strict=True):
        (_label if text[0] != "{" else _value)(cell, text)
    c = rows[1].cells
    _label(c[0], "身份证号码")
    _value(c[1].merge(c[3]), "{{ id_number }}")
    _label(c[4], "人员类别")
    _value(c[5], "{{ status|checkbox('在职') }}在职 {{ status|checkbox('退休') }}退休")
    c = rows[2].cells
    _label(c[0], "工作单位")
    _value(c[1].merge(c[3]), "{{ school }}")
    _label(c[4], "职务/职称")
    _value(c[5], "{{ title }}")
    c = rows[3].cells
    _label(c[0], "联系电话")
    _value(c[1].merge(c[3]), "{{ phone }}")
    _label(c[4], ["上次获省级", "资助年份"])
    _value(c[5], "{{ last_aid_year or '无' }}")
    c = rows[4].cells
    _label(c[0], "困难类型")
    _value(c[1].merge(c[5]), "{{ hardship|checkbox('重大疾病') }}本人患重大疾病　　"
                             "{{ hardship|checkbox('自然灾害') }}家庭遭受重大自然灾害",
           align=WD_ALIGN_PARAGRAPH.LEFT)
    c = rows[5].cells
    _label(c[0], "负债金额")
    _value(c[1].merge(c[2]), "{{ debt|amount }}元")
    _label(c[3], "申请金额")
    _value(c[4].merge(c[5]), ["{{ requested|amount }}元", "（大写：{{ requested|rmb_upper }}）"])
    c = rows[6].cells
    _label(c[0], ["家庭困难", "情况", "（病情、灾情", "及负债情况）"])
    block = c[1].merge(c[5])
    fill_cell(block, ["{{ situation }}", "", "", "本人承诺以上情况属实。",
                      "申请人（签名）：　　　　　　" + SIGN_DATE], size=11,
              align=WD_ALIGN_PARAGRAPH.LEFT, valign=None)
    block.paragraphs[0].paragraph_format.first_line_indent = Pt(22)
    for paragraph_ in block.paragraphs[-2:]:
        paragraph_.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_row_height(rows[6], 5.0)
    _opinion(rows[7], ["学校", "意见"], ["情况属实，已在本校公示{{ settings.notice_days }}个工作日无异议，"
                                       "同意推荐。"], 2.8)
    _opinion(rows[8], ["县（市、区）", "教育基金会", "（教育局）", "审核意见"], [""], 2.8)
    _opinion(rows[9], ["{{ level.funder }}", "审批意见"],
             # the approver decides the amount: left blank on the applicant's form
             ["核定资助金额：　　　　　　　元（大写：　　　　　　　　　　　　）"], 3.2)
    for row in rows[:6]:
        set_row_height(row, 1.0)
    set_column_widths(table, APPLICATION_WIDTHS)
    paragraph(document, "注：1. 困难类型在相应方框内打“☑”；"
                        "2. 须附身份证、教师资格证复印件，重大疾病附医院诊断证明及医疗费用票据，自然灾害附民政部门或"
                        "村（居）委会证明，并附公示无异议证明；3. 本表一式两份，纸质及电子材料同时报送。",
              size=10, before=6, line=16)
    save_stable(document, target)


def main() -> None:
    roster(OUT / "附件1-汇总表.xlsx")
    application(OUT / "附件2-申请表.docx")
    checklist(OUT / "申报材料清单.xlsx")


if __name__ == "__main__":
    main()
