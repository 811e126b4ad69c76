"""``planforge template infer``: from a blank annex to filled forms with no hand edits.

Three blanks are shipped templates with their placeholders taken out: the inferred plugin must
fill them exactly as the hand-made plugin does. Three more are drawn here the way offices draw
them: a roster with a two-level header, a Word list with spare rows and a total, and a Word
application form of label and blank cells with tick boxes.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from docx.enum.text import WD_ALIGN_PARAGRAPH

from ..conftest import ROOT, SAMPLES
from .blanks import strip_docx, strip_xlsx

EXAMPLES = ROOT / "examples" / "declarative-plugins"
BLANKS = ROOT / "examples" / "blanks"


def _infer(run_cli, blank: Path, plugins: Path, name: str) -> dict:
    result = run_cli("template", "infer", blank, "-o", plugins / name)
    assert result.exit_code == 0, result.output
    assert "请核对" in result.output
    return yaml.safe_load((plugins / name / "plugin.yaml").read_text(encoding="utf-8"))


def _cells(path: Path) -> dict[str, object]:
    sheet = openpyxl.load_workbook(path).worksheets[0]
    return {c.coordinate: c.value for row in sheet.iter_rows() for c in row
            if c.value is not None}


def _only_file(folder: Path, suffix: str) -> Path:
    (found,) = [p for p in folder.rglob(f"*{suffix}") if "合订" not in p.name]
    return found


def _with_headers(data: Path, renames: dict[str, str], target: Path) -> Path:
    """The clerk's sheet with the blank's own headers (the sample uses other names)."""
    workbook = openpyxl.load_workbook(data)
    for sheet in workbook:
        for row in sheet.iter_rows(max_row=5):
            for cell in row:
                if cell.value in renames:
                    cell.value = renames[cell.value]
    workbook.save(target)
    return target


@pytest.mark.parametrize(("plugin", "template", "data", "renames", "title", "settings"), [
    ("pairing-list", "plugins/pairing_list/结对帮扶名单.xlsx",
     SAMPLES / "pairing-list" / "结对帮扶名单.xlsx",
     {"帮扶学校": "帮扶单位", "受帮扶学校": "受帮扶单位"}, "结对帮扶名单",
     ("unit=湘东区教育局", "preparer=李明", "date=2026-03-20")),
    ("teacher-pairing", "plugins/teacher_pairing/教师结对帮扶名单.xlsx",
     SAMPLES / "teacher-pairing" / "教师结对名单.xlsx", {}, "教师一对一结对帮扶名单",
     ("unit=城关第一小学", "preparer=王芳", "reviewer=李华", "date=2026-03-20")),
])
@pytest.mark.slow
def test_a_shipped_excel_annex_fills_as_the_hand_made_plugin(
        run_cli, tmp_path: Path, plugin, template, data, renames, title, settings):
    data = _with_headers(data, renames, tmp_path / data.name)
    blank = strip_xlsx(ROOT / template, tmp_path / "blank.xlsx", title)
    described = _infer(run_cli, blank, tmp_path / "plugins", "inferred")
    assert described["document_types"][0]["annex"] == 1
    sets = [f"--set={s}" for s in settings]
    ours = run_cli("--plugins-dir", tmp_path / "plugins", "fill", "inferred", data, "-o",
                   tmp_path / "ours", *sets)
    assert ours.exit_code == 0, ours.output
    theirs = run_cli("fill", plugin, data, "-o", tmp_path / "theirs", "--set=organisation=",
                     *sets)
    assert theirs.exit_code == 0, theirs.output
    mine = _cells(_only_file(tmp_path / "ours", ".xlsx"))
    hand_made = _cells(_only_file(tmp_path / "theirs", ".xlsx"))
    expected = {k: v for k, v in hand_made.items() if not str(v).startswith("=")}
    assert {k: mine.get(k) for k in expected} == expected
    assert len(expected) > 20


def _docx_text(path: Path) -> list[str]:
    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return lines


@pytest.mark.slow
def test_a_shipped_word_form_fills_as_the_hand_made_plugin(run_cli, tmp_path: Path):
    """The 送教下乡活动登记表: label/blank cells and tick boxes, one form per visit."""
    blank = strip_docx(EXAMPLES / "visit_record" / "送教下乡活动登记表.docx",
                       tmp_path / "登记表.docx", "送教下乡活动登记表", annex=2)
    described = _infer(run_cli, blank, tmp_path / "plugins", "visit-inferred")
    document = described["document_types"][0]
    assert document["renderer"] == "word-per-record" and document["annex"] == 2
    kinds = {f["label"]: f for f in document["fields"]}
    assert kinds["活动形式"]["choices"] == ["示范课", "同课异构", "专题讲座"]
    assert kinds["活动日期"]["type"] == "date" and kinds["参加人数"]["type"] == "integer"
    assert not document.get("settings")  # 受援学校意见（盖章） is written by hand
    data = EXAMPLES / "visit_record" / "sample.csv"
    ours = run_cli("--plugins-dir", tmp_path / "plugins", "fill", "visit-inferred", data, "-o",
                   tmp_path / "ours")
    assert ours.exit_code == 0, ours.output
    theirs = run_cli("--plugins-dir", EXAMPLES, "fill", "visit-record", data, "-o",
                     tmp_path / "theirs")
    assert theirs.exit_code == 0, theirs.output
    with data.open(encoding="utf-8") as stream:
        themes = [row["活动主题"] for row in csv.DictReader(stream)]
    for theme in themes:
        (mine,) = [p for p in (tmp_path / "ours").rglob(f"*{theme}.docx") if "合订" not in p.name]
        (hand_made,) = [p for p in (tmp_path / "theirs").rglob(f"*{theme}.docx")
                        if "合订" not in p.name]
        assert _docx_text(mine) == _docx_text(hand_made)


def test_a_two_level_header_roster(run_cli, pdf_text, tmp_path: Path):
    """The example of docs/plugins.md: 个人信息 over 姓名/身份证号码/性别, 培训情况 over two
    columns, ten spare rows, a 合计 row and the signature line."""
    blank = BLANKS / "培训情况统计表.xlsx"
    described = _infer(run_cli, blank, tmp_path / "plugins", "training")
    document = described["document_types"][0]
    assert document["annex"] == 3 and document["title"] == "乳源县教师培训情况统计表"
    fields = {f["label"]: f for f in document["fields"]}
    assert list(fields) == ["姓名", "身份证号码", "性别", "培训学时", "培训金额（元）", "备注"]
    assert fields["身份证号码"]["type"] == "resident_id" and fields["身份证号码"]["required"]
    assert fields["性别"]["type"] == "sex" and fields["培训学时"]["type"] == "integer"
    assert fields["性别"]["matches_id"] == "id_number"
    assert fields["培训金额（元）"]["type"] == "amount"
    assert "培训金额" in fields["培训金额（元）"]["aliases"]  # data may omit the unit
    assert "个人信息姓名" in fields["姓名"]["aliases"]
    settings = {s["label"]: s for s in document["settings"]}
    assert set(settings) == {"填报单位", "年度", "填表人", "审核人", "填表日期"}
    assert settings["年度"]["type"] == "integer" and settings["填表日期"]["type"] == "date"

    result = run_cli("--plugins-dir", tmp_path / "plugins", "fill", "training",
                     BLANKS / "培训名单.csv", "-o", tmp_path / "out", "--set=unit=乳源县教育局",
                     "--set=year=2026", "--set=preparer=邓丽萍", "--set=reviewer=黄振华",
                     "--set=date=2026-05-20")
    assert result.exit_code == 0, result.output
    filled = _only_file(tmp_path / "out", ".xlsx")
    sheet = openpyxl.load_workbook(filled).active
    assert [sheet.cell(r, 2).value for r in range(6, 9)] == ["何少娟", "邱炳坤", "黄玉堂"]
    assert sheet["A9"].value == "合计"  # the ten spare rows are gone
    assert sheet["F9"].value == "=SUM(F6:F8)" and sheet["E9"].value == "=SUM(E6:E8)"
    assert {str(m) for m in sheet.merged_cells.ranges} >= {"A4:A5", "B4:D4", "E4:F4", "G4:G5"}
    assert sheet.print_title_rows == "$4:$5"
    assert sheet.print_area.endswith("$A$1:$G$11")  # the spare rows left the print area too
    assert "乳源县教育局" in sheet["A3"].value and "2026年" in sheet["A3"].value
    (text,) = pdf_text(filled)
    assert "3600.5" in text and "72" in text  # LibreOffice computed the live totals
    assert "2026年5月20日" in text and "个人信息" in text


def _word_list_blank(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("附件2")
    title = document.add_paragraph("乡村教师生活补助发放名单")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("填报单位（盖章）：\u3000\u3000\u3000\u3000\u3000\u3000填报日期：\u3000\u3000年\u3000\u3000月\u3000\u3000日")
    table = document.add_table(rows=10, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("序号", "学校", "姓名", "金额（元）", "备注"),
                          strict=True):
        cell.text = text
    table.rows[9].cells[0].text = "合计"
    document.add_paragraph("审核人：\u3000\u3000\u3000\u3000\u3000\u3000负责人签字：")
    document.save(str(path))
    return path


def test_a_word_list_with_spare_rows_and_a_total(run_cli, pdf_text, tmp_path: Path):
    blank = _word_list_blank(tmp_path / "发放名单.docx")
    described = _infer(run_cli, blank, tmp_path / "plugins", "allowance-list")
    document = described["document_types"][0]
    assert document["renderer"] == "word-single" and document["annex"] == 2
    assert [s["label"] for s in document["settings"]] == ["填报单位", "填报日期", "审核人"]
    data = tmp_path / "名单.csv"
    data.write_text("学校,姓名,金额\n城关小学,张敏,1200.5\n南山中学,刘洋,800\n", encoding="utf-8")
    result = run_cli("--plugins-dir", tmp_path / "plugins", "fill", "allowance-list", data,
                     "-o", tmp_path / "out", "--set=unit=乳源县教育局", "--set=date=2026-05-20")
    assert result.exit_code == 0, result.output
    filled = _only_file(tmp_path / "out", ".docx")
    (table,) = docx.Document(str(filled)).tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[1][:4] == ["1", "城关小学", "张敏", "1200.50"]
    assert rows[2][:4] == ["2", "南山中学", "刘洋", "800.00"]
    assert rows[3][0] == "合计" and Decimal(rows[3][3]) == Decimal("2000.50")
    assert len(rows) == 4  # header, two people, 合计: the spare rows are gone
    (text,) = pdf_text(filled)
    assert "乳源县教育局" in text and "2026年5月20日" in text and "负责人签字" in text


def _application_blank(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("附件1")
    title = document.add_paragraph("特困教师资助申请表")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = document.add_table(rows=4, cols=4)
    table.style = "Table Grid"
    cells = [["姓名", "", "性别", "□男 □女"], ["身份证号码", "", "联系电话", ""],
             ["出生日期", "", "任教学校", ""], ["是否专任教师", "", "负债金额（元）", ""]]
    for row, texts in zip(table.rows, cells, strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.text = text
    document.add_paragraph("学校意见（盖章）：")
    document.save(str(path))
    return path


def test_a_word_form_of_labels_and_blanks(run_cli, tmp_path: Path):
    blank = _application_blank(tmp_path / "申请表.docx")
    described = _infer(run_cli, blank, tmp_path / "plugins", "aid-application")
    document = described["document_types"][0]
    assert document["renderer"] == "word-per-record"
    assert document["file_name"] == "{{ index }} {{ name }}"
    fields = {f["label"]: f for f in document["fields"]}
    assert fields["性别"]["choices"] == ["男", "女"]
    assert fields["是否专任教师"]["type"] == "yes_no"
    assert fields["出生日期"]["type"] == "date" and fields["负债金额（元）"]["type"] == "amount"
    data = tmp_path / "申请人.csv"
    data.write_text("姓名,身份证号码,性别,联系电话,出生日期,任教学校,是否专任教师,负债金额\n"
                    "何少娟,440232195709130344,女,13800138000,1957-09-13,城关小学,是,52000\n"
                    "邱炳坤,440232195912289297,男,13900139000,1959-12-28,南山中学,否,61000\n",
                    encoding="utf-8")
    result = run_cli("--plugins-dir", tmp_path / "plugins", "fill", "aid-application", data,
                     "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    (form,) = [p for p in (tmp_path / "out").rglob("1 何少娟.docx")]
    text = _docx_text(form)
    assert "440232195709130344" in text and "1957年9月13日" in text and "52000.00" in text
    assert "☐男\u3000☑女" in text
    assert "是" in text


def test_refusals_name_what_is_wrong(run_cli, tmp_path: Path):
    text = tmp_path / "notes.txt"
    text.write_text("x", encoding="utf-8")
    result = run_cli("template", "infer", text, "-o", tmp_path / "p" / "notes")
    assert result.exit_code == 2 and ".docx" in result.output
    blank = _word_list_blank(tmp_path / "名单.docx")
    result = run_cli("template", "infer", blank, "-o", tmp_path / "p" / "Bad Name")
    assert result.exit_code == 2 and "小写字母" in result.output
    (tmp_path / "p" / "taken").mkdir(parents=True)
    (tmp_path / "p" / "taken" / "mine.txt").write_text("keep", encoding="utf-8")
    result = run_cli("template", "infer", blank, "-o", tmp_path / "p" / "taken")
    assert result.exit_code == 2 and "--force" in result.output
    assert (tmp_path / "p" / "taken" / "mine.txt").read_text(encoding="utf-8") == "keep"
    empty = docx.Document()
    empty.add_paragraph("只有一段话")
    empty.save(str(tmp_path / "empty.docx"))
    result = run_cli("template", "infer", tmp_path / "empty.docx", "-o", tmp_path / "p" / "e")
    assert result.exit_code == 2 and "没有找到" in result.output
