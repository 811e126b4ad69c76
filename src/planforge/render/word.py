"""Word documents through docxtpl, rendered in the sandbox with autoescaping.

docxtpl re-opens the .docx, re-cleans its XML and recompiles the Jinja for every document it
renders; in a batch of thousands that is nearly all the time. :class:`WordTemplate` does that work
once and then, per document, only renders the compiled template and writes a zip, running the
same post-processing docxtpl runs (listing characters, table grid fixes, picture ids) so that the
document XML is the same. A document whose values include objects that need the document itself
(pictures, rich text, sub-documents) goes through docxtpl: the fast path notices such a value
when it is about to print it, wherever it sits in the context, and hands the document over.
"""

from __future__ import annotations

import copy
import re
import struct
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
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
from .wordpictures import replacement_media

IMAGE_WIDTH_MM = 60
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
#: What lies between ``{{``/``{%`` and ``}}``/``%}`` (docxtpl's own reading of a tag).
_TAG_CONTENT = re.compile(r"(?<=\{[\{%])(.*?)(?=[\}%]})")
_ENTITY = re.compile(r"&(amp|quot|apos|lt|gt|#[0-9]+|#x[0-9a-fA-F]+);")
_ENTITIES = {"amp": "&", "quot": '"', "apos": "'", "lt": "<", "gt": ">"}


def _unescape_entity(match: re.Match) -> str:
    name = match.group(1)
    if name[0] != "#":
        return _ENTITIES[name]
    code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
    return chr(code) if 0 < code < 0x110000 else match.group(0)


def _unescape_tag(match: re.Match) -> str:
    return _ENTITY.sub(_unescape_entity, match.group(0))


class Docx(DocxTemplate):
    """docxtpl reading literals inside Jinja tags as typed in Word.

    Word stores ``{{ x or "A&B" }}`` as ``A&amp;B``; docxtpl unescapes only ``&lt;``/``&gt;`` there,
    so autoescaping printed ``A&amp;B``. Entities inside tags are unescaped once, when the
    template is prepared; values are still escaped once when printed.
    """

    def patch_xml(self, src_xml: str) -> str:
        return _TAG_CONTENT.sub(_unescape_tag, super().patch_xml(src_xml))


class _NeedsDocument(Exception):
    """A value only docxtpl can place (a picture, rich text) reached the fast path's output."""


def _handing_over(finalize: Any) -> Any:
    """The fast path's ``finalize``: a rich value stops the render instead of printing as text.

    Rich values are pictures and objects printing their own markup (docxtpl's rich text,
    sub-documents); plain strings, the usual value, pass with one comparison.
    """
    def check(value: Any) -> Any:
        if value.__class__ is not str and (isinstance(value, ImageFile) or (
                not isinstance(value, str) and hasattr(value, "__html__"))):
            raise _NeedsDocument
        return finalize(value)
    return check


def _placing_pictures(finalize: Any, document: DocxTemplate) -> Any:
    """docxtpl's ``finalize``: an image field, at whatever depth, prints as the picture itself.

    A plugin's own ``InlineImage`` (it never sees the document) is placed in this one.
    """
    def place(value: Any) -> Any:
        if isinstance(value, ImageFile):
            return InlineImage(document, str(value), width=Mm(IMAGE_WIDTH_MM))
        if isinstance(value, InlineImage) and value.tpl is not document:  # made by a plugin
            return InlineImage(document, value.image_descriptor, value.width, value.height,
                               value.anchor)
        if type(value).__name__ == "Subdoc":  # its parts live in the document that made it
            raise ValueError("不支持子文档（Subdoc） / sub-documents (Subdoc) are not supported")
        return finalize(value)
    return place


