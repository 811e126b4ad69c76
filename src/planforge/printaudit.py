"""The print audit: what a reviewing office would send back, read from the PDFs of a package.

A package is only ready to stamp when every page prints as meant: a form meant for one page is
one page, a signature and stamp block is neither split nor stranded on a page of its own, no
text is cut off or printed over other text, a multi-page output numbers its pages 第 N 页 共 M 页,
Chinese prints with Simplified-Chinese glyphs, and no developer artefact (a file path, a Python
repr, a ``\\u`` escape) reaches the paper. :func:`audit_folder` converts a finished folder's
documents once (one LibreOffice run) or reads the PDFs beside them, and returns one
:class:`~planforge.errors.Problem` per finding, naming the file and the page.
"""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import Location, Problem
from .fonts import FONT_FOLDERS

__all__ = ["ONE_PAGE_TYPES", "Page", "audit_folder", "audit_pdf", "read_pdf"]

#: Document types printed as one page each (None: always; a number: when the manifest lists
#: at most that many rows). The combined print files (合订打印) hold many forms and are exempt.
ONE_PAGE_TYPES: dict[str, int | None] = {
    "gd-subsidy-application": None,
    "gd-subsidy-changes": 15,
    "gd-subsidy-county-summary": None,
    "gd-subsidy-city-summary": None,
    "hardship-application": None,
    "hardship-roster": 15,
}
COMBINED_MARK = "合订打印"
OFFICE_SUFFIXES = (".docx", ".xlsx")
#: Words of a signature/stamp block under a form.
SIGNATURE_WORDS = ("盖章", "填表人", "审核人", "负责人", "填表日期", "填报日期", "年　　月　　日",
                   "年 月 日")
#: Words of the last lines of a table that must stand above a signature block.
TOTAL_WORDS = ("合计", "总计", "大写")
_PAGE_OF = re.compile(r"第\s*(\d+)\s*页\s*[，,]?\s*共\s*(\d+)\s*页")
_ARTEFACTS = (
    (re.compile(r"\\u[0-9a-fA-F]{4}"), "\\u 转义序列", "a \\u escape"),
    (re.compile(r"(?:^|[\s（(：:])(?:/(?:tmp|home|work|usr|var|root|Users)/|[A-Za-z]:\\\\?\w)"),
     "文件路径", "a file path"),
    (re.compile(r"(?:Decimal|datetime\.date|datetime\.datetime|date)\(|<[\w.]+ object at 0x|"
                r"\{'[^']*': |\['[^']*'(?:, |\])|\bNone\b|\bTrue\b|\bFalse\b|\bnan\b"),
     "Python 内部表示", "a Python repr"),
    (re.compile(r"\{\{|\}\}|\{%|%\}"), "未填充的模板标记", "an unrendered template tag"),
)
#: Fonts whose name says they are not Simplified Chinese (outside the Noto/Source Han
#: collections, whose shared outlines carry a JP name for every language: those are checked
#: glyph by glyph).
_FOREIGN_FONT = re.compile(r"(?i)mincho|gothic|ipa[pe]?[mg]|takao|batang|gulim|dotum|"
                           r"ming(?:liu)?\b|(?:han ?(?:sans|serif) ?(?:jp|kr|tc|hk|j|k)\b)")
_COLLECTION_FONT = re.compile(r"(?:Noto|SourceHan)(Sans|Serif)CJK(jp|kr|sc|tc|hk)-(\w+?)(?:-|$)")


@dataclass(frozen=True)
class Line:
    """One printed line: its text and its box (PDF points, top-down)."""

    text: str
    top: float
    bottom: float
    x0: float
    x1: float


