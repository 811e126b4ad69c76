"""What each figure runs, one side (planforge or baseline) per worker process.

planforge is always driven through its public API, ``Engine(load_plugins())`` with
``prepare`` then ``fill``, so whatever the engine does (its Word renderer, process pool, Excel
writer) is what gets measured. Only the work a figure is about sits inside the clock: reading and
validating the roster (``prepare``) is timed separately and reported in the notes.
"""

from __future__ import annotations

import dataclasses
import inspect
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import carbone_forms, data, excel_speed, reading
from .measure import PeakMemory, current_rss_mb, descendants_cpu_s, own_peak_mb, reset_peak
from .province import province_cli

APPLICATION = "gd-subsidy-application"
ROSTER = "gd-subsidy-roster"
Result = dict[str, Any]


#: When the timed part of the running side started (read if the side is stopped at its timeout).
CLOCK: dict[str, float] = {}


def start_clock() -> float:
    CLOCK["start"] = time.perf_counter()
    return CLOCK["start"]


class Unsupported(Exception):
    """The engine does not offer what a figure needs yet; reported as such, never as a number."""


def engine():
    from planforge.engine import Engine
    from planforge.plugins import load_plugins

    return Engine(load_plugins())


def fill(eng, prepared, out: Path, jobs: int) -> None:
    """``Engine.fill`` with ``jobs`` workers, or alone while the engine has no ``jobs`` yet."""
    if "jobs" in inspect.signature(eng.fill).parameters:
        eng.fill(prepared, out, jobs=jobs)
    elif jobs == 1:
        eng.fill(prepared, out)
    else:
        raise Unsupported("Engine.fill has no jobs parameter yet")


def prepare(eng, name: str, roster: Path) -> tuple[Any, float]:
    start = start_clock()
    prepared = eng.prepare(name, [roster], data.SETTINGS, settings_origin="benchmark settings")
    return prepared, time.perf_counter() - start


def record_contexts(eng, prepared) -> list[dict[str, Any]]:
    """Per-form contexts exactly as ``Engine`` builds them for a per-record document type."""
    document_type = eng.registry.document_types[APPLICATION]
    shared = {**prepared.context,
              "document": {"annex": document_type.annex, "title": eng.title(document_type, prepared),
                           "name": document_type.name}}
    return [{**shared, **item, "record": item, "index": index}
            for index, item in enumerate(prepared.items(document_type), start=1)]


def plain_docxtpl(eng, template: Path, contexts: list[dict[str, Any]], out: Path) -> None:
    """The naive loop: a new DocxTemplate per record, render, save.

    A plain (not sandboxed) Jinja environment with the plugins' filters and the engine's rule
    that None prints as nothing, so the text can be compared with planforge's.
    """
    import jinja2
    from docxtpl import DocxTemplate

    env = jinja2.Environment(autoescape=True, finalize=lambda v: "" if v is None else v)
    env.filters.update(eng.registry.filters)
    out.mkdir(parents=True, exist_ok=True)
    for context in contexts:
        document = DocxTemplate(str(template))
        document.render(context, jinja_env=env, autoescape=True)
        document.save(str(out / f"{context['index']:05d}.docx"))


# --------------------------------------------------------------------------- B1, B2


def forms_planforge(work: Path, params: Mapping[str, Any]) -> Result:
    """Fill the 附件1 application forms of a generated roster with ``jobs`` workers, started
    before the roster is read, as ``planforge fill`` starts them for a roster this big."""
    eng = engine()
    if int(params["jobs"]) > 1:
        eng.start_workers(int(params["jobs"]))
    prepared, prepare_s = prepare(eng, APPLICATION, Path(params["roster"]))
    count = len(prepared.items(eng.registry.document_types[APPLICATION]))
    after_prepare = current_rss_mb()
    out = work / "out"
    own_cpu, workers_cpu = time.process_time(), descendants_cpu_s()
    start = start_clock()
    fill(eng, prepared, out, int(params["jobs"]))
    seconds = time.perf_counter() - start
    own_cpu = time.process_time() - own_cpu
    workers = sorted((cpu - workers_cpu.get(pid, 0.0) for pid, cpu in descendants_cpu_s().items()),
                     reverse=True)
    return {"seconds": seconds, "count": count, "output": str(out),
            "notes": {"prepare_s": prepare_s, "rss_after_prepare_mb": after_prepare,
                      "cpu_s": own_cpu, "workers_cpu_s": workers}}