def render_docx(template: Path, context: Mapping[str, Any], env: ImmutableSandboxedEnvironment,
                target: Path, media: Mapping[str, bytes] | None = None) -> None:
    """Fill ``template`` with docxtpl itself (one document; pictures allowed).

    ``media`` replaces the template's image parts (by zip member name) with new bytes.
    """
    check_office_package(template)
    document = Docx(str(template))
    placing = env.overlay(finalize=_placing_pictures(env.finalize or _same, document))
    try:
        document.render(dict(context), jinja_env=placing, autoescape=True)
    except Exception as error:  # docxtpl surfaces Jinja, sandbox and XML errors alike
        raise template_failure(template.name, error) from None
    for part in document.docx.part.package.iter_parts() if media else ():
        data = media.get(str(part.partname).lstrip("/"))
        if data is not None:
            part._blob = data  # as docxtpl's own replace_pic does
    document.save(str(target))


def _same(value: Any) -> Any:
    return value


class WordTemplate:
    """A Word template read, cleaned and compiled once, then rendered many times."""

    def __init__(self, path: Path, env: ImmutableSandboxedEnvironment,
                 pictures: Mapping[str, Path] | None = None):
        """``pictures`` replaces pictures of the template (by name) with image files."""
        self.path, self.env = Path(path), env
        self.pictures = dict(pictures or {})
        check_office_package(self.path)
        self.helper = Docx(str(path))  # lends its XML cleaning and fixing methods
        try:
            self.helper.init_docx()
        except Exception as error:
            raise TemplateError(f"无法打开 Word 模板「{self.path.name}」：{error} / "
                                f"cannot open Word template {self.path.name!r}: {error}") from None
        #: The template's image parts replaced in every document, by zip member name.
        self.media = replacement_media(self.helper.docx, self.path.name, self.pictures)
        #: The fast path's environment: a picture or rich text value hands the form to docxtpl.
        self.fast_env = env.overlay(finalize=_handing_over(env.finalize or _same))
        document = self.helper.docx
        self.head, self.tail = _around_body(document.element)
        self.main_part = str(document.part.partname).lstrip("/")
        self._sources: dict[Template, str] = {}  # each compiled part's source, to name paragraphs
        #: The patched body, as compiled (``\n`` before each paragraph, as docxtpl does).
        self.body_source = _paragraphs_on_lines(self.helper.patch_xml(self.helper.get_xml()))
        sources = [self.body_source]
        self.body = self.compile(self.body_source)
        self.parts: dict[str, tuple[Template, str]] = {}
        self.fast = not self._has_templated_extras(document)
        for uri in (self.helper.HEADER_URI, self.helper.FOOTER_URI):
            for _, part in self.helper.get_headers_footers(uri):
                xml = self.helper.get_part_xml(part)
                if "{" in xml:
                    sources.append(_paragraphs_on_lines(self.helper.patch_xml(xml)))
                    compiled = self.compile(sources[-1])
                    encoding = self.helper.get_headers_footers_encoding(xml)
                    self.parts[str(part.partname).lstrip("/")] = (compiled, encoding)
        self.entries = _read_compressed(self.path)
        #: Top-level names the template reads: a batch sends workers only these.
        self.names = set().union(*(meta.find_undeclared_variables(env.parse(src))
                                   for src in sources))

    @staticmethod
    def _has_templated_extras(document) -> bool:
        """Core properties and footnotes with Jinja in them are left to docxtpl."""
        core = document.core_properties
        texts = [getattr(core, name) or "" for name in ("author", "comments", "identifier",
                                                         "language", "subject", "title")]
        footnotes = [p.blob for p in document.part.package.parts
                     if p.content_type.endswith("footnotes+xml")]
        return any("{" in t for t in texts) or any(b"{" in b for b in footnotes)

    def compile(self, source: str) -> Template:
        """Compile patched XML for the fast path (errors name the template)."""
        try:
            compiled = self.fast_env.from_string(source)
        except Exception as error:
            raise template_failure(self.path.name, error) from None
        self._sources[compiled] = source
        return compiled

    def render_text(self, template: Template, context: Mapping[str, Any]) -> str:
        """Render compiled XML and post-process the text as docxtpl's ``render_xml_part`` does.

        Raises ``_NeedsDocument`` when a picture or rich text value is about to be printed.
        """
        try:
            xml = template.render(context)
        except _NeedsDocument:
            raise
        except Exception as error:
            raise template_failure(self.path.name, error,
                                   _paragraph_at(self._sources[template])) from None
        return self.finish_text(xml)

    def generate(self, template: Template, context: Mapping[str, Any]) -> Iterator[str]:
        """:meth:`render_text` before :meth:`finish_text`, piece by piece as Jinja renders it."""
        try:
            yield from template.generate(context)
        except _NeedsDocument:
            raise
        except Exception as error:
            raise template_failure(self.path.name, error,
                                   _paragraph_at(self._sources[template])) from None

    def finish_text(self, xml: str) -> str:
        """docxtpl's passes over rendered text: paragraph lines joined, escaped braces, listing."""
        # re.sub(r"\n<w:p([ >])", r"<w:p\1", xml), as docxtpl writes it, without a call a match
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        xml = (xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%")
               .replace("%_}", "%}"))
        if any(c in xml for c in "\t\a\n\f"):  # tabs, breaks in values: docxtpl's "listing"
            xml = self.helper.resolve_listing(xml)
        return xml

    def fix_tables(self, xml: str) -> etree._Element:
        """Parse rendered XML and fit each table's grid to its cells, as docxtpl always does."""
        try:
            return self.helper.fix_tables(xml)
        except Exception as error:  # a table without a grid, as docxtpl itself would fail
            raise template_failure(self.path.name, error) from None

    def render_body(self, context: Mapping[str, Any]) -> etree._Element:
        """The filled ``w:body``, fixed as docxtpl fixes it."""
        tree = self.fix_tables(self.render_text(self.body, context))
        _renumber_pictures(tree)
        return tree

    def render_parts(self, context: Mapping[str, Any]) -> dict[str, bytes]:
        """The filled headers and footers, by part name."""
        return {name: self.render_text(compiled, context).encode(encoding)
                for name, (compiled, encoding) in self.parts.items()}

    def _write(self, target: Path, body: etree._Element, parts: Mapping[str, bytes]) -> None:
        document = self.head + _serialise(body)
        replaced = {**self.media, **parts, self.main_part: document + self.tail}
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            copy_entries(archive, self.entries, replaced)

    def render(self, context: Mapping[str, Any], target: Path) -> RenderedForm | None:
        """Write one document; returns it for a :class:`PrintFile` (None via docxtpl)."""
        if self.fast:
            try:
                body = self.render_body(context)
                parts = self.render_parts(context)
            except _NeedsDocument:
                pass
            else:
                self._write(target, body, parts)
                return RenderedForm(body, parts)
        render_docx(self.path, context, self.env, target, self.media)
        return None

    def print_file(self, target: Path, copies: int = 1) -> PrintFile:
        """A print file of forms from this template, written as the forms are rendered."""
        return PrintFile(self, target, copies)


