"""Build the declarative example's Word template with planforge.formkit (the .docx is committed)."""

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

TARGET = Path(__file__).parent / "visit_record" / "送教下乡活动登记表.docx"


def build() -> None:
    document = new_document()
    word_heading(document, "附件{{ document.annex }}", "{{ settings.county }}{{ document.title }}")
    rows = [["活动日期", "{{ date|cn_date }}", "参加人数", "{{ attendance }}"],
            ["活动主题", "{{ theme }}", "", ""],
            ["送教学校", "{{ school }}", "受援学校", "{{ host }}"],
            ["授课教师", "{{ teacher }}", "学　　科", "{{ subject }}"],
            ["活动形式", "{{ form|checkbox('示范课') }}示范课　{{ form|checkbox('同课异构') }}同课异构　"
             "{{ form|checkbox('专题讲座') }}专题讲座", "", ""]]
    table = document.add_table(rows=len(rows), cols=4)
    table.style = "Table Grid"
    for row in table.rows:
        set_row_height(row, 1.0)
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            fill_cell(cell, value, size=12)
    for index in (1, 4):
        fill_cell(table.cell(index, 1).merge(table.cell(index, 3)), rows[index][1], size=12)
    set_column_widths(table, [3.0, 5.6, 3.0, 5.0])
    paragraph(document, "受援学校意见（盖章）：", size=12, before=24)
    paragraph(document, "年　　月　　日", size=12, before=24, align=WD_ALIGN_PARAGRAPH.RIGHT)
    document.save(TARGET)


if __name__ == "__main__":
    build()
