"""Built-in plugin: activity dossiers (活动资料汇编), photo pages and general booklets.

Registers the document type ``activity-dossier`` and its renderer (``planforge fill
activity-dossier FOLDER``; :mod:`.document`), the types ``photo-pages`` and ``booklet``
(:mod:`.pages`), and adds ``planforge dossier build|check`` (``build`` is that fill into the
``date theme`` folder), ``planforge photos`` and ``planforge binder`` (those fills, publishing
one file to ``-o``). User
mistakes raise :class:`planforge.errors.PlanforgeError` subclasses; the planforge CLI prints them
and exits with code 2 (3 when LibreOffice is missing).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from planforge import InputError, Location, Problem, cleaned_note, hookimpl

from .document import ACTIVITY_DOSSIER, DOCUMENT_TYPE, DOSSIER_RENDERER
from .pages import BOOKLET, BOOKLET_TYPE, PHOTO_PAGES, PHOTO_PAGES_TYPE

__all__ = ["binder_command", "dossier_group", "photos_command", "register_commands"]


def _warn(problems: list[Problem], cleaned: int = 0) -> None:
    for problem in problems:
        click.echo(f"警告 / warning: {problem}", err=True)
    if cleaned:
        click.echo(cleaned_note(cleaned), err=True)


def dossier_group(engine: Callable[[], Any]) -> click.Group:
    """``planforge dossier build|check``; ``build`` fills through ``engine()``."""

    @click.group("dossier")
    def group() -> None:
        """活动资料:检查并装订一次活动的资料 / Check and bind one activity's materials."""

    @group.command("build")
    @click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.option(
        "-o",
        "--out",
        "out",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="在此文件夹内创建「日期 主题」文件夹 / parent folder of the 'date theme' folder",
    )
    @click.option("--zip", "as_zip", is_flag=True,
                  help="写成一个「日期 主题.zip」/ write one 'date theme.zip' archive instead")
    @click.option("--force", is_flag=True,
                  help="覆盖输出中不是 planforge 写的文件 / overwrite files planforge did not write")
    def build(folder: Path, out: Path, as_zip: bool, force: bool) -> None:
        """装订活动资料 / Build the booklet, photo package and courseware package.

        The same run as ``planforge fill activity-dossier FOLDER -o OUT/日期 主题``.
        """
        run = engine()
        prepared = run.prepare(DOCUMENT_TYPE, [folder], {})
        _warn(prepared.data.warnings, prepared.cleaned_characters)
        written = run.fill(prepared, Path(out) / prepared.context["name"], as_zip, force=force)
        click.echo(f"已生成 / written: {written}")
        booklet = written / f"{prepared.context['name']}.pdf"
        if not as_zip and booklet.is_file():
            from pypdf import PdfReader

            pages = len(PdfReader(booklet).pages)
            click.echo(f"  {booklet.name}  ({pages} 页 / pages)")

    group.add_command(dossier_check)
    return group


@click.command("check")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--no-convert",
    is_flag=True,
    help="不调用 LibreOffice(不检查可转换性与感受篇幅)/ skip LibreOffice checks",
)
def dossier_check(folder: Path, no_convert: bool) -> None:
    """只检查、不写文件 / Report problems without writing anything."""
    from .activity import check_dossier

    loaded, report = check_dossier(folder, convert=not no_convert)
    if loaded is not None:
        click.echo(f"活动 / activity: {loaded.name}")
    for fact in report.facts:
        click.echo(f"  {fact}")
    _warn(report.warnings)
    if report.errors:
        raise InputError(report.errors)
    click.echo("检查通过 / check passed")


_FORCE = click.option("--force", is_flag=True,
                      help="覆盖已有的输出文件 / overwrite an existing output file")


def _out_file(zh: str, en: str) -> Callable[[Any], Any]:
    """``-o FILE``: one file, written atomically and never over one already there."""
    return click.option("-o", "--out", "out", required=True,
                        type=click.Path(dir_okay=False, path_type=Path),
                        help=f"{zh}（已有的文件不会被覆盖，除非 --force）/ {en} (an existing "
                             "file is kept unless --force)")


