"""The text-streamed Excel writer (render/xlsxstream.py) writes what the in-memory one writes.

Every sample package and a 2,000-row 附件2 roster are filled twice, once in memory (openpyxl)
and once streamed as text, and every cell of every sheet is compared as the files hold it: value
or formula, style id, row heights, merged cells and the sheet's page settings. Then the text
writer's own cases: escaping, white space, value types, sandbox refusals and more.
"""

from __future__ import annotations

import dataclasses
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import load_workbook

from planforge.render import excel
from planforge.render.jinja import make_environment

from ..conftest import ROOT, SAMPLES
from .forms import excel_template

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def sheet_parts(path: Path) -> dict[str, dict]:
    """Each sheet as the file holds it: cells by reference (style id, type, value, formula),
    rows' heights, merged cells and everything after the cells (page set-up, validations…)."""
    result = {}
    with zipfile.ZipFile(path) as archive:
        workbook = etree.fromstring(archive.read("xl/workbook.xml"))
        rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(
            archive.read("xl/_rels/workbook.xml.rels")).iter(f"{PKG}Relationship")}
        for sheet in workbook.iter(f"{M}sheet"):
            target = rels[sheet.get(f"{R}id")].lstrip("/")
            root = etree.fromstring(archive.read(target if target.startswith("xl/")
                                                 else f"xl/{target}"))
            cells, rows = {}, {}
            for row in root.iter(f"{M}row"):
                rows[row.get("r")] = (row.get("ht"), row.get("customHeight"), row.get("hidden"))
                for cell in row:
                    value = cell.find(f"{M}v")
                    text = "".join(cell.find(f"{M}is").itertext()) if cell.find(
                        f"{M}is") is not None else None
                    formula = cell.find(f"{M}f")
                    content = (value.text if value is not None else None, text,
                               formula.text if formula is not None else None)
                    kind = cell.get("t") if any(c not in (None, "") for c in content) else None
                    if kind in (None, "n") and content[0]:  # 1E+3 is 1000 to whoever reads it
                        content = (float(content[0]), *content[1:])
                    cells[cell.get("r")] = (cell.get("s"), kind, *content)
            assert len(rows) == len(root.findall(f"{M}sheetData/{M}row")), "a row twice"
            merges = {m.get("ref") for m in root.iter(f"{M}mergeCell")}
            after = [etree.tostring(e) for e in root if e.tag not in (
                f"{M}sheetData", f"{M}mergeCells", f"{M}dimension")]
            result[sheet.get("name")] = {"cells": cells, "rows": rows, "merges": merges,
                                         "after": after, "dimension": root.find(
                                             f"{M}dimension").get("ref")}
        result["#names"] = [etree.tostring(n) for n in workbook.iter(f"{M}definedName")]
    return result


def assert_same_workbook(memory: Path, streamed: Path) -> None:
    expected, found = sheet_parts(memory), sheet_parts(streamed)
    assert found.keys() == expected.keys()
    for name in expected:
        if name == "#names":
            assert found[name] == expected[name]
            continue
        for part in ("dimension", "rows", "merges", "after"):
            assert found[name][part] == expected[name][part], (name, part)
        want, got = expected[name]["cells"], found[name]["cells"]
        assert [r for r in want if want[r] != got.get(r)][:5] == [], name
        assert got.keys() == want.keys()


def _fill_samples(run_cli, out: Path) -> list[Path]:
    s = SAMPLES
    runs = [
        ("fill", "gd-subsidy", s / "gd-subsidy/roster-2020.xlsx", "--previous",
         s / "gd-subsidy/roster-2019.xlsx", "--settings", s / "gd-subsidy/settings.yaml"),
        ("fill", "gd-subsidy-city", s / "gd-subsidy/roster-2020.xlsx",
         s / "gd-subsidy/county2-2020.xlsx", "--settings", s / "gd-subsidy/settings.yaml"),
        ("fill", "hardship-aid", s / "hardship-aid/花名册.xlsx", "--settings",
         s / "hardship-aid/settings.yaml", "--set", f"materials={s / 'hardship-aid/材料'}"),
        ("fill", "teacher-pairing", s / "teacher-pairing/教师结对名单.xlsx", "--settings",
         s / "teacher-pairing/settings.yaml"),
        ("fill", "space-report", s / "teacher-pairing/教师结对名单.xlsx", "--settings",
         s / "teacher-pairing/settings.yaml"),
        ("fill", "education-community", s / "education-community/教共体建设名单.xlsx",
         "--settings", s / "education-community/settings.yaml"),
        ("fill", "coop-school", s / "coop-school/协作学校结对名单.xlsx", "--settings",
         s / "coop-school/settings.yaml"),
        ("fill", "pairing-list", s / "pairing-list/结对帮扶名单.xlsx", "--set",
         "organisation=湘东区教育局", "--set", "preparer=李明", "--set", "date=2026-03-20"),
        ("--plugins-dir", ROOT / "examples/declarative-plugins", "fill", "visit-record",
         ROOT / "examples/declarative-plugins/visit_record/sample.csv", "--set", "county=乳源县"),
    ]
    for number, args in enumerate(runs):
        result = run_cli(*args, "-o", out / str(number))
        assert result.exit_code == 0, result.output
    return sorted(out.rglob("*.xlsx"))


