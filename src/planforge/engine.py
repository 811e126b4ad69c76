"""From data files to a published folder: validate everything, then render, then publish."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import __version__
from .errors import InputError, Location, PlanforgeError, Problem, TemplateError
from .model import (
    DocumentType,
    Field,
    InputData,
    Package,
    Read,
    Renderer,
    Rendering,
    TableSpec,
    default_prepare,
)
from .output import (
    MANIFEST,
    OutputWriter,
    check_archive,
    check_output_folder,
    check_outside_inputs,
    sanitize_filename,
    sha256_of,
    write_atomic,
    zip_staging,
)
from .plugins import Registry
from .printpdf import require_libreoffice, stage_pdfs
from .render.jinja import make_environment, render_text
from .spill import SpilledList
from .text import clean_context
from .validate import RecordBinder

Progress = Callable[[int], None]
Render = Callable[[], None]
#: The type of a setting that names a folder planforge reads with everything in it: no run
#: may write its output inside one.
FOLDER = "folder"
_PLACEHOLDER = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_STATEMENT = re.compile(r"\{%.*?%\}", re.S)


@dataclass
class Job:
    """What one ``fill`` or ``validate`` of a name involves."""

    name: str
    members: tuple[DocumentType, ...]
    inputs: tuple[TableSpec, ...]
    settings: tuple[Field, ...]
    prepare: Callable[[InputData, dict[str, Any]], dict[str, Any]]
    package: Package | None = None
    read: Read | None = None  # the members' own reader of inputs that are not tables

    def load(self, binder: RecordBinder, files: list[Path]) -> InputData:
        """Read the run's inputs: with the type's own reader, or as tables through ``binder``."""
        return self.read(files) if self.read else binder.load(files, self.inputs)


@dataclass
class Prepared:
    """The validated data of a run and the context every template sees."""

    job: Job
    data: InputData
    settings: dict[str, Any]
    context: dict[str, Any]
    cleaned_characters: int = 0

    def items(self, document_type: DocumentType) -> list[Any] | SpilledList:
        """The list a document type loops over; a spilled one is handed on, not copied."""
        items = self.context.get(document_type.each) or []
        return items if isinstance(items, SpilledList) else list(items)

    def close(self) -> None:
        """Remove the run's spilled lists from disk (:mod:`.spill`): the run is over.

        Their files have no name in any folder and vanish with the process however it ends;
        closing frees the space as soon as the run is done.
        """
        tables = [*self.data.tables.values(),
                  *(self.data.previous.tables.values() if self.data.previous else ())]
        for value in (*self.context.values(), *tables):
            if isinstance(value, SpilledList):
                value.close()

    def read_folders(self) -> list[Path]:
        """The folders given in settings of type ``folder``, which the run reads recursively."""
        return [*(Path(str(self.settings[f.name])).expanduser() for f in self.job.settings
                  if f.type == FOLDER and self.settings.get(f.name)), *self.data.folders]


def _merge_settings(*groups: tuple[Field, ...]) -> tuple[Field, ...]:
    seen: dict[str, Field] = {}
    for group in groups:
        for setting in group:
            seen.setdefault(setting.name, setting)
    return tuple(seen.values())


def _renderer_settings(members: tuple[DocumentType, ...],
                       renderers: Mapping[str, Renderer]) -> tuple[Field, ...]:
    """The settings the members' output kinds add (``copies`` of per-record Word forms)."""
    return tuple(setting for m in members for setting in renderers[m.renderer].settings)