@dataclass
class RenderedForm:
    """A form the fast path wrote: its filled body and headers/footers, for a print file."""

    body: etree._Element
    parts: dict[str, bytes]


class MainPartWriter:
    """A document written part by part, its main part streamed between the template's head
    and tail, so that no more than a piece of the body is ever held."""

    def __init__(self, template: WordTemplate, target: Path,
                 parts: Mapping[str, bytes] | None = None):
        self.template, self.target = template, Path(target)
        self.parts = {**template.media, **(parts or {})}
        names = [info.filename for info, _ in template.entries]
        self._main = names.index(template.main_part)
        self._archive = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6)
        copy_entries(self._archive, template.entries[:self._main], self.parts)
        main = _new_entry(template.entries[self._main][0])
        self._stream = self._archive.open(main, "w")
        self._stream.write(template.head)

    def write(self, data: bytes) -> None:
        self._stream.write(data)

    def close(self) -> None:
        """Finish the main part and copy the template's remaining parts."""
        self._stream.write(self.template.tail)
        self._stream.close()
        copy_entries(self._archive, self.template.entries[self._main + 1:], self.parts)
        self._archive.close()

    def discard(self) -> None:
        """Drop a document that is not to be finished."""
        self._stream.close()
        self._archive.close()
        self.target.unlink(missing_ok=True)


