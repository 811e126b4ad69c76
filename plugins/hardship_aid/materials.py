"""The materials sent up per teacher and how scans in a folder are recognised by their names.

Clerks scan into one folder per teacher (``材料/张三/身份证.jpg``). A file belongs to the first
material whose keyword its name contains, in the order below: 公示无异议证明 first, because its
name often also says 证明. The order of MATERIALS is also the binding order of the 专项档案.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from planforge.default_plugins.booklet import SUPPORTED_SUFFIXES

from .rules import DISASTER, ILLNESS

PRESENT, MISSING, NOT_NEEDED, UNCHECKED = "✓", "✗", "—", "☐"


@dataclass(frozen=True)
class Material:
    key: str
    label: str
    keywords: tuple[str, ...]
    needed_for: tuple[str, ...] = (ILLNESS, DISASTER)  # hardship types that require it


MATERIALS = (
    Material("id_card", "身份证复印件", ("身份证",)),
    Material("teacher_cert", "教师资格证复印件", ("教师资格证", "教师证", "资格证")),
    Material("diagnosis", "医院诊断证明", ("诊断", "病历", "出院"), (ILLNESS,)),
    Material("bills", "医疗费用票据", ("票据", "发票", "收据", "费用"), (ILLNESS,)),
    Material("notice", "公示无异议证明", ("公示",)),
    Material("disaster", "民政/村委会证明", ("民政", "村委", "居委", "灾"), (DISASTER,)),
)
#: Recognition order: a 公示 proof is checked before anything else its name might mention.
_RECOGNITION = sorted(MATERIALS, key=lambda m: m.key != "notice")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def recognise(name: str) -> Material | None:
    """The material a file name announces, or None."""
    stem = _fold(Path(name).stem)
    return next((m for m in _RECOGNITION if any(k in stem for k in m.keywords)), None)


@dataclass
class Found:
    """What one teacher's folder holds, material by material."""

    folder: Path | None
    files: dict[str, list[Path]] = field(default_factory=dict)
    unrecognised: list[Path] = field(default_factory=list)
    unsupported: list[Path] = field(default_factory=list)

    def status(self, material: Material, hardship: str | None) -> str:
        if self.files.get(material.key):
            return PRESENT
        return MISSING if hardship in material.needed_for else NOT_NEEDED

    def missing(self, hardship: str | None) -> list[Material]:
        return [m for m in MATERIALS
                if hardship in m.needed_for and not self.files.get(m.key)]


def _visible_files(folder: Path) -> list[Path]:
    return sorted(
        (p for p in folder.rglob("*") if p.is_file()
         and not any(part.startswith((".", "~$")) for part in p.relative_to(folder).parts)),
        key=lambda p: str(p.relative_to(folder)),
    )


def scan(folder: Path | None) -> Found:
    """Sort the files of one teacher's folder into materials (name order within each)."""
    found = Found(folder, {m.key: [] for m in MATERIALS})
    if folder is None:
        return found
    for path in _visible_files(folder):
        material = recognise(path.name)
        if material is None:
            found.unrecognised.append(path)
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            found.unsupported.append(path)
        else:
            found.files[material.key].append(path)
    return found


_SEPARATORS = re.compile(r"[\s_\-—－.、,，()（）\[\]【】]+")


def folder_matches(folder_name: str, name: str, id_number: str) -> bool:
    """``张三``, ``01 张三``, ``张三-实验小学`` or a name holding the ID number all match."""
    folded, wanted = _fold(folder_name), _fold(name)
    return (folded == wanted or id_number.lower() in folded
            or wanted in _SEPARATORS.split(folded))


def teacher_folders(root: Path, teachers: Sequence[tuple[str, str]]) -> dict[int, list[Path]]:
    """For each teacher (name, ID number) by position, the sub-folders of ``root`` naming them."""
    folders = [p for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith(".")]
    return {index: [f for f in folders if folder_matches(f.name, name, id_number)]
            for index, (name, id_number) in enumerate(teachers)}


def labels(materials: Iterable[Material]) -> str:
    return "、".join(m.label for m in materials)
