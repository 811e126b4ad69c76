"""Word documents through docxtpl, rendered in the sandbox with autoescaping.

docxtpl re-opens the .docx, re-cleans its XML and recompiles the Jinja for every document it
renders; in a batch of thousands that is nearly all the time. :class:`WordTemplate` does that work
once and then, per document, only renders the compiled template and writes a zip, running the
same post-processing docxtpl runs (listing characters, table grid fixes, picture ids) so that the
document XML is the same. Contexts holding objects that need the document itself (pictures, rich
text, sub-documents) go through docxtpl as before.
"""

from __future__ import annotations

import copy
import re
import struct
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import Template, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree

from ..errors import TemplateError
from ..fields import ImageFile
from .jinja import template_failure
from .package import check_office_package

IMAGE_WIDTH_MM = 60
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_DOCXTPL_OBJECTS = ("InlineImage", "RichText", "RichTextParagraph", "Subdoc", "Listing")


def _place_images(value: Any, document: DocxTemplate) -> Any:
    """Image fields become pictures; docxtpl needs the document to build them."""
    if isinstance(value, ImageFile):
        return InlineImage(document, str(value), width=Mm(IMAGE_WIDTH_MM))
    if isinstance(value, Mapping):
        return {k: _place_images(v, document) for k, v in value.items()}
    if isinstance(value, list):
        return [_place_images(v, document) for v in value]
    return value


def needs_document(value: Any, depth: int = 3) -> bool:
    """Whether a value holds pictures or docxtpl objects, which only docxtpl can place."""
    if isinstance(value, ImageFile) or type(value).__name__ in _DOCXTPL_OBJECTS:
        return True
    if depth and isinstance(value, Mapping):
        return any(needs_document(v, depth - 1) for v in value.values())
    if depth and isinstance(value, list | tuple):
        return any(needs_document(v, depth - 1) for v in value)
    return False


def render_docx(template: Path, context: Mapping[str, Any], env: ImmutableSandboxedEnvironment,
                target: Path) -> None:
    """Fill ``template`` with docxtpl itself (one document; pictures allowed)."""
    check_office_package(template)
    document = DocxTemplate(str(template))
    try:
        document.render(_place_images(dict(context), document), jinja_env=env, autoescape=True)
    except Exception as error:  # docxtpl surfaces Jinja, sandbox and XML errors alike
        raise template_failure(template.name, error) from None
    document.save(str(target))


class WordTemplate:
    """A Word template read, cleaned and compiled once, then rendered many times."""

    def __init__(self, path: Path, env: ImmutableSandboxedEnvironment):
        self.path, self.env = Path(path), env
        check_office_package(self.path)
        self.helper = DocxTemplate(str(path))  # lends its XML cleaning and fixing methods
        try:
            self.helper.init_docx()
        except Exception as error:
            raise TemplateError(f"无法打开 Word 模板「{self.path.name}」：{error} / "
                                f"cannot open Word template {self.path.name!r}: {error}") from None
        document = self.helper.docx
        self.head, self.tail = _around_body(document.element)
        self.main_part = str(document.part.partname).lstrip("/")
        self._sources: dict[Template, str] = {}
        sources = [self.helper.patch_xml(self.helper.get_xml())]
        self.body = self._compile(sources[0])
        self.parts: dict[str, tuple[Template, str]] = {}
        self.fast = not self._has_templated_extras(document)
        for uri in (self.helper.HEADER_URI, self.helper.FOOTER_URI):
            for _, part in self.helper.get_headers_footers(uri):
                xml = self.helper.get_part_xml(part)
                if "{" in xml:
                    sources.append(self.helper.patch_xml(xml))
                    compiled = self._compile(sources[-1])
                    encoding = self.helper.get_headers_footers_encoding(xml)
                    self.parts[str(part.partname).lstrip("/")] = (compiled, encoding)
        self.entries = _read_compressed(self.path)
        #: Top-level names the template reads: a batch sends workers only these.
        self.names = set().union(*(meta.find_undeclared_variables(env.parse(src))
                                   for src in sources))
        #: docxtpl's table fixing matters only for column loops; other tables are left as drawn.
        self.column_loops = any("{%tc" in src or "{% tc" in src for src in sources)

    @staticmethod
    def _has_templated_extras(document) -> bool:
        """Core properties and footnotes with Jinja in them are left to docxtpl."""
        core = document.core_properties
        texts = [getattr(core, name) or "" for name in ("author", "comments", "identifier",
                                                         "language", "subject", "title")]
        footnotes = [p.blob for p in document.part.package.parts
                     if p.content_type.endswith("footnotes+xml")]
        return any("{" in t for t in texts) or any(b"{" in b for b in footnotes)

    def _compile(self, xml: str) -> Template:
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)  # a line a paragraph, to name it
        try:
            compiled = self.env.from_string(source)
        except Exception as error:
            raise template_failure(self.path.name, error) from None
        self._sources[compiled] = source
        return compiled

    def _render_text(self, template: Template, context: Mapping[str, Any]) -> str:
        try:
            xml = template.render(context)
        except Exception as error:
            raise template_failure(self.path.name, error,
                                   _paragraph_at(self._sources[template])) from None
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        xml = (xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%")
               .replace("%_}", "%}"))
        if any(c in xml for c in "\t\a\n\f"):  # tabs, breaks in values: docxtpl's "listing"
            xml = self.helper.resolve_listing(xml)
        return xml

    def render_body(self, context: Mapping[str, Any]) -> etree._Element:
        """The filled ``w:body``, fixed as docxtpl fixes it."""
        xml = self._render_text(self.body, context)
        tree = (self.helper.fix_tables(xml) if self.column_loops
                else etree.fromstring(xml, etree.XMLParser(recover=True)))
        _renumber_pictures(tree)
        return tree

    def _write(self, target: Path, body: etree._Element, parts: Mapping[str, bytes]) -> None:
        document = self.head + _serialise(body)
        replaced = {**parts, self.main_part: document + self.tail}
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            for info, raw in self.entries:
                if info.filename in replaced:
                    archive.writestr(info.filename, replaced[info.filename])
                else:
                    _write_compressed(archive, info, raw)

    def render(self, context: Mapping[str, Any], target: Path,
               with_docxtpl: bool | None = None) -> etree._Element | None:
        """Write one document; returns its body for a :class:`PrintFile` (None via docxtpl).

        ``with_docxtpl`` says whether the context holds pictures or docxtpl objects; a batch
        works it out once for the shared part rather than walking every list per form.
        """
        if with_docxtpl is None:
            with_docxtpl = needs_document(context, depth=3)
        if not self.fast or with_docxtpl:
            render_docx(self.path, context, self.env, target)
            return None
        body = self.render_body(context)
        parts = {name: self._render_text(compiled, context).encode(encoding)
                 for name, (compiled, encoding) in self.parts.items()}
        self._write(target, body, parts)
        return body

    def print_file(self, target: Path, copies: int = 1) -> PrintFile:
        """A print file of forms from this template, written as the forms are rendered."""
        return PrintFile(self, target, copies)


