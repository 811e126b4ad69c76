"""What a browser uploads, checked before anything reads it.

A file's name is only a label: it is sanitised before it becomes a path, and its content must be
what its extension says (a .xlsx is an Office package, a .csv is text, a .json starts like JSON).
An activity folder arrives as a .zip, which is unpacked member by member with the checks a
hostile archive calls for: no paths out of the folder, no links, no bombs.
"""

from __future__ import annotations

import stat
import zipfile
from functools import partial
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ..archives import leaves_folder, open_zip, oversized
from ..errors import InputError, Location, Problem
from ..output import sanitize_filename

DATA_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".txt", ".tsv", ".json", ".yaml", ".yml"}
#: An activity folder holds photos and courseware; more than this unpacked is not one.
MAX_UNPACKED = 2 * 1024**3
MAX_MEMBERS = 5000
_ZIP_UTF8_FLAG = 0x800


def _refuse(name: str, zh: str, en: str) -> InputError:
    return InputError(Problem(zh, en, Location(name)))


def save_data_file(name: str, stream: BinaryIO, folder: Path) -> Path:
    """Store one uploaded data file under a clean name; refuse what is not a data file."""
    clean = sanitize_filename(PurePosixPath(name.replace("\\", "/")).name or "data")
    suffix = Path(clean).suffix.lower()
    if suffix not in DATA_SUFFIXES:
        raise _refuse(clean, f"不支持的文件类型「{suffix or '无扩展名'}」（可用 .xlsx、.xls、.xlsb、.ods、.csv、.json、.yaml）",
                      f"unsupported file type {suffix or '(none)'!r} (use .xlsx, .xls, .xlsb, "
                      ".ods, .csv, .json or .yaml)")
    target = _unique(folder / clean)
    with target.open("wb") as out:
        while block := stream.read(1 << 20):
            out.write(block)
    _check_content(target, clean, suffix)
    return target


def _unique(path: Path) -> Path:
    """Two uploads may share a name (名单.xlsx from two townships): number the second."""
    candidate, counter = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem} ({counter}){path.suffix}")
        counter += 1
    return candidate


def _check_content(path: Path, name: str, suffix: str) -> None:
    head = path.read_bytes()[:4096]
    if not head:
        raise _refuse(name, "文件是空的", "the file is empty")
    if suffix in {".xlsx", ".xlsm", ".xlsb", ".ods"}:
        # Old .xls, encrypted workbooks and web pages are named by the reader itself.
        if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")) or b"<" in head[:64]:
            return
        raise _refuse(name, "文件内容不是 Excel 工作簿", "the file's content is not an Excel workbook")
    binary = head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x7fELF", b"MZ")) or (
        b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")))
    if binary and suffix not in {".xls"}:
        raise _refuse(name, "文件内容不是文本（是否选错了文件？）",
                      "the file's content is not text (the wrong file?)")


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author saw it: zips made by Chinese Windows store GBK names
    without the UTF-8 flag, which Python reads as code page 437."""
    if info.flag_bits & _ZIP_UTF8_FLAG:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def unpack_folder(archive: Path, target: Path) -> Path:
    """Unpack an uploaded .zip of a folder into ``target``; returns ``target``.

    Refused: member paths that leave the folder (``../``, absolute, drive letters), links,
    more than :data:`MAX_MEMBERS` members, more than :data:`MAX_UNPACKED` bytes, and members
    whose compression ratio only a bomb reaches.
    """
    label = archive.name
    with open_zip(archive, (" zip 压缩包", ".zip archive"), partial(_refuse, label)) as bundle:
        infos = bundle.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _refuse(label, f"压缩包内有 {len(infos)} 个文件，超过上限 {MAX_MEMBERS}",
                          f"the archive holds {len(infos)} files, more than {MAX_MEMBERS}")
        bomb = oversized(infos, MAX_UNPACKED)
        if bomb is not None:
            raise _refuse(label, *bomb)
        root = target.resolve()
        plan = []
        for info in infos:
            name = _member_name(info)
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if not parts or leaves_folder(name) or ":" in parts[0]:
                raise _refuse(label, f"压缩包中的「{name}」指向文件夹之外，已拒绝",
                              f"member {name!r} points outside the folder and was refused")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise _refuse(label, f"压缩包中的「{name}」是链接，已拒绝",
                              f"member {name!r} is a link and was refused")
            destination = root.joinpath(*(sanitize_filename(p) for p in parts))
            plan.append((info, destination))
        for info, destination in plan:
            if info.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            with bundle.open(info) as source, destination.open("wb") as out:
                while block := source.read(1 << 20):
                    written += len(block)
                    if written > info.file_size:  # the header lied about the size
                        raise _refuse(label, f"压缩包中的「{info.filename}」已损坏",
                                      f"member {info.filename!r} is damaged")
                    out.write(block)
    return target


def find_folder_with(root: Path, marker: str) -> Path | None:
    """The folder holding ``marker`` (``dossier.yaml``): the root or the one folder below it
    that archiving a folder (right-click → 压缩) puts everything into."""
    if (root / marker).is_file():
        return root
    found = sorted(p.parent for p in root.glob(f"*/{marker}") if p.is_file())
    return found[0] if len(found) == 1 else None
