"""The fast Word renderer gives docxtpl's document, feature by feature.

Each test builds a small template with python-docx, renders it with plain docxtpl (in
planforge's sandboxed environment) and with :class:`WordTemplate`, and compares the main part,
headers, footers and footnotes after normalising whitespace and attribute order. Differences by
design (docs/plugins.md, "docxtpl features") are asserted as such.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_SECTION
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage, Listing, RichText, RichTextParagraph
from jinja2 import Environment
from lxml import etree
from PIL import Image

from planforge.engine import Engine
from planforge.errors import TemplateError
from planforge.fields import ImageFile
from planforge.plugins import load_plugins
from planforge.render.word import IMAGE_WIDTH_MM, WordTemplate, render_docx

from ..engine.forms import word_template

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def env():
    return Engine(load_plugins(None)).word_env


def parts(path: Path) -> dict[str, bytes]:
    """The parts a render changes, canonical: attributes sorted, whitespace-only text dropped."""
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n == "word/document.xml" or (
            n.startswith(("word/header", "word/footer", "word/footnotes")) and n.endswith(".xml"))]
        return {n: etree.tostring(etree.fromstring(archive.read(n)), method="c14n2",
                                  strip_text=True) for n in names}


def plain(template: Path, context: dict, env, target: Path, pictures: dict | None = None) -> Path:
    """What docxtpl itself writes (pictures given as docxtpl's InlineImage)."""
    document = DocxTemplate(str(template))
    values = {**context, **{k: v(document) for k, v in (pictures or {}).items()}}
    document.render(values, jinja_env=env, autoescape=True)
    document.save(str(target))
    return target


def fast(template: Path, context: dict, env, target: Path) -> Path:
    WordTemplate(template, env).render(context, target)
    return target


def assert_same(template: Path, context: dict, env, tmp_path: Path,
                pictures: dict | None = None) -> dict[str, bytes]:
    expected = parts(plain(template, context, env, tmp_path / "plain.docx", pictures))
    got = parts(fast(template, context, env, tmp_path / "fast.docx"))
    assert got.keys() == expected.keys()
    for name in expected:
        assert got[name] == expected[name], name
    return got


def text_of(xml: bytes) -> str:
    root = etree.fromstring(xml)
    return "".join(t.text or "" for t in root.iter(f"{W}t"))


def grid_columns(xml: bytes) -> list[int]:
    return [len(t.find(f"{W}tblGrid")) for t in etree.fromstring(xml).iter(f"{W}tbl")]


# ----------------------------------------------------------------------------- variables, loops

def test_scalar_and_nested_variables(env, tmp_path):
    template = word_template(tmp_path / "t.docx", [
        "{{ name }} {{ person.school.name }} {{ people[1].name }} {{ amount }} {{ missing }}"])
    context = {"name": "张三", "person": {"school": {"name": "一中"}},
               "people": [{"name": "甲"}, {"name": "乙"}], "amount": 12.5, "missing": None}
    got = assert_same(template, context, env, tmp_path)
    assert text_of(got["word/document.xml"]) == "张三 一中 乙 12.5 "


def test_paragraph_loops_and_conditions(env, tmp_path):
    template = word_template(tmp_path / "t.docx", [
        "{%p for p in people %}", "{{ loop.index }}. {{ p.name }}", "{%p if p.note %}",
        "备注：{{ p.note }}", "{%p endif %}", "{%p endfor %}", "完"])
    context = {"people": [{"name": "甲", "note": "x"}, {"name": "乙", "note": ""}]}
    got = assert_same(template, context, env, tmp_path)
    assert text_of(got["word/document.xml"]) == "1. 甲备注：x2. 乙完"


def test_row_loops(env, tmp_path):
    template = word_template(tmp_path / "t.docx", [], table=[
        ["姓名", "学校"], ["{%tr for p in people %}", ""], ["{{ p.name }}", "{{ p.school }}"],
        ["{%tr endfor %}", ""]])
    context = {"people": [{"name": f"人{n}", "school": "校"} for n in range(4)]}
    got = assert_same(template, context, env, tmp_path)
    assert len(etree.fromstring(got["word/document.xml"]).findall(f".//{W}tr")) == 5


@pytest.mark.parametrize("count", [1, 2, 5])
def test_column_loops_grow_and_shrink_the_grid(env, tmp_path, count):
    """Bug 1: docxtpl fits the grid to a column per record; the fast path kept 4 columns."""
    template = word_template(tmp_path / "t.docx", [], table=[
        ["项目", "{%tc for p in people %}", "{{ p.name }}", "{%tc endfor %}"],
        ["金额", "{%tc for p in people %}", "{{ p.amount }}", "{%tc endfor %}"]])
    context = {"people": [{"name": f"人{n}", "amount": n} for n in range(count)]}
    got = assert_same(template, context, env, tmp_path)
    assert grid_columns(got["word/document.xml"]) == [1 + count]


def test_commented_out_column_shrinks_the_grid(env, tmp_path):
    template = word_template(tmp_path / "t.docx", [], table=[
        ["姓名", "{#tc 隐藏 #}", "学校"], ["{{ name }}", "x", "{{ school }}"]])
    # every row must lose the column for docxtpl to shrink the grid
    document = Document(str(template))
    document.tables[0].cell(1, 1).text = "{#tc 隐藏 #}"
    document.save(str(template))
    got = assert_same(template, {"name": "甲", "school": "乙"}, env, tmp_path)
    assert grid_columns(got["word/document.xml"]) == [2]


def test_run_tags(env, tmp_path):
    template = word_template(tmp_path / "t.docx", ["前{%r if flag %}有{%r endif %}后"])
    document = Document(str(template))
    paragraph = document.paragraphs[0]
    paragraph.text = ""
    for text in ("前", "{%r if flag %}", "有", "{%r endif %}", "后"):
        paragraph.add_run(text)
    document.save(str(template))
    for flag in (True, False):
        got = assert_same(template, {"flag": flag}, env, tmp_path)
        assert text_of(got["word/document.xml"]) == ("前有后" if flag else "前后")


# ----------------------------------------------------------------------------- cell merging, colour

def test_horizontal_and_vertical_merges(env, tmp_path):
    template = word_template(tmp_path / "t.docx", [], table=[
        ["{%tc for g in groups %}", "{% hm %}{{ g.title }}", "{%tc endfor %}"],
        ["{%tc for g in groups %}", "{{ g.name }}", "{%tc endfor %}"]])
    got = assert_same(template, {"groups": [{"title": "组", "name": n} for n in "甲乙丙"]},
                      env, tmp_path)
    assert b'gridSpan w:val="3"' in got["word/document.xml"]
    vertical = word_template(tmp_path / "v.docx", [], table=[
        ["{%tr for p in people %}", ""], ["{% vm %}{{ school }}", "{{ p }}"], ["{%tr endfor %}", ""]])
    got = assert_same(vertical, {"people": ["甲", "乙"], "school": "一中"}, env, tmp_path)
    assert got["word/document.xml"].count(b"<w:vMerge") == 2


def test_colspan_and_cell_background(env, tmp_path):
    template = word_template(tmp_path / "t.docx", [], table=[
        ["{% colspan span %}{{ title }}", "", ""], ["{% cellbg colour %}{{ a }}", "b", "c"]])
    document = Document(str(template))
    row = document.tables[0].rows[0]._tr
    for cell in row.findall(f"{W}tc")[1:]:
        row.remove(cell)  # the spanning cell is the row's only cell
    document.save(str(template))
    got = assert_same(template, {"span": 3, "title": "合计", "colour": "FF0000", "a": "1"},
                      env, tmp_path)
    xml = got["word/document.xml"]
    assert b'w:fill="FF0000"' in xml and b'gridSpan w:val="3"' in xml


# ----------------------------------------------------------------------------- rich values

def test_rich_text_and_rich_paragraphs(env, tmp_path):
    template = word_template(tmp_path / "t.docx", ["{{r title }}", "{{p block }}", "尾"])
    context = {"title": RichText("加粗 & <红>", bold=True, color="FF0000", font="eastAsia:仿宋_GB2312"),
               "block": RichTextParagraph()}
    context["block"].add("段落一", parastyle="Normal")
    got = assert_same(template, context, env, tmp_path)
    xml = got["word/document.xml"]
    assert "加粗 &amp; &lt;红&gt;".encode() in xml and 'w:eastAsia="仿宋_GB2312"'.encode() in xml


def test_east_asian_fonts_and_listing(env, tmp_path):
    template = word_template(tmp_path / "t.docx", ["{{ text }}", "{{ listing }}"])
    document = Document(str(template))
    run = document.paragraphs[0].runs[0]
    run.font.name = "宋体"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(f"{W}eastAsia", "宋体")
    document.save(str(template))
    got = assert_same(template, {"text": "中文", "listing": Listing("一\n二")}, env, tmp_path)
    assert 'w:eastAsia="宋体"'.encode() in got["word/document.xml"]


def _picture(tmp_path: Path) -> ImageFile:
    Image.new("RGB", (40, 30), "red").save(tmp_path / "photo.png")
    return ImageFile(tmp_path / "photo.png")


def _nested(leaf, depth: int):
    """``leaf`` inside ``depth`` levels of lists of records: [{"k2": [{"k1": [{"k0": leaf}]}]}]."""
    value = leaf
    for level in range(depth):
        value = [{f"k{level}": value}]
    return value


@pytest.mark.parametrize("depth", [0, 1, 2, 3, 4])
def test_pictures_at_any_depth(env, tmp_path, depth):
    """Bug 2: a picture four levels down printed its file path on the fast path."""
    photo = _picture(tmp_path)
    loops, source = "", "data"
    for level in reversed(range(depth)):
        loops += f"{{% for v{level} in {source} %}}"
        source = f"v{level}.k{level}"
    template = word_template(tmp_path / "t.docx",
                             [f"图：{loops}{{{{ {source} }}}}{'{% endfor %}' * depth}"])
    fast(template, {"data": _nested(photo, depth)}, env, tmp_path / "fast.docx")
    expected = parts(plain(template, {}, env, tmp_path / "plain.docx", {"data": lambda document: (
        _nested(InlineImage(document, str(photo), width=Mm(IMAGE_WIDTH_MM)), depth))}))
    got = parts(tmp_path / "fast.docx")
    assert got == expected
    xml = got["word/document.xml"]
    assert b"<w:drawing>" in xml and str(tmp_path).encode() not in xml
    with zipfile.ZipFile(tmp_path / "fast.docx") as archive:
        assert any(n.startswith("word/media/") for n in archive.namelist())


# ----------------------------------------------------------------------------- headers, footnotes

def test_headers_footers_and_footnotes(env, tmp_path):
    document = Document()
    document.add_paragraph("正文 {{ name }}")
    section = document.sections[0]
    section.header.paragraphs[0].text = "页眉 {{ county }} & {{ name }}"
    section.footer.paragraphs[0].text = "页脚 {{ year }}"
    second = document.add_section(WD_SECTION.NEW_PAGE)
    second.different_first_page_header_footer = True
    second.first_page_header.paragraphs[0].text = "首页 {{ county }}"
    path = tmp_path / "t.docx"
    document.save(path)
    got = assert_same(path, {"name": "A&B", "county": "乳源县", "year": 2026}, env, tmp_path)
    headers = [text_of(x) for n, x in got.items() if n.startswith("word/header")]
    assert "页眉 乳源县 & A&B" in headers and "首页 乳源县" in headers


def test_footnotes(env, tmp_path):
    path = word_template(tmp_path / "t.docx", ["正文"])
    _add_footnote(path, "注：{{ note }}")
    got = assert_same(path, {"note": "<见附件>"}, env, tmp_path)
    assert "注：<见附件>" in text_of(got["word/footnotes.xml"])


def _add_footnote(path: Path, text: str) -> None:
    """python-docx cannot write footnotes: add the part by hand, referenced from the body."""
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    footnotes = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes {ns}>'
                 '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
                 '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
                 '<w:continuationSeparator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p>'
                 f'<w:r><w:t>{text}</w:t></w:r></w:p></w:footnote></w:footnotes>')
    with zipfile.ZipFile(path) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    entries["word/footnotes.xml"] = footnotes.encode()
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/word/footnotes.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>')
    entries["word/_rels/document.xml.rels"] = entries["word/_rels/document.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdFoot" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/></Relationships>')
    entries["word/document.xml"] = entries["word/document.xml"].replace(
        "<w:t>正文</w:t></w:r>".encode(),
        '<w:t>正文</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r>'.encode())
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


# ----------------------------------------------------------------------------- special characters

def test_tabs_breaks_and_page_breaks_in_values(env, tmp_path):
    template = word_template(tmp_path / "t.docx", ["值：{{ value }}", "后"])
    got = assert_same(template, {"value": "一\t二\n三\a四\f五"}, env, tmp_path)
    xml = got["word/document.xml"]
    assert b"<w:tab" in xml and b"<w:br" in xml and b'w:type="page"' in xml


def test_escaping_of_values(env, tmp_path):
    template = word_template(tmp_path / "t.docx", ["{{ value }}"])
    value = 'A&B <C> "D" ]]> {{ 7*7 }} {%p x %}'
    got = assert_same(template, {"value": value}, env, tmp_path)
    assert text_of(got["word/document.xml"]) == value


def test_comments(env, tmp_path):
    template = word_template(tmp_path / "t.docx", ["前{# 说明 #}后", "{#p 整段说明 #}", "尾"])
    got = assert_same(template, {}, env, tmp_path)
    assert text_of(got["word/document.xml"]) == "前后尾"


# ----------------------------------------------------------------------------- by design

def test_literals_inside_tags_are_escaped_once_by_design(env, tmp_path):
    """Bug 3: docxtpl prints ``A&amp;B`` for ``{{ x or "A&B" }}``; planforge prints ``A&B``."""
    template = word_template(tmp_path / "t.docx", ['{{ x or "A&B" }} {{ "<无>" }} {{ y }}'])
    context = {"x": "", "y": "C&D"}
    docxtpl_text = text_of(parts(plain(template, context, env, tmp_path / "p.docx"))[
        "word/document.xml"])
    assert docxtpl_text == "A&amp;B <无> C&D"  # docxtpl's double escape
    for render in (fast, lambda t, c, e, p: render_docx(t, c, e, p) or p):
        got = parts(render(template, context, env, tmp_path / "f.docx"))["word/document.xml"]
        assert text_of(got) == "A&B <无> C&D"


def test_unknown_names_are_errors_and_internals_refused_by_design(env, tmp_path):
    template = word_template(tmp_path / "t.docx", ["{{ nosuchname }}"])
    permissive = DocxTemplate(str(template))
    permissive.render({}, jinja_env=Environment(autoescape=True), autoescape=True)
    permissive.save(str(tmp_path / "plain.docx"))
    assert text_of(parts(tmp_path / "plain.docx")["word/document.xml"]) == ""
    with pytest.raises(TemplateError, match="nosuchname"):
        fast(template, {}, env, tmp_path / "fast.docx")
    hostile = word_template(tmp_path / "h.docx", ["{{ ''.__class__.__mro__ }}"])
    with pytest.raises(TemplateError, match="forbidden"):
        fast(hostile, {}, env, tmp_path / "fast.docx")


def test_sub_documents_are_refused_by_design(env, tmp_path):
    """A Subdoc's parts live in the docxtpl object that made it, which a plugin never sees."""
    from planforge.render.compose import composing

    template = word_template(tmp_path / "t.docx", ["{{p part }}"])
    other = word_template(tmp_path / "other.docx", ["其他"])
    with composing():  # docxtpl's Subdoc imports docxcompose; keep python-docx's tables intact
        part = DocxTemplate(str(other)).new_subdoc(str(other))
    with pytest.raises(TemplateError, match="Subdoc"):
        fast(template, {"part": part}, env, tmp_path / "fast.docx")
