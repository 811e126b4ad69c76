"""Activity photos: check them, turn them upright, order them and lay them out two to a page.

Phones store most photos sideways with an EXIF orientation tag; printing the raw pixels puts
people on their side. Every photo is turned as its tag says (the turns of
:func:`PIL.ImageOps.exif_transpose`; a tag outside 1-8 means as stored). Photos are decoded one at
a time, JPEGs in draft mode at the resolution they are printed at, and shrunk before they are
turned, so ten 12-megapixel photos never sit in memory together.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from .errors import InputError, Location, Problem
from .output import write_atomic
from .text import strip_xml_illegal

try:  # HEIC/HEIF from iPhones, when the optional extra is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - depends on the installation
    HEIF_SUPPORTED = False

__all__ = [
    "DEFAULT_EXPECTED",
    "MIN_MEGAPIXELS",
    "PHOTO_SUFFIXES",
    "PRINT_DPI",
    "Photo",
    "PhotoCheck",
    "caption_for",
    "check_photos",
    "fit_box",
    "list_photo_files",
    "load_print_image",
    "read_photo",
    "write_photo_docx",
    "write_photo_pages",
    "write_photo_pdf",
]

#: The seed asks for ten photos per activity.
DEFAULT_EXPECTED = 10
#: Below this a printed half page looks blurred.
MIN_MEGAPIXELS = 1.0
#: Resolution of placed photos: sharp on an office printer, small enough to mail.
PRINT_DPI = 200
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".heic", ".heif"})

# A4 portrait, two photos a page. Photo box 160 x 120 mm (4:3 landscape fills it exactly).
PAGE_W_MM, PAGE_H_MM = 210.0, 297.0
MARGIN_X_MM, MARGIN_Y_MM = 25.0, 15.0
BOX_W_MM, BOX_H_MM = 160.0, 120.0
CAPTION_MM = 12.0
CAPTION_PT = 11.0

_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 36867
_DATETIME_DIGITIZED = 36868
_ORIENTATION = 0x0112
#: The suffix a photo package gives each kind of content, and the other names of each suffix.
_SUFFIXES = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "HEIF": ".heic", "AVIF": ".avif",
             "TIFF": ".tif", "BMP": ".bmp", "GIF": ".gif", "WEBP": ".webp"}
_SAME_TYPE = {".jpg": (".jpg", ".jpeg"), ".heic": (".heic", ".heif"), ".tif": (".tif", ".tiff")}


@dataclass(frozen=True)
class Photo:
    """One readable photo: its upright size, when it was taken and fingerprints of its content."""

    path: Path
    width: int
    height: int
    orientation: int
    taken: datetime | None
    sha256: str
    pixel_hash: str
    kind: str = ""  # what the content is (Pillow's format name), whatever the file is called

    @property
    def megapixels(self) -> float:
        return self.width * self.height / 1_000_000

    @property
    def suffix(self) -> str:
        """The file's suffix if it matches the content, else the content's own (.png, .heic)."""
        own = self.path.suffix.lower()
        real = _SUFFIXES.get(self.kind)
        return own if real is None or own in _SAME_TYPE.get(real, (real,)) else real

    @property
    def portrait(self) -> bool:
        """True when the photo, once upright, is taller than wide (the seed wants landscape)."""
        return self.height > self.width


@dataclass
class PhotoCheck:
    """The ordered readable photos plus everything wrong (errors) or doubtful (warnings)."""

    photos: list[Photo] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def raise_for_errors(self) -> None:
        """Raise one :class:`InputError` listing every error, so the clerk fixes them at once."""
        if self.errors:
            raise InputError(self.errors)



#: What Pillow raises for a file that is not a readable image (truncated, corrupt, a bomb).
UNREADABLE = (OSError, UnidentifiedImageError, SyntaxError, ValueError,
              Image.DecompressionBombError)

def list_photo_files(folder: Path) -> list[Path]:
    """Photo files directly inside ``folder`` (not hidden), sorted by name."""
    return sorted(
        (
            p
            for p in Path(folder).iterdir()
            if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in PHOTO_SUFFIXES
        ),
        key=lambda p: p.name,
    )


def _parse_exif_time(value: object) -> datetime | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value.strip().rstrip("\x00")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def _orientation(exif: Image.Exif) -> int:
    """The EXIF orientation (1-8); anything else (99, text) means upright as stored."""
    value = exif.get(_ORIENTATION, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


#: How a photo stored with each EXIF orientation is turned upright (as ``exif_transpose``).
_TURN = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
         4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
         6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}


def _upright(img: Image.Image, orientation: int) -> Image.Image:
    """A new image turned as ``orientation`` (from :func:`_orientation`) says."""
    method = _TURN.get(orientation)
    return img.transpose(method) if method is not None else img.copy()


def _open_error(path: Path, exc: Exception) -> InputError:
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


def _open_large(source: Path | io.BytesIO) -> Image.Image:
    """Open an image without Pillow's raw DecompressionBombWarning for 90-180 megapixels: such
    photos are read (and :func:`check_photos` warns about them in words); bigger ones refused."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(source)


