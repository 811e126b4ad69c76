"""Activity photos: check them (count, damage, duplicates, size, orientation) and order them.

Photos are decoded one at a time (JPEGs at 1/8 scale), so a folder of 12-megapixel photos never
sits in memory together. How many photos a set must hold and whether they must be landscape
are the caller's rules (the activity dossier asks for ten landscape photos), not this module's.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from PIL import Image

from planforge.errors import InputError, Location, Problem
from planforge.text import strip_xml_illegal

from .images import UNREADABLE, open_error, open_large, orientation_of, turned_upright

#: Below this a printed half page looks blurred.
MIN_MEGAPIXELS = 1.0
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".heic", ".heif"})

_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 36867
_DATETIME_DIGITIZED = 36868
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
        """True when the photo, once upright, is taller than wide."""
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


def read_photo(path: Path) -> Photo:
    """Decode ``path`` fully (at 1/8 scale for JPEG) and describe it; damaged files raise.

    The full decode is what catches truncated files: opening only reads the header.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
        with open_large(io.BytesIO(data)) as img:
            exif = img.getexif()
            orientation = orientation_of(exif)
            sub = exif.get_ifd(_EXIF_IFD)
            taken = _parse_exif_time(sub.get(_DATETIME_ORIGINAL)) or _parse_exif_time(
                sub.get(_DATETIME_DIGITIZED)
            )
            w, h = img.size
            kind = img.format or ""
            if img.format == "JPEG":
                img.draft("RGB", (max(1, w // 8), max(1, h // 8)))
            img.load()
            upright = turned_upright(img, orientation)
            if upright.mode != "RGB":
                upright = upright.convert("RGB")
            pixel_hash = hashlib.sha256(f"{upright.size}".encode() + upright.tobytes()).hexdigest()
    except UNREADABLE as exc:
        raise open_error(path, exc) from exc
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
    expected: int | None = None,
    order: Sequence[str] | None = None,
    min_megapixels: float = MIN_MEGAPIXELS,
    landscape: bool = False,
    where: str = "",
) -> PhotoCheck:
    """Read every photo and collect all problems: count, damage, duplicates, size, portrait.

    Errors block a build (unreadable, duplicate, not the ``expected`` number when one is given);
    warnings are printed (small, and portrait when ``landscape`` photos are asked for).
    ``where`` names the photo folder in messages about the set as a whole.
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
        if landscape and photo.portrait:
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
    dossier or binder were cleaned and counted already (:func:`~planforge.default_plugins.booklet.model.clean_binder`).
    """
    path = Path(path)
    if captions:
        for key in (path.name, path.stem):
            text = captions.get(key)
            if text:
                return strip_xml_illegal(str(text))[0].strip()
    return strip_xml_illegal(path.stem)[0]
