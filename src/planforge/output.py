"""Writing a run's outputs so that nothing half-written is ever left beside good files.

Everything is rendered into a hidden staging folder inside the output folder. Only when every
document is complete and the new manifest is staged beside them is a publish journal committed;
then the old manifest is removed, the entries are moved into place (a rename each), the previous
run's entries that this run no longer produces are removed, and ``manifest.json`` is moved in
last. A run killed after the commit is rolled forward by the next writer; one killed before it
leaves the previous outputs as they were. A lock keeps two runs from writing into one folder at
once.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .errors import Location, PlanforgeError

MANIFEST = "manifest.json"
_LOCK = ".planforge.lock"
_STAGING_PREFIX = ".planforge-staging-"
# Inside a staging folder; entries never start with "." (sanitize_filename), so none can clash.
JOURNAL = ".publish.json"
_STAGED_MANIFEST = ".manifest.json"
_TRASH = ".replaced"
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME_BYTES = 200


def sanitize_filename(name: str, suffix: str = "") -> str:
    """A file name that is safe on Windows, macOS and Linux, built from data."""
    text = unicodedata.normalize("NFC", str(name))
    text = _FORBIDDEN.sub("_", text).replace("\u200b", "")
    text = re.sub(r"\.{2,}", ".", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    encoded = text.encode("utf-8")[: MAX_NAME_BYTES - len(suffix.encode("utf-8"))]
    text = encoded.decode("utf-8", errors="ignore").strip(" .")
    return (text or "_") + suffix


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: The permissions a file the user creates gets (``mkstemp`` would leave 0600, unreadable to the
#: colleagues a shared output folder is for).
_UMASK = _read_umask()
FILE_MODE, FOLDER_MODE = 0o666 & ~_UMASK, 0o777 & ~_UMASK


def write_atomic(target: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``target``, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".tmp-", suffix=target.suffix, dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        os.chmod(temporary, FILE_MODE)
        with temporary.open("rb") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A staged file. Its source rows stay the (shared) Location objects until the manifest is
    written: tens of thousands of small dicts held through a whole run cost real memory."""

    path: str
    document_type: str
    locations: tuple[Location, ...] = ()

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The source rows as ``manifest.json`` lists them: only the fields that are set."""
        return [location.as_dict() for location in self.locations]


@dataclass(frozen=True)
class Manifest:
    """What ``manifest.json`` will say. The files are listed, hashed and measured only while
    it is written, one at a time, so no run holds its whole manifest in memory."""

    about: dict[str, Any]
    created: str
    files: tuple[OutputFile, ...]
    staging: Path

    def write(self, stream: TextIO) -> None:
        """The text ``json.dumps(..., ensure_ascii=False, indent=2, default=str)`` gives for the
        manifest as one dict, written one file entry at a time."""
        encoder = json.JSONEncoder(ensure_ascii=False, indent=2, default=str)
        head = {**self.about, "created": self.created, "files": None}
        stream.write("{")
        for number, (key, value) in enumerate(head.items()):
            stream.write(f'{"," if number else ""}\n  {encoder.encode(key)}: ')
            if key != "files":
                stream.write(_indented(encoder.encode(value), 1))
                continue
            stream.write("[")
            for index, item in enumerate(self.files):
                staged = self.staging / item.path
                entry = {"path": item.path, "sha256": sha256_of(staged),
                         "bytes": staged.stat().st_size, "document_type": item.document_type,
                         "rows": item.rows}
                stream.write(f'{"," if index else ""}\n    {_indented(encoder.encode(entry), 2)}')
            stream.write("\n  ]" if self.files else "]")
        stream.write("\n}")

    def save(self, path: Path) -> None:
        """Write it to ``path`` (for :func:`write_atomic`)."""
        with path.open("w", encoding="utf-8") as stream:
            self.write(stream)


def _indented(text: str, level: int) -> str:
    """JSON encoded at the top level, as it reads nested ``level`` deep (strings in encoded JSON
    never hold a raw newline, so every one starts a line)."""
    return text.replace("\n", "\n" + "  " * level)


class OutputBusy(PlanforgeError):
    """Another planforge run is writing into the same folder."""


def _acquire_lock(folder: Path):
    """Hold ``folder/.planforge.lock`` exclusively, or raise :class:`OutputBusy`.

    The lock file is removed when a run ends, so after locking we check that the file we locked
    is still the one at that path: otherwise a run that opened it just before it was removed and
    a run that created it afresh could both believe they hold the lock.
    """
    path = folder / _LOCK
    while True:
        handle = path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise OutputBusy(
                f"另一个 planforge 正在写入「{folder}」，请等它结束后再运行 / "
                f"another planforge run is writing to {folder}; wait for it to finish"
            ) from None
        try:
            same = os.fstat(handle.fileno()).st_ino == path.stat().st_ino
        except FileNotFoundError:
            same = False
        if same:
            return handle
        handle.close()


class OutputWriter:
    """Stages files for one run and publishes them together.

    Publishing is a journaled roll-forward: the run stages the manifest, then writes
    ``.publish.json`` (what to move, what to remove) into its staging folder, atomically. From
    that moment the publish counts as done; if the run dies while moving entries, the next
    writer on the folder (any later ``fill``, or :func:`recover`) finishes the moves before
    anything else. The old ``manifest.json`` is removed before the first move and the new one
    moved in after the last, so a manifest present always describes exactly the files beside it.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = _acquire_lock(self.folder)
        try:
            _recover_locked(self.folder)
            self.staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=self.folder))
        except BaseException:
            self._release()
            raise
        self.files: list[OutputFile] = []
        self._published = False

    def path(self, relative: str) -> Path:
        """Where to write ``relative`` inside the staging folder."""
        target = self.staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def add(self, relative: str, document_type: str, rows: Iterable[Location] = ()) -> None:
        self.files.append(OutputFile(relative, document_type, tuple(rows)))

    def manifest(self, **about: Any) -> Manifest:
        """The manifest of the files added so far; ``about`` comes first in it."""
        return Manifest(about, dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                        tuple(self.files), self.staging)

    def publish(self, manifest: Manifest) -> Path:
        """Stage the manifest, commit the journal, then move the entries and manifest into place."""
        entries = sorted({Path(f.path).parts[0] for f in self.files})
        journal = {
            "entries": entries,
            "remove": sorted(_previous_entries(self.folder) - set(entries) - {MANIFEST}),
        }
        write_atomic(self.staging / _STAGED_MANIFEST, manifest.save)
        text = json.dumps(journal, ensure_ascii=False)
        write_atomic(self.staging / JOURNAL, lambda p: p.write_text(text, encoding="utf-8"))
        _roll_forward(self.folder, self.staging)
        self._published = True
        return self.folder

    def publish_zip(self, manifest: Manifest, archive: Path) -> Path:
        """The same tree and manifest as one archive, written atomically."""

        def write(temporary: Path) -> None:
            with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as bundle:
                for item in self.files:
                    bundle.write(self.staging / item.path, item.path)
                info = zipfile.ZipInfo(MANIFEST, date_time=time.localtime()[:6])
                info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, FILE_MODE << 16
                with io.TextIOWrapper(bundle.open(info, "w"), encoding="utf-8",
                                      newline="") as stream:
                    manifest.write(stream)

        write_atomic(archive, write)
        return archive

    def _release(self) -> None:
        (self.folder / _LOCK).unlink(missing_ok=True)  # while still locked: see _acquire_lock
        self._lock.close()

    def close(self) -> None:
        """Drop the staging folder, unless a committed publish failed half-way: the next
        writer on this folder (or :func:`recover`) completes it from the journal."""
        if self._published or not (self.staging / JOURNAL).exists():
            shutil.rmtree(self.staging, ignore_errors=True)
        self._release()

    def __enter__(self) -> OutputWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


