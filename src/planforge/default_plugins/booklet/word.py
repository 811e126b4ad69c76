"""The editable Word booklet: the same cover, contents and parts as the PDF, with page fields.

Word and WPS count the pages when printing (PAGE / NUMPAGES fields in the footer), so the Word
booklet carries 第 N 页 共 M 页 as the PDF does. Parts that are not Word files are pasted as page
pictures (rasterised with pdftoppm), or named in a note when they cannot be.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from copy import deepcopy
from pathlib import Path
from typing import Any

from planforge.output import write_atomic

from .images import jpeg_bytes, load_print_image
from .model import IMAGE_SUFFIXES, Binder, Document, Photos, TocEntry
from .photopages import write_photo_docx
from .raster import pdf_page_images


def _set_east_asian(run: Any, name: str = "宋体") -> None:
    from docx.oxml.ns import qn

    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _front_docx(binder: Binder, toc: Sequence[TocEntry] | None, labels: list[TocEntry]) -> Any:
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.shared import Mm, Pt

    from planforge.fonts import declare_chinese
    from planforge.formkit import page_number_footer

    doc = Docx()
    declare_chinese(doc)
    page_number_footer(doc)  # the contents lists page numbers: the pages carry them too
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin = sec.right_margin = Mm(25)
    # The merged booklet keeps these margins; they must leave room for two photos a page.
    sec.top_margin = sec.bottom_margin = Mm(15)
    for _ in range(8):
        doc.add_paragraph()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(binder.cover.title)
    run.bold, run.font.size = True, Pt(26)
    _set_east_asian(run, "黑体")
    doc.add_paragraph()
    for line in binder.cover.lines:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = p.add_run(line)
        r.font.size = Pt(16)
        _set_east_asian(r)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = head.add_run(binder.contents_title)
    r.bold, r.font.size = True, Pt(20)
    _set_east_asian(r, "黑体")
    for entry in toc or labels:
        p = doc.add_paragraph()
        p.paragraph_format.left_indent = Mm(10 * entry.level)
        p.paragraph_format.tab_stops.add_tab_stop(
            Mm(160), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
        )
        r = p.add_run(f"{entry.title}\t{entry.page}" if toc else entry.title)
        r.font.size = Pt(14 if entry.level == 0 else 12)
        _set_east_asian(r)
    if toc:
        note = doc.add_paragraph()
        r = note.add_run("(页码与 PDF 版装订册一致)")
        r.font.size = Pt(9)
        _set_east_asian(r)
    return doc


#: What of a Word file's section properties lays out its pages (its header and footer
#: references point into the file itself, and its page numbering would restart: those are not).
_GEOMETRY = ("w:pgSz", "w:pgMar", "w:cols", "w:docGrid")


def _section_break(composer: Any, properties: Any, own_footer: bool) -> Any:
    """End the booklet's current section with ``properties`` (a ``w:sectPr``): the pages since
    the last break keep that file's page size and margins, so a Word part breaks into pages as
    it does alone (and as in the PDF, whose contents gives the page numbers). The next content
    starts on a new page. Returns the paragraph holding the break."""
    from docx.oxml.ns import qn

    section = deepcopy(properties)
    if not own_footer:  # inherits the booklet's footer: 第 N 页 共 M 页 counting on
        for tag in ("w:headerReference", "w:footerReference", "w:pgNumType", "w:titlePg",
                    "w:type"):
            for element in section.findall(qn(tag)):
                section.remove(element)
    paragraph = composer.doc.add_paragraph()
    paragraph._p.get_or_add_pPr().append(section)
    return paragraph


def _take_geometry(target: Any, source: Any) -> None:
    """Give the section ``target`` the page size and margins of ``source``."""
    from docx.oxml.ns import qn

    for tag in _GEOMETRY:
        mine, theirs = target.find(qn(tag)), source.find(qn(tag))
        if mine is not None and theirs is not None:
            target.replace(mine, deepcopy(theirs))


def _append_docx_parts(
    composer: Any,
    binder: Binder,
    converted: Mapping[Path, Path],
    work: Path,
) -> None:
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Mm, Pt

    booklet = composer.doc.element.body.sectPr  # the cover's: footer, A4, margins for photos
    ended: list[Any] = []  # the section break just made, while nothing follows it

    def page_break() -> None:
        if ended:  # a section break already began a new page
            ended.clear()
            return
        composer.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def add_word(path: Path) -> None:
        part = Docx(str(path))
        if len(part.sections) != 1:  # composed as it is: its own sections keep their pages
            page_break()
            composer.append(part)
            return
        own = deepcopy(part.sections[0]._sectPr)
        if not ended:
            _section_break(composer, booklet, own_footer=True)
        composer.append(part)
        ended[:] = [_section_break(composer, own, own_footer=False)]

    def add_images(images: Iterable[Path]) -> None:
        for i, image in enumerate(images):
            if i:
                page_break()
            img, (w_mm, h_mm) = load_print_image(image, (160.0, 240.0), dpi=150)
            data = jpeg_bytes(img)
            img.close()
            p = composer.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run().add_picture(io.BytesIO(data), width=Mm(w_mm), height=Mm(h_mm))

    def note(text: str) -> None:
        p = composer.doc.add_paragraph()
        r = p.add_run(text)
        r.font.size = Pt(12)
        _set_east_asian(r)

    def title_page(title: str) -> None:
        page_break()
        for _ in range(12):
            composer.doc.add_paragraph()
        p = composer.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = p.add_run(title)
        r.bold, r.font.size = True, Pt(28)
        _set_east_asian(r, "黑体")

    for s_index, section in enumerate(binder.sections):
        if section.title_page:
            title_page(section.title)
        for d_index, doc in enumerate(section.documents):
            if isinstance(doc, Document) and doc.path.suffix.lower() == ".docx":
                add_word(doc.path)
                continue
            page_break()
            if isinstance(doc, Photos):
                target = work / f"photos-{s_index}-{d_index}.docx"
                write_photo_docx(doc.paths, target, doc.captions)
                composer.append(Docx(str(target)))
                continue
            suffix = doc.path.suffix.lower()
            if suffix in IMAGE_SUFFIXES:
                add_images([doc.path])
            else:
                pdf = doc.path if suffix == ".pdf" else converted.get(doc.path)
                images = pdf_page_images(pdf, work) if pdf else []
                if images:
                    add_images(images)
                else:
                    note(
                        f"【{doc.label}】此处为文件「{doc.path.name}」,"
                        "请见 PDF 版装订册或原文件。"
                        f" / [{doc.label}] see the file {doc.path.name!r} "
                        "in the PDF booklet or the original."
                    )
    if ended:  # a Word part ends the booklet: the last section is its, not an empty page
        last = ended[0]._p
        _take_geometry(booklet, last.pPr.sectPr)
        last.getparent().remove(last)


def write_docx(
    binder: Binder,
    out: Path,
    toc: Sequence[TocEntry] | None,
    converted: Mapping[Path, Path],
    work: Path,
) -> Path:
    """The Word booklet at ``out``; ``toc`` (from the PDF) gives the contents its page numbers,
    ``converted`` the PDFs of office files that are pasted as pictures."""
    from planforge.render.compose import composing

    labels: list[TocEntry] = []
    for section in binder.sections:
        labels.append(TocEntry(0, section.title, 0))
        docs = [d for d in section.documents if isinstance(d, Document)]
        if len(docs) > 1:
            labels.extend(TocEntry(1, d.label, 0) for d in docs)
    front = _front_docx(binder, toc, labels)  # made outside: it writes core properties
    with composing() as Composer:
        composer = Composer(front)
        _append_docx_parts(composer, binder, converted, work)
        write_atomic(out, lambda tmp: composer.save(str(tmp)))
        return out
