"""The PDF booklet: cover, contents with the real page numbers, parts, bookmarks, page numbers.

The cover and contents are drawn with reportlab once every part's page count is known (the
contents is laid out again if its own length changes the numbering); every page then carries
第 N 页 共 M 页, as the print audit asks of every multi-page output.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planforge.errors import InputError, Location, Problem
from planforge.output import write_atomic

from .fonts import cjk_font
from .images import jpeg_bytes, load_print_image
from .model import IMAGE_SUFFIXES, Binder, BookletResult, Cover, Photos, Section, TocEntry
from .photopages import draw_photo_pages
from .photos import caption_for

_MM = 72 / 25.4
_A4 = (210 * _MM, 297 * _MM)


def _image_pdf(image: Path, out: Path) -> None:
    """One page per image, upright, as large as fits with 12 mm margins (page turned to match)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    margin = 12 * _MM
    img, _ = load_print_image(image, (186.0, 273.0), dpi=200)
    landscape = img.width > img.height
    if landscape:
        img.close()
        img, _ = load_print_image(image, (273.0, 186.0), dpi=200)
    page = (_A4[1], _A4[0]) if landscape else _A4
    data = jpeg_bytes(img)
    w, h = img.size
    img.close()
    scale = min((page[0] - 2 * margin) / w, (page[1] - 2 * margin) / h)
    c = Canvas(str(out), pagesize=page)
    c.drawImage(
        ImageReader(io.BytesIO(data)),
        (page[0] - w * scale) / 2,
        (page[1] - h * scale) / 2,
        w * scale,
        h * scale,
    )
    c.showPage()
    c.save()


def _photos_pdf(photos: Photos, out: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas

    font = cjk_font("".join(caption_for(p, photos.captions) for p in photos.paths))
    c = Canvas(str(out), pagesize=_A4)
    draw_photo_pages(c, photos.paths, photos.captions, font)
    c.save()


def open_pdf(path: Path, shown: Path) -> Any:
    """A pypdf reader of ``path``; a damaged or encrypted PDF is an input error naming ``shown``."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfReadError("encrypted")
        _ = len(reader.pages)
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise InputError(
            Problem(
                f"PDF 无法读取(损坏或加密):{exc}",
                f"PDF cannot be read (damaged or encrypted): {exc}",
                Location(str(shown)),
            )
        ) from exc
    return reader


@dataclass
class Part:
    """A document turned into a PDF, with its place in the contents."""

    section: int
    title: str
    pdf: Path
    source: Path | None
    pages: int = 0
    heading: bool = False  # the section's own title page, not one of its documents


def pdf_parts(binder: Binder, work: Path, converted: Mapping[Path, Path]) -> list[Part]:
    """Every part as a PDF with its page count (``converted``: office file → its PDF); every
    unreadable part is reported at once."""
    parts: list[Part] = []
    problems: list[Problem] = []
    for s_index, section in enumerate(binder.sections):
        if section.title_page:
            target = work / f"part-{s_index:02d}-title.pdf"
            _title_page_pdf(section.title, target)
            parts.append(Part(s_index, section.title, target, None, heading=True))
        for d_index, doc in enumerate(section.documents):
            target = work / f"part-{s_index:02d}-{d_index:03d}.pdf"
            try:
                if isinstance(doc, Photos):
                    _photos_pdf(doc, target)
                    parts.append(Part(s_index, doc.title or section.title, target, None))
                    continue
                suffix = doc.path.suffix.lower()
                if suffix == ".pdf":
                    pdf = doc.path
                elif suffix in IMAGE_SUFFIXES:
                    _image_pdf(doc.path, target)
                    pdf = target
                else:
                    pdf = converted[doc.path]
                parts.append(Part(s_index, doc.label, pdf, doc.path))
            except InputError as exc:
                problems.extend(exc.problems)
    for part in parts:
        try:
            part.pages = len(open_pdf(part.pdf, part.source or part.pdf).pages)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return parts


def _title_page_pdf(title: str, out: Path) -> None:
    """A page bearing only a section's title, for sections whose parts carry none (photos,
    scans of handwritten originals): the reader sees where the contents says they begin."""
    from reportlab.pdfgen.canvas import Canvas

    font = cjk_font(title)
    c = Canvas(str(out), pagesize=_A4)
    c.setFont(font, 28)
    c.drawCentredString(_A4[0] / 2, _A4[1] * 0.55, title)
    c.showPage()
    c.save()


def _documents(parts: list[Part], section: int) -> list[Part]:
    return [p for p in parts if p.section == section and not p.heading]


def _listed(section: Section, documents: list[Part]) -> bool:
    """Whether the contents lists a section's documents under it (not when one part is all)."""
    return len(documents) > 1 or bool(documents and documents[0].title != section.title)


def _toc(binder: Binder, parts: list[Part], first_page: int) -> list[TocEntry]:
    entries: list[TocEntry] = []
    page = first_page
    for s_index, section in enumerate(binder.sections):
        entries.append(TocEntry(0, section.title, page))
        page += sum(p.pages for p in parts if p.section == s_index and p.heading)
        mine = _documents(parts, s_index)
        if _listed(section, mine):
            for part in mine:
                entries.append(TocEntry(1, part.title, page))
                page += part.pages
        else:
            page += sum(p.pages for p in mine)
    return entries


