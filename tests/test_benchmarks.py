"""Smoke test of the benchmark suite: it runs end to end and its results parse.

Tiny sizes (``--quick``) in a subprocess, results written to a temporary file. Timings are never
asserted here: the targets are measured by ``python -m benchmarks``, not by timed tests. What is
asserted is that every side produced a figure and that the outputs the suite compares (document
text, cell values, template styles, upright photos) came out equivalent.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.report import COLUMNS, parse_machine, parse_results  # noqa: E402

pytestmark = pytest.mark.slow


def test_quick_suite_prints_and_writes_a_parsable_table(tmp_path):
    shipped = ROOT / "benchmarks" / "RESULTS.md"
    before = shipped.stat().st_mtime_ns if shipped.exists() else None
    results = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "B1,B3,B4,B9",
         "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]

    text = results.read_text(encoding="utf-8")
    rows = parse_results(text)
    # B1 has two rows: against plain docxtpl and against Carbone
    assert [figure.split()[0] for figure in rows] == ["B1", "B1", "B3", "B4", "B9"]
    assert parse_results(done.stdout) == rows
    for row in rows.values():
        assert set(row) == set(COLUMNS)
        assert all(row[column] for column in COLUMNS), row
        assert not any(row[c].startswith(("error", "timed out")) for c in COLUMNS), row
        assert row["met?"].split()[0] in {"yes", "no", "not"}, row
        assert re.fullmatch(r"\d+ MB", row["peak memory"]), row

    machine = parse_machine(text)
    for key in ("CPU", "cores", "RAM", "Python", "libraries", "LibreOffice", "date"):
        assert machine.get(key), key
    assert "docxtpl" in machine["libraries"]

    assert re.search(r"(\d+)/\1 sampled forms identical", text), text
    assert "0 problems" in text and "0 differ" in text, text
    assert re.search(r"(\d+) pictures placed, \1 upright", text), text
    after = shipped.stat().st_mtime_ns if shipped.exists() else None
    assert after == before, "quick mode must not overwrite benchmarks/RESULTS.md"
