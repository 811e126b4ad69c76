"""Plugins without Python: a folder with ``plugin.yaml`` (or ``plugin.toml``) and its templates.

The description becomes ordinary :class:`DocumentType` and :class:`Package` objects registered
through the same hooks as a Python plugin. Every mistake is reported with the key that holds it.
A document type's ``derive`` section (grouping, joining, counting; see :mod:`planforge.derive`)
becomes its ``prepare``, so periodic reports need no Python either.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any

from .checks import parse_checks, with_checks
from .derive import make_prepare, parse_derive
from .errors import InputError, PluginError
from .hookspecs import hookimpl
from .model import WORD_PER_RECORD, DocumentType, Field, Package, Split, TableSpec
from .settings import read_mapping

DECLARATIVE_FILES = ("plugin.yaml", "plugin.yml", "plugin.toml")
_FIELD_KEYS = {f.name for f in dataclass_fields(Field)}
_TYPE_KEYS = {"name", "title", "annex", "renderer", "template", "each", "file_name", "combined",
              "sheets", "fields", "settings", "tables", "sheet_lists", "description", "derive", "split",
              "checks", "pictures"}
_TABLE_KEYS = {"name", "title", "sheets", "fields", "required"}
_PACKAGE_KEYS = {"name", "title", "members", "settings", "description"}
_PLUGIN_KEYS = {"name", "description", "version", "document_types", "packages"}


class DeclarativePlugin:
    """The hook implementations of one declarative folder."""

    def __init__(self, name: str, document_types: list[DocumentType], packages: list[Package]):
        self.name = name
        self.document_types = document_types
        self.packages = packages

    @hookimpl
    def register_document_types(self, register):
        for document_type in self.document_types:
            register(document_type)

    @hookimpl
    def register_packages(self, register):
        for package in self.packages:
            register(package)


def _fail(where: str, zh: str, en: str) -> PluginError:
    return PluginError(f"{where}: {zh} / {en}")


def _check_keys(data: Any, allowed: set[str], where: str) -> dict:
    if not isinstance(data, dict):
        raise _fail(where, "应为键值表", "must be a mapping")
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise _fail(where, f"未知的键 {unknown}", f"unknown keys {unknown}; allowed: {sorted(allowed)}")
    return data


def _required(data: dict, key: str, where: str) -> Any:
    if data.get(key) in (None, ""):
        raise _fail(where, f"缺少「{key}」", f"{key!r} is required")
    return data[key]


def parse_field(data: Any, where: str) -> Field:
    data = dict(_check_keys(data, _FIELD_KEYS, where))
    _required(data, "name", where)
    data.setdefault("label", data["name"])
    for key in ("aliases", "choices"):
        value = data.get(key, ())
        data[key] = (value,) if isinstance(value, str) else tuple(value)
    if data["choices"] and "type" not in data:
        data["type"] = "choice"
    return Field(**data)


def _fields(items: Any, where: str) -> tuple[Field, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise _fail(where, "应为列表", "must be a list")
    return tuple(_each(items, lambda item, i: parse_field(item, f"{where}[{i}]")))


def _each(items: list, parse) -> list:
    """Parse every item, reporting every mistake at once (not only the first)."""
    parsed, mistakes = [], []
    for index, item in enumerate(items):
        try:
            parsed.append(parse(item, index))
        except PluginError as error:
            mistakes.append(str(error))
    if mistakes:
        raise PluginError("\n".join(mistakes))
    return parsed


def _inside(folder: Path, relative: str, where: str) -> Path:
    """Resolve a template path and refuse anything that leaves the plugin's folder."""
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise _fail(where, f"模板「{relative}」在插件目录之外，已拒绝",
                    f"template {relative!r} lies outside the plugin folder and is refused")
    if not path.is_file():
        raise _fail(where, f"找不到模板「{relative}」", f"template {relative!r} does not exist")
    return path


