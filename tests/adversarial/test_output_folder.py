"""The output folder: what a re-run may touch, where an output may go, a machine that refuses.

A re-run replaces or removes only files the previous manifest lists; every other file (a scan
the clerk put into an annex folder, their own 公示名单.docx) is kept, or the run stops before it
renders anything. An output that cannot be a folder, a read-only file system and a full disk
are the user's or the machine's trouble, never an internal error, and the previous output stays
as it was. No output may be written inside a folder planforge reads with everything in it.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

import planforge.output as output_module
import planforge.render.batch as batch_module
import planforge.render.excel as excel_module
from planforge.errors import EXIT_ENVIRONMENT

from .collect import case, keep
from .documents import check_published
from .targets import SAMPLES, invoke
from .test_interrupted import CLI, roster

FORMS = "附件1 登记表"
ROSTER = "附件2 名册.xlsx"


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes), folder and link (None) below ``folder``, hidden ones included."""
    found: dict[str, bytes | None] = {}
    for path in sorted(Path(folder).rglob("*")) if Path(folder).is_dir() else []:
        relative = path.relative_to(folder).as_posix()
        found[relative] = path.read_bytes() if path.is_file() and not path.is_symlink() else None
    return found


def fill(planforge, data: Path, out: Path, *extra: str, target: str = "tiny-package"):
    return planforge("fill", target, data, "-o", out, "--jobs", "1", *extra)


def no_traceback(result) -> None:
    assert "internal error" not in result.output and "Traceback" not in result.output, \
        result.output


def forbid_rendering(monkeypatch) -> None:
    """Rendering anything fails the test: a refusal must come before it."""

    def rendered(*args, **kwargs):
        raise AssertionError("rendered before the output folder was checked")

    monkeypatch.setattr(excel_module, "render_xlsx", rendered)
    monkeypatch.setattr(batch_module, "render_volumes", rendered)


@pytest.fixture
def never_render(monkeypatch):
    forbid_rendering(monkeypatch)


# --------------------------------------------------------------------------- item 1: re-runs


def test_a_rerun_keeps_what_the_clerk_put_into_an_annex_folder(planforge, tmp_path):
    out = tmp_path / "out"
    assert fill(planforge, roster(tmp_path / "a.xlsx", 3), out).exit_code == 0
    mine = {f"{FORMS}/签字扫描件.pdf": b"%PDF-1.4 signed", f"{FORMS}/扫描/第1页.jpg": b"\xff\xd8",
            f"{FORMS}/~$1 人员0.docx": b"word lock", "说明.txt": "先打印附件1".encode()}
    for relative, content in mine.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_bytes(content)
    (out / FORMS / "待补充").mkdir()
    result = fill(planforge, roster(tmp_path / "b.xlsx", 2, "新"), out)
    assert result.exit_code == 0, result.output
    assert {p: (out / p).read_bytes() for p in mine} == mine
    assert (out / FORMS / "待补充").is_dir()
    texts = check_published(out, kept=frozenset(mine))  # the manifest lists none of them
    assert not (out / FORMS / "1 人员0.docx").exists()  # the previous run's own form went
    assert "新1" in "".join(texts.values()) and "人员" not in "".join(texts.values())
    keep(*(out / p for p in texts), origin="re-run beside the clerk's files")


@pytest.mark.parametrize("next_target", ["tiny-roster", "tiny-form"])
def test_an_annex_the_next_run_no_longer_makes_keeps_the_clerks_files(planforge, tmp_path,
                                                                      next_target):
    out = tmp_path / "out"
    data = roster(tmp_path / "a.xlsx", 3)
    assert fill(planforge, data, out).exit_code == 0
    (out / FORMS / "签字扫描件.pdf").write_bytes(b"%PDF signed")
    result = fill(planforge, data, out, target=next_target)
    assert result.exit_code == 0, result.output
    assert (out / FORMS / "签字扫描件.pdf").read_bytes() == b"%PDF signed"
    check_published(out, kept=frozenset({f"{FORMS}/签字扫描件.pdf"}))
    if next_target == "tiny-roster":  # the forms went, the folder stays for the scan
        assert sorted(p.name for p in (out / FORMS).iterdir()) == ["签字扫描件.pdf"]
    else:
        assert not (out / ROSTER).exists()


