"""What every zip planforge opens must pass: templates (.docx/.xlsx) and uploaded folders.

A member named ``../../x``, ``/x`` or ``C:\\x`` would be written outside the folder by a careless
unzip, and an archive whose members inflate a thousandfold exhausts memory or disk before
anything is read: both are refused before any member is opened.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

#: Small members compress well (styles, repeated XML) and are harmless; past this size a
#: member whose ratio only a bomb reaches is refused.
MAX_RATIO = 200
RATIO_FROM = 10 * 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


def open_zip(path: Path, kind: tuple[str, str],
             refuse: Callable[[str, str], Exception]) -> zipfile.ZipFile:
    """``path`` opened as a zip; a file that is none, or cannot be read, is refused with
    ``refuse(zh, en)`` naming what it should have been (``kind``, in Chinese and English)."""
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise refuse(f"不是有效的{kind[0]}（{error}）",
                     f"is not a valid {kind[1]} ({error})") from None


def leaves_folder(name: str) -> bool:
    """Whether a member name points outside the folder it is unzipped into (or holds control
    characters, which no real file name does)."""
    parts = name.replace("\\", "/").split("/")
    return (name.startswith(("/", "\\")) or bool(_DRIVE.match(name)) or ".." in parts
            or any(ord(c) < 32 for c in name))


def oversized(infos: Sequence[zipfile.ZipInfo], max_total: int) -> tuple[str, str] | None:
    """Why an archive is a bomb, in Chinese and English, or None: more than ``max_total``
    bytes unpacked, or a big member with an absurd compression ratio."""
    total = sum(info.file_size for info in infos)
    if total > max_total:
        return (f"解压后有 {total // 2**20} MB，超过上限 {max_total // 2**20} MB，疑似压缩炸弹",
                f"it inflates to {total // 2**20} MB, more than {max_total // 2**20} MB "
                "(a zip bomb?)")
    for info in infos:
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(1, info.compress_size):
            return (f"「{info.filename}」压缩比异常，疑似压缩炸弹",
                    f"{info.filename!r} has an absurd compression ratio (a zip bomb?)")
    return None
