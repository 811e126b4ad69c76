"""From data files to a published folder: validate everything, then render, then publish."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import __version__
from .errors import InputError, Location, Problem
from .model import (
    WHERE_KEY,
    WORD_PER_RECORD,
    WORD_SINGLE,
    DocumentType,
    Field,
    InputData,
    Package,
    TableSpec,
    default_prepare,
)
from .output import OutputWriter, sanitize_filename, sha256_of, zip_staging
from .plugins import Registry
from .printpdf import require_libreoffice, stage_pdfs
from .render.jinja import make_environment, render_text
from .text import strip_xml_illegal
from .validate import Binder

Progress = Callable[[int], None]


@dataclass
class Job:
    """What one ``fill`` or ``validate`` of a name involves."""

    name: str
    members: tuple[DocumentType, ...]
    inputs: tuple[TableSpec, ...]
    settings: tuple[Field, ...]
    prepare: Callable[[InputData, dict[str, Any]], dict[str, Any]]
    package: Package | None = None


@dataclass
class Prepared:
    """The validated data of a run and the context every template sees."""

    job: Job
    data: InputData
    settings: dict[str, Any]
    context: dict[str, Any]
    cleaned_characters: int = 0

    def items(self, document_type: DocumentType) -> list[Any]:
        return list(self.context.get(document_type.each) or [])


#: Every job with per-record Word forms repeats each form ``copies`` times in its print file;
#: 一式三份 (seed 003:209) makes 3 the default, ``--set copies=1`` prints one.
COPIES = Field("copies", "份数", type="integer", default=3, min=1, max=20,
               help="每份表格在合订打印文件中重复的份数 / copies of each form in the print file")


def _merge_settings(*groups: tuple[Field, ...]) -> tuple[Field, ...]:
    seen: dict[str, Field] = {}
    for group in groups:
        for setting in group:
            seen.setdefault(setting.name, setting)
    return tuple(seen.values())


def _copies_for(members: tuple[DocumentType, ...]) -> tuple[Field, ...]:
    return (COPIES,) if any(m.renderer == WORD_PER_RECORD for m in members) else ()


def clean_context(value: Any) -> tuple[Any, int]:
    """Strip characters no .docx/.xlsx may hold from every string; count what was removed.

    Containers are copied only where something was removed: a context of many thousand rows
    is not duplicated to find out that it was clean.
    """
    if isinstance(value, str):
        cleaned, changed = strip_xml_illegal(value)
        if not changed:
            return value, 0
        return (type(value)(cleaned) if type(value) is not str else cleaned), 1
    if isinstance(value, Mapping):
        total, changes = 0, {}
        for key, item in value.items():
            cleaned, removed = clean_context(item)
            total += removed
            if cleaned is not item:
                changes[key] = cleaned
        if type(value) is dict and not changes:
            return value, 0
        return {**value, **changes}, total  # other mappings become plain dicts, as templates expect
    if isinstance(value, list | tuple):
        total, items = 0, list(value)
        for index, item in enumerate(value):
            items[index], removed = clean_context(item)
            total += removed
        same = type(value) is list and all(a is b for a, b in zip(items, value, strict=True))
        return (value if same else items), total
    return value, 0


class Engine:
    """Runs document types and packages registered by plugins."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.binder = Binder(registry.field_types)
        self.word_env = make_environment(registry.filters, autoescape=True)
        self.text_env = make_environment(registry.filters, autoescape=False)

    def job(self, name: str) -> Job:
        target = self.registry.target(name)
        if isinstance(target, Package):
            members = tuple(self.registry.document_types[m] for m in target.members)
            inputs = target.inputs or members[0].inputs
            settings = _merge_settings(target.settings, *(m.settings for m in members),
                                       _copies_for(members))
            prepare = target.prepare or members[0].prepare or default_prepare
            return Job(name, members, inputs, settings, prepare, target)
        return Job(name, (target,), target.inputs,
                   _merge_settings(target.settings, _copies_for((target,))),
                   target.prepare or default_prepare)

    def prepare(self, name: str, files: list[Path], settings: Mapping[str, Any],
                settings_origin: str = "--set", previous: list[Path] | None = None) -> Prepared:
        """Validate the settings and every data file, then compute the context. Writes nothing.

        ``previous`` files (last period's data) are read with the same tables and checks, and
        reach ``prepare`` as ``data.previous``.
        """
        job = self.job(name)
        problems: list[Problem] = []
        try:
            values = self.binder.settings(job.settings, settings, settings_origin)
        except InputError as error:
            problems.extend(error.problems)
            values = dict(settings)
        try:
            data = self.binder.load(files, job.inputs)
        except InputError as error:
            problems.extend(error.problems)
        if previous:
            try:
                last = self.binder.load(previous, job.inputs)
            except InputError as error:
                problems.extend(error.problems)
        if problems:
            raise InputError(problems)
        if previous:
            data.previous = last
        context = job.prepare(data, values)
        context, cleaned = clean_context({**context, "settings": values})
        return Prepared(job, data, values, context, cleaned)

    def title(self, document_type: DocumentType, prepared: Prepared) -> str:
        """The document's title with settings filled in (``{{ settings.county }}…名册表``)."""
        return render_text(self.text_env, document_type.title, prepared.context,
                           f"{document_type.name}.title")

    def fill(self, prepared: Prepared, out: Path, as_zip: bool = False,
             progress: Progress | None = None, jobs: int | None = None,
             pdf: bool = False) -> Path:
        """Render every member into staging, then publish the folder (or one .zip archive).

        ``jobs`` worker processes render big batches of Word forms (default 1: a script that
        calls this needs the ``if __name__ == "__main__"`` guard to start processes).
        """
        jobs = jobs or 1
        if pdf:  # ``--pdf``: the PDF of every document beside it (one LibreOffice run)
            require_libreoffice()
        if as_zip:
            archive = out if out.suffix.lower() == ".zip" else out.with_name(out.name + ".zip")
            with zip_staging(archive.parent) as tmp:
                return self._write(prepared, Path(tmp), archive, progress, jobs, pdf)
        return self._write(prepared, out, None, progress, jobs, pdf)

    def _write(self, prepared: Prepared, out: Path, archive: Path | None,
               progress: Progress | None, jobs: int, pdf: bool = False) -> Path:
        with OutputWriter(out) as writer:
            for document_type in prepared.job.members:
                self.render(document_type, prepared, writer, progress, jobs)
            if pdf:
                stage_pdfs(writer)
            manifest = writer.manifest(
                planforge=__version__,
                target=prepared.job.name,
                settings={k: _plain(v) for k, v in prepared.settings.items()},
                inputs=[{"file": str(f), "sha256": sha256_of(Path(f))} for f in prepared.data.files],
                previous=[{"file": str(f), "sha256": sha256_of(Path(f))}
                          for f in (prepared.data.previous.files if prepared.data.previous else ())],
                cleaned_characters=prepared.cleaned_characters,
            )
            if archive is not None:
                return writer.publish_zip(manifest, archive)
            return writer.publish(manifest)

    def total_items(self, prepared: Prepared) -> int:
        return sum(len(prepared.items(d)) for d in prepared.job.members
                   if d.renderer == WORD_PER_RECORD)

    def render(self, document_type: DocumentType, prepared: Prepared, writer: OutputWriter,
               progress: Progress | None = None, jobs: int = 1,
               entry: str | None = None) -> None:
        """Write one document type's files; ``entry`` overrides its folder or file stem."""
        split = document_type.split
        if entry is None and split and prepared.settings.get(split.setting) is None:
            self._render_split(document_type, prepared, writer, progress, jobs)
            return
        title = self.title(document_type, prepared)
        entry = entry or sanitize_filename(document_type.entry_name(title))
        context = {**prepared.context,
                   "document": {"annex": document_type.annex, "title": title,
                                "name": document_type.name,
                                "split": split.setting if split else None}}
        items = prepared.items(document_type)
        if document_type.renderer == WORD_PER_RECORD:
            self._render_per_record(document_type, prepared, context, writer, entry, items,
                                    progress, jobs)
            return
        # Each renderer is imported when used: an Excel run, or a worker rendering Word forms,
        # does not load the other one's libraries.
        if document_type.renderer == WORD_SINGLE:
            from .render.word import WordTemplate

            relative = f"{entry}.docx"
            WordTemplate(document_type.template, self.word_env).render(context,
                                                                       writer.path(relative))
        else:
            from .render.excel import render_xlsx

            relative = f"{entry}.xlsx"
            render_xlsx(document_type.template, context, self.text_env,
                        writer.path(relative), document_type.each, document_type.sheet_lists)
        rows = [item.get(WHERE_KEY) for item in items if isinstance(item, Mapping)]
        writer.add(relative, document_type.name, [r for r in rows if isinstance(r, Location)])

    def _render_split(self, document_type: DocumentType, prepared: Prepared,
                      writer: OutputWriter, progress: Progress | None, jobs: int) -> None:
        """A folder holding one file per value of the split setting (e.g. one per quarter)."""
        split = document_type.split
        values: list[Any] = []
        for item in prepared.context.get(split.values) or []:
            value = item.get(split.setting) if isinstance(item, Mapping) else item
            if value is not None and value not in values:
                values.append(value)
        folder = sanitize_filename(document_type.entry_name(self.title(document_type, prepared)))
        for value in values:
            settings = {**prepared.settings, split.setting: value}
            context, cleaned = clean_context({**prepared.job.prepare(prepared.data, settings),
                                              "settings": settings})
            part = Prepared(prepared.job, prepared.data, settings, context, cleaned)
            naming = {**context, "document": {"split": split.setting}}
            name = sanitize_filename(render_text(self.text_env, split.file_name, naming,
                                                 f"{document_type.name}.split.file_name"))
            self.render(document_type, part, writer, progress, jobs, entry=f"{folder}/{name}")

    def _render_per_record(self, document_type: DocumentType, prepared: Prepared,
                           shared: dict[str, Any], writer: OutputWriter, entry: str,
                           items: list[Any], progress: Progress | None, jobs: int) -> None:
        """One file per item, named by the type's pattern, plus print volumes of them all."""
        from .render.batch import VOLUME_SIZE, Batch, Volume, render_volumes
        from .render.word import WordTemplate

        used: set[str] = set()
        forms = []
        for index, item in enumerate(items, start=1):
            context = {**shared, **item, "record": item, "index": index}
            stem = sanitize_filename(render_text(self.text_env, document_type.file_name, context,
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
        copies = int(prepared.settings.get("copies") or COPIES.default)
        volumes = [Volume(forms[i:i + VOLUME_SIZE]) for i in range(0, len(forms), VOLUME_SIZE)]
        if document_type.combined and (len(forms) > 1 or copies > 1):
            for number, volume in enumerate(volumes, start=1):
                label = "（合订打印）" if len(volumes) == 1 else f"（合订打印 第{number}册）"
                volume.combined = f"{entry}/{sanitize_filename(entry + label)}.docx"
                writer.add(volume.combined, document_type.name,
                           [f[2][WHERE_KEY] for f in volume.forms
                            if isinstance(f[2], Mapping) and WHERE_KEY in f[2]])
        template = WordTemplate(document_type.template, self.word_env)
        batch = Batch(document_type.template, self.registry.plugins_dir, writer.staging, copies)
        render_volumes(template, shared, volumes, batch, jobs, progress)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value
