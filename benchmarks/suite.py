"""The benchmark suite of issue 6: B1-B6, each against a baseline run side by side.

Inputs are generated into a temporary folder, every side runs in a fresh worker process (see
:mod:`benchmarks.measure` for how memory is read), outputs are checked for equivalence outside
the clock, and the table goes to the terminal and to RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import carbone_forms, checks, data, excel_speed, province, reading
from .measure import machine
from .report import Row, document, table

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
FIGURES = ("B1", "B2", "B3", "B3b", "B4", "B5", "B6", "B7", "B8", "B9")
#: Cheap and predictable figures first, so a slow engine cannot crowd them out of the budget.
RUN_ORDER = ("B6", "B9", "B7", "B4", "B5", "B3", "B3b", "B1", "B2", "B8")
APPLICATION = "gd-subsidy-application"


@dataclass(frozen=True)
class Sizes:
    """How big each figure is; the quick sizes only prove the harness works."""

    forms: int  # B1
    baseline_forms: int  # B1 baseline: its rate is the same for any N, so fewer records suffice
    batches: tuple[int, ...]  # B2
    workers: int  # B2
    roster_rows: int  # B3
    b3b_rows: int  # B3b
    photos: int  # B4
    photo_size: tuple[int, int]
    documents: int  # B5
    check_rows: int  # B9
    read_rows: int  # B7
    timeout: float  # default per side, so a regression cannot hold the suite hostage
    sample: int  # forms whose text is compared in B1
    budget: float  # the whole suite; sides that would overrun it are cut short or skipped
    timeouts: tuple[tuple[str, float], ...] = ()  # per side (name prefix), seconds
    rounds: int = 1  # B1 (planforge), B3, B4: runs of each side, alternating; the best is kept
    b2_rounds: int = 1  # B2 (each size): a 20,000-form run is the suite's longest

    def timeout_of(self, name: str) -> float:
        return next((t for prefix, t in self.timeouts if name.startswith(prefix)), self.timeout)


#: Each side's timeout is a few times what meeting its target takes on a 2-core machine.
FULL = Sizes(forms=2000, baseline_forms=300, batches=(5000, 20000), workers=2,
             roster_rows=100_000, b3b_rows=20_000, photos=10, photo_size=(4000, 3000), documents=20,
             check_rows=2000, timeout=120, sample=25, budget=540, rounds=3, b2_rounds=2,
             timeouts=(("B1-planforge", 150), ("B2-5000", 120), ("B2-20000", 240),
                       ("B3-", 150), ("B5-", 150), ("B6", 60), ("B8-", province.TIMEOUT)),
             read_rows=20_000)
QUICK = Sizes(forms=12, baseline_forms=6, batches=(10, 20), workers=2, roster_rows=300,
              b3b_rows=300, photos=3,
              photo_size=(1200, 900), documents=2, check_rows=20, timeout=180, sample=6, budget=1800, rounds=2,
              b2_rounds=2, read_rows=200)


def _mb(result: dict[str, Any]) -> float:
    return float(result.get("memory", {}).get("peak_mb", 0.0))


def _memory(result: dict[str, Any]) -> str:
    if "memory" not in result:
        return "—"
    return f"≥ {_mb(result):.0f} MB (at timeout)" if "timeout" in result else f"{_mb(result):.0f} MB"


def _rate_bound(result: dict[str, Any], count: int) -> float | None:
    """Forms per second a timed-out side stayed below: all forms were not done in its time.

    Only given after 10 s on the clock; sooner, the bound says nothing useful.
    """
    clock = result.get("clock_s")
    return count / clock if "timeout" in result and clock and clock >= 10 else None


def _runs(result: dict[str, Any]) -> str:
    """Every run's time of a side measured more than once (see ``Suite.alternate``)."""
    return " / ".join(f"{t:.2f}" for t in result.get("runs_s", ())) or "none"


