"""Every template and every sample output is schema-valid OOXML, so Word and Excel open it as is.

LibreOffice forgives what Word and Excel "repair" (and drop content for): a part that breaks the
ECMA-376 schema. The samples are filled once per session with ``scripts/dev.sh fill-samples``, the
same commands a new user runs, plus one roster long enough for the streaming Excel writer.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from planforge.render.excel import STREAM_MINIMUM

from ..conftest import ROOT
from .ooxml_schema import ECMA, S, W, checked_part_names, package_problems, part_problems

TEMPLATES = sorted(
    path
    for folder in ("templates/forms", "plugins", "examples")
    for path in (ROOT / folder).rglob("*")
    if path.suffix in {".docx", ".xlsx"} and "build" not in path.relative_to(ROOT).parts
)


def test_vendored_schemas_are_the_published_files():
    """The ECMA notice allows copies of the schemas, unmodified: pin them byte for byte."""
    listed = {}
    for line in (ECMA / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        listed[name] = digest
    present = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
               for path in ECMA.glob("*.xsd")}
    assert present == listed


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_template_is_schema_valid(template):
    assert checked_part_names(template)
    assert package_problems(template) == []


# The checker itself: it must see what Office refuses ------------------------------------------

TABLE_FORM = ROOT / "templates" / "forms" / "gd-subsidy" / "附件1-申请表.docx"
MERGED_SHEET = ROOT / "plugins" / "pairing_list" / "结对帮扶名单.xlsx"


def _part(package: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(package) as archive:
        return etree.fromstring(archive.read(name))


def test_a_second_tbl_layout_after_tbl_look_is_refused():
    """The bug of issue 18: w:tblLayout twice, the second after w:tblLook."""
    document = _part(TABLE_FORM, "word/document.xml")
    properties = document.find(f".//{{{W}}}tblPr")
    assert properties.find(f"{{{W}}}tblLayout") is not None
    assert part_problems("word/document.xml", etree.tostring(document)) == []
    extra = etree.SubElement(properties, f"{{{W}}}tblLayout")
    extra.set(f"{{{W}}}type", "fixed")
    problems = part_problems("word/document.xml", etree.tostring(document))
    assert len(problems) == 1 and "tblLayout" in problems[0]


def test_merge_cells_before_sheet_data_is_refused():
    sheet = _part(MERGED_SHEET, "xl/worksheets/sheet1.xml")
    merges, data = sheet.find(f"{{{S}}}mergeCells"), sheet.find(f"{{{S}}}sheetData")
    assert merges is not None and part_problems("sheet1.xml", etree.tostring(sheet)) == []
    data.addprevious(merges)
    problems = part_problems("sheet1.xml", etree.tostring(sheet))
    assert problems and "mergeCells" in problems[0]


def test_font_children_in_any_order_are_valid():
    """CT_Font in SpreadsheetML is an unbounded choice: some validators model it as a sequence
    and report font children out of 'order'; the XSD, the reference, accepts any order."""
    styles = etree.fromstring(
        f'<styleSheet xmlns="{S}"><fonts count="1"><font><name val="宋体"/><b/><sz val="11"/>'
        f'<color rgb="FF000000"/></font></fonts></styleSheet>'.encode())
    assert part_problems("xl/styles.xml", etree.tostring(styles)) == []


IGNORABLE_BODY = (
    '<w:document xmlns:w="{w}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/'
    '2006" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" {ignorable}>'
    '<w:body><w:p w14:paraId="1A2B3C4D"><w14:future/><w:r><w:t>x</w:t></w:r></w:p></w:body>'
    '</w:document>'
)


@pytest.mark.slow
def test_markup_in_an_ignorable_namespace_is_skipped_as_office_does():
    declared = IGNORABLE_BODY.format(w=W, ignorable='mc:Ignorable="w14"').encode()
    assert part_problems("word/document.xml", declared) == []
    undeclared = IGNORABLE_BODY.format(w=W, ignorable="").encode()
    assert part_problems("word/document.xml", undeclared)


@pytest.mark.slow
def test_alternate_content_is_read_through_its_fallback():
    body = (
        f'<w:document xmlns:w="{W}" xmlns:mc="http://schemas.openxmlformats.org/markup-'
        'compatibility/2006" xmlns:x="urn:example:future"><w:body><w:p><mc:AlternateContent>'
        '<mc:Choice Requires="x"><x:thing/></mc:Choice><mc:Fallback>{fallback}</mc:Fallback>'
        '</mc:AlternateContent></w:p></w:body></w:document>'
    )
    assert part_problems("d.xml", body.format(fallback="<w:r><w:t>x</w:t></w:r>").encode()) == []
    assert part_problems("d.xml", body.format(fallback="<w:t>x</w:t>").encode())


# Every output of every sample run ---------------------------------------------------------------


def _long_pairing_roster(path: Path) -> Path:
    """More rows than STREAM_MINIMUM, so the roster goes through the streaming writer."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["序号", "帮扶学校", "受帮扶学校", "帮扶人员", "联系人", "联系电话", "帮扶期限"])
    for number in range(1, STREAM_MINIMUM + 50):
        sheet.append([number, f"实验小学{number}", f"中心校{number}", " 张敏 & <李华> ", "张敏",
                      "13800138000", "2026年3月—2027年2月"])
    workbook.save(path)
    return path


