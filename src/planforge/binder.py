"""Bind ordered documents into one booklet: cover, contents, sections, page numbers, bookmarks.

The contents page must show the page numbers the reader will actually see, which are only known
once every document is converted. So conversion happens first (one LibreOffice run for the whole
build), the page counts are read, and only then the cover and contents are drawn with reportlab
(cheap, repeatable: the contents is laid out again if its own length changes the numbering).
The editable Word booklet is built from the same parts with docxcompose.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .convert import convert_to_pdf, find_soffice
from .errors import InputError, Location, Problem, ToolMissingError
from .output import write_atomic
from .text import clean_context

__all__ = [
    "IMAGE_SUFFIXES",
    "OFFICE_SUFFIXES",
    "Binder",
    "BookletResult",
    "Cover",
    "Document",
    "Photos",
    "Section",
    "TocEntry",
    "build_booklet",
    "build_docx",
    "build_pdf",
    "cjk_font",
    "clean_binder",
    "load_binder_yaml",
    "resolve_inside",
]

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".heic", ".heif", ".tif", ".tiff", ".bmp"})
#: Converted by LibreOffice.
OFFICE_SUFFIXES = frozenset(
    {
        ".doc",
        ".docx",
        ".rtf",
        ".odt",
        ".wps",
        ".txt",
        ".xls",
        ".xlsx",
        ".ods",
        ".et",
        ".ppt",
        ".pptx",
        ".odp",
        ".dps",
    }
)
SUPPORTED_SUFFIXES = IMAGE_SUFFIXES | OFFICE_SUFFIXES | {".pdf"}

_MM = 72 / 25.4
_A4 = (210 * _MM, 297 * _MM)


# --------------------------------------------------------------------------------------------
# What a booklet is made of


@dataclass(frozen=True)
class Document:
    """One file of a section; ``title`` (default: the file stem) shows in contents and bookmarks."""

    path: Path
    title: str = ""

    @property
    def label(self) -> str:
        return self.title or self.path.stem


@dataclass(frozen=True)
class Photos:
    """Photo pages laid out by :mod:`planforge.photos` (two landscape photos per A4 page)."""

    paths: tuple[Path, ...]
    captions: Mapping[str, str] = field(default_factory=dict)
    title: str = ""


@dataclass(frozen=True)
class Section:
    """A titled part of the booklet: its documents in order, or a block of photo pages."""

    title: str
    documents: tuple[Document | Photos, ...] = ()


@dataclass(frozen=True)
class Cover:
    """What the cover shows: a big title and lines under it (date, organiser, partners…)."""

    title: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Binder:
    """A whole booklet. ``number_cover=False`` leaves the cover's footer blank (still counted)."""

    cover: Cover
    sections: tuple[Section, ...]
    contents_title: str = "目  录"
    number_cover: bool = True


@dataclass(frozen=True)
class TocEntry:
    """One line of the contents: level 0 = section, 1 = document; ``page`` is 1-based."""

    level: int
    title: str
    page: int


@dataclass
class BookletResult:
    """What a build produced: the files, the page count and the contents as printed."""

    pdf: Path | None = None
    docx: Path | None = None
    pages: int = 0
    toc: list[TocEntry] = field(default_factory=list)
    pdf_error: ToolMissingError | None = None
    #: Texts (titles, cover lines, captions) from which characters no document holds were removed.
    cleaned_characters: int = 0


def clean_binder(binder: Binder) -> tuple[Binder, int]:
    """The binder with control characters removed from every text it prints; how many changed.

    Every booklet (dossier, binder list, 专项档案) is built from a :class:`Binder`, so this is
    the one place text from dossier.yaml, binder lists, settings and file names is made
    printable, as ``fill`` cleans its context: a BEL in a caption would otherwise stop the build.
    """
    sections, removed = [], 0
    for section in binder.sections:
        documents = []
        for doc in section.documents:
            if isinstance(doc, Photos):
                (title, captions), count = clean_context((doc.title, dict(doc.captions)))
                doc = replace(doc, title=title, captions=captions)
            else:
                label, count = clean_context(doc.label)
                doc = replace(doc, title=label) if count else doc
            removed += count
            documents.append(doc)
        title, count = clean_context(section.title)
        sections.append(Section(title, tuple(documents)))
        removed += count
    (cover, lines, contents), count = clean_context(
        (binder.cover.title, list(binder.cover.lines), binder.contents_title))
    cleaned = replace(binder, cover=Cover(cover, tuple(lines)), sections=tuple(sections),
                      contents_title=contents)
    return cleaned, removed + count


