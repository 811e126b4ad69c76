"""What the adversarial suite produced: documents for the final LibreOffice pass, and a count.

Every test that makes .docx/.xlsx files hands them to :func:`keep`; a copy goes to one folder
that the last test of the session converts with LibreOffice in a single batch. :func:`case`
counts one adversarial case (a test, or one hypothesis example) for the closing summary.
"""

from __future__ import annotations

import itertools
import shutil
from dataclasses import dataclass, field
from pathlib import Path

DOCUMENT_SUFFIXES = {".docx", ".xlsx"}


@dataclass
class Collected:
    folder: Path | None = None
    documents: list[tuple[Path, str]] = field(default_factory=list)  # (copy, where it came from)
    cases: int = 0
    converted: int = 0
    _numbers: itertools.count = field(default_factory=itertools.count)


STATE = Collected()


def case(count: int = 1) -> None:
    """Count adversarial cases run (each hypothesis example counts once)."""
    STATE.cases += count


def keep(*paths: Path, origin: str = "") -> int:
    """Copy produced documents (files, or folders searched recursively) for the LibreOffice pass."""
    kept = 0
    if STATE.folder is None:
        return 0
    for path in paths:
        path = Path(path)
        found = [path] if path.is_file() else sorted(
            p for p in path.rglob("*") if p.is_file() and ".planforge-" not in str(p))
        for item in found:
            if item.suffix.lower() not in DOCUMENT_SUFFIXES:
                continue
            copy = STATE.folder / f"{next(STATE._numbers):05d}{item.suffix.lower()}"
            shutil.copyfile(item, copy)
            STATE.documents.append((copy, f"{origin}: {item}"))
            kept += 1
    return kept
