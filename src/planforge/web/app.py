"""``planforge serve``: the whole job in a browser, on the same engine and plugins as the CLI.

Every rule stays where the CLI finds it: checking and filling go through :class:`Engine`, a
package's cross-check through its ``check``, and a plugin's own commands (``dossier``) run as the
command line itself in a child process. The page adds no rule of its own; it only uploads,
shows and downloads.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from flask import (
    Flask,
    Response,
    abort,
    jsonify,
    render_template,
    request,
    send_file,
    session,
)

from ..blank import blank_workbook
from ..engine import Engine
from ..errors import InputError, PlanforgeError, Problem, ToolMissingError
from ..model import Package
from ..output import MANIFEST, sanitize_filename
from ..plugins import Registry, load_plugins
from . import previews
from .jobs import INTERNAL_ERROR, Job, JobStore
from .sheetview import sheet_view
from .uploads import find_folder_with, save_data_file, unpack_folder

log = logging.getLogger("planforge.web")

#: Uploads larger than this in one request are refused (``--max-upload`` changes it).
DEFAULT_MAX_UPLOAD = 200 * 1024 * 1024
_TOKEN_COOKIE = "planforge_token"
_FIELD_INPUTS = {"date": "date", "integer": "number", "amount": "number"}
#: A package of 2,000 forms needs no 2,000 previews: a folder shows its first documents.
PREVIEWS_PER_FOLDER = 2


def create_app(plugins_dir: str | None = None, access_token: str | None = None,
               max_upload: int = DEFAULT_MAX_UPLOAD, jobs_root: Path | None = None,
               render_jobs: int | None = None) -> Flask:
    """The web app. ``access_token`` (set when serving beyond loopback) must come with every
    request: once as ``?token=`` (then kept in a cookie) or as the ``X-Planforge-Token`` header."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("PLANFORGE_WEB_SECRET") or secrets.token_hex(32),
        MAX_CONTENT_LENGTH=max_upload,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_HTTPONLY=True,
    )
    registry = load_plugins(plugins_dir)
    engine = Engine(registry)
    commands = _command_names(registry)  # once: registering plugin commands is not free
    store = JobStore(jobs_root)
    app.extensions["planforge"] = {"registry": registry, "engine": engine, "store": store}
    cores = render_jobs or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                            else os.cpu_count() or 1)

    @app.before_request
    def guard() -> Response | None:
        if access_token is not None:
            given = (request.args.get("token") or request.headers.get("X-Planforge-Token")
                     or request.cookies.get(_TOKEN_COOKIE) or "")
            if not secrets.compare_digest(given, access_token):
                return _page_error("需要访问令牌（启动时打印的网址中包含它）",
                                   "an access token is needed (it is in the address printed at "
                                   "start)", 403)
        session.setdefault("owner", secrets.token_urlsafe(16))
        session.setdefault("csrf", secrets.token_urlsafe(24))
        if request.method == "POST":
            sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf") or ""
            if not secrets.compare_digest(sent, session["csrf"]):
                return _json_error("页面已过期，请刷新后重试", "the page has expired; reload it and "
                                   "try again", 403)
        return None

    @app.after_request
    def remember_token(response: Response) -> Response:
        if access_token is not None and request.args.get("token") == access_token:
            response.set_cookie(_TOKEN_COOKIE, access_token, httponly=True, samesite="Strict")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'")
        return response

    @app.errorhandler(413)
    def too_large(_error: Exception) -> Response:
        limit = max_upload // 2**20
        return _json_error(f"上传的文件太大（上限 {limit} MB）",
                           f"the upload is too large (at most {limit} MB)", 413)

    @app.errorhandler(PlanforgeError)
    def planforge_error(error: PlanforgeError) -> Response:
        if isinstance(error, InputError):
            return jsonify({"error": "input",
                            "problems": [_problem(p) for p in error.problems]}), 400
        return _json_error(str(error), "", 400)

    @app.errorhandler(Exception)
    def internal_error(error: Exception) -> Response:
        if hasattr(error, "code") and isinstance(getattr(error, "code", None), int):
            return error  # an HTTP error Flask raised (404 …)
        log.exception("internal error")
        return _json_error(INTERNAL_ERROR, "", 500)

    def owner() -> str:
        return session["owner"]

    def job_or_404(job_id: str) -> Job:
        job = store.get(job_id, owner())
        if job is None:
            abort(404)
        return job

    @app.get("/")
    def home() -> str:
        return render_template("home.html", groups=_catalogue(registry, engine),
                               dossier="dossier" in commands)

    @app.get("/fill/<name>")
    def fill_page(name: str) -> str:
        target = _target_or_404(registry, name)
        return render_template("fill.html", name=name, title=engine.listed_title(name),
                               description=target.description,
                               settings=[_setting(f) for f in engine.job(name).settings],
                               previous=_takes_previous(engine, name))

    @app.get("/blank/<name>.xlsx")
    def blank(name: str) -> Response:
        _target_or_404(registry, name)
        buffer = io.BytesIO()
        blank_workbook(engine.job(name).inputs, registry.field_types).save(buffer)
        buffer.seek(0)
        return send_file(buffer, as_attachment=True,
                         download_name=sanitize_filename(f"{name} 空白表", ".xlsx"),
                         mimetype="application/vnd.openxmlformats-officedocument."
                                  "spreadsheetml.sheet")

    @app.post("/api/check/<name>")
    def check(name: str) -> Response:
        _target_or_404(registry, name)
        job = store.create(owner(), "fill", name)
        try:
            _save_uploads(job, request.files.getlist("data"), "data")
            _save_uploads(job, request.files.getlist("previous"), "previous")
        except InputError:
            store.remove(job)
            raise
        job.settings = _settings_from(request.form)
        _run_check(engine, job)
        return jsonify(job.status())

    @app.post("/api/jobs/<job_id>/fill")
    def fill(job_id: str) -> Response:
        job = job_or_404(job_id)
        if job.state == "running":
            return _json_error("任务正在进行", "the job is already running", 409)
        job.settings = _settings_from(request.form) or getattr(job, "settings", {})
        store.run(job, lambda j: _run_fill(registry, engine, j, cores))
        return jsonify(job.status())

    @app.get("/api/jobs/<job_id>")
    def status(job_id: str) -> Response:
        return jsonify(job_or_404(job_id).status())

    @app.get("/jobs/<job_id>/files/<int:index>")
    def download_file(job_id: str, index: int) -> Response:
        job = job_or_404(job_id)
        path = _output(job, index)
        return send_file(path, as_attachment=True, download_name=path.name)

    @app.get("/jobs/<job_id>/preview/<int:index>/<int:page>.png")
    def preview(job_id: str, index: int, page: int) -> Response:
        job = job_or_404(job_id)
        path = _output(job, index)
        try:
            image = previews.page_image(path, max(1, page), job.cache)
        except ToolMissingError as error:
            return _json_error(str(error), "", 503)
        except subprocess.CalledProcessError:
            abort(404)  # past the last page
        return send_file(image, mimetype="image/png", max_age=3600)

    @app.get("/jobs/<job_id>/pages/<int:index>")
    def pages(job_id: str, index: int) -> Response:
        job = job_or_404(job_id)
        try:
            count = previews.page_count(previews.pdf_of(_output(job, index), job.cache))
        except ToolMissingError as error:
            return _json_error(str(error), "", 503)
        return jsonify({"pages": count})

    @app.get("/jobs/<job_id>/download.zip")
    def download_zip(job_id: str) -> Response:
        job = job_or_404(job_id)
        if job.state != "done":
            abort(409)
        archive = job.cache / "download.zip"
        if not archive.is_file():
            _zip_folder(job.output, archive)
        job.downloaded = True
        name = sanitize_filename(job.target if job.kind == "fill" else "活动资料", ".zip")
        return send_file(archive, as_attachment=True, download_name=name)

    @app.get("/dossier")
    def dossier_page() -> str:
        if "dossier" not in commands:
            abort(404)
        return render_template("dossier.html")

    @app.post("/api/dossier/check")
    def dossier_check() -> Response:
        upload = request.files.get("folder")
        if upload is None or not upload.filename:
            return _json_error("请选择活动资料文件夹的 zip 压缩包", "choose the .zip of the "
                               "activity folder", 400)
        job = store.create(owner(), "dossier", "dossier")
        try:
            archive = job.cache / "upload.zip"
            upload.save(archive)
            unpack_folder(archive, job.inputs)
            archive.unlink()
            folder = find_folder_with(job.inputs, "dossier.yaml")
            if folder is None:
                raise InputError(Problem("压缩包中没有 dossier.yaml（活动说明）",
                                         "the archive holds no dossier.yaml (the activity's "
                                         "description)"))
        except InputError:
            store.remove(job)
            raise
        job.source = folder
        code, lines = _planforge(plugins_dir, "dossier", "check", str(folder))
        job.lines = _relative_lines(lines, job.folder)
        job.state = "checked" if code == 0 else "invalid"
        return jsonify(job.status())

    @app.post("/api/jobs/<job_id>/build")
    def dossier_build(job_id: str) -> Response:
        job = job_or_404(job_id)
        if job.kind != "dossier" or job.state == "running":
            return _json_error("无法开始装订", "cannot start the build", 409)
        store.run(job, lambda j: _run_build(plugins_dir, j))
        return jsonify(job.status())

    return app


