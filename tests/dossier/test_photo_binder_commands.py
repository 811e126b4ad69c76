"""``planforge photos`` and ``planforge binder`` are fills of the document types ``photo-pages``
and ``booklet``: validated before writing, published by the engine, and their ``-o FILE`` is
written atomically and never over a file that is already there (a lone file has no manifest, so
planforge cannot know it wrote it) unless ``--force``."""

from __future__ import annotations

import contextlib
import errno
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
from docx import Document as Docx
from PIL import Image
from pypdf import PdfReader

from planforge.default_plugins.booklet import photopages

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "activity-dossier" / "2026-03-12 送教下乡"


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones too) and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    folder = tmp_path / "照片"
    folder.mkdir()
    for number, colour in enumerate(("teal", "orange", "navy"), start=1):
        Image.new("RGB", (1600, 1200), colour).save(folder / f"{number:02d}.jpg")
    return folder


@pytest.fixture
def binder(tmp_path: Path) -> Path:
    """A binder list of a Word file (needs LibreOffice for the PDF) and a photo."""
    folder = tmp_path / "清单"
    folder.mkdir()
    shutil.copyfile(SAMPLE / "01 活动实施方案.docx", folder / "方案.docx")
    Image.new("RGB", (800, 600), "white").save(folder / "扫描件.png")
    listing = folder / "BINDER.yaml"
    listing.write_text("title: 汇编 & <资料>\nsections:\n"
                       "  - {title: 方案, files: [方案.docx]}\n"
                       "  - {title: 原件, files: [扫描件.png]}\n", encoding="utf-8")
    return listing


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_photos_keeps_a_file_already_at_o_unless_force(run_cli, photos: Path, tmp_path: Path,
                                                       suffix: str) -> None:
    out = tmp_path / f"照片页{suffix}"
    out.write_bytes(b"the clerk's own file")
    before = tree(tmp_path)
    result = run_cli("photos", photos, "-o", out, "--expected", "3")
    assert result.exit_code == 2, result.output
    assert str(out) in result.output and "--force" in result.output
    assert tree(tmp_path) == before  # nothing written, not even a staging folder left
    result = run_cli("photos", photos, "-o", out, "--expected", "3", "--force")
    assert result.exit_code == 0, result.output
    if suffix == ".docx":
        assert len(Docx(out).inline_shapes) == 3
    else:
        assert len(PdfReader(out).pages) == 2
    assert sorted(os.listdir(tmp_path)) == ["照片", f"照片页{suffix}"]


def test_photo_pages_may_be_written_into_the_photo_folder(run_cli, photos: Path) -> None:
    """Only the photos directly inside are read: pages written there are no photo next time."""
    for _ in range(2):
        result = run_cli("photos", photos, "-o", photos / "照片页.docx", "--expected", "3",
                         "--force")
        assert result.exit_code == 0 and "3 张照片" in result.output, result.output
    assert sorted(os.listdir(photos)) == ["01.jpg", "02.jpg", "03.jpg", "照片页.docx"]


def test_a_missing_captions_setting_is_named(run_cli, photos: Path, tmp_path: Path) -> None:
    gone = tmp_path / "说明.yaml"
    result = run_cli("fill", "photo-pages", photos, "--set", "expected=3", "--set",
                     f"captions={gone}", "-o", tmp_path / "out")
    assert result.exit_code == 2 and str(gone) in result.output, result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_binder_keeps_files_already_at_o_and_docx(run_cli, binder: Path, tmp_path: Path,
                                                  soffice: str) -> None:
    pdf, docx = tmp_path / "汇编.pdf", tmp_path / "汇编.docx"
    docx.write_bytes(b"the clerk's own Word file")
    before = tree(tmp_path)
    result = run_cli("binder", binder, "-o", pdf, "--docx", docx)
    assert result.exit_code == 2 and str(docx) in result.output, result.output
    assert tree(tmp_path) == before
    result = run_cli("binder", binder, "-o", pdf, "--docx", docx, "--force")
    assert result.exit_code == 0, result.output
    assert len(PdfReader(pdf).pages) == 4 and "方案" in PdfReader(pdf).pages[1].extract_text()
    assert "汇编 & <资料>" in "".join(p.text for p in Docx(docx).paragraphs)