class PrintFile:
    """One print file of many forms, each starting on a new page, ``copies`` times over.

    Each form's body is serialised straight into the compressed main part as soon as it is
    rendered, so a volume of a hundred forms never holds more than one form's tree. The XML is
    what joining the trees would give: the first form's ``w:body`` and ``w:sectPr`` around every
    form's content, pictures numbered through.
    """

    def __init__(self, template: WordTemplate, target: Path, copies: int = 1):
        self.template, self.target, self.copies = template, Path(target), max(1, copies)
        self._main = [info.filename for info, _ in template.entries].index(template.main_part)
        self._archive = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6)
        for info, raw in template.entries[:self._main]:
            _write_compressed(self._archive, info, raw)
        main = zipfile.ZipInfo(template.main_part, date_time=time.localtime()[:6])
        main.compress_type = zipfile.ZIP_DEFLATED
        self._stream = self._archive.open(main, "w")
        self._stream.write(template.head)
        self._ending = b""  # the first form's w:sectPr and </w:body>, written last
        self._forms = 0
        self._picture = 1001

    def add(self, body: etree._Element) -> None:
        """Append one rendered form; its tree is changed (the form has been written already)."""
        section = body.find(f"{{{_W}}}sectPr")
        if section is not None:
            body.remove(section)
        if not self._forms:
            self._begin(body, section)
        pictures = list(body.iter(f"{{{_WP}}}docPr"))
        separator, content = None, b""
        for copy_number in range(self.copies):
            if separator is None and (self._forms or copy_number):
                separator, content = _break_before(body), b""
            if pictures:
                for number, element in enumerate(pictures, start=self._picture):
                    element.set("id", str(number))
                self._picture += len(pictures)
                content = b""
            if not content:
                content = _split_element(_serialise(body))[1]
            self._stream.write((separator or b"") + content)
        self._forms += 1

    def _begin(self, body: etree._Element, section: etree._Element | None) -> None:
        start, content, end = _split_element(_serialise(body))
        self._stream.write(start)
        if section is None:
            self._ending = end
            return
        body.append(section)
        with_section = _split_element(_serialise(body))[1]
        body.remove(section)
        # The section as it is written inside w:body (no repeated namespace declarations).
        ending = (with_section[len(content):] if with_section.startswith(content)
                  else _serialise(section))
        self._ending = ending + end

    def close(self) -> None:
        """Finish the main part and copy the template's remaining parts."""
        self._stream.write(self._ending + self.template.tail)
        self._stream.close()
        for info, raw in self.template.entries[self._main + 1:]:
            _write_compressed(self._archive, info, raw)
        self._archive.close()

    def discard(self) -> None:
        """Drop a print file that is not to be finished (its forms went through docxtpl)."""
        self._stream.close()
        self._archive.close()
        self.target.unlink(missing_ok=True)


