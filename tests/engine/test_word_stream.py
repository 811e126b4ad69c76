"""One Word document for all records is written chunk by chunk, and is the document rendered whole."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Mm
from PIL import Image

from planforge.engine import Engine
from planforge.fields import ImageFile
from planforge.plugins import load_plugins
from planforge.render import wordstream
from planforge.render.word import WordTemplate

from .test_render import NASTY

NOTICE = Path(__file__).resolve().parents[2] / "templates/forms/gd-subsidy/公示名单.docx"


@pytest.fixture(scope="module")
def env():
    return Engine(load_plugins(None)).word_env


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(wordstream, "STREAM_CHUNK", 3)


def entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def streamed_and_whole(template: Path, context: dict, env, tmp_path: Path) -> tuple[bool, dict]:
    """Whether ``write`` streamed, and the parts it wrote, checked equal to ``render``'s."""
    word = WordTemplate(template, env)
    try:
        streamed = wordstream.stream_document(word, context, tmp_path / "direct.docx")
    except wordstream.CannotStream:
        streamed = False
    wordstream.write_document(word, context, tmp_path / "written.docx")
    word.render(context, tmp_path / "whole.docx")
    written, whole = entries(tmp_path / "written.docx"), entries(tmp_path / "whole.docx")
    assert list(written) == list(whole)
    for name in whole:
        assert written[name] == whole[name], name
    if streamed:
        assert entries(tmp_path / "direct.docx") == whole
    return streamed, whole


def notice_context(count: int) -> dict:
    people = [{"index": n, "name": NASTY if n == 2 else f"人员{n}", "sex": "女",
               "township": "乳城镇\n（东）" if n == 5 else "乳城镇\t大桥",
               "id_number": "440232196001010011", "working_years": n, "monthly_standard": 100,
               "public_remark": "已故（发放至2020年3月）" if n == 3 else ""}
              for n in range(1, count + 1)]
    return {"eligible": people, "settings": {"county": "乳源县", "year": 2020,
                                             "objection_contact": "县教育局"},
            "notice": {"start": dt.date(2020, 5, 6), "end": dt.date(2020, 5, 11)}}


@pytest.mark.parametrize("count", [4, 10, 11])
def test_public_notice_streamed_equals_the_whole_render(env, tmp_path, small_chunks, count):
    streamed, whole = streamed_and_whole(NOTICE, notice_context(count), env, tmp_path)
    assert streamed
    text = whole["word/document.xml"].decode()
    assert f"人员{count}" in text and "A&amp;B &lt;C&gt;" in text and "<w:tab/>" in text


def test_short_lists_are_rendered_whole(env, tmp_path):
    assert not wordstream.stream_document(WordTemplate(NOTICE, env), notice_context(5),
                                          tmp_path / "x.docx")
    assert not (tmp_path / "x.docx").exists()


def body_template(path: Path, paragraphs: list[str], picture: Path | None = None) -> Path:
    document = Document()
    if picture:
        document.add_picture(str(picture), width=Mm(10))
    for text in paragraphs:
        document.add_paragraph(text)
    if picture:
        document.add_picture(str(picture), width=Mm(10))
    document.save(path)
    return path


def test_paragraph_loop_with_conditions_and_pictures_numbered_through(env, tmp_path,
                                                                      small_chunks):
    Image.new("RGB", (20, 20), "blue").save(tmp_path / "logo.png")
    template = body_template(tmp_path / "t.docx", [
        "{{ title }}", "{%p for p in people %}", "{{ p.name }}", "{%p if p.note %}",
        "备注：{{ p.note }}", "{%p endif %}", "{%p endfor %}", "共{{ people|length }}人"],
        picture=tmp_path / "logo.png")
    context = {"title": "名单", "people": [{"name": f"人{n}", "note": "注" * (n % 2)}
                                         for n in range(8)]}
    streamed, whole = streamed_and_whole(template, context, env, tmp_path)
    assert streamed
    assert whole["word/document.xml"].count(b"<wp:docPr") == 2


