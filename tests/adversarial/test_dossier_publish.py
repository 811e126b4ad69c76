"""A dossier is published as ``fill`` publishes: every moment of its publish, SIGKILL, two runs at
once, the clerk's files in the dossier folder, a file planforge did not write in the way, --zip.

The runs bind an activity folder of PDFs and scans (:mod:`.activity`): no LibreOffice, so each
build takes seconds, not the minute a Word-filled activity takes.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from planforge.engine import Engine
from planforge.output import JOURNAL, recover

from .activity import NAME, SAMPLE, office_free_activity
from .collect import case
from .documents import check_published
from .targets import invoke, registry
from .test_interrupted import Killed, die_at_move, moves_of
from .test_output_folder import read_only, tree

CLI = [sys.executable, "-c", "from planforge.cli import main; main()"]
TARGET = "activity-dossier"

#: What a clerk put into the dossier folder after a build: a note in the photo package every build
#: rewrites, a scan beside the booklet. No build may touch them.
CLERKS_FILES = {"照片包/说明.txt": "第3张请换成合影".encode(), "签到表扫描.pdf": b"%PDF-1.4 signed"}


def add_clerks_files(folder: Path) -> frozenset[str]:
    for relative, content in CLERKS_FILES.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(content)
    return frozenset(CLERKS_FILES)


def digests(folder: Path, kept: frozenset[str] = frozenset(),
            booklets: bool = True) -> dict[str, str]:
    """The published files by path and content, once the manifest is checked against them;
    without ``booklets`` the booklets (which carry the time they were bound) only by path."""
    check_published(folder, thorough=False, kept=kept)
    return {p: "booklet" if not booklets and p.startswith(NAME)
            else hashlib.sha256((folder / p).read_bytes()).hexdigest() for p in _listed(folder)}


def _listed(folder: Path) -> list[str]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [f["path"] for f in manifest["files"]]


def committed(folder: Path) -> bool:
    return any((stage / JOURNAL).is_file() for stage in folder.glob(".planforge-staging-*"))


def visible(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(folder).parts)}


def assert_consistent(folder: Path, kept: frozenset[str]) -> None:
    """Whatever moment a build died at: the clerk's files are there byte for byte; a manifest
    present lists exactly what lies beside it; none only while a committed publish waits."""
    assert {p: (folder / p).read_bytes() for p in kept} == {p: CLERKS_FILES[p] for p in kept}
    if (folder / "manifest.json").exists():
        check_published(folder, thorough=False, kept=kept)
    else:
        assert committed(folder) or not visible(folder) - kept, sorted(visible(folder))[:5]


@pytest.fixture(scope="module")
def activities(tmp_path_factory) -> tuple[Path, Path]:
    """The same activity twice, its photo captions changed: each build's photo package differs."""
    root = tmp_path_factory.mktemp("activities")
    return (office_free_activity(root / "old" / NAME, "旧："),
            office_free_activity(root / "new" / NAME, "新："))


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(registry())  # the plugins ``invoke`` runs with


@pytest.fixture(scope="module")
def bound(engine) -> tuple[object, object, dict]:
    """The module binding booklets, its real ``build_booklet``, and the booklets it bound."""
    module = sys.modules[engine.registry.renderers[TARGET].render.__module__]
    return module, module.build_booklet, {}


def _bind_once(monkeypatch, bound) -> None:
    """Every build copies the booklet first bound for its activity (real ones, bytes identical
    from run to run), so each moment of a publish is tried without binding again."""
    module, real, booklets = bound

    def copying(binder, pdf_out, docx_out):
        key = repr(binder)
        if key not in booklets:
            result = real(binder, pdf_out=pdf_out, docx_out=docx_out)
            booklets[key] = (result, pdf_out.read_bytes(), docx_out.read_bytes())
        result, pdf, docx = booklets[key]
        pdf_out.write_bytes(pdf)
        docx_out.write_bytes(docx)
        return result

    monkeypatch.setattr(module, "build_booklet", copying)


@pytest.fixture(scope="module")
def built(engine, activities, bound, tmp_path_factory) -> tuple[Path, Path]:
    """Each activity built once into its own folder: the references."""
    root = tmp_path_factory.mktemp("built")
    with pytest.MonkeyPatch.context() as monkeypatch:
        _bind_once(monkeypatch, bound)
        for name, activity in zip(("old", "new"), activities, strict=True):
            engine.fill(engine.prepare(TARGET, [activity], {}), root / name)
    return root / "old", root / "new"


@pytest.fixture
def booklets_bound_once(monkeypatch, bound, built) -> None:
    _bind_once(monkeypatch, bound)