@pytest.fixture(scope="session")
def sample_outputs(tmp_path_factory, soffice) -> list[Path]:
    """Every shipped sample filled as scripts/dev.sh does, once per session."""
    out = tmp_path_factory.mktemp("samples") / "out"
    planforge = Path(sys.executable).with_name("planforge")
    done = subprocess.run(["bash", str(ROOT / "scripts" / "dev.sh"), "fill-samples"],
                          env={**os.environ, "SAMPLES_OUT": str(out), "PLANFORGE": str(planforge)},
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    roster = _long_pairing_roster(out.parent / "long.xlsx")
    streamed = subprocess.run([str(planforge), "fill", "pairing-list", str(roster), "-o",
                               str(out / "streamed")], capture_output=True, text=True, timeout=600)
    assert streamed.returncode == 0, streamed.stdout[-2000:] + streamed.stderr[-2000:]
    return sorted(p for p in out.rglob("*") if p.suffix in {".docx", ".xlsx"})


RUNS = ("gd-subsidy", "gd-subsidy-city", "hardship-aid", "hardship-aid-files", "teacher-pairing",
        "space-report", "education-community", "pairing-list", "visit-record", "activity-dossier",
        "streamed")


@pytest.mark.parametrize("run", RUNS)
def test_every_sample_output_is_schema_valid(sample_outputs, run):
    outputs = [p for p in sample_outputs if run in p.parts]
    assert outputs, f"sample run {run} wrote no Word or Excel file"
    problems = {str(p.name): package_problems(p) for p in outputs}
    assert {name: found for name, found in problems.items() if found} == {}


def test_the_long_roster_went_through_the_streaming_writer(sample_outputs):
    """render_xlsx streams every workbook from STREAM_MINIMUM rows on."""
    (roster,) = [p for p in sample_outputs if "streamed" in p.parts]
    with zipfile.ZipFile(roster) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert sheet.count(b"<row ") > STREAM_MINIMUM and b"<mergeCells" in sheet


# Sources that build or join parts ---------------------------------------------------------------


def test_formkit_row_marks_are_made_once_and_keep_the_table_valid(tmp_path):
    from docx.oxml.ns import qn

    from planforge.formkit import (
        keep_row_together,
        new_document,
        repeat_header_row,
        set_column_widths,
        set_row_height,
    )

    document = new_document()
    table = document.add_table(rows=2, cols=2)
    set_column_widths(table, [3, 4])
    set_column_widths(table, [3, 4])
    row = table.rows[0]
    for _ in range(2):
        repeat_header_row(row)
        keep_row_together(row)
        set_row_height(row, 1.2)
    properties = row._tr.trPr
    assert [child.tag for child in properties] == [qn("w:cantSplit"), qn("w:trHeight"),
                                                    qn("w:tblHeader")]
    assert len(table._tbl.tblPr.findall(qn("w:tblLayout"))) == 1
    document.save(tmp_path / "form.docx")
    assert package_problems(tmp_path / "form.docx") == []


@pytest.mark.parametrize("breaks_already", [True, False], ids=["page-break-on", "page-break-off"])
def test_a_print_file_of_forms_opening_with_a_page_break_setting_is_valid(tmp_path,
                                                                          breaks_already):
    """A template's first paragraph may carry w:pageBreakBefore itself (on or off): the print
    file sets that one rather than adding a second, which Word would refuse to read as is."""
    from docx import Document

    from planforge.render.jinja import make_environment
    from planforge.render.word import WordTemplate, combine_docx

    template = tmp_path / "form.docx"
    source = Document()
    first = source.add_paragraph("{{ name }}")
    first.paragraph_format.keep_with_next = True
    first.paragraph_format.page_break_before = breaks_already
    source.save(template)
    word = WordTemplate(template, make_environment({}, True))
    names = ["甲", "乙 & <丙>", "😀"]
    streamed = word.print_file(tmp_path / "streamed.docx")
    for number, name in enumerate(names):
        streamed.add(word.render({"name": name}, tmp_path / f"{number}.docx"))
    streamed.close()
    combine_docx([tmp_path / f"{number}.docx" for number in range(len(names))],
                 tmp_path / "composed.docx", copies=2)
    for volume, count in (("streamed", 1), ("composed", 2)):
        path = tmp_path / f"{volume}.docx"
        assert package_problems(path) == []
        starts = [p.paragraph_format.page_break_before
                  for p in Document(str(path)).paragraphs if p.text in names]
        assert starts == [breaks_already] + [True] * (len(names) * count - 1)


@pytest.mark.slow
def test_blank_workbooks_are_schema_valid(tmp_path):
    """``planforge blank`` writes data validations, comments and column styles: every type's
    blank must open in Excel without a repair prompt too."""
    from planforge.blank import write_blank
    from planforge.engine import Engine
    from planforge.plugins import load_plugins

    registry = load_plugins()
    engine = Engine(registry)
    for name in sorted({*registry.document_types, *registry.packages}):
        target = write_blank(engine.job(name).inputs, registry.field_types,
                             tmp_path / f"{name}.xlsx")
        assert package_problems(target) == [], name


def test_inferred_templates_are_schema_valid(tmp_path, run_cli):
    """A template made by ``template infer`` from a blank keeps the blank's markup valid."""
    blank = ROOT / "examples" / "blanks" / "培训情况统计表.xlsx"
    result = run_cli("template", "infer", blank, "-o", tmp_path / "training")
    assert result.exit_code == 0, result.output
    (template,) = (tmp_path / "training").glob("*.xlsx")
    assert package_problems(template) == []