def _user_file_in_a_fresh_folder(run, tmp_path, out, data):
    out.mkdir()
    (out / ROSTER).write_bytes(b"the clerk's own roster")
    return [ROSTER]


def _user_form_in_a_fresh_folder(run, tmp_path, out, data):
    (out / FORMS).mkdir(parents=True)
    (out / FORMS / "1 人员0.docx").write_bytes(b"hand-made form")
    return [f"{FORMS}/1 人员0.docx"]


def _user_form_where_the_last_run_wrote_none(run, tmp_path, out, data):
    assert run(roster(tmp_path / "two.xlsx", 2), out) == 0
    (out / FORMS / "3 人员2.docx").write_bytes(b"hand-made form")
    return [f"{FORMS}/3 人员2.docx"]


def _user_folder_where_a_file_goes(run, tmp_path, out, data):
    (out / ROSTER).mkdir(parents=True)
    (out / ROSTER / "keep.txt").write_bytes(b"mine")
    return [ROSTER]


def _user_file_where_a_folder_goes(run, tmp_path, out, data):
    out.mkdir()
    (out / FORMS).write_bytes(b"a file named like the annex folder")
    return [FORMS]


def _link_where_the_annex_folder_goes(run, tmp_path, out, data):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "important.docx").write_bytes(b"not planforge's")
    out.mkdir()
    (out / FORMS).symlink_to(elsewhere, target_is_directory=True)
    return [FORMS]


def _manifest_listing_what_is_now_a_link(run, tmp_path, out, data):
    assert run(data, out) == 0
    (out / ROSTER).unlink()
    (tmp_path / "mine.xlsx").write_bytes(b"the clerk's")
    (out / ROSTER).symlink_to(tmp_path / "mine.xlsx")
    return [ROSTER]


IN_THE_WAY = [_user_file_in_a_fresh_folder, _user_form_in_a_fresh_folder,
              _user_form_where_the_last_run_wrote_none, _user_folder_where_a_file_goes,
              _user_file_where_a_folder_goes, _link_where_the_annex_folder_goes,
              _manifest_listing_what_is_now_a_link]


def _runner(planforge):
    return lambda data, out, *extra: fill(planforge, data, out, *extra).exit_code


@pytest.mark.parametrize("setup", IN_THE_WAY, ids=lambda f: f.__name__.strip("_"))
def test_overwriting_a_file_planforge_did_not_write_is_refused_before_rendering(
        planforge, tmp_path, monkeypatch, setup):
    out, data = tmp_path / "out", roster(tmp_path / "a.xlsx", 3)
    in_the_way = setup(_runner(planforge), tmp_path, out, data)
    forbid_rendering(monkeypatch)
    before, outside = tree(out), tree(tmp_path / "elsewhere")
    result = fill(planforge, data, out)
    assert result.exit_code == 2, result.output
    no_traceback(result)
    for relative in in_the_way:
        assert str(out / relative) in result.output
    assert "--force" in result.output and "不是 planforge 写的" in result.output
    assert tree(out) == before and tree(tmp_path / "elsewhere") == outside


@pytest.mark.parametrize("setup", IN_THE_WAY, ids=lambda f: f.__name__.strip("_"))
def test_force_overwrites_only_what_is_in_the_way(planforge, tmp_path, setup):
    out, data = tmp_path / "out", roster(tmp_path / "a.xlsx", 3)
    in_the_way = setup(_runner(planforge), tmp_path, out, data)
    kept = {"说明.txt": b"mine too"}  # beside what is in the way: --force leaves it alone
    if FORMS not in in_the_way:
        kept[f"{FORMS}/扫描件.pdf"] = b"%PDF"
    for relative, content in kept.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_bytes(content)
    outside = tree(tmp_path / "elsewhere")
    result = fill(planforge, data, out, "--force")
    assert result.exit_code == 0, result.output
    check_published(out, kept=frozenset(kept))
    assert {p: (out / p).read_bytes() for p in kept} == kept
    assert tree(tmp_path / "elsewhere") == outside  # a link is replaced, never followed
    if (tmp_path / "mine.xlsx").exists():
        assert (tmp_path / "mine.xlsx").read_bytes() == b"the clerk's"


