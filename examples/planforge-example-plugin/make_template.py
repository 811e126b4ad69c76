"""Build templates/协议书.docx with planforge.formkit (run once; the .docx is committed)."""

from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH

from planforge.formkit import (
    fill_cell,
    new_document,
    paragraph,
    set_column_widths,
    set_row_height,
    word_heading,
)

TARGET = Path(__file__).parent / "src" / "planforge_example_plugin" / "templates" / "协议书.docx"


def build() -> None:
    document = new_document()
    word_heading(document, None, "教师结对帮扶协议书")
    table = document.add_table(rows=4, cols=4)
    table.style = "Table Grid"
    cells = [["帮扶教师", "{{ mentor }}", "所在学校", "{{ mentor_school }}"],
             ["结对教师", "{{ mentee }}", "所在学校", "{{ mentee_school }}"],
             ["学　　科", "{{ subject }}", "组织单位", "{{ settings.organiser }}"],
             ["结对期限", "{{ start|cn_date }} 至 {{ end|cn_date }}", "", ""]]
    for row in table.rows:
        set_row_height(row, 1.0)
    for row, values in zip(table.rows, cells, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            fill_cell(cell, value, size=12)
    merged = table.cell(3, 1).merge(table.cell(3, 3))
    fill_cell(merged, "{{ start|cn_date }} 至 {{ end|cn_date }}", size=12)
    set_column_widths(table, [3.0, 5.0, 3.0, 5.6])
    for text in ("一、双方每学期至少共同备课、听评课各四次，并做好记录。",
                 "二、帮扶教师指导结对教师制订个人成长计划，每学期末共同总结。",
                 "三、本协议一式三份，双方学校及组织单位各执一份。"):
        paragraph(document, text, size=12, before=6, indent=True)
    paragraph(document, "帮扶教师（签名）：　　　　　　　结对教师（签名）：", size=12, before=30)
    paragraph(document, "年　　月　　日", size=12, before=12, align=WD_ALIGN_PARAGRAPH.RIGHT)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    document.save(TARGET)


if __name__ == "__main__":
    build()
