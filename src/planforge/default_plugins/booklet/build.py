"""Build a booklet: check the files, convert office files once, then lay out PDF and Word.

The contents page must show the page numbers the reader will actually see, which are only known
once every document is converted. So conversion happens first (one LibreOffice run for the whole
build), the page counts are read, and only then the cover and contents are drawn.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from planforge.errors import InputError, Location, Problem, ToolMissingError

from ..convert import convert_to_pdf, find_soffice
from .model import (
    OFFICE_SUFFIXES,
    SUPPORTED_SUFFIXES,
    Binder,
    BookletResult,
    Document,
    Photos,
    clean_binder,
)


def check_sources(binder: Binder) -> None:
    """Every file a booklet lists exists and is of a kind it can bind; all problems at once."""
    problems: list[Problem] = []
    for section in binder.sections:
        for doc in section.documents:
            paths = doc.paths if isinstance(doc, Photos) else (doc.path,)
            for path in paths:
                if not Path(path).is_file():
                    problems.append(
                        Problem("文件不存在", "file does not exist", Location(str(path)))
                    )
                elif isinstance(doc, Document) and path.suffix.lower() not in SUPPORTED_SUFFIXES:
                    problems.append(
                        Problem(
                            f"不支持的文件类型 {path.suffix}(支持 PDF、Word、Excel、PPT、图片)",
                            f"unsupported file type {path.suffix} (PDF, Word, Excel, "
                            "PowerPoint and images are supported)",
                            Location(str(path)),
                        )
                    )
    if problems:
        raise InputError(problems)


def _office_documents(binder: Binder) -> list[Path]:
    return [
        doc.path
        for section in binder.sections
        for doc in section.documents
        if isinstance(doc, Document) and doc.path.suffix.lower() in OFFICE_SUFFIXES
    ]


def build_booklet(
    binder: Binder,
    pdf_out: Path | None = None,
    docx_out: Path | None = None,
) -> BookletResult:
    """Build the PDF booklet and/or the editable Word booklet from the same parts.

    Every office file is converted in one LibreOffice run. Without LibreOffice the Word booklet
    is still written (non-Word parts as notes) and the result carries the ToolMissingError in
    ``pdf_error``; callers decide whether that is fatal.
    """
    from .pdf import pdf_parts, write_pdf  # Pillow, reportlab and pypdf: only when building
    from .word import write_docx
    check_sources(binder)
    result = BookletResult()
    binder, result.cleaned_characters = clean_binder(binder)
    office = _office_documents(binder)
    with tempfile.TemporaryDirectory(prefix="planforge-binder-") as tmp:
        work = Path(tmp)
        converted: dict[Path, Path] = {}
        need_lo = bool(office) and (
            pdf_out is not None or any(p.suffix.lower() != ".docx" for p in office)
        )
        if need_lo:
            try:
                find_soffice()
            except ToolMissingError as exc:
                result.pdf_error = exc
            else:
                pdfs = convert_to_pdf(office, work / "converted")
                converted = dict(zip(office, pdfs, strict=True))
        if pdf_out is not None and result.pdf_error is None:
            parts = pdf_parts(binder, work, converted)
            built = write_pdf(binder, parts, work, Path(pdf_out))
            result.pdf, result.pages, result.toc = built.pdf, built.pages, built.toc
        if docx_out is not None:
            result.docx = write_docx(binder, Path(docx_out), result.toc or None, converted, work)
    return result


def build_pdf(binder: Binder, out: Path) -> BookletResult:
    """Build only the PDF booklet; raises ToolMissingError if conversions need LibreOffice."""
    result = build_booklet(binder, pdf_out=out)
    if result.pdf_error is not None:
        raise result.pdf_error
    return result