def test_zip_over_an_archive_planforge_did_not_write(planforge, tmp_path, never_render):
    archive = tmp_path / "材料.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("manifest.json", "{}")  # a manifest, but not planforge's
        bundle.writestr("公示名单.docx", b"mine")
    before = archive.read_bytes()
    result = fill(planforge, roster(tmp_path / "a.xlsx", 2), tmp_path / "材料", "--zip")
    assert result.exit_code == 2, result.output
    assert str(archive) in result.output and archive.read_bytes() == before


def test_zip_replaces_its_own_archive_and_force_any(planforge, tmp_path):
    data, archive = roster(tmp_path / "a.xlsx", 2), tmp_path / "材料.zip"
    archive.write_bytes(b"not even a zip")
    assert fill(planforge, data, archive, "--zip").exit_code == 2
    assert fill(planforge, data, archive, "--zip", "--force").exit_code == 0
    result = fill(planforge, roster(tmp_path / "b.xlsx", 2, "新"), archive, "--zip")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(archive) as bundle:
        assert f"{FORMS}/2 新1.docx" in bundle.namelist()


@pytest.mark.slow
def test_hardship_files_keeps_the_clerks_files_and_takes_force(tmp_path):
    """The other command publishing through the same writer keeps the same rule."""
    sample = SAMPLES / "hardship-aid"
    out = tmp_path / "out"
    out.mkdir()
    (out / "专项档案").mkdir()
    (out / "专项档案" / "01 说明.pdf").write_bytes(b"%PDF mine")
    args = ["hardship-aid", "files", sample / "花名册.xlsx", "--settings",
            sample / "settings.yaml", "--materials", sample / "材料", "-o", out]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert (out / "专项档案" / "01 说明.pdf").read_bytes() == b"%PDF mine"
    check_published(out, thorough=False, kept=frozenset({"专项档案/01 说明.pdf"}))
    first = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"][0]["path"]
    (out / "manifest.json").unlink()  # now no file there is known to be planforge's
    before = tree(out)
    refused = invoke(*args)
    assert refused.exit_code == 2, refused.output
    assert str(out / first) in refused.output and tree(out) == before
    assert invoke(*args, "--force").exit_code == 0
    assert (out / "专项档案" / "01 说明.pdf").read_bytes() == b"%PDF mine"


# --------------------------------------------------------------------------- item 9: faults


@pytest.mark.parametrize("place", ["a file", "below a file", "/dev/null", "zip at a folder",
                                   "zip below a file"])
def test_an_output_that_cannot_be_one_is_refused_before_anything_is_written(
        planforge, tmp_path, place, never_render):
    data = roster(tmp_path / "a.xlsx", 2)
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "x.zip").mkdir()
    out, extra = {
        "a file": (tmp_path / "notes.txt", []),
        "below a file": (tmp_path / "notes.txt" / "out", []),
        "/dev/null": (Path(os.devnull), []),
        "zip at a folder": (tmp_path / "x.zip", ["--zip"]),
        "zip below a file": (tmp_path / "notes.txt" / "out.zip", ["--zip"]),
    }[place]
    before = tree(tmp_path)
    result = fill(planforge, data, out, *extra)
    assert result.exit_code == 2, result.output
    no_traceback(result)
    assert "/" in result.output and any("\u4e00" <= c <= "\u9fff" for c in result.output)
    assert tree(tmp_path) == before
    assert not Path(os.devnull).is_file() and Path(os.devnull).exists()