def forms_baseline(work: Path, params: Mapping[str, Any]) -> Result:
    """The plain docxtpl loop over the first ``limit`` records (its rate does not depend on N)."""
    eng = engine()
    prepared, _ = prepare(eng, APPLICATION, Path(params["roster"]))
    contexts = record_contexts(eng, prepared)[: int(params["limit"])]
    template = eng.registry.document_types[APPLICATION].template
    out = work / "out"
    start = start_clock()
    plain_docxtpl(eng, template, contexts, out)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "count": len(contexts), "output": str(out), "notes": {}}


# --------------------------------------------------------------------------- B3


def _roster_prepared(eng, params: Mapping[str, Any]):
    """The roster document type's real settings and job, with ``rows`` generated people."""
    prepared, _ = prepare(eng, ROSTER, Path(params["roster"]))
    paid, unpaid = data.roster_items(int(params["rows"]))
    context = {**prepared.context, "eligible": paid, "ineligible": unpaid}
    return dataclasses.replace(prepared, context=context), paid, unpaid


def roster_planforge(work: Path, params: Mapping[str, Any]) -> Result:
    eng = engine()
    before = current_rss_mb()
    prepared, paid, unpaid = _roster_prepared(eng, params)
    held, setup_peak = current_rss_mb() - before, own_peak_mb()
    reset_peak()  # generating the rows is not planforge's doing; holding them still counts
    start_rss = current_rss_mb()
    out = work / "out"
    start = start_clock()
    fill(eng, prepared, out, 1)
    seconds = time.perf_counter() - start
    produced = next(out.glob("*.xlsx"))
    return {"seconds": seconds, "count": len(paid), "output": str(produced),
            "notes": {"data_mb": held, "unpaid_rows": len(unpaid), "setup_peak_mb": setup_peak,
                      "start_rss_mb": start_rss}}


ROSTER_COLUMNS = ("name", "sex", "id_number", "category", "semesters", "working_years",
                  "monthly_standard", "first_month", "months", "amount", "township", "remark")
UNPAID_COLUMNS = ("name", "id_number", "township", "reason")


def roster_baseline(work: Path, params: Mapping[str, Any]) -> Result:
    """openpyxl write-only: the same cell values as planforge's 附件2, no styles at all.

    The fixed cells (titles, headers, totals, signatures) are rendered before the clock starts;
    the timed part writes every row of both sheets and saves.
    """
    import openpyxl

    eng = engine()
    before = current_rss_mb()
    prepared, paid, unpaid = _roster_prepared(eng, params)
    held = current_rss_mb() - before
    template = eng.registry.document_types[ROSTER].template
    sheets = fixed_cells(eng, template, prepared.context,
                         {"名册": len(paid), "不符合条件人员": len(unpaid)})
    reset_peak()  # as on planforge's side
    out = work / "baseline.xlsx"
    start = start_clock()
    workbook = openpyxl.Workbook(write_only=True)
    for title, items, columns in (("名册", paid, ROSTER_COLUMNS),
                                  ("不符合条件人员", unpaid, UNPAID_COLUMNS)):
        sheet = workbook.create_sheet(title)
        above, below = sheets[title]
        for row in above:
            sheet.append(row)
        for item in items:
            sheet.append([item["index"], *(item[c] for c in columns)])
        for row in below:
            sheet.append(row)
    workbook.save(out)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "count": len(paid), "output": str(out),
            "notes": {"data_mb": held}}


def _filled(env, source: str, context: Mapping[str, Any]) -> Any:
    """A cell's value as planforge fills it: a lone ``{{ expr }}`` keeps its type."""
    match = re.fullmatch(r"\s*\{\{(.*?)\}\}\s*", source, re.S)
    if match and "{{" not in match.group(1):
        value = env.compile_expression(match.group(1))(**context)
        if isinstance(value, bool):
            return "是" if value else "否"  # as planforge prints a yes/no value
        return value if value is None or isinstance(value, int | float | Decimal | date) else str(
            value)
    return env.from_string(source).render(context)


