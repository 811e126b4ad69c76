"""B8: a province's subsidy package (every annex for 100,000 people) through the CLI.

Memory must not grow with the number of people: the figure runs the same command on a
10,000-person and a 100,000-person roster (each with last year's roster, 2% longer, for the
增减情况表) and compares the peaks. The CLI runs as a subprocess of the measured side; its process
tree is sampled every 0.1 s (RSS summed over the CLI and its workers), and the largest single
process is the exact peak ``wait4`` reports for it, or a sampled child's RSS where larger.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import data
from .measure import _children_map, _memory_kb
from .report import Row

FIGURE = "B8"
#: People this year for the small and the big run; last year's roster has 2% more (减少).
FULL_PEOPLE = (10_000, 100_000)
QUICK_PEOPLE = (60, 300)
RATIO_TARGET = 1.3
PROCESS_TARGET_MB = 400
TIMEOUT = 1800.0  # the 100,000-person run on 2 loaded cores takes minutes
_KB = 1024


def rosters(folder: Path, people: int) -> tuple[Path, Path]:
    """This year's roster of ``people`` and last year's (the same people and 2% who left)."""
    this, last = folder / f"roster-{people}.xlsx", folder / f"roster-{people}-previous.xlsx"
    if not this.exists():
        data.write_roster(this, people)
    if not last.exists():
        data.write_roster(last, people + people // 50)
    return this, last


def _tree_rss_kb(root: int) -> tuple[int, int]:
    """RSS summed over ``root`` and its descendants, and the largest single RSS, in KiB."""
    children, total, largest, todo = _children_map(), 0, 0, [root]
    while todo:
        pid = todo.pop()
        rss = _memory_kb(pid)[1]
        total, largest = total + rss, max(largest, rss)
        todo.extend(children.get(pid, ()))
    return total, largest


def run_cli(command: list[str], log: Path, interval: float = 0.1) -> dict[str, float]:
    """Run ``command``, sampling its process tree; seconds, tree peak and largest process (MB)."""
    peaks = {"tree": 0, "largest": 0}
    start = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                tree, largest = _tree_rss_kb(process.pid)
                peaks["tree"] = max(peaks["tree"], tree)
                peaks["largest"] = max(peaks["largest"], largest)
                done.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").strip()[-400:]
        raise RuntimeError(f"planforge fill exited {process.returncode}: {tail}")
    largest = max(peaks["largest"], usage.ru_maxrss)  # wait4: the CLI's (and its children's) peak
    return {"seconds": seconds, "tree_mb": peaks["tree"] / _KB, "process_mb": largest / _KB}


def province_cli(work: Path, params: Mapping[str, Any]) -> dict[str, Any]:
    """One measured side: ``planforge fill gd-subsidy`` of one roster size, as a clerk runs it."""
    from .figures import planforge_command, start_clock

    out = work / "out"
    command = [*planforge_command(), "fill", "gd-subsidy", params["roster"],
               "--previous", params["previous"], "--settings", params["settings"],
               "-o", str(out)]
    start_clock()
    result = run_cli(command, work / "cli.log")
    forms = sum(1 for p in out.glob("附件1 */*.docx") if "合订打印" not in p.name)
    files = sum(1 for p in out.rglob("*") if p.is_file())
    return {**result, "files": files, "forms": forms, "notes": {}}


def _settings(folder: Path) -> Path:
    path = folder / "province-settings.yaml"
    return path if path.exists() else data.write_settings(path)


def figure(suite: Any, quick: bool) -> list[Row]:
    """Both sizes, their peaks, the ratio and the largest process."""
    small, big = QUICK_PEOPLE if quick else FULL_PEOPLE
    row = Row(f"{FIGURE} gd-subsidy package for {big:,} people (CLI, every annex)",
              target=f"peak at {big:,} ≤ {RATIO_TARGET}× peak at {small:,}; every process "
                     f"≤ {PROCESS_TARGET_MB} MB")
    results = {}
    for people in (small, big):
        this, last = rosters(suite.inputs, people)
        params = {"roster": str(this), "previous": str(last),
                  "settings": str(_settings(suite.inputs))}
        results[people] = suite.run("province-cli", f"{FIGURE}-{people}", params)
    failed = [f"{people:,}: {r.get('error') or r.get('timeout') or r.get('unsupported')}"
              for people, r in results.items() if "seconds" not in r or "tree_mb" not in r]
    if failed:
        row.planforge, row.met = "failed: " + "; ".join(failed), "no"
        return [row]
    low, high = results[small], results[big]
    ratio = high["tree_mb"] / low["tree_mb"]
    largest = max(low["process_mb"], high["process_mb"])
    per_person_ms = high["seconds"] / big * 1000
    row.planforge = f"{high['seconds']:.0f} s for {big:,} ({per_person_ms:.2f} ms/person)"
    row.baseline = f"{low['seconds']:.1f} s for {small:,}"
    row.ratio = f"{ratio:.2f}× peak ({low['tree_mb']:.0f} → {high['tree_mb']:.0f} MB)"
    row.memory = f"{high['tree_mb']:.0f} MB (largest process {largest:.0f} MB)"
    row.met = "yes" if ratio <= RATIO_TARGET and largest <= PROCESS_TARGET_MB else "no"
    per_person_kb = (high["tree_mb"] - low["tree_mb"]) * _KB / (big - small)
    row.notes.append(
        f"`planforge fill gd-subsidy ROSTER --previous LAST --settings … -o OUT` as a subprocess "
        f"(reading included) on generated rosters of {small:,} and {big:,} people, last year's "
        f"2% longer; peak = RSS of the CLI's process tree sampled every 0.1 s; largest process "
        f"= its exact peak (wait4) or a sampled worker's. {high['forms']:,} application forms, "
        f"{high['files']:,} files in all. Memory per extra person: {per_person_kb:.2f} KB; "
        f"wall time {low['seconds']:.1f} s / {high['seconds']:.1f} s.")
    return [row]