def _paragraph_at(source: str) -> Callable[[int], tuple[str, str]]:
    """Names the paragraph on a line of a part compiled by :meth:`WordTemplate._compile`."""

    def describe(line: int) -> tuple[str, str]:
        lines = source.split("\n")
        if not 1 < line <= len(lines):  # line 1 is what comes before the first paragraph
            return "", ""
        text = re.sub(r"<[^>]+>", "", lines[line - 1])
        text = text if len(text) <= 40 else text[:39] + "…"
        return f"第 {line - 1} 段「{text}」", f" at paragraph {line - 1} ({text!r})"

    return describe


def _serialise(element: etree._Element) -> bytes:
    return etree.tostring(element, encoding="UTF-8", xml_declaration=False)


def _split_element(xml: bytes) -> tuple[bytes, bytes, bytes]:
    """An element's serialised start tag, content and end tag (lxml escapes ``>`` in values)."""
    start = xml.index(b">") + 1
    if xml[start - 2:start] == b"/>":
        name = xml[1:start - 2].split()[0].rstrip(b"/")
        return xml[:start - 2] + b">", b"", b"</" + name + b">"
    end = xml.rindex(b"</")
    return xml[:start], xml[start:end], xml[end:]


def _around_body(root: etree._Element) -> tuple[bytes, bytes]:
    """The main part's XML before and after ``<w:body>``, so each form only serialises its body.

    Putting bodies into the document tree instead costs little once, but detaching a large one
    (a print volume) again takes seconds.
    """
    xml = etree.tostring(root, encoding="UTF-8", standalone=True)
    start, end = xml.find(b"<w:body"), xml.rfind(b"</w:body>")
    if start < 0 or end < 0:
        raise TemplateError("Word 模板缺少正文 / the Word template has no document body")
    return xml[:start], xml[end + len(b"</w:body>"):]


def _read_compressed(path: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    """Every entry of a .docx with its bytes as stored (still compressed).

    Parts a render does not change are copied into each output as they are: compressing styles,
    theme and fonts again for every form would cost more than rendering it.
    """
    entries = []
    with zipfile.ZipFile(path) as archive, Path(path).open("rb") as handle:
        for info in archive.infolist():
            handle.seek(info.header_offset)
            header = handle.read(30)
            name_length, extra_length = struct.unpack("<HH", header[26:30])
            handle.seek(info.header_offset + 30 + name_length + extra_length)
            entries.append((info, handle.read(info.compress_size)))
    return entries


def _write_compressed(archive: zipfile.ZipFile, info: zipfile.ZipInfo, raw: bytes) -> None:
    """Append an entry whose compressed bytes, CRC and sizes are already known."""
    entry = copy.copy(info)
    entry.flag_bits &= ~0x08  # sizes are in the local header, no data descriptor follows
    entry.extra = b""
    archive.fp.seek(archive.start_dir)
    entry.header_offset = archive.fp.tell()
    archive.fp.write(entry.FileHeader(zip64=False))
    archive.fp.write(raw)
    archive.start_dir = archive.fp.tell()
    archive.filelist.append(entry)
    archive.NameToInfo[entry.filename] = entry
    archive._didModify = True


def _renumber_pictures(tree: etree._Element) -> None:
    """Unique drawing ids from 1001 on, as docxtpl numbers them."""
    for number, element in enumerate(tree.iter(f"{{{_WP}}}docPr"), start=1001):
        element.set("id", str(number))


def _break_before(body: etree._Element) -> bytes:
    """Start a form on a new page without an empty page when the previous form fills its page.

    A form opening with a paragraph gets ``pageBreakBefore`` on it; otherwise the bytes of a
    page-break paragraph to write before it are returned.
    """
    first = next((child for child in body if child.tag != f"{{{_W}}}sectPr"), None)
    if first is not None and first.tag == f"{{{_W}}}p":
        properties = first.find(f"{{{_W}}}pPr")
        if properties is None:
            properties = etree.Element(f"{{{_W}}}pPr")
            first.insert(0, properties)
        leading = {f"{{{_W}}}{name}" for name in ("pStyle", "keepNext", "keepLines")}
        position = sum(1 for child in properties if child.tag in leading)  # schema order
        properties.insert(position, etree.Element(f"{{{_W}}}pageBreakBefore"))
        return b""
    if body.nsmap.get("w") == _W:
        return b'<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
    paragraph = etree.Element(f"{{{_W}}}p")
    run = etree.SubElement(paragraph, f"{{{_W}}}r")
    etree.SubElement(run, f"{{{_W}}}br", {f"{{{_W}}}type": "page"})
    return _serialise(paragraph)


def combine_docx(parts: Iterable[Path], target: Path, copies: int = 1) -> None:
    """One printable file of any .docx files (pictures included), through docxcompose."""
    from docx import Document
    from docx.enum.text import WD_BREAK

    from .compose import composing

    sequence = [part for part in parts for _ in range(max(1, copies))]
    if not sequence:
        return
    with composing() as Composer:
        master = Document(str(sequence[0]))
        composer = Composer(master)
        for part in sequence[1:]:
            document = Document(str(part))
            first = document.element.body[0] if len(document.element.body) else None
            if first is not None and first.tag.endswith("}p"):
                document.paragraphs[0].paragraph_format.page_break_before = True
            else:
                master.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            composer.append(document)
        composer.save(str(target))