def _best_of(mine: dict[str, Any], theirs: dict[str, Any]) -> str:
    """Which runs the figure's times are the best of."""
    return (f"times are each side's best of {max(len(mine.get('runs_s', ())), 1)} runs, "
            f"alternating: planforge {_runs(mine)} s, baseline {_runs(theirs)} s.")


def _forms(result: dict[str, Any], digits: int = 0) -> str:
    """A side's rate as the table shows it: forms per second, and how many in how long."""
    return (f"{result['count'] / result['seconds']:.{digits}f} forms/s ({result['count']:,} in "
            f"{result['seconds']:.2f} s)")


def _cpu_split(one: dict[str, Any], many: dict[str, Any], workers: int) -> str:
    """Where the CPU of each ``fill`` went: on a busy machine the cores are shared between
    sessions (the scheduler groups a run's processes), so wall time hides what a quiet
    machine would give; the busiest process's CPU time bounds it there."""
    helpers = [t for t in many["workers_cpu_s"] if t > 0.05]
    busiest = max([many["cpu_s"], *helpers])
    return (f"CPU seconds during `fill` (the run of the best time): 1 worker {one['cpu_s']:.2f}; "
            f"{workers} workers: the caller {many['cpu_s']:.2f}, its workers "
            f"{' + '.join(f'{t:.2f}' for t in helpers) or '0'}; 1 worker's CPU over the busiest "
            f"process's: {one['cpu_s'] / busiest:.2f}× (what idle cores would give at best).")


