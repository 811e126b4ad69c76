"""Run settings from ``--set key=value`` and settings files."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Location, Problem
from .yamlload import in_both_languages, load_yaml


def parse_assignments(pairs: Iterable[str]) -> dict[str, Any]:
    """``--set year=2020`` pairs; the value stays text and is typed by the setting's field."""
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(Problem(
                f"设置「{pair}」应写作 键=值，例如 year=2020",
                f"setting {pair!r} must look like key=value, e.g. year=2020",
                Location("--set"),
            ))
        values[key.strip()] = value.strip()
    return values


def read_mapping(path: Path, what_zh: str = "设置文件", what_en: str = "settings file") -> dict:
    """A YAML, JSON or TOML file holding a mapping (settings, dossier.yaml, a binder list)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix.lower() == ".json":
            data = json.loads(text, object_pairs_hook=_unrepeated)
        elif path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        else:
            data = load_yaml(text, path)
    except (OSError, ValueError, yaml.YAMLError) as error:
        zh, en = in_both_languages(error)
        raise InputError(Problem(f"无法读取{what_zh}：{zh}", f"cannot read the {what_en}: {en}",
                                 Location(str(path)))) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(Problem(f"{what_zh}应为键值表", f"the {what_en} must be a mapping",
                                 Location(str(path))))
    return data


def _unrepeated(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused when it gives a key twice (JSON would keep the last silently)."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"键「{key}」重复 / key {key!r} is given twice")
        data[key] = value
    return data


def gather_settings(pairs: Iterable[str], settings_file: str | Path | None
                    ) -> tuple[dict[str, Any], str]:
    """A command's settings: the ``--settings`` file, then ``--set`` pairs over it; and where
    they came from, for error messages."""
    values: dict[str, Any] = {}
    pairs = tuple(pairs)
    origin = "--set"
    if settings_file:
        values.update(read_mapping(Path(settings_file)))
        origin = f"{settings_file} / --set" if pairs else str(settings_file)
    values.update(parse_assignments(pairs))
    return values, origin
