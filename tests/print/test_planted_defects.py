"""The print audit must be able to fail: each planted defect is reported, by file and page."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl.styles import Alignment, Font

from planforge.fonts import declare_chinese
from planforge.printaudit import audit_folder

pytestmark = pytest.mark.libreoffice


def _document(path: Path, paragraphs: list[str], font: str = "宋体", breaks: tuple[int, ...] = (),
              chinese: bool = True) -> Path:
    document = Document()
    if chinese:
        declare_chinese(document)
    for number, text in enumerate(paragraphs):
        run = document.add_paragraph().add_run(text)
        run.font.size = Pt(14)
        run.font.name = font
        run._element.rPr.rFonts.set(qn("w:eastAsia"), font)
        if number in breaks:
            run.add_break(WD_BREAK.PAGE)
    document.save(str(path))
    return path


def _audit(folder: Path) -> list[str]:
    return [str(p) for p in audit_folder(folder)]


def test_a_clean_document_passes(soffice, tmp_path) -> None:
    _document(tmp_path / "clean.docx", ["申请表", "姓名：张三", "填表人：李四　审核人：王五"])
    assert _audit(tmp_path) == []


def test_an_overflowing_cell_is_reported(soffice, tmp_path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "缺少的材料：" + "医疗费用票据、身份证复印件、教师资格证复印件、" * 3
    sheet["A2"] = "下一行的文字被上一行压住"
    for cell in (sheet["A1"], sheet["A2"]):
        cell.font = Font(name="宋体", size=11)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 20
    sheet.row_dimensions[1].height = 16  # one line high, the text needs six
    book.save(tmp_path / "清单.xlsx")
    found = _audit(tmp_path)
    assert any("清单.xlsx, 第1页/page 1" in p and "重叠" in p for p in found), found


def test_a_split_signature_block_is_reported(soffice, tmp_path) -> None:
    rows = [f"第{n}行数据" for n in range(1, 6)]
    _document(tmp_path / "split.docx", [*rows, "合计：5人", "单位（盖章）", "填表人：李四　审核人：王五"],
              breaks=(6,))
    _document(tmp_path / "alone.docx", [*rows, "合计：5人", "填表人：李四　审核人：王五"], breaks=(5,))
    found = _audit(tmp_path)
    assert any("split.docx, 第2页/page 2" in p and "分在两页" in p for p in found), found
    assert any("alone.docx, 第2页/page 2" in p and "单独成页" in p for p in found), found


def test_a_japanese_font_is_reported(soffice, tmp_path, monkeypatch) -> None:
    """The PDF beside a document without zh-CN, made by LibreOffice without planforge's font
    mapping: 黑体 comes out in Noto CJK's Japanese glyphs, as the issue found it."""
    from planforge.default_plugins.convert import convert_to_pdf

    jp = _document(tmp_path / "jp.docx", ["骨直角化", "填表人：李四"], font="黑体", chinese=False)
    with monkeypatch.context() as unmapped:
        unmapped.setenv("FONTCONFIG_FILE", "/etc/fonts/fonts.conf")
        convert_to_pdf([jp], tmp_path)  # jp.pdf beside jp.docx
    _document(tmp_path / "sc.docx", ["骨直角化", "填表人：李四"], font="黑体")
    found = _audit(tmp_path)
    assert any("jp.docx" in p and "不是简体中文字形" in p and "直" in p for p in found), found
    assert any("jp.docx" in p and "东亚语言" in p for p in found), found
    assert not any("sc.docx" in p for p in found), found


def test_language_page_numbers_and_artefacts_are_reported(soffice, tmp_path) -> None:
    _document(tmp_path / "ja.docx", ["申请表"], chinese=False)
    _document(tmp_path / "pages.docx", ["第一页", "第二页"], breaks=(0,))
    _document(tmp_path / "dev.docx", ["\\u5218\\u5efa\\u534e", "材料文件夹：/tmp/x/材料",
                                      "金额：Decimal('86000.00')"])
    found = _audit(tmp_path)
    assert any("ja.docx" in p and "东亚语言" in p for p in found), found
    assert sum("pages.docx" in p and "第 N 页 共 M 页" in p for p in found) == 2, found
    for artefact in ("\\u 转义序列", "文件路径", "Python 内部表示"):
        assert any("dev.docx, 第1页/page 1" in p and artefact in p for p in found), artefact


def test_check_print_lists_problems_by_file_and_page(soffice, run_cli, tmp_path) -> None:
    clean, faulty = tmp_path / "clean", tmp_path / "faulty"
    clean.mkdir()
    faulty.mkdir()
    _document(clean / "表.docx", ["申请表", "填表人：李四"])
    _document(faulty / "表.docx", ["第一页", "第二页"], breaks=(0,))
    result = run_cli("check", "--print", clean)
    assert result.exit_code == 0 and "打印检查通过" in result.output, result.output
    result = run_cli("check", "--print", faulty)
    assert result.exit_code == 2
    assert "表.docx, 第2页/page 2" in result.output and "第 N 页 共 M 页" in result.output


def test_fill_help_names_pdf_and_the_audit(run_cli) -> None:
    text = run_cli("fill", "--help").output
    assert "--pdf" in text and "check --print" in text


def test_a_date_wrapped_in_a_narrow_column_is_reported(soffice, tmp_path) -> None:
    from docx.shared import Cm

    for name, width in (("narrow.docx", 2.0), ("wide.docx", 4.0)):
        document = Document()
        declare_chinese(document)
        table = document.add_table(rows=1, cols=2)
        table.autofit = False
        for column in table.columns:
            column.width = Cm(width)
        for cell, text in zip(table.rows[0].cells, ("合作期限", "2023—2026年"), strict=True):
            cell.width = Cm(width)
            cell.paragraphs[0].add_run(text).font.size = Pt(12)
        document.save(str(tmp_path / name))
    found = _audit(tmp_path)
    assert any("narrow.docx, 第1页/page 1" in p and "日期被折成两行" in p for p in found), found
    assert not any("wide.docx" in p for p in found), found
