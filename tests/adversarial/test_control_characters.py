"""Control characters in what dossiers, binder lists and photo captions print.

``fill`` removes characters a .docx cannot hold (BEL, VT, NUL…) from its values; the booklet
builders get the same cleaning at their one boundary (the binder every booklet is made from), so
a BEL in a caption, a VT in a partner school or a NUL in a theme is dropped with a note instead
of stopping the build with an internal error.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from PIL import Image

from .collect import keep
from .documents import docx_text, squeeze
from .targets import invoke
from .test_hostile_images import photo

SAMPLE_DOSSIER = Path(__file__).resolve().parents[2] / "samples" / "activity-dossier"
NOTE = "removed control characters"


def _dossier(tmp_path: Path) -> Path:
    folder = tmp_path / "dossier"
    shutil.copytree(next(SAMPLE_DOSSIER.iterdir()), folder)
    path = folder / "dossier.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["theme"] = "送教\x00下乡"
    data["partners"] = ["石桥镇\x0b中心小学", "柳溪村小学\x1b"]
    data["organizer"] = "城关\x0c第一小学"
    first = sorted(data["captions"])[0]
    data["captions"][first] = "张明老师\x07执教"
    data["sections"]["process"][1]["title"] = "听评\x08表"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.mark.slow
def test_a_dossier_with_control_characters_builds_with_a_note(tmp_path):
    out = tmp_path / "out"
    result = invoke("dossier", "build", _dossier(tmp_path), "-o", out)
    assert result.exit_code == 0, result.output
    assert NOTE in result.output and "Traceback" not in result.output
    (folder,) = out.iterdir()  # named by date and theme, made safe as a file name
    booklet = folder / f"{folder.name}.docx"
    text = squeeze(docx_text(booklet))
    for shown in ("送教下乡", "石桥镇中心小学", "城关第一小学", "张明老师执教", "听评表"):
        assert shown in text, shown
    assert (folder / f"{folder.name}.pdf").stat().st_size > 0
    assert any("张明老师执教" in p.name for p in (folder / "照片包").iterdir())
    keep(booklet, origin="dossier with control characters")


@pytest.mark.slow
def test_a_binder_list_with_control_characters_builds_with_a_note(tmp_path):
    folder = tmp_path / "binder"
    folder.mkdir()
    Image.new("RGB", (800, 600), "white").save(folder / "扫描\x07件.png")
    (folder / "binder.yaml").write_text(yaml.safe_dump({
        "title": "装订\x07册", "subtitle": "二〇二六\x0b年", "lines": ["单位：\x00某校"],
        "sections": [{"title": "第\x1f一部分", "files": [{"file": "扫描\x07件.png",
                                                          "title": "扫描\x01件"}]},
                     {"title": "第二部分", "files": ["扫描\x07件.png"]}],
    }, allow_unicode=True), encoding="utf-8")
    out, docx = tmp_path / "out.pdf", tmp_path / "out.docx"
    result = invoke("binder", folder / "binder.yaml", "-o", out, "--docx", docx)
    assert result.exit_code == 0, result.output
    assert NOTE in result.output
    text = squeeze(docx_text(docx))
    assert "装订册" in text and "单位：某校" in text and "第一部分" in text and "扫描件" in text
    from pypdf import PdfReader

    outline = [item["/Title"] for item in PdfReader(out).outline if not isinstance(item, list)]
    assert "第一部分" in outline and "第二部分" in outline
    keep(docx, origin="binder with control characters")


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_photo_pages_with_control_characters_in_captions_and_names(tmp_path, suffix):
    folder = tmp_path / "照片"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(photo(colour=(10, 80, 160)))
    (folder / "b\x07铃.jpg").write_bytes(photo(colour=(160, 80, 10)))
    captions = tmp_path / "captions.yaml"
    captions.write_text('a.jpg: "开班\\a仪式\\v"\n', encoding="utf-8")
    out = tmp_path / f"photos{suffix}"
    result = invoke("photos", folder, "-o", out, "--expected", "0", "--captions", captions)
    assert result.exit_code == 0, result.output
    assert NOTE in result.output
    if suffix == ".docx":
        text = docx_text(out)
        assert "开班仪式" in text and "b铃" in text
        keep(out, origin="photo captions with control characters")
    else:
        from pypdf import PdfReader

        assert "开班仪式" in squeeze(PdfReader(out).pages[0].extract_text())
