"""What a booklet is made of: a cover, titled sections of files or photos, and what a build made.

Every booklet (an activity dossier, a binder list, a hardship 专项档案) is one :class:`Binder`;
the PDF and the Word booklet are both built from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from planforge.errors import ToolMissingError
from planforge.text import clean_context

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
    """Photo pages laid out by :mod:`.photopages` (two photos per A4 page, captioned)."""

    paths: tuple[Path, ...]
    captions: Mapping[str, str] = field(default_factory=dict)
    title: str = ""


@dataclass(frozen=True)
class Section:
    """A titled part of the booklet: its documents in order, or a block of photo pages.

    ``title_page`` opens the section with a page bearing its title, for parts that print no
    title of their own (photo pages, scans of handwritten originals).
    """

    title: str
    documents: tuple[Document | Photos, ...] = ()
    title_page: bool = False


@dataclass(frozen=True)
class Cover:
    """What the cover shows: a big title and lines under it (date, organiser, partners…)."""

    title: str
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Binder:
    """A whole booklet: every page, the cover too, is counted and numbered 第 N 页 共 M 页."""

    cover: Cover
    sections: tuple[Section, ...]
    contents_title: str = "目  录"


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
        sections.append(replace(section, title=title, documents=tuple(documents)))
        removed += count
    (cover, lines, contents), count = clean_context(
        (binder.cover.title, list(binder.cover.lines), binder.contents_title))
    cleaned = replace(binder, cover=Cover(cover, tuple(lines)), sections=tuple(sections),
                      contents_title=contents)
    return cleaned, removed + count