ZIP_STAGING_PREFIX = ".planforge-zip-"
_ABANDONED_AFTER_S = 60  # a run locks its folder right after making it; give it that long


def zip_staging(parent: Path) -> tempfile.TemporaryDirectory:
    """A hidden folder beside an archive to render it in.

    Runs that were killed leave theirs behind (half-written forms beside the archive); each new
    run first removes those no run holds the lock of.
    """
    parent.mkdir(parents=True, exist_ok=True)
    for folder in parent.glob(ZIP_STAGING_PREFIX + "*"):
        if (folder.is_dir() and not folder.is_symlink()
                and time.time() - folder.stat().st_mtime > _ABANDONED_AFTER_S):
            try:
                handle = _acquire_lock(folder)
            except OutputBusy:
                continue  # a run is writing in it
            try:
                shutil.rmtree(folder, ignore_errors=True)
            finally:
                handle.close()
    return tempfile.TemporaryDirectory(prefix=ZIP_STAGING_PREFIX, dir=parent)


def recover(folder: Path) -> bool:
    """Finish a publish that a killed run committed; clear what killed runs left behind.

    Returns whether an interrupted publish was completed. Raises :class:`OutputBusy` while
    another run holds the folder. Every :class:`OutputWriter` does this first.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return False
    handle = _acquire_lock(folder)
    try:
        return _recover_locked(folder)
    finally:
        (folder / _LOCK).unlink(missing_ok=True)
        handle.close()


def _recover_locked(folder: Path) -> bool:
    finished = False
    for stale in sorted(folder.glob(_STAGING_PREFIX + "*")):
        if (stale / JOURNAL).is_file():
            _roll_forward(folder, stale)  # committed before the run died: complete it
            finished = True
        shutil.rmtree(stale, ignore_errors=True)  # uncommitted: the run never finished
    return finished


def _roll_forward(folder: Path, staging: Path) -> None:
    """Apply ``staging/.publish.json``; every step may be repeated after an interruption.

    The manifest is staged before the journal is committed and moved into place last, so a
    journal without a staged manifest beside it is a publish that already completed.
    """
    journal = json.loads((staging / JOURNAL).read_text(encoding="utf-8"))
    staged_manifest = staging / _STAGED_MANIFEST
    if "manifest" in journal and not staged_manifest.exists():  # older planforge kept it here
        write_atomic(staged_manifest,
                     lambda p: p.write_text(journal["manifest"], encoding="utf-8"))
    trash = staging / _TRASH
    if staged_manifest.exists():
        (folder / MANIFEST).unlink(missing_ok=True)
        for entry in journal["entries"]:
            source, target = staging / entry, folder / entry
            if source.exists() or source.is_symlink():
                _replace(source, target, trash)
        for stale in journal["remove"]:
            _remove(folder / stale)
        os.replace(staged_manifest, folder / MANIFEST)
    shutil.rmtree(trash, ignore_errors=True)


def _remove(target: Path) -> None:
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    elif target.exists() or target.is_symlink():
        target.unlink()


def _previous_entries(folder: Path) -> set[str]:
    """Top-level entries the previous run listed, so user files beside them are never touched.

    A big run's manifest is tens of MB once loaded, so it is scanned line by line; one in
    another layout than :class:`Manifest` writes is loaded whole.
    """
    try:
        with (folder / MANIFEST).open(encoding="utf-8") as stream:
            entries = _listed_entries(stream)
            if entries is None:
                stream.seek(0)
                entries = {Path(f["path"]).parts[0] for f in json.load(stream).get("files", [])}
        return entries
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def _listed_entries(lines: Iterable[str]) -> set[str] | None:
    """The top-level entries of a manifest's file paths, if it is laid out as ``json.dumps``
    with ``indent=2`` lays it out: the top-level key ``files`` is the only line starting with
    ``  "files": [`` and each file's path the only line six spaces deep reading ``"path": ``
    inside that list (no encoded string holds a raw newline)."""
    entries: set[str] | None = None
    for line in lines:
        if entries is None:
            if line.startswith('  "files": []'):
                return set()
            if line.startswith('  "files": ['):
                entries = set()
        elif line.startswith('      "path": '):
            value = line.removeprefix('      "path": ').rstrip().removesuffix(",")
            entries.add(Path(json.loads(value)).parts[0])
        elif line.startswith("  ]"):
            return entries
    return None


def _replace(source: Path, target: Path, trash: Path) -> None:
    """Put ``source`` where ``target`` is; an old folder is first moved into ``trash``."""
    if target.is_dir() and not target.is_symlink():
        trash.mkdir(parents=True, exist_ok=True)
        os.replace(target, Path(tempfile.mkdtemp(dir=trash)) / "old")
    elif source.is_dir() and (target.exists() or target.is_symlink()):
        target.unlink()  # a file where this run writes a folder
    os.replace(source, target)
