"""Outputs: safe names, atomic publication, clean re-runs, one writer at a time, zip."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planforge.output as output_module
from planforge.engine import Engine
from planforge.errors import Location
from planforge.output import (
    JOURNAL,
    MANIFEST,
    MAX_NAME_BYTES,
    OutputBusy,
    OutputWriter,
    _listed_paths,
    recover,
    sanitize_filename,
    sha256_of,
)
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
    # one copy: a single form then has no print file (一式三份 would print it three times)
    engine.fill(engine.prepare("people-form", [one], {"copies": "1"}), out)
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
    import planforge.render.excel as excel_module

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(excel_module, "render_xlsx", explode)
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



def test_a_zip_run_clears_what_killed_zip_runs_left_beside_the_archive(run_cli, people_plugin,
                                                                      people_xlsx, tmp_path):
    import fcntl
    import os

    def left_behind(name: str, age: float) -> Path:
        folder = tmp_path / f".planforge-zip-{name}"
        (folder / ".planforge-staging-x" / "附件1").mkdir(parents=True)
        (folder / ".planforge-staging-x" / "附件1" / "half.docx").write_bytes(b"PK\x03")
        os.utime(folder, (folder.stat().st_atime - age, folder.stat().st_mtime - age))
        return folder

    killed, running, just_made = (left_behind("killed", 3600), left_behind("running", 3600),
                                  left_behind("new", 0))
    with (running / ".planforge.lock").open("a+") as lock:  # a run still writing in it
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run_cli("--plugins-dir", people_plugin, "fill", "people-package", people_xlsx,
                         "-o", tmp_path / "材料", "--zip")
    assert result.exit_code == 0, result.output
    assert not killed.exists()
    assert running.exists() and just_made.exists()  # in use, or maybe not locked yet
    assert sorted(p.name for p in tmp_path.glob(".planforge-zip-*")) == sorted(
        [running.name, just_made.name])

# --------------------------------------------------------------------------- manifest and journal

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=12,
)
tricky_keys = st.sampled_from(["files", "path", "rows", "x", "名"]) | st.text()


def _staged(writer: OutputWriter, files: dict[str, list[Location]]) -> None:
    for number, (relative, rows) in enumerate(files.items()):
        writer.path(relative).write_bytes(b"x" * number)
        writer.add(relative, "form", rows)


def _as_one_dict(manifest, staging: Path) -> dict:
    """The manifest as planforge built it before it was streamed."""
    return {**manifest.about, "created": manifest.created, "files": [
        {"path": f.path, "sha256": sha256_of(staging / f.path),
         "bytes": (staging / f.path).stat().st_size, "document_type": f.document_type,
         "rows": [{k: v for k, v in dataclasses.asdict(r).items() if v not in (None, "")}
                  for r in f.locations]} for f in manifest.files]}


@pytest.mark.parametrize("files", [{}, {
    "附件1 登记表/1 张三.docx": [Location("名册.xlsx", "名册", 2)],
    "附件1 登记表/附件1（合订打印）.docx": [Location("名册.xlsx", "名册", 2, "姓名"),
                                         Location("b.xlsx", None, 3, "")],
    "公示 \"名单\".xlsx": [],
}])
def test_the_streamed_manifest_is_the_text_json_dumps_gives(tmp_path, files):
    about = {"planforge": "1.0", "settings": {"year": 2024, "date": dt.date(2024, 5, 1),
                                              "empty": {}, "list": [], "amount": Decimal("1.50")},
             "inputs": [{"file": "名册.xlsx", "sha256": "0" * 64}], "cleaned_characters": 0}
    with OutputWriter(tmp_path / "out") as writer:
        _staged(writer, files)
        manifest = writer.manifest(**about)
        stream = io.StringIO()
        manifest.write(stream)
        expected = json.dumps(_as_one_dict(manifest, writer.staging), ensure_ascii=False,
                              indent=2, default=str)
        assert stream.getvalue() == expected
        writer.publish(manifest)
    assert (tmp_path / "out" / MANIFEST).read_text(encoding="utf-8") == expected


@settings(max_examples=60, deadline=None)
@given(about=st.dictionaries(tricky_keys, json_values, max_size=4),
       rows=st.lists(st.builds(Location, st.text(max_size=5), st.none() | st.text(max_size=5),
                               st.none() | st.integers(0, 10**6),
                               st.none() | st.text(max_size=3)), max_size=3))
def test_any_manifest_streams_as_json_dumps_and_scans_back_to_its_entries(tmp_path_factory,
                                                                          about, rows):
    """Whatever a plugin passes as ``about`` (even keys named files or path), the streamed text
    is json.dumps's and the line scan finds exactly the paths json.loads would."""
    out = tmp_path_factory.mktemp("out")
    with OutputWriter(out) as writer:
        _staged(writer, {"a/1.docx": rows, "b.xlsx": [], "a/c/2.docx": rows[:1]})
        manifest = writer.manifest(**about)
        stream = io.StringIO()
        manifest.write(stream)
        text = stream.getvalue()
        assert text == json.dumps(_as_one_dict(manifest, writer.staging), ensure_ascii=False,
                                  indent=2, default=str)
    assert _listed_paths(io.StringIO(text)) == {"a/1.docx", "b.xlsx", "a/c/2.docx"}