class PrintFile:
    """One print file of many forms, each starting on a new page, ``copies`` times over.

    Each form's body is serialised straight into the compressed main part as soon as it is
    rendered, so a volume of a hundred forms never holds more than one form's tree. The XML is
    what joining the trees would give: the first form's ``w:body`` and ``w:sectPr`` around every
    form's content, pictures numbered through.
    """

    def __init__(self, template: WordTemplate, target: Path, copies: int = 1):
        self.template, self.target, self.copies = template, Path(target), max(1, copies)
        self._writer: MainPartWriter | None = None  # opened with the first form's headers
        self._ending = b""  # the first form's w:sectPr and </w:body>, written last
        self._forms = 0
        self._picture = 1001

    def add(self, form: RenderedForm) -> None:
        """Append one rendered form; its tree is changed (the form has been written already).

        The print file has the first form's section, so its headers and footers too.
        """
        body = form.body
        if self._writer is None:
            self._writer = MainPartWriter(self.template, self.target, form.parts)
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
            self._writer.write((separator or b"") + content)
        self._forms += 1

    def _begin(self, body: etree._Element, section: etree._Element | None) -> None:
        start, content, end = _split_element(_serialise(body))
        self._writer.write(start)
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
        if self._writer is None:
            self._writer = MainPartWriter(self.template, self.target)
        self._writer.write(self._ending)
        self._writer.close()

    def discard(self) -> None:
        """Drop a print file that is not to be finished (its forms went through docxtpl)."""
        if self._writer is not None:
            self._writer.discard()
        self.target.unlink(missing_ok=True)


def _paragraph_at(source: str) -> Callable[[int], tuple[str, str]]:
    """Names the paragraph on a line of a compiled part (one paragraph a line, as compiled)."""

    def describe(line: int) -> tuple[str, str]:
        lines = source.split("\n")
        if not 1 < line <= len(lines):  # line 1 is what comes before the first paragraph
            return "", ""
        text = re.sub(r"<[^>]+>", "", lines[line - 1])
        text = text if len(text) <= 40 else text[:39] + "…"
        return f"第 {line - 1} 段「{text}」", f" at paragraph {line - 1} ({text!r})"

    return describe


def _paragraphs_on_lines(xml: str) -> str:
    """docxtpl starts each paragraph on a new line before compiling (error line numbers)."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def copy_entries(archive: zipfile.ZipFile, entries: Iterable[tuple[zipfile.ZipInfo, bytes]],
                 replaced: Mapping[str, bytes]) -> None:
    """Copy a template's entries as stored, writing ``replaced`` ones from their new bytes."""
    for info, raw in entries:
        if info.filename in replaced:
            archive.writestr(_new_entry(info), replaced[info.filename])
        else:
            _write_compressed(archive, info, raw)


def _new_entry(template: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A filled part's entry, dated as the template's part: the same data always gives the
    same bytes, whichever process renders it and whenever."""
    entry = zipfile.ZipInfo(template.filename, date_time=template.date_time)
    entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, 0o600 << 16
    return entry  # zlib's default level is the archives' compresslevel=6


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
        existing = properties.find(f"{{{_W}}}pageBreakBefore")
        if existing is not None:  # a second one would break the schema: switch this one on
            existing.attrib.pop(f"{{{_W}}}val", None)
            return b""
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
