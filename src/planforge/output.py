"""Writing a run's outputs so that nothing half-written is ever left beside good files.

Everything is rendered into a hidden staging folder inside the output folder. Only when every
document is complete and the new manifest is staged beside them is a publish journal committed;
then the old manifest is removed, the entries are moved into place (a rename each), the previous
run's entries that this run no longer produces are removed, and ``manifest.json`` is moved in
last. A run killed after the commit is rolled forward by the next writer; one killed before it
leaves the previous outputs as they were. A lock keeps two runs from writing into one folder at
once.

Only files the previous manifest lists are planforge's. Any other file in the output folder is
the user's: it is kept, and a folder holding one is published file by file instead of being
replaced whole. A run that would overwrite such a file is refused before it renders anything,
unless it was started with ``force``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import stat
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .errors import COMMITTED, InputError, Location, PlanforgeError, Problem, os_fault

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


class ForeignFiles(PlanforgeError):
    """The run would overwrite files in its output folder that planforge did not write."""

    SHOWN = 20

    def __init__(self, folder: Path, paths: list[str]):
        self.folder, self.paths = folder, paths
        listed = [f"  - {folder / path}" for path in paths[: self.SHOWN]]
        if len(paths) > self.SHOWN:
            listed.append(f"  … 另有 {len(paths) - self.SHOWN} 个 / and {len(paths) - self.SHOWN} more")
        super().__init__("\n".join([
            f"输出文件夹中有 {len(paths)} 个文件不是 planforge 写的，本次运行会覆盖它们，所以没有写入"
            f"任何文件 / {len(paths)} file(s) in the output folder were not written by planforge "
            "and this run would overwrite them, so nothing was written:",
            *listed,
            "请移走或改名这些文件，或用 -o 换一个输出文件夹，或加 --force 覆盖它们 / move or rename "
            "them, choose another output folder with -o, or add --force to overwrite them",
        ]))


def check_output_folder(folder: Path) -> None:
    """Refuse an output folder that is a file (or a device such as /dev/null) or lies below one,
    before anything is rendered."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(Problem(
            "输出位置已存在且不是文件夹（-o 应指定一个文件夹）",
            "the output exists and is not a folder (-o takes a folder)", Location(str(folder))))
    ancestor = next((p for p in folder.absolute().parents if os.path.lexists(p)), None)
    if ancestor is not None and not ancestor.is_dir():
        raise InputError(Problem(
            f"「{ancestor}」是文件，不能在它下面创建输出文件夹",
            f"{ancestor} is a file, so no output folder can be made below it",
            Location(str(folder))))


def check_archive(archive: Path, force: bool = False) -> None:
    """Refuse an archive path that is a folder or lies below a file, and an existing file that
    is not an archive planforge wrote (unless ``force``), before anything is rendered."""
    archive = Path(archive)
    if archive.is_dir():
        raise InputError(Problem("压缩包位置是一个文件夹", "the archive path is a folder",
                                 Location(str(archive))))
    check_output_folder(archive.parent)
    if os.path.lexists(archive) and not force and not _planforge_archive(archive):
        raise ForeignFiles(archive.parent, [archive.name])


def _planforge_archive(path: Path) -> bool:
    """Whether ``path`` is a zip archive holding a planforge manifest."""
    try:
        with zipfile.ZipFile(path) as bundle, bundle.open(MANIFEST) as stream:
            return _listed_paths(io.TextIOWrapper(stream, encoding="utf-8")) is not None
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return False


