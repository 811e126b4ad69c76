"""Writing the inferred plugin folder: the template beside a plugin.yaml, and the review list."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..errors import PlanforgeError
from ..output import sanitize_filename, write_atomic
from .model import Inference

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _infer(blank: Path) -> Inference:
    suffix = blank.suffix.lower()
    if suffix == ".xlsx":
        from .excel import infer_xlsx

        return infer_xlsx(blank)
    if suffix == ".docx":
        from .word import infer_docx

        return infer_docx(blank)
    raise PlanforgeError(f"只能从 .docx 或 .xlsx 空白表推断，而不是「{blank.name}」 / "
                         f"a template is inferred from a blank .docx or .xlsx, not {blank.name!r}")


def description(found: Inference, name: str, template: str) -> dict:
    """plugin.yaml's content for what was found."""
    document = {"name": name, "title": found.title or name}
    if found.annex is not None:
        document["annex"] = found.annex
    document["renderer"] = found.renderer
    document["template"] = template
    if found.sheet:
        document["sheets"] = [found.sheet]
    if found.file_name:
        document["file_name"] = found.file_name
    document["fields"] = [f.as_yaml() for f in found.fields]
    ids = [f["name"] for f in document["fields"] if f.get("type") == "resident_id"]
    for field in document["fields"]:
        if field.get("type") == "sex" and len(ids) == 1:  # a form must not print them disagreeing
            field["matches_id"] = ids[0]
    if found.settings:
        document["settings"] = [{**s.as_yaml(), **({"default": ""} if s.type == "text" else {})}
                                for s in found.settings]
    return {"name": name, "description": f"{found.title or name}（由 planforge template infer "
            f"从「{found.source.name}」生成）", "document_types": [document]}


def infer_plugin(blank: Path, target: Path, force: bool = False) -> tuple[Path, list[str]]:
    """Write ``target/`` (its name is the document type's) and return it with the report."""
    blank, target = Path(blank), Path(target)
    name = target.name
    if not _NAME.match(name):
        raise PlanforgeError(f"文档类型名「{name}」只能用小写字母、数字和连字符，例如 visit-record / "
                             f"the document type name {name!r} may hold lowercase letters, digits "
                             "and hyphens only, e.g. visit-record")
    if not blank.is_file():
        raise PlanforgeError(f"找不到空白表「{blank}」 / blank form {str(blank)!r} not found")
    if target.exists() and any(target.iterdir()) and not force:
        raise PlanforgeError(f"「{target}」已存在且不为空；加 --force 覆盖 / {str(target)!r} exists "
                             "and is not empty; add --force to overwrite")
    found = _infer(blank)
    if found.problems:
        raise PlanforgeError("；".join(found.problems))
    target.mkdir(parents=True, exist_ok=True)
    template = sanitize_filename(blank.stem, blank.suffix.lower())
    write_atomic(target / template, lambda temporary: found.document.save(temporary))
    text = yaml.safe_dump(description(found, name, template), allow_unicode=True,
                          sort_keys=False, width=100)
    header = (f"# Made by `planforge template infer {blank.name}`: review the field types, the\n"
              "# required columns and the settings, then fill with\n"
              f"#   planforge --plugins-dir {target.parent} fill {name} DATA.xlsx -o OUT\n")
    write_atomic(target / "plugin.yaml",
                 lambda temporary: temporary.write_text(header + text, encoding="utf-8"))
    return target, report(found)


def report(found: Inference) -> list[str]:
    """What was guessed, line by line, so the author knows what to review."""
    lines = [f"附件 / annex: {found.annex if found.annex is not None else '（未找到 / none）'}",
             f"标题 / title: {found.title or '（未找到，用类型名 / none: the type name is used）'}",
             f"方式 / renderer: {found.renderer}", *found.notes, "字段 / fields:"]
    for field in found.fields:
        extras = [field.type]
        if field.required:
            extras.append("必填 / required")
        if field.choices:
            extras.append("可选 / choices: " + "、".join(field.choices))
        if field.aliases:
            extras.append("也可写作 / aliases: " + "、".join(field.aliases))
        lines.append(f"  {field.label} → {field.name} ({'; '.join(extras)})"
                     + (f"  [{field.why}]" if field.why else ""))
    lines.append("设置 / settings:" if found.settings else "设置 / settings: （无 / none）")
    lines.extend(f"  {s.label} → settings.{s.name} ({s.type})" for s in found.settings)
    if found.signatures:
        lines.append("签章 / signature block: " + "；".join(found.signatures))
    lines.append("请核对字段类型、必填列和设置 / review the field types, required columns and "
                 "settings in plugin.yaml")
    return lines
