"""BINDER.yaml: a booklet listed by hand (cover lines, titled sections of files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from planforge.errors import InputError, Location, Problem
from planforge.settings import read_mapping

from .model import Binder, Cover, Document, Section
from .paths import resolve_inside


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def load_binder_yaml(path: Path) -> Binder:
    """Read a binder file: ``title``, cover lines, ``sections: [{title, files: [...]}]``.

    Every file is resolved relative to the YAML's folder and must stay inside it.
    """
    path = Path(path)
    where = Location(str(path))
    data = read_mapping(path, "装订清单", "binder file")
    base = path.parent
    problems: list[Problem] = []
    title = _text(data.get("title") or data.get("标题"))
    if not title:
        problems.append(Problem("缺少 title(封面标题)", "missing title (cover title)", where))
    lines = [
        _text(data.get(k))
        for k in ("subtitle", "副标题", "date", "日期", "organisation", "organization", "单位")
        if _text(data.get(k))
    ]
    extra = data.get("lines") or data.get("cover_lines") or []
    lines += [_text(x) for x in (extra if isinstance(extra, list) else [extra]) if _text(x)]
    sections: list[Section] = []
    raw_sections = data.get("sections") or data.get("章节") or []
    if not isinstance(raw_sections, list) or not raw_sections:
        problems.append(Problem("缺少 sections(章节列表)", "missing sections (a list)", where))
        raw_sections = []
    for number, raw in enumerate(raw_sections, start=1):
        if not isinstance(raw, dict) or not _text(raw.get("title") or raw.get("标题")):
            problems.append(
                Problem(
                    f"第 {number} 个章节缺少 title",
                    f"section {number} has no title",
                    where,
                )
            )
            continue
        docs: list[Document] = []
        files = raw.get("files") or raw.get("文件") or []
        for item in files if isinstance(files, list) else [files]:
            name, label = (
                (item.get("file") or item.get("path"), _text(item.get("title")))
                if isinstance(item, dict)
                else (item, "")
            )
            try:
                resolved = resolve_inside(base, _text(name), where)
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            if not resolved.is_file():
                problems.append(
                    Problem(
                        f"装订清单中的文件「{name}」不存在",
                        f"file {name!r} listed in the binder does not exist",
                        where,
                    )
                )
                continue
            docs.append(Document(resolved, label))
        sections.append(Section(_text(raw.get("title") or raw.get("标题")), tuple(docs)))
    if problems:
        raise InputError(problems)
    return Binder(Cover(title, tuple(lines)), tuple(sections))

