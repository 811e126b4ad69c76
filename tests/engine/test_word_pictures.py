"""A template's picture (a region's logo) is replaced per run through an image setting."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Mm
from PIL import Image

from planforge.model import DocumentType, Field

PLUGIN = """\
name: logo
document_types:
  - name: logo-form
    title: 登记表
    template: form.docx
    file_name: "{{ name }}"
    fields:
      - {name: name, label: 姓名, required: true}
      - {name: photo, label: 照片, type: image}
    settings:
      - {name: region_logo, label: 地区徽标, type: image}
    pictures: {徽标: region_logo}
  - name: logo-list
    title: 名单
    renderer: word-single
    template: list.docx
    fields:
      - {name: name, label: 姓名, required: true}
    settings:
      - {name: region_logo, label: 地区徽标, type: image}
    pictures: {徽标: region_logo}
packages:
  - {name: logo-package, title: 材料, members: [logo-form, logo-list]}
"""


def template_with_logo(path: Path, paragraphs: list[str], logo: Path, banner: Path) -> None:
    document = Document()
    document.add_picture(str(logo), width=Mm(40), height=Mm(20))
    picture = document.inline_shapes[0]._inline
    picture.docPr.set("descr", "徽标")  # the alt text Word shows, as a clerk would set it
    section = document.sections[0]
    section.header.paragraphs[0].add_run().add_picture(str(banner), width=Mm(10))
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(path)
    # python-docx writes alt text on docPr; docxtpl (and planforge) read the picture's cNvPr
    with zipfile.ZipFile(path) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    entries["word/document.xml"] = entries["word/document.xml"].replace(
        b'<pic:cNvPr id="0" name="logo.png"/>', '<pic:cNvPr id="0" name="logo.png" descr="徽标"/>'
        .encode(), 1)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


@pytest.fixture
def plugin(tmp_path) -> Path:
    folder = tmp_path / "plugins" / "logo"
    folder.mkdir(parents=True)
    (folder / "plugin.yaml").write_text(PLUGIN, encoding="utf-8")
    Image.new("RGB", (80, 40), "blue").save(folder / "logo.png")
    Image.new("RGB", (20, 20), "yellow").save(folder / "banner.png")
    for name, paragraphs in (("form.docx", ["{{ name }} {{ photo }}"]), ("list.docx", [
            "{%p for p in records %}", "{{ p.name }}", "{%p endfor %}"])):
        template_with_logo(folder / name, paragraphs, folder / "logo.png", folder / "banner.png")
    return folder.parent


def images(path: Path) -> dict[str, Image.Image]:
    with zipfile.ZipFile(path) as archive:
        return {n: Image.open(io.BytesIO(archive.read(n))) for n in archive.namelist()
                if n.startswith("word/media/")}


def logo_colours(path: Path) -> list[tuple]:
    """The centre pixel of every image in the document, logo first."""
    return [image.convert("RGB").getpixel((image.width // 2, image.height // 2))
            for _, image in sorted(images(path).items())]


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Image.new("RGB", (30, 30), "red").save(tmp_path / "县徽.png")
    Image.new("RGB", (10, 10), "green").save(tmp_path / "photo.png")
    rows = "\n".join(f"人员{n},{'photo.png' if n == 2 else ''}" for n in range(1, 4))
    (tmp_path / "a.csv").write_text(f"姓名,照片\n{rows}\n", encoding="utf-8")
    return tmp_path / "a.csv"


def test_the_named_picture_is_replaced_in_forms_print_files_and_lists(run_cli, plugin, data,
                                                                      tmp_path):
    out = tmp_path / "out"
    result = run_cli("--plugins-dir", plugin, "fill", "logo-package", data, "-o", out,
                     "--set", "region_logo=县徽.png")
    assert result.exit_code == 0, result.output
    files = [out / "登记表" / "人员1.docx", out / "登记表" / "人员2.docx",  # 人员2 via docxtpl
             out / "登记表" / "登记表（合订打印）.docx", out / "名单.docx"]
    for path in files:
        found = images(path)
        logo = found["word/media/image1.png"]
        assert logo.format == "PNG" and logo.size == (60, 30), path  # the 2:1 box, not stretched
        assert logo.convert("RGBA").getpixel((30, 15)) == (255, 0, 0, 255)
        assert logo.convert("RGBA").getpixel((2, 15))[3] == 0  # padded, transparent
        header = [image for name, image in found.items() if name != "word/media/image1.png"]
        assert any(image.convert("RGB").getpixel((5, 5)) == (255, 255, 0) for image in header)
    assert (0, 128, 0) in logo_colours(out / "登记表" / "人员2.docx")  # the record's photo stays


def test_without_the_setting_the_template_picture_stays(run_cli, plugin, data, tmp_path):
    result = run_cli("--plugins-dir", plugin, "fill", "logo-list", data, "-o", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert logo_colours(tmp_path / "o" / "名单.docx")[0] == (0, 0, 255)


def test_a_replacement_outside_the_folder_or_not_an_image_is_refused(run_cli, plugin, data,
                                                                     tmp_path):
    (tmp_path / "fake.png").write_text("not an image", encoding="utf-8")
    for value, message in (("../x.png", "outside"), ("fake.png", "not a usable image")):
        result = run_cli("--plugins-dir", plugin, "fill", "logo-list", data, "-o",
                         tmp_path / "o", "--set", f"region_logo={value}")
        assert result.exit_code == 2 and message in result.output, result.output
        assert not (tmp_path / "o").exists()


def test_a_picture_the_template_does_not_hold_is_named(run_cli, plugin, data, tmp_path):
    text = (plugin / "logo" / "plugin.yaml").read_text(encoding="utf-8")
    (plugin / "logo" / "plugin.yaml").write_text(text.replace("{徽标:", "{公章:"),
                                                 encoding="utf-8")
    result = run_cli("--plugins-dir", plugin, "fill", "logo-list", data, "-o", tmp_path / "o",
                     "--set", "region_logo=县徽.png")
    assert result.exit_code == 2 and "公章" in result.output and "徽标" in result.output
    assert not list((tmp_path / "o").rglob("*.docx"))


def test_pictures_must_name_an_image_setting():
    with pytest.raises(ValueError, match="image setting"):
        DocumentType("t", "t", Path("t.docx"), settings=(Field("logo", "徽标"),),
                     pictures={"徽标": "logo"})
