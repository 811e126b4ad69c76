"""Hostile images in photo pages, dossiers and image fields: refused by file, or placed upright."""

from __future__ import annotations

import io
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from openpyxl import Workbook
from PIL import Image

from .collect import keep
from .documents import check_published, docx_text
from .targets import invoke

SAMPLE_DOSSIER = Path(__file__).resolve().parents[2] / "samples" / "activity-dossier"


def photo(width: int = 1600, height: int = 1200, exif: Image.Exif | bytes | None = None,
          colour: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    image = Image.new("RGB", (width, height), colour)
    for x in range(0, width, 97):  # some detail, so no two test photos are alike
        image.putpixel((x, x * height // width), (x % 255, 0, 0))
    buffer = io.BytesIO()
    raw = exif.tobytes() if isinstance(exif, Image.Exif) else exif or b""
    image.save(buffer, "JPEG", quality=85, exif=raw)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 30_000) -> bytes:
    """A few hundred bytes claiming a side × side picture (900 megapixels)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + _chunk(b"IEND", b""))


def absurd_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = 99  # orientation: only 1-8 exist
    exif[0x0132] = "99999:99:99 99:99:99"  # DateTime
    sub = exif.get_ifd(0x8769)
    sub[36867] = "0000:00:00 00:00:00"  # DateTimeOriginal
    sub[36868] = "9" * 200  # DateTimeDigitized
    return exif


def text_orientation_exif() -> bytes:
    """EXIF whose orientation is stored as text (type ASCII), which Pillow cannot write."""
    text = b"upside down\x00"
    entry = struct.pack("<HHII", 0x0112, 2, len(text), 8 + 2 + 12 + 4)
    return b"Exif\x00\x00" + b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 1) + entry \
        + struct.pack("<I", 0) + text


BAD = {
    "decompression-bomb.png": (png_bomb, ("exceeds limit", "decompression bomb")),
    "truncated.jpg": (lambda: photo()[:6000], ("truncated", "broken data stream")),
    "not-an-image.jpg": (lambda: b"<html>this is a web page</html>" * 20, ("cannot identify",)),
    "empty.jpg": (lambda: b"", ("cannot identify", "empty")),
}
ODD = {
    "orientation-99.jpg": lambda: photo(exif=absurd_exif(), colour=(200, 40, 40)),
    "orientation-text.jpg": lambda: photo(exif=text_orientation_exif(), colour=(40, 200, 40)),
}


def _mentions(output: str, hints: tuple[str, ...]) -> bool:
    return any(h in output for h in hints)


def photo_folder(folder: Path, extra: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True)
    for number in range(2):
        (folder / f"good{number}.jpg").write_bytes(photo(colour=(number * 90, 60, 60)))
    for name, data in extra.items():
        (folder / name).write_bytes(data)
    return folder


@pytest.mark.parametrize("name", sorted(BAD))
def test_photo_pages_refuse_a_bad_image_by_name(tmp_path, name):
    make, hints = BAD[name]
    folder = photo_folder(tmp_path / "照片", {name: make()})
    out = tmp_path / "photos.docx"
    result = invoke("photos", folder, "-o", out, "--expected", "0")
    assert result.exit_code == 2, result.output
    assert name in result.output and _mentions(result.output, hints), result.output
    assert not out.exists()


@pytest.mark.parametrize("suffix", [".docx", pytest.param(".pdf", marks=pytest.mark.slow)])
def test_photo_pages_place_photos_with_absurd_exif(tmp_path, suffix):
    folder = photo_folder(tmp_path / "照片", {n: make() for n, make in ODD.items()})
    out = tmp_path / f"photos{suffix}"
    result = invoke("photos", folder, "-o", out, "--expected", "0")
    assert result.exit_code == 0, result.output
    if suffix == ".docx":
        assert "orientation-99" in docx_text(out)
        keep(out, origin="photos with absurd EXIF")
    else:
        from pypdf import PdfReader

        assert len(PdfReader(out).pages) == 2


def _roster(folder: Path, image: str) -> Path:
    workbook = Workbook()
    workbook.active.append(["姓名", "照片"])
    workbook.active.append(["张三", image])
    path = folder / "名册.xlsx"
    workbook.save(path)
    return path


@pytest.mark.parametrize("name", sorted(BAD) + ["missing.jpg"])
def test_image_fields_refuse_a_bad_image_at_its_cell(planforge, tmp_path, name):
    if name in BAD:
        (tmp_path / name).write_bytes(BAD[name][0]())
    result = planforge("fill", "tiny-photo", _roster(tmp_path, name), "-o", tmp_path / "out")
    assert result.exit_code == 2, result.output
    for part in ("名册.xlsx", "第2行", "照片", name):
        assert part in result.output, result.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


@pytest.mark.parametrize("name", sorted(ODD))
def test_image_fields_place_images_with_absurd_exif(planforge, tmp_path, name):
    (tmp_path / name).write_bytes(ODD[name]())
    out = tmp_path / "out"
    result = planforge("fill", "tiny-photo", _roster(tmp_path, name), "-o", out)
    assert result.exit_code == 0, result.output
    texts = check_published(out)
    assert any("张三" in text for text in texts.values())
    keep(out, origin=f"image field {name}")


@pytest.mark.parametrize("name", sorted(BAD))
def test_dossier_check_names_the_bad_photo(tmp_path, name):
    folder = tmp_path / "dossier"
    shutil.copytree(next(SAMPLE_DOSSIER.iterdir()), folder)
    photos = folder / "照片"
    victim = sorted(photos.iterdir())[3]
    victim.unlink()
    (photos / (victim.stem + Path(name).suffix)).write_bytes(BAD[name][0]())
    result = invoke("dossier", "check", folder, "--no-convert")
    assert result.exit_code == 2, result.output
    assert victim.stem in result.output and _mentions(result.output, BAD[name][1]), result.output
