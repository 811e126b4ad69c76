"""The shipped declarative example plugin, used through --plugins-dir as a regional office would."""

from __future__ import annotations

from .conftest import ROOT

EXAMPLES = ROOT / "examples" / "declarative-plugins"


def test_declarative_example_fills_its_word_form(run_cli, tmp_path, pdf_text):
    result = run_cli("--plugins-dir", EXAMPLES, "fill", "visit-record",
                     EXAMPLES / "visit_record" / "sample.csv", "-o", tmp_path, "--set",
                     "county=乳源县")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "附件2 送教下乡活动登记表"
    form = folder / "2026年4月9日 数学同课异构.docx"
    (text,) = pdf_text(form)
    assert "乳源县送教下乡活动登记表" in text and "南山乡初级中学" in text
    assert text.count("☑") == 1 and text.count("☐") == 2  # the PDF draws the boxes
    from docx import Document

    cells = {c.text for row in Document(str(form)).tables[0].rows for c in row.cells}
    assert "☐示范课　☑同课异构　☐专题讲座" in cells


def test_declarative_example_checks_its_fields(run_cli, tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text("活动日期,活动主题,送教学校,受援学校,授课教师,活动形式,参加人数\n"
                    "2026-03-12,主题,实验小学,中心校,张敏,讲座,0\n", encoding="utf-8")
    result = run_cli("--plugins-dir", EXAMPLES, "validate", "visit-record", data)
    assert result.exit_code == 2
    assert "列/column「活动形式」" in result.output and "示范课" in result.output
    assert "列/column「参加人数」" in result.output
