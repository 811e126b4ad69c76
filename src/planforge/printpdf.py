"""``fill --pdf``: the print-ready PDF of every document, staged and listed like any output.

All documents of a run go to ONE LibreOffice run (planforge's font mapping applies), and each
PDF lands beside its document in the staging folder, so it is published, listed in the manifest
with the document's type and source rows, and replaced or removed with the rest on a re-run.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Collection
from pathlib import Path

from .default_plugins.convert import convert_to_pdf, find_soffice
from .output import OutputWriter

OFFICE_SUFFIXES = (".docx", ".xlsx")


def require_libreoffice() -> None:
    """Fail before anything is rendered when the PDFs cannot be made (exit 3)."""
    find_soffice()


def stage_pdfs(writer: OutputWriter, filled: Collection[str]) -> None:
    """Convert every office file staged from a template (of the document types ``filled``) once
    and add its PDF beside it. Files a kind copies or binds (a dossier's courseware, a booklet
    that has its PDF already) are left as they are."""
    staged = {f.path for f in writer.files}
    documents = [f for f in writer.files if Path(f.path).suffix.lower() in OFFICE_SUFFIXES
                 and f.document_type in filled
                 and Path(f.path).with_suffix(".pdf").as_posix() not in staged]
    if not documents:
        return
    with tempfile.TemporaryDirectory(prefix="planforge-pdf-") as tmp:
        made = convert_to_pdf([writer.staging / f.path for f in documents], Path(tmp))
        for entry, pdf in zip(documents, made, strict=True):
            relative = Path(entry.path).with_suffix(".pdf").as_posix()
            shutil.move(str(pdf), writer.path(relative))
            writer.add(relative, entry.document_type, entry.locations)
