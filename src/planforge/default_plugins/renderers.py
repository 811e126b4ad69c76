"""The built-in output kinds: a Word form per record, one Word document, one Excel table.

They register through ``register_renderers`` like any plugin's. Each imports its rendering
library only when it runs: an Excel run, or a worker rendering Word forms, does not load the
other one's libraries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from planforge.errors import Location
from planforge.hookspecs import hookimpl
from planforge.model import (
    EXCEL_TABLE,
    WHERE_KEY,
    WORD_PER_RECORD,
    WORD_SINGLE,
    Field,
    Renderer,
    Rendering,
)
from planforge.output import OutputWriter, sanitize_filename
from planforge.render.jinja import render_text

#: Every job with per-record Word forms repeats each form ``copies`` times in its print file;
#: 一式三份 (seed 003:209) makes 3 the default, ``--set copies=1`` prints one.
COPIES = Field("copies", "份数", type="integer", default=3, min=1, max=20,
               help="每份表格在合订打印文件中重复的份数 / copies of each form in the print file")


Write = Callable[[], None]


class FormsView(Sequence):
    """A volume's forms, ``(relative path, index, item)`` each, read from the run's items only
    when rendered (or sent to a worker): a spilled list of 100,000 items stays on disk."""

    def __init__(self, paths: Sequence[str], items: Sequence[Any], start: int):
        self.paths, self.items, self.start = paths, items, start

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        index = self.start + range(len(self))[position]
        return self.paths[index - self.start], index + 1, self.items[index]

    def __reduce__(self) -> tuple[Any, ...]:
        return list, (list(self),)


def render_per_record(rendering: Rendering, writer: OutputWriter) -> Write:
    """One file per item, named by the type's pattern, plus print volumes of them all."""
    from planforge.render.batch import VOLUME_SIZE, Volume

    document_type, shared, entry = rendering.document_type, rendering.context, rendering.entry
    items = rendering.items  # maybe spilled: read once here, once more while rendering
    copies = int(rendering.settings.get(COPIES.name) or COPIES.default)
    combined = document_type.combined and (len(items) > 1 or copies > 1)
    count = -(-len(items) // VOLUME_SIZE)
    used: set[str] = set()
    volumes: list[Volume] = []
    paths: list[str] = []  # of the volume being planned
    rows: list[list[Location]] = []  # each volume's source rows
    for index, item in enumerate(items, start=1):
        context = {**shared, **item, "record": item, "index": index}
        stem = sanitize_filename(render_text(rendering.text_env, document_type.file_name, context,
                                             f"{document_type.name}.file_name"))
        name, counter = stem, 2
        while name.lower() in used:
            name, counter = f"{stem} ({counter})", counter + 1
        used.add(name.lower())
        relative = f"{entry}/{name}.docx"
        writer.path(relative)
        where = item.get(WHERE_KEY) if isinstance(item, Mapping) else None
        writer.add(relative, document_type.name, [where] if where else [])
        if not paths:
            rows.append([])
        paths.append(relative)
        if where:
            rows[-1].append(where)
        if len(paths) == VOLUME_SIZE or index == len(items):
            volumes.append(Volume(FormsView(paths, items, len(volumes) * VOLUME_SIZE)))
            paths = []
    for number, (volume, sources) in enumerate(zip(volumes, rows, strict=True), start=1):
        if combined:
            label = "（合订打印）" if count == 1 else f"（合订打印 第{number}册）"
            volume.combined = f"{entry}/{sanitize_filename(entry + label)}.docx"
            writer.add(volume.combined, document_type.name, sources)
    del used, rows

    def write() -> None:
        from planforge.render.batch import Batch, render_volumes
        from planforge.render.word import WordTemplate

        template = WordTemplate(document_type.template, rendering.word_env, rendering.pictures)
        batch = Batch(document_type.template, rendering.plugins_dir, writer.staging, copies,
                      pictures=rendering.pictures)
        render_volumes(template, shared, volumes, batch, rendering.jobs, rendering.progress)

    return write


def render_word_single(rendering: Rendering, writer: OutputWriter) -> Write:
    """One .docx for all items: the template loops over them."""
    relative = f"{rendering.entry}.docx"
    writer.add(relative, rendering.document_type.name, rendering.rows())

    def write() -> None:
        from planforge.render.word import WordTemplate
        from planforge.render.wordstream import write_document

        write_document(WordTemplate(rendering.document_type.template, rendering.word_env,
                                    rendering.pictures), rendering.context, writer.path(relative))

    return write


def render_excel_table(rendering: Rendering, writer: OutputWriter) -> Write:
    """One .xlsx: the template's marked row is repeated per item."""
    document_type = rendering.document_type
    relative = f"{rendering.entry}.xlsx"
    writer.add(relative, document_type.name, rendering.rows())

    def write() -> None:
        from planforge.render.excel import render_xlsx

        render_xlsx(document_type.template, rendering.context, rendering.text_env,
                    writer.path(relative), document_type.each, document_type.sheet_lists)

    return write


RENDERERS: tuple[Renderer, ...] = (
    Renderer(WORD_PER_RECORD, render_per_record, consumes="one item per form",
             writes=".docx per item + combined print .docx", per_item=True, settings=(COPIES,),
             pictures=True, description="每条记录一份Word表格 / a Word form per record"),
    Renderer(WORD_SINGLE, render_word_single, consumes="every item in one template",
             writes=".docx", pictures=True,
             description="全部记录一份Word文档 / one Word document for all records"),
    Renderer(EXCEL_TABLE, render_excel_table, consumes="one table row per item", writes=".xlsx",
             description="一张Excel表，每条记录一行 / one Excel table, a row per record"),
)


@hookimpl
def register_renderers(register: Any) -> None:
    for renderer in RENDERERS:
        register(renderer)