# --------------------------------------------------------------------------------------------
# Paths from a user's YAML must stay in its folder


def resolve_inside(base: Path, relative: str | os.PathLike[str], where: Location) -> Path:
    """Resolve ``relative`` against ``base`` and refuse anything that leaves ``base``.

    A binder or dossier file is often received from someone else; ``../`` or an absolute path
    or a symlink must not let it pull arbitrary files of this machine into a printed booklet.
    """
    text = os.fspath(relative)
    raw = Path(text)
    base_real = Path(base).resolve()
    escapes = (
        raw.is_absolute()
        or text.startswith(("/", "\\"))
        or (len(text) > 1 and text[1] == ":")
        or any(part == ".." for part in text.replace("\\", "/").split("/"))
    )
    if not escapes:
        candidate = (base_real / raw).resolve()
        escapes = not candidate.is_relative_to(base_real)
    if escapes:
        raise InputError(
            Problem(
                f"路径「{text}」指向文件夹 {base_real} 之外(不允许 ../、绝对路径或指向外部的链接)",
                f"path {text!r} points outside the folder {base_real} (../, absolute paths and "
                "links leading outside are refused)",
                where,
            )
        )
    return candidate


# --------------------------------------------------------------------------------------------
# Fonts: reportlab cannot use the CFF-flavoured Noto CJK fonts Debian ships, so the glyphs we
# need are subset and converted to TrueType outlines with fontTools and embedded.

_FONT_CACHE: dict[str, str] = {}
_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "C:/Windows/Fonts/simsun.ttc",
    "/System/Library/Fonts/Supplemental/Songti.ttc",
)


