"""Many Word forms from one template: print volumes, and worker processes for big batches.

Forms are rendered in volumes of :data:`VOLUME_SIZE`; each volume also gets its combined print
file (every form on its own page, ``copies`` times), written form by form as they are rendered,
and a volume is the unit of work handed to a worker process. A worker holds one form at a time,
so its memory does not depend on the size of the batch.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from .word import WordTemplate, combine_docx

VOLUME_SIZE = 100
PARALLEL_MINIMUM = 1000  # below this, starting worker processes (imports, plugins) costs more


@dataclass
class Volume:
    """Forms rendered together: (relative path, index, item) each, and their print file."""

    forms: list[tuple[str, int, Mapping[str, Any]]]
    combined: str | None = None


@dataclass
class Batch:
    """Everything a worker needs to render volumes on its own."""

    template: Path
    plugins_dir: str | None
    staging: Path
    copies: int
    shared: bytes = b""  # pickled, to be read after the worker has loaded the plugins
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


_worker: tuple[WordTemplate, dict[str, Any], Batch] | None = None


def _start_worker(batch: Batch) -> None:
    from ..engine import Engine
    from ..plugins import load_plugins

    global _worker
    engine = Engine(load_plugins(batch.plugins_dir))
    shared = pickle.loads(batch.shared)
    _worker = (WordTemplate(batch.template, engine.word_env, batch.pictures), shared, batch)


def _work(volume: Volume) -> int:
    assert _worker is not None
    template, shared, batch = _worker
    return render_volume(template, shared, volume, batch.staging, batch.copies)


def render_volumes(template: WordTemplate, shared: Mapping[str, Any], volumes: list[Volume],
                   batch: Batch, jobs: int, progress: Callable[[int], None] | None) -> None:
    """Render every volume, in ``jobs`` worker processes when the batch is big enough."""
    total = sum(len(v.forms) for v in volumes)
    if jobs <= 1 or total < PARALLEL_MINIMUM:
        results: Iterator[int] = (render_volume(template, shared, v, batch.staging, batch.copies)
                                  for v in volumes)
        for done in results:
            if progress:
                progress(done)
        return
    # Workers get only the names the template reads: not, say, every other record's list.
    used = {name: value for name, value in shared.items() if name in template.names}
    batch = replace(batch, shared=pickle.dumps(used))
    # "spawn" behaves the same on Windows, macOS and Linux: workers load the plugins themselves.
    with ProcessPoolExecutor(max_workers=min(jobs, len(volumes)), mp_context=get_context("spawn"),
                             initializer=_start_worker, initargs=(batch,)) as pool:
        for done in pool.map(_work, volumes):
            if progress:
                progress(done)

