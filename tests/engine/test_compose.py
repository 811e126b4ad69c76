"""Merging with docxcompose must not spoil documents python-docx saves afterwards."""

from __future__ import annotations

import zipfile

from docx import Document
from lxml import etree

from planforge.render.compose import CORE_PROPERTIES
from planforge.render.word import combine_docx

from .forms import word_template


def test_core_properties_stay_valid_after_composing(tmp_path):
    parts = [word_template(tmp_path / f"{n}.docx", [f"第{n}份"]) for n in (1, 2)]
    combine_docx(parts, tmp_path / "all.docx")
    later = Document()
    later.core_properties.last_modified_by = "planforge"  # elements python-docx must create
    later.core_properties.keywords = "附件"
    later.save(tmp_path / "later.docx")
    with zipfile.ZipFile(tmp_path / "later.docx") as archive:
        core = etree.fromstring(archive.read("docProps/core.xml"))
    names = {child.tag for child in core}
    assert f"{{{CORE_PROPERTIES}}}lastModifiedBy" in names
    assert f"{{{CORE_PROPERTIES}}}keywords" in names
    assert not any("custom-properties" in tag for tag in names)
    assert [p.text for p in Document(str(tmp_path / "all.docx")).paragraphs
            if p.text] == ["第1份", "第2份"]