def test_loop_variables_run_on_across_chunks(env, tmp_path, small_chunks):
    template = body_template(tmp_path / "t.docx", [
        "{%p for p in people|reverse %}", "{{ loop.index }}/{{ loop.length }} {{ p.name }}"
        "{% if loop.last %}（完）{% endif %} {{ loop.cycle('单', '双') }}", "{%p endfor %}"])
    context = {"people": [{"name": f"人{n}"} for n in range(8)]}
    streamed, whole = streamed_and_whole(template, context, env, tmp_path)
    assert streamed and "8/8 人0（完） 双".encode() in whole["word/document.xml"]


@pytest.mark.parametrize("paragraphs", [
    ["{% set unit = '县' %}{{ unit }}", "{%p for p in people %}", "{{ unit }}{{ p.name }}",
     "{%p endfor %}"],
    ["{%p for p in people recursive %}", "{{ p.name }}", "{%p endfor %}"],
    ["{%p if people %}", "{%p for p in people %}", "{{ p.name }}", "{%p endfor %}",
     "{%p endif %}"],
], ids=["set-before", "recursive", "nested-in-if"])
def test_templates_that_cannot_be_cut_are_rendered_whole(env, tmp_path, small_chunks, paragraphs):
    template = body_template(tmp_path / "t.docx", paragraphs)
    context = {"people": [{"name": f"人{n}"} for n in range(7)]}
    streamed, whole = streamed_and_whole(template, context, env, tmp_path)
    assert not streamed and "人6".encode() in whole["word/document.xml"]


def test_rows_whose_shape_depends_on_the_record_fall_back(env, tmp_path, small_chunks):
    """A `{% colspan %}` row inside the loop could change the grid after the first chunk."""
    document = Document()
    table = document.add_table(rows=3, cols=2)
    for cell, text in zip(table._cells, ["{%tr for p in people %}", "", "{% colspan p.span %}"
                                         "{{ p.name }}", "x", "{%tr endfor %}", ""], strict=False):
        cell.text = text
    document.save(tmp_path / "t.docx")
    people = [{"name": f"人{n}", "span": 1 if n < 5 else 2} for n in range(7)]
    streamed, _ = streamed_and_whole(tmp_path / "t.docx", {"people": people}, env, tmp_path)
    assert not streamed


def test_picture_values_in_a_later_chunk_go_to_docxtpl(env, tmp_path, small_chunks):
    Image.new("RGB", (20, 20), "red").save(tmp_path / "p.png")
    template = body_template(tmp_path / "t.docx", ["{%p for p in people %}", "{{ p.photo }}",
                                                   "{%p endfor %}"])
    people = [{"photo": "无"} for _ in range(6)] + [{"photo": ImageFile(tmp_path / "p.png")}]
    target = tmp_path / "out.docx"
    wordstream.write_document(WordTemplate(template, env), {"people": people}, target)
    xml = entries(target)["word/document.xml"]
    assert b"<w:drawing>" in xml and str(tmp_path).encode() not in xml


def test_word_single_documents_of_a_run_are_streamed(run_cli, people_plugin, tmp_path,
                                                     monkeypatch):
    from .conftest import write_people
    from .test_batch import people

    calls = []
    original = wordstream._Stream.write
    monkeypatch.setattr(wordstream, "STREAM_CHUNK", 2)
    monkeypatch.setattr(wordstream._Stream, "write",
                        lambda self, target: calls.append(target) or original(self, target))
    data = write_people(tmp_path / "a.xlsx", rows=people(7))
    result = run_cli("--plugins-dir", people_plugin, "fill", "people-notice", data, "-o",
                     tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    text = "\n".join(c.text for t in Document(str(next((tmp_path / "out").glob("*.docx"))))
                     .tables for r in t.rows for c in r.cells)
    assert "人员7" in text
