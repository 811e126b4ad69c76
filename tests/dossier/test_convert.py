"""LibreOffice batch conversion: order, duplicate names, damaged inputs, missing tool."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from planforge.default_plugins.convert import ConversionError, convert, convert_to_pdf, find_soffice
from planforge.errors import ToolMissingError


def _docx(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = Document()
    doc.add_paragraph(text)
    doc.save(path)
    return path


def _text(pdf: Path) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(pdf).pages)


@pytest.mark.libreoffice
def test_batch_keeps_order_and_duplicate_stems(tmp_path: Path) -> None:
    a = _docx(tmp_path / "甲" / "报告.docx", "第一份 alpha")
    b = _docx(tmp_path / "乙" / "报告.docx", "第二份 bravo")
    c = _docx(tmp_path / "other.docx", "第三份 charlie")
    pdfs = convert_to_pdf([b, a, c], tmp_path / "out")
    assert [p.name for p in pdfs] == ["报告.pdf", "报告-2.pdf", "other.pdf"]
    assert "bravo" in _text(pdfs[0])
    assert "alpha" in _text(pdfs[1])
    assert "charlie" in _text(pdfs[2])


@pytest.mark.libreoffice
def test_damaged_file_is_named(tmp_path: Path) -> None:
    good = _docx(tmp_path / "good.docx", "fine")
    bad = tmp_path / "坏文件.docx"
    bad.write_bytes(b"this is not a zip archive" * 20)
    with pytest.raises(ConversionError) as info:
        convert_to_pdf([good, bad], tmp_path / "out")
    assert "坏文件.docx" in str(info.value)
    assert "good.docx" not in str(info.value)


@pytest.mark.libreoffice
def test_generic_format(tmp_path: Path) -> None:
    src = _docx(tmp_path / "a.docx", "hello odt")
    (out,) = convert([src], "odt", tmp_path / "out")
    assert out.suffix == ".odt" and out.stat().st_size > 0


def test_missing_input_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConversionError) as info:
        convert_to_pdf([tmp_path / "nowhere.docx"], tmp_path / "out")
    assert "nowhere.docx" in str(info.value)


def test_missing_soffice_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANFORGE_SOFFICE", "/nonexistent/soffice")
    with pytest.raises(ToolMissingError) as info:
        find_soffice()
    assert "libreoffice-writer-nogui" in str(info.value)


def test_no_soffice_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    import planforge.default_plugins.convert as conv

    monkeypatch.delenv("PLANFORGE_SOFFICE", raising=False)
    monkeypatch.setattr(conv.shutil, "which", lambda name: None)
    monkeypatch.setattr(conv, "_FIXED_LOCATIONS", ())
    monkeypatch.setattr(conv.glob, "glob", lambda pattern: [])
    with pytest.raises(ToolMissingError) as info:
        find_soffice()
    assert "fonts-noto-cjk" in str(info.value)
