"""Jobs of the web page: each in its own temporary folder, run off the request thread.

A job is one clerk's upload: its data files, its settings, then a check, a fill or a dossier
build. Requests only ever name a job by its random id; the folder is the store's business, so no
request value reaches a file path. Finished jobs are removed after their download or when they
expire, whichever comes first.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import PlanforgeError

log = logging.getLogger("planforge.web")
INTERNAL_ERROR = "内部错误，已记录在服务器日志中 / internal error; it was logged on the server"

#: A job nobody has looked at for this long is removed with its files.
EXPIRY_SECONDS = 2 * 3600
#: A downloaded job stays this long, for a second look at its previews, then goes.
AFTER_DOWNLOAD_SECONDS = 10 * 60


@dataclass
class Job:
    """What the page shows about one upload; ``state`` moves new → running → done | failed."""

    id: str
    owner: str
    kind: str  # "fill" or "dossier"
    target: str
    folder: Path
    state: str = "new"
    done: int = 0
    total: int = 0
    message: str = ""
    problems: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)  # relative to the output folder
    check: list[str] = field(default_factory=list)  # the package's own check, line by line
    lines: list[str] = field(default_factory=list)  # a command's output (dossier)
    settings: dict[str, str] = field(default_factory=dict)
    sheets: list[dict[str, Any]] = field(default_factory=list)  # uploaded sheets, bad cells marked
    source: Path | None = None  # the unpacked activity folder (dossier)
    previews: str = ""  # "ready", or why there are none
    shown: list[int] = field(default_factory=list)  # the outputs the page previews
    booklet: int | None = None  # the booklet's number among the outputs (dossier)
    touched: float = field(default_factory=time.monotonic)
    downloaded: bool = False

    @property
    def inputs(self) -> Path:
        return self.folder / "input"

    @property
    def output(self) -> Path:
        return self.folder / "output"

    @property
    def cache(self) -> Path:
        return self.folder / "cache"

    def status(self) -> dict[str, Any]:
        return {"id": self.id, "state": self.state, "done": self.done, "total": self.total,
                "message": self.message, "problems": self.problems, "warnings": self.warnings,
                "outputs": self.outputs, "check": self.check, "lines": self.lines,
                "sheets": self.sheets, "previews": self.previews, "booklet": self.booklet,
                "shown": self.shown}


class JobStore:
    """The jobs of one server process; thread-safe, with a small pool for the heavy work.

    Fills render their forms in worker processes (the engine's ``jobs``), so two threads here
    are enough to keep several clerks' jobs moving without starving the page.
    """

    def __init__(self, root: Path | None = None, workers: int = 2,
                 expiry: float = EXPIRY_SECONDS, after_download: float = AFTER_DOWNLOAD_SECONDS):
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="planforge-web-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.expiry, self.after_download = expiry, after_download
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="planforge-job")

    def create(self, owner: str, kind: str, target: str) -> Job:
        self.expire()
        job_id = secrets.token_urlsafe(16)
        folder = self.root / job_id
        for sub in ("input", "output", "cache"):
            (folder / sub).mkdir(parents=True)
        job = Job(job_id, owner, kind, target, folder)
        with self._lock:
            self._jobs[job_id] = job
        return job

    def get(self, job_id: str, owner: str) -> Job | None:
        """The job, if it exists and belongs to this visitor (another tab of theirs is fine)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or not secrets.compare_digest(job.owner, owner):
            return None
        job.touched = time.monotonic()
        return job

    def run(self, job: Job, work: Callable[[Job], None]) -> None:
        """Start ``work(job)`` in the pool; it sets the job's state and outputs."""
        job.state, job.done, job.message = "running", 0, ""

        def runner() -> None:
            try:
                work(job)
            except PlanforgeError as error:  # the clerk's to fix: said as the CLI says it
                job.state, job.message = "failed", str(error)
            except Exception:  # ours: logged with its traceback, never shown
                log.exception("job %s failed", job.id)
                job.state, job.message = "failed", INTERNAL_ERROR

        self._pool.submit(runner)

    def remove(self, job: Job) -> None:
        with self._lock:
            self._jobs.pop(job.id, None)
        shutil.rmtree(job.folder, ignore_errors=True)

    def expire(self) -> None:
        """Remove jobs past their expiry, or downloaded a while ago (never a running one)."""
        now = time.monotonic()
        with self._lock:
            stale = [job for job in self._jobs.values() if job.state != "running" and (
                now - job.touched > (self.after_download if job.downloaded else self.expiry))]
        for job in stale:
            self.remove(job)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        shutil.rmtree(self.root, ignore_errors=True)