def fixed_cells(eng, template: Path, context: Mapping[str, Any],
                counts: Mapping[str, int]) -> dict[str, tuple[list[list[Any]], list[list[Any]]]]:
    """Each sheet's rows above and below its repeated row, filled, with totals widened."""
    import openpyxl

    from planforge.render.excel import find_template_row
    from planforge.render.references import Insertion, ReferenceShifter

    workbook = openpyxl.load_workbook(template)
    marks = {sheet.title: find_template_row(sheet) for sheet in workbook.worksheets}
    shifter = ReferenceShifter({title: Insertion(row, max(counts[title], 1) - 1)
                                for title, row in marks.items() if row}, workbook.sheetnames)
    result = {}
    for sheet in workbook.worksheets:
        marked = marks[sheet.title]
        rows: list[list[Any]] = []
        for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row):
            values: list[Any] = []
            if row[0].row == marked:
                rows.append(values)
                continue
            for cell in row:
                value = cell.value
                if isinstance(value, str) and "{{" in value:
                    value = _filled(eng.text_env, value, context)
                elif isinstance(value, str) and value.startswith("="):
                    value = shifter.formula(value, sheet.title)
                values.append(value)
            rows.append(values)
        result[sheet.title] = (rows[: marked - 1], rows[marked:])
    return result


# --------------------------------------------------------------------------- B4


def _warm_up_photo(work: Path) -> Path:
    """A tiny photo each side processes once before its clock starts, so that neither side's
    figure includes loading its libraries (python-docx, Pillow's JPEG codec) for the first time."""
    from PIL import Image

    path = work / "warm-up.jpg"
    Image.new("RGB", (64, 48), "grey").save(path)
    return path


def photos_planforge(work: Path, params: Mapping[str, Any]) -> Result:
    from planforge.default_plugins.booklet import write_photo_pages

    photos = [Path(p) for p in params["photos"]]
    out = work / "照片.docx"
    write_photo_pages([_warm_up_photo(work)], work / "warm-up.docx")
    start = start_clock()
    write_photo_pages(photos, out)
    return {"seconds": time.perf_counter() - start, "count": len(photos), "output": str(out),
            "notes": {}}


def photos_baseline(work: Path, params: Mapping[str, Any]) -> Result:
    """Per photo: open, decode at full size, turn upright, resize to the printed size, encode."""
    from PIL import Image, ImageOps

    from planforge.default_plugins.booklet.images import PRINT_DPI, fit_box
    from planforge.default_plugins.booklet.photopages import BOX_H_MM, BOX_W_MM

    photos = [Path(p) for p in params["photos"]]
    for number, path in enumerate([_warm_up_photo(work), *photos]):
        if number == 1:
            start = start_clock()
        with Image.open(path) as image:
            upright = ImageOps.exif_transpose(image)
            w_mm, h_mm = fit_box(upright.width, upright.height, BOX_W_MM, BOX_H_MM)
            size = (round(w_mm / 25.4 * PRINT_DPI), round(h_mm / 25.4 * PRINT_DPI))
            small = upright.convert("RGB").resize(size, Image.Resampling.LANCZOS)
            small.save(io.BytesIO(), "JPEG", quality=88, optimize=True)
    return {"seconds": time.perf_counter() - start, "count": len(photos), "output": "",
            "notes": {}}


# --------------------------------------------------------------------------- B5


def pdf_planforge(work: Path, params: Mapping[str, Any]) -> Result:
    from planforge.default_plugins.convert import convert_to_pdf

    documents = [Path(p) for p in params["documents"]]
    out = work / "pdf"
    start = start_clock()
    made = convert_to_pdf(documents, out)
    return {"seconds": time.perf_counter() - start, "count": len(made), "output": str(out),
            "notes": {}}


def pdf_baseline(work: Path, params: Mapping[str, Any]) -> Result:
    """One soffice process per file, all sharing one profile (only the first run creates it)."""
    from planforge.default_plugins.convert import find_soffice

    documents = [Path(p) for p in params["documents"]]
    soffice, out = find_soffice(), work / "pdf"
    environment = {**os.environ, "SAL_USE_VCLPLUGIN": "svp"}
    start = start_clock()
    with tempfile.TemporaryDirectory(prefix="bench-lo-") as profile:
        for document in documents:
            subprocess.run([soffice, f"-env:UserInstallation={Path(profile).as_uri()}",
                            "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
                            "--nolockcheck", "--convert-to", "pdf", "--outdir", str(out),
                            str(document)], check=True, capture_output=True, env=environment,
                           timeout=300)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "count": len(list(out.glob("*.pdf"))), "output": str(out),
            "notes": {}}


# --------------------------------------------------------------------------- B6


def planforge_command() -> list[str]:
    script = Path(sys.executable).with_name("planforge")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from planforge.cli import main; sys.exit(main())"]


def timed_cli(*args: str) -> float:
    """Seconds a ``planforge`` command takes as a new process, interpreter start-up included."""
    start = start_clock()
    done = subprocess.run([*planforge_command(), *args], capture_output=True, text=True,
                          check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"planforge {args[0]} exited {done.returncode}: "
                           f"{(done.stderr or done.stdout).strip()[-400:]}")
    return seconds


