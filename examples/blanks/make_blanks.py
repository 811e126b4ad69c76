"""Build the blank annex of the ``template infer`` example (the .xlsx is committed): a roster
with a two-level header, ten empty rows, a 合计 row and the signature line, as a notice ships it.

Run from the checkout: ``python examples/blanks/make_blanks.py``.
"""

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from planforge.formkit import BORDER, CENTER, annex_heading, page_setup, table_row

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from ooxml_stable import save_stable  # noqa: E402

TARGET = Path(__file__).parent / "培训情况统计表.xlsx"


def build() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "培训统计"
    row = annex_heading(sheet, "附件3", "乳源县教师培训情况统计表", 7,
                        "填报单位（盖章）：　　　　　　　　　　年度：　　　　年")
    table_row(sheet, row, ["序号", "个人信息", "", "", "培训情况", "", "备注"], bold=True)
    table_row(sheet, row + 1, ["", "姓名", "身份证号码", "性别", "培训学时", "培训金额（元）", ""],
              bold=True)
    for merged in (f"A{row}:A{row + 1}", f"B{row}:D{row}", f"E{row}:F{row}",
                   f"G{row}:G{row + 1}"):
        sheet.merge_cells(merged)
    for blank in range(row + 2, row + 12):
        table_row(sheet, blank, [""] * 7)
    table_row(sheet, row + 12, ["合计", "", "", "", "", "", ""], bold=True)
    signature = sheet.cell(row=row + 14, column=1,
                           value="填表人：　　　　　　审核人：　　　　　　填表日期：　　年　　月　　日")
    signature.font = Font(name="宋体", size=11)
    signature.alignment = Alignment(horizontal="left")
    sheet.merge_cells(start_row=row + 14, start_column=1, end_row=row + 14, end_column=7)
    for cell in sheet[row]:
        cell.border, cell.alignment = BORDER, CENTER
    page_setup(sheet, [6, 10, 22, 6, 10, 14, 12], header_row=row, last_row=row + 14,
               landscape=False)
    sheet.print_title_rows = f"{row}:{row + 1}"
    save_stable(workbook, TARGET)


if __name__ == "__main__":
    build()