class Engine:
    """Runs document types and packages registered by plugins."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.binder = RecordBinder(registry.field_types)
        self.word_env = make_environment(registry.filters, autoescape=True)
        self.text_env = make_environment(registry.filters, autoescape=False)

    def job(self, name: str) -> Job:
        target = self.registry.target(name)
        if isinstance(target, Package):
            members = tuple(self.registry.document_types[m] for m in target.members)
            inputs = target.inputs or members[0].inputs
            settings = _merge_settings(target.settings, *(m.settings for m in members),
                                       _renderer_settings(members, self.registry.renderers))
            prepare = target.prepare or members[0].prepare or default_prepare
            return Job(name, members, inputs, settings, prepare, target, members[0].read)
        return Job(name, (target,), target.inputs,
                   _merge_settings(target.settings,
                                   _renderer_settings((target,), self.registry.renderers)),
                   target.prepare or default_prepare, read=target.read)

    def sibling_settings(self, job: Job) -> set[str]:
        """Names and labels of the settings of every target of the job's plugins: one settings
        file serves a plugin's county and city runs, and a key one of them ignores is no typo."""
        sources = {target.source for target in (*job.members, job.package) if target}
        targets = (*self.registry.document_types.values(), *self.registry.packages.values())
        kinds = tuple(s for renderer in self.registry.renderers.values() for s in renderer.settings)
        return {name for target in targets if target.source in sources
                for field in (*target.settings, *kinds) for name in (field.name, field.label)}

    def prepare(self, name: str, files: list[Path], settings: Mapping[str, Any],
                settings_origin: str = "--set", previous: list[Path] | None = None) -> Prepared:
        """Validate the settings and every data file, then compute the context. Writes nothing.

        ``previous`` files (last period's data) are read with the same tables and checks, and
        reach ``prepare`` as ``data.previous``.
        """
        job = self.job(name)
        problems: list[Problem] = []
        try:
            values = self.binder.settings(job.settings, settings, settings_origin,
                                          self.sibling_settings(job))
        except InputError as error:
            problems.extend(error.problems)
            values = dict(settings)
        settings_ok = not problems
        data = self._load(job, files, problems)
        last = self._load(job, previous, problems) if previous else None
        if problems:
            if settings_ok and data is not None and (last is not None or not previous):
                problems.extend(self._plugin_problems(job, data, last, values, problems))
            raise InputError(problems)
        if previous:
            data.previous = last
        context = job.prepare(data, values)
        context, cleaned = clean_context({**context, "settings": values})
        context, spilled_cleaned = _clean_spilled(context)
        return Prepared(job, data, values, context, cleaned + spilled_cleaned)

    def _load(self, job: Job, files: list[Path], problems: list[Problem]) -> InputData | None:
        """The files' data, their problems added to ``problems``; what could be read even so
        (the plugin's own checks then look at the rows that had none)."""
        try:
            return job.load(self.binder, files)
        except InputError as error:
            problems.extend(error.problems)
            return getattr(error, "data", None)

    @staticmethod
    def _plugin_problems(job: Job, data: InputData, last: InputData | None,
                         values: dict[str, Any], known: list[Problem]) -> list[Problem]:
        """What the plugin's own checks find in the rows that had no problem, so a clerk fixes
        everything in one go (its rules need whole rows: they cannot see the others)."""
        data.previous = last
        try:
            job.prepare(data, values)
        except InputError as error:
            return [p for p in error.problems if p not in known]
        except Exception:  # rows are missing: the problems above already say why
            return []
        return []

    def listed_title(self, name: str) -> str:
        """A title as a list shows it before any run: settings with a default filled in, the
        others by label (``{{ settings.county }}…名册表`` → ``〈县(市、区)〉…名册表``), ``{% … %}``
        tags left out."""
        settings = {field.name: field for field in self.job(name).settings}

        def shown(match: re.Match) -> str:
            expression = match.group(1)
            path = expression.split(".")
            field = settings.get(path[1]) if path[0] == "settings" and len(path) > 1 else None
            if field is None:
                return f"〈{expression}〉"
            if len(path) == 2 and field.default not in (None, ""):
                return str(field.default)
            return f"〈{field.label}〉"

        return _PLACEHOLDER.sub(shown, _STATEMENT.sub("", self.registry.target(name).title))

    def title(self, document_type: DocumentType, prepared: Prepared) -> str:
        """The document's title with settings filled in (``{{ settings.county }}…名册表``)."""
        return render_text(self.text_env, document_type.title, prepared.context,
                           f"{document_type.name}.title")

    def start_workers(self, jobs: int) -> None:
        """Start the worker processes a later ``fill(jobs=jobs)`` renders big batches with, so
        that they load while the input is read and checked; they stay for later fills."""
        if jobs > 1:
            from .render.batch import start_workers

            start_workers(jobs, self.registry.plugins_dir)

    def fill(self, prepared: Prepared, out: Path, as_zip: bool = False,
             progress: Progress | None = None, jobs: int | None = None,
             force: bool = False, pdf: bool = False) -> Path:
        """Render every member into staging, then publish the folder (or one .zip archive).

        ``jobs`` worker processes render big batches of Word forms (default 1: a script that
        calls this needs the ``if __name__ == "__main__"`` guard to start processes). Files in
        ``out`` that planforge did not write are kept; the run is refused before it renders
        anything if it would overwrite one, unless ``force``.
        """
        jobs = jobs or 1
        check_outside_inputs(out, prepared.read_folders())
        if pdf:  # ``--pdf``: the PDF of every document beside it (one LibreOffice run)
            require_libreoffice()
        if as_zip:
            archive = out if out.suffix.lower() == ".zip" else out.with_name(out.name + ".zip")
            check_archive(archive, force)
            with zip_staging(archive.parent) as tmp:
                return self._write(prepared, Path(tmp), archive, progress, jobs, force, pdf)
        return self._write(prepared, out, None, progress, jobs, force, pdf)

    def fill_files(self, prepared: Prepared, targets: Mapping[str, Path],
                   force: bool = False) -> list[Path]:
        """Render a one-document run as ``fill`` does, then publish its ``ENTRY<suffix>`` files
        to the paths ``targets`` maps each suffix to (``photos -o 照片页.docx``).

        A lone file carries no manifest, so planforge cannot tell one it wrote from the user's:
        an existing target is refused before anything is rendered, unless ``force``. Each target
        is written atomically (a killed run leaves only a hidden staging folder beside it, which
        a later run removes). A file the run had to leave out (a PDF without LibreOffice) is not
        published; the others are, and then the reason is raised.
        """
        (document_type,) = prepared.job.members
        for target in targets.values():
            if target.is_dir():
                raise InputError(Problem("输出位置是一个文件夹（-o 应指定一个文件）",
                                         "the output is a folder (-o takes a file)",
                                         Location(str(target))))
            check_output_folder(target.parent)
            _refuse_existing(target, force)
        entry = sanitize_filename(document_type.entry_name(self.title(document_type, prepared)))
        failure: PlanforgeError | None = None
        with zip_staging(next(iter(targets.values())).parent) as tmp:
            folder = Path(tmp)  # locked by the run, so no other run clears it as abandoned
            try:
                self.fill(prepared, folder)
            except PlanforgeError as error:
                if not (folder / MANIFEST).is_file():
                    raise
                failure = error  # published without what it names
            made = {target: folder / f"{entry}{suffix}" for suffix, target in targets.items()
                    if (folder / f"{entry}{suffix}").is_file()}
            for target in made:  # put there while the run rendered
                _refuse_existing(target, force)
            for target, staged in made.items():
                write_atomic(target, lambda path, staged=staged: shutil.copyfile(staged, path))
        if failure is not None:
            raise failure
        return list(made)

    def _write(self, prepared: Prepared, out: Path, archive: Path | None,
               progress: Progress | None, jobs: int, force: bool, pdf: bool = False) -> Path:
        with OutputWriter(out, force) as writer:
            renders = [(document_type, render) for document_type in prepared.job.members
                       for render in self.plan(document_type, prepared, writer, progress, jobs)]
            writer.check_overwrites()
            for document_type, render in renders:
                try:
                    render()
                except TemplateError as error:
                    raise self._every_unknown(error, document_type, prepared) from None
            if pdf:
                stage_pdfs(writer, {d.name for d in prepared.job.members
                                    if self.registry.renderers[d.renderer].fills_template})
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

    def _every_unknown(self, error: TemplateError, document_type: DocumentType,
                       prepared: Prepared) -> TemplateError:
        """A render stops at the first name the data lacks; the template is then checked
        against the run's context, so every such name is said at once."""
        from .templatecheck import check_against, inspect_template

        if document_type.template is None:
            return error
        try:
            report = check_against(inspect_template(document_type.template, self.text_env),
                                   document_type, prepared.context)
        except Exception:  # a template the checker cannot read: the error says enough
            return error
        unknown = sorted(report.unknown)
        if not unknown:
            return error
        listed = "、".join(unknown)
        return TemplateError(f"{error}\n  模板「{document_type.template.name}」中数据没有的全部名称："
                             f"{listed} / every name the template uses that the data lacks: "
                             f"{', '.join(unknown)}")

    def total_items(self, prepared: Prepared) -> int:
        return sum(len(prepared.items(d)) for d in prepared.job.members
                   if self.registry.renderers[d.renderer].per_item)

    def render(self, document_type: DocumentType, prepared: Prepared, writer: OutputWriter,
               progress: Progress | None = None, jobs: int = 1,
               entry: str | None = None) -> None:
        """Write one document type's files; ``entry`` overrides its folder or file stem."""
        for render in self.plan(document_type, prepared, writer, progress, jobs, entry):
            render()

    def plan(self, document_type: DocumentType, prepared: Prepared, writer: OutputWriter,
             progress: Progress | None = None, jobs: int = 1,
             entry: str | None = None) -> list[Render]:
        """Add one document type's files to ``writer`` and return what renders them, so that a
        run knows every path it will write before it renders anything."""
        split = document_type.split
        if entry is None and split and prepared.settings.get(split.setting) is None:
            return self._plan_split(document_type, prepared, writer, progress, jobs)
        title = self.title(document_type, prepared)
        entry = entry or sanitize_filename(document_type.entry_name(title))
        context = {**prepared.context,
                   "document": {"annex": document_type.annex, "title": title,
                                "name": document_type.name,
                                "split": split.setting if split else None}}
        rendering = Rendering(document_type, context, prepared.items(document_type),
                              prepared.settings, entry, self.word_env, self.text_env,
                              _pictures(document_type, prepared), self.registry.plugins_dir,
                              progress, jobs)
        return [self.registry.renderers[document_type.renderer].render(rendering, writer)]

    def _plan_split(self, document_type: DocumentType, prepared: Prepared,
                    writer: OutputWriter, progress: Progress | None, jobs: int) -> list[Render]:
        """A folder holding one file per value of the split setting (e.g. one per quarter)."""
        split = document_type.split
        values: list[Any] = []
        for item in prepared.context.get(split.values) or []:
            value = item.get(split.setting) if isinstance(item, Mapping) else item
            if value is not None and value not in values:
                values.append(value)
        folder = sanitize_filename(document_type.entry_name(self.title(document_type, prepared)))
        renders: list[Render] = []
        for value in values:
            settings = {**prepared.settings, split.setting: value}
            context, cleaned = clean_context({**prepared.job.prepare(prepared.data, settings),
                                              "settings": settings})
            part = Prepared(prepared.job, prepared.data, settings, context, cleaned)
            naming = {**context, "document": {"split": split.setting}}
            name = sanitize_filename(render_text(self.text_env, split.file_name, naming,
                                                 f"{document_type.name}.split.file_name"))
            renders += self.plan(document_type, part, writer, progress, jobs,
                                 entry=f"{folder}/{name}")
        return renders


def _clean_spilled(context: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """:func:`clean_context` for the context's spilled lists, item by item (it leaves them as
    they are); a list is rewritten only if something was removed."""
    total = 0
    for name, value in context.items():
        if not isinstance(value, SpilledList):
            continue
        removed = sum(clean_context(item)[1] for item in value)
        if removed:
            context[name] = SpilledList(clean_context(item)[0] for item in value)
            total += removed
    return context, total


def _refuse_existing(target: Path, force: bool) -> None:
    if os.path.lexists(target) and not force:
        raise InputError(Problem(
            "输出文件已存在：单个文件没有清单，planforge 无法知道它是不是自己写的，所以不覆盖它，"
            "也没有写入任何文件；请换一个文件名，或加 --force 覆盖它",
            "the output file exists: a lone file has no manifest, so planforge cannot tell "
            "whether it wrote it and keeps it, writing nothing; choose another name or add "
            "--force to overwrite it", Location(str(target))))


def _pictures(document_type: DocumentType, prepared: Prepared) -> dict[str, Path]:
    """The template pictures this run replaces: those whose image setting is given."""
    return {picture: Path(prepared.settings[setting])
            for picture, setting in document_type.pictures.items()
            if prepared.settings.get(setting)}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value
