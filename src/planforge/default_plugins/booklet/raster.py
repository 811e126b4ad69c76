"""Pages of a PDF as pictures (poppler's pdftoppm), for pasting into the Word booklet."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path


def pdf_page_images(pdf: Path, work: Path) -> list[Path]:
    """Rasterise a PDF with pdftoppm (poppler) for pasting into Word; [] if unavailable."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return []
    prefix = work / hashlib.sha1(str(pdf).encode()).hexdigest()[:10]
    try:
        subprocess.run(
            [tool, "-r", "110", "-jpeg", "-jpegopt", "quality=85", str(pdf), str(prefix)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    except (subprocess.SubprocessError, OSError):
        return []
    return sorted(work.glob(prefix.name + "-*.jpg"))
