"""Run settings from ``--set key=value`` and settings files."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Location, Problem


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


def read_settings_file(path: Path) -> dict[str, Any]:
    """A YAML, JSON or TOML mapping of settings."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        elif path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        else:
            data = yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise InputError(Problem(f"无法读取设置文件：{error}", f"cannot read the settings file: {error}",
                                 Location(str(path)))) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(Problem("设置文件应为键值表", "the settings file must be a mapping",
                                 Location(str(path))))
    return data