def _draw_cover(c: Any, cover: Cover, font: str) -> None:
    w, h = _A4
    size = 30.0
    while c.stringWidth(cover.title, font, size) > w - 40 * _MM and size > 14:
        size -= 1
    c.setFont(font, size)
    c.drawCentredString(w / 2, h * 0.62, cover.title)
    c.setFont(font, 16)
    y = h * 0.62 - 30 * _MM
    for line in cover.lines:
        c.drawCentredString(w / 2, y, line)
        y -= 12 * _MM
    c.showPage()


_ROWS_PER_PAGE = 26


def _draw_contents(c: Any, title: str, entries: Sequence[TocEntry], font: str) -> int:
    """Draw the contents; returns how many pages it took."""
    w, h = _A4
    left, right = 25 * _MM, w - 25 * _MM
    pages = 0
    for start in range(0, max(1, len(entries)), _ROWS_PER_PAGE):
        pages += 1
        c.setFont(font, 22)
        c.drawCentredString(w / 2, h - 35 * _MM, title)
        y = h - 55 * _MM
        for entry in entries[start : start + _ROWS_PER_PAGE]:
            size = 14.0 if entry.level == 0 else 12.0
            x = left + entry.level * 10 * _MM
            number = str(entry.page)
            c.setFont(font, size)
            text = entry.title
            room = right - x - c.stringWidth(number, font, size) - 12 * _MM
            while c.stringWidth(text, font, size) > room and len(text) > 1:
                text = text[:-2] + "…"
            c.drawString(x, y, text)
            c.drawRightString(right, y, number)
            dots_from = x + c.stringWidth(text, font, size) + 2 * _MM
            dots_to = right - c.stringWidth(number, font, size) - 2 * _MM
            if dots_to > dots_from:
                c.setFont(font, 10)
                dot = c.stringWidth(".", font, 10) or 3
                c.drawString(dots_from, y, "." * int((dots_to - dots_from) / dot))
            y -= 9 * _MM
        c.showPage()
    return pages


def _front_matter(binder: Binder, parts: list[Part], out: Path) -> tuple[int, list[TocEntry]]:
    """Draw cover + contents so that the contents' numbers account for its own length."""
    from reportlab.pdfgen.canvas import Canvas

    text = binder.cover.title + "".join(binder.cover.lines) + binder.contents_title
    text += "".join(s.title for s in binder.sections) + "".join(p.title for p in parts) + "….:"
    font = cjk_font(text)
    contents_pages = 1
    for _ in range(5):
        entries = _toc(binder, parts, first_page=2 + contents_pages)
        c = Canvas(str(out), pagesize=_A4)
        _draw_cover(c, binder.cover, font)
        drawn = _draw_contents(c, binder.contents_title, entries, font)
        c.save()
        if drawn == contents_pages:
            return 1 + drawn, entries
        contents_pages = drawn
    raise AssertionError("contents page count did not settle")  # pragma: no cover


#: The page number every page of a booklet carries, as the print audit asks of every output.
PAGE_OF = "第 {page} 页 共 {pages} 页"


def _numbered(writer: Any) -> None:
    """Stamp 第 N 页 共 M 页 at the foot of every page (N is the PDF page, as in the contents)."""
    from pypdf import PdfReader, Transformation
    from reportlab.pdfgen.canvas import Canvas

    total = len(writer.pages)
    font = cjk_font(PAGE_OF)
    buf = io.BytesIO()
    c = Canvas(buf)
    boxes = []
    for index, page in enumerate(writer.pages):
        if page.get("/Rotate"):
            page.transfer_rotation_to_content()
        box = page.mediabox
        width, height = float(box.width), float(box.height)
        boxes.append((float(box.left), float(box.bottom)))
        c.setPageSize((width, height))
        c.setFont(font, 10.5)
        c.drawCentredString(width / 2, 8 * _MM, PAGE_OF.format(page=index + 1, pages=total))
        c.showPage()
    c.save()
    overlay = PdfReader(buf)
    for page, stamp, (dx, dy) in zip(writer.pages, overlay.pages, boxes, strict=True):
        page.merge_transformed_page(stamp, Transformation().translate(dx, dy))


def write_pdf(binder: Binder, parts: list[Part], work: Path, out: Path) -> BookletResult:
    """Front matter, then every part with its bookmark, numbered; written atomically to ``out``."""
    from pypdf import PdfWriter

    front = work / "front.pdf"
    front_pages, entries = _front_matter(binder, parts, front)
    writer = PdfWriter()
    for page in open_pdf(front, front).pages:
        writer.add_page(page)
    writer.add_outline_item(title="封面", page_number=0)
    writer.add_outline_item(title=binder.contents_title.replace(" ", ""), page_number=1)
    toc_iter = iter(entries)
    for s_index, section in enumerate(binder.sections):
        next(toc_iter)
        first = len(writer.pages)
        starts = {}
        for part in (p for p in parts if p.section == s_index):
            starts[id(part)] = len(writer.pages)
            for page in open_pdf(part.pdf, part.source or part.pdf).pages:
                writer.add_page(page)
        parent = writer.add_outline_item(
            title=section.title, page_number=min(first, len(writer.pages) - 1)
        )
        mine = _documents(parts, s_index)
        if _listed(section, mine):
            for part in mine:
                next(toc_iter)
                writer.add_outline_item(title=part.title, page_number=starts[id(part)],
                                        parent=parent)
    _numbered(writer)
    writer.page_mode = "/UseOutlines"
    writer.add_metadata({"/Title": binder.cover.title, "/Creator": "planforge"})
    write_atomic(out, lambda tmp: writer.write(str(tmp)))
    return BookletResult(pdf=out, pages=len(writer.pages), toc=entries)
