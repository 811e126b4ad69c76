"""The ``booklet`` and ``photo-pages`` output kinds, named by a plugin's document type and
written by the engine like the Word and Excel kinds: staged, listed in the manifest, published."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document as Docx
from PIL import Image
from pypdf import PdfReader

from planforge.printaudit import audit_pdf

PLUGIN = '''
from pathlib import Path

from planforge import WHERE_KEY, DocumentType, Field, hookimpl
from planforge.default_plugins.booklet import Binder, Cover, Document, Photos, Section

FIELDS = (Field("file", "文件", required=True), Field("caption", "说明"))


def photo_items(data, settings):
    return {"photos": [{"path": r["file"], "caption": r["caption"], WHERE_KEY: r.where}
                       for r in data.records]}


def one_booklet(data, settings):
    files = tuple(Path(r["file"]) for r in data.records)
    scans = tuple(Document(f, r["caption"] or "") for f, r in zip(files, data.records)
                  if f.suffix == ".pdf")
    photos = tuple(f for f in files if f.suffix == ".jpg")
    sections = (Section("材料 & <原件>", scans),
                Section("照片", (Photos(photos, {}, "照片"),), title_page=True))
    return {"booklets": [Binder(Cover("测试汇编", ("2026年3月12日",)), sections)]}


@hookimpl
def register_document_types(register):
    register(DocumentType(name="photo-sheet", title="活动照片", renderer="photo-pages",
                          template=Path(__file__), fields=FIELDS, each="photos",
                          prepare=photo_items))
    register(DocumentType(name="test-booklet", title="测试汇编", renderer="booklet",
                          template=Path(__file__), fields=FIELDS, each="booklets",
                          prepare=one_booklet))
'''


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    from reportlab.pdfgen.canvas import Canvas

    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "booklet_user.py").write_text(PLUGIN, encoding="utf-8")
    rows = ["文件,说明"]
    for number, colour in enumerate(("teal", "orange", "navy"), start=1):
        photo = tmp_path / f"p{number}.jpg"
        Image.new("RGB", (1600, 1200), colour).save(photo)
        rows.append(f"{photo},第{number}张 & <照片>")
    scan = tmp_path / "scan.pdf"
    canvas = Canvas(str(scan))
    for _ in range(2):
        canvas.drawString(100, 700, "scan")
        canvas.showPage()
    canvas.save()
    rows.append(f"{scan},签到表")
    data = tmp_path / "files.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return plugins, data


def test_photo_pages_kind_writes_through_the_engine(inputs, run_cli, tmp_path: Path) -> None:
    plugins, data = inputs
    photos_only = tmp_path / "photos.csv"
    photos_only.write_text("\n".join(data.read_text(encoding="utf-8").splitlines()[:4]) + "\n",
                           encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("--plugins-dir", plugins, "fill", "photo-sheet", photos_only, "-o", out)
    assert result.exit_code == 0, result.output
    document = Docx(out / "活动照片.docx")
    assert len(document.inline_shapes) == 3
    assert "第2张 & <照片>" in [p.text for p in document.paragraphs]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (listed,) = [f for f in manifest["files"] if f["path"] == "活动照片.docx"]
    assert listed["document_type"] == "photo-sheet" and len(listed["rows"]) == 3


@pytest.mark.slow
def test_booklet_kind_writes_a_numbered_pdf_and_word_booklet(inputs, run_cli,
                                                             tmp_path: Path) -> None:
    plugins, data = inputs
    out = tmp_path / "out"
    result = run_cli("--plugins-dir", plugins, "fill", "test-booklet", data, "-o", out)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(f["path"] for f in manifest["files"]) == ["测试汇编.docx", "测试汇编.pdf"]
    reader = PdfReader(out / "测试汇编.pdf")
    # cover, contents, two scan pages, the photos' title page, two photo pages
    assert len(reader.pages) == 7
    contents = reader.pages[1].extract_text()
    assert "材料 & <原件>" in contents and "签到表" in contents
    assert reader.pages[4].extract_text().split()[0] == "照片"
    assert [str(p) for p in audit_pdf(out / "测试汇编.pdf")] == []
    word = Docx(out / "测试汇编.docx")
    assert "NUMPAGES" in word.sections[0].footer._element.xml


def test_a_booklet_type_whose_items_are_not_binders_is_refused(tmp_path: Path, run_cli) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    wrong = PLUGIN.replace('each="booklets",\n                          prepare=one_booklet',
                           'each="photos",\n                          prepare=photo_items')
    assert wrong != PLUGIN
    (plugins / "wrong.py").write_text(wrong, encoding="utf-8")
    data = tmp_path / "files.csv"
    data.write_text("文件,说明\na.pdf,x\n", encoding="utf-8")
    result = run_cli("--plugins-dir", plugins, "fill", "test-booklet", data, "-o", tmp_path / "o")
    assert result.exit_code != 0 and "Binder" in result.output
    assert not (tmp_path / "o" / "manifest.json").exists()


@pytest.mark.parametrize("target", ["photo-sheet", "test-booklet"])
def test_a_missing_file_is_refused_before_anything_is_written(inputs, run_cli, tmp_path: Path,
                                                              target: str) -> None:
    plugins, data = inputs
    gone = tmp_path / "不在了.jpg"
    data.write_text(data.read_text(encoding="utf-8") + f"{gone},丢失\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("--plugins-dir", plugins, "fill", target, data, "-o", out)
    assert result.exit_code == 2 and str(gone) in result.output, result.output
    assert not (out / "manifest.json").exists() and not list(out.glob("*.docx"))