def check_outside_inputs(output: Path, inputs: Iterable[Path]) -> None:
    """Refuse an output folder that is, or lies inside, a folder planforge reads recursively:
    the next run would read its own outputs (and staging folders) as input."""
    where, output = Path(os.path.realpath(output)), os.path.abspath(output)
    problems = []
    for given in inputs:
        source, folder = Path(os.path.realpath(given)), os.path.abspath(given)
        if where.is_relative_to(source):
            problems.append(Problem(
                f"输出文件夹「{output}」位于 planforge 读取的输入文件夹「{folder}」之内，下次运行会把"
                "输出当作输入读入；请把输出写到该文件夹之外",
                f"the output folder {output} lies inside the input folder {folder}, which "
                "planforge reads with everything in it: the next run would read its own outputs; "
                "write the output outside that folder", Location(str(output))))
    if problems:
        raise InputError(problems)


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
    moved in after the last, so a manifest present always describes exactly the files planforge
    wrote beside it. Files it does not list are the user's: kept, and never overwritten unless
    ``force`` (see :meth:`check_overwrites`).
    """

    def __init__(self, folder: Path, force: bool = False):
        self.folder = Path(folder)
        check_output_folder(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = _acquire_lock(self.folder)
        try:
            _recover_locked(self.folder)
            #: What the previous run wrote: the only files this run may replace or remove.
            self.previous = _previous_files(self.folder)
            self.staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=self.folder))
        except BaseException:
            self._release()
            raise
        self.force = force
        self.files: list[OutputFile] = []
        #: Files added but not made after all, and why (see :meth:`omit`).
        self.omitted: list[tuple[str, PlanforgeError]] = []
        self._published = False

    def path(self, relative: str) -> Path:
        """Where to write ``relative`` inside the staging folder."""
        target = self.staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def add(self, relative: str, document_type: str, rows: Iterable[Location] = ()) -> None:
        self.files.append(OutputFile(relative, document_type, tuple(rows)))

    def omit(self, relative: str, reason: PlanforgeError) -> None:
        """Leave out a file added earlier that could not be made (a booklet's PDF without
        LibreOffice): the run still publishes the rest, its manifest says what is missing and
        why, and then ``reason`` is raised, so the clerk gets what could be made and the error."""
        self.files = [f for f in self.files if f.path != relative]
        (self.staging / relative).unlink(missing_ok=True)
        self.omitted.append((relative, reason))

    def manifest(self, **about: Any) -> Manifest:
        """The manifest of the files added so far; ``about`` comes first in it."""
        if self.omitted:
            about["omitted"] = [{"path": path, "reason": str(reason)}
                                for path, reason in self.omitted]
        return Manifest(about, dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                        tuple(self.files), self.staging)

    def _raise_omitted(self) -> None:
        if self.omitted:
            raise self.omitted[0][1]

    def check_overwrites(self) -> None:
        """Refuse to go on if a file added so far would overwrite one planforge did not write.

        Called once every path of a run is known and before anything is rendered; ``publish``
        checks again, for files the user put in the folder while the run was rendering.
        """
        if self.force:
            return
        found = _in_the_way(self.folder, [f.path for f in self.files], self.previous)
        if found:
            raise ForeignFiles(self.folder, found)

    def publish(self, manifest: Manifest) -> Path:
        """Stage the manifest, commit the journal, then move the entries and manifest into place."""
        self.check_overwrites()
        written = {f.path for f in self.files}
        write_atomic(self.staging / _STAGED_MANIFEST, manifest.save)
        journal = _journal(self.folder, written, self.previous)
        text = json.dumps(journal, ensure_ascii=False)
        write_atomic(self.staging / JOURNAL, lambda p: p.write_text(text, encoding="utf-8"))
        try:
            _roll_forward(self.folder, self.staging)
        except OSError as error:  # committed: the journal stays for the next run to finish
            fault = os_fault(error, COMMITTED)
            if fault is None:
                raise
            raise fault from error
        self._published = True
        self._raise_omitted()
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
        self._raise_omitted()
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
    journal without a staged manifest beside it is a publish that already completed. Entries
    listed under ``merge`` hold files of the user: their new files are moved in one by one and
    the previous run's files they no longer hold (``remove_files``) are removed one by one.
    """
    journal = json.loads((staging / JOURNAL).read_text(encoding="utf-8"))
    staged_manifest = staging / _STAGED_MANIFEST
    if "manifest" in journal and not staged_manifest.exists():  # older planforge kept it here
        write_atomic(staged_manifest,
                     lambda p: p.write_text(journal["manifest"], encoding="utf-8"))
    trash = staging / _TRASH
    merged = set(journal.get("merge", ()))
    if staged_manifest.exists():
        (folder / MANIFEST).unlink(missing_ok=True)
        for entry in journal["entries"]:
            source, target = staging / entry, folder / entry
            if entry in merged:
                _merge(source, target, trash)
            elif source.exists() or source.is_symlink():
                _replace(source, target, trash)
        for stale in journal["remove"]:
            _remove(folder / stale)
        _remove_files(folder, journal.get("remove_files", ()))
        os.replace(staged_manifest, folder / MANIFEST)
    shutil.rmtree(trash, ignore_errors=True)


def _journal(folder: Path, written: set[str], previous: set[str]) -> dict[str, list[str]]:
    """What publishing ``written`` over the previous run's ``previous`` files moves and removes.

    An entry (top-level file or folder) that holds nothing but the previous run's files is
    replaced or removed whole, a rename each; one holding anything else is merged file by file.
    """
    entries = sorted({p.split("/", 1)[0] for p in written})
    before = _by_entry(previous)
    merge = [e for e in entries if _holds_foreign(folder / e, e, before.get(e, set()))]
    remove, remove_files = [], []
    for entry in sorted(set(before) - set(entries) - {MANIFEST}):
        if _holds_foreign(folder / entry, entry, before[entry]):
            remove_files += sorted(before[entry])
        else:
            remove.append(entry)
    for entry in merge:
        remove_files += sorted(before.get(entry, set()) - written)
    return {"entries": entries, "merge": merge, "remove": remove, "remove_files": remove_files}


def _by_entry(paths: Iterable[str]) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = {}
    for path in paths:
        grouped.setdefault(path.split("/", 1)[0], set()).add(path)
    return grouped


