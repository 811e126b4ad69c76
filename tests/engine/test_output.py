"""Outputs: safe names, atomic publication, clean re-runs, one writer at a time, zip."""

from __future__ import annotations

import json
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planforge.engine import Engine
from planforge.output import MAX_NAME_BYTES, OutputBusy, OutputWriter, sanitize_filename
from planforge.plugins import load_plugins

from .conftest import PEOPLE, write_people

WINDOWS_FORBIDDEN = set('<>:"/\\|?*')


@given(st.text(min_size=0, max_size=400))
def test_sanitized_names_are_safe_everywhere(name):
    safe = sanitize_filename(name, ".docx")
    stem = safe.removesuffix(".docx")
    assert stem and not (WINDOWS_FORBIDDEN & set(stem))
    assert ".." not in stem and not stem.endswith((" ", ".")) and "\x00" not in stem
    assert len(safe.encode("utf-8")) <= MAX_NAME_BYTES
    assert stem.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd", "_._etc_passwd"), ("CON", "_CON"), ("a/b\\c", "a_b_c"),
    ("张三 ", "张三"), ("", "_"), ("附件1 申请表", "附件1 申请表"),
])
def test_sanitize_examples(name, expected):
    assert sanitize_filename(name) == expected


@pytest.fixture
def engine(people_plugin):
    return Engine(load_plugins(people_plugin))


def test_rerun_replaces_outputs_and_drops_what_is_no_longer_produced(engine, tmp_path):
    out = tmp_path / "out"
    (out).mkdir()
    (out / "clerk's notes.txt").write_text("keep me", encoding="utf-8")
    both = write_people(tmp_path / "a.xlsx")
    engine.fill(engine.prepare("people-package", [both], {}), out)
    assert (out / "附件1 人员登记表" / "2 李四.docx").exists()
    one = write_people(tmp_path / "b.xlsx", rows=[PEOPLE[0]])
    engine.fill(engine.prepare("people-form", [one], {}), out)
    assert sorted(p.name for p in out.iterdir()) == ["clerk's notes.txt", "manifest.json",
                                                     "附件1 人员登记表"]
    assert sorted(p.name for p in (out / "附件1 人员登记表").iterdir()) == ["1 张三.docx"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in manifest["files"]] == ["附件1 人员登记表/1 张三.docx"]


def test_a_failed_render_leaves_the_previous_outputs_untouched(engine, tmp_path, monkeypatch):
    out = tmp_path / "out"
    data = write_people(tmp_path / "a.xlsx")
    engine.fill(engine.prepare("people-package", [data], {}), out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    import planforge.engine as engine_module

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine_module, "render_xlsx", explode)
    with pytest.raises(RuntimeError):
        engine.fill(engine.prepare("people-package", [data], {"unit": "别处"}), out)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_a_second_writer_is_refused_while_the_first_works(tmp_path):
    with OutputWriter(tmp_path / "out"), pytest.raises(OutputBusy, match="another planforge"):
        OutputWriter(tmp_path / "out")
    with OutputWriter(tmp_path / "out"):
        pass  # free again once the first has finished


def test_staging_left_by_a_killed_run_is_cleared(tmp_path, engine):
    out = tmp_path / "out"
    (out / ".planforge-staging-dead" / "half").mkdir(parents=True)
    engine.fill(engine.prepare("people-form", [write_people(tmp_path / "a.xlsx")], {}), out)
    assert not list(out.glob(".planforge-staging-*"))


def test_zip_holds_the_same_tree_and_manifest(run_cli, people_plugin, people_xlsx, tmp_path):
    result = run_cli("--plugins-dir", people_plugin, "fill", "people-package", people_xlsx, "-o",
                     tmp_path / "材料", "--zip")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".xlsx")) == [
        "plugins", "材料.zip"]
    with zipfile.ZipFile(tmp_path / "材料.zip") as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert "附件1 人员登记表/2 李四.docx" in names
    assert {f["path"] for f in manifest["files"]} == names - {"manifest.json"}