@pytest.mark.slow
@pytest.mark.parametrize("command", ["photos", "binder", "dossier build"])
def test_every_command_says_an_output_below_a_file_is_wrong(tmp_path, command):
    """Commands that write one file (or a dossier) with their own writers: the same answer."""
    dossier = SAMPLES / "activity-dossier" / "2026-03-12 送教下乡"
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    binder = tmp_path / "binder.yaml"
    shutil.copyfile(dossier / "01 活动实施方案.docx", tmp_path / "方案.docx")
    binder.write_text("title: 汇编\nsections:\n  - {title: 方案, files: [方案.docx]}\n",
                      encoding="utf-8")
    below = tmp_path / "notes.txt" / "out"
    args = {"photos": ["photos", dossier / "照片", "-o", below / "photos.pdf"],
            "binder": ["binder", binder, "-o", below / "booklet.pdf"],
            "dossier build": ["dossier", "build", dossier, "-o", below]}[command]
    before = tree(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    no_traceback(result)
    assert str(tmp_path / "notes.txt") in result.output
    assert tree(tmp_path) == before


def _fault(number: int, path: object = None) -> OSError:
    return OSError(number, os.strerror(number), None if path is None else str(path))


@contextlib.contextmanager
def read_only(monkeypatch, root: Path):
    """Every way planforge changes the file system fails below ``root`` with EROFS."""
    root = os.path.realpath(root)

    def below(path) -> bool:
        return os.path.realpath(os.fspath(path)).startswith(root)

    real_open, real_os_open = io.open, os.open

    def opening(file, mode="r", *args, **kwargs):
        if isinstance(file, str | os.PathLike) and set(mode) & set("wax+") and below(file):
            raise _fault(errno.EROFS, file)
        return real_open(file, mode, *args, **kwargs)

    def os_opening(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and below(path):
            raise _fault(errno.EROFS, path)
        return real_os_open(path, flags, *args, **kwargs)

    def refusing(real):
        def call(path, *args, **kwargs):
            if below(path):
                raise _fault(errno.EROFS, path)
            return real(path, *args, **kwargs)
        return call

    with monkeypatch.context() as patch:
        patch.setattr(io, "open", opening)
        patch.setattr(os, "open", os_opening)
        for name in ("mkdir", "replace", "rename", "unlink", "rmdir"):
            patch.setattr(os, name, refusing(getattr(os, name)))
        yield


@pytest.mark.parametrize("existing", [False, True])
def test_a_read_only_file_system_exits_4_and_changes_nothing(planforge, tmp_path, monkeypatch,
                                                            existing):
    out = tmp_path / "ro" / "out"
    data = roster(tmp_path / "a.xlsx", 2)
    if existing:
        assert fill(planforge, data, out).exit_code == 0
    else:
        (tmp_path / "ro").mkdir()
    before = tree(tmp_path / "ro")
    with read_only(monkeypatch, tmp_path / "ro"):
        result = fill(planforge, roster(tmp_path / "b.xlsx", 2, "新"), out)
    assert result.exit_code == EXIT_ENVIRONMENT == 4, result.output
    no_traceback(result)
    assert "只读" in result.output and "Read-only file system" in result.output
    assert tree(tmp_path / "ro") == before


def _fail_rendering(monkeypatch, calls):
    def full(*args, **kwargs):
        raise _fault(errno.ENOSPC, args[3] if len(args) > 3 else None)
    monkeypatch.setattr(excel_module, "render_xlsx", full)


def _fail_a_form(monkeypatch, calls):
    from planforge.render.word import WordTemplate

    real = WordTemplate.render

    def render(self, context, target, *args, **kwargs):
        calls.append(target)
        if len(calls) == 2:
            Path(target).write_bytes(b"PK\x03\x04 half")
            raise _fault(errno.ENOSPC, target)
        return real(self, context, target, *args, **kwargs)

    monkeypatch.setattr(WordTemplate, "render", render)


def _fail_fsync(number):
    def patch(monkeypatch, calls):  # ext4 reports delayed-allocation ENOSPC at fsync
        real = os.fsync

        def fsync(descriptor):
            calls.append(descriptor)
            if len(calls) == number:
                raise _fault(errno.ENOSPC)
            return real(descriptor)

        monkeypatch.setattr(output_module.os, "fsync", fsync)
    patch.__name__ = f"fsync_{number}"
    return patch


@pytest.mark.parametrize("failure", [_fail_rendering, _fail_a_form, _fail_fsync(1),
                                     _fail_fsync(2)], ids=lambda f: f.__name__.strip("_"))
def test_a_full_disk_exits_4_and_leaves_the_previous_output(planforge, tmp_path, monkeypatch,
                                                           failure):
    out = tmp_path / "out"
    assert fill(planforge, roster(tmp_path / "a.xlsx", 3), out).exit_code == 0
    (out / FORMS / "扫描件.pdf").write_bytes(b"%PDF")
    before = tree(out)
    calls: list = []
    failure(monkeypatch, calls)
    result = fill(planforge, roster(tmp_path / "b.xlsx", 3, "新"), out)
    monkeypatch.undo()
    assert result.exit_code == 4, result.output
    no_traceback(result)
    assert "磁盘空间不足" in result.output and "No space left on device" in result.output
    assert tree(out) == before  # no staging left either: tree() sees hidden entries


def test_a_full_disk_after_the_commit_says_the_next_run_completes_it(planforge, tmp_path,
                                                                     monkeypatch):
    out = tmp_path / "out"
    assert fill(planforge, roster(tmp_path / "a.xlsx", 3), out).exit_code == 0
    kept = {f"{FORMS}/扫描件.pdf": b"%PDF"}
    (out / FORMS / "扫描件.pdf").write_bytes(b"%PDF")
    real, calls = os.replace, []

    def replace(*args):
        calls.append(args)
        if len(calls) == 4:  # manifest staged, journal committed, one form moved in
            raise _fault(errno.ENOSPC, args[1])
        return real(*args)

    monkeypatch.setattr(output_module.os, "replace", replace)
    result = fill(planforge, roster(tmp_path / "b.xlsx", 3, "新"), out)
    monkeypatch.undo()
    assert result.exit_code == 4, result.output
    no_traceback(result)
    assert "next planforge run on this folder completes it" in result.output
    assert not (out / "manifest.json").exists()  # in the middle of a publish, as it says
    assert fill(planforge, roster(tmp_path / "c.xlsx", 1, "乙"), out).exit_code == 0
    texts = check_published(out, kept=frozenset(kept))
    assert "乙0" in "".join(texts.values()) and (out / FORMS / "扫描件.pdf").read_bytes() == b"%PDF"


def _mount(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 1 MB tmpfs, where the machine allows mounting one."""
    point = tmp_path / "disk"
    point.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0 or _mount(
            "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(point)).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


@pytest.mark.slow
def test_a_real_full_and_then_read_only_disk(tiny_dir, tmp_path, tiny_disk):
    out = tiny_disk / "out"

    def run(data):
        return subprocess.run([*CLI, "--plugins-dir", str(tiny_dir), "fill", "tiny-package",
                               str(data), "-o", str(out), "--jobs", "1"],
                              capture_output=True, text=True, timeout=300)

    assert run(roster(tmp_path / "a.xlsx", 3)).returncode == 0
    before = tree(out)
    full = run(roster(tmp_path / "b.xlsx", 400, "新"))  # far more than 1 MB of forms
    assert full.returncode == 4, full.stderr
    assert "No space left on device" in full.stderr and "Traceback" not in full.stderr
    assert tree(out) == before
    case()
    assert _mount("-o", "remount,ro", str(tiny_disk)).returncode == 0
    read_only_run = run(roster(tmp_path / "c.xlsx", 2, "乙"))
    assert read_only_run.returncode == 4, read_only_run.stderr
    assert "Read-only file system" in read_only_run.stderr
    assert tree(out) == before
    check_published(out)


# --------------------------------------------------------------------------- item 11: inputs


@pytest.fixture
def dossier(tmp_path) -> Path:
    folder = tmp_path / "活动" / "资料"
    shutil.copytree(SAMPLES / "activity-dossier" / "2026-03-12 送教下乡", folder)
    return folder


def _dossier_name(folder: Path) -> str:
    """``date theme``, the folder a build writes (the sample's theme is plain text)."""
    data = yaml.safe_load((folder / "dossier.yaml").read_text(encoding="utf-8"))
    return f"{data['date']} {data['theme']}"


@pytest.mark.parametrize("where", ["inside", "courseware", "the dossier folder", "itself"])
def test_a_dossier_is_never_built_inside_what_it_reads(tmp_path, dossier, where):
    """Nor where its build would write into the dossier: a folder named like the activity (the
    sample's own name) built with ``-o ..`` was replaced by the booklet, the input lost."""
    built = dossier.parent / _dossier_name(dossier)
    if where == "itself":
        dossier = dossier.rename(built)
    out = {"inside": dossier / "输出", "courseware": dossier / "课件",
           "the dossier folder": dossier, "itself": built.parent}[where]
    before = tree(tmp_path)
    result = invoke("dossier", "build", dossier, "-o", out)
    assert result.exit_code == 2, result.output
    no_traceback(result)
    assert str(dossier) in result.output
    assert tree(tmp_path) == before


@pytest.mark.slow
def test_a_dossier_folder_inside_the_folder_its_build_writes_is_kept(tmp_path, dossier):
    """The build publishes its booklet and packages beside the activity folder, file by file,
    as every run publishes: the folder it read is the clerk's and stays as it was."""
    built = dossier.parent / _dossier_name(dossier)
    built.mkdir()
    dossier = dossier.rename(built / "资料")
    before = tree(dossier)
    result = invoke("dossier", "build", dossier, "-o", built.parent)
    assert result.exit_code == 0, result.output
    assert tree(dossier) == before
    kept = frozenset(p.relative_to(built).as_posix() for p in dossier.rglob("*") if p.is_file())
    check_published(built, thorough=False, kept=kept)
    assert invoke("dossier", "build", dossier, "-o", built.parent).exit_code == 0
    assert tree(dossier) == before


@pytest.fixture
def materials(tmp_path) -> Path:
    folder = tmp_path / "申报" / "材料"
    shutil.copytree(SAMPLES / "hardship-aid" / "材料", folder)
    return folder


@pytest.mark.parametrize("command", ["fill", "files"])
@pytest.mark.parametrize("inside", ["", "张三", "sub/deeper"])
def test_no_output_inside_the_materials_folder(tmp_path, materials, command, inside):
    sample = SAMPLES / "hardship-aid"
    teacher = next(p.name for p in sorted(materials.iterdir()) if p.is_dir())
    out = materials / inside.replace("张三", teacher) / "输出"
    before = tree(tmp_path)
    if command == "fill":
        args = ["fill", "hardship-aid", sample / "花名册.xlsx", "--settings",
                sample / "settings.yaml", "--set", f"materials={materials}", "-o", out]
    else:
        args = ["hardship-aid", "files", sample / "花名册.xlsx", "--settings",
                sample / "settings.yaml", "--materials", materials, "-o", out]
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    no_traceback(result)
    assert str(materials) in result.output and "输入文件夹" in result.output
    assert tree(tmp_path) == before


def test_an_output_beside_the_data_file_is_allowed(tmp_path, materials):
    """Only folders read recursively are refused: clerks write next to their data."""
    sample = SAMPLES / "hardship-aid"
    data = materials.parent / "花名册.xlsx"
    shutil.copyfile(sample / "花名册.xlsx", data)
    out = materials.parent / "输出"
    result = invoke("fill", "hardship-aid", data, "--settings", sample / "settings.yaml",
                    "--set", f"materials={materials}", "-o", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