@pytest.mark.slow
def test_every_sample_workbook_is_the_same_streamed(run_cli, tmp_path, monkeypatch):
    monkeypatch.setattr(excel, "STREAM_MINIMUM", 10**9)
    in_memory = _fill_samples(run_cli, tmp_path / "memory")
    monkeypatch.setattr(excel, "STREAM_MINIMUM", 1)
    streamed = _fill_samples(run_cli, tmp_path / "stream")
    names = [p.relative_to(tmp_path / "memory") for p in in_memory]
    assert names == [p.relative_to(tmp_path / "stream") for p in streamed]
    assert len(names) >= 9
    for left, right in zip(in_memory, streamed, strict=True):
        assert_same_workbook(left, right)


@pytest.mark.slow
def test_a_2000_row_subsidy_roster_is_the_same_streamed(tmp_path, monkeypatch):
    """附件2 with 2,000 generated people (long remarks wrap, some amounts are decimals)."""
    from benchmarks.data import roster_items
    from planforge.engine import Engine
    from planforge.plugins import load_plugins
    from planforge.settings import read_mapping

    engine = Engine(load_plugins())
    prepared = engine.prepare("gd-subsidy-roster", [SAMPLES / "gd-subsidy/roster-2020.xlsx"],
                              read_mapping(SAMPLES / "gd-subsidy/settings.yaml"))
    paid, unpaid = roster_items(2000)
    paid[7]["remark"] = "因病住院，自二〇二〇年三月起由其配偶代领，已核对身份证与银行账户 & <备注>"
    paid[8]["name"] = " 欧阳 娜娜 "
    context = {**prepared.context, "eligible": paid, "ineligible": unpaid}
    prepared = dataclasses.replace(prepared, context=context)
    outputs = {}
    for writer, minimum in (("memory", 10**9), ("stream", 1)):
        monkeypatch.setattr(excel, "STREAM_MINIMUM", minimum)
        engine.fill(prepared, tmp_path / writer)
        (outputs[writer],) = (tmp_path / writer).glob("*.xlsx")
    assert_same_workbook(outputs["memory"], outputs["stream"])
    sheet = load_workbook(outputs["stream"])["名册"]
    assert sheet["K2005"].value == "=SUM(K5:K2004)"
    assert sheet["B13"].value == " 欧阳 娜娜 " and sheet["M12"].value.endswith("& <备注>")
    assert sheet.row_dimensions[12].height > 24  # the long remark wraps: the row grew


def fill(tmp_path, cells: list, items: list, stream: bool, monkeypatch, **template) -> Path:
    path = excel_template(tmp_path / "t.xlsx", [f"h{i}" for i in range(len(cells))], cells,
                          **template)
    monkeypatch.setattr(excel, "STREAM_MINIMUM", 1 if stream else 10**9)
    target = tmp_path / ("stream.xlsx" if stream else "memory.xlsx")
    excel.render_xlsx(path, {"records": items, "document": {"title": "t"}},
                      make_environment({}, autoescape=False), target, "records", {})
    return target


VALUES = [
    "a & b < c > d", " leading", "trailing ", "line\nbreak", "tab\there", "carriage\r\nreturn",
    "", None, 0, -7, 2**53 + 1, 3.25, float("nan"), Decimal("5600.50"), Decimal("1E+3"),
    True, False, date(2020, 3, 1), datetime(2020, 3, 1, 8, 30), ["列", "表"], {"k": 1},
    "=SUM(A1:A2)", "{{ 7*7 }}", "\u3000全角空格\u3000", "😀 emoji", "]]>", "x" * 32767,
]