def test_a_run_killed_while_writing_leaves_no_half_file(run_cli, photos: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Interrupted half-way through the Word file: the -o path (here the clerk's earlier file,
    replaced with --force) is as it was, and no partial file lies beside it."""
    out = tmp_path / "照片页.docx"
    out.write_bytes(b"last week's pages")

    def killed(pictures, target, captions=None):
        Path(target).write_bytes(b"PK\x03\x04 half")
        raise KeyboardInterrupt

    monkeypatch.setattr(photopages, "write_photo_pages", killed)
    with contextlib.suppress(KeyboardInterrupt):  # click may turn it into "Aborted!" (exit 1)
        assert run_cli("photos", photos, "-o", out, "--expected", "3", "--force").exit_code
    assert out.read_bytes() == b"last week's pages"
    assert sorted(os.listdir(tmp_path)) == ["照片", "照片页.docx"]


@pytest.mark.parametrize("case", ["count", "no folder", "portrait only warns", "folder as -o",
                                  "bad expected"])
def test_photos_refuses_bad_input_naming_it_before_writing(run_cli, photos: Path,
                                                           tmp_path: Path, case: str) -> None:
    out = tmp_path / "照片页.docx"
    args = {"count": [photos, "-o", out],  # ten expected, three given
            "no folder": [tmp_path / "没有", "-o", out],
            "portrait only warns": [photos, "-o", out, "--expected", "4"],
            "folder as -o": [photos, "-o", tmp_path, "--expected", "3"],
            "bad expected": [photos, "-o", out, "--expected", "-1"]}[case]
    if case == "portrait only warns":
        Image.new("RGB", (600, 1600), "red").save(photos / "04.jpg")
    before = tree(tmp_path)
    result = run_cli("photos", *args)
    if case == "portrait only warns":
        assert result.exit_code == 0 and "04.jpg" in result.output, result.output
        return
    assert result.exit_code == 2, result.output
    named = {"count": str(photos), "no folder": "没有", "folder as -o": str(tmp_path),
             "bad expected": "expected"}[case]
    assert named in result.output and "Traceback" not in result.output
    if case == "count":
        assert "10" in result.output and "3" in result.output
    assert tree(tmp_path) == before


@pytest.mark.parametrize("listing", [
    "sections:\n  - {title: 方案, files: [方案.docx]}\n",  # no title
    "title: 汇编\nsections:\n  - {title: 方案, files: [不存在.docx]}\n",
    "title: 汇编\nsections: [[\n",  # not YAML
])
def test_binder_refuses_a_bad_list_naming_it_before_writing(run_cli, binder: Path,
                                                            tmp_path: Path, listing: str) -> None:
    binder.write_text(listing, encoding="utf-8")
    before = tree(tmp_path)
    result = run_cli("binder", binder, "-o", tmp_path / "汇编.pdf", "--docx",
                     tmp_path / "汇编.docx")
    assert result.exit_code == 2 and str(binder) in result.output, result.output
    assert tree(tmp_path) == before


@pytest.mark.slow
def test_without_libreoffice_binder_still_writes_the_word_booklet(
        run_cli, binder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANFORGE_SOFFICE", str(tmp_path / "no-soffice"))
    pdf, docx = tmp_path / "汇编.pdf", tmp_path / "汇编.docx"
    result = run_cli("binder", binder, "-o", pdf, "--docx", docx)
    assert result.exit_code == 3, result.output
    assert "LibreOffice" in result.output and not pdf.exists()
    assert "汇编 & <资料>" in "".join(p.text for p in Docx(docx).paragraphs)
    out = tmp_path / "out"  # the same through fill: published, the PDF left out and said why
    result = run_cli("fill", "booklet", binder, "-o", out)
    assert result.exit_code == 3, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in manifest["files"]] == ["汇编 & _资料_.docx"]
    (omitted,) = manifest["omitted"]
    assert omitted["path"] == "汇编 & _资料_.pdf" and "LibreOffice" in omitted["reason"]


def test_fill_photo_pages_publishes_a_folder_with_manifest_and_zip(run_cli, photos: Path,
                                                                   tmp_path: Path) -> None:
    captions = tmp_path / "说明.yaml"
    captions.write_text("01.jpg: 开班仪式 & <合影>\n", encoding="utf-8")
    out = tmp_path / "out"
    (out).mkdir()
    (out / "照片页.docx").write_bytes(b"mine")
    settings = ["--set", "expected=3", "--set", f"captions={captions}"]
    result = run_cli("fill", "photo-pages", photos, "-o", out, *settings)
    assert result.exit_code == 2 and "--force" in result.output, result.output
    assert (out / "照片页.docx").read_bytes() == b"mine"
    (out / "照片页.docx").unlink()
    result = run_cli("fill", "photo-pages", photos, "-o", out, *settings)
    assert result.exit_code == 0, result.output
    assert "开班仪式 & <合影>" in [p.text for p in Docx(out / "照片页.docx").paragraphs]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [f["path"] for f in manifest["files"]] == ["照片页.docx"]
    assert str(captions) in {item["file"] for item in manifest["inputs"]}
    result = run_cli("fill", "photo-pages", photos, "-o", tmp_path / "pages", "--zip", *settings)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "pages.zip") as bundle:
        assert sorted(bundle.namelist()) == ["manifest.json", "照片页.docx"]


@pytest.mark.slow
def test_sigkill_at_any_moment_leaves_the_old_file_or_the_whole_new_one(tmp_path: Path) -> None:
    """Killed anywhere in a run over the clerk's earlier pages (--force): -o holds the old bytes
    or complete new pages, never part of them; what a killed run staged is hidden, and the next
    run clears it once no run holds it."""
    out = tmp_path / "照片页.docx"
    out.write_bytes(b"last week's pages")
    command = [sys.executable, "-c", "from planforge.cli import main; main()", "photos",
               str(SAMPLE / "照片"), "-o", str(out), "--force"]
    started = time.monotonic()
    reference = subprocess.run([*command[:-2], str(tmp_path / "reference.docx")],
                               capture_output=True, text=True, timeout=300)
    duration = time.monotonic() - started
    assert reference.returncode == 0, reference.stderr
    chance = random.Random(16)
    for moment in sorted(chance.uniform(0.2, duration * 1.05) for _ in range(5)):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        time.sleep(moment)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        if out.read_bytes() != b"last week's pages":
            assert len(Docx(out).inline_shapes) == 10
        assert {p for p in os.listdir(tmp_path) if not p.startswith(".planforge-")} == {
            "照片页.docx", "reference.docx"}
    for left in tmp_path.glob(".planforge-*"):  # as a killed run's staging is a minute later
        os.utime(left, (time.time() - 120, time.time() - 120))
    final = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert sorted(os.listdir(tmp_path)) == ["reference.docx", "照片页.docx"]
    assert len(Docx(out).inline_shapes) == 10


def test_a_full_disk_exits_4_and_keeps_the_clerks_file(run_cli, photos: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "照片页.docx"
    out.write_bytes(b"last week's pages")
    real = shutil.copyfile

    def full(source, target, *args, **kwargs):
        if Path(target).parent == tmp_path:  # the copy to -o
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", full)
    result = run_cli("photos", photos, "-o", out, "--expected", "3", "--force")
    monkeypatch.setattr(shutil, "copyfile", real)
    assert result.exit_code == 4, result.output
    assert "No space left on device" in result.output and "Traceback" not in result.output
    assert out.read_bytes() == b"last week's pages"
    assert sorted(os.listdir(tmp_path)) == ["照片", "照片页.docx"]