def _page_error(zh: str, en: str, code: int) -> Response:
    return Response(render_template("error.html", zh=zh, en=en), status=code)


def _json_error(zh: str, en: str, code: int) -> Response:
    message = f"{zh} / {en}" if en else zh
    response = jsonify({"error": "message", "message": message})
    response.status_code = code
    return response


def _problem(problem: Problem) -> dict[str, Any]:
    where = problem.where
    return {"file": Path(where.file).name if where.file else "", "sheet": where.sheet or "",
            "row": where.row, "column": where.column or (f"设置 {where.setting}" if where.setting
                                                         else ""),
            "zh": problem.zh, "en": problem.en}


def _target_or_404(registry: Registry, name: str):
    try:
        return registry.target(name)
    except PlanforgeError:
        abort(404)


def _command_names(registry: Registry) -> set[str]:
    import click

    from ..plugins import register_commands

    group = click.Group()
    register_commands(registry, group)
    return set(group.commands)


def _catalogue(registry: Registry, engine: Engine) -> list[dict[str, Any]]:
    """Every plugin that contributes document types or packages, with what each offers."""
    groups = []
    for info in registry.plugins:
        items = []
        for contribution in info.contributes:
            kind, _, name = contribution.partition(":")
            if kind not in {"document_type", "package"} or engine.job(name).read:
                continue  # a type reading a folder (the dossier) has its own page, not a form
            target = registry.target(name)
            members = (tuple(registry.document_types[m] for m in target.members)
                       if isinstance(target, Package) else (target,))
            items.append({
                "name": name, "kind": "附件包 / package" if kind == "package" else "文档 / form",
                "title": engine.listed_title(name), "description": target.description,
                "annexes": [title.split(" ", 1)[0] for title in map(engine.listed_title,
                                                                     (m.name for m in members))
                            if title.startswith("附件")],
            })
        if items or info.error:
            groups.append({"name": info.name, "source": info.source, "error": info.error,
                           "items": items})
    return groups


