"""Filling Word and Excel templates: content, layout kept, hostile values and templates."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from planforge.engine import Engine
from planforge.errors import TemplateError
from planforge.plugins import load_plugins
from planforge.render.references import Insertion, ReferenceShifter

from .conftest import PEOPLE, build_people_plugin, write_people  # noqa: F401
from .forms import excel_template, word_template

NASTY = 'A&B <C> "D" \'E\' ]]> 😀 {{ 7*7 }}'
LONG = "长" * 500


def docx_text(path: Path) -> str:
    document = Document(str(path))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.fixture
def filled(run_cli, people_plugin, people_xlsx, tmp_path) -> Path:
    out = tmp_path / "out"
    result = run_cli("--plugins-dir", people_plugin, "fill", "people-package", people_xlsx,
                     "-o", out, "--set", "unit=乳源县")
    assert result.exit_code == 0, result.output
    return out


def test_package_writes_one_entry_per_annex_with_a_manifest(filled, people_xlsx):
    entries = sorted(p.name for p in filled.iterdir())
    assert entries == ["manifest.json", "附件1 人员登记表", "附件2 乳源县人员名册.xlsx",
                       "附件3 公示名单.docx"]
    forms = sorted(p.name for p in (filled / "附件1 人员登记表").iterdir())
    assert forms == ["1 张三.docx", "2 李四.docx", "附件1 人员登记表（合订打印）.docx"]
    manifest = json.loads((filled / "manifest.json").read_text(encoding="utf-8"))
    by_path = {f["path"]: f for f in manifest["files"]}
    assert by_path["附件1 人员登记表/2 李四.docx"]["rows"] == [
        {"file": str(people_xlsx), "sheet": "名册", "row": 4}]
    from planforge.output import sha256_of

    for path, entry in by_path.items():
        assert sha256_of(filled / path) == entry["sha256"]
        assert entry["document_type"].startswith("people-")


def test_word_form_content(filled):
    text = docx_text(filled / "附件1 人员登记表" / "2 李四.docx")
    assert "附件1" in text and "姓名：李四　性别：女" in text
    assert "出生于 1960年2月4日" in text
    assert "已纳入离岗退养" in text and "☑是 ☐否" in text
    assert "金额：800.00元（大写：捌佰元整）" in text
    assert 'A&B <C> "D"' in text
    combined = docx_text(filled / "附件1 人员登记表" / "附件1 人员登记表（合订打印）.docx")
    assert combined.count("姓名：") == 6  # 一式三份 by default


def test_word_single_loops_over_records_with_masked_ids(filled):
    text = docx_text(filled / "附件3 公示名单.docx")
    assert "共 2 人" in text and "李四" in text
    assert PEOPLE[1][3][:6] + "********" + PEOPLE[1][3][-4:] in text


def test_excel_rows_expand_with_styles_heights_merges_and_live_totals(filled):
    sheet = load_workbook(filled / "附件2 乳源县人员名册.xlsx").active
    assert sheet["A1"].value == "乳源县人员名册"
    assert [sheet.cell(r, 2).value for r in (3, 4)] == ["张三", "李四"]
    assert sheet["A3"].value == 1 and sheet["D4"].value == 800
    assert sheet["C3"].data_type == "s" and sheet["C3"].value == PEOPLE[0][3]
    for row in (3, 4):
        cell = sheet.cell(row, 2)
        assert cell.font.b and cell.font.color.rgb == "00FF0000" and cell.border.left.style == "thin"
        assert sheet.row_dimensions[row].height == 30
    assert sheet["D5"].value == "=SUM(D3:D4)" and sheet["A5"].value == "合计"
    assert "A5:B5" in {str(m) for m in sheet.merged_cells.ranges}
    assert sheet.row_dimensions[5].height == 22
    assert sheet["A7"].value == "填表单位：乳源县"
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.print_area == "'表'!$A$1:$E$7"


def test_formula_shift_rules():
    shifter = ReferenceShifter({"表": Insertion(3, 4)}, ["表", "其他"])
    assert shifter.formula("=SUM(D3:D3)", "表") == "=SUM(D3:D7)"
    assert shifter.formula("=D5+$D$6", "表") == "=D9+$D$10"
    assert shifter.formula("=SUM(D1:D2)", "表") == "=SUM(D1:D2)"
    assert shifter.formula("=SUM(其他!D3:D3)", "表") == "=SUM(其他!D3:D3)"
    assert shifter.formula("=SUM(表!D3:D3)", "其他") == "=SUM(表!D3:D7)"


def test_values_that_look_like_formulas_stay_text(run_cli, people_plugin, tmp_path):
    data = tmp_path / "a.csv"
    data.write_text(f"姓名,性别,身份证号码,备注\n=HYPERLINK(1),男,{PEOPLE[0][3]},@SUM(1)\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("--plugins-dir", people_plugin, "fill", "people-roster", data, "-o", out
                   ).exit_code == 0
    sheet = load_workbook(next(out.glob("*.xlsx"))).active
    assert sheet["B3"].data_type == "s" and sheet["B3"].value.startswith("=HYPERLINK")


def test_no_records_leaves_one_blank_row_and_totals_intact(tmp_path):
    from planforge.render.excel import render_xlsx
    from planforge.render.jinja import make_environment

    template = excel_template(tmp_path / "t.xlsx", ["a"], ["{{ row.a }}"], total=["=SUM(A3:A3)"])
    target = tmp_path / "out.xlsx"
    render_xlsx(template, {"records": [], "document": {"title": "t"}},
                make_environment({}, autoescape=False), target, "records", {})
    sheet = load_workbook(target).active
    assert sheet["A3"].value is None and sheet["A4"].value == "=SUM(A3:A3)"


def nasty_rows() -> list[list]:
    return [[1, NASTY, "男", PEOPLE[0][3], "", "", "", LONG],
            [2, "王\x07五\x1b", "女", PEOPLE[1][3], "", "", "", NASTY]]


def test_special_characters_and_long_values_never_corrupt_files(run_cli, people_plugin,
                                                                 tmp_path, pdf_text):
    import csv

    data = tmp_path / "a.csv"  # .xlsx cannot even hold control characters; CSV can
    with data.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["序号", "姓名", "性别", "身份证号码", "出生日期", "金额",
                                       "离岗退养", "备注"], *nasty_rows()])
    out = tmp_path / "out"
    result = run_cli("--plugins-dir", people_plugin, "fill", "people-package", data, "-o", out)
    assert result.exit_code == 0, result.output
    assert "control characters" in result.output
    from planforge.output import sanitize_filename

    form = out / "附件1 人员登记表" / sanitize_filename(f"1 {NASTY}", ".docx")
    assert form.exists(), sorted(p.name for p in (out / "附件1 人员登记表").iterdir())
    assert NASTY in docx_text(form) and LONG in docx_text(form)
    assert "王五" in docx_text(out / "附件1 人员登记表" / "2 王五.docx")
    workbook = next(out.glob("*.xlsx"))
    sheet = load_workbook(workbook).active
    assert sheet["B3"].value == NASTY and sheet["E3"].value == LONG
    texts = pdf_text(form, workbook, out / "附件3 公示名单.docx")
    assert all("A&B<C>" in t for t in texts)
    assert "{{7*7}}" in texts[0]  # data is never evaluated as a template


@pytest.mark.parametrize("payload", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__.os }}",
    "{{ '{0.__class__}'.format(1) }}",
    "{{ lipsum.__globals__ }}",
])
def test_templates_cannot_reach_python_internals(tmp_path, payload, people_xlsx):
    plugins = tmp_path / "p"
    folder = build_people_plugin(plugins / "people")
    word_template(folder / "form.docx", ["{{ name }}", payload])
    excel_template(folder / "roster.xlsx", ["a"], ["{{ row.name }}"], title=payload)
    engine = Engine(load_plugins(plugins))
    for name in ("people-form", "people-roster"):
        prepared = engine.prepare(name, [people_xlsx], {})
        out = tmp_path / name
        with pytest.raises(TemplateError) as error:
            engine.fill(prepared, out)
        message = str(error.value)
        assert "template" in message
        assert not any(p.suffix in {".docx", ".xlsx"} for p in out.rglob("*"))


def test_template_errors_reach_the_cli_as_bad_input(run_cli, tmp_path, people_xlsx):
    plugins = tmp_path / "p"
    folder = build_people_plugin(plugins / "people")
    word_template(folder / "form.docx", ["{{ name", "{{ nosuchname }}"])
    result = run_cli("--plugins-dir", plugins, "fill", "people-form", people_xlsx, "-o",
                     tmp_path / "o")
    assert result.exit_code == 2 and "form.docx" in result.output


def test_image_fields_are_placed_and_kept_inside_the_data_folder(tmp_path):
    from PIL import Image

    plugins = tmp_path / "p"
    folder = plugins / "photo"
    folder.mkdir(parents=True)
    (folder / "plugin.yaml").write_text(
        "name: photo\ndocument_types:\n  - name: photo-card\n    title: 照片卡\n"
        "    template: card.docx\n    file_name: '{{ name }}'\n    fields:\n"
        "      - {name: name, label: 姓名, required: true}\n"
        "      - {name: photo, label: 照片, type: image, required: true}\n", encoding="utf-8")
    word_template(folder / "card.docx", ["{{ name }}", "{{ photo }}"])
    data = tmp_path / "data"
    data.mkdir()
    Image.new("RGB", (40, 30), "red").save(data / "a.png")
    (data / "cards.csv").write_text("姓名,照片\n张三,a.png\n", encoding="utf-8")
    engine = Engine(load_plugins(plugins))
    out = engine.fill(engine.prepare("photo-card", [data / "cards.csv"], {}), tmp_path / "out")
    with zipfile.ZipFile(out / "照片卡" / "张三.docx") as archive:
        assert any(n.startswith("word/media/") for n in archive.namelist())
    (data / "bad.csv").write_text("姓名,照片\n张三,../../etc/passwd\n", encoding="utf-8")
    from planforge.errors import InputError

    with pytest.raises(InputError, match="outside"):
        engine.prepare("photo-card", [data / "bad.csv"], {})


def test_clean_context_copies_only_what_it_cleans():
    from planforge.engine import clean_context
    from planforge.errors import Location
    from planforge.model import Record

    clean_rows = [{"name": f"人员{n}", "tags": ("a", "b")} for n in range(3)]
    context = {"rows": clean_rows, "dirty": [{"name": "控\x01制\x0b"}],
               "records": [Record({"name": "张三"}, Location("a.xlsx", "名册", 2))]}
    cleaned, removed = clean_context(context)
    assert removed == 1  # strings cleaned
    assert cleaned["dirty"] == [{"name": "控制"}]
    assert cleaned["records"] == [{"name": "张三"}] and type(cleaned["records"][0]) is dict
    assert cleaned["rows"][0]["tags"] == ["a", "b"]
    untouched = {"rows": [{"name": f"人员{n}"} for n in range(3)]}
    assert clean_context(untouched) == (untouched, 0)
    assert clean_context(untouched)[0]["rows"] is untouched["rows"]


@pytest.mark.parametrize("stream", [False, True])
def test_yes_no_values_print_as_chinese_unless_a_filter_says_otherwise(tmp_path, monkeypatch,
                                                                       stream):
    from planforge.default_plugins.filters import FILTERS
    from planforge.render import excel
    from planforge.render.jinja import make_environment
    from planforge.render.word import WordTemplate

    env = make_environment(FILTERS, autoescape=True)
    word = word_template(tmp_path / "f.docx", [
        "在校：{{ enrolled }}", "勾选：{{ enrolled|checkbox }}{{ (not enrolled)|checkbox }}",
        "过滤：{{ enrolled|yes_no }}", "原样：{{ enrolled|string }}", "比较：{{ count > 3 }}"])
    WordTemplate(word, env).render({"enrolled": True, "count": 2}, tmp_path / "out.docx")
    text = docx_text(tmp_path / "out.docx")
    assert "在校：是" in text and "勾选：☑☐" in text and "过滤：是" in text
    assert "原样：True" in text and "比较：否" in text  # an explicit filter still decides

    template = excel_template(tmp_path / "t.xlsx", ["a", "b", "c", "d", "e"], [
        "{{ row.enrolled }}", "{{ row.enrolled and row.enrolled }}", "{{ row.enrolled }}人",
        "{{ row.enrolled|checkbox }}", "{{ row.count }}"])
    monkeypatch.setattr(excel, "STREAM_MINIMUM", 1 if stream else 10**9)
    excel.render_xlsx(template, {"records": [{"enrolled": True, "count": 3},
                                             {"enrolled": False, "count": 0}],
                                 "document": {"title": "t"}},
                      make_environment(FILTERS, autoescape=False), tmp_path / "o.xlsx",
                      "records", {})
    sheet = load_workbook(tmp_path / "o.xlsx").active
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=3, max_row=4)] == [
        ["是", "是", "是人", "☑", 3], ["否", "否", "否人", "☐", 0]]
