"""Every document the adversarial suite produced, opened by LibreOffice at the end of the run.

The collector (:mod:`.collect`) gathered copies of them. LibreOffice imports each one with its
Word or Excel filter and exports it as text (Word → .txt, Excel → .csv of the first sheet), in
two runs side by side, one per core. A document LibreOffice refuses fails with the test that made
it named; so does one it could only read as something else (the text it exports must hold the
document's own text). Text rather than PDF: importing is where a damaged file is refused, and
laying out hundreds of pages, some with 10,000-character cells, would take minutes (PDF output
is tested by the engine, subsidy and dossier suites).
"""

from __future__ import annotations

import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree

from planforge.convert import ConversionError, convert

from .collect import STATE
from .documents import W

FORMATS = {".docx": "txt:Text (encoded):UTF8", ".xlsx": "csv:Text - txt - csv (StarCalc):44,34,76"}


def _plain(text: str) -> str:
    """Letters and digits only: LibreOffice may export spaces, marks and symbols its own way."""
    return "".join(c for c in text if unicodedata.category(c) in ("Lo", "Lu", "Ll", "Nd"))


def _sample(path: Path) -> str:
    """A piece of the document's own text that LibreOffice's export must contain."""
    if path.suffix == ".xlsx":
        import openpyxl

        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        cells = (c for row in sheet.iter_rows(values_only=True) for c in row)
        return next((_plain(c)[:12] for c in cells  # formulas are exported as their values
                     if isinstance(c, str) and not c.startswith("=") and _plain(c)), "")
    with zipfile.ZipFile(path) as archive:  # the body: a text export leaves headers out
        root = etree.fromstring(archive.read("word/document.xml"))
    texts = [t.text or "" for t in root.iter(f"{W}t")]
    return _plain("".join(texts))[:12]


def test_every_document_opens_in_libreoffice(soffice, tmp_path):
    documents = list(STATE.documents)
    if not documents:
        pytest.skip("no documents were collected: run the whole adversarial suite")
    origin = {str(copy): where for copy, where in documents}

    def run(suffix: str) -> list[str]:
        paths = [copy for copy, _ in documents if copy.suffix == suffix]
        if not paths:
            return []
        try:
            exported = convert(paths, FORMATS[suffix], tmp_path / suffix.lstrip("."))
        except ConversionError as error:
            return [f"{origin.get(p.where.file, p.where.file)}: {p.en}" for p in error.problems]
        problems = []
        for source, text_file in zip(paths, exported, strict=True):
            text = _plain(text_file.read_text(encoding="utf-8", errors="replace"))
            wanted = _sample(source)
            if wanted and wanted not in text:
                problems.append(f"{origin[str(source)]}: LibreOffice read {text[:60]!r}, "
                                f"not the document's text {wanted!r}")
        return problems

    with ThreadPoolExecutor(max_workers=2) as pool:
        problems = [p for found in pool.map(run, FORMATS) for p in found]
    STATE.converted = len(documents) - len(problems)
    assert not problems, problems
