"""Peak memory of a measured process tree, and a description of the machine it ran on.

Each figure runs in a fresh worker process so that one measurement's heap never inflates the
next. Within the worker, peak memory is the largest of:

* the worker's own peak RSS: ``VmHWM`` from /proc/self/status. Not
  ``getrusage(RUSAGE_SELF).ru_maxrss``: Linux carries the spawning process's peak across
  ``exec`` into it, so every worker would start at the suite's own peak (``ru_maxrss`` is
  only the fallback where /proc is missing),
* the peak RSS of its largest finished child (``RUSAGE_CHILDREN``: LibreOffice, the CLI, pool
  workers; what a child inherits that way is at most the worker's own peak, so it never raises
  the maximum), and
* the peak, sampled every 0.1 s, of the PSS summed over the worker and all its descendants. PSS
  counts pages shared between forked workers once, so a process pool is not double-counted.

The largest descendant's RSS is sampled too, for the notes: a pool worker's ``ru_maxrss``
starts at its parent's RSS (it is forked before it runs its own program), so only a sample
shows what the worker itself holds.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import subprocess
import threading
from importlib import metadata
from pathlib import Path

LIBRARIES = ("planforge", "docxtpl", "python-docx", "docxcompose", "openpyxl", "Pillow", "lxml",
             "Jinja2", "python-stdnum", "reportlab", "pypdf")
_KB = 1024


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in KiB; (0, 0) where /proc cannot tell."""
    found = {b"Pss:": 0, b"Rss:": 0}
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line[:4] in found:
                    found[line[:4]] = int(line.split()[1])
    except OSError:
        pass
    return found[b"Pss:"], found[b"Rss:"]


def tree_memory_kb(root: int) -> tuple[int, int]:
    """PSS of ``root`` and every descendant, and the largest descendant's RSS, in KiB."""
    children, total, largest, todo = _children_map(), 0, 0, [root]
    while todo:
        pid = todo.pop()
        pss, rss = _memory_kb(pid)
        total += pss
        if pid != root:
            largest = max(largest, rss)
        todo.extend(children.get(pid, ()))
    return total, largest


def descendants_cpu_s() -> dict[int, float]:
    """CPU seconds (user + system) each live descendant of this process has used so far."""
    children, found, tick = _children_map(), {}, os.sysconf("SC_CLK_TCK")
    todo = list(children.get(os.getpid(), ()))
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / tick
        todo.extend(children.get(pid, ()))
    return found


def _status_mb(key: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) / _KB
    except OSError:
        pass
    return None


def current_rss_mb() -> float:
    """This process's resident memory right now, for notes such as "data held: 90 MB"."""
    return _status_mb("VmRSS") or 0.0


def own_peak_mb() -> float:
    """This process's peak RSS since it started its program (see the module docstring)."""
    peak = _status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / _KB


def reset_peak() -> bool:
    """Forget the peak so far (``VmHWM`` drops to the current RSS, the sampler starts again).

    For set-up that is the benchmark's own doing, such as generating 100,000 rows in a way no
    clerk's run would; whatever that set-up still holds stays counted.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    if PeakMemory.current is not None:
        PeakMemory.current.peak_kb = tree_memory_kb(os.getpid())[0]
    return True


class PeakMemory:
    """Samples the process tree in a background thread while a figure runs."""

    current: PeakMemory | None = None

    def __init__(self, interval: float = 0.1):
        self.interval, self.peak_kb, self.largest_child_kb = interval, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        PeakMemory.current = self

    def _run(self) -> None:
        pid = os.getpid()
        while not self._stop.is_set():
            tree, largest_child = tree_memory_kb(pid)
            self.peak_kb = max(self.peak_kb, tree)
            self.largest_child_kb = max(self.largest_child_kb, largest_child)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def result(self) -> dict[str, float]:
        """Peak memory in MB (MiB), with the three measurements it is the largest of."""
        own = own_peak_mb()
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / _KB
        tree = self.peak_kb / _KB
        return {"peak_mb": max(own, children, tree), "self_rss_mb": own,
                "children_rss_mb": children, "tree_pss_mb": tree,
                "largest_child_rss_mb": self.largest_child_kb / _KB}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / _KB / _KB
    except OSError:
        pass
    return 0.0


def _libreoffice() -> str:
    try:
        from planforge.default_plugins.convert import find_soffice

        done = subprocess.run([find_soffice(), "--version"], capture_output=True, text=True,
                              timeout=60, check=False)
        return done.stdout.strip().splitlines()[0] if done.stdout.strip() else "unknown"
    except Exception as error:  # a missing LibreOffice is a fact to report, not a failure
        return f"not available ({type(error).__name__})"


def machine() -> dict[str, str]:
    """What the numbers depend on: CPU, cores, RAM, OS, Python, libraries, LibreOffice, date."""
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "CPU": _cpu_model(),
        "cores": f"{usable} usable ({os.cpu_count()} logical CPUs)",
        "RAM": f"{_ram_gib():.1f} GiB",
        "OS": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "libraries": ", ".join(versions),
        "LibreOffice": _libreoffice(),
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
    }
