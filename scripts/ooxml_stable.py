"""Make saved .xlsx/.docx files byte-stable, so re-running a generator leaves git clean.

openpyxl and python-docx stamp the save time into docProps/core.xml and into every zip entry;
we replace both with a fixed moment.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
FIXED_ISO = "2020-01-01T00:00:00Z"
_STAMP = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def freeze(path: Path) -> None:
    """Rewrite ``path`` in place with fixed timestamps and a fixed entry order."""
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _STAMP.sub(lambda m: m.group(1) + FIXED_ISO.encode() + m.group(3), data)
            fixed = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)


def save_stable(document, target: Path) -> None:
    """Save an openpyxl workbook or python-docx document to ``target`` and :func:`freeze` it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    document.save(target)
    freeze(target)
