"""``planforge hardship-aid files``: the forms plus one 专项档案 PDF per aided teacher.

The seed asks for a 专项档案 (a file) per aided teacher. It is bound like any planforge booklet:
a cover, a contents page with page numbers, then the 申请表 and the scans in checklist order. The
forms come from the engine exactly as ``fill`` makes them, and everything is staged and published
together, so a failed run leaves the previous output untouched.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from planforge import __version__
from planforge.default_plugins.booklet import Binder, Cover, Document, Section, build_booklet
from planforge.default_plugins.convert import convert_to_pdf
from planforge.engine import Engine, Prepared
from planforge.model import WHERE_KEY
from planforge.output import OutputWriter, check_outside_inputs, sanitize_filename, sha256_of
from planforge.plugins import load_plugins
from planforge.settings import gather_settings

from .context import FILES_KEY
from .materials import MATERIALS

PACKAGE = "hardship-aid"
APPLICATION = "hardship-application"
ARCHIVE_TYPE = "hardship-archive"
ARCHIVE_FOLDER = "专项档案"


def _engine(ctx: click.Context) -> Engine:
    """The engine of this invocation (the CLI's registry when it has one)."""
    root = ctx.find_root()
    state = (root.obj or {}).get("state") if isinstance(root.obj, dict) else None
    registry = getattr(state, "registry", None) or load_plugins(root.params.get("plugins_dir"))
    return Engine(registry)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, dt.date | Decimal) else value


def application_forms(writer: OutputWriter, teachers: list[dict[str, Any]]) -> list[Path]:
    """The staged 申请表 of each teacher, found by the row it was made from."""
    by_row = {}
    for entry in writer.files:
        if entry.document_type == APPLICATION and len(entry.rows) == 1:
            by_row.setdefault(tuple(sorted(entry.rows[0].items())), writer.staging / entry.path)
    return [by_row[tuple(sorted(t[WHERE_KEY].as_dict().items()))] for t in teachers]


def archive_binder(teacher: dict[str, Any], form_pdf: Path, prepared: Prepared) -> Binder:
    """Cover, then the 申请表, then each material present, in checklist order."""
    settings, level = prepared.settings, prepared.context["level"]
    files = teacher[FILES_KEY]
    sections = [Section("特困教师资助申请表", (Document(form_pdf, "申请表"),))]
    sections += [Section(m.label, tuple(Document(Path(p)) for p in files.get(m.key, [])))
                 for m in MATERIALS if files.get(m.key)]
    lines = (f"姓名：{teacher['name']}", f"学校：{teacher['school']}",
             f"困难类型：{teacher['hardship']}",
             f"核定资助金额：{teacher['approved']:,.2f}元",
             f"建档单位：{settings.get('unit') or ''}")
    title = f"{settings['year']}年{level['name']}特困教师资助专项档案"
    return Binder(Cover(title, tuple(line for line in lines if not line.endswith("："))),
                  tuple(sections))


def archive_path(teacher: dict[str, Any]) -> str:
    """Where a teacher's 专项档案 goes in the output folder."""
    stem = sanitize_filename(f"{teacher['index']:02d} {teacher['name']}")
    return f"{ARCHIVE_FOLDER}/{stem}.pdf"


def write_files(engine: Engine, prepared: Prepared, out: Path,
                force: bool = False) -> tuple[Path, list[Path]]:
    """Render the package's forms and bind every 专项档案; publish them together."""
    teachers = prepared.context["teachers"]
    check_outside_inputs(out, prepared.read_folders())
    with (OutputWriter(out, force) as writer,
          tempfile.TemporaryDirectory(prefix="hardship-") as tmp):
        renders = [render for document_type in prepared.job.members
                   for render in engine.plan(document_type, prepared, writer)]
        archives = [archive_path(teacher) for teacher in teachers]
        for teacher, relative in zip(teachers, archives, strict=True):
            writer.add(relative, ARCHIVE_TYPE, [teacher[WHERE_KEY]])
        writer.check_overwrites()  # every path is known: refuse before rendering anything
        for render in renders:
            render()
        pdfs = convert_to_pdf(application_forms(writer, teachers), Path(tmp) / "forms")
        for teacher, pdf, relative in zip(teachers, pdfs, archives, strict=True):
            build_booklet(archive_binder(teacher, pdf, prepared), pdf_out=writer.path(relative))
        manifest = writer.manifest(
            planforge=__version__, target=f"{PACKAGE} files",
            settings={k: _plain(v) for k, v in prepared.settings.items()},
            inputs=[{"file": str(f), "sha256": sha256_of(Path(f))} for f in prepared.data.files],
            cleaned_characters=prepared.cleaned_characters,
        )
        return writer.publish(manifest), [out / relative for relative in archives]


@click.group("hardship-aid")
def hardship_group() -> None:
    """特困教师资助 / Hardship teacher aid: forms, checklist and 专项档案."""


@hardship_group.command("files")
@click.argument("data", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出文件夹 / output folder")
@click.option("--materials", required=True, type=click.Path(path_type=Path),
              help="材料文件夹：每位教师一个子文件夹 / one sub-folder of scans per teacher")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE",
              help="A setting such as level=省级 (repeatable).")
@click.option("--settings", "settings_file", type=click.Path(dir_okay=False),
              help="A YAML/JSON/TOML file of settings.")
@click.option("--force", is_flag=True,
              help="Overwrite files in the output that planforge did not write.")
@click.pass_context
def files_command(ctx: click.Context, data: tuple[str, ...], output: Path, materials: Path,
                  assignments: tuple[str, ...], settings_file: str | None, force: bool) -> None:
    """汇总表、申请表、材料清单及每位教师的专项档案 PDF / Forms, checklist and one file per teacher."""
    values, origin = gather_settings(assignments, settings_file)
    values["materials"] = str(materials)
    engine = _engine(ctx)
    prepared = engine.prepare(PACKAGE, [Path(d) for d in data], values, origin)
    folder, archives = write_files(engine, prepared, output, force)
    click.echo(f"已写入 / written: {folder}")
    for path in archives:
        click.echo(f"  {ARCHIVE_FOLDER}/{path.name}")


__all__ = ["archive_binder", "hardship_group", "write_files"]
