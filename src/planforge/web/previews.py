"""Page images of finished documents, made the way a clerk prints: LibreOffice → PDF → PNG.

A package's documents are converted in one LibreOffice run and their pages rasterised by
pdftoppm; the images are cached in the job's folder, so paging through a booklet converts
nothing twice.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from ..default_plugins.convert import convert_to_pdf

#: Pixels per inch of a preview: a page is readable at about 600 px wide.
RESOLUTION = 72
PREVIEWABLE = {".docx", ".xlsx", ".pdf"}


def pdf_of(document: Path, cache: Path) -> Path:
    """The PDF of a document (the document itself when it is one), cached."""
    if document.suffix.lower() == ".pdf":
        return document
    cached = cache / "pdf" / f"{_key(document)}.pdf"
    if not cached.is_file():
        made = convert_to_pdf([document], cache / "pdf" / "new")
        cached.parent.mkdir(parents=True, exist_ok=True)
        made[0].replace(cached)
    return cached


def convert_all(documents: Sequence[Path], cache: Path) -> None:
    """Convert every document not yet cached in one LibreOffice run (a package at once)."""
    todo = [d for d in documents if d.suffix.lower() != ".pdf"
            and not (cache / "pdf" / f"{_key(d)}.pdf").is_file()]
    if not todo:
        return
    made = convert_to_pdf(todo, cache / "pdf" / "new")
    for document, pdf in zip(todo, made, strict=True):
        pdf.replace(cache / "pdf" / f"{_key(document)}.pdf")


def page_count(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def page_image(document: Path, page: int, cache: Path) -> Path:
    """Page ``page`` (from 1) of a document as PNG."""
    pdf = pdf_of(document, cache)
    target = cache / "png" / f"{_key(document)}-{page}.png"
    if target.is_file():
        return target
    tool = shutil.which("pdftoppm")
    if tool is None:
        from ..errors import ToolMissingError

        raise ToolMissingError("需要 pdftoppm（Debian 软件包 poppler-utils）/ pdftoppm is needed "
                               "(Debian package poppler-utils)")
    target.parent.mkdir(parents=True, exist_ok=True)
    stem = target.with_suffix("")
    subprocess.run([tool, "-f", str(page), "-l", str(page), "-r", str(RESOLUTION), "-png",
                    "-singlefile", str(pdf), str(stem)], check=True, capture_output=True,
                   timeout=120)
    return target


def _key(document: Path) -> str:
    """A cache name for a document: its path relative to nothing but itself, hashed."""
    import hashlib

    return hashlib.sha256(str(document.resolve()).encode()).hexdigest()[:24]
