"""Interrupted and concurrent runs: only complete files, a manifest that matches, a clean re-run.

The publish window is tested deterministically in-process (``os.replace`` fails, or the process
"dies", after each possible number of moves) and for real: ``planforge fill`` of a few hundred
forms is SIGKILLed at random moments.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import Workbook

import planforge.output as output_module
from planforge.engine import Engine
from planforge.output import JOURNAL, OutputWriter, recover

from .collect import case, keep
from .documents import check_published, check_zip_xml, document_parts
from .plugin import person_id

CLI = [sys.executable, "-c", "from planforge.cli import main; main()"]


def roster(path: Path, count: int, prefix: str = "人员") -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "名册"
    sheet.append(["姓名", "身份证号码", "出生日期", "备注"])
    for number in range(count):
        sheet.append([f"{prefix}{number}", person_id(number), "1950-01-01", f"备注{number}"])
    workbook.save(path)
    return path


def visible_files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(folder).parts)}


def committed(folder: Path) -> bool:
    return any((stage / JOURNAL).is_file() for stage in folder.glob(".planforge-staging-*"))


#: What a clerk put into the output folder after a run: a scan inside the annex folder the next
#: run rewrites, a folder of scans there, a note beside the annexes. No run may touch them.
CLERKS_FILES = {"附件1 登记表/签字扫描件.pdf": b"%PDF-1.4 signed", "附件1 登记表/扫描/1.jpg": b"\xff\xd8",
                "说明.txt": "先打印附件1".encode()}


def add_clerks_files(folder: Path) -> frozenset[str]:
    for relative, content in CLERKS_FILES.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(content)
    return frozenset(CLERKS_FILES)


def assert_consistent(folder: Path, kept: frozenset[str] = frozenset()) -> None:
    """Whatever moment a run died at: every document opens; a manifest present matches exactly;
    no manifest only while a committed publish waits to be rolled forward; the clerk's ``kept``
    files are there, byte for byte."""
    assert {p: (folder / p).read_bytes() for p in kept} == {p: CLERKS_FILES[p] for p in kept}
    for relative in visible_files(folder):
        if relative.endswith((".docx", ".xlsx")):
            check_zip_xml(folder / relative)
    if (folder / "manifest.json").exists():
        check_published(folder, thorough=False, kept=kept)
    else:
        assert committed(folder) or not visible_files(folder) - kept, \
            sorted(visible_files(folder))[:5]


# --------------------------------------------------------------------------- in-process window


@pytest.fixture
def engine(tiny_registry) -> Engine:
    return Engine(tiny_registry)


def moves_of(run) -> int:
    """How many renames (``os.replace``) ``run()`` makes: each is a moment a publish may die."""
    calls = []
    real = os.replace

    def counting(*args):
        calls.append(args)
        return real(*args)

    output_module.os.replace = counting
    try:
        run()
    finally:
        output_module.os.replace = real
    return len(calls)


def _moves_of_a_publish(engine, tmp_path, old, new, clerk: bool) -> int:
    out = tmp_path / "count"
    engine.fill(engine.prepare("tiny-package", [old], {}), out, jobs=1)
    if clerk:
        add_clerks_files(out)
    return moves_of(lambda: engine.fill(engine.prepare("tiny-form", [new], {}), out, jobs=1))


class Killed(BaseException):
    """The process dying: nothing after it runs, not even ``finally`` clean-up of staging."""


def die_at_move(patch: pytest.MonkeyPatch, stop: int, death: str) -> None:
    """The next publish fails at its ``stop``-th rename: with ``OSError`` (a full disk) or, for
    ``kill``, as a dying process does: nothing more runs, the kernel drops its lock."""
    real = os.replace
    calls = []

    def failing(*args):
        if len(calls) == stop:
            raise OSError("disk full") if death == "error" else Killed()
        calls.append(args)
        return real(*args)

    patch.setattr(output_module.os, "replace", failing)
    if death == "kill":
        patch.setattr(OutputWriter, "close", lambda self: self._release())


@pytest.mark.slow
@pytest.mark.parametrize("clerk", [False, True], ids=["planforge's files", "clerk's files too"])
@pytest.mark.parametrize("death", ["error", "kill"])
def test_a_publish_stopped_after_any_number_of_moves_rolls_forward(engine, tmp_path, monkeypatch,
                                                                    death, clerk):
    """With the clerk's files in the annex folder the new run rewrites, that folder is
    published file by file: every move is a moment to die at, and none loses their files."""
    old = roster(tmp_path / "old.xlsx", 4, "旧")
    new = roster(tmp_path / "new.xlsx", 3, "新")
    reference = tmp_path / "reference"
    engine.fill(engine.prepare("tiny-form", [new], {}), reference, jobs=1)
    expected = {p: document_parts(reference / p) for p in check_published(reference)}
    moves = _moves_of_a_publish(engine, tmp_path, old, new, clerk)
    assert moves >= 4 + 3 * clerk  # journal, the entry (each form), the manifest staged and moved
    for stop in range(moves):
        case()
        out = tmp_path / f"out{stop}"
        engine.fill(engine.prepare("tiny-package", [old], {}), out, jobs=1)
        kept = add_clerks_files(out) if clerk else frozenset()
        with pytest.MonkeyPatch.context() as patch, pytest.raises((OSError, Killed)):
            die_at_move(patch, stop, death)
            engine.fill(engine.prepare("tiny-form", [new], {}), out, jobs=1)
        assert_consistent(out, kept)
        recovered = recover(out)
        assert_consistent(out, kept)
        texts = check_published(out, kept=kept)
        if recovered or committed(out):
            assert set(texts) == set(expected)
        if set(texts) == set(expected):  # the new run's files, byte for byte in content
            assert {p: document_parts(out / p) for p in texts} == expected
        else:  # stopped before the commit: the old run untouched
            assert any(p.startswith("附件2") for p in texts) and "旧0" in "".join(texts.values())
        assert not list(out.glob(".planforge-staging-*"))


def test_the_next_run_rolls_an_interrupted_publish_forward_first(engine, tmp_path, monkeypatch):
    old = roster(tmp_path / "old.xlsx", 2, "旧")
    new = roster(tmp_path / "new.xlsx", 2, "新")
    out = tmp_path / "out"
    engine.fill(engine.prepare("tiny-package", [old], {}), out, jobs=1)
    real = os.replace
    calls = []

    def failing(*args):
        if len(calls) == 2:  # journal committed, first entry moved
            raise Killed()
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(output_module.os, "replace", failing)
    monkeypatch.setattr(OutputWriter, "close", lambda self: self._release())
    with pytest.raises(Killed):
        engine.fill(engine.prepare("tiny-package", [new], {}), out, jobs=1)
    monkeypatch.undo()
    assert not (out / "manifest.json").exists() and committed(out)
    with OutputWriter(out):  # any later writer finishes the publish before it starts
        texts = check_published(out)
        assert "新1" in "".join(texts.values()) and "旧" not in "".join(texts.values())


def test_a_writer_that_locked_a_lock_file_being_removed_takes_a_fresh_one(tmp_path, monkeypatch):
    """A finishing run removes the lock file; one that opened it just before must not think it
    holds the folder while a third run locks the new file."""
    out = tmp_path / "out"
    first = OutputWriter(out)
    real = output_module.fcntl.flock

    def flock(handle, operation):
        if not first._lock.closed:
            first.close()  # the first run finishes between the second's open and its lock
        return real(handle, operation)

    monkeypatch.setattr(output_module.fcntl, "flock", flock)
    second = OutputWriter(out)
    monkeypatch.undo()
    try:
        with pytest.raises(output_module.OutputBusy, match="another planforge"):
            OutputWriter(out)
        with pytest.raises(output_module.OutputBusy):
            recover(out)
    finally:
        second.close()
    with OutputWriter(out):
        pass  # free again


# --------------------------------------------------------------------------- real processes


def _command(plugins: Path, data: Path, out: Path, jobs: int = 1) -> list[str]:
    return [*CLI, "--plugins-dir", str(plugins), "fill", "tiny-package", str(data), "-o", str(out),
            "--jobs", str(jobs)]


def _run(command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def _contents(folder: Path, kept: frozenset[str] = frozenset()) -> dict[str, dict[str, bytes]]:
    return {p: document_parts(folder / p)
            for p in check_published(folder, thorough=False, kept=kept)}


@pytest.mark.slow
def test_sigkill_at_random_moments_leaves_complete_files_and_a_clean_rerun(tiny_dir, tmp_path):
    data = roster(tmp_path / "名册.xlsx", 300)
    reference = tmp_path / "reference"
    started = time.monotonic()
    done = _run(_command(tiny_dir, data, reference))
    duration = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    expected = _contents(reference)
    assert len(expected) >= 300
    out = tmp_path / "out"
    assert _run(_command(tiny_dir, roster(tmp_path / "old.xlsx", 40, "旧"), out)).returncode == 0
    kept = add_clerks_files(out)  # the annex folder every run rewrites holds the clerk's scans
    chance = random.Random(7)
    moments = sorted(chance.uniform(0.2, duration * 1.05) for _ in range(5))
    for number, moment in enumerate(moments):  # one run with worker processes, to kill them too
        process = subprocess.Popen(_command(tiny_dir, data, out, jobs=1 + (number == 2)),
                                   stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        case()
        time.sleep(moment)
        os.killpg(process.pid, signal.SIGKILL)  # the run and its worker processes
        process.wait()
        assert_consistent(out, kept)
    final = _run(_command(tiny_dir, data, out))
    assert final.returncode == 0, final.stderr
    assert not list(out.glob(".planforge-staging-*"))
    assert_consistent(out, kept)
    assert _contents(out, kept) == expected
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    paths = [f["path"] for f in manifest["files"]]
    printed = [p for p in paths if "合订" in p or p.endswith(".xlsx")]  # every form is in these
    keep(*(out / p for p in printed + sorted(set(paths) - set(printed))[:5]),
         origin="after SIGKILLs")


@pytest.mark.slow
def test_two_runs_on_one_folder_one_is_refused_and_nothing_mixes(tiny_dir, tmp_path):
    first_data = roster(tmp_path / "a.xlsx", 990, "甲")  # long enough to be caught working
    second_data = roster(tmp_path / "b.xlsx", 3, "乙")  # quick to validate: it reaches the lock
    out = tmp_path / "out"
    first = subprocess.Popen(_command(tiny_dir, first_data, out, jobs=2), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(out.glob(".planforge-staging-*")) and time.monotonic() < deadline:
        time.sleep(0.02)  # the first run holds the folder once its staging exists
    assert first.poll() is None, "the first run ended before the second could start"
    second = _run(_command(tiny_dir, second_data, out))
    _, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_err
    assert second.returncode == 2, second.stderr
    assert "another planforge run is writing" in second.stderr
    texts = "".join(check_published(out, thorough=False).values())
    assert "甲989" in texts and "乙" not in texts