def _font_file() -> Path | None:
    explicit = os.environ.get("PLANFORGE_CJK_FONT")
    for candidate in ([explicit] if explicit else []) + list(_FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _truetype_subset(path: Path, text: str, unique: str) -> bytes | None:
    """Subset ``path`` to ``text`` and return it as a TrueType (glyf) font, or None.

    The subset is renamed ``unique``: reportlab shares one face between fonts of equal name, so
    two subsets of the same font would otherwise draw with each other's glyphs.
    """
    try:
        from fontTools import subset
        from fontTools.pens.cu2quPen import Cu2QuPen
        from fontTools.pens.ttGlyphPen import TTGlyphPen
        from fontTools.ttLib import TTCollection, TTFont, newTable
    except ImportError:
        return None
    number = 0
    if path.suffix.lower() == ".ttc":
        coll = TTCollection(str(path), lazy=True)
        names = [f["name"].getDebugName(1) or "" for f in coll.fonts]
        number = next((i for i, n in enumerate(names) if n.endswith(" SC")), 0)
    font = TTFont(str(path), fontNumber=number)
    opts = subset.Options()
    opts.layout_features = []
    opts.hinting = False
    opts.notdef_outline = True
    opts.name_IDs = ["*"]
    sub = subset.Subsetter(opts)
    sub.populate(text=text + "0123456789 ")
    sub.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6):
            names.setName(unique, record.nameID, record.platformID, record.platEncID, record.langID)
    if "CFF " in font:
        order = font.getGlyphOrder()
        glyphs = font.getGlyphSet()
        glyf = newTable("glyf")
        glyf.glyphOrder = order
        glyf.glyphs = {}
        for name in order:
            pen = TTGlyphPen(None)
            glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
            glyf.glyphs[name] = pen.glyph()
        font["glyf"] = glyf
        font["loca"] = newTable("loca")
        for tag in ("CFF ", "VORG"):
            if tag in font:
                del font[tag]
        maxp = newTable("maxp")
        maxp.tableVersion = 0x00010000
        maxp.numGlyphs = len(order)
        for attr in [
            "maxPoints",
            "maxContours",
            "maxCompositePoints",
            "maxCompositeContours",
            "maxTwilightPoints",
            "maxStorage",
            "maxFunctionDefs",
            "maxInstructionDefs",
            "maxStackElements",
            "maxSizeOfInstructions",
            "maxComponentElements",
            "maxComponentDepth",
        ]:
            setattr(maxp, attr, 0)
        maxp.maxZones = 1
        font["maxp"] = maxp
        font["head"].glyphDataFormat = 0
        font["head"].indexToLocFormat = 0
        post = font["post"]
        post.formatType = 2.0
        post.extraNames = []
        post.mapping = {}
        font.sfntVersion = "\x00\x01\x00\x00"
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def cjk_font(text: str) -> str:
    """Register a reportlab font able to draw ``text`` (Chinese included) and return its name.

    Uses an embedded subset of Noto CJK (or ``PLANFORGE_CJK_FONT``) so the PDF prints the same
    everywhere; falls back to the standard non-embedded STSong-Light if no font can be used.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont as ReportlabTTFont

    chars = "".join(sorted(set(text)))
    key = hashlib.sha1(chars.encode("utf-8")).hexdigest()[:12]
    if key in _FONT_CACHE:
        return _FONT_CACHE[key]
    name = ""
    path = _font_file()
    if path is not None:
        try:
            data = _truetype_subset(path, chars, f"PFCJK{key}")
            if data is None and path.suffix.lower() in (".ttf", ".ttc"):
                pdfmetrics.registerFont(ReportlabTTFont(f"PFCJK-{key}", str(path)))
                name = f"PFCJK-{key}"
            elif data is not None:
                pdfmetrics.registerFont(ReportlabTTFont(f"PFCJK-{key}", io.BytesIO(data)))
                name = f"PFCJK-{key}"
        except Exception:  # noqa: BLE001 - any font trouble falls back to the standard font
            name = ""
    if not name:
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        name = "STSong-Light"
        pdfmetrics.registerFont(UnicodeCIDFont(name))
    _FONT_CACHE[key] = name
    return name


# --------------------------------------------------------------------------------------------
# Turning every part into PDF pages


def _image_pdf(image: Path, out: Path) -> None:
    """One page per image, upright, as large as fits with 12 mm margins (page turned to match)."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    from .photos import _jpeg_bytes, load_print_image

    margin = 12 * _MM
    img, _ = load_print_image(image, (186.0, 273.0), dpi=200)
    landscape = img.width > img.height
    if landscape:
        img.close()
        img, _ = load_print_image(image, (273.0, 186.0), dpi=200)
    page = (_A4[1], _A4[0]) if landscape else _A4
    data = _jpeg_bytes(img)
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

    from .photos import caption_for, draw_photo_pages

    font = cjk_font("".join(caption_for(p, photos.captions) for p in photos.paths))
    c = Canvas(str(out), pagesize=_A4)
    draw_photo_pages(c, photos.paths, photos.captions, font)
    c.save()


def _check_sources(binder: Binder) -> None:
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


def _open_pdf(path: Path, shown: Path) -> Any:
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
class _Part:
    """A document turned into a PDF, with its place in the contents."""

    section: int
    title: str
    pdf: Path
    source: Path | None
    pages: int = 0


def _parts(binder: Binder, work: Path, converted: Mapping[Path, Path]) -> list[_Part]:
    parts: list[_Part] = []
    problems: list[Problem] = []
    for s_index, section in enumerate(binder.sections):
        for d_index, doc in enumerate(section.documents):
            target = work / f"part-{s_index:02d}-{d_index:03d}.pdf"
            try:
                if isinstance(doc, Photos):
                    _photos_pdf(doc, target)
                    parts.append(_Part(s_index, doc.title or section.title, target, None))
                    continue
                suffix = doc.path.suffix.lower()
                if suffix == ".pdf":
                    pdf = doc.path
                elif suffix in IMAGE_SUFFIXES:
                    _image_pdf(doc.path, target)
                    pdf = target
                else:
                    pdf = converted[doc.path]
                parts.append(_Part(s_index, doc.label, pdf, doc.path))
            except InputError as exc:
                problems.extend(exc.problems)
    for part in parts:
        try:
            part.pages = len(_open_pdf(part.pdf, part.source or part.pdf).pages)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return parts


def _toc(binder: Binder, parts: list[_Part], first_page: int) -> list[TocEntry]:
    entries: list[TocEntry] = []
    page = first_page
    for s_index, section in enumerate(binder.sections):
        mine = [p for p in parts if p.section == s_index]
        entries.append(TocEntry(0, section.title, page))
        if len(mine) > 1 or (mine and mine[0].title != section.title):
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


