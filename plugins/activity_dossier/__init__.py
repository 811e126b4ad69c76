"""Built-in plugin: activity dossiers (活动资料汇编), photo pages and general booklets.

Adds ``planforge dossier build|check``, ``planforge photos`` and ``planforge binder``. User
mistakes raise :class:`planforge.errors.PlanforgeError` subclasses; the planforge CLI prints them
and exits with code 2 (3 when LibreOffice is missing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from planforge import InputError, Problem, clean_context, cleaned_note, hookimpl, read_mapping

__all__ = ["binder_command", "dossier_group", "photos_command", "register_commands"]


def _warn(problems: list[Problem], cleaned: int = 0) -> None:
    for problem in problems:
        click.echo(f"警告 / warning: {problem}", err=True)
    if cleaned:
        click.echo(cleaned_note(cleaned), err=True)


@click.group("dossier")
def dossier_group() -> None:
    """活动资料:检查并装订一次活动的资料 / Check and bind one activity's materials."""


@dossier_group.command("build")
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
def dossier_build(folder: Path, out: Path) -> None:
    """装订活动资料 / Build the booklet, photo package and courseware package."""
    from .activity import build_dossier

    result = build_dossier(folder, out, progress=lambda msg: click.echo(msg, err=True))
    _warn(result.warnings, result.booklet.cleaned_characters)
    click.echo(f"已生成 / written: {result.folder}")
    if result.booklet.pdf is not None:
        click.echo(f"  {result.booklet.pdf.name}  ({result.booklet.pages} 页 / pages)")


@dossier_group.command("check")
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


@click.command("photos")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="photos.docx 或 photos.pdf",
)
@click.option(
    "--expected",
    type=int,
    default=10,
    show_default=True,
    help="应有照片张数,0 表示不检查 / expected number of photos, 0 = any",
)
@click.option(
    "--captions",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="照片说明 YAML(文件名: 说明)/ YAML mapping file name -> caption",
)
def photos_command(folder: Path, out: Path, expected: int, captions: Path | None) -> None:
    """照片页:每页两张横版照片并配说明 / Photo pages, two captioned photos per A4 page."""
    from planforge.photos import check_photos, list_photo_files, write_photo_pages

    mapping, cleaned = clean_context(_load_captions(captions))
    files = list_photo_files(folder)
    check = check_photos(files, expected=expected or None, where=str(folder))
    check.raise_for_errors()
    _warn(check.warnings, cleaned)
    write_photo_pages([p.path for p in check.photos], out, mapping)
    click.echo(f"已生成 / written: {out} ({len(check.photos)} 张照片 / photos)")


def _load_captions(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    data = read_mapping(path, "照片说明", "captions")
    return {str(k): str(v) for k, v in data.items()}


@click.command("binder")
@click.argument("binder_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--docx",
    "docx_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="同时生成可编辑的 Word 版 / also write an editable .docx booklet",
)
def binder_command(binder_file: Path, out: Path, docx_out: Path | None) -> None:
    """按清单装订文件(封面、目录、页码、书签)/ Bind the documents listed in BINDER.yaml."""
    from planforge.binder import build_booklet, load_binder_yaml

    binder = load_binder_yaml(binder_file)
    result = build_booklet(binder, pdf_out=out, docx_out=docx_out)
    _warn([], result.cleaned_characters)
    if result.docx is not None:
        click.echo(f"已生成 / written: {result.docx}")
    if result.pdf_error is not None:
        raise result.pdf_error
    click.echo(f"已生成 / written: {result.pdf} ({result.pages} 页 / pages)")


@hookimpl
def register_commands(cli: Any) -> None:
    """Add ``dossier``, ``photos`` and ``binder`` to the planforge command group."""
    cli.add_command(dossier_group)
    cli.add_command(photos_command)
    cli.add_command(binder_command)
