"""Writing a run's outputs so that nothing half-written is ever left beside good files.

Everything is rendered into a hidden staging folder inside the output folder. Only when every
document is complete are the entries moved into place (a rename each), the previous run's entries
that this run no longer produces are removed, and ``manifest.json`` is written last. A lock keeps
two runs from writing into one folder at once.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Location, PlanforgeError

MANIFEST = "manifest.json"
_LOCK = ".planforge.lock"
_STAGING_PREFIX = ".planforge-staging-"
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


def write_atomic(target: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``target``, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".tmp-", suffix=target.suffix, dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        with temporary.open("rb") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


@dataclass
class OutputFile:
    path: str
    document_type: str
    rows: list[dict[str, Any]] = field(default_factory=list)


class OutputBusy(PlanforgeError):
    """Another planforge run is writing into the same folder."""


class OutputWriter:
    """Stages files for one run and publishes them together."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = (self.folder / _LOCK).open("a+")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise OutputBusy(
                f"另一个 planforge 正在写入「{self.folder}」，请等它结束后再运行 / "
                f"another planforge run is writing to {self.folder}; wait for it to finish"
            ) from None
        for stale in self.folder.glob(_STAGING_PREFIX + "*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a run that was killed
        self.staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=self.folder))
        self.files: list[OutputFile] = []

    def path(self, relative: str) -> Path:
        """Where to write ``relative`` inside the staging folder."""
        target = self.staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def add(self, relative: str, document_type: str, rows: Iterable[Location] = ()) -> None:
        self.files.append(OutputFile(relative, document_type, [
            {k: v for k, v in vars(r).items() if v not in (None, "")} for r in rows
        ]))

    def manifest(self, **about: Any) -> dict[str, Any]:
        return {
            **about,
            "created": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "files": [
                {"path": f.path, "sha256": sha256_of(self.staging / f.path),
                 "bytes": (self.staging / f.path).stat().st_size,
                 "document_type": f.document_type, "rows": f.rows}
                for f in self.files
            ],
        }

    def publish(self, manifest: dict[str, Any]) -> Path:
        """Move the staged entries into place, drop the previous run's leftovers, then the manifest."""
        previous = _previous_entries(self.folder)
        entries = sorted({Path(f.path).parts[0] for f in self.files})
        for entry in entries:
            _replace(self.staging / entry, self.folder / entry)
        for stale in previous - set(entries):
            target = self.folder / stale
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
        text = json.dumps(manifest, ensure_ascii=False, indent=2, default=str)
        write_atomic(self.folder / MANIFEST, lambda p: p.write_text(text, encoding="utf-8"))
        return self.folder

    def publish_zip(self, manifest: dict[str, Any], archive: Path) -> Path:
        """The same tree and manifest as one archive, written atomically."""
        text = json.dumps(manifest, ensure_ascii=False, indent=2, default=str)

        def write(temporary: Path) -> None:
            with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as bundle:
                for item in self.files:
                    bundle.write(self.staging / item.path, item.path)
                bundle.writestr(MANIFEST, text)

        write_atomic(archive, write)
        return archive

    def close(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
        (self.folder / _LOCK).unlink(missing_ok=True)
        self._lock.close()

    def __enter__(self) -> OutputWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _previous_entries(folder: Path) -> set[str]:
    """Top-level entries the previous run listed, so user files beside them are never touched."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return {Path(f["path"]).parts[0] for f in manifest.get("files", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _replace(source: Path, target: Path) -> None:
    if source.is_dir() and target.exists():
        trash = target.with_name(f"{_STAGING_PREFIX}old-{target.name}")
        os.replace(target, trash)
        os.replace(source, target)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(source, target)
