"""Values reach Word forms as what they are: pictures as pictures, literals escaped once."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from planforge.engine import Engine
from planforge.fields import ImageFile
from planforge.plugins import load_plugins
from planforge.render.batch import Batch, Volume, render_volumes
from planforge.render.excel import render_xlsx
from planforge.render.word import WordTemplate, render_docx
from planforge.render.wordstream import write_document

from .forms import excel_template, word_template
from .test_render import docx_text


@pytest.fixture(scope="module")
def engine():
    return Engine(load_plugins(None))


def photos(folder: Path, count: int) -> list[ImageFile]:
    folder.mkdir(exist_ok=True)
    for number in range(count):
        Image.new("RGB", (30, 20), (40 * number, 0, 0)).save(folder / f"照片{number}.png")
    return [ImageFile(folder / f"照片{number}.png") for number in range(count)]


def media_and_xml(path: Path) -> tuple[list[str], str]:
    with zipfile.ZipFile(path) as archive:
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
        return media, archive.read("word/document.xml").decode()


def test_a_list_of_photos_inside_each_record_prints_pictures_in_forms_and_volume(engine,
                                                                                 tmp_path):
    """Bug 2: the batch looked one level into a record, so each photo printed its path."""
    template = word_template(tmp_path / "form.docx", [
        "{{ name }}", "{% for p in photos %}{{ p }}{% endfor %}"])
    pictures = photos(tmp_path / "data", 2)
    forms = [(f"{n}.docx", n, {"name": f"人员{n}", "photos": pictures}) for n in (1, 2)]
    (tmp_path / "out").mkdir()
    volume = Volume(forms, combined="print.docx")
    word = WordTemplate(template, engine.word_env)
    render_volumes(word, {}, [volume], Batch(template, None, tmp_path / "out", 1), 1, None)
    for name in ("1.docx", "2.docx", "print.docx"):
        media, xml = media_and_xml(tmp_path / "out" / name)
        assert media and xml.count("<w:drawing>") == (4 if name == "print.docx" else 2), name
        assert str(tmp_path) not in xml and "照片" not in docx_text(tmp_path / "out" / name)


def test_pictures_deep_in_a_single_document(engine, tmp_path):
    template = word_template(tmp_path / "list.docx", [
        "{% for g in groups %}{{ g.name }}{% for r in g.rows %}{{ r.photo }}{% endfor %}"
        "{% endfor %}"])
    pictures = photos(tmp_path / "data", 1)
    context = {"groups": [{"name": "一组", "rows": [{"photo": pictures[0]}]}]}
    write_document(WordTemplate(template, engine.word_env), context, tmp_path / "out.docx")
    media, xml = media_and_xml(tmp_path / "out.docx")
    assert media and "<w:drawing>" in xml and str(tmp_path) not in xml


def test_a_plugins_own_inline_image_is_placed_in_the_document(engine, tmp_path):
    from docx.shared import Mm
    from docxtpl import InlineImage

    template = word_template(tmp_path / "t.docx", ["{{ seal }}"])
    picture = photos(tmp_path / "data", 1)[0]
    context = {"seal": InlineImage(None, str(picture), width=Mm(25))}
    WordTemplate(template, engine.word_env).render(context, tmp_path / "out.docx")
    media, xml = media_and_xml(tmp_path / "out.docx")
    assert media and 'cx="900000"' in xml  # 25 mm


@pytest.mark.parametrize("renderer", ["fast", "docxtpl"])
def test_literals_typed_inside_tags_print_as_typed(engine, tmp_path, renderer):
    """Bug 3: Word stores ``"A&B"`` inside a tag as ``A&amp;B``, which printed as ``A&amp;B``."""
    pictures = photos(tmp_path / "data", 1)
    template = word_template(tmp_path / "t.docx", [
        '{{ x or "A&B" }}|{{ "<无>" }}|{{ y|replace("&", "和") }}|{{ "&amp;" }}|{{ photo }}'])
    context = {"x": None, "y": "C&D", "photo": pictures[0] if renderer == "docxtpl" else "图"}
    target = tmp_path / "out.docx"
    if renderer == "fast":
        WordTemplate(template, engine.word_env).render(context, target)
    else:
        render_docx(template, context, engine.word_env, target)
    text = docx_text(target)
    assert text.startswith("A&B|<无>|C和D|&amp;|"), text


def test_excel_templates_read_literals_unescaped_already(engine, tmp_path):
    """openpyxl hands cells over as text, so an Excel literal was never escaped twice."""
    template = excel_template(tmp_path / "t.xlsx", ["a"], ['{{ row.a or "A&B<C>" }}'],
                              title='{{ "甲&乙" }}')
    render_xlsx(template, {"records": [{"a": None}, {"a": "x&y"}], "document": {"title": "t"}},
                engine.text_env, tmp_path / "out.xlsx", "records", {})
    sheet = load_workbook(tmp_path / "out.xlsx").active
    assert sheet["A1"].value == "甲&乙"
    assert [sheet["A3"].value, sheet["A4"].value] == ["A&B<C>", "x&y"]