def _load() -> str:
    """The 1, 5 and 15-minute load averages: what else the shared machine was doing."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def _failed(result: dict[str, Any]) -> str:
    """Why a side has no number: not supported yet, timed out, or an error (else empty)."""
    if "unsupported" in result:
        return f"not supported yet ({result['unsupported']})"
    if "timeout" in result:
        cut = " (cut short by the suite's time budget)" if result.get("budget") else ""
        return f"timed out after {result['timeout']:.0f} s{cut}"
    if "error" in result:
        return f"error: {result['error']}"
    return ""


class Suite:
    """Runs the selected figures and collects their rows."""

    def __init__(self, work: Path, sizes: Sizes, log: Callable[[str], None]):
        self.work, self.sizes, self.log = work, sizes, log
        self.deadline = time.monotonic() + sizes.budget
        self.inputs = work / "inputs"
        self.inputs.mkdir(parents=True, exist_ok=True)
        self.b1_rate: float | None = None
        self.b1_measured = False

    # ------------------------------------------------------------------ plumbing

    def run(self, side: str, name: str, params: dict[str, Any]) -> dict[str, Any]:
        """One side in a fresh interpreter, killed (with its children) after the timeout."""
        result_file = self.work / f"{name}.json"
        result_file.unlink(missing_ok=True)
        left = self.deadline - time.monotonic()
        if left < 15:
            self.log(f"  {name}: skipped, the suite's {self.sizes.budget:.0f} s budget is spent")
            return {"error": f"skipped: the suite's {self.sizes.budget:.0f} s budget was spent"}
        timeout = min(self.sizes.timeout_of(name), left)
        command = [sys.executable, "-m", "benchmarks.worker", side, str(self.work / name),
                   json.dumps(params, ensure_ascii=False), str(result_file)]
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
        log_file = self.work / f"{name}.log"
        start = time.perf_counter()
        with log_file.open("wb") as output:
            process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                return self._stop(process, name, timeout, result_file)
        if not result_file.exists():
            tail = log_file.read_text(encoding="utf-8", errors="replace").strip()[-300:]
            return {"error": f"worker exited {process.returncode}: {tail}"}
        result = json.loads(result_file.read_text(encoding="utf-8"))
        shown = _failed(result) or f"{result['seconds']:.2f} s, peak {_mb(result):.0f} MB"
        self.log(f"  {name}: {shown} (wall {time.perf_counter() - start:.1f} s)")
        return result

    def alternate(self, rounds: int, *sides: tuple[str, str, dict[str, Any]]
                  ) -> list[dict[str, Any]]:
        """Run the sides in turn ``rounds`` times and keep each side's fastest run.

        A shared machine's speed drifts by tens of percent from one minute to the next; taking
        the best of alternating runs keeps the ratio of two sides from measuring the drift.
        Each kept result lists every run's time (``runs_s``) and the highest peak of them all.
        """
        kept: list[dict[str, Any]] = [{} for _ in sides]
        runs: list[list[float]] = [[] for _ in sides]
        peaks: list[float] = [0.0 for _ in sides]
        for number in range(rounds):
            for index, (side, name, params) in enumerate(sides):
                if number and _failed(kept[index]):
                    continue  # a side that failed is not run again
                result = self.run(side, name if not number else f"{name}-{number + 1}", params)
                peaks[index] = max(peaks[index], _mb(result))
                if _failed(result):
                    kept[index] = kept[index] if runs[index] else result
                    continue
                runs[index].append(result["seconds"])
                if not kept[index] or result["seconds"] <= min(runs[index]):
                    kept[index] = result
        for result, times, peak in zip(kept, runs, peaks, strict=True):
            result["runs_s"] = times
            if "memory" in result:
                result["memory"] = {**result["memory"], "peak_mb": peak}
        return kept

    def _stop(self, process: subprocess.Popen, name: str, timeout: float,
              result_file: Path) -> dict[str, Any]:
        """Ask the worker for what it knows (memory, time on the clock), then kill its group."""
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        result: dict[str, Any] = {"timeout": timeout,
                                  "budget": timeout < self.sizes.timeout_of(name)}
        if result_file.exists():
            stopped = json.loads(result_file.read_text(encoding="utf-8"))
            result.update(memory=stopped["memory"], clock_s=stopped.get("clock_s"))
        self.log(f"  {name}: timed out after {timeout:.0f} s"
                 + (f", peak so far {_mb(result):.0f} MB" if "memory" in result else ""))
        return result

    def roster(self, count: int) -> Path:
        path = self.inputs / f"roster-{count}.xlsx"
        if not path.exists():
            data.write_roster(path, count)
        return path

    # ------------------------------------------------------------------ B1, B2

    def b1(self) -> list[Row]:
        s = self.sizes
        roster = str(self.roster(s.forms))
        # planforge's rate is also B2's baseline: it gets the best of several runs; the plain
        # docxtpl loop and Carbone are ten times slower, so one run of each is enough.
        (mine,) = self.alternate(s.rounds, ("forms-planforge", "B1-planforge",
                                            {"roster": roster, "jobs": 1}))
        peers = {"roster": roster, "limit": min(s.baseline_forms, s.forms)}
        theirs = self.run("forms-baseline", "B1-baseline", peers)
        carbone = self.run("forms-carbone", "B1-carbone", peers)
        self._b1_rate(mine)
        return [self._b1_row(mine, theirs), carbone_forms.peer_row(self, mine, carbone)]

    def _b1_row(self, mine: dict[str, Any], theirs: dict[str, Any]) -> Row:
        s = self.sizes
        row = Row(f"B1 {s.forms:,} 附件1 forms, one process",
                  target="≥ 10× baseline forms/s, same text")
        base_rate = theirs["count"] / theirs["seconds"] if not _failed(theirs) else None
        row.baseline = _forms(theirs, 1) if base_rate else _failed(theirs)
        row.memory = _memory(mine)
        if base_rate:
            row.notes.append(f"baseline: a new docxtpl.DocxTemplate, render and save per record "
                             f"over the first {theirs['count']:,} records (each iteration is "
                             "independent, so its rate does not depend on N); peak "
                             f"{_mb(theirs):.0f} MB.")
        if failure := _failed(mine):
            row.planforge = failure
            if bound := _rate_bound(mine, s.forms):
                row.planforge = f"< {bound:.1f} forms/s ({failure})"
                if base_rate:
                    row.ratio = f"< {bound / base_rate:.1f}×"
            row.met = "no" if "timeout" in mine else "not measured"
            return row
        rate = mine["count"] / mine["seconds"]
        row.planforge = _forms(mine)
        row.notes.append(f"planforge: `Engine.fill(jobs=1)` on the gd-subsidy-application type "
                         f"(forms plus their print volumes), best of runs of {_runs(mine)} s; "
                         f"reading and checking the "
                         f"{mine['count']:,}-row roster (`prepare`, not timed) took "
                         f"{mine['notes']['prepare_s']:.1f} s.")
        same = {"compared": 0, "identical": 0, "first_difference": ""}
        if base_rate:
            forms = checks.manifest_forms(Path(mine["output"]), APPLICATION)
            same = checks.compare_forms(forms, Path(theirs["output"]), theirs["count"], s.sample)
            row.notes.append(f"text (every paragraph, table cells included, via python-docx): "
                             f"{same['identical']}/{same['compared']} sampled forms identical to "
                             f"plain docxtpl's" + (f"; first difference: {same['first_difference']}"
                                                   if same["first_difference"] else "."))
            ratio = rate / base_rate
            row.ratio = f"{ratio:.1f}×"
            ok_text = same["identical"] == same["compared"] > 0
            row.met = "yes" if ratio >= 10 and ok_text else "no" + (
                "" if ok_text else " (text differs)")
        return row

    def _b1_rate(self, result: dict[str, Any]) -> None:
        self.b1_measured = True
        if not _failed(result):
            self.b1_rate = result["count"] / result["seconds"]

    def b2(self) -> list[Row]:
        s = self.sizes
        if not self.b1_measured:  # B2's baseline is B1's planforge figure
            self.log("  (B2 needs B1's planforge rate: measuring it)")
            self._b1_rate(self.run("forms-planforge", "B1-planforge",
                                   {"roster": str(self.roster(s.forms)), "jobs": 1}))
        rows, peaks, held = [self._b2_small()], {}, {}
        for count in s.batches:
            row = Row(f"B2 {count:,} forms, {s.workers} workers",
                      target="≥ 1.7× B1; ≤ 300 MB; rendering's memory flat in N")
            (result,) = self.alternate(s.b2_rounds, (
                "forms-planforge", f"B2-{count}",
                {"roster": str(self.roster(count)), "jobs": s.workers}))
            row.baseline = (f"{self.b1_rate:.0f} forms/s (B1, 1 core)" if self.b1_rate
                            else "no B1 rate (B1 did not finish)")
            if failure := _failed(result):
                row.planforge = failure
                if bound := _rate_bound(result, count):
                    row.planforge = f"< {bound:.1f} forms/s ({failure})"
                row.met = "not measured" if "unsupported" in result else "no"
                if "unsupported" not in result:
                    row.memory = _memory(result)
                if "memory" in result:
                    m = result["memory"]
                    row.notes.append(f"stopped at the timeout after {result.get('clock_s') or 0:.0f}"
                                     f" s of `fill`; peak so far: process tree "
                                     f"{m['tree_pss_mb']:.0f} MB PSS, own {m['self_rss_mb']:.0f} "
                                     f"MB RSS, largest finished child "
                                     f"{m['children_rss_mb']:.0f} MB RSS.")
                rows.append(row)
                continue
            rate = result["count"] / result["seconds"]
            peaks[count] = _mb(result)
            row.planforge = _forms(result)
            row.memory = f"{peaks[count]:.0f} MB"
            notes = result["notes"]
            held[count] = notes["rss_after_prepare_mb"]
            row.notes.append(f"`Engine.fill(jobs={s.workers})`, best of runs of {_runs(result)} s; "
                             f"`prepare` (not timed) "
                             f"{notes['prepare_s']:.1f} s; memory after prepare "
                             f"{held[count]:.0f} MB; peak of the whole process "
                             f"tree {result['memory']['tree_pss_mb']:.0f} MB PSS, own "
                             f"{result['memory']['self_rss_mb']:.0f} MB RSS, largest worker "
                             f"{result['memory'].get('largest_child_rss_mb', 0):.0f} MB RSS "
                             "(sampled).")
            ok = peaks[count] <= 300
            if self.b1_rate:
                ratio = rate / self.b1_rate
                row.ratio = f"{ratio:.2f}×"
                ok = ok and ratio >= 1.7
            else:
                ok = False
            if len(peaks) > 1:
                flat = self._b2_flat(row, peaks, held, count)
                ok = ok and flat
            row.met = "yes" if ok else "no"
            rows.append(row)
        return rows

    def _b2_small(self) -> Row:
        """B1's batch with ``workers`` processes against one, run alternately in this suite."""
        s = self.sizes
        row = Row(f"B2 {s.forms:,} forms, {s.workers} workers vs 1",
                  target="≥ 1.5× 1 worker, same run")
        params = {"roster": str(self.roster(s.forms))}
        one, many = self.alternate(s.b2_rounds,
                                   ("forms-planforge", f"B2-{s.forms}-one", {**params, "jobs": 1}),
                                   ("forms-planforge", f"B2-{s.forms}", {**params,
                                                                         "jobs": s.workers}))
        row.memory = _memory(many)
        row.baseline = _failed(one) or f"{_forms(one)}, `jobs=1`"
        row.planforge = _failed(many) or _forms(many)
        row.notes.append(f"`Engine.fill(jobs={s.workers})` against `Engine.fill(jobs=1)` on the "
                         f"same {s.forms:,}-person roster, each the best of alternating runs: "
                         f"{s.workers} workers {_runs(many)} s, 1 worker {_runs(one)} s; load "
                         f"average (1, 5, 15 min) after the last run: {_load()}.")
        if _failed(many) or _failed(one):
            row.met = "no" if _failed(many) else "no (no 1-worker run)"
            return row
        ratio = one["seconds"] / many["seconds"]  # the same forms: the ratio of the rates
        row.ratio = f"{ratio:.2f}×"
        row.notes.append(_cpu_split(one["notes"], many["notes"], s.workers))
        row.met = "yes" if ratio >= 1.5 else "no"
        return row

    @staticmethod
    def _b2_flat(row: Row, peaks: dict[int, float], held: dict[int, float], count: int) -> bool:
        """Whether rendering's memory (the peak over what the run held once its input was
        validated) stays flat from the smallest batch to this one.

        Everything is validated before anything is written, so the parent holds the checked
        roster and its context: that part grows with the people in it and is reported, per
        person, beside the flat part.
        """
        first = min(peaks)
        added = {n: peaks[n] - held[n] for n in (first, count)}
        growth = added[count] / added[first]
        per_person = (held[count] - held[first]) * 1024 / (count - first)
        row.notes.append(
            f"memory from {first:,} to {count:,} forms: {peaks[first]:.0f} → {peaks[count]:.0f} MB. "
            f"Held once the input was validated (imports, checked roster, context): "
            f"{held[first]:.0f} → {held[count]:.0f} MB, {per_person:.1f} KB a person. Added by "
            f"rendering (workers, print volumes, manifest): {added[first]:.0f} → "
            f"{added[count]:.0f} MB ({growth:.2f}×; flat means ≤ 1.25×).")
        return growth <= 1.25

    # ------------------------------------------------------------------ B3

    def b3(self) -> list[Row]:
        s = self.sizes
        row = Row(f"B3 {s.roster_rows:,}-row 附件2 roster",
                  target="≤ 1.2× baseline time; styles kept; ≤ 150 MB")
        params = {"roster": str(self.roster(10)), "rows": s.roster_rows}
        mine, theirs = self.alternate(s.rounds, ("roster-planforge", "B3-planforge", params),
                                      ("roster-baseline", "B3-baseline", params))
        row.notes.append(_best_of(mine, theirs))
        row.baseline = (f"{theirs['seconds']:.1f} s" if not _failed(theirs) else _failed(theirs))
        row.memory = _memory(mine)
        if failure := _failed(mine):
            row.planforge, row.met = failure, "not measured" if "unsupported" in mine else "no"
            return [row]
        row.planforge = f"{mine['seconds']:.1f} s"
        unpaid = mine["notes"]["unpaid_rows"]
        row.notes.append(f"planforge: `Engine.fill` of the gd-subsidy-roster type with "
                         f"{s.roster_rows:,} paid and {unpaid:,} unpaid people generated in the "
                         f"worker (both sheets filled). Those rows hold "
                         f"{mine['notes']['data_mb']:.0f} MB; the process held "
                         f"{mine['notes']['start_rss_mb']:.0f} MB when the clock started (its peak "
                         f"while generating them, {mine['notes']['setup_peak_mb']:.0f} MB, is the "
                         "benchmark's doing and is not counted).")
        from planforge.plugins import load_plugins

        template = load_plugins().document_types["gd-subsidy-roster"].template
        styles = checks.compare_styles(template, Path(mine["output"]),
                                       {"名册": s.roster_rows, "不符合条件人员": unpaid})
        row.notes.append(f"styles: {styles['cells']:,} styled cells checked against the template "
                         f"(formats, row heights, column widths, merges, page set-up, print "
                         f"area): {styles['problems']} problems"
                         + (f", first: {styles['first_problem']}." if styles["problems"] else "."))
        ok = styles["problems"] == 0 and _mb(mine) <= 150
        if _failed(theirs):
            row.met = "no (no baseline)"
            return [row]
        values = checks.compare_values(Path(mine["output"]), Path(theirs["output"]),
                                       ["名册", "不符合条件人员"])
        row.notes.append(f"baseline: openpyxl write-only, same values, no styles; peak "
                         f"{_mb(theirs):.0f} MB. Cell values: {values['rows']:,} rows compared, "
                         f"{values['mismatches']} differ"
                         + (f" (first: {values['first_difference']})."
                            if values["mismatches"] else "."))
        ratio = mine["seconds"] / theirs["seconds"]
        row.ratio = f"{ratio:.2f}× the time"
        ok = ok and ratio <= 1.2 and values["mismatches"] == 0
        reasons = [r for r, bad in (("slower", ratio > 1.2), ("memory", _mb(mine) > 150),
                                    ("styles", styles["problems"] > 0),
                                    ("values", values["mismatches"] > 0)) if bad]
        row.met = "yes" if ok else f"no ({', '.join(reasons)})"
        return [row]

    def b3b(self) -> list[Row]:
        return excel_speed.figure(self)

    # ------------------------------------------------------------------ B4

    def b4(self) -> list[Row]:
        s = self.sizes
        mp = s.photo_size[0] * s.photo_size[1] / 1e6
        row = Row(f"B4 {s.photos} photos of {mp:.0f} MP to photo pages",
                  target="≥ 2× faster; ≤ 150 MB")
        folder = self.inputs / "photos"
        if not folder.exists():
            data.write_photos(folder, s.photos, s.photo_size)
        params = {"photos": [str(p) for p in sorted(folder.glob("*.jpg"))]}
        mine, theirs = self.alternate(s.rounds, ("photos-planforge", "B4-planforge", params),
                                      ("photos-baseline", "B4-baseline", params))
        row.notes.append(_best_of(mine, theirs))
        return [self._speedup(row, mine, theirs, 2.0, 150, self._photo_note)]

    def _photo_note(self, row: Row, mine: dict[str, Any]) -> bool:
        pages = checks.photo_pages(Path(mine["output"]))
        row.notes.append(f"planforge: `planforge.default_plugins.booklet.write_photo_pages` to .docx; "
                         f"{pages['pictures']} pictures placed, {pages['landscape']} upright "
                         "(all generated photos are landscape once turned by their EXIF tag). "
                         "baseline: open, `ImageOps.exif_transpose` (full decode), LANCZOS "
                         "resize to the printed size, JPEG encode.")
        return pages["pictures"] == pages["landscape"] == self.sizes.photos

    def _speedup(self, row: Row, mine: dict[str, Any], theirs: dict[str, Any], target: float,
                 memory: float | None, check: Callable[[Row, dict[str, Any]], bool]) -> Row:
        row.memory = _memory(mine)
        row.baseline = f"{theirs['seconds']:.2f} s" if not _failed(theirs) else _failed(theirs)
        if failure := _failed(mine):
            row.planforge, row.met = failure, "no"
            return row
        row.planforge = f"{mine['seconds']:.2f} s"
        ok = check(row, mine)
        if not _failed(theirs):
            row.notes.append(f"baseline peak memory {_mb(theirs):.0f} MB.")
            ratio = theirs["seconds"] / mine["seconds"]
            row.ratio = f"{ratio:.2f}× faster"
            reasons = [r for r, bad in (("slower", ratio < target),
                                        ("memory", memory is not None and _mb(mine) > memory),
                                        ("output", not ok)) if bad]
            row.met = "yes" if not reasons else f"no ({', '.join(reasons)})"
        return row

    # ------------------------------------------------------------------ B5

    def b5(self) -> list[Row]:
        s = self.sizes
        row = Row(f"B5 {s.documents} .docx to PDF", target="≥ 3× faster")
        folder = self.inputs / "docx"
        if not folder.exists():
            self._documents(folder, s.documents)
        params = {"documents": [str(p) for p in sorted(folder.glob("*.docx"))]}
        mine = self.run("pdf-planforge", "B5-planforge", params)
        theirs = self.run("pdf-baseline", "B5-baseline", params)

        def check(row: Row, mine: dict[str, Any]) -> bool:
            pages = checks.pdf_pages(Path(mine["output"]))
            theirs_pages = (checks.pdf_pages(Path(theirs["output"])) if not _failed(theirs)
                            else pages)
            row.notes.append(f"planforge: one LibreOffice run for the batch "
                             f"(`planforge.default_plugins.convert.convert_to_pdf`), {len(pages)} PDFs; baseline: "
                             f"one soffice process per file sharing one profile, "
                             f"{len(theirs_pages)} PDFs; page counts "
                             f"{'match' if pages == theirs_pages else 'differ'}.")
            return len(pages) == s.documents and pages == theirs_pages

        return [self._speedup(row, mine, theirs, 3.0, None, check)]

    def _documents(self, folder: Path, count: int) -> None:
        """Filled application forms made with plain docxtpl (inputs, not measured)."""
        from planforge.engine import Engine
        from planforge.plugins import load_plugins

        from .figures import plain_docxtpl, record_contexts

        eng = Engine(load_plugins())
        prepared = eng.prepare(APPLICATION, [self.roster(count)], data.SETTINGS)
        template = eng.registry.document_types[APPLICATION].template
        plain_docxtpl(eng, template, record_contexts(eng, prepared), folder)

    # ------------------------------------------------------------------ B6

    def b6(self) -> list[Row]:
        row = Row("B6 sample package end to end (CLI)", target="< 5 s without PDF")
        result = self.run("sample-cli", "B6", {"samples": str(ROOT / "samples" / "gd-subsidy")})
        row.memory = _memory(result)
        if failure := _failed(result):
            row.planforge, row.met = failure, "no"
            return [row]
        row.planforge = f"{result['seconds']:.2f} s"
        row.notes.append("`planforge fill gd-subsidy samples/gd-subsidy/roster-2020.xlsx "
                         "--previous samples/gd-subsidy/roster-2019.xlsx --settings "
                         "samples/gd-subsidy/settings.yaml -o OUT` as a subprocess: wall time "
                         f"including interpreter start-up; {result['count']} files written.")
        row.met = "yes" if result["seconds"] < 5 else "no"
        return [row]


    # ------------------------------------------------------------------ B7

    def b7(self) -> list[Row]:
        return reading.figure(self)

    # ------------------------------------------------------------------ B8

    def b8(self) -> list[Row]:
        return province.figure(self, quick=self.sizes is QUICK)

    # ------------------------------------------------------------------ B9

    def b9(self) -> list[Row]:
        rows = self.sizes.check_rows
        row = Row(f"B9 web page: check of a {rows:,}-row roster", target="result < 3 s after upload")
        standard = data.SETTINGS["city_standard"]  # a form has one field per value
        settings = {**{k: v for k, v in data.SETTINGS.items() if k != "city_standard"},
                    "city_standard_first": standard["first"],
                    "city_standard_step": standard["step"]}
        params = {"target": APPLICATION, "roster": str(self.roster(rows)), "rows": rows,
                  "settings": settings}
        mine = self.run("web-check", "B9-web", params)
        theirs = self.run("cli-validate", "B9-cli", params)
        row.memory = _memory(mine)
        if failure := _failed(mine):
            row.planforge, row.met = failure, "no"
            return [row]
        row.planforge = f"{mine['seconds']:.2f} s"
        if not _failed(theirs):
            row.baseline = f"{theirs['seconds']:.2f} s (`planforge validate`, a new process)"
            row.ratio = f"{theirs['seconds'] / mine['seconds']:.2f}× faster"
        row.notes.append("A running `planforge serve` (waitress) gets the roster as a browser "
                         "posts it (multipart, with its CSRF token and settings); the clock runs "
                         "from the request to the JSON of problems the page shows.")
        row.met = "yes" if mine["seconds"] < 3 else "no"
        return [row]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes: proves the harness works, measures nothing meaningful")
    parser.add_argument("--only", default="", help="comma-separated figures, e.g. B1,B4")
    parser.add_argument("--results", type=Path, default=None,
                        help="where to write the results (default benchmarks/RESULTS.md; a "
                             "temporary file with --quick)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the generated inputs and outputs (the folder is printed)")
    args = parser.parse_args(argv)
    known = {f.upper(): f for f in FIGURES}  # B3b is B3B on the command line too
    chosen = [known.get(f.strip().upper(), f.strip()) for f in args.only.split(",")
              if f.strip()] or list(FIGURES)
    unknown = sorted(set(chosen) - set(FIGURES))
    if unknown:
        parser.error(f"unknown figure(s) {', '.join(unknown)}; choose from {', '.join(FIGURES)}")
    args.figures = [f for f in FIGURES if f in chosen]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="planforge-bench-"))
    found: dict[str, list[Row]] = {}
    try:
        suite = Suite(work, sizes, log)
        for figure in (f for f in RUN_ORDER if f in args.figures):
            log(f"{figure} …")
            found[figure] = getattr(suite, figure.lower())()
    finally:
        if args.keep:
            log(f"inputs and outputs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    rows = [row for figure in args.figures for row in found.get(figure, [])]
    elapsed = time.perf_counter() - started
    mode = ("quick mode (tiny sizes, not a measurement)" if args.quick else "full sizes") + (
        f", figures {', '.join(args.figures)}" if args.figures != list(FIGURES) else "")
    results = args.results or (Path(tempfile.gettempdir()) / "planforge-bench-quick.md"
                               if args.quick else RESULTS)
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(document(rows, machine(), mode, elapsed), encoding="utf-8")
    print(table(rows))
    print(f"\nwhole suite: {elapsed:.0f} s; written to {results}")
    return 0