def _front_matter(binder: Binder, parts: list[_Part], out: Path) -> tuple[int, list[TocEntry]]:
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


def _numbered(writer: Any, number_cover: bool) -> None:
    """Stamp ``- n -`` at the foot of every page (the printed number equals the PDF page)."""
    from pypdf import PdfReader, Transformation
    from reportlab.pdfgen.canvas import Canvas

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
        if index > 0 or number_cover:
            c.setFont("Helvetica", 10.5)
            c.drawCentredString(width / 2, 10 * _MM, f"- {index + 1} -")
        c.showPage()
    c.save()
    overlay = PdfReader(buf)
    for page, stamp, (dx, dy) in zip(writer.pages, overlay.pages, boxes, strict=True):
        page.merge_transformed_page(stamp, Transformation().translate(dx, dy))


def _assemble(binder: Binder, parts: list[_Part], work: Path, out: Path) -> BookletResult:
    from pypdf import PdfWriter

    front = work / "front.pdf"
    front_pages, entries = _front_matter(binder, parts, front)
    writer = PdfWriter()
    for page in _open_pdf(front, front).pages:
        writer.add_page(page)
    writer.add_outline_item(title="封面", page_number=0)
    writer.add_outline_item(title=binder.contents_title.replace(" ", ""), page_number=1)
    toc_iter = iter(entries)
    for s_index, section in enumerate(binder.sections):
        next(toc_iter)
        mine = [p for p in parts if p.section == s_index]
        with_children = len(mine) > 1 or (mine and mine[0].title != section.title)
        starts = []
        for part in mine:
            starts.append(len(writer.pages))
            for page in _open_pdf(part.pdf, part.source or part.pdf).pages:
                writer.add_page(page)
        first = starts[0] if starts else len(writer.pages) - 1
        parent = writer.add_outline_item(
            title=section.title, page_number=min(first, len(writer.pages) - 1)
        )
        if with_children:
            for part, start in zip(mine, starts, strict=True):
                next(toc_iter)
                writer.add_outline_item(title=part.title, page_number=start, parent=parent)
    _numbered(writer, binder.number_cover)
    writer.page_mode = "/UseOutlines"
    writer.add_metadata({"/Title": binder.cover.title, "/Creator": "planforge"})
    write_atomic(out, lambda tmp: writer.write(str(tmp)))
    return BookletResult(pdf=out, pages=len(writer.pages), toc=entries)


# --------------------------------------------------------------------------------------------
# The editable Word booklet


def _set_east_asian(run: Any, name: str = "宋体") -> None:
    from docx.oxml.ns import qn

    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _front_docx(binder: Binder, toc: Sequence[TocEntry] | None, labels: list[TocEntry]) -> Any:
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.shared import Mm, Pt

    from .fonts import declare_chinese
    from .formkit import page_number_footer

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


