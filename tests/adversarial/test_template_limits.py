"""Templates that would exhaust memory or the processor, and templates whose parts leave the zip.

Each exhausting template is stopped (exit 2) with a message naming the template and the limit,
before it allocates what it asks for; nothing is written.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from planforge.render import jinja

from ..engine.forms import excel_template, word_template
from .collect import case, keep
from .test_hostile_templates import PLACES, data_file, declarative, hostile_plugin, run

EXHAUSTING = [
    "{{ '张三'|center(2000000000) }}",
    "{{ '%2000000000d'|format(1) }}",
    "{{ '%.2000000000f'|format(1.5) }}",
    "{{ '%2000000000d' % 1 }}",
    "{{ '%*d' % (2000000000, 1) }}",
    "{{ '%(a)2000000000s' % {'a': '张三'} }}",
    "{{ '{:2000000000}'.format('张三') }}",
    "{{ '{:{w}}'.format('张三', w=2000000000) }}",
    "{{ '{0:>2000000000}'.format_map({'0': 1}) }}",
    "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
    "{% for i in range(99999) %}{% for c in 'x' * 99999 %}{{ '' }}{% endfor %}{% endfor %}",
    "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}",
    "{{ ('x' * 1000000)|replace('x', 'y' * 1000) }}",
    "{{ ('x' * 1000000)|replace('', 'y' * 10) }}",
    "{{ range(99999)|join('x' * 1000) }}",
    "{{ (['x' * 1000000] * 1000)|join }}",
    "{{ ['x' * 1000000] * 1000 }}",
    "{{ '张三'|indent(2000000000, true) }}",
    "{{ ('x\\n' * 500000)|indent('y' * 1000) }}",
    "{{ ('x' * 1000000)|wordwrap(1, wrapstring='y' * 100) }}",
    "{% set ns = namespace(x='张三') %}{% for i in range(60) %}{% set ns.x = ns.x ~ ns.x %}"
    "{% endfor %}{{ ns.x|length }}",
    "{% set ns = namespace(x='张三') %}{% for i in range(60) %}{% set ns.x = ns.x + ns.x %}"
    "{% endfor %}{{ ns.x|length }}",
    "{% set ns = namespace(x=['张三']) %}{% for i in range(60) %}{% set ns.x = ns.x + ns.x %}"
    "{% endfor %}{{ ns.x|length }}",
    "{{ ('x' * 1000000)|mask_id(0, 0)|replace('x', 'xxxxxxxxxxxxxxx') }}",
    "{% set b = ['x' * 1000000] * 9 %}{{ [b] * 1000 }}",
    "{% set b = ['x' * 1000000] * 9 %}{% set c = [[[b]]] %}{{ [c] * 1000 }}",
    "{% set b = ['x' * 1000000] * 9 %}{{ [b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b] }}",
    "{% set b = ['x' * 1000000] * 9 %}{{ {'a': b, 'b': b, 'c': b, 'd': b, 'e': b, 'f': b} }}",
    "{% set b = ['x' * 1000000] * 9 %}{{ [b, b, b, b, b, b]|join }}",
    "{% set b = ['x' * 1000000] * 9 %}{{ [b, b, b, b, b, b]|pprint }}",
    "{% set b = ['x' * 1000000] * 9 %}{{ 'a' ~ [b, b, b, b, b, b] }}",
    "{% set b = ['x' * 1000000] * 9 %}{{ '%s' % ([b, b, b, b, b, b],) }}",
    "{% set b = ['x' * 1000000] * 9 %}{{ '%s'|format([b, b, b, b, b, b]) }}",
    "{% set b = ['x' * 1000000] * 9 %}{{ '{}'.format([b, b, b, b, b, b]) }}",
    "{% set ns = namespace(x='ab') %}{% for i in range(60) %}{% set y %}{{ ns.x }}{{ ns.x }}"
    "{% endset %}{% set ns.x = y %}{% endfor %}{{ ns.x|length }}",
    "{% set ns = namespace(x='ab') %}{% for i in range(60) %}{% set ns.x %}{{ ns.x }}{{ ns.x }}"
    "{% endset %}{% endfor %}{{ ns.x|length }}",
    "{% macro m(s) %}{{ s }}{{ s }}{% endmacro %}{% set ns = namespace(x='ab') %}"
    "{% for i in range(60) %}{% set ns.x = m(ns.x) %}{% endfor %}{{ ns.x|length }}",
    "{% for i in range(99999) %}{{ 'x' * 999999 }}{% endfor %}",
]


@pytest.mark.slow
@pytest.mark.parametrize("place", PLACES)
def test_exhausting_templates_are_stopped_wherever_jinja_runs(tmp_path, place):
    data = data_file(tmp_path)
    failures = []
    # File names and titles go through the same sandbox as cells: a sample of the list suffices.
    for number, source in enumerate(EXHAUSTING if place in ("word", "excel") else EXHAUSTING[::3]):
        case()
        plugins = hostile_plugin(tmp_path / f"p{number}", place, source)
        out = tmp_path / f"out{number}"
        result = run("--plugins-dir", plugins, "fill", "hostile", data, "-o", out, "--jobs", "1")
        written = [p for p in out.rglob("*") if not p.name.startswith(".")] if out.exists() else []
        if (result.exit_code != 2 or written or "resource limit" not in result.output
                or "Traceback" in result.output):
            failures.append((source, result.exit_code, result.output[-400:], written))
    assert not failures, failures


def test_the_paragraph_of_an_exhausting_word_template_is_named(tmp_path):
    plugin = tmp_path / "plugins" / "hostile"
    plugin.mkdir(parents=True)
    declarative(tmp_path / "plugins", "form.docx")
    word_template(plugin / "form.docx", ["姓名：{{ name }}", "备注：{{ remark }}",
                                         "第三段{{ name|center(2000000000) }}"])
    result = run("--plugins-dir", tmp_path / "plugins", "fill", "hostile", data_file(tmp_path),
                 "-o", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "form.docx" in result.output and "center" in result.output
    assert "第三段" in result.output and "paragraph 3" in result.output, result.output


@pytest.mark.parametrize("cell", ["{{ row.name|center(2000000000) }}",
                                  pytest.param("前缀{% for i in range(99999) %}{% for j in "
                                               "range(99999) %}{% endfor %}{% endfor %}",
                                               marks=pytest.mark.slow)])
def test_the_cell_of_an_exhausting_excel_template_is_named(tmp_path, cell):
    plugin = declarative(tmp_path / "plugins", "table.xlsx", "excel-table")
    excel_template(plugin / "table.xlsx", ["序号", "姓名", "备注"], ["{{ index }}", "{{ row.name }}",
                                                                     cell])
    result = run("--plugins-dir", tmp_path / "plugins", "fill", "hostile", data_file(tmp_path),
                 "-o", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "table.xlsx" in result.output and "resource limit" in result.output
    assert "单元格 C" in result.output and "cell C" in result.output, result.output


def test_a_slow_render_is_stopped_by_its_deadline(tmp_path, monkeypatch):
    """The wall-time limit, shown with a deadline already passed (no timing is measured)."""
    monkeypatch.setattr(jinja, "RENDER_SECONDS", -1.0)
    source = "{% for i in range(5000) %}{{ i }}{% endfor %}"
    result = run("--plugins-dir", hostile_plugin(tmp_path / "p", "word", source), "fill",
                 "hostile", data_file(tmp_path), "-o", tmp_path / "out", "--jobs", "1")
    assert result.exit_code == 2, result.output
    assert "form.docx" in result.output and "seconds" in result.output, result.output


ORDINARY = [
    ("{{ name|center(12) }}|{{ '%05.1f' % 3.14159 }}|{{ '%s-%s'|format(name, remark) }}",
     "张三", "003.1", "张三-甲"),
    ("{{ '{:>6}'.format(name) }}{{ [name, remark]|join('、') }}{{ name ~ remark }}",
     "张三、甲", "张三甲", ""),
    ("{% for c in name %}[{{ c }}{{ loop.index }}]{% endfor %}{{ (name + remark)|replace('张', 'Z') }}",
     "[张1][三2]", "Z三甲", ""),
    ("{{ range(3)|join(',') }} {{ 'a\\nb'|indent(2) }} {{ name|wordwrap(1, true, '/') }}",
     "0,1,2", "张/三", ""),
]


@pytest.mark.parametrize(("source", "one", "two", "three"), ORDINARY)
def test_ordinary_uses_of_the_bounded_operations_still_work(tmp_path, source, one, two, three):
    plugins = hostile_plugin(tmp_path / "p", "word", source)
    out = tmp_path / "out"
    result = run("--plugins-dir", plugins, "fill", "hostile", data_file(tmp_path), "-o", out)
    assert result.exit_code == 0, result.output
    from .documents import check_published, squeeze

    text = squeeze("".join(check_published(out).values()))
    assert all(squeeze(part) in text for part in (one, two, three)), text
    keep(out, origin="bounded template operations")


ZIP_SLIP = ["../../evil.txt", "/abs/evil.txt", "..\\..\\evil.txt", "C:/evil.txt", "c:evil.txt",
            "word/../../evil.txt", "\\evil.txt"]


def _with_member(path: Path, name: str) -> None:
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(zipfile.ZipInfo(name), b"planted")


@pytest.mark.slow
@pytest.mark.parametrize("name", ZIP_SLIP)
@pytest.mark.parametrize("kind", ["form.docx", "table.xlsx"])
def test_templates_with_member_names_leaving_the_zip_are_refused(tmp_path, name, kind):
    renderer = "word-per-record" if kind.endswith(".docx") else "excel-table"
    plugin = declarative(tmp_path / "plugins", kind, renderer)
    if kind.endswith(".docx"):
        word_template(plugin / kind, ["{{ name }}"])
    else:
        excel_template(plugin / kind, ["姓名"], ["{{ row.name }}"])
    _with_member(plugin / kind, name)
    out = tmp_path / "out"
    result = run("--plugins-dir", tmp_path / "plugins", "fill", "hostile", data_file(tmp_path),
                 "-o", out)
    assert result.exit_code == 2, result.output
    assert kind in result.output and name in result.output, result.output
    assert "outside the package" in result.output
    assert not out.exists() or not [p for p in out.iterdir() if not p.name.startswith(".")]
