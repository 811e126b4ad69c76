"""One Word document for all records, written a chunk of records at a time.

A public-notice list (公示名单) loops over every record in one table: rendered whole, 50,000 people
make a body of hundreds of megabytes, its tree several times that. When the body's top level
holds a ``{% for x in name %}`` (docxtpl's ``{%tr for %}`` or ``{%p for %}``) over a long list,
the template is cut at that loop. The loop is rendered once, as Jinja streams it (so ``loop.index``
and the rest behave as in the whole), with a token no value can hold marking where each record
starts. The part before the loop and the first chunk of records are parsed and fixed together
with the part after it (so docxtpl's table fix sees the repeated rows), the other chunks are
parsed and serialised one after the other straight into the compressed main part, and the part
after the loop closes it. The XML is the one the whole render gives; a template this cannot
promise that for (variables set outside the loop, rows whose shape depends on the record inside a
table, a paragraph left open across a cut) is rendered whole.
"""

from __future__ import annotations

import re
import secrets
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Template, nodes
from jinja2.exceptions import TemplateSyntaxError
from lxml import etree

from ..spill import SpilledList
from .word import (
    _W,
    _WP,
    MainPartWriter,
    WordTemplate,
    _NeedsDocument,
    _serialise,
    _split_element,
)

#: A loop over more records than this is written this many records at a time.
STREAM_CHUNK = 500

_MARK = "urn:planforge:stream"
_MARKER = f'<pf:rest xmlns:pf="{_MARK}"/>'
_BLOCKS = {"for", "if", "macro", "call", "filter", "with", "block", "autoescape"}
_STATEMENTS = (nodes.Assign, nodes.AssignBlock, nodes.Macro, nodes.CallBlock, nodes.Import,
               nodes.FromImport)
_PARAGRAPH_START = re.compile(r"<w:p(?: [^>]*)?>")
_STRICT = etree.XMLParser(resolve_entities=False, no_network=True)
_FOUND: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class CannotStream(Exception):
    """This template and context must be rendered whole to give docxtpl's document."""


@dataclass(frozen=True)
class _Loop:
    name: str  # the list the loop runs over (the first name of its expression)
    before: Template
    loop: Template  # the whole {% for %}…{% endfor %}, each record's output after the token
    after: Template
    token: str
    uniform: bool  # every record gives elements of the same shape (tags only in text)


def write_document(template: WordTemplate, context: Mapping[str, Any], target: Path) -> None:
    """Write one document for all records (a word-single type), streamed when it is long.

    A template looping over a long list at the top of its body is written a chunk of records at
    a time, so memory does not grow with the records; the document is the one
    :meth:`WordTemplate.render` writes.
    """
    if template.fast:
        try:
            if stream_document(template, context, target):
                return
        except (CannotStream, _NeedsDocument):
            pass
    template.render(context, target)


def stream_document(template: WordTemplate, context: Mapping[str, Any], target: Path) -> bool:
    """Write ``target`` chunk by chunk if the template has a long top-level loop; else False.

    Raises :class:`CannotStream` when, having started, the document must be rendered whole.
    """
    loops = [loop for loop in _loops(template)
             if isinstance(context.get(loop.name), list | SpilledList)
             and len(context[loop.name]) > STREAM_CHUNK]
    if not loops:
        return False
    loop = max(loops, key=lambda candidate: len(context[candidate.name]))
    _Stream(template, loop, context).write(target)
    return True


