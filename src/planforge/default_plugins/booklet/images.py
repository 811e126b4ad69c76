"""Photos decoded for print: upright as their EXIF tag says, shrunk to the size they print at.

Phones store most photos sideways with an EXIF orientation tag; printing the raw pixels puts
people on their side. Every photo is turned as its tag says (the turns of
:func:`PIL.ImageOps.exif_transpose`; a tag outside 1-8 means as stored). JPEGs are decoded in
draft mode at the resolution they are printed at, and shrunk before they are turned, so ten
12-megapixel photos never sit in memory together.
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from planforge.errors import InputError, Location, Problem

try:  # HEIC/HEIF from iPhones, when the optional extra is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - depends on the installation
    HEIF_SUPPORTED = False

#: Resolution of placed photos: sharp on an office printer, small enough to mail.
PRINT_DPI = 200
_ORIENTATION = 0x0112

#: What Pillow raises for a file that is not a readable image (truncated, corrupt, a bomb).
UNREADABLE = (OSError, UnidentifiedImageError, SyntaxError, ValueError,
              Image.DecompressionBombError)


def orientation_of(exif: Image.Exif) -> int:
    """The EXIF orientation (1-8); anything else (99, text) means upright as stored."""
    value = exif.get(_ORIENTATION, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


#: How a photo stored with each EXIF orientation is turned upright (as ``exif_transpose``).
_TURN = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
         4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
         6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}


def turned_upright(img: Image.Image, orientation: int) -> Image.Image:
    """A new image turned as ``orientation`` (from :func:`_orientation`) says."""
    method = _TURN.get(orientation)
    return img.transpose(method) if method is not None else img.copy()


def open_error(path: Path, exc: Exception) -> InputError:
    # Pillow names the stream it was given (<_io.BytesIO object at 0x…>), not the file.
    detail = re.sub(r"<_io\.BytesIO object at 0x[0-9a-fA-F]+>", repr(path.name), str(exc))
    if path.is_file() and path.stat().st_size == 0:
        detail = f"文件是空的 / the file is empty ({detail})"
    return InputError(
        Problem(
            f"照片无法读取(文件损坏、不完整或不是图片):{detail}",
            f"photo cannot be read (damaged, truncated or not an image): {detail}",
            Location(str(path)),
        )
    )


def open_large(source: Path | io.BytesIO) -> Image.Image:
    """Open an image without Pillow's raw DecompressionBombWarning for 90-180 megapixels: such
    photos are read (and :func:`check_photos` warns about them in words); bigger ones refused."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(source)


def fit_box(width: float, height: float, box_w: float, box_h: float) -> tuple[float, float]:
    """Largest size with the photo's aspect ratio that fits in the box."""
    scale = min(box_w / width, box_h / height)
    return width * scale, height * scale


def load_print_image(
    path: Path, box_mm: tuple[float, float], dpi: int = PRINT_DPI
) -> tuple[Image.Image, tuple[float, float]]:
    """Decode a photo upright and scaled for printing in ``box_mm``; returns it and its mm size.

    JPEG draft mode lets libjpeg decode at 1/2, 1/4 or 1/8 scale directly, far cheaper than
    decoding 12 megapixels and shrinking.
    """
    path = Path(path)
    try:
        with open_large(path) as img:
            orientation = orientation_of(img.getexif())
            sw, sh = img.size
            uw, uh = (sh, sw) if orientation in (5, 6, 7, 8) else (sw, sh)
            w_mm, h_mm = fit_box(uw, uh, *box_mm)
            tw = max(1, round(w_mm / 25.4 * dpi))
            th = max(1, round(h_mm / 25.4 * dpi))
            stored = (th, tw) if orientation in (5, 6, 7, 8) else (tw, th)
            if img.format == "JPEG":
                img.draft("RGB", stored)
            img.load()
            picture = _as_rgb(img)
            # Shrunk as stored, then turned: turning the smaller picture is cheaper.
            if picture.width > stored[0] or picture.height > stored[1]:
                picture = picture.resize(stored, Image.Resampling.LANCZOS)
            upright = turned_upright(picture, orientation)
    except UNREADABLE as exc:
        raise open_error(path, exc) from exc
    return upright, (w_mm, h_mm)


def _as_rgb(img: Image.Image) -> Image.Image:
    """RGB for JPEG pages; transparent parts become white paper, not black."""
    if img.mode == "RGB":
        return img
    if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return img.convert("RGB")


def jpeg_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88, optimize=True, dpi=(PRINT_DPI, PRINT_DPI))
    return buf.getvalue()
