"""Many Word forms from one template: print volumes, and worker processes for big batches.

Forms are rendered in volumes of :data:`VOLUME_SIZE`; each volume also gets its combined print
file (every form on its own page, ``copies`` times), written form by form as they are rendered,
and a volume is the unit of work. A process holds one form at a time, so its memory does not
depend on the size of the batch.

With ``jobs`` above one, the calling process renders volumes itself while ``jobs - 1`` worker
processes render others; whoever is free takes the next volume, so a batch ends within one
volume of an even split, and the caller's work starts at once instead of waiting for workers to
start. Workers are spawned (the same on Windows, macOS and Linux) and load planforge and the
plugins themselves, which takes a good part of a second, so they are kept for later batches of
the same process (a web server's next fill) and can be started early (:func:`start_workers`).
Each worker reads a batch's shared context once, from a file in the staging folder; after that
it is sent only volumes of records.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import secrets
import threading
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, as_completed, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import connection, get_context
from pathlib import Path
from typing import Any

from .word import WordTemplate, combine_docx

VOLUME_SIZE = 100
PARALLEL_MINIMUM = 1000  # below this, starting worker processes (imports, plugins) costs more
_SETUP_PREFIX = ".batch-"  # hidden in the staging folder: never published (see output.py)
_KEPT_BATCHES = 4  # batch set-ups a worker keeps (a web server may fill two jobs at once)


@dataclass
class Volume:
    """Forms rendered together: (relative path, index, item) each, and their print file."""

    forms: list[tuple[str, int, Mapping[str, Any]]]
    combined: str | None = None


@dataclass
class Batch:
    """Everything a worker needs, besides the records, to render volumes on its own."""

    template: Path
    plugins_dir: str | None
    staging: Path
    copies: int
    pictures: Mapping[str, Path] = field(default_factory=dict)  # see WordTemplate


def render_volume(template: WordTemplate, shared: Mapping[str, Any], volume: Volume,
                  staging: Path, copies: int) -> int:
    """Render one volume.

    The print file is written form by form; should a form need docxtpl (pictures), it is
    dropped and made afterwards from the finished files by docxcompose, which merges media.
    """
    streamed = volume.combined and template.fast
    printing = template.print_file(staging / volume.combined, copies) if streamed else None
    try:
        for relative, index, item in volume.forms:
            context = {**shared, **item, "record": item, "index": index}
            form = template.render(context, staging / relative)
            if printing is not None and form is None:
                printing.discard()
                printing = None
            elif printing is not None:
                printing.add(form)
    except BaseException:
        if printing is not None:
            printing.discard()
        raise
    if printing is not None:
        printing.close()
    elif volume.combined:
        combine_docx([staging / relative for relative, _, _ in volume.forms],
                     staging / volume.combined, copies)
    return len(volume.forms)


def render_volumes(template: WordTemplate, shared: Mapping[str, Any], volumes: list[Volume],
                   batch: Batch, jobs: int, progress: Callable[[int], None] | None) -> None:
    """Render every volume, helped by ``jobs - 1`` worker processes when the batch is big."""
    total = sum(len(v.forms) for v in volumes)
    if jobs <= 1 or total < PARALLEL_MINIMUM or len(volumes) < 2:
        for volume in volumes:
            done = render_volume(template, shared, volume, batch.staging, batch.copies)
            if progress:
                progress(done)
        return
    pool = start_workers(jobs, batch.plugins_dir)
    # Workers get only the names the template reads: not, say, every other record's list.
    used = {name: value for name, value in shared.items() if name in template.names}
    setup = batch.staging / f"{_SETUP_PREFIX}{secrets.token_hex(8)}.pickle"
    setup.write_bytes(pickle.dumps((batch, used), protocol=pickle.HIGHEST_PROTOCOL))
    try:
        _Shares(pool, str(setup), volumes, jobs - 1).run(
            lambda volume: render_volume(template, shared, volume, batch.staging, batch.copies),
            progress)
    except BrokenProcessPool:
        _forget(pool)  # a worker died: the next batch starts new ones
        raise
    finally:
        setup.unlink(missing_ok=True)


class _Shares:
    """Hands out volumes to the caller and the workers, each taking the next when it is free.

    A worker is sent its next volume as soon as it returns one (from the pool's own thread), so
    it never waits for the caller, who may be in the middle of a volume.
    """

    def __init__(self, pool: ProcessPoolExecutor, setup: str, volumes: list[Volume],
                 workers: int):
        self.pool, self.setup, self.workers = pool, setup, workers
        self._left = deque(volumes)
        self._lock = threading.Lock()
        self.sent: list[Future] = []  # every volume a worker took, in the order taken
        self._reported: set[Future] = set()
        self._failure: BaseException | None = None

    def _take(self) -> Volume | None:
        with self._lock:
            return self._left.popleft() if self._left else None

    def _stop(self) -> None:
        with self._lock:
            self._left.clear()

    def _send(self, finished: Future | None = None) -> None:
        """Give a worker its next volume (called again when the worker returns it)."""
        if finished is not None and (finished.cancelled() or finished.exception() is not None):
            self._stop()
            return
        with self._lock:
            if not self._left:
                return
            try:
                future = self.pool.submit(_work, self.setup, self._left.popleft())
            except BaseException as error:  # the pool broke or shut down; raised by run()
                self._failure = error
                self._left.clear()
                return
            self.sent.append(future)
        future.add_done_callback(self._send)

    def _report(self, future: Future, progress: Callable[[int], None] | None) -> None:
        if future not in self._reported:
            self._reported.add(future)
            done = future.result()  # a worker's error is raised here, as it was raised there
            if progress:
                progress(done)

    def run(self, render_here: Callable[[Volume], int],
            progress: Callable[[int], None] | None) -> None:
        for _ in range(self.workers):
            self._send()
        try:
            while (volume := self._take()) is not None:
                done = render_here(volume)
                if progress:
                    progress(done)
                with self._lock:
                    finished = [f for f in self.sent if f.done()]
                for future in finished:
                    self._report(future, progress)
            for future in as_completed(self.sent):
                self._report(future, progress)
            if self._failure is not None:
                raise self._failure
        except BaseException:
            self._stop()  # no worker may still write into staging once this returns
            wait(self.sent)
            raise


# --------------------------------------------------------------------------- worker processes

_pool: tuple[tuple[str | None, int], ProcessPoolExecutor] | None = None
_pool_lock = threading.Lock()


def start_workers(jobs: int, plugins_dir: str | None = None) -> ProcessPoolExecutor:
    """The ``jobs - 1`` worker processes that help render big batches, started if need be.

    They go on loading planforge and the plugins while the caller works (reads its input, say)
    and stay for later batches of this process with the same plugins and ``jobs``.
    """
    global _pool
    key = (plugins_dir, max(1, jobs - 1))
    with _pool_lock:
        if _pool is not None and _pool[0] == key:
            return _pool[1]
        if _pool is not None:
            _pool[1].shutdown(wait=False, cancel_futures=True)
        pool = ProcessPoolExecutor(max_workers=key[1], mp_context=get_context("spawn"),
                                   initializer=_start_worker, initargs=(plugins_dir,))
        for _ in range(key[1]):
            pool.submit(_ready)  # each call starts a process now, not at the first volume
        _pool = (key, pool)
        return pool


def _forget(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is not None and _pool[1] is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


#: In a worker: the plugins' Word environment, and the set-up of the batches it has worked on.
_environment: Any = None
_batches: dict[str, tuple[WordTemplate, Mapping[str, Any], Batch]] = {}


def _start_worker(plugins_dir: str | None) -> None:
    from ..plugins import load_plugins
    from .jinja import make_environment

    global _environment
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent.sentinel,), daemon=True).start()
    # Engine.word_env, without importing the engine (it imports this module)
    _environment = make_environment(load_plugins(plugins_dir).filters, autoescape=True)


def _end_with(parent: int) -> None:
    """A worker whose caller died (killed, say) ends at once: it would otherwise wait for
    volumes forever, or finish one into a staging folder nobody will publish."""
    connection.wait([parent])
    os._exit(1)


def _ready() -> None:
    """Nothing: submitted once per worker so that the pool starts its processes at once."""


def _work(setup: str, volume: Volume) -> int:
    loaded = _batches.get(setup)
    if loaded is None:
        # Read after the plugins are loaded: the context may hold their objects.
        batch, shared = pickle.loads(Path(setup).read_bytes())
        loaded = (WordTemplate(batch.template, _environment, batch.pictures), shared, batch)
        while len(_batches) >= _KEPT_BATCHES:
            del _batches[next(iter(_batches))]
        _batches[setup] = loaded
    template, shared, batch = loaded
    return render_volume(template, shared, volume, batch.staging, batch.copies)
