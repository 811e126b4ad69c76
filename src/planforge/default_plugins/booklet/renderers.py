"""The ``booklet`` and ``photo-pages`` output kinds (the plugin registers them like Word and Excel).

A document type naming ``booklet`` has its ``each`` list hold :class:`~.model.Binder` objects
(its ``prepare`` builds them from the data); one item makes ``ENTRY.pdf`` and ``ENTRY.docx``,
several make a folder with both per booklet. A type naming ``photo-pages`` has its ``each`` list
hold photo paths, or mappings with ``path`` and an optional ``caption``; it writes ``ENTRY.docx``,
two captioned photos to a page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from planforge.errors import InputError, Location, PluginError, Problem
from planforge.model import WHERE_KEY, Field, Renderer, Rendering
from planforge.output import OutputWriter, sanitize_filename

from .build import build_booklet, check_sources
from .model import Binder

BOOKLET = "booklet"
PHOTO_PAGES = "photo-pages"

Write = Callable[[], None]
#: What the photo pages are written as: an editable Word file, or a PDF (no LibreOffice needed).
PHOTO_FORMAT = Field("photo_format", "照片页格式", type="choice", choices=("docx", "pdf"),
                     default="docx", help="照片页写成 docx 或 pdf / photo pages as docx or pdf")


def _rows(item: Any) -> list:
    where = item.get(WHERE_KEY) if isinstance(item, Mapping) else None
    return [where] if where else []


def render_booklet(rendering: Rendering, writer: OutputWriter) -> Write:
    """A PDF and a Word booklet per Binder item, numbered and bookmarked."""
    binders = rendering.items
    name = rendering.document_type.name
    if not all(isinstance(item, Binder) for item in binders):
        raise PluginError(f"{name}: 装订册（booklet）的每一项应是 Binder / every item of a "
                          f"booklet must be a Binder ({rendering.document_type.each!r})")
    if len(binders) == 1:
        stems = [rendering.entry]
    else:
        stems = [f"{rendering.entry}/{sanitize_filename(f'{index:02d} {binder.cover.title}')}"
                 for index, binder in enumerate(binders, start=1)]
    for binder in binders:  # a missing file is refused before anything is written
        check_sources(binder)
    for stem in stems:
        for suffix in (".pdf", ".docx"):
            writer.add(stem + suffix, name, [])

    def write() -> None:
        for binder, stem in zip(binders, stems, strict=True):
            result = build_booklet(binder, pdf_out=writer.path(stem + ".pdf"),
                                   docx_out=writer.path(stem + ".docx"))
            if result.pdf_error is not None:  # the Word booklet is published all the same
                writer.omit(stem + ".pdf", result.pdf_error)

    return write


def _photo(item: Any) -> tuple[Path, str]:
    if isinstance(item, Mapping):
        return Path(item["path"]), str(item.get("caption") or "")
    return Path(item), ""


def render_photo_pages(rendering: Rendering, writer: OutputWriter) -> Write:
    """One Word file (or, with ``--set photo_format=pdf``, one PDF made without LibreOffice)
    of photo pages, two captioned photos to an A4 page."""
    suffix = rendering.settings.get(PHOTO_FORMAT.name) or PHOTO_FORMAT.default
    relative = f"{rendering.entry}.{suffix}"
    writer.add(relative, rendering.document_type.name,
               [row for item in rendering.items for row in _rows(item)])
    photos = [_photo(item) for item in rendering.items]
    missing = [Problem("照片文件不存在", "photo file does not exist", Location(str(path)))
               for path, _ in photos if not path.is_file()]
    if missing:
        raise InputError(missing)

    def write() -> None:
        from .photopages import write_photo_pages

        captions = {path.name: caption for path, caption in photos if caption}
        write_photo_pages([path for path, _ in photos], writer.path(relative), captions)

    return write


RENDERERS: tuple[Renderer, ...] = (
    Renderer(BOOKLET, render_booklet, consumes="one Binder per booklet (cover, sections of files)",
             writes=".pdf + .docx booklet: cover, contents, bookmarks, 第 N 页 共 M 页",
             fills_template=False, description="装订册：封面、目录、书签、页码 / a bound booklet"),
    Renderer(PHOTO_PAGES, render_photo_pages, consumes="one photo (path, caption) per item",
             writes=".docx (or .pdf), two captioned photos per A4 page",
             settings=(PHOTO_FORMAT,), fills_template=False,
             description="照片页：每页两张照片并配说明 / photo pages, two to a page"),
)
