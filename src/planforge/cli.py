"""The ``planforge`` command: a thin layer over the engine, plugins and renderers."""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import click

from . import __version__
from .engine import Engine
from .errors import EXIT_BAD_INPUT, EXIT_BUG, InputError, PlanforgeError, os_fault
from .model import InputData
from .plugins import Registry, load_plugins, register_commands
from .render.jinja import make_environment
from .settings import gather_settings
from .text import cleaned_note

PROGRESS_THRESHOLD = 5


def default_jobs() -> int:
    """The cores this process may use (its CPU affinity where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


#: Input this big (some 700 roster rows and up) usually makes a batch of forms that worker
#: processes render (render/batch.py); they are then started before the input is read.
EARLY_WORKERS_BYTES = 100_000


def _file_size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0


def _rate(done: int, started: float) -> str:
    elapsed = time.monotonic() - started
    return f"{done / elapsed:.0f} 份/秒 forms/s" if done and elapsed > 0 else ""


class State:
    """Per-invocation options; plugins are loaded once, on first use."""

    def __init__(self, plugins_dir: str | None, debug: bool):
        self.plugins_dir, self.debug = plugins_dir, debug
        self._registry: Registry | None = None

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = load_plugins(self.plugins_dir)
        return self._registry

    @property
    def engine(self) -> Engine:
        return Engine(self.registry)


class Disagreements(InputError):
    """What ``planforge check`` found in finished outputs (exit code 2)."""


def report_error(error: PlanforgeError) -> None:
    if not isinstance(error, InputError):
        click.echo(f"错误 / error: {error}", err=True)
        return
    count = len(error.problems)
    if isinstance(error, Disagreements):
        click.echo(f"发现 {count} 处不一致 / {count} disagreement(s) found:", err=True)
    else:
        click.echo(f"发现 {count} 个问题，没有写入任何文件 / {count} problem(s) found, nothing was "
                   "written:", err=True)
    for problem in error.problems:
        click.echo(f"  - {problem}", err=True)


def report_warnings(data: InputData) -> None:
    """What was read but deserves a look (hidden rows), for this run's data and last period's."""
    for source in (data, data.previous):
        for warning in source.warnings if source is not None else ():
            click.echo(f"警告 / warning: {warning}", err=True)


class PlanforgeGroup(click.Group):
    """Adds plugin commands and turns errors into exit codes: 2 bad input, 1 bug."""

    def _plugin_commands(self, ctx: click.Context) -> dict[str, click.Command]:
        cache = ctx.ensure_object(dict)
        # click resolves the subcommand before the group callback runs, so build the state here.
        state = cache.setdefault("state", State(ctx.params.get("plugins_dir"),
                                                bool(ctx.params.get("debug"))))
        if "plugin_commands" not in cache:
            group = click.Group()
            try:
                register_commands(state.registry, group, lambda: state.engine)
            except PlanforgeError as error:
                report_error(error)
                ctx.exit(error.exit_code)
            cache["plugin_commands"] = group.commands
        return cache["plugin_commands"]

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._plugin_commands(ctx)})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        plugin_commands = self._plugin_commands(ctx)
        if name != "plugins":  # which lists them itself
            _warn_failed_plugins(ctx)
        return super().get_command(ctx, name) or plugin_commands.get(name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PlanforgeError as error:
            report_error(error)
            ctx.exit(error.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:  # anything else is our bug, not the clerk's
            fault = os_fault(error)
            if fault is not None:  # a full disk is the machine's, an output below a file yours
                report_error(fault)
                ctx.exit(fault.exit_code)
            state = ctx.ensure_object(dict).get("state")
            if state is not None and state.debug:
                traceback.print_exc()
            else:
                click.echo(f"内部错误 / internal error: {type(error).__name__}: {error}\n"
                           "（加 --debug 可查看详细信息 / run with --debug for the traceback）",
                           err=True)
            ctx.exit(EXIT_BUG)


def _warn_failed_plugins(ctx: click.Context) -> None:
    """Once per command: a plugin that failed to load is said, with where it failed, so a
    missing document type is never a mystery."""
    cache = ctx.ensure_object(dict)
    state = cache.get("state")
    if state is None or cache.get("warned_plugins"):
        return
    cache["warned_plugins"] = True
    for info in state.registry.errors:
        click.echo(f"警告：插件加载失败 / warning: a plugin failed to load: {info.describe()}",
                   err=True)
        if state.debug:
            click.echo(info.details, err=True)


@click.group(cls=PlanforgeGroup)
@click.version_option(__version__, prog_name="planforge")
@click.option("--plugins-dir", type=click.Path(file_okay=False), envvar="PLANFORGE_PLUGINS_DIR",
              help="Also load plugins from this folder.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, plugins_dir: str | None, debug: bool) -> None:
    """planforge: fill official forms, rosters and dossiers from your data."""
    ctx.ensure_object(dict).setdefault("state", State(plugins_dir, debug))


def _state(ctx: click.Context) -> State:
    return ctx.find_root().obj["state"]


previous_option = click.option(
    "--previous", "previous", multiple=True, type=click.Path(),
    help="Last period's data, for tables of changes such as 增减情况表 (repeatable).")

settings_options = [
    click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE",
                 help="A setting such as year=2020 (repeatable)."),
    click.option("--settings", "settings_file", type=click.Path(dir_okay=False),
                 help="A YAML/JSON/TOML file of settings."),
]


def with_settings(function):
    for option in reversed(settings_options):
        function = option(function)
    return function


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def plugins(ctx: click.Context, as_json: bool) -> None:
    """List plugins, where each came from, and what it provides."""
    state = _state(ctx)
    registry = state.registry
    if as_json:
        click.echo(json.dumps([vars(p) for p in registry.plugins], ensure_ascii=False, indent=2))
        return
    for info in registry.plugins:
        status = f"  ✗ {info.where + ': ' if info.where else ''}{info.error}" if info.error else ""
        click.echo(f"{info.name}  [{info.source}]{status}")
        if info.error and state.debug:
            click.echo(info.details, err=True)
        for item in info.contributes:
            kind, _, name = item.partition(":")
            if kind in {"document_type", "package"}:
                target = registry.packages.get(name) or registry.document_types.get(name)
                title = f"  {state.engine.listed_title(name)}" if target else ""
                click.echo(f"    {kind.replace('_', ' ')}: {name}{title}")
            elif kind == "renderer" and name in registry.renderers:
                click.echo(f"    renderer: {name}  → {registry.renderers[name].writes}")
    if registry.errors:
        click.echo(f"{len(registry.errors)} 个插件加载失败 / plugin(s) failed to load", err=True)
        ctx.exit(EXIT_BAD_INPUT)


@cli.command()
@click.argument("target")
@click.argument("data", nargs=-1, required=True, type=click.Path())
@previous_option
@with_settings
@click.pass_context
def validate(ctx: click.Context, target: str, data: tuple[str, ...], previous: tuple[str, ...],
             assignments: tuple[str, ...], settings_file: str | None) -> None:
    """Check DATA for TARGET without writing anything."""
    values, origin = gather_settings(assignments, settings_file)
    prepared = _state(ctx).engine.prepare(target, [Path(d) for d in data], values, origin,
                                          [Path(p) for p in previous])
    report_warnings(prepared.data)
    counts = ", ".join(f"{name}: {len(rows)}" for name, rows in prepared.data.tables.items())
    click.echo(f"数据有效 / data is valid ({counts})")


@cli.command()
@click.argument("target")
@click.argument("data", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(), help="Output folder.")
@click.option("--zip", "as_zip", is_flag=True, help="Write one .zip archive instead of a folder.")
@click.option("--force", is_flag=True,
              help="Overwrite files in the output that planforge did not write.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for big batches of forms (default: all cores).")
@click.option("--pdf", "with_pdf", is_flag=True,
              help="Also write the print-ready PDF beside every document (one LibreOffice run, "
                   "Simplified-Chinese fonts); audit it with `planforge check --print FOLDER`.")
@previous_option
@with_settings
@click.pass_context
def fill(ctx: click.Context, target: str, data: tuple[str, ...], output: str, as_zip: bool,
         force: bool, jobs: int | None, with_pdf: bool, previous: tuple[str, ...],
         assignments: tuple[str, ...],
         settings_file: str | None) -> None:
    """Fill the forms of TARGET (a document type or a package of annexes) from DATA."""
    engine = _state(ctx).engine
    values, origin = gather_settings(assignments, settings_file)
    jobs = jobs or default_jobs()
    if sum(_file_size(Path(d)) for d in data) >= EARLY_WORKERS_BYTES:
        engine.start_workers(jobs)  # they load while the input is read and checked
    prepared = engine.prepare(target, [Path(d) for d in data], values, origin,
                              [Path(p) for p in previous])
    ctx.call_on_close(prepared.close)  # its spilled lists, after success, failure or Ctrl-C
    report_warnings(prepared.data)
    told = len(prepared.data.warnings)
    if prepared.cleaned_characters:
        click.echo(cleaned_note(prepared.cleaned_characters), err=True)
    total = engine.total_items(prepared)
    started = time.monotonic()
    with click.progressbar(length=total, label="填表 / filling", file=sys.stderr, show_pos=True,
                           hidden=total <= PROGRESS_THRESHOLD,
                           item_show_func=lambda _: _rate(bar.pos, started)) as bar:
        result = engine.fill(prepared, Path(output), as_zip, progress=bar.update,
                             jobs=jobs, force=force, pdf=with_pdf)
    for warning in prepared.data.warnings[told:]:  # found while writing one file per quarter …
        click.echo(f"警告 / warning: {warning}", err=True)
    click.echo(f"已写入 / written: {result}")


@cli.command()
@click.argument("target")
@click.option("-o", "--output", required=True, type=click.Path(), help="The .xlsx file to write.")
@click.option("--force", is_flag=True, help="Replace the file if it already exists.")
@click.pass_context
def blank(ctx: click.Context, target: str, output: str, force: bool) -> None:
    """Write an empty input workbook for TARGET: its headers, drop-down lists, text-formatted ID
    column, an example row and a sheet explaining every column."""
    from .blank import write_blank

    state = _state(ctx)
    job = state.engine.job(target)
    if job.read is not None:
        raise PlanforgeError(f"「{target}」读取的是文件夹而不是表格，没有空白表 / {target!r} reads a "
                             "folder, not a spreadsheet: it has no blank")
    written = write_blank(job.inputs, state.registry.field_types, Path(output), force)
    click.echo(f"已写入 / written: {written}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback requires the printed token.")
@click.option("--port", type=click.IntRange(0, 65535), default=0,
              help="Port (default: a free one).")
@click.option("--no-browser", is_flag=True, help="Do not open the browser.")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Requests served at once.")
@click.option("--max-upload", type=click.IntRange(1), default=200, show_default=True,
              help="Largest upload in MB.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, no_browser: bool, threads: int,
          max_upload: int) -> None:
    """A local web page for clerks: blanks, checks, fills, previews and dossiers."""
    from .web.server import serve_app

    state = _state(ctx)
    serve_app(host, port, not no_browser, threads, max_upload * 2**20, state.plugins_dir,
              echo=click.echo)


@cli.group()
def template() -> None:
    """Inspect templates."""


@template.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--type", "type_name", help="Compare with this document type's fields.")
@click.option("--data", "data", multiple=True, type=click.Path(),
              help="Also check against the context this data gives (any type, Python ones too).")
@previous_option
@with_settings
@click.pass_context
def template_check(ctx: click.Context, path: str, type_name: str | None, data: tuple[str, ...],
                   previous: tuple[str, ...], assignments: tuple[str, ...],
                   settings_file: str | None) -> None:
    """List the placeholders TEMPLATE uses; with --type, the unknown ones (names, and attributes
    of loop variables such as p.nmae) and unused fields. Exit 2 when something is unknown."""
    from .templatecheck import check_against, inspect_template

    registry = _state(ctx).registry
    env = make_environment(registry.filters, autoescape=False)
    report = inspect_template(Path(path), env)
    click.echo("占位符 / placeholders: " + ", ".join(sorted(report.names)))
    if report.attributes:
        click.echo("属性 / attributes: " + ", ".join(sorted(f"{b}.{a}" for b, a in report.attributes)))
    if type_name:
        target = registry.target(type_name)
        if not hasattr(target, "template"):
            raise PlanforgeError(f"「{type_name}」是附件包，请指定其中一个文档类型 / "
                                 f"{type_name!r} is a package; name one of its document types")
        context = None
        if data:
            values, origin = gather_settings(assignments, settings_file)
            context = _state(ctx).engine.prepare(type_name, [Path(d) for d in data], values, origin,
                                                 [Path(p) for p in previous]).context
        check_against(report, target, context)
        click.echo("未知 / unknown: " + (", ".join(sorted(report.unknown)) or "—"))
        click.echo("未使用的字段 / unused fields: " + (", ".join(sorted(report.unused_fields)) or "—"))
    if report.raw_booleans:
        click.echo("注意：以下是/否值未加过滤器，将印作「是」「否」；要印 ☑/☐ 请用 |checkbox / "
                   "note: these yes/no values are printed without a filter and print 是/否 "
                   "(use |checkbox for ☑/☐): " + ", ".join(sorted(report.raw_booleans)))
    if report.unknown:
        ctx.exit(2)


@template.command("infer")
@click.argument("blank", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="The plugin folder to write; its name is the new document type's name.")
@click.option("--force", is_flag=True, help="Overwrite a folder that is not empty.")
def template_infer(blank: str, output: str, force: bool) -> None:
    """Make a declarative plugin from a BLANK official annex (.docx or .xlsx)."""
    from .infer import infer_plugin

    folder, report = infer_plugin(Path(blank), Path(output), force)
    for line in report:
        click.echo(line)
    click.echo(f"已写入 / written: {folder}")
    click.echo(f"试填 / try it: planforge --plugins-dir {folder.parent} fill {folder.name} "
               "DATA.xlsx -o OUT")


@cli.command()
@click.argument("target", required=False)
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False))
@click.option("--print", "print_folder", type=click.Path(exists=True, file_okay=False),
              help="Audit the printed pages of FOLDER (one page forms, signature blocks, cut or "
                   "overlapping text, 第N页共M页, Chinese fonts), listing problems by file and page.")
@with_settings
@click.pass_context
def check(ctx: click.Context, target: str | None, folder: str | None, print_folder: str | None,
          assignments: tuple[str, ...], settings_file: str | None) -> None:
    """Re-read a finished package in FOLDER and report every disagreement; with --print, audit
    how a finished folder prints (``planforge check --print FOLDER``)."""
    printed = []
    if print_folder is not None:
        from .printaudit import audit_folder

        printed = audit_folder(Path(print_folder))
    if target is None and print_folder is not None:
        if printed:
            raise Disagreements(printed)
        click.echo("打印检查通过 / every page prints as meant")
        return
    if target is None or folder is None:
        raise click.UsageError("需要 TARGET 和 FOLDER，或 --print FOLDER / give TARGET and FOLDER, "
                               "or --print FOLDER")
    registry = _state(ctx).registry
    package = registry.target(target)
    if getattr(package, "check", None) is None:
        raise PlanforgeError(f"「{target}」没有提供核对功能 / {target!r} offers no check")
    values, _ = gather_settings(assignments, settings_file)
    problems = [*package.check(Path(folder), values), *printed]
    if problems:
        raise Disagreements(problems)
    click.echo("核对一致 / everything agrees")


@cli.command("new-plugin")
@click.argument("name")
@click.option("--declarative", is_flag=True, help="A plugin.yaml and a template, no Python.")
@click.option("-o", "--output", default=".", type=click.Path(file_okay=False),
              help="Folder to create the plugin in.")
def new_plugin(name: str, declarative: bool, output: str) -> None:
    """Scaffold a working plugin with a passing test."""
    from .scaffold import scaffold_plugin

    created = scaffold_plugin(name, Path(output), declarative)
    click.echo(f"已创建 / created: {created}")


def main() -> None:
    cli(prog_name="planforge")