@dataclass
class Page:
    """The lines of one PDF page, its characters' boxes and the fonts it uses."""

    number: int
    height: float
    lines: list[Line]
    chars: list[tuple[str, float, float, float, float]]  # text, x0, top, x1, bottom

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def read_pdf(path: Path) -> list[Page]:
    """The pages of a PDF as lines of text with positions."""
    import pdfplumber

    pages = []
    with pdfplumber.open(str(path)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            chars = [(c["text"], c["x0"], c["top"], c["x1"], c["bottom"]) for c in page.chars
                     if c["text"].strip()]
            pages.append(Page(number, float(page.height), _lines(chars), chars))
    return pages


def _lines(chars: list[tuple[str, float, float, float, float]]) -> list[Line]:
    """Characters grouped into lines: same line when their boxes share most of their height."""
    lines: list[list[tuple[str, float, float, float, float]]] = []
    for char in sorted(chars, key=lambda c: (c[2], c[1])):
        for line in lines:
            top, bottom = line[0][2], line[0][4]
            shared = min(bottom, char[4]) - max(top, char[2])
            if shared > 0.6 * min(bottom - top, char[4] - char[2]):
                line.append(char)
                break
        else:
            lines.append([char])
    result = []
    for line in lines:
        line.sort(key=lambda c: c[1])
        text = ""
        for previous, char in zip([None, *line], line, strict=False):
            if previous is not None and char[1] - previous[3] > 0.8 * (char[4] - char[2]):
                text += " "
            text += char[0]
        result.append(Line(text, min(c[2] for c in line), max(c[4] for c in line),
                           min(c[1] for c in line), max(c[3] for c in line)))
    return sorted(result, key=lambda ln: ln.top)


# --------------------------------------------------------------------------- the checks


def _problem(path: Path, page: int | None, zh: str, en: str) -> Problem:
    where = f"{path}, 第{page}页/page {page}" if page else str(path)
    return Problem(zh, en, Location(where))


def overlapping_text(path: Path, pages: Sequence[Page]) -> list[Problem]:
    """Characters printed over other characters: text cut by a too-small row that runs into
    the next one, or a label running into the next cell."""
    found = []
    for page in pages:
        grid: dict[tuple[int, int], list[int]] = {}
        hits: list[str] = []
        for i, (_t, x0, top, x1, bottom) in enumerate(page.chars):
            for gx in range(int(x0 // 24), int(x1 // 24) + 1):
                for gy in range(int(top // 24), int(bottom // 24) + 1):
                    grid.setdefault((gx, gy), []).append(i)
        seen: set[tuple[int, int]] = set()
        for members in grid.values():
            for a_index, a in enumerate(members):
                for b in members[a_index + 1:]:
                    if (a, b) in seen:
                        continue
                    seen.add((a, b))
                    if _overlap(page.chars[a], page.chars[b]):
                        hits.append(page.chars[a][0] + page.chars[b][0])
        if hits:
            found.append(_problem(
                path, page.number,
                f"有{len(hits)}处文字互相重叠（如「{hits[0]}」）：单元格行高不够或文字跑进了相邻单元格",
                f"{len(hits)} place(s) where text prints over text (e.g. {hits[0]!r}): a row too "
                "low for its wrapped text, or a label running into the next cell"))
    return found


def _overlap(a: tuple[str, float, float, float, float],
             b: tuple[str, float, float, float, float]) -> bool:
    width = min(a[3], b[3]) - max(a[1], b[1])
    height = min(a[4], b[4]) - max(a[2], b[2])
    if width <= 0 or height <= 0:
        return False
    smaller = min((a[3] - a[1]) * (a[4] - a[2]), (b[3] - b[1]) * (b[4] - b[2]))
    same_glyph = a[0] == b[0] and abs(a[1] - b[1]) < 1 and abs(a[2] - b[2]) < 1
    return not same_glyph and width * height > 0.25 * smaller


#: A 年 or 月 alone, or a period cut after its dash (2023— / 2026年).
_LONE_UNIT = re.compile(r"(?:^|\s)(?:[年月]|\d+[—－~～-])(?:\s|$)")
_BLANK_DATE = re.compile(r"年\s*月(?:\s*日)?")


def broken_dates(path: Path, pages: Sequence[Page]) -> list[Problem]:
    """A date or period wrapped inside its cell (``2023—2026`` / ``年``): the column is too
    narrow. A blank date to fill in by hand (年 月 日) is not one."""
    found = []
    for page in pages:
        for line in page.lines:
            text = _BLANK_DATE.sub("", line.text)
            if _LONE_UNIT.search(text):
                found.append(_problem(path, page.number,
                                      f"日期被折成两行（「{line.text.strip()[:30]}」单独成行）：该列太窄",
                                      f"a date wraps inside its cell ({line.text.strip()[:30]!r} "
                                      "alone on a line): the column is too narrow"))
                break
    return found


def page_numbers(path: Path, pages: Sequence[Page], document_type: str = "") -> list[Problem]:
    """A multi-page output says 第 N 页 共 M 页 on each page, M the pages of this output.

    A combined print file of one-page forms is a pile of forms, not one output: exempt.
    """
    if len(pages) < 2 or COMBINED_MARK in path.name or (
            document_type in ONE_PAGE_TYPES and ONE_PAGE_TYPES[document_type] is None):
        return []  # a one-page form is reported as too long by one_page
    found = []
    for page in pages:
        marks = [(int(n), int(m)) for n, m in _PAGE_OF.findall(page.text.replace("\n", " "))]
        if (page.number, len(pages)) in marks:
            continue
        if marks:
            n, m = marks[0]
            found.append(_problem(path, page.number,
                                  f"页码写的是第{n}页共{m}页，应为第{page.number}页共{len(pages)}页",
                                  f"the page number says {n} of {m}, should be {page.number} of "
                                  f"{len(pages)}"))
        else:
            found.append(_problem(path, page.number,
                                  f"共{len(pages)}页的文件，本页没有“第 N 页 共 M 页”页码",
                                  f"a {len(pages)}-page output without 第 N 页 共 M 页 on this page"))
    return found


def signature_blocks(path: Path, pages: Sequence[Page]) -> list[Problem]:
    """A signature/stamp block is never split over two pages, nor alone on a page.

    A combined print file is one form per page, each checked in its own file: exempt.
    """
    if COMBINED_MARK in path.name:
        return []
    found = []
    for previous, page in zip([None, *pages], pages, strict=False):
        lines = [ln for ln in page.lines if not _PAGE_OF.search(ln.text)]
        signing = [i for i, ln in enumerate(lines) if any(w in ln.text for w in SIGNATURE_WORDS)]
        if not signing or previous is None:
            continue
        first = signing[0]
        # title rows printed on every page: same text at the same height
        repeated = {(ln.text, round(ln.top)) for ln in previous.lines}
        above = [ln for ln in lines[:first]
                 if ln.text.strip() and (ln.text, round(ln.top)) not in repeated]
        if not above:
            prev_signing = any(w in ln.text for ln in previous.lines for w in SIGNATURE_WORDS)
            zh = ("签名盖章栏被分在两页" if prev_signing else
                  "签名盖章栏单独成页，上面没有表格的最后一行或合计行")
            en = ("the signature and stamp block is split over two pages" if prev_signing else
                  "the signature and stamp block stands alone on the page, without the table's "
                  "last row or total above it")
            found.append(_problem(path, page.number, zh, en))
    return found


def one_page(path: Path, pages: Sequence[Page], document_type: str,
             rows: int | None) -> list[Problem]:
    """A form meant for one page (each 申请表, each 汇总表, 附件3 up to 15 changes) is one page."""
    if document_type not in ONE_PAGE_TYPES or COMBINED_MARK in path.name or len(pages) <= 1:
        return []
    limit = ONE_PAGE_TYPES[document_type]
    if limit is not None and rows is not None and rows > limit:
        return []
    return [_problem(path, None, f"应为一页的表格打印成了{len(pages)}页",
                     f"a form meant for one page prints on {len(pages)} pages")]


def artefacts(path: Path, pages: Sequence[Page]) -> list[Problem]:
    """Developer artefacts on paper: file paths, Python reprs, ``\\u`` escapes, template tags."""
    found = []
    for page in pages:
        for line in page.lines:
            for pattern, zh, en in _ARTEFACTS:
                match = pattern.search(line.text)
                if match:
                    found.append(_problem(path, page.number,
                                          f"纸面上出现{zh}：「{line.text.strip()[:60]}」",
                                          f"{en} on paper: {line.text.strip()[:60]!r}"))
    return found


# --------------------------------------------------------------------------- fonts


@cache
def _collection_cmaps(family: str, weight: str) -> dict[str, dict[int, str]] | None:
    """{language: cmap} of an installed Noto CJK collection (NotoSerifCJK-Regular.ttc)."""
    from fontTools.ttLib import TTFont

    for folder in FONT_FOLDERS:
        for path in folder.rglob(f"Noto{family}CJK-{weight}.tt[cf]"):
            cmaps = {}
            for index in range(10):
                try:
                    font = TTFont(str(path), fontNumber=index, lazy=True)
                except Exception:  # past the last face of the collection
                    break
                match = _COLLECTION_FONT.match(font["name"].getDebugName(6) or "")
                if match:
                    cmaps[match.group(2)] = font.getBestCmap()
            return cmaps or None
    return None


def _glyphs(font: object) -> dict[str, str]:
    """{glyph name: text} of a simple PDF font: its encoding's glyph names and its ToUnicode."""
    from pypdf.generic import IndirectObject

    font = font.get_object() if isinstance(font, IndirectObject) else font
    descriptor = font.get("/FontDescriptor")
    program = descriptor.get_object().get("/FontFile") if descriptor else None
    if program is None or "/ToUnicode" not in font:
        return {}
    program = program.get_object()
    clear = program.get_data()[: int(program["/Length1"])].decode("latin-1")
    names = {int(code): name for code, name in re.findall(r"dup (\d+) /(\S+) put", clear)}
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    texts: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            texts[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be", "replace")
    return {names[c]: t for c, t in texts.items() if c in names}


def _cid(glyph: str) -> str:
    """``cid00018`` and ``cid018`` are one glyph (subsets drop the padding)."""
    return str(int(glyph[3:])) if glyph.startswith("cid") and glyph[3:].isdigit() else glyph


def fonts(path: Path) -> list[Problem]:
    """Chinese prints in Simplified-Chinese faces: no Japanese, Korean or traditional glyphs."""
    from pypdf import PdfReader

    found: dict[str, set[str]] = {}
    for page in PdfReader(str(path)).pages:
        resources = page.get("/Resources")
        fonts_ = resources.get_object().get("/Font") if resources else None
        for font in (fonts_.get_object().values() if fonts_ else ()):
            name = str(font.get_object().get("/BaseFont", "")).split("+")[-1]
            match = _COLLECTION_FONT.search(name)
            if match:
                cmaps = _collection_cmaps(match.group(1), match.group(3))
                if cmaps is None or "sc" not in cmaps:
                    continue  # the collection is not installed here: nothing to compare with
                for glyph, text in _glyphs(font).items():
                    if len(text) != 1:
                        continue
                    # another language's variant of the character, not the SC one (alternate
                    # glyphs such as tabular digits are no language's default and pass)
                    variants = {_cid(c[ord(text)]) for c in cmaps.values() if ord(text) in c}
                    simplified = _cid(cmaps["sc"].get(ord(text), ""))
                    if _cid(glyph) in variants - {simplified}:
                        found.setdefault(name, set()).add(text)
            elif _FOREIGN_FONT.search(name):
                found.setdefault(name, set())
    return [_problem(path, None,
                     f"字体「{name}」不是简体中文字形" + (f"（如「{''.join(sorted(chars)[:5])}」）"
                                                if chars else ""),
                     f"the font {name} does not print Simplified-Chinese glyphs"
                     + (f" (e.g. {''.join(sorted(chars)[:5])!r})" if chars else ""))
            for name, chars in sorted(found.items())]


def declared_language(path: Path) -> list[Problem]:
    """A .docx declares zh-CN as its East Asian language (what Word uses to pick glyphs)."""
    if path.suffix.lower() != ".docx":
        return []
    try:
        with zipfile.ZipFile(path) as archive:
            styles = archive.read("word/styles.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return []
    defaults = re.search(r"<w:rPrDefault>.*?</w:rPrDefault>", styles, re.S)
    language = re.search(r'w:eastAsia="([^"]+)"', re.search(
        r"<w:lang [^>]*>", defaults.group(0)).group(0)) if defaults and re.search(
        r"<w:lang [^>]*>", defaults.group(0)) else None
    if language and language.group(1) == "zh-CN":
        return []
    said = language.group(1) if language else "未声明"
    return [_problem(path, None, f"文档的东亚语言为{said}，应为 zh-CN（简体中文）",
                     f"the document's East Asian language is {said}, not zh-CN")]


# --------------------------------------------------------------------------- whole folders


def audit_pdf(pdf: Path, shown_as: Path | None = None, document_type: str = "",
              rows: int | None = None) -> list[Problem]:
    """Every print check on one PDF; problems name ``shown_as`` (the document it was made from)."""
    name = shown_as or pdf
    pages = read_pdf(pdf)
    return [*one_page(name, pages, document_type, rows), *signature_blocks(name, pages),
            *page_numbers(name, pages, document_type), *overlapping_text(name, pages),
            *broken_dates(name, pages), *artefacts(name, pages),
            *(_renamed(fonts(pdf), pdf, name))]


def _renamed(problems: Iterable[Problem], pdf: Path, name: Path) -> list[Problem]:
    return [Problem(p.zh, p.en, Location(str(p.where.file).replace(str(pdf), str(name))))
            for p in problems]


def _manifest(folder: Path) -> Mapping[str, tuple[str, int]]:
    """{relative path: (document type, rows)} from manifest.json, empty without one."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {f["path"]: (f.get("document_type", ""), len(f.get("rows") or []))
            for f in manifest.get("files", []) if isinstance(f, dict) and "path" in f}


def audit_folder(folder: Path) -> list[Problem]:
    """Audit every document of a finished folder (after hand edits too).

    Office files are converted in one LibreOffice run with planforge's font mapping; a PDF
    already beside a document (``fill --pdf``) is audited as the file the clerk will print.
    """
    from .default_plugins.convert import convert_to_pdf

    folder = Path(folder)
    listed = _manifest(folder)
    documents = sorted(p for p in folder.rglob("*")
                       if p.suffix.lower() in OFFICE_SUFFIXES and not p.name.startswith((".", "~$")))
    problems = [p for d in documents for p in declared_language(d)]
    pdfs = {p.with_suffix(""): p for p in folder.rglob("*.pdf")}
    with tempfile.TemporaryDirectory(prefix="planforge-print-") as tmp:
        to_convert = [d for d in documents if d.with_suffix("") not in pdfs]
        converted = dict(zip(to_convert, convert_to_pdf(to_convert, Path(tmp)), strict=True)) \
            if to_convert else {}
        for document in documents:
            pdf = converted.get(document) or pdfs[document.with_suffix("")]
            relative = document.relative_to(folder).as_posix()
            kind, rows = listed.get(relative, ("", None))
            problems += audit_pdf(pdf, document, kind, rows)
        for stem, pdf in sorted(pdfs.items()):
            if not any(d.with_suffix("") == stem for d in documents):
                relative = pdf.relative_to(folder).as_posix()
                kind, rows = listed.get(relative, ("", None))
                problems += audit_pdf(pdf, pdf, kind, rows)
    return problems
