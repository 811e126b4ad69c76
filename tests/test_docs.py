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
    assert len(examples) == 6  # one per hook
    folder = tmp_path / "plugins"
    folder.mkdir()
    for name, code in examples:
        (folder / name).write_text(code, encoding="utf-8")
    return folder


def test_every_hook_example_loads(docs_plugins, run_cli):
    result = run_cli("--plugins-dir", docs_plugins, "plugins")
    for name in ("notes", "notes_package", "markdown_list", "school_code", "semester_filter",
                 "hello_command"):
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


def test_renderer_example_writes_through_the_engine(docs_plugins, run_cli, tmp_path):
    """A third-party output kind: staged, published, listed in the manifest with its rows, and
    handed the data as it is (Markdown is not XML: ``&`` and ``<`` stay)."""
    import json

    data = tmp_path / "counts.csv"
    data.write_text("学校,人数\n实验小学,12\n孝义镇中心校 & <分校>,8\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("--plugins-dir", docs_plugins, "fill", "notes-list", data, "-o", out)
    assert result.exit_code == 0, result.output
    text = (out / "参训学校名单.md").read_text(encoding="utf-8")
    assert text == "# 参训学校名单\n\n1. 实验小学：12人\n2. 孝义镇中心校 & <分校>：8人\n"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = manifest["files"]
    assert entry["path"] == "参训学校名单.md" and entry["document_type"] == "notes-list"
    assert [row["row"] for row in entry["rows"]] == [2, 3]
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "参训学校名单.md"]
    bad = data.with_name("bad.csv")
    bad.write_text("学校,人数\n实验小学,十二个\n", encoding="utf-8")
    result = run_cli("--plugins-dir", docs_plugins, "fill", "notes-list", bad, "-o",
                     tmp_path / "refused")
    assert result.exit_code == 2 and "人数" in result.output
    assert not (tmp_path / "refused").exists()


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


def test_a_command_fills_through_the_engine_it_is_handed(docs_plugins, run_cli, tmp_path):
    """``school-list`` is ``fill notes-list`` by another name: the same staged, listed output."""
    import json

    data = tmp_path / "counts.csv"
    data.write_text("学校,人数\n实验小学,12\n", encoding="utf-8")
    result = run_cli("--plugins-dir", docs_plugins, "school-list", data, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["target"] == "notes-list"
    assert [f["path"] for f in manifest["files"]] == ["参训学校名单.md"]
    bad = data.with_name("bad.csv")
    bad.write_text("学校,人数\n实验小学,十二个\n", encoding="utf-8")
    refused = run_cli("--plugins-dir", docs_plugins, "school-list", bad, "-o", tmp_path / "no")
    assert refused.exit_code == 2 and not (tmp_path / "no").exists()


RUN = re.compile(r"<!-- run: (\S+) -->\n```sh\n(.*?)```", re.S)


@pytest.mark.slow
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

YAML_EXAMPLE = re.compile(r"<!-- example: (\S+)/plugin.yaml -->\n```yaml\n(.*?)```", re.S)


def test_checks_example_refuses_errors_and_warns(run_cli, tmp_path):
    from .engine.forms import excel_template

    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    ((name, description),) = YAML_EXAMPLE.findall(text)
    folder = tmp_path / "plugins" / name
    folder.mkdir(parents=True)
    (folder / "plugin.yaml").write_text(description, encoding="utf-8")
    excel_template(folder / "走访登记表.xlsx", ["学校", "结对学校"],
                   ["{{ row.school }}", "{{ row.partner }}"])
    good = [("实验小学", "孝义镇中心校", "张敏、李华"), ("实验小学", "石桥小学", "王芳")]
    bad = [*good, ("实验小学", "孝义镇中心校", "赵六"), ("石桥小学", "石桥小学", "钱七"),
           ("实验小学", "柳溪小学", "孙八")]
    many = [("实验小学", "孝义镇中心校", "甲、乙、丙、丁")]
    for rows, exit_code, expected in (
        (good, 0, []),
        (bad, 2, ["第4行/row 4, 列/column「结对学校」: 「实验小学—孝义镇中心校」与第2行重复",
                  "第5行/row 5, 列/column「结对学校」: 学校不能与自己结对",
                  "第2行/row 2, 列/column「学校」: 实验小学结对4所学校，至多2所"]),
        (many, 0, ["警告 / warning: ", "第2行/row 2, 列/column「参加教师」: 参加教师原则上不超过3人"]),
    ):
        data = tmp_path / f"{len(rows)}.csv"
        data.write_text("学校,结对学校,参加教师\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows),
                        encoding="utf-8")
        out = tmp_path / f"out{len(rows)}"
        result = run_cli("--plugins-dir", tmp_path / "plugins", "fill", "visit-log", data, "-o", out)
        assert result.exit_code == exit_code, result.output
        assert all(text in result.output for text in expected), result.output
        assert out.exists() == (exit_code == 0)


PREPARE_EXAMPLE = re.compile(r"<!-- prepare-example -->\n```python\n(.*?)```", re.S)


def test_prepare_example_reports_its_own_problems_with_the_datas(run_cli, tmp_path):
    """docs/plugins.md's prepare example: its problem names file, row and column, and comes
    together with a field problem of another row."""
    from .engine.forms import word_template

    (code,) = PREPARE_EXAMPLE.findall((ROOT / "docs" / "plugins.md").read_text(encoding="utf-8"))
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "capped.py").write_text(code, encoding="utf-8")
    word_template(folder / "capped.docx", ["{% for r in records %}{{ r.school }}{% endfor %}"])
    data = tmp_path / "counts.csv"
    data.write_text("学校,人数\n实验小学,12\n孝义镇中心校,40\n石桥小学,很多\n", encoding="utf-8")
    result = run_cli("--plugins-dir", folder, "fill", "capped-counts", data, "-o", tmp_path / "o")
    assert result.exit_code == 2
    assert "第3行/row 3, 列/column「人数」: 「孝义镇中心校」的人数不能超过 30" in result.output
    assert "第4行/row 4" in result.output and "很多" in result.output
    data.write_text("学校,人数\n实验小学,12\n", encoding="utf-8")
    result = run_cli("--plugins-dir", folder, "fill", "capped-counts", data, "-o", tmp_path / "o")
    assert result.exit_code == 0, result.output

def test_the_public_api_is_documented_name_by_name():
    import planforge

    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    section = text.split("## The public API", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    documented = {name for row in rows for name in re.findall(r"`([^`]+)`", row)}
    assert documented == set(planforge.__all__)
    assert all(hasattr(planforge, name) for name in planforge.__all__)
