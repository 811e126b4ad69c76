"""One Word file for every record (公示名单) is streamed, not built whole (issue 13 item 8)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from docx import Document

from planforge.engine import Engine
from planforge.plugins import load_plugins
from planforge.render import wordstream
from planforge.render.word import WordTemplate

from .collect import keep

NOTICE = Path(__file__).resolve().parents[2] / "templates/forms/gd-subsidy/公示名单.docx"


@pytest.mark.parametrize("count", [wordstream.STREAM_CHUNK * 2 + 7])
def test_a_long_public_notice_never_holds_its_whole_body(tmp_path, monkeypatch, count):
    """The whole-document render (the 2.2 GB path for 50,000 people) is never taken."""
    def whole(*_args, **_kwargs):
        raise AssertionError("the whole body was rendered")

    monkeypatch.setattr(WordTemplate, "render_body", whole)
    people = [{"index": n, "name": f"人员{n} & <b>", "sex": "男", "township": "乳城镇",
               "id_number": f"44023219600101{n:04d}", "working_years": 30,
               "monthly_standard": 300, "public_remark": ""} for n in range(1, count + 1)]
    context = {"eligible": people, "settings": {"county": "乳源县", "year": 2020,
                                                "objection_contact": "县教育局"},
               "notice": {"start": dt.date(2020, 5, 6), "end": dt.date(2020, 5, 11)}}
    target = tmp_path / "公示名单.docx"
    wordstream.write_document(WordTemplate(NOTICE, Engine(load_plugins(None)).word_env), context, target)
    rows = Document(str(target)).tables[0].rows
    assert len(rows) == count + 1 and rows[-1].cells[1].text == f"人员{count} & <b>"
    keep(target, origin="streamed public notice")