def _moves(engine, activities, tmp_path) -> int:
    old, new = activities
    out = tmp_path / "count"
    engine.fill(engine.prepare(TARGET, [old], {}), out)
    add_clerks_files(out)
    return moves_of(lambda: engine.fill(engine.prepare(TARGET, [new], {}), out))


@pytest.mark.slow
@pytest.mark.parametrize("death", ["error", "kill"])
def test_a_dossier_publish_stopped_after_any_number_of_moves_rolls_forward(
        engine, activities, built, booklets_bound_once, tmp_path, death):
    """The photo package holds the clerk's note, so it is published photo by photo: each move
    is a moment to die at; the old build or the new one is there whole, and the note stays."""
    old, new = activities
    expected_old, expected_new = digests(built[0]), digests(built[1])
    moves = _moves(engine, activities, tmp_path)
    assert moves >= 2 + 10 + 4  # staged manifest, journal, each new photo, booklet, packages
    for stop in range(moves):
        case()
        out = tmp_path / f"out{stop}"
        shutil.copytree(built[0], out)
        kept = add_clerks_files(out)
        with pytest.MonkeyPatch.context() as patch, pytest.raises((OSError, Killed)):
            die_at_move(patch, stop, death)
            engine.fill(engine.prepare(TARGET, [new], {}), out)
        assert_consistent(out, kept)
        was_committed = committed(out)
        recover(out)
        assert_consistent(out, kept)
        assert digests(out, kept) == (expected_new if was_committed else expected_old), stop
        assert not list(out.glob(".planforge-staging-*"))


def _build(activity: Path, parent: Path) -> list[str]:
    return [*CLI, "dossier", "build", str(activity), "-o", str(parent)]


