"""A province's run keeps its rows on disk (planforge.spill): the sample package filled with
every list spilled from its first item writes the same documents as the run held in memory, and
the spilled lists are removed after success, a failure and Ctrl-C."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import planforge.render.batch as batch
import planforge.render.excel as excel
import planforge.render.wordstream as wordstream
import planforge.spill as spill
from planforge.cli import cli
from planforge.spill import SpilledGroups, SpilledList

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "gd-subsidy"
ROSTER, LAST = SAMPLES / "roster-2020.xlsx", SAMPLES / "roster-2019.xlsx"
SETTINGS = SAMPLES / "settings.yaml"


#: This year's package with last year's roster, and the first payment year's without one.
RUNS = {"2020": [str(ROSTER), "--previous", str(LAST)],
        "first year": [str(LAST), "--set", "year=2019"]}


def fill(out: Path, *extra: str, run: str = "2020"):
    return CliRunner().invoke(cli, ["fill", "gd-subsidy", *RUNS[run], "--settings", str(SETTINGS),
                                    "-o", str(out), "-j", "1", *extra])


def spill_everything(monkeypatch) -> list[sqlite3.Connection]:
    """Every list spills from its first item, 3 items a chunk; the spill databases opened."""
    monkeypatch.setattr(spill, "SPILL_AT", 1)
    monkeypatch.setattr(spill, "CHUNK", 3)
    opened: list[sqlite3.Connection] = []
    connect = sqlite3.connect

    def recording(*args, **kwargs):
        opened.append(connect(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(spill.sqlite3, "connect", recording)
    return opened


@pytest.fixture
def spilling(monkeypatch) -> list[sqlite3.Connection]:
    return spill_everything(monkeypatch)


def closed(connection: sqlite3.Connection) -> bool:
    """SQLite deletes a private temporary database when its connection is closed."""
    try:
        connection.execute("SELECT 1")
    except sqlite3.ProgrammingError:
        return True
    return False


def documents(folder: Path) -> dict[str, dict[str, bytes]]:
    """Every document's parts, without the zip timestamps and creation times of a run."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(path) as archive:
                parts = {name: archive.read(name) for name in archive.namelist()}
            parts.pop("docProps/core.xml", None)
            found[str(path.relative_to(folder))] = parts
    return found


@pytest.mark.slow
@pytest.mark.parametrize("run", RUNS)
def test_spilled_run_writes_the_documents_of_the_run_in_memory(tmp_path, monkeypatch,
                                                               run) -> None:
    """Both runs take the streamed paths of a province (the roster written row by row, the
    公示名单 a chunk of people at a time), so those read the spilled lists too."""
    monkeypatch.setattr(excel, "STREAM_MINIMUM", 1)
    monkeypatch.setattr(wordstream, "STREAM_CHUNK", 2)
    assert fill(tmp_path / "memory", run=run).exit_code == 0
    opened = spill_everything(monkeypatch)
    result = fill(tmp_path / "spilled", run=run)
    assert result.exit_code == 0, result.output
    assert len(opened) >= 4  # the roster, its history, the paid and unpaid lists
    memory, spilled = documents(tmp_path / "memory"), documents(tmp_path / "spilled")
    assert len(memory) > 40
    assert memory.keys() == spilled.keys()
    for name, parts in memory.items():
        assert parts == spilled[name], name
    assert all(closed(c) for c in opened)


@pytest.mark.parametrize("stop", [RuntimeError("a renderer failed"), KeyboardInterrupt()])
def test_spilled_lists_are_removed_when_the_run_stops(tmp_path, spilling, monkeypatch,
                                                      stop) -> None:
    """A failure halfway through the forms, and Ctrl-C, leave no spilled list behind."""
    def render_volume(*args, **kwargs):
        assert spilling and not any(closed(c) for c in spilling)  # the run is using them
        raise stop

    monkeypatch.setattr(batch, "render_volume", render_volume)
    result = fill(tmp_path / "out")
    assert result.exit_code != 0, result.output
    assert spilling and all(closed(c) for c in spilling)
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_spilled_list_reads_back_in_order(monkeypatch) -> None:
    monkeypatch.setattr(spill, "SPILL_AT", 4)
    monkeypatch.setattr(spill, "CHUNK", 3)
    items = SpilledList({"n": n} for n in range(11))
    assert items.spilled and len(items) == 11
    assert list(items) == [{"n": n} for n in range(11)]
    assert [items[n]["n"] for n in range(11)] == list(range(11))  # indexing in order, by chunk
    assert items[-1] == {"n": 10} and items[2:5] == [{"n": 2}, {"n": 3}, {"n": 4}]
    with pytest.raises(IndexError):
        items[11]
    short = SpilledList([1, 2])
    assert not short.spilled and short == [1, 2]
    items.close()
    assert len(items) == 0


def test_spilled_groups_keep_the_order_items_were_filed_in(monkeypatch) -> None:
    monkeypatch.setattr(spill, "SPILL_AT", 3)
    groups = SpilledGroups()
    for key, item in [("a", 1), ("b", 2), ("a", 3), ("c", 4), ("a", 5)]:
        groups.add(key, item)
    assert groups.get("a") == [1, 3, 5] and groups.get("b") == [2] and groups.get("x") == []
    groups.close()


@pytest.mark.slow
def test_spilled_forms_reach_worker_processes(tmp_path, spilling, monkeypatch) -> None:
    """The pool's feeder thread reads the spilled people to send each volume to a worker (a
    SQLite connection used from a second thread failed the run)."""
    monkeypatch.setattr(batch, "PARALLEL_MINIMUM", 1)
    result = fill(tmp_path / "out", "-j", "2")
    assert result.exit_code == 0, result.output
    forms = [p for p in (tmp_path / "out").glob("附件1 */*.docx") if "合订打印" not in p.name]
    assert len(forms) > 20
    assert all(closed(c) for c in spilling)
