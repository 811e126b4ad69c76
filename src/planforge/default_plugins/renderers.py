"""The built-in output kinds: a Word form per record, one Word document, one Excel table.

They register through ``register_renderers`` like any plugin's. Each imports its rendering
library only when it runs: an Excel run, or a worker rendering Word forms, does not load the
other one's libraries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

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


def render_per_record(rendering: Rendering, writer: OutputWriter) -> Write:
    """One file per item, named by the type's pattern, plus print volumes of them all."""
    from planforge.render.batch import VOLUME_SIZE, Volume

    document_type, shared, entry = rendering.document_type, rendering.context, rendering.entry
    used: set[str] = set()
    forms = []
    for index, item in enumerate(rendering.items, start=1):
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
        forms.append((relative, index, item))
    copies = int(rendering.settings.get(COPIES.name) or COPIES.default)
    volumes = [Volume(forms[i:i + VOLUME_SIZE]) for i in range(0, len(forms), VOLUME_SIZE)]
    if document_type.combined and (len(forms) > 1 or copies > 1):
        for number, volume in enumerate(volumes, start=1):
            label = "（合订打印）" if len(volumes) == 1 else f"（合订打印 第{number}册）"
            volume.combined = f"{entry}/{sanitize_filename(entry + label)}.docx"
            writer.add(volume.combined, document_type.name,
                       [f[2][WHERE_KEY] for f in volume.forms
                        if isinstance(f[2], Mapping) and WHERE_KEY in f[2]])

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
