"""Opening what planforge wrote the way a strict reader would, and reading its text back."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_WORD_TEXT_PARTS = re.compile(r"^word/(document|header\d*|footer\d*|footnotes)\.xml$")
_SPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Text without white space: documents may break or collapse spaces; values must not."""
    return _SPACE.sub("", text)


_PARSED: set[tuple[int, int]] = set()  # (CRC, size) of parts already parsed: same bytes, same XML


def check_zip_xml(path: Path) -> zipfile.ZipFile:
    """The file is a sound zip and every XML part parses (what Word checks first)."""
    archive = zipfile.ZipFile(path)
    bad = archive.testzip()
    assert bad is None, f"{path}: damaged zip entry {bad}"
    for info in archive.infolist():
        key = (info.CRC, info.file_size)
        if info.filename.endswith((".xml", ".rels")) and key not in _PARSED:
            etree.fromstring(archive.read(info))  # raises on any malformed XML
            _PARSED.add(key)
    return archive


def docx_text(path: Path, thorough: bool = True) -> str:
    """All text of a .docx (body, headers, footers), after checking it opens."""
    from docx import Document

    archive = check_zip_xml(path)
    if thorough:
        Document(str(path))  # python-docx must open it too
    texts = []
    for name in archive.namelist():
        if _WORD_TEXT_PARTS.match(name):
            root = etree.fromstring(archive.read(name))
            texts.extend(t.text or "" for t in root.iter(f"{W}t"))
    return "".join(texts)


def xlsx_text(path: Path, thorough: bool = True) -> str:
    """All cell text of an .xlsx, after checking it opens."""
    import openpyxl

    check_zip_xml(path)
    workbook = openpyxl.load_workbook(path)
    texts = [str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows()
             for cell in row if cell.value is not None]
    texts += [sheet.title for sheet in workbook.worksheets]
    for sheet in workbook.worksheets:  # openpyxl also refuses cells Excel would repair
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert len(cell.value) <= 32767, f"{path}: cell {cell.coordinate} too long"
    return "\n".join(texts)


def document_text(path: Path, thorough: bool = True) -> str:
    """The text of a .docx or .xlsx; ``thorough`` also opens it with python-docx or openpyxl."""
    if path.suffix.lower() == ".docx":
        return docx_text(path, thorough)
    if path.suffix.lower() == ".xlsx":
        return xlsx_text(path, thorough)
    return ""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_published(folder: Path, thorough: bool = True,
                    kept: frozenset[str] = frozenset()) -> dict[str, str]:
    """The folder is one complete run: the manifest lists exactly the outputs beside it, and
    the user's ``kept`` files, which it must not list.

    Returns each document's text by its relative path. Hidden entries (staging, the lock) are
    planforge's own and are not outputs.
    """
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*")
               if p.is_file() and not any(part.startswith(".") for part in
                                          p.relative_to(folder).parts)}
    present.discard("manifest.json")
    assert not kept & set(listed), sorted(kept & set(listed))
    assert present - kept == set(listed), (sorted((present - kept) ^ set(listed)), folder)
    texts = {}
    for relative, digest in listed.items():
        assert sha256(folder / relative) == digest, f"{relative}: sha256 differs from manifest"
        texts[relative] = document_text(folder / relative, thorough)
    return texts


def document_parts(path: Path) -> dict[str, bytes]:
    """The XML parts of a document, for comparing two runs without zip timestamps."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts.pop("docProps/core.xml", None)  # creation/modification times
    return parts