def test_a_manifest_in_another_layout_is_still_read(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    listed = {"files": [{"path": "旧/1.docx"}, {"path": "old.xlsx", "rows": []}]}
    (out / MANIFEST).write_text(json.dumps(listed), encoding="utf-8")  # one line, no indent
    (out / "旧").mkdir()
    (out / "旧" / "1.docx").write_bytes(b"old")
    (out / "old.xlsx").write_bytes(b"old")
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    with OutputWriter(out) as writer:
        _staged(writer, {"new.xlsx": []})
        writer.publish(writer.manifest())
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "new.xlsx", "notes.txt"]


def test_the_journal_no_longer_holds_the_manifest(tmp_path, monkeypatch):
    journals = []
    real = output_module._roll_forward

    def spy(folder, staging):
        journals.append(json.loads((staging / JOURNAL).read_text(encoding="utf-8")))
        assert (staging / ".manifest.json").is_file()  # staged before the commit
        real(folder, staging)

    monkeypatch.setattr(output_module, "_roll_forward", spy)
    with OutputWriter(tmp_path / "out") as writer:
        _staged(writer, {"a/1.docx": [Location("x.xlsx", "s", 2)]})
        writer.publish(writer.manifest())
    assert journals == [{"entries": ["a"], "merge": [], "remove": [], "remove_files": []}]


class Killed(BaseException):
    """The process dying between two steps of a publish."""


def test_a_publish_killed_after_its_manifest_moved_in_is_left_complete(tmp_path, monkeypatch):
    """Rolling forward again must not remove the manifest the first roll-forward moved in."""
    out = tmp_path / "out"

    def dying(*args, **kwargs):
        raise Killed()

    monkeypatch.setattr(output_module.shutil, "rmtree", dying)  # the last step: the trash
    monkeypatch.setattr(OutputWriter, "close", lambda self: self._release())
    with pytest.raises(Killed), OutputWriter(out) as writer:
        _staged(writer, {"a/1.docx": [Location("x.xlsx", "s", 2)], "b.xlsx": []})
        writer.publish(writer.manifest(planforge="test"))
    monkeypatch.undo()
    published = (out / MANIFEST).read_text(encoding="utf-8")
    assert recover(out)
    assert (out / MANIFEST).read_text(encoding="utf-8") == published
    assert json.loads(published)["files"][0]["rows"] == [{"file": "x.xlsx", "sheet": "s",
                                                          "row": 2}]
    assert not list(out.glob(".planforge-staging-*"))


@pytest.mark.parametrize("staged", [False, True])
def test_a_journal_written_by_an_older_planforge_is_rolled_forward(tmp_path, staged):
    """Older journals carried the manifest text; the staged copy was written only at the end."""
    out = tmp_path / "out"
    stage = out / ".planforge-staging-old"
    (stage / "a").mkdir(parents=True)
    (stage / "a" / "1.docx").write_bytes(b"new")
    (out / "gone.xlsx").parent.mkdir(exist_ok=True)
    (out / "gone.xlsx").write_bytes(b"old")
    (out / MANIFEST).write_text('{"files": [{"path": "gone.xlsx"}]}', encoding="utf-8")
    text = json.dumps({"files": [{"path": "a/1.docx"}]}, indent=2)
    if staged:  # killed after writing it, before moving it in
        (stage / ".manifest.json").write_text(text, encoding="utf-8")
    (stage / JOURNAL).write_text(json.dumps({"entries": ["a"], "remove": ["gone.xlsx"],
                                             "manifest": text}), encoding="utf-8")
    assert recover(out)
    assert sorted(p.name for p in out.iterdir()) == ["a", MANIFEST]
    assert (out / MANIFEST).read_text(encoding="utf-8") == text
    assert (out / "a" / "1.docx").read_bytes() == b"new"


def test_zip_manifest_is_streamed_into_the_archive(tmp_path):
    archive = tmp_path / "材料.zip"
    with OutputWriter(tmp_path / "out") as writer:
        _staged(writer, {"a/1.docx": [Location("x.xlsx", "s", 2)], "b.xlsx": []})
        manifest = writer.manifest(planforge="test")
        expected = json.dumps(_as_one_dict(manifest, writer.staging), ensure_ascii=False,
                              indent=2, default=str)
        writer.publish_zip(manifest, archive)
    with zipfile.ZipFile(archive) as bundle:
        assert bundle.testzip() is None
        assert bundle.read(MANIFEST).decode("utf-8") == expected
        assert bundle.getinfo(MANIFEST).compress_type == zipfile.ZIP_DEFLATED
