"""Every example in docs/plugins.md runs as written."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook

from planforge.engine import Engine
from planforge.plugins import load_plugins

from .conftest import ROOT

EXAMPLE = re.compile(r"<!-- example: (\S+) -->\n```python\n(.*?)```", re.S)


@pytest.fixture
def docs_plugins(tmp_path):
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    examples = EXAMPLE.findall(text)
    assert len(examples) == 5  # one per hook
    folder = tmp_path / "plugins"
    folder.mkdir()
    for name, code in examples:
        (folder / name).write_text(code, encoding="utf-8")
    return folder


def test_every_hook_example_loads(docs_plugins, run_cli):
    result = run_cli("--plugins-dir", docs_plugins, "plugins")
    for name in ("notes", "notes_package", "school_code", "semester_filter", "hello_command"):
        assert f"{name}  [{docs_plugins}]\n" in result.output, result.output


def test_document_type_and_package_examples_fill(docs_plugins, run_cli, tmp_path):
    data = tmp_path / "counts.csv"
    data.write_text("学校,人数\n实验小学,12\n孝义镇中心校,8\n", encoding="utf-8")
    result = run_cli("--plugins-dir", docs_plugins, "fill", "notes-package", data, "-o",
                     tmp_path / "out")
    assert result.exit_code == 0, result.output
    sheet = load_workbook(tmp_path / "out" / "附件3 参训人数统计表.xlsx").active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "孝义镇中心校" in values and 12 in values and "=SUM(C4:C5)" in values


def test_field_type_filter_and_command_examples(docs_plugins, run_cli):
    import datetime as dt

    from planforge.model import Field, FieldError

    registry = load_plugins(docs_plugins)
    parse = registry.field_types["school_code"].parse
    assert parse(" 1234567890 ", Field("c", "c")) == "1234567890"
    with pytest.raises(FieldError):
        parse("12AB", Field("c", "c"))
    assert registry.filters["semester"](dt.date(2026, 3, 12)) == "2025-2026学年第二学期"
    assert Engine(registry).text_env.from_string("{{ d|semester }}").render(
        d=dt.date(2026, 9, 1)) == "2026-2027学年第一学期"
    result = run_cli("--plugins-dir", docs_plugins, "deadline", "2027")
    assert result.exit_code == 0 and "2027年3月31日" in result.output


RUN = re.compile(r"<!-- run: (\S+) -->\n```sh\n(.*?)```", re.S)


def test_template_infer_walkthrough_runs_as_written(run_cli, tmp_path, monkeypatch):
    """docs/plugins.md's worked example: a blank annex to filled forms, command by command."""
    import shlex

    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    (commands,) = [body for name, body in RUN.findall(text) if name == "template-infer"]
    monkeypatch.chdir(tmp_path)
    for link in ("examples",):
        (tmp_path / link).symlink_to(ROOT / link)
    for line in commands.replace("\\\n", " ").strip().splitlines():
        words = shlex.split(line)
        assert words[0] == "planforge"
        result = run_cli(*words[1:])
        assert result.exit_code == 0, result.output
    sheet = load_workbook(next((tmp_path / "out").glob("附件3 *.xlsx"))).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "黄玉堂" in values and "=SUM(F6:F8)" in values
