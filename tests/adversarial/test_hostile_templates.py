"""Hostile templates, plugin descriptions, dossiers and binders: refused (exit 2), nothing written."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from planforge.cli import cli

from ..engine.forms import excel_template, word_template
from .collect import case, keep
from .documents import check_published

ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ name.__class__ }}",
    "{{ name|attr('__class__') }}",
    "{{ '{0.__class__}'.format(name) }}",
    "{{ '{0.__class__.__init__.__globals__}'.format(settings) }}",
    "{{ '%s'|format(name.__class__) }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ lipsum.__globals__ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ dict.mro() }}",
    "{{ range.__self__ }}",
    "{{ records.append(1) }}{{ records }}",
    "{{ settings.update(unit='x') }}",
    "{{ range(10**9)|list|length }}",
    "{{ 'x' * 10**10 }}",
    "{{ [0] * 10**9 }}",
    "{{ 1 / 0 }}",
    "{% include '/etc/passwd' %}",
    "{% import '/etc/passwd' as p %}{{ p }}",
    "{% extends '../form.docx' %}",
    "{% from 'x' import y %}{{ y }}",
    "{{ config }}",
    "{{ name.__globals__ }}",
    "{% set x = name.__class__ %}{{ x }}",
]
PLACES = ["word", "excel", "file_name", "title"]

FIELDS = [{"name": "name", "label": "姓名", "required": True}, {"name": "remark", "label": "备注"}]


def hostile_plugin(folder: Path, place: str, source: str) -> Path:
    """A declarative plugin whose Word body, Excel cell, file name or title is ``source``."""
    plugin = folder / "hostile"
    plugin.mkdir(parents=True, exist_ok=True)
    word_template(plugin / "form.docx", ["姓名：{{ name }}", source if place == "word" else ""])
    excel_template(plugin / "table.xlsx", ["序号", "姓名", "备注"],
                   ["{{ index }}", "{{ row.name }}", source if place == "excel" else ""])
    word_per_record = place in ("word", "file_name", "title")
    description = {"name": "hostile", "document_types": [{
        "name": "hostile",
        "title": source if place == "title" else "登记表",
        "renderer": "word-per-record" if word_per_record else "excel-table",
        "template": "form.docx" if word_per_record else "table.xlsx",
        "file_name": source if place == "file_name" else "{{ index }} {{ name }}",
        "fields": FIELDS,
    }]}
    (plugin / "plugin.yaml").write_text(yaml.safe_dump(description, allow_unicode=True),
                                        encoding="utf-8")
    return folder


def data_file(folder: Path) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["姓名", "备注"])
    workbook.active.append(["张三", "甲"])
    workbook.active.append(["李四", "乙"])
    path = folder / "data.xlsx"
    workbook.save(path)
    return path


def run(*args) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.slow
@pytest.mark.parametrize("place", PLACES)
def test_sandbox_escapes_are_refused_wherever_jinja_runs(tmp_path, place):
    data = data_file(tmp_path)
    failures = []
    for number, source in enumerate(ESCAPES):
        case()
        plugins = hostile_plugin(tmp_path / f"p{number}", place, source)
        out = tmp_path / f"out{number}"
        result = run("--plugins-dir", plugins, "fill", "hostile", data, "-o", out, "--jobs", "1")
        written = [p for p in out.rglob("*") if not p.name.startswith(".")] if out.exists() else []
        if result.exit_code != 2 or written or "template" not in result.output:
            failures.append((source, result.exit_code, result.output[-300:], written))
        elif "Traceback" in result.output or "internal error" in result.output:
            failures.append((source, "bug", result.output[-300:]))
    assert not failures, failures


def test_data_that_looks_like_jinja_is_printed_not_run(tmp_path):
    plugins = hostile_plugin(tmp_path / "p", "word", "备注：{{ remark }}")
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["姓名", "备注"])
    workbook.active.append(["{{ 7*7 }}", "{% for x in range(3) %}x{% endfor %}{{ name.__class__ }}"])
    workbook.save(tmp_path / "data.xlsx")
    result = run("--plugins-dir", plugins, "fill", "hostile", tmp_path / "data.xlsx", "-o",
                 tmp_path / "out")
    assert result.exit_code == 0, result.output
    text = "".join(check_published(tmp_path / "out").values())
    assert "{{ 7*7 }}" in text and "{{ name.__class__ }}" in text and "49" not in text
    keep(tmp_path / "out", origin="jinja-looking data")


def _bomb(path: Path, size: int) -> None:
    """A valid .docx whose document.xml inflates to ``size`` bytes of white space."""
    source = word_template(path.with_suffix(".src.docx"), ["{{ name }}"])
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w",
                                                               zipfile.ZIP_DEFLATED) as bomb:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "word/document.xml":
                with bomb.open(info.filename, "w", force_zip64=True) as stream:
                    text = data.decode("utf-8")
                    head, tail = text.split("<w:body>")
                    stream.write((head + "<w:body>").encode())
                    chunk = b" " * (1 << 20)
                    for _ in range(size >> 20):
                        stream.write(chunk)
                    stream.write(tail.encode())
            else:
                bomb.writestr(info, data)


def _external(path: Path, kind: str, target: str) -> None:
    """A .docx with one relationship of ``kind`` pointing to an external ``target``."""
    source = word_template(path.with_suffix(".src.docx"), ["{{ name }}"])
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as out:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "word/_rels/document.xml.rels":
                relation = (f'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/'
                            f'officeDocument/2006/relationships/{kind}" Target="{target}" '
                            'TargetMode="External"/>')
                data = data.replace(b"</Relationships>", relation.encode() + b"</Relationships>")
            out.writestr(info, data)


def declarative(folder: Path, template: str, renderer: str = "word-per-record") -> Path:
    plugin = folder / "hostile"
    plugin.mkdir(parents=True, exist_ok=True)
    (plugin / "plugin.yaml").write_text(yaml.safe_dump({"name": "hostile", "document_types": [
        {"name": "hostile", "title": "表", "renderer": renderer, "template": template,
         "fields": FIELDS}]}, allow_unicode=True), encoding="utf-8")
    return plugin


@pytest.mark.parametrize(("kind", "target", "allowed"), [
    ("image", "http://example.invalid/track.png", False),
    ("attachedTemplate", "file://///server/share/evil.dotm", False),
    ("oleObject", "file:///C:/Windows/system32/calc.exe", False),
    ("subDocument", "../../secret.docx", False),
    ("hyperlink", "https://example.invalid/", True),
])
def test_templates_linking_outside_themselves_are_refused(tmp_path, kind, target, allowed):
    plugin = declarative(tmp_path / "plugins", "form.docx")
    _external(plugin / "form.docx", kind, target)
    out = tmp_path / "out"
    result = run("--plugins-dir", tmp_path / "plugins", "fill", "hostile", data_file(tmp_path),
                 "-o", out)
    if allowed:
        assert result.exit_code == 0, result.output
        keep(out, origin="template with a hyperlink")
        return
    assert result.exit_code == 2, result.output
    assert "external" in result.output and target in result.output
    assert not out.exists() or not [p for p in out.iterdir() if not p.name.startswith(".")]


@pytest.mark.slow
def test_a_zip_bomb_template_is_refused_before_inflating(tmp_path):
    plugin = declarative(tmp_path / "plugins", "form.docx")
    _bomb(plugin / "form.docx", 300 << 20)
    assert (plugin / "form.docx").stat().st_size < 2 << 20
    result = run("--plugins-dir", tmp_path / "plugins", "fill", "hostile", data_file(tmp_path),
                 "-o", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "zip bomb" in result.output and not (tmp_path / "out" / "manifest.json").exists()


def test_a_damaged_excel_template_is_refused(tmp_path):
    plugin = declarative(tmp_path / "plugins", "table.xlsx", "excel-table")
    (plugin / "table.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    result = run("--plugins-dir", tmp_path / "plugins", "fill", "hostile", data_file(tmp_path),
                 "-o", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "table.xlsx" in result.output


@pytest.mark.parametrize("template", ["../outside.docx", "/etc/passwd", "link.docx"])
def test_plugin_templates_outside_the_plugin_folder_are_refused(tmp_path, template):
    word_template(tmp_path / "outside.docx", ["{{ name }}"])
    plugin = declarative(tmp_path / "plugins", template)
    os.symlink(tmp_path / "outside.docx", plugin / "link.docx")
    listing = run("--plugins-dir", tmp_path / "plugins", "plugins")
    assert "✗" in listing.output and "outside the plugin folder" in listing.output
    result = run("--plugins-dir", tmp_path / "plugins", "fill", "hostile", data_file(tmp_path),
                 "-o", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "outside the plugin folder" in result.output  # the reason, not just "unknown type"
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- dossiers, binders

SAMPLE_DOSSIER = Path(__file__).resolve().parents[2] / "samples" / "activity-dossier"


@pytest.fixture
def dossier(tmp_path) -> Path:
    source = next(SAMPLE_DOSSIER.iterdir())
    folder = tmp_path / "dossier"
    shutil.copytree(source, folder)
    (tmp_path / "secret.pdf").write_bytes(b"%PDF-1.4 secret")
    (tmp_path / "secret.jpg").write_bytes((folder / "照片").iterdir().__next__().read_bytes())
    return folder


def _edit(folder: Path, change) -> None:
    path = folder / "dossier.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def _first_section(data: dict) -> tuple[dict, str]:
    sections = data.get("sections") or data.get("资料")
    key = next(k for k in sections if k not in ("photos", "照片"))
    return sections, key


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink-file", "symlink-in-folder",
                                 "courseware-link"])
def test_dossier_paths_leaving_the_folder_are_refused(dossier, tmp_path, how):
    secret = tmp_path / "secret.pdf"
    if how == "dotdot":
        _edit(dossier, lambda d: _first_section(d)[0].__setitem__(_first_section(d)[1],
                                                                  "../secret.pdf"))
    elif how == "absolute":
        _edit(dossier, lambda d: _first_section(d)[0].__setitem__(_first_section(d)[1],
                                                                  str(secret)))
    elif how == "symlink-file":
        os.symlink(secret, dossier / "plan-link.pdf")
        _edit(dossier, lambda d: _first_section(d)[0].__setitem__(_first_section(d)[1],
                                                                  "plan-link.pdf"))
    elif how == "symlink-in-folder":
        photos = next(p for p in dossier.iterdir() if p.name == "照片")
        os.symlink(tmp_path / "secret.jpg", photos / "99 外部.jpg")
    else:
        courseware = dossier / "课件链接"
        courseware.mkdir()
        os.symlink(secret, courseware / "secret.pdf")
        _edit(dossier, lambda d: d.__setitem__("courseware", ["课件链接"]))
    out = tmp_path / "out"
    for command in (["dossier", "check", dossier, "--no-convert"],
                    ["dossier", "build", dossier, "-o", out]):
        result = run(*command)
        assert result.exit_code == 2, result.output
        assert "outside the folder" in result.output, result.output
    assert not out.exists() or not list(out.iterdir())


@pytest.mark.parametrize("name", ["../secret.pdf", "/etc/hostname", "link.pdf"])
def test_binder_paths_leaving_the_folder_are_refused(tmp_path, name):
    folder = tmp_path / "binder"
    folder.mkdir()
    (tmp_path / "secret.pdf").write_bytes(b"%PDF-1.4")
    os.symlink(tmp_path / "secret.pdf", folder / "link.pdf")
    (folder / "binder.yaml").write_text(yaml.safe_dump(
        {"title": "装订", "sections": [{"title": "一", "files": [name]}]}, allow_unicode=True),
        encoding="utf-8")
    result = run("binder", folder / "binder.yaml", "-o", tmp_path / "out.pdf")
    assert result.exit_code == 2, result.output
    assert "outside the folder" in result.output and not (tmp_path / "out.pdf").exists()