def _holds_foreign(target: Path, entry: str, listed: set[str]) -> bool:
    """Whether the folder ``target`` holds a file or folder that is not one of ``listed`` (paths
    relative to its parent, ``/``-separated as manifests write them) or a folder leading to one.
    Links are never followed."""
    if not target.is_dir() or target.is_symlink():
        return False
    folders = {folder for path in listed for folder in _folders_leading_to(path)}
    pending = [(os.fspath(target), entry)]
    while pending:
        place, relative = pending.pop()
        with os.scandir(place) as listing:
            for item in listing:
                inner = f"{relative}/{item.name}"
                if item.is_dir(follow_symlinks=False):
                    if inner not in folders:
                        return True
                    pending.append((item.path, inner))
                elif inner not in listed:
                    return True
    return False


def _folders_leading_to(path: str) -> Iterable[str]:
    """``a``, ``a/b`` for ``a/b/c.docx``."""
    end = path.find("/")
    while end != -1:
        yield path[:end]
        end = path.find("/", end + 1)


def _in_the_way(folder: Path, paths: Iterable[str], previous: set[str]) -> list[str]:
    """Of the files a run will write, those whose place holds something planforge did not
    write: a file (or link) the previous manifest does not list, a folder, or such a file where
    the run needs a folder."""
    found: list[str] = []
    folders: dict[str, bool] = {}  # checked places on the way: whether each is a folder
    base = os.fspath(folder)
    for path in paths:
        for relative in [*_folders_leading_to(path), path]:
            end = len(relative)
            if relative in folders:
                if folders[relative]:
                    continue
                break  # nothing there, or reported already
            try:
                mode = os.lstat(os.path.join(base, relative)).st_mode
            except FileNotFoundError:
                mode = 0  # nothing there, nor below
            folders[relative] = stat.S_ISDIR(mode) and end < len(path)
            if mode and not folders[relative] and not (stat.S_ISREG(mode) and relative in previous):
                found.append(relative)
            if not folders[relative]:
                break
    return found


def _merge(source: Path, target: Path, trash: Path) -> None:
    """Move every file below ``source`` to the same place below ``target``, keeping what else
    ``target`` holds."""
    if not source.is_dir() or source.is_symlink():
        if source.exists() or source.is_symlink():
            _replace(source, target, trash)
        return
    for root, _, names in os.walk(source):
        place = target / Path(root).relative_to(source)
        _make_folder(place, target.parent)
        for name in names:
            _replace(Path(root) / name, place / name, trash)


def _make_folder(folder: Path, top: Path) -> None:
    """Make ``folder`` (below ``top``); a file in the way was found replaceable before the
    journal was committed."""
    for place in [*reversed(folder.relative_to(top).parents), folder.relative_to(top)][1:]:
        path = top / place
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            path.unlink()
        path.mkdir(exist_ok=True)


def _remove_files(folder: Path, paths: Iterable[str]) -> None:
    """Remove the previous run's files, then the folders that held only them."""
    emptied: set[Path] = set()
    for path in paths:
        target = folder / path
        if target.is_symlink() or target.is_file():
            target.unlink()
        emptied.update(p for p in target.parents if p != folder and folder in p.parents)
    for place in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):  # it holds something else: the user's
            place.rmdir()


def _remove(target: Path) -> None:
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    elif target.exists() or target.is_symlink():
        target.unlink()


def _previous_files(folder: Path) -> set[str]:
    """The files the previous run listed: the only ones a run may replace or remove.

    A big run's manifest is tens of MB once loaded, so it is scanned line by line; one in
    another layout than :class:`Manifest` writes is loaded whole.
    """
    try:
        with (folder / MANIFEST).open(encoding="utf-8") as stream:
            paths = _listed_paths(stream)
            if paths is None:
                stream.seek(0)
                paths = {str(f["path"]) for f in json.load(stream).get("files", [])}
        return {p for p in paths if _inside(p)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def _inside(path: str) -> bool:
    """A manifest path that names a place inside the folder (a hand-edited one might not)."""
    return bool(path) and not path.startswith("/") and ".." not in path.split("/")


def _listed_paths(lines: Iterable[str]) -> set[str] | None:
    """The file paths of a manifest, if it is laid out as ``json.dumps`` with ``indent=2`` lays
    it out: the top-level key ``files`` is the only line starting with ``  "files": [`` and each
    file's path the only line six spaces deep reading ``"path": `` inside that list (no encoded
    string holds a raw newline)."""
    paths: set[str] | None = None
    for line in lines:
        if paths is None:
            if line.startswith('  "files": []'):
                return set()
            if line.startswith('  "files": ['):
                paths = set()
        elif line.startswith('      "path": '):
            value = line.removeprefix('      "path": ').rstrip().removesuffix(",")
            paths.add(json.loads(value))
        elif line.startswith("  ]"):
            return paths
    return None


def _replace(source: Path, target: Path, trash: Path) -> None:
    """Put ``source`` where ``target`` is; an old folder is first moved into ``trash``."""
    if target.is_dir() and not target.is_symlink():
        trash.mkdir(parents=True, exist_ok=True)
        os.replace(target, Path(tempfile.mkdtemp(dir=trash)) / "old")
    elif source.is_dir() and (target.exists() or target.is_symlink()):
        target.unlink()  # a file where this run writes a folder
    os.replace(source, target)
