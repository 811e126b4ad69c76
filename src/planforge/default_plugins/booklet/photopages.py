"""Photo pages: two captioned photos to an A4 page, as an editable Word file or a PDF."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from planforge.errors import InputError, Location, Problem
from planforge.output import write_atomic

from .fonts import cjk_font
from .images import jpeg_bytes, load_print_image
from .photos import caption_for

# A4 portrait, two photos a page. Photo box 160 x 120 mm (4:3 landscape fills it exactly).
PAGE_W_MM, PAGE_H_MM = 210.0, 297.0
MARGIN_X_MM, MARGIN_Y_MM = 25.0, 15.0
BOX_W_MM, BOX_H_MM = 160.0, 120.0
CAPTION_MM = 12.0
CAPTION_PT = 11.0


def _placed(
    photos: Sequence[Path], captions: Mapping[str, str] | None
) -> Iterator[tuple[int, bytes, tuple[float, float], str]]:
    """Yield (index, jpeg bytes, size in mm, caption), one decoded photo at a time."""
    for i, path in enumerate(photos):
        img, size = load_print_image(path, (BOX_W_MM, BOX_H_MM))
        data = jpeg_bytes(img)
        img.close()
        yield i, data, size, caption_for(path, captions)


def write_photo_docx(
    photos: Sequence[Path], out: Path, captions: Mapping[str, str] | None = None
) -> Path:
    """Write the photo pages as an editable Word file: two photos per A4 page, captioned."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    from planforge.fonts import declare_chinese

    doc = Document()
    declare_chinese(doc)
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(PAGE_W_MM), Mm(PAGE_H_MM)
    sec.left_margin = sec.right_margin = Mm(MARGIN_X_MM)
    sec.top_margin = sec.bottom_margin = Mm(MARGIN_Y_MM)
    sec.header_distance = sec.footer_distance = Mm(6)
    for i, data, (w_mm, h_mm), caption in _placed(photos, captions):
        pic = doc.add_paragraph()
        pic.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt = pic.paragraph_format
        fmt.space_before = Mm(0) if i % 2 == 0 else Mm(4)
        fmt.space_after = Mm(1)
        fmt.page_break_before = i > 0 and i % 2 == 0
        fmt.keep_with_next = True
        pic.add_run().add_picture(io.BytesIO(data), width=Mm(w_mm), height=Mm(h_mm))
        cap = doc.add_paragraph()
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        cap.paragraph_format.space_after = Mm(2)
        run = cap.add_run(caption)
        run.font.size = Pt(CAPTION_PT)
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    write_atomic(out, lambda tmp: doc.save(str(tmp)))
    return out


def draw_photo_pages(
    canvas: object, photos: Sequence[Path], captions: Mapping[str, str] | None, font: str
) -> int:
    """Draw the photo pages on a reportlab canvas (two a page); returns the number of pages."""
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader

    c = canvas
    pages = 0
    slot_h = (PAGE_H_MM - 2 * MARGIN_Y_MM) / 2
    for i, data, (w_mm, h_mm), caption in _placed(photos, captions):
        top = PAGE_H_MM - MARGIN_Y_MM - (i % 2) * slot_h
        x = (PAGE_W_MM - w_mm) / 2
        y = top - h_mm
        c.drawImage(ImageReader(io.BytesIO(data)), x * mm, y * mm, w_mm * mm, h_mm * mm)  # type: ignore[attr-defined]
        c.setFont(font, CAPTION_PT)  # type: ignore[attr-defined]
        c.drawCentredString(PAGE_W_MM / 2 * mm, (y - 6) * mm, caption)  # type: ignore[attr-defined]
        if i % 2 == 1 or i == len(photos) - 1:
            c.showPage()  # type: ignore[attr-defined]
            pages += 1
    return pages


def write_photo_pdf(
    photos: Sequence[Path], out: Path, captions: Mapping[str, str] | None = None
) -> Path:
    """Write the photo pages as PDF directly (no LibreOffice needed)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    texts = "".join(caption_for(p, captions) for p in photos)
    font = cjk_font(texts)

    def write(tmp: Path) -> None:
        c = Canvas(str(tmp), pagesize=A4)
        draw_photo_pages(c, photos, captions, font)
        c.save()

    write_atomic(out, write)
    return out


def write_photo_pages(
    photos: Sequence[Path], out: Path, captions: Mapping[str, str] | None = None
) -> Path:
    """Write photo pages as .docx or .pdf, chosen by the suffix of ``out``."""
    suffix = Path(out).suffix.lower()
    if suffix == ".docx":
        return write_photo_docx(photos, Path(out), captions)
    if suffix == ".pdf":
        return write_photo_pdf(photos, Path(out), captions)
    raise InputError(
        Problem(
            "照片页只能输出为 .docx 或 .pdf",
            "photo pages can only be written as .docx or .pdf",
            Location(str(out)),
        )
    )