def _setting(field) -> dict[str, Any]:
    from ..blank import choices_of

    return {"name": field.name, "label": field.label, "required": field.required
            and field.default is None, "default": "" if field.default is None else field.default,
            "input": _FIELD_INPUTS.get(field.type, "text"), "choices": choices_of(field),
            "help": field.help}


def _takes_previous(engine: Engine, name: str) -> bool:
    """Whether a form lists changes against last period (its plugin reads ``data.previous``):
    the page offers the second upload to every package, since the CLI does."""
    return isinstance(engine.registry.target(name), Package)


def _settings_from(form: Iterable) -> dict[str, str]:
    """Settings as ``--set`` gives them: text, typed later by the same fields as the CLI's."""
    return {key.removeprefix("setting:"): value.strip() for key, value in form.items()
            if key.startswith("setting:") and value.strip()}


def _save_uploads(job: Job, uploads: list, kind: str) -> None:
    folder = job.inputs / kind
    folder.mkdir(exist_ok=True)
    for upload in uploads:
        if upload and upload.filename:
            save_data_file(upload.filename, upload.stream, folder)


def _files(job: Job, kind: str) -> list[Path]:
    folder = job.inputs / kind
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def _validate(engine: Engine, job: Job):
    """Prepare the job's data as ``planforge validate`` does; keep the problems with the
    sheets they point into. Returns the prepared run, or None when the data has problems."""
    data = _files(job, "data")
    if not data:
        raise InputError(Problem("请选择数据文件", "choose a data file"))
    job.problems, job.warnings, job.sheets = [], [], []
    try:
        prepared = engine.prepare(job.target, data, job.settings, "设置 / settings",
                                  _files(job, "previous") or None)
    except InputError as error:
        job.problems = [_problem(p) for p in error.problems]
        job.sheets = [view for path in [*data, *_files(job, "previous")]
                      if (view := sheet_view(path, path.name, error.problems))]
        return None
    for source in (prepared.data, prepared.data.previous):
        job.warnings.extend(str(w).replace(str(job.inputs), "") for w in
                            (source.warnings if source is not None else ()))
    counts = "，".join(f"{name}: {len(rows)}" for name, rows in prepared.data.tables.items())
    job.message = f"数据有效 / data is valid（{counts}）"
    job.total = engine.total_items(prepared)
    return prepared