def read_photo(path: Path) -> Photo:
    """Decode ``path`` fully (at 1/8 scale for JPEG) and describe it; damaged files raise.

    The full decode is what catches truncated files: opening only reads the header.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
        with _open_large(io.BytesIO(data)) as img:
            exif = img.getexif()
            orientation = _orientation(exif)
            sub = exif.get_ifd(_EXIF_IFD)
            taken = _parse_exif_time(sub.get(_DATETIME_ORIGINAL)) or _parse_exif_time(
                sub.get(_DATETIME_DIGITIZED)
            )
            w, h = img.size
            kind = img.format or ""
            if img.format == "JPEG":
                img.draft("RGB", (max(1, w // 8), max(1, h // 8)))
            img.load()
            upright = _upright(img, orientation)
            if upright.mode != "RGB":
                upright = upright.convert("RGB")
            pixel_hash = hashlib.sha256(f"{upright.size}".encode() + upright.tobytes()).hexdigest()
    except UNREADABLE as exc:
        raise _open_error(path, exc) from exc
    if orientation in (5, 6, 7, 8):
        w, h = h, w
    return Photo(
        path=path,
        width=w,
        height=h,
        orientation=orientation,
        taken=taken,
        sha256=hashlib.sha256(data).hexdigest(),
        pixel_hash=pixel_hash,
        kind=kind,
    )


def _order(photos: list[Photo], order: Sequence[str] | None, errors: list[Problem]) -> list[Photo]:
    """Explicit order first (by file name or stem), then by time taken, then by name."""

    def auto_key(p: Photo) -> tuple[int, datetime, str]:
        return (0, p.taken, p.path.name) if p.taken else (1, datetime.min, p.path.name)

    rest = sorted(photos, key=auto_key)
    if not order:
        return rest
    by_name: dict[str, Photo] = {}
    for p in photos:
        by_name.setdefault(p.path.name, p)
        by_name.setdefault(p.path.stem, p)
    placed: list[Photo] = []
    for name in order:
        photo = by_name.get(str(name))
        if photo is None:
            errors.append(
                Problem(
                    f"照片顺序中列出的「{name}」不在照片文件夹中",
                    f"photo order lists {name!r}, which is not in the photo folder",
                )
            )
        elif photo not in placed:
            placed.append(photo)
    return placed + [p for p in rest if p not in placed]


def check_photos(
    paths: Sequence[Path],
    *,
    expected: int | None = DEFAULT_EXPECTED,
    order: Sequence[str] | None = None,
    min_megapixels: float = MIN_MEGAPIXELS,
    where: str = "",
) -> PhotoCheck:
    """Read every photo and collect all problems: count, damage, duplicates, size, portrait.

    Errors block a build (wrong count, unreadable, duplicate); warnings are printed (portrait,
    small). ``where`` names the photo folder in messages about the set as a whole.
    """
    check = PhotoCheck()
    readable: list[Photo] = []
    for path in paths:
        try:
            readable.append(read_photo(path))
        except InputError as exc:
            check.errors.extend(exc.problems)
    seen_bytes: dict[str, Photo] = {}
    seen_pixels: dict[str, Photo] = {}
    unique: list[Photo] = []
    for photo in readable:
        first = seen_bytes.get(photo.sha256) or seen_pixels.get(photo.pixel_hash)
        if first is not None:
            check.errors.append(
                Problem(
                    f"照片与「{first.path.name}」内容相同(重复照片)",
                    f"photo has the same content as {first.path.name!r} (duplicate)",
                    Location(str(photo.path)),
                )
            )
            continue
        seen_bytes[photo.sha256] = photo
        seen_pixels[photo.pixel_hash] = photo
        unique.append(photo)
        if photo.megapixels < min_megapixels:
            check.warnings.append(
                Problem(
                    f"照片只有 {photo.width}×{photo.height} 像素(不足 {min_megapixels:g} 百万像素),"
                    "打印会模糊",
                    f"photo is only {photo.width}x{photo.height} pixels (under "
                    f"{min_megapixels:g} megapixels) and will print blurred",
                    Location(str(photo.path)),
                )
            )
        if photo.width * photo.height > (Image.MAX_IMAGE_PIXELS or math.inf):
            check.warnings.append(
                Problem(
                    f"照片有 {photo.megapixels:.0f} 百万像素({photo.width}×{photo.height}),"
                    "文件过大、处理很慢,建议缩小到 2000 万像素以内",
                    f"photo has {photo.megapixels:.0f} megapixels ({photo.width}x{photo.height}); "
                    "it is very large and slow to process, consider shrinking it below 20 "
                    "megapixels",
                    Location(str(photo.path)),
                )
            )
        if photo.portrait:
            check.warnings.append(
                Problem(
                    "照片摆正后是竖版,要求横版照片",
                    "photo is portrait once upright; landscape photos are required",
                    Location(str(photo.path)),
                )
            )
    if expected is not None and len(paths) != expected:
        check.errors.append(
            Problem(
                f"照片应为 {expected} 张,实际 {len(paths)} 张",
                f"expected {expected} photos, found {len(paths)}",
                Location(where),
            )
        )
    check.photos = _order(unique, order, check.errors)
    return check


def caption_for(path: Path, captions: Mapping[str, str] | None) -> str:
    """The caption of a photo: from ``captions`` by file name or stem, else the file stem.

    Characters no document holds are dropped (a file name may hold a BEL too); captions from a
    dossier or binder were cleaned and counted already (:func:`planforge.binder.clean_binder`).
    """
    path = Path(path)
    if captions:
        for key in (path.name, path.stem):
            text = captions.get(key)
            if text:
                return strip_xml_illegal(str(text))[0].strip()
    return strip_xml_illegal(path.stem)[0]


def fit_box(width: float, height: float, box_w: float, box_h: float) -> tuple[float, float]:
    """Largest size with the photo's aspect ratio that fits in the box."""
    scale = min(box_w / width, box_h / height)
    return width * scale, height * scale


