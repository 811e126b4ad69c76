"""The 专项档案: one PDF per aided teacher, a document type the engine renders after the forms.

The seed asks for a 专项档案 (a file) per aided teacher. It is bound like any planforge booklet:
a cover, a contents page with page numbers, then the 申请表 and the scans in checklist order. The
package ``hardship-aid-files`` renders the forms, then binds each archive around the 申请表 the
same run staged, and the engine publishes everything together through its output writer
(staging, journal, manifest, ``--zip``): ``planforge fill hardship-aid-files DATA --set
materials=DIR -o OUT`` or its friendly name ``planforge hardship-aid files``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from planforge import WHERE_KEY, PlanforgeError, Renderer, gather_settings, sanitize_filename
from planforge.default_plugins.booklet import Binder, Cover, Document, Section, build_booklet
from planforge.default_plugins.convert import convert_to_pdf, find_soffice

from .context import FILES_KEY
from .materials import MATERIALS

PACKAGE = "hardship-aid-files"
APPLICATION = "hardship-application"
ARCHIVE_TYPE = "hardship-archive"
ARCHIVE_FOLDER = "专项档案"


def application_forms(writer: Any, teachers: list[dict[str, Any]]) -> list[Path]:
    """The staged 申请表 of each teacher, found by the row it was made from."""
    by_row = {}
    for entry in writer.files:
        if entry.document_type == APPLICATION and len(entry.rows) == 1:
            by_row.setdefault(tuple(sorted(entry.rows[0].items())), writer.staging / entry.path)
    return [by_row[tuple(sorted(t[WHERE_KEY].as_dict().items()))] for t in teachers]


def archive_binder(teacher: dict[str, Any], form_pdf: Path, context: dict[str, Any]) -> Binder:
    """Cover, then the 申请表, then each material present, in checklist order."""
    settings, level = context["settings"], context["level"]
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


def archive_name(teacher: dict[str, Any]) -> str:
    """A teacher's 专项档案 file: number and name, as their 申请表 is called."""
    return sanitize_filename(f"{teacher['index']:02d} {teacher['name']}", ".pdf")


def render_archives(rendering: Any, writer: Any) -> Callable[[], None]:
    """One 专项档案 PDF per teacher in the ``entry`` folder, bound around the 申请表 this run
    staged; refused before anything is rendered without LibreOffice or without the 申请表."""
    if not any(entry.document_type == APPLICATION for entry in writer.files):
        raise PlanforgeError(
            f"专项档案要与申请表一起生成：请运行 {PACKAGE}（或 planforge hardship-aid files） / "
            f"the 专项档案 are bound around the 申请表 of the same run: fill {PACKAGE} "
            "(or run planforge hardship-aid files)")
    find_soffice()  # the 申请表 are converted to PDF: without LibreOffice nothing is rendered
    teachers = rendering.items
    archives = [f"{rendering.entry}/{archive_name(teacher)}" for teacher in teachers]
    for teacher, relative in zip(teachers, archives, strict=True):
        writer.add(relative, rendering.document_type.name, [teacher[WHERE_KEY]])

    def write() -> None:
        with tempfile.TemporaryDirectory(prefix="hardship-") as tmp:
            pdfs = convert_to_pdf(application_forms(writer, teachers), Path(tmp) / "forms")
            for teacher, pdf, relative in zip(teachers, pdfs, archives, strict=True):
                build_booklet(archive_binder(teacher, pdf, rendering.context),
                              pdf_out=writer.path(relative))

    return write


ARCHIVE_RENDERER = Renderer(
    ARCHIVE_TYPE, render_archives, consumes="one teacher per archive, after the 申请表",
    writes=".pdf per teacher (cover, contents, 申请表, scans)",
    fills_template=False, description="特困教师专项档案 / a bound PDF file per aided teacher")


def hardship_group(engine: Callable[[], Any]) -> click.Group:
    """``planforge hardship-aid files``, the friendly name of ``fill hardship-aid-files``."""

    @click.group("hardship-aid")
    def group() -> None:
        """特困教师资助 / Hardship teacher aid: forms, checklist and 专项档案."""

    @group.command("files")
    @click.argument("data", nargs=-1, required=True, type=click.Path())
    @click.option("-o", "--output", required=True,
                  type=click.Path(file_okay=False, path_type=Path),
                  help="输出文件夹 / output folder")
    @click.option("--materials", required=True, type=click.Path(path_type=Path),
                  help="材料文件夹：每位教师一个子文件夹 / one sub-folder of scans per teacher")
    @click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE",
                  help="A setting such as level=省级 (repeatable).")
    @click.option("--settings", "settings_file", type=click.Path(dir_okay=False),
                  help="A YAML/JSON/TOML file of settings.")
    @click.option("--zip", "as_zip", is_flag=True,
                  help="Write one .zip archive instead of a folder.")
    @click.option("--force", is_flag=True,
                  help="Overwrite files in the output that planforge did not write.")
    def files(data: tuple[str, ...], output: Path, materials: Path,
              assignments: tuple[str, ...], settings_file: str | None, as_zip: bool,
              force: bool) -> None:
        """汇总表、申请表、材料清单及每位教师的专项档案 PDF / Forms, checklist and one file per
        teacher."""
        values, origin = gather_settings(assignments, settings_file)
        values["materials"] = str(materials)
        run = engine()
        prepared = run.prepare(PACKAGE, [Path(d) for d in data], values, origin)
        written = run.fill(prepared, output, as_zip, force=force)
        click.echo(f"已写入 / written: {written}")
        if not as_zip:
            for teacher in prepared.context["teachers"]:
                click.echo(f"  {ARCHIVE_FOLDER}/{archive_name(teacher)}")

    return group


__all__ = ["ARCHIVE_RENDERER", "archive_binder", "hardship_group", "render_archives"]