def sample_cli(work: Path, params: Mapping[str, Any]) -> Result:
    """The shipped sample package end to end, as a clerk types it."""
    samples = Path(params["samples"])
    out = work / "out"
    seconds = timed_cli("fill", "gd-subsidy", str(samples / "roster-2020.xlsx"),
                        "--previous", str(samples / "roster-2019.xlsx"),
                        "--settings", str(samples / "settings.yaml"), "-o", str(out))
    files = [p for p in out.rglob("*") if p.is_file()]
    return {"seconds": seconds, "count": len(files), "output": str(out), "notes": {}}


# --------------------------------------------------------------------------- B9


def _multipart(fields: Mapping[str, str], files: Mapping[str, Path]) -> tuple[bytes, str]:
    """A form as a browser posts it (multipart/form-data)."""
    boundary = "planforge-bench-boundary"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, path in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{path.name}"\r\nContent-Type: application/octet-stream'
                     "\r\n\r\n".encode() + path.read_bytes() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def web_check(work: Path, params: Mapping[str, Any]) -> Result:
    """The web page's 检查: from the upload's first byte to the problems (or none) on screen,
    over HTTP to a running ``planforge serve`` (waitress), as a browser posts it."""
    import http.cookiejar
    import threading
    import urllib.request

    from waitress import create_server

    from planforge.web.app import create_app

    app = create_app(jobs_root=work / "jobs", render_jobs=1)
    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    threading.Thread(target=server.run, daemon=True).start()
    base = f"http://127.0.0.1:{server.effective_port}"
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base}/fill/{params['target']}").read().decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    body, content_type = _multipart(
        {f"setting:{k}": str(v) for k, v in params["settings"].items()},
        {"data": Path(params["roster"])})
    request = urllib.request.Request(f"{base}/api/check/{params['target']}", data=body, headers={
        "Content-Type": content_type, "X-CSRF-Token": token})
    start = start_clock()
    with opener.open(request) as response:
        status = json.loads(response.read())
    seconds = time.perf_counter() - start
    server.close()
    if status.get("state") != "checked":
        raise RuntimeError(f"the check did not pass: {status.get('problems', [])[:3]}")
    return {"seconds": seconds, "count": params["rows"], "notes": {"message": status["message"]}}


def cli_validate(work: Path, params: Mapping[str, Any]) -> Result:
    """``planforge validate`` of the same roster, as a subprocess (the clerk's other door)."""
    seconds = timed_cli("validate", params["target"], params["roster"],
                        *(f"--set={k}={v}" for k, v in params["settings"].items()))
    return {"seconds": seconds, "count": params["rows"], "notes": {}}


SIDES: dict[str, Callable[[Path, Mapping[str, Any]], Result]] = {
    "forms-planforge": forms_planforge,
    "forms-baseline": forms_baseline,
    **carbone_forms.SIDES,
    "roster-planforge": roster_planforge,
    "roster-baseline": roster_baseline,
    "photos-planforge": photos_planforge,
    "photos-baseline": photos_baseline,
    "pdf-planforge": pdf_planforge,
    "pdf-baseline": pdf_baseline,
    "sample-cli": sample_cli,
    "province-cli": province_cli,
    "web-check": web_check,
    "cli-validate": cli_validate,
    **excel_speed.SIDES,
    **reading.SIDES,
}


def run_side(side: str, work: Path, params: Mapping[str, Any], result_file: Path) -> None:
    """Run one side with peak memory sampled; write the result as JSON (errors included)."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    owner = os.getpid()

    def stopped(signum: int, frame: object) -> None:
        """Stopped at the timeout: leave what is known (memory, time on the clock) and go."""
        if os.getpid() != owner:  # a forked pool worker inherited this handler
            os._exit(3)
        clock = time.perf_counter() - CLOCK["start"] if "start" in CLOCK else None
        result_file.write_text(json.dumps({"stopped": True, "clock_s": clock,
                                           "memory": memory.result()}), encoding="utf-8")
        os._exit(3)

    signal.signal(signal.SIGTERM, stopped)
    with PeakMemory() as memory:
        try:
            result = SIDES[side](work, params)
        except Unsupported as error:
            result = {"unsupported": str(error)}
        except Exception as error:  # reported in the table; the other figures still run
            result = {"error": f"{type(error).__name__}: {error}"[:500]}
    result["memory"] = memory.result()
    result_file.write_text(json.dumps(result, ensure_ascii=False, default=str), encoding="utf-8")
