"""Build the Excel templates of the declarative pairing plugins (结对帮扶名单, 教师结对名单)."""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook

from planforge.formkit import annex_heading, page_setup, sign_line, table_row

sys.path.insert(0, str(Path(__file__).parent))
from ooxml_stable import freeze  # noqa: E402

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
        subtitle="填报单位：{{ settings.unit }}",
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
    target.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(target)
    freeze(target)


if __name__ == "__main__":
    pairing_list(ROOT / "plugins" / "pairing_list" / "结对帮扶名单.xlsx")
