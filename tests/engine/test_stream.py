"""The streamed (write-only) roster equals the roster filled in memory: values, styles, layout."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook

from planforge.render import excel
from planforge.render.jinja import make_environment

from .forms import excel_template


def fill(tmp_path, name: str, items: list[dict], stream: bool, monkeypatch) -> object:
    template = excel_template(
        tmp_path / "t.xlsx", ["序号", "姓名", "金额", "两倍", "备注"],
        ["{{ index }}", "{{ row.name }}", "{{ row.amount }}", "=C3*2", "{{ row.note|upper }}"],
        total=["合计", "", "=SUM(C3:C3)", "", "=COUNTA(B3:B3)"],
        footer="填表单位：{{ settings.unit }}")
    from openpyxl import load_workbook as load

    workbook = load(template)
    workbook.active.oddFooter.center.text = "第 &P 页，共 &N 页"
    workbook.save(template)
    monkeypatch.setattr(excel, "STREAM_MINIMUM", 1 if stream else 10**9)
    target = tmp_path / name
    excel.render_xlsx(template, {"records": items, "settings": {"unit": "乳源县"},
                                 "document": {"title": "名册"}},
                      make_environment({}, autoescape=False), target, "records", {})
    return load_workbook(target).active


def snapshot(sheet) -> dict:
    cells = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None or cell.has_style:
                cells[cell.coordinate] = (cell.value, cell.font.b, cell.font.name,
                                          cell.font.color.rgb if cell.font.color else None,
                                          cell.border.left.style, cell.number_format)
    heights = {r: d.height for r, d in sheet.row_dimensions.items() if d.height}
    return {"cells": cells, "heights": heights,
            "merged": sorted(str(m) for m in sheet.merged_cells.ranges),
            "titles": sheet.print_title_rows, "area": sheet.print_area,
            "footer": sheet.oddFooter.center.text,
            "landscape": sheet.page_setup.orientation, "widths": {
                k: d.width for k, d in sheet.column_dimensions.items() if d.width}}


@pytest.mark.parametrize("count", [1, 7, 250])
def test_streamed_roster_equals_the_in_memory_one(tmp_path, monkeypatch, count):
    items = [{"name": f"人{i}" if i != 3 else "=HYPERLINK(1)", "amount": Decimal(i) * 100,
              "note": "a&b" if i % 2 else None} for i in range(1, count + 1)]
    in_memory = snapshot(fill(tmp_path, "memory.xlsx", items, False, monkeypatch))
    streamed = snapshot(fill(tmp_path, "stream.xlsx", items, True, monkeypatch))
    assert streamed == in_memory
    assert in_memory["footer"] == "第 &P 页，共 &N 页"
    last = 2 + count
    cells = in_memory["cells"]
    assert cells[f"C{last + 1}"][0] == f"=SUM(C3:C{last})"
    assert cells[f"D{last}"][0] == f"=C{last}*2"
    assert cells[f"A{last + 3}"][0] == "填表单位：乳源县"
    if count >= 3:
        assert cells["B5"][0] == "=HYPERLINK(1)"  # text from data, never a formula


def test_streamed_value_cells_keep_text_type(tmp_path, monkeypatch):
    sheet = fill(tmp_path, "s.xlsx", [{"name": "=1+1", "amount": 5, "note": ""}], True,
                 monkeypatch)
    assert sheet["B3"].data_type == "s" and sheet["C3"].value == 5