def parse_document_type(data: Any, folder: Path, where: str) -> DocumentType:
    data = _check_keys(data, _TYPE_KEYS, where)
    name = _required(data, "name", where)
    renderer = data.get("renderer", WORD_PER_RECORD)  # any registered kind: checked at loading
    if not isinstance(renderer, str):
        raise _fail(where, "renderer 应为文字", "renderer must be a name")
    fields = _fields(data.get("fields"), f"{where}.fields")
    tables = tuple(
        _table(item, f"{where}.tables[{i}]") for i, item in enumerate(data.get("tables") or [])
    )
    sheets = data.get("sheets") or ()
    primary = TableSpec("records", fields, tuple([sheets] if isinstance(sheets, str) else sheets))
    steps = parse_derive(data.get("derive"), f"{where}.derive")
    prepare = make_prepare(steps) if steps else None
    checks = parse_checks(data.get("checks"), f"{where}.checks")
    if checks:
        labels = {f.name: f.label for table in (*tables, primary) for f in table.fields}
        prepare = with_checks(prepare, checks, labels)
    return DocumentType(
        name=name,
        title=_required(data, "title", where),
        template=_inside(folder, _required(data, "template", where), where),
        renderer=renderer,
        fields=fields,
        inputs=(primary, *tables),
        settings=_fields(data.get("settings"), f"{where}.settings"),
        annex=data.get("annex"),
        each=data.get("each", "records"),
        sheet_lists=dict(data.get("sheet_lists") or {}),
        file_name=data.get("file_name", "{{ index }}"),
        combined=bool(data.get("combined", True)),
        description=data.get("description", ""),
        prepare=prepare,
        provides=tuple(step.name for step in steps),
        split=_split(data.get("split"), f"{where}.split"),
        pictures=dict(data.get("pictures") or {}),
    )


def _split(data: Any, where: str) -> Split | None:
    """``split: {setting: quarter, values: quarters, file_name: "{{ settings.quarter.label }}"}``"""
    if data is None:
        return None
    data = _check_keys(data, {"setting", "values", "file_name"}, where)
    _required(data, "setting", where)
    _required(data, "values", where)
    return Split(**data)


def _table(data: Any, where: str) -> TableSpec:
    data = _check_keys(data, _TABLE_KEYS, where)
    sheets = data.get("sheets") or ()
    return TableSpec(
        name=_required(data, "name", where),
        fields=_fields(data.get("fields"), f"{where}.fields"),
        sheets=tuple([sheets] if isinstance(sheets, str) else sheets),
        required=bool(data.get("required", False)),
        title=data.get("title", ""),
    )


def parse_package(data: Any, where: str) -> Package:
    data = _check_keys(data, _PACKAGE_KEYS, where)
    return Package(
        name=_required(data, "name", where),
        title=_required(data, "title", where),
        members=tuple(_required(data, "members", where)),
        settings=_fields(data.get("settings"), f"{where}.settings"),
        description=data.get("description", ""),
    )


def read_description(folder: Path) -> tuple[Path, dict]:
    for name in DECLARATIVE_FILES:
        path = folder / name
        if path.exists():
            try:
                return path, read_mapping(path, "插件描述", "plugin description")
            except InputError as error:
                raise PluginError(str(error.problems[0])) from None
    raise _fail(str(folder), "没有 plugin.yaml", "no plugin.yaml found")


def load_declarative(folder: Path) -> DeclarativePlugin:
    """Read and check a declarative plugin folder; raises PluginError naming the bad key."""
    path, data = read_description(folder)
    data = _check_keys(data, _PLUGIN_KEYS, str(path))
    name = data.get("name") or folder.name
    mistakes = []
    types: list[DocumentType] = []
    packages: list[Package] = []
    for key, found, parse in (
            ("document_types", types, lambda item, i: parse_document_type(
                item, folder, f"{path}: document_types[{i}]")),
            ("packages", packages, lambda item, i: parse_package(item, f"{path}: packages[{i}]"))):
        try:
            found.extend(_each(list(data.get(key) or []), parse))
        except PluginError as error:
            mistakes.append(str(error))
    if mistakes:
        raise PluginError("\n".join(mistakes))
    if not types and not packages:
        raise _fail(str(path), "没有声明任何文档类型", "declares no document types")
    for item in (*types, *packages):
        item.source = name
    return DeclarativePlugin(name, types, packages)