def load_print_image(
    path: Path, box_mm: tuple[float, float] = (BOX_W_MM, BOX_H_MM), dpi: int = PRINT_DPI
) -> tuple[Image.Image, tuple[float, float]]:
    """Decode a photo upright and scaled for printing in ``box_mm``; returns it and its mm size.

    JPEG draft mode lets libjpeg decode at 1/2, 1/4 or 1/8 scale directly, far cheaper than
    decoding 12 megapixels and shrinking.
    """
    path = Path(path)
    try:
        with _open_large(path) as img:
            orientation = _orientation(img.getexif())
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
            upright = _upright(picture, orientation)
    except UNREADABLE as exc:
        raise _open_error(path, exc) from exc
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


def _jpeg_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88, optimize=True, dpi=(PRINT_DPI, PRINT_DPI))
    return buf.getvalue()


def _placed(
    photos: Sequence[Path], captions: Mapping[str, str] | None
) -> Iterator[tuple[int, bytes, tuple[float, float], str]]:
    """Yield (index, jpeg bytes, size in mm, caption), one decoded photo at a time."""
    for i, path in enumerate(photos):
        img, size = load_print_image(path)
        data = _jpeg_bytes(img)
        img.close()
        yield i, data, size, caption_for(path, captions)


def write_photo_docx(
    photos: Sequence[Path], out: Path, captions: Mapping[str, str] | None = None
) -> Path:
    """Write the photo pages as an editable Word file: two photos per A4 page, captioned."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    from .fonts import declare_chinese

    doc = Document()
    declare_chinese(doc)
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(PAGE_W_MM), Mm(PAGE_H_MM)
    sec.left_margin = sec.right_margin = Mm(MARGIN_X_MM)
    sec.top_margin = sec.bottom_margin = Mm(MARGIN_Y_MM)
    sec.header_distance = sec.footer_distance = Mm(6)
    for i, data, (w_mm, h_mm), caption in _placed(photos, captions):
        pic = doc.add_paragraph()
        pic.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt = pic.paragraph_format
        fmt.space_before = Mm(0) if i % 2 == 0 else Mm(4)
        fmt.space_after = Mm(1)
        fmt.page_break_before = i > 0 and i % 2 == 0
        fmt.keep_with_next = True
        pic.add_run().add_picture(io.BytesIO(data), width=Mm(w_mm), height=Mm(h_mm))
        cap = doc.add_paragraph()
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        cap.paragraph_format.space_after = Mm(2)
        run = cap.add_run(caption)
        run.font.size = Pt(CAPTION_PT)
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    write_atomic(out, lambda tmp: doc.save(str(tmp)))
    return out


def draw_photo_pages(
    canvas: object, photos: Sequence[Path], captions: Mapping[str, str] | None, font: str
) -> int:
    """Draw the photo pages on a reportlab canvas (two a page); returns the number of pages."""
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader

    c = canvas
    pages = 0
    slot_h = (PAGE_H_MM - 2 * MARGIN_Y_MM) / 2
    for i, data, (w_mm, h_mm), caption in _placed(photos, captions):
        top = PAGE_H_MM - MARGIN_Y_MM - (i % 2) * slot_h
        x = (PAGE_W_MM - w_mm) / 2
        y = top - h_mm
        c.drawImage(ImageReader(io.BytesIO(data)), x * mm, y * mm, w_mm * mm, h_mm * mm)  # type: ignore[attr-defined]
        c.setFont(font, CAPTION_PT)  # type: ignore[attr-defined]
        c.drawCentredString(PAGE_W_MM / 2 * mm, (y - 6) * mm, caption)  # type: ignore[attr-defined]
        if i % 2 == 1 or i == len(photos) - 1:
            c.showPage()  # type: ignore[attr-defined]
            pages += 1
    return pages


def write_photo_pdf(
    photos: Sequence[Path], out: Path, captions: Mapping[str, str] | None = None
) -> Path:
    """Write the photo pages as PDF directly (no LibreOffice needed)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from .binder import cjk_font

    texts = "".join(caption_for(p, captions) for p in photos)
    font = cjk_font(texts)

    def write(tmp: Path) -> None:
        c = Canvas(str(tmp), pagesize=A4)
        draw_photo_pages(c, photos, captions, font)
        c.save()

    write_atomic(out, write)
    return out


def write_photo_pages(
    photos: Sequence[Path], out: Path, captions: Mapping[str, str] | None = None
) -> Path:
    """Write photo pages as .docx or .pdf, chosen by the suffix of ``out``."""
    suffix = Path(out).suffix.lower()
    if suffix == ".docx":
        return write_photo_docx(photos, Path(out), captions)
    if suffix == ".pdf":
        return write_photo_pdf(photos, Path(out), captions)
    raise InputError(
        Problem(
            "照片页只能输出为 .docx 或 .pdf",
            "photo pages can only be written as .docx or .pdf",
            Location(str(out)),
        )
    )