def _publish(engine: Callable[[], Any], name: str, source: Path, settings: dict[str, Any],
             targets: dict[str, Path], force: bool) -> Any:
    """``planforge fill NAME SOURCE``, publishing its files to the paths the clerk named."""
    run = engine()
    prepared = run.prepare(name, [source], settings)
    _warn(prepared.data.warnings, prepared.cleaned_characters)
    for target in run.fill_files(prepared, targets, force):
        click.echo(f"已生成 / written: {target}")
    return prepared


def photos_command(engine: Callable[[], Any]) -> click.Command:
    """``planforge photos FOLDER -o FILE``: ``fill photo-pages`` publishing one file."""

    @click.command("photos")
    @click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @_out_file("照片页文件 photos.docx 或 photos.pdf", "the .docx or .pdf to write")
    @click.option("--expected", type=int, default=10, show_default=True,
                  help="应有照片张数,0 表示不检查 / expected number of photos, 0 = any")
    @click.option("--captions", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  help="照片说明 YAML(文件名: 说明)/ YAML mapping file name -> caption")
    @_FORCE
    def photos(folder: Path, out: Path, expected: int, captions: Path | None,
               force: bool) -> None:
        """照片页:每页两张横版照片并配说明 / Photo pages, two captioned photos per A4 page.

        The same run as ``planforge fill photo-pages FOLDER --set expected=N --set
        captions=FILE``, writing the one file ``-o`` names (atomically; never over a file that
        is there already, unless --force).
        """
        suffix = out.suffix.lower()
        if suffix not in (".docx", ".pdf"):
            raise InputError(Problem("照片页只能输出为 .docx 或 .pdf",
                                     "photo pages can only be written as .docx or .pdf",
                                     Location(str(out))))
        settings = {"expected": expected, "photo_format": suffix[1:]}
        if captions is not None:
            settings["captions"] = str(captions)
        prepared = _publish(engine, PHOTO_PAGES, folder, settings, {suffix: out}, force)
        click.echo(f"  {len(prepared.context['photos'])} 张照片 / photos")

    return photos


def binder_command(engine: Callable[[], Any]) -> click.Command:
    """``planforge binder BINDER.yaml -o FILE``: ``fill booklet`` publishing one or two files."""

    @click.command("binder")
    @click.argument("binder_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @_out_file("PDF 装订册", "the PDF booklet to write")
    @click.option("--docx", "docx_out", type=click.Path(dir_okay=False, path_type=Path),
                  help="同时生成可编辑的 Word 版 / also write an editable .docx booklet")
    @_FORCE
    def binder(binder_file: Path, out: Path, docx_out: Path | None, force: bool) -> None:
        """按清单装订文件(封面、目录、页码、书签)/ Bind the documents listed in BINDER.yaml.

        The same run as ``planforge fill booklet BINDER.yaml``, writing the PDF to ``-o`` and
        the Word booklet to ``--docx`` (atomically; never over a file that is there already,
        unless --force). Without LibreOffice the Word booklet is still written; exit code 3.
        """
        targets = {".pdf": out, **({".docx": docx_out} if docx_out is not None else {})}
        _publish(engine, BOOKLET, binder_file, {}, targets, force)
        if out.is_file():
            from pypdf import PdfReader

            click.echo(f"  {out.name}  ({len(PdfReader(out).pages)} 页 / pages)")

    return binder


@hookimpl
def register_document_types(register: Callable[[Any], None]) -> None:
    """``activity-dossier``: ``planforge fill activity-dossier FOLDER -o OUT``."""
    register(ACTIVITY_DOSSIER)
    register(PHOTO_PAGES_TYPE)
    register(BOOKLET_TYPE)


@hookimpl
def register_renderers(register: Callable[[Any], None]) -> None:
    register(DOSSIER_RENDERER)


@hookimpl
def register_commands(cli: Any, engine: Callable[[], Any]) -> None:
    """Add ``dossier``, ``photos`` and ``binder`` to the planforge command group."""
    cli.add_command(dossier_group(engine))
    cli.add_command(photos_command(engine))
    cli.add_command(binder_command(engine))
