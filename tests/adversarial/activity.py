"""An activity folder that binds without LibreOffice: the sample's Word files replaced by PDFs.

A dossier build then takes about a second, so kills, races and every moment of a publish can be
tried over a dossier as they are over ``fill``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from ..conftest import SAMPLES

SAMPLE = SAMPLES / "activity-dossier" / "2026-03-12 送教下乡"
NAME = SAMPLE.name  # the folder a build writes: date theme


def office_free_activity(folder: Path, caption_prefix: str = "") -> Path:
    """A copy of the sample activity in ``folder`` whose sections are PDFs and scans only;
    ``caption_prefix`` renames every photo of the photo package (another run's output)."""
    shutil.copytree(SAMPLE, folder)
    page = folder / "过程性资料" / "听评表.pdf"
    for document in sorted(folder.rglob("*.docx")):
        shutil.copyfile(page, document.with_suffix(".pdf"))
        document.unlink()
    path = folder / "dossier.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8").replace(".docx", ".pdf"))
    data["captions"] = {name: f"{caption_prefix}{caption}"
                        for name, caption in data["captions"].items()}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder
