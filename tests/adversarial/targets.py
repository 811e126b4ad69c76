"""Minimal valid inputs for every document type and package the built-in plugins register.

A target with runnable sample data (``samples/<folder>`` holding data and ``settings.yaml``) uses
its first row; any other gets one row made from its fields' types. The data is written as JSON
so that any Unicode text (control characters included, which .xlsx cannot even store) reaches
planforge as a clerk's CSV or JSON export would.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from planforge.engine import Engine
from planforge.errors import InputError
from planforge.model import Field, Package, TableSpec
from planforge.plugins import Registry, load_plugins
from planforge.readers import read_table

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
ADULT_ID = "110105195001010015"  # born 1950, male; check digit valid


@dataclass
class Target:
    """One fillable name with a baseline that fills cleanly."""

    name: str
    tables: dict[str, list[dict[str, Any]]]  # JSON key (sheet) -> rows of header: value
    settings: dict[str, Any]
    previous: dict[str, list[dict[str, Any]]] | None = None  # last period's data, all rows
    text_cells: list[tuple[str, str]] = field(default_factory=list)  # (table key, header)
    text_settings: list[str] = field(default_factory=list)

    def write(self, folder: Path, cell: tuple[str, str] | None = None, setting: str | None = None,
              value: str = "") -> tuple[Path, Path, Path | None]:
        """The baseline with one text cell (of the first row) or one setting replaced."""
        tables = {key: [dict(row) for row in rows] for key, rows in self.tables.items()}
        settings = dict(self.settings)
        if cell is not None:
            tables[cell[0]][0][cell[1]] = value
        if setting is not None:
            settings[setting] = value
        folder.mkdir(parents=True, exist_ok=True)
        data, config = folder / "data.json", folder / "settings.json"
        data.write_text(json.dumps(tables, ensure_ascii=False, default=_plain), encoding="utf-8")
        config.write_text(json.dumps(settings, ensure_ascii=False, default=_plain),
                          encoding="utf-8")
        last = None
        if self.previous is not None:
            last = folder / "previous.json"
            last.write_text(json.dumps(self.previous, ensure_ascii=False, default=_plain),
                            encoding="utf-8")
        return data, config, last

    def args(self, folder: Path, **change: Any) -> list[str]:
        """``fill`` arguments for the baseline with ``change`` applied (see :meth:`write`)."""
        data, config, last = self.write(folder / "in", **change)
        extra = ["--previous", str(last)] if last else []
        return [self.name, str(data), "--settings", str(config), *extra]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))


@cache
def registry() -> Registry:
    return load_plugins()


def bound(reg: Registry, name: str) -> bool:
    """Bound, not filled from table rows: a type reading its own input (an activity folder, a
    photo folder, a BINDER.yaml; their texts are tried in test_control_characters and the
    dossier tests) or one whose kind binds files instead of filling a template (hardship-aid's
    LibreOffice-bound 专项档案)."""
    names = reg.packages[name].members if name in reg.packages else (name,)
    types = [reg.document_types[n] for n in names]
    return any(t.read is not None or not reg.renderers[t.renderer].fills_template for t in types)


def target_names() -> list[str]:
    """Packages, and the document types no package fills (members are covered by theirs)."""
    reg = registry()
    members = {m for p in reg.packages.values() for m in p.members}
    names = {*reg.packages, *(n for n in reg.document_types if n not in members)}
    return sorted(n for n in names if not bound(reg, n))


def _inputs(name: str) -> tuple[tuple[TableSpec, ...], tuple[Field, ...]]:
    job = Engine(registry()).job(name)
    return job.inputs, job.settings


def _sample_folders(name: str) -> list[Path]:
    reg = registry()
    target = reg.target(name)
    owners = [p.name for p in reg.packages.values() if name in p.members]
    members = list(target.members) if isinstance(target, Package) else []
    preferred = [SAMPLES / n for n in (name, *owners, *members, name.rsplit("-", 1)[0])]
    others = sorted(p for p in SAMPLES.iterdir() if p.is_dir()) if SAMPLES.is_dir() else []
    return [p for p in dict.fromkeys(preferred + others) if p.is_dir()]


def _rows(raw) -> list[dict[str, Any]]:
    rows = []
    for _, cells in raw.rows:
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        rows.append({h: c for h, c in zip(raw.headers, cells, strict=False) if h})
    return rows


def _tables(data: Path, specs: tuple[TableSpec, ...], first_only: bool) -> dict:
    """The tables of a sample; with ``first_only`` its first row and the rows that belong to it
    (a further table's rows whose shared columns, such as an ID number, hold the same values)."""
    tables: dict[str, list[dict[str, Any]]] = {}
    first: dict[str, Any] = {}
    for index, spec in enumerate(specs):
        raw = read_table(data, spec, primary=index == 0)
        if raw is None:
            continue
        rows = _rows(raw)
        if first_only and index == 0:
            rows, first = rows[:1], rows[0] if rows else {}
        elif first_only:
            rows = [r for r in rows if all(r[h] == first[h] for h in r if h in first)]
        tables[raw.sheet or "records"] = rows
    return tables


def _from_sample(name: str) -> tuple[dict, dict, dict | None] | None:
    """The first sample that fills: one row of it if that suffices, else all of it.

    Another data file of the same folder is tried as ``--previous`` (last year's roster).
    """
    specs, _ = _inputs(name)
    engine = Engine(registry())
    for folder in _sample_folders(name):
        settings_file = folder / "settings.yaml"
        settings = (yaml.safe_load(settings_file.read_text(encoding="utf-8")) or {}
                    if settings_file.exists() else {})
        files = sorted(folder.glob("*.xlsx"))
        for data in files:
            for previous in (None, *(f for f in files if f != data)):
                for first_only in (True, False):
                    try:
                        tables = _tables(data, specs, first_only)
                        last = _tables(previous, specs, False) if previous else None
                        probe = Target(name, tables, settings, previous=last)
                        with tempfile.TemporaryDirectory() as tmp:
                            data_file, _, last_file = probe.write(Path(tmp))
                            engine.prepare(name, [data_file], settings,
                                           previous=[last_file] if last_file else None)
                    except InputError:
                        continue
                    return tables, settings, last
    return None


def _synthetic_value(item: Field, index: int) -> Any:
    samples = {"integer": max(1, int(item.min or 0)), "amount": "100.00", "date": "2020-03-05",
               "month": "2020年3月", "yes_no": "否", "sex": "男", "resident_id": ADULT_ID,
               "phone": "13800138000", "quarter": "2020年第一季度", "text": f"值{index}"}
    if item.choices:
        return item.choices[0]
    return samples.get(item.type, f"值{index}")


def _synthesised(name: str) -> tuple[dict, dict, None]:
    specs, settings_fields = _inputs(name)
    tables = {}
    for spec in specs:
        key = spec.sheets[0] if spec.sheets else spec.name
        tables[key] = [{f.label: _synthetic_value(f, i) for i, f in enumerate(spec.fields)
                        if f.type != "image"}]
    settings = {s.name: _synthetic_value(s, i) for i, s in enumerate(settings_fields)
                if s.required and s.default is None}
    return tables, settings


def _text_field(item: Field) -> bool:
    return item.type == "text" and not item.choices and not item.pattern


@cache
def baseline(name: str) -> Target:
    """The target's baseline, and which text cells and settings its documents print.

    Every text cell of the first row and every text setting gets a marker; one run shows which
    markers reach a document. Those are the values the fuzzing varies and reads back.
    """
    tables, settings, previous = _from_sample(name) or _synthesised(name)
    specs, settings_fields = _inputs(name)
    first = next(iter(tables))
    markers: dict[tuple[str, Any], str] = {}
    for item in filter(_text_field, specs[0].fields):
        header = next((h for h in item.headers() if h in tables[first][0]), None)
        if header is not None:
            markers[("cell", (first, header))] = f"甲标{len(markers):02d}记"
    for item in filter(_text_field, settings_fields):
        markers[("setting", item.name)] = f"乙标{len(markers):02d}记"
    everything = Target(name, *_copy(tables, settings), previous=previous)
    for (kind, key), marker in markers.items():
        if kind == "cell":
            everything.tables[key[0]][0][key[1]] = marker
        else:
            everything.settings[key] = marker
    printed = _printed_markers(everything, set(markers.values()))
    for kind, key in [] if printed else markers:  # a marker broke a rule: one at a time
        probe = Target(name, *_copy(tables, settings), previous=previous)
        if kind == "cell":
            probe.tables[key[0]][0][key[1]] = markers[(kind, key)]
        else:
            probe.settings[key] = markers[(kind, key)]
        printed |= _printed_markers(probe, {markers[(kind, key)]})
    target = Target(name, tables, settings, previous=previous)
    target.text_cells = [key for (kind, key), m in markers.items() if kind == "cell" and m in printed]
    target.text_settings = [key for (kind, key), m in markers.items()
                            if kind == "setting" and m in printed]
    return target


def _copy(tables: dict, settings: dict) -> tuple[dict, dict]:
    return ({k: [dict(r) for r in rows] for k, rows in tables.items()}, dict(settings))


def _printed_markers(target: Target, markers: set[str]) -> set[str]:
    from .documents import document_text

    with tempfile.TemporaryDirectory() as tmp:
        result = fill(target.args(Path(tmp)), Path(tmp) / "out")
        if result.exit_code != 0:
            return set()
        text = "".join(document_text(p) for p in (Path(tmp) / "out").rglob("*") if p.is_file())
    return {m for m in markers if m in text}


def invoke(*args: str):
    """``planforge ARGS`` in-process with the built-in plugins loaded once per session."""
    from planforge.cli import State, cli

    state = State(None, False)
    state._registry = registry()
    return CliRunner().invoke(cli, [str(a) for a in args], obj={"state": state},
                              catch_exceptions=False)


def fill(args: list[str], out: Path, *extra: str):
    """``planforge fill ARGS -o OUT`` in-process, one worker; returns the click result."""
    return invoke("fill", *args, "-o", str(out), "--jobs", "1", *extra)