def _run_check(engine: Engine, job: Job) -> None:
    """Validate now: it is quick, and the clerk waits for it."""
    job.state = "checked" if _validate(engine, job) is not None else "invalid"


def _run_fill(registry: Registry, engine: Engine, job: Job, cores: int) -> None:
    """Check again (the settings may have changed), fill, then cross-check and preview; the
    job stays "running" until its files are there."""
    prepared = _validate(engine, job)
    if prepared is None:
        job.state = "invalid"
        return
    job.done = 0

    def progress(count: int) -> None:
        job.done += count

    engine.fill(prepared, job.output, progress=progress, jobs=cores)
    job.outputs = _listed(job.output)
    target = registry.target(job.target)
    if isinstance(target, Package) and target.check is not None:
        found = target.check(job.output, prepared.settings)
        job.check = [str(p).replace(str(job.output), "") for p in found] or ["核对一致 / "
                                                                            "everything agrees"]
    job.message = f"已完成 / done: {len(job.outputs)} 个文件 / files"
    job.state = "done"
    _convert_previews(job)


def _convert_previews(job: Job) -> None:
    """Convert what the page previews in one LibreOffice run; without LibreOffice the page
    says so per image instead."""
    job.shown = [job.outputs.index(p) for p in preview_paths(job.outputs)]
    shown = [job.output / job.outputs[i] for i in job.shown]
    try:
        previews.convert_all([p for p in shown if p.suffix.lower() in previews.PREVIEWABLE],
                             job.cache)
        job.previews = "ready"
    except PlanforgeError as error:
        job.previews = str(error)


def preview_paths(outputs: list[str]) -> list[str]:
    """The documents worth a preview: every file at the top, the first few of each folder."""
    shown, per_folder = [], {}
    for relative in outputs:
        parts = Path(relative).parts
        if Path(relative).suffix.lower() not in previews.PREVIEWABLE:
            continue
        if len(parts) > 1:
            per_folder[parts[0]] = per_folder.get(parts[0], 0) + 1
            if per_folder[parts[0]] > PREVIEWS_PER_FOLDER:
                continue
        shown.append(relative)
    return shown


def _listed(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.is_file() and not any(part.startswith(".") for part in
                                             p.relative_to(folder).parts))


def _output(job: Job, index: int) -> Path:
    """An output by its number in the job's list: a request never names a path."""
    if not 0 <= index < len(job.outputs):
        abort(404)
    return job.output / job.outputs[index]


def _zip_folder(folder: Path, archive: Path) -> None:
    temporary = archive.with_suffix(".part")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as bundle:
        for relative in _listed(folder):
            bundle.write(folder / relative, relative)
    temporary.replace(archive)


def _planforge(plugins_dir: str | None, *args: str) -> tuple[int, list[str]]:
    """Run a planforge command as the CLI does, in a child process; its exit code and lines."""
    command = [sys.executable, "-m", "planforge"]
    if plugins_dir:
        command += ["--plugins-dir", plugins_dir]
    done = subprocess.run([*command, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=3600, stdin=subprocess.DEVNULL)
    return done.returncode, [line for line in done.stdout.splitlines() if line.strip()]


def _relative_lines(lines: list[str], root: Path) -> list[str]:
    """A command's output without the server's temporary folders in it."""
    prefixes = sorted({str(root / "input") + "/", str(root / "output") + "/", str(root) + "/"},
                      key=len, reverse=True)
    cleaned = []
    for line in lines:
        for prefix in prefixes:
            line = line.replace(prefix, "")
        cleaned.append(line)
    return cleaned


def _run_build(plugins_dir: str | None, job: Job) -> None:
    code, lines = _planforge(plugins_dir, "dossier", "build", str(job.source), "-o",
                             str(job.output))
    job.lines = _relative_lines(lines, job.folder)
    if code != 0:
        job.state = "failed"
        return
    job.outputs = [p for p in _listed(job.output) if p != MANIFEST]
    booklets = [i for i, p in enumerate(job.outputs) if p.lower().endswith(".pdf")
                and len(Path(p).parts) == 2]
    job.booklet = booklets[0] if booklets else None
    job.message = f"已完成 / done: {len(job.outputs)} 个文件 / files"
    job.state = "done"