class _Stream:
    def __init__(self, template: WordTemplate, loop: _Loop, context: Mapping[str, Any]):
        self.template, self.loop, self.context = template, loop, context
        source = template.body_source
        self.wrap = source[:source.index(">") + 1], "</w:body>"

    def _finish(self, text: str) -> str:
        """docxtpl's text passes over one piece, which must not run into its neighbours."""
        if text and not (text.lstrip("\n").startswith("<") and text.endswith(">")):
            raise CannotStream  # pieces meet between elements, where no pass can straddle them
        text = self.template.finish_text(text)
        # docxtpl's "listing" pass works paragraph by paragraph over the whole text: a piece may
        # be handled on its own only if no paragraph it opens runs on into the next piece.
        closing = text.rfind("</w:p>")
        if _PARAGRAPH_START.search(text, closing + 1 if closing >= 0 else 0):
            raise CannotStream
        return text

    def _chunks(self) -> Iterator[str]:
        """The loop's output, :data:`STREAM_CHUNK` records at a time, finished."""
        token, pieces, records = self.loop.token, [], 0
        for piece in self.template.generate(self.loop.loop, self.context):
            if token not in piece:
                pieces.append(piece)
                continue
            ending, piece = piece.split(token)  # a token sits inside one piece of template text
            pieces.append(ending)
            if records and records % STREAM_CHUNK == 0:
                yield self._finish("".join(pieces))
                pieces = []
            records += 1
            pieces.append(piece)
        yield self._finish("".join(pieces))

    def _parse(self, xml: str) -> etree._Element:
        try:
            tree = etree.fromstring(xml, _STRICT)
        except etree.XMLSyntaxError:
            raise CannotStream from None  # the whole render recovers from it as docxtpl does
        if tree.find(f".//{{{_W}}}tbl") is not None:
            tree = self.template.fix_tables(xml)
        return tree

    def write(self, target: Path) -> None:
        loop = self.loop
        before = self._finish("".join(self.template.generate(loop.before, self.context)))
        chunks = self._chunks()
        first = next(chunks)
        after = self._finish("".join(self.template.generate(loop.after, self.context)))
        parts = self.template.render_parts(self.context)
        tree = self._parse(before + first + _MARKER + after)
        marker = tree.find(f".//{{{_MARK}}}rest")
        if marker is None or (not loop.uniform and any(
                ancestor.tag == f"{{{_W}}}tbl" for ancestor in marker.iterancestors())):
            raise CannotStream  # the rows after the first chunk could change the table's grid
        pictures, later = 1001, []
        for element in tree.iter(f"{{{_WP}}}docPr", f"{{{_MARK}}}rest"):
            if element is marker or later:
                later.append(element)
            else:
                element.set("id", str(pictures))
                pictures += 1
        xml = _serialise(tree)
        cut = xml.find(_MARKER.encode())
        if cut < 0:
            raise CannotStream
        writer = MainPartWriter(self.template, target, parts)
        try:
            writer.write(xml[:cut])
            for text in chunks:
                chunk = self._parse(self.wrap[0] + text + self.wrap[1])
                for element in chunk.iter(f"{{{_WP}}}docPr"):
                    element.set("id", str(pictures))
                    pictures += 1
                writer.write(_split_element(_serialise(chunk))[1])
            for element in later[1:]:
                element.set("id", str(pictures))
                pictures += 1
            writer.write(_serialise(tree)[cut + len(_MARKER):])
        except BaseException:
            writer.discard()
            raise
        writer.close()


def _loops(template: WordTemplate) -> list[_Loop]:
    """The template's streamable loops, found once per template."""
    if template not in _FOUND:
        _FOUND[template] = _find_loops(template, template.body_source)
    return _FOUND[template]


def _find_loops(template: WordTemplate, source: str) -> list[_Loop]:
    """The body's top-level ``{% for target in name %}`` loops that can be rendered in chunks."""
    tokens = list(template.fast_env.lex(source))
    offsets, position = [], 0
    for _, _, value in tokens:
        offsets.append(position)
        position += len(value)
    if position != len(source):
        return []
    found, depth, opening, index = [], 0, None, 0
    while index < len(tokens):
        if tokens[index][1] != "block_begin":
            index += 1
            continue
        end = index + 1
        while end < len(tokens) and tokens[end][1] != "block_end":
            end += 1
        if end == len(tokens):
            return []
        words = [(kind, value) for _, kind, value in tokens[index + 1:end] if kind != "whitespace"]
        keyword = words[0][1] if words else ""
        if keyword in _BLOCKS or (keyword == "set" and ("operator", "=") not in words):
            plain = tokens[index][2] == "{%" and tokens[end][2] == "%}"  # no whitespace control
            listed = [kind_value[1] for kind_value in words].index("in") + 1 if (
                ("name", "in") in words) else len(words)
            if (depth == 0 and keyword == "for" and plain and listed < len(words)
                    and words[listed][0] == "name" and "recursive" not in
                    [value for _, value in words]):
                opening = (offsets[index], offsets[end] + len(tokens[end][2]), words[listed][1])
            depth += 1
        elif keyword.startswith("end"):
            depth -= 1
            if (depth == 0 and keyword == "endfor" and opening is not None
                    and tokens[index][2] == "{%" and tokens[end][2] == "%}"):
                loop = _cut(template, source, opening, offsets[index],
                            offsets[end] + len(tokens[end][2]))
                if loop is not None:
                    found.append(loop)
                opening = None
        index = end + 1
    return found


def _cut(template: WordTemplate, source: str, opening: tuple[int, int, str], closing: int,
         end: int) -> _Loop | None:
    """The template cut around one loop, if each piece renders as it does in the whole."""
    start, body_start, name = opening
    before, body, after = source[:start], source[body_start:closing], source[end:]
    env = template.fast_env
    try:
        trees = [env.parse(piece) for piece in (before, source[start:end], after)]
    except TemplateSyntaxError:
        return None
    if any(next(tree.find_all(_STATEMENTS), None) for tree in (trees[0], trees[2])):
        return None  # a variable set before the loop may be read inside it or after it
    uniform = "{%" not in body and not re.search(r"<[^>]*\{[{%]", body)
    token = "\x00" + secrets.token_hex(8) + "\x00"  # no XML text, value or template holds NUL
    return _Loop(name, template.compile(before),
                 template.compile(source[start:body_start] + token + source[body_start:end]),
                 template.compile(after), token, uniform)