@pytest.mark.parametrize("stream", [False, True], ids=["memory", "stream"])
def test_every_kind_of_value_reads_back_the_same(tmp_path, monkeypatch, stream):
    items = [{"v": value, "n": number} for number, value in enumerate(VALUES)]
    target = fill(tmp_path, ["{{ index }}", "{{ row.v }}", "{{ row.n }}"], items, stream,
                  monkeypatch)
    sheet = load_workbook(target).active
    got = [sheet.cell(row=3 + i, column=2).value for i in range(len(VALUES))]
    assert got[:6] == VALUES[:6] or got[:6] == [*VALUES[:5], "carriage\r\nreturn"]
    assert got[6:9] == [None, None, 0] and got[9] == -7
    assert got[15:17] == ["是", "否"]
    assert got[21] == "=SUM(A1:A2)" and sheet.cell(row=24, column=2).data_type == "s"
    assert got[22] == "{{ 7*7 }}"  # text from data is never rendered again


def test_streamed_and_in_memory_agree_on_every_kind_of_value(tmp_path, monkeypatch):
    items = [{"v": value, "n": number} for number, value in enumerate(VALUES)]
    cells = ["{{ index }}", "{{ row.v }}", "{{ row.n * 2 }}", "{{ row.v|string|length }}",
             "固定", 12, "=C3*2"]
    memory = fill(tmp_path, cells, items, False, monkeypatch, total=["合计", "", "=SUM(C3:C3)"])
    streamed = fill(tmp_path, cells, items, True, monkeypatch, total=["合计", "", "=SUM(C3:C3)"])
    assert_same_workbook(memory, streamed)
    sheet = load_workbook(streamed).active
    last = 2 + len(items)
    assert sheet[f"G{last}"].value == f"=C{last}*2"
    assert sheet[f"C{last + 1}"].value == f"=SUM(C3:C{last})"


def test_a_cell_expression_still_cannot_run_code_when_streamed(tmp_path, monkeypatch):
    from planforge.errors import TemplateError

    items = [{"name": f"人{i}"} for i in range(3)]
    with pytest.raises(TemplateError):
        fill(tmp_path, ["{{ row.name }}", "{{ row.name.__class__.__mro__ }}"], items, True,
             monkeypatch)
    with pytest.raises(TemplateError):
        fill(tmp_path, ["{{ row.get.__globals__ }}"], items, True, monkeypatch)


def test_records_that_are_not_plain_dicts(tmp_path, monkeypatch):
    from types import MappingProxyType

    items = [MappingProxyType({"a": "只读", "b": 1}), {"a": "普通", "b": None}, {"a": "全", "b": 2.5}]
    memory = fill(tmp_path, ["{{ row.a }}", "{{ row.b }}"], items, False, monkeypatch)
    streamed = fill(tmp_path, ["{{ row.a }}", "{{ row.b }}"], items, True, monkeypatch)
    assert_same_workbook(memory, streamed)
    assert [[c.value for c in r] for r in load_workbook(streamed).active.iter_rows(min_row=3)] \
        == [["只读", 1], ["普通", None], ["全", 2.5]]


def test_a_value_over_excel_s_limit_is_named_when_streamed(tmp_path, monkeypatch):
    from planforge.errors import TemplateError

    items = [{"a": "短"}] * 500 + [{"a": "字" * 32768}]
    with pytest.raises(TemplateError, match="32767"):
        fill(tmp_path, ["{{ row.a }}"], items, True, monkeypatch)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]  # no half-written file


@pytest.mark.parametrize("stream", [False, True], ids=["memory", "stream"])
def test_wrapped_text_grows_its_row_in_both_writers(tmp_path, monkeypatch, stream):
    """A short value with a line break, a long one, and one with a 2.5 em dash all wrap."""
    from openpyxl.styles import Alignment

    path = excel_template(tmp_path / "t.xlsx", ["姓名", "备注"], ["{{ row.a }}", "{{ row.b }}"])
    workbook = load_workbook(path)
    for cell in workbook.active[3]:
        cell.alignment = Alignment(wrap_text=True)
    workbook.save(path)
    items = [{"a": "甲", "b": "一\n二"}, {"a": "乙", "b": "短"}, {"a": "丙", "b": "长" * 30},
             {"a": "丁", "b": "⸻⸻⸻⸻"}]
    monkeypatch.setattr(excel, "STREAM_MINIMUM", 1 if stream else 10**9)
    target = tmp_path / "out.xlsx"
    excel.render_xlsx(path, {"records": items, "document": {"title": "t"}},
                      make_environment({}, autoescape=False), target, "records", {})
    heights = load_workbook(target).active.row_dimensions
    assert heights[3].height > 30 and heights[4].height == 30 and heights[5].height > 60
    assert heights[6].height > 30  # four 2.5 em dashes do not fit a default column's line
