"""Carbone (Node.js) as a peer in the benchmarks, installed with npm outside the repository.

``ensure_carbone()`` installs a pinned ``carbone`` into a cache folder once (later calls reuse
it; a lock keeps two suites running at once from installing over each other) and returns the
folder whose ``node_modules`` holds it. Nothing downloaded ever lands in the repository. Without
Node or npm, or when the install fails, it raises :class:`CarboneUnavailable`, whose message
says why, so that a figure can report its ratio as not measured.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path

CARBONE_VERSION = "3.8.2"
#: Where installs are kept: $PLANFORGE_BENCH_CACHE, else ~/.cache/planforge-benchmarks.
CACHE_VARIABLE = "PLANFORGE_BENCH_CACHE"


class CarboneUnavailable(RuntimeError):
    """Carbone cannot run here (no Node, no npm, or the install failed)."""


def cache_folder() -> Path:
    configured = os.environ.get(CACHE_VARIABLE)
    return Path(configured) if configured else Path.home() / ".cache" / "planforge-benchmarks"


def node_executable() -> str:
    """The ``node`` on PATH, or :class:`CarboneUnavailable`."""
    found = shutil.which("node")
    if not found:
        raise CarboneUnavailable("Node.js is not installed")
    return found


def _installed(prefix: Path) -> bool:
    manifest = prefix / "node_modules" / "carbone" / "package.json"
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))["version"] == CARBONE_VERSION
    except (OSError, ValueError, KeyError):
        return False


def ensure_carbone(timeout: float = 600) -> Path:
    """The folder whose ``node_modules`` holds ``carbone`` (run node there, or point NODE_PATH at
    its node_modules); installed with npm on first use."""
    node_executable()
    npm = shutil.which("npm")
    if not npm:
        raise CarboneUnavailable("npm is not installed")
    prefix = cache_folder() / f"carbone-{CARBONE_VERSION}"
    if _installed(prefix):
        return prefix
    prefix.mkdir(parents=True, exist_ok=True)
    with (prefix / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another suite may be installing right now
        if _installed(prefix):
            return prefix
        (prefix / "package.json").write_text('{"private": true}\n', encoding="utf-8")
        try:
            done = subprocess.run(
                [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
                 "--no-save", "--loglevel=error", f"carbone@{CARBONE_VERSION}"],
                capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise CarboneUnavailable(f"npm install carbone took over {timeout:.0f} s") from None
        if done.returncode != 0 or not _installed(prefix):
            tail = (done.stderr or done.stdout).strip()[-300:]
            raise CarboneUnavailable(f"npm install carbone@{CARBONE_VERSION} failed: {tail}")
    return prefix


def run_carbone(prefix: Path, script: Path, *args: Path) -> dict:
    """Run a Node ``script`` with the installed Carbone; its last line of output is the JSON it
    measured."""
    done = subprocess.run([node_executable(), str(script), *map(str, args)], cwd=prefix,
                          capture_output=True, text=True, timeout=600,
                          env={"NODE_PATH": str(prefix / "node_modules"), "PATH": "/usr/bin:/bin"})
    if done.returncode != 0:
        raise RuntimeError(f"carbone exited {done.returncode}: {done.stderr.strip()[-300:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