def _pdf_page_images(pdf: Path, work: Path) -> list[Path]:
    """Rasterise a PDF with pdftoppm (poppler) for pasting into Word; [] if unavailable."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return []
    prefix = work / hashlib.sha1(str(pdf).encode()).hexdigest()[:10]
    try:
        subprocess.run(
            [tool, "-r", "110", "-jpeg", "-jpegopt", "quality=85", str(pdf), str(prefix)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    except (subprocess.SubprocessError, OSError):
        return []
    return sorted(work.glob(prefix.name + "-*.jpg"))


def _append_docx_parts(
    composer: Any,
    binder: Binder,
    converted: Mapping[Path, Path],
    work: Path,
) -> None:
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Mm, Pt

    from .photos import write_photo_docx

    def page_break() -> None:
        composer.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def add_images(images: Iterable[Path]) -> None:
        for i, image in enumerate(images):
            if i:
                page_break()
            from .photos import _jpeg_bytes, load_print_image

            img, (w_mm, h_mm) = load_print_image(image, (160.0, 240.0), dpi=150)
            data = _jpeg_bytes(img)
            img.close()
            p = composer.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run().add_picture(io.BytesIO(data), width=Mm(w_mm), height=Mm(h_mm))

    def note(text: str) -> None:
        p = composer.doc.add_paragraph()
        r = p.add_run(text)
        r.font.size = Pt(12)
        _set_east_asian(r)

    for s_index, section in enumerate(binder.sections):
        for d_index, doc in enumerate(section.documents):
            page_break()
            if isinstance(doc, Photos):
                target = work / f"photos-{s_index}-{d_index}.docx"
                write_photo_docx(doc.paths, target, doc.captions)
                composer.append(Docx(str(target)))
                continue
            suffix = doc.path.suffix.lower()
            if suffix == ".docx":
                composer.append(Docx(str(doc.path)))
            elif suffix in IMAGE_SUFFIXES:
                add_images([doc.path])
            else:
                pdf = doc.path if suffix == ".pdf" else converted.get(doc.path)
                images = _pdf_page_images(pdf, work) if pdf else []
                if images:
                    add_images(images)
                else:
                    note(
                        f"【{doc.label}】此处为文件「{doc.path.name}」,"
                        "请见 PDF 版装订册或原文件。"
                        f" / [{doc.label}] see the file {doc.path.name!r} "
                        "in the PDF booklet or the original."
                    )


# --------------------------------------------------------------------------------------------
# Public entry points


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
    _check_sources(binder)
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
            parts = _parts(binder, work, converted)
            built = _assemble(binder, parts, work, Path(pdf_out))
            result.pdf, result.pages, result.toc = built.pdf, built.pages, built.toc
        if docx_out is not None:
            result.docx = _build_docx(binder, Path(docx_out), result.toc or None, converted, work)
    return result


def _build_docx(
    binder: Binder,
    out: Path,
    toc: Sequence[TocEntry] | None,
    converted: Mapping[Path, Path],
    work: Path,
) -> Path:
    from .render.compose import composing

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


def build_pdf(binder: Binder, out: Path) -> BookletResult:
    """Build only the PDF booklet; raises ToolMissingError if conversions need LibreOffice."""
    result = build_booklet(binder, pdf_out=out)
    if result.pdf_error is not None:
        raise result.pdf_error
    return result


def build_docx(binder: Binder, out: Path) -> BookletResult:
    """Build only the editable Word booklet (no page numbers in its contents)."""
    return build_booklet(binder, docx_out=out)


# --------------------------------------------------------------------------------------------
# BINDER.yaml


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def load_binder_yaml(path: Path) -> Binder:
    """Read a binder file: ``title``, cover lines, ``sections: [{title, files: [...]}]``.

    Every file is resolved relative to the YAML's folder and must stay inside it.
    """
    from .settings import read_mapping

    path = Path(path)
    where = Location(str(path))
    data = read_mapping(path, "装订清单", "binder file")
    base = path.parent
    problems: list[Problem] = []
    title = _text(data.get("title") or data.get("标题"))
    if not title:
        problems.append(Problem("缺少 title(封面标题)", "missing title (cover title)", where))
    lines = [
        _text(data.get(k))
        for k in ("subtitle", "副标题", "date", "日期", "organisation", "organization", "单位")
        if _text(data.get(k))
    ]
    extra = data.get("lines") or data.get("cover_lines") or []
    lines += [_text(x) for x in (extra if isinstance(extra, list) else [extra]) if _text(x)]
    sections: list[Section] = []
    raw_sections = data.get("sections") or data.get("章节") or []
    if not isinstance(raw_sections, list) or not raw_sections:
        problems.append(Problem("缺少 sections(章节列表)", "missing sections (a list)", where))
        raw_sections = []
    for number, raw in enumerate(raw_sections, start=1):
        if not isinstance(raw, dict) or not _text(raw.get("title") or raw.get("标题")):
            problems.append(
                Problem(
                    f"第 {number} 个章节缺少 title",
                    f"section {number} has no title",
                    where,
                )
            )
            continue
        docs: list[Document] = []
        files = raw.get("files") or raw.get("文件") or []
        for item in files if isinstance(files, list) else [files]:
            name, label = (
                (item.get("file") or item.get("path"), _text(item.get("title")))
                if isinstance(item, dict)
                else (item, "")
            )
            try:
                resolved = resolve_inside(base, _text(name), where)
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            if not resolved.is_file():
                problems.append(
                    Problem(
                        f"装订清单中的文件「{name}」不存在",
                        f"file {name!r} listed in the binder does not exist",
                        where,
                    )
                )
                continue
            docs.append(Document(resolved, label))
        sections.append(Section(_text(raw.get("title") or raw.get("标题")), tuple(docs)))
    if problems:
        raise InputError(problems)
    return Binder(Cover(title, tuple(lines)), tuple(sections))
