"""Every document the adversarial suite produced, opened by LibreOffice at the end of the run.

The collector (:mod:`.collect`) gathered copies of them. LibreOffice imports each one with its
Word or Excel filter and exports it as text (Word → .txt, Excel → .csv of the first sheet), in
two runs side by side, one per core. A document LibreOffice refuses fails with the test that made
it named; so does one it could only read as something else (the text it exports must hold the
document's own text). Text rather than PDF: importing is where a damaged file is refused, and
laying out hundreds of pages, some with 10,000-character cells, would take minutes (PDF output
is tested by the engine, subsidy and dossier suites).

Run on its own (alone, by ``-k``, or on a pytest-xdist worker whose tests made no documents), it
makes its own: the tiny plugin's forms, print file and roster filled with hostile values.
"""

from __future__ import annotations

import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lxml import etree

from planforge.default_plugins.convert import ConversionError, convert

from .collect import STATE, keep
from .documents import W
from .plugin import person_id

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


#: Values that break documents when a writer gets escaping, encoding or size wrong.
HOSTILE = [
    ("张&<三>", "A&B <b>粗</b> \"引号\" 'single' ]]> &amp;"),
    ("李四😀", "emoji 🎓📚 and 𠀀 (outside the BMP), RTL \u202e 文字"),
    ("王五", "长" * 5000),
    ("赵六\x07", "control \x01\x0b\x1f characters\ttab\nnew line"),
    ("{{ 7*7 }}", "{% raw %}{{ x }}{% endraw %} =SUM(A1:A2)"),
]


def _own_documents(planforge, folder: Path) -> None:
    """Fill the tiny package with hostile rows and collect what it wrote."""
    import csv

    with (folder / "hostile.csv").open("w", encoding="utf-8", newline="") as data:
        writer = csv.writer(data)
        writer.writerow(["姓名", "身份证号码", "备注"])
        for number, (name, remark) in enumerate(HOSTILE, start=1):
            writer.writerow([name, person_id(number), remark])
    result = planforge("fill", "tiny-package", folder / "hostile.csv", "-o", folder / "out")
    assert result.exit_code == 0, result.output
    # forms of each row, their print file and the roster
    assert keep(folder / "out", origin="hostile rows (this test on its own)") == len(HOSTILE) + 2


def test_every_document_opens_in_libreoffice(soffice, planforge, tmp_path):
    if not STATE.documents:
        _own_documents(planforge, tmp_path)
    documents = list(STATE.documents)
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