@pytest.mark.slow
def test_sigkill_during_a_dossier_build_leaves_the_previous_dossier_and_a_clean_rerun(
        activities, built, tmp_path):
    old, new = activities
    parent = tmp_path / "活动资料"
    shutil.copytree(built[0], parent / NAME)
    out = parent / NAME
    kept = add_clerks_files(out)
    expected_old, expected_new = (digests(built[0], booklets=False),
                                  digests(built[1], booklets=False))
    started = time.monotonic()
    reference = subprocess.run(_build(new, tmp_path / "reference"), capture_output=True,
                               text=True, timeout=600)
    duration = time.monotonic() - started
    assert reference.returncode == 0, reference.stderr
    chance = random.Random(11)
    for moment in sorted(chance.uniform(0.3, duration * 1.05) for _ in range(4)):
        case()
        process = subprocess.Popen(_build(new, parent), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(moment)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        assert_consistent(out, kept)
        if (out / "manifest.json").exists():
            assert digests(out, kept, booklets=False) in (expected_old, expected_new)
    final = subprocess.run(_build(new, parent), capture_output=True, text=True, timeout=600)
    assert final.returncode == 0, final.stderr
    assert not list(out.glob(".planforge-staging-*"))
    assert digests(out, kept, booklets=False) == expected_new
    assert {p: (out / p).read_bytes() for p in kept} == {p: CLERKS_FILES[p] for p in kept}


@pytest.mark.slow
def test_two_dossier_builds_into_one_folder_one_is_refused_and_nothing_mixes(
        activities, tmp_path):
    """The Word-filled sample binds for a long while (LibreOffice); a second build of the same
    activity name into the same place is refused, and the first one's dossier is whole."""
    slow = tmp_path / "slow" / NAME
    shutil.copytree(SAMPLE, slow)
    out = tmp_path / "out"
    first = subprocess.Popen(_build(slow, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    deadline = time.monotonic() + 120
    while not list((out / NAME).glob(".planforge-staging-*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert first.poll() is None, "the first build ended before the second could start"
    second = subprocess.run(_build(activities[1], out), capture_output=True, text=True,
                            timeout=600)
    _, first_err = first.communicate(timeout=600)
    assert first.returncode == 0, first_err
    assert second.returncode == 2, second.stderr
    assert "another planforge run is writing" in second.stderr
    check_published(out / NAME, thorough=False)
    assert not any(name.startswith(("01 新", "01 旧")) for name in
                   os.listdir(out / NAME / "照片包"))


# --------------------------------------------------------------------------- the manifest


@pytest.mark.slow
def test_a_rebuild_replaces_only_what_the_last_build_wrote(engine, activities, built,
                                                           booklets_bound_once, tmp_path):
    """Photos renamed by new captions replace the old ones; the clerk's note in the photo
    package and scan beside the booklet stay; the manifest lists exactly the new build."""
    out = tmp_path / NAME
    shutil.copytree(built[0], out)
    kept = add_clerks_files(out)
    engine.fill(engine.prepare(TARGET, [activities[1]], {}), out)
    assert digests(out, kept) == digests(built[1])
    photos = sorted(os.listdir(out / "照片包"))
    assert "说明.txt" in photos and all("旧" not in name for name in photos)
    assert len(photos) == 11


@pytest.mark.slow
def test_a_clerks_file_where_the_booklet_goes_is_refused_before_binding(activities, tmp_path):
    out = tmp_path / "out"
    (out / NAME).mkdir(parents=True)
    (out / NAME / f"{NAME}.docx").write_bytes(b"my own booklet")
    result = invoke("dossier", "build", activities[0], "-o", out)
    assert result.exit_code == 2, result.output
    assert f"{NAME}.docx" in result.output and "--force" in result.output
    assert sorted(os.listdir(out / NAME)) == [f"{NAME}.docx"]
    forced = invoke("dossier", "build", activities[0], "-o", out, "--force")
    assert forced.exit_code == 0, forced.output
    check_published(out / NAME, thorough=False)


def test_fill_and_dossier_build_publish_the_same_dossier(engine, activities,
                                                         booklets_bound_once, tmp_path):
    """``dossier build`` is ``fill activity-dossier`` into the ``date theme`` folder; ``--zip``
    holds the same files and manifest."""
    filled = tmp_path / "filled"
    assert invoke("fill", TARGET, activities[0], "-o", filled).exit_code == 0
    built = tmp_path / "built"
    result = invoke("dossier", "build", activities[0], "-o", built)
    assert result.exit_code == 0, result.output
    assert digests(filled) == digests(built / NAME)
    archive = invoke("dossier", "build", activities[0], "-o", tmp_path / "zipped", "--zip")
    assert archive.exit_code == 0, archive.output
    with zipfile.ZipFile(tmp_path / "zipped" / f"{NAME}.zip") as bundle:
        listed = json.loads(bundle.read("manifest.json"))
        assert sorted(bundle.namelist()) == sorted([*_listed(filled), "manifest.json"])
        assert {f["path"]: f["sha256"] for f in listed["files"]} == digests(filled)
    assert listed["target"] == TARGET and listed["inputs"][0]["file"].endswith("dossier.yaml")


@pytest.mark.slow
def test_fill_pdf_converts_no_dossier_file(activities, booklets_bound_once, tmp_path):
    """``--pdf`` makes the PDF of each form filled from a template; a dossier has none: its
    booklet has its PDF already and its courseware is handed in as the school gave it."""
    activity = tmp_path / NAME
    shutil.copytree(activities[0], activity)
    shutil.copyfile(SAMPLE / "01 活动实施方案.docx", activity / "课件" / "练习.docx")
    plain, printed = tmp_path / "plain", tmp_path / "printed"
    assert invoke("fill", TARGET, activity, "-o", plain).exit_code == 0
    result = invoke("fill", TARGET, activity, "-o", printed, "--pdf")
    assert result.exit_code == 0, result.output
    assert _listed(printed) == _listed(plain)
    assert len(set(_listed(printed))) == len(_listed(printed))
    assert "课件包/课件/练习.docx" in _listed(printed)
    assert not any(p.endswith("练习.pdf") for p in _listed(printed))


# --------------------------------------------------------------------------- the machine refuses


def test_a_full_disk_while_packaging_photos_exits_4_and_leaves_the_previous_dossier(
        activities, built, booklets_bound_once, tmp_path, monkeypatch):
    parent = tmp_path / "out"
    shutil.copytree(built[0], parent / NAME)
    add_clerks_files(parent / NAME)
    before = tree(parent)
    real = shutil.copyfile

    def full(source, target, *args, **kwargs):
        if "照片包" in str(target):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", full)
    result = invoke("dossier", "build", activities[1], "-o", parent)
    monkeypatch.setattr(shutil, "copyfile", real)
    assert result.exit_code == 4, result.output
    assert "No space left on device" in result.output and "Traceback" not in result.output
    assert tree(parent) == before  # no staging left either: tree() sees hidden entries


@pytest.mark.parametrize("existing", [False, True])
def test_a_read_only_disk_exits_4_and_changes_no_dossier(activities, built, booklets_bound_once,
                                                          tmp_path, monkeypatch, existing):
    parent = tmp_path / "ro"
    parent.mkdir()
    if existing:
        shutil.copytree(built[0], parent / NAME)
    before = tree(parent)
    with read_only(monkeypatch, parent):
        result = invoke("dossier", "build", activities[1], "-o", parent)
    assert result.exit_code == 4, result.output
    assert "Read-only file system" in result.output and tree(parent) == before
