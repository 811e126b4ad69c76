"""Paths from a user's YAML must stay in its folder."""

from __future__ import annotations

import os
from pathlib import Path

from planforge.errors import InputError, Location, Problem


def resolve_inside(base: Path, relative: str | os.PathLike[str], where: Location) -> Path:
    """Resolve ``relative`` against ``base`` and refuse anything that leaves ``base``.

    A binder or dossier file is often received from someone else; ``../`` or an absolute path
    or a symlink must not let it pull arbitrary files of this machine into a printed booklet.
    """
    text = os.fspath(relative)
    raw = Path(text)
    base_real = Path(base).resolve()
    escapes = (
        raw.is_absolute()
        or text.startswith(("/", "\\"))
        or (len(text) > 1 and text[1] == ":")
        or any(part == ".." for part in text.replace("\\", "/").split("/"))
    )
    if not escapes:
        candidate = (base_real / raw).resolve()
        escapes = not candidate.is_relative_to(base_real)
    if escapes:
        raise InputError(
            Problem(
                f"路径「{text}」指向文件夹 {base_real} 之外(不允许 ../、绝对路径或指向外部的链接)",
                f"path {text!r} points outside the folder {base_real} (../, absolute paths and "
                "links leading outside are refused)",
                where,
            )
        )
    return candidate

