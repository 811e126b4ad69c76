"""Checks on a .docx/.xlsx template before it is opened: no zip bombs, no external links, no
member names that leave the package.

Templates travel between offices by e-mail. A template whose parts inflate to gigabytes would
exhaust memory before any Jinja runs, and one whose relationships point outside the file (a
remote picture, an attached template on a server, a linked OLE object) makes Word fetch that
target whenever a filled form is opened. Both are refused before the template is read.
Hyperlinks are allowed: they are only followed when a reader clicks them. Every part of a template
is copied into every filled document, so a member named ``../../x`` or ``C:\\x`` would reach every
clerk who unzips a form with a careless tool: such names are refused too.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from lxml import etree

from ..archives import leaves_folder, open_zip, oversized
from ..errors import TemplateError

#: No real form template comes near these; a bomb passes them by orders of magnitude.
MAX_UNCOMPRESSED = 200 * 1024 * 1024
_HYPERLINK = "/hyperlink"


def _refuse(path: Path, zh: str, en: str) -> TemplateError:
    return TemplateError(f"模板「{path.name}」{zh}，已拒绝 / template {path.name!r} {en} and was "
                         "refused")


def check_office_package(path: Path) -> None:
    """Raise :class:`TemplateError` if ``path`` is a zip bomb or links to external targets."""
    path = Path(path)
    with open_zip(path, (" Office 文件", "Office file"), partial(_refuse, path)) as archive:
        infos = archive.infolist()
        for info in infos:
            if leaves_folder(info.filename):
                raise _refuse(path, f"中有成员名「{info.filename}」指向压缩包之外",
                              f"holds a member named {info.filename!r}, which points outside "
                              "the package")
        bomb = oversized(infos, MAX_UNCOMPRESSED)
        if bomb is not None:
            raise _refuse(path, f"：{bomb[0]}", f"is refused: {bomb[1]}")
        for info in infos:
            if info.filename.endswith(".rels"):
                _check_relationships(path, info.filename, archive.read(info))


def _check_relationships(path: Path, part: str, data: bytes) -> None:
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError as error:
        raise _refuse(path, f"中的「{part}」已损坏", f"has a damaged part {part!r}: "
                      f"{error}") from None
    for relation in root:
        if (relation.get("TargetMode") or "").lower() != "external":
            continue
        if (relation.get("Type") or "").endswith(_HYPERLINK):
            continue
        target = relation.get("Target") or ""
        kind = (relation.get("Type") or "").rsplit("/", 1)[-1]
        raise _refuse(path, f"链接到外部资源「{target}」（{kind}），打开填好的文件时会去获取它",
                      f"links to the external {kind} {target!r}, which every filled document "
                      "would fetch when opened")
