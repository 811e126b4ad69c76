"""Rough edges a clerk meets with ordinary files: how photos are named, warned about and copied,
and who may read what planforge writes."""

from __future__ import annotations

import io
import os
import shutil
import stat
import warnings
from pathlib import Path

import pytest
from PIL import Image

from planforge.default_plugins.booklet import HEIF_SUPPORTED

from .targets import invoke
from .test_hostile_images import photo, photo_folder

SAMPLE_DOSSIER = Path(__file__).resolve().parents[2] / "samples" / "activity-dossier"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("command", ["photos", "dossier"])
def test_an_empty_photo_is_named_by_its_file_not_a_python_object(tmp_path, command):
    if command == "photos":
        folder = photo_folder(tmp_path / "照片", {"空白.jpg": b""})
        result = invoke("photos", folder, "-o", tmp_path / "p.docx", "--expected", "0")
    else:
        folder = tmp_path / "dossier"
        shutil.copytree(next(SAMPLE_DOSSIER.iterdir()), folder)
        victim = sorted((folder / "照片").iterdir())[0]
        victim.write_bytes(b"")
        result = invoke("dossier", "check", folder, "--no-convert")
    assert result.exit_code == 2, result.output
    assert "BytesIO" not in result.output and " at 0x" not in result.output, result.output
    assert "empty" in result.output and "文件是空的" in result.output


def test_a_100_megapixel_photo_gets_a_clear_warning_not_a_python_warning(tmp_path):
    folder = photo_folder(tmp_path / "照片", {})
    buffer = io.BytesIO()
    Image.new("L", (10_000, 10_000), 128).save(buffer, "JPEG", quality=70)  # grey: small
    (folder / "大照片.jpg").write_bytes(buffer.getvalue())
    out = tmp_path / "photos.docx"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = invoke("photos", folder, "-o", out, "--expected", "0")
    assert result.exit_code == 0, result.output
    assert not [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)]
    assert "DecompressionBomb" not in result.output
    assert "大照片.jpg" in result.output and "100 megapixels" in result.output, result.output
    assert "100 百万像素" in result.output and out.stat().st_size > 0


def _encoded(kind: str, colour: tuple[int, int, int]) -> bytes:
    image = Image.open(io.BytesIO(photo(colour=colour)))
    buffer = io.BytesIO()
    image.save(buffer, kind)
    return buffer.getvalue()


@pytest.mark.slow
def test_the_photo_package_keeps_each_photo_s_real_type_and_files_are_readable(tmp_path):
    folder = tmp_path / "dossier"
    shutil.copytree(next(SAMPLE_DOSSIER.iterdir()), folder)
    photos = sorted((folder / "照片").iterdir())
    photos[0].write_bytes(_encoded("PNG", (250, 10, 10)))  # a PNG saved under a .jpg name
    expected = {photos[0].stem: "PNG"}
    if HEIF_SUPPORTED:  # an iPhone photo exported as .jpg
        photos[1].write_bytes(_encoded("HEIF", (10, 250, 10)))
        expected[photos[1].stem] = "HEIF"
    out = tmp_path / "out"
    result = invoke("dossier", "build", folder, "-o", out)
    assert result.exit_code == 0, result.output
    (built,) = out.iterdir()
    suffixes = {"PNG": ".png", "HEIF": ".heic", "JPEG": ".jpg"}
    packaged = sorted((built / "照片包").iterdir())
    assert len(packaged) == len(photos)
    for path in packaged:
        with Image.open(path) as image:
            assert path.suffix == suffixes[image.format], path
    assert sum(p.suffix != ".jpg" for p in packaged) == len(expected)
    file_mode, folder_mode = 0o666 & ~_umask(), 0o777 & ~_umask()
    for path in [built, *built.rglob("*")]:
        wanted = folder_mode if path.is_dir() else file_mode
        assert stat.S_IMODE(path.stat().st_mode) == wanted, (path, oct(path.stat().st_mode))


@pytest.mark.parametrize("as_zip", [False, True])
def test_fill_writes_manifest_and_archives_with_the_user_s_umask(planforge, tmp_path, as_zip):
    from openpyxl import Workbook

    from .plugin import person_id

    workbook = Workbook()
    workbook.active.title = "名册"
    workbook.active.append(["姓名", "身份证号码"])
    workbook.active.append(["张三", person_id(1)])
    workbook.save(tmp_path / "名册.xlsx")
    out = tmp_path / "out"
    result = planforge("fill", "tiny-package", tmp_path / "名册.xlsx", "-o", out,
                       *(["--zip"] if as_zip else []))
    assert result.exit_code == 0, result.output
    written = [tmp_path / "out.zip"] if as_zip else [out / "manifest.json",
                                                    *(p for p in out.rglob("*") if p.is_file()
                                                      and not p.name.startswith("."))]
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~_umask(), path
    if as_zip:
        import zipfile

        with zipfile.ZipFile(tmp_path / "out.zip") as archive:
            info = archive.getinfo("manifest.json")
            assert (info.external_attr >> 16) & 0o777 == 0o666 & ~_umask()
