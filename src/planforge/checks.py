"""Rules a declarative plugin states about its rows: conditions and uniqueness, errors or warnings.

A ``plugin.yaml`` document type may list ``checks``; each runs over one context list (an input
table or a ``derive`` result) after the derivations::

    checks:
      - unique: [mentee, mentee_school]        # no two rows share these values
        column: mentee
      - rule: "mentor_school != mentee_school" # must be true for every row
        column: mentee_school
        message: {zh: "「{{ mentor }}」与「{{ mentee }}」在同一学校", en: "…"}
      - for: members_per_lead                  # a derived list (default: records)
        rule: "count <= 2"
        level: warning                         # the seed says 一般 or 原则上

An ``error`` stops the run (exit 2) before anything is written, with every other error of the
run; a ``warning`` is printed and the run goes on. Each problem names the row it is about (a
derived group names its first member's row) and the column's Chinese header.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment

from .derive import (
    ITEMS_KEY,
    Expression,
    Message,
    _as_list,
    _fail,
    _key_text,
    _message,
    _names,
    _names_for,
    environment,
    lookup,
    parse_entries,
)
from .errors import InputError, Location, Problem
from .model import WHERE_KEY, InputData, Prepare, default_prepare

CHECK_KEYS = {"for", "rule", "unique", "level", "column", "message"}
ERROR, WARNING = "error", "warning"
SETTINGS = "settings"


@dataclass(frozen=True)
class Check:
    """One entry of ``checks``: a condition per row, or columns whose values may not repeat."""

    where_key: str
    source: str = "records"
    rule: Expression | None = None
    unique: tuple[str, ...] = ()
    level: str = ERROR
    column: str | None = None
    message: Message | None = None


def parse_check(env: ImmutableSandboxedEnvironment, data: Any, where: str) -> Check:
    """One entry of ``checks``; every mistake names its key."""
    if not isinstance(data, dict):
        raise _fail(where, "应为键值表", "must be a mapping")
    unknown = sorted(set(data) - CHECK_KEYS)
    if unknown:
        raise _fail(where, f"未知的键 {unknown}", f"unknown keys {unknown}; allowed: {sorted(CHECK_KEYS)}")
    if ("rule" in data) == ("unique" in data):
        raise _fail(where, "应有 rule 或 unique 之一", "needs exactly one of rule and unique")
    level = data.get("level", ERROR)
    if level not in (ERROR, WARNING):
        raise _fail(f"{where}.level", "应为 error 或 warning", "must be error or warning")
    source = data.get("for", "records")
    if not isinstance(source, str) or not source:
        raise _fail(f"{where}.for", "应为列表名称", "must name a list")
    unique = _names(data["unique"], f"{where}.unique") if "unique" in data else ()
    if "unique" in data and not unique:
        raise _fail(f"{where}.unique", "应列出至少一列", "must name at least one column")
    column = data.get("column")
    return Check(
        where_key=where,
        source=source,
        rule=Expression(env, data["rule"], f"{where}.rule") if "rule" in data else None,
        unique=unique,
        level=level,
        column=None if column is None else str(column),
        message=_message(data.get("message"), f"{where}.message"),
    )


def parse_checks(data: Any, where: str,
                 env: ImmutableSandboxedEnvironment | None = None) -> tuple[Check, ...]:
    """The ``checks`` list of a document type."""
    return parse_entries(data, where, parse_check, env)


def _row_of(item: Mapping[str, Any]) -> Location:
    """The input row an item stands for: its own, or a group's first member's."""
    where = item.get(WHERE_KEY)
    if isinstance(where, Location):
        return where
    members = item.get(ITEMS_KEY)
    if isinstance(members, list) and members and isinstance(members[0], Mapping):
        return _row_of(members[0])
    return Location()


def _located(item: Mapping[str, Any], column: str | None) -> Location:
    row = _row_of(item)
    return Location(row.file, row.sheet, row.row, column) if column else row


def _blank(value: Any) -> bool:
    return value is None or value == ""


class CheckRunner:
    """Runs the checks of one document type against its context."""

    def __init__(self, checks: Sequence[Check], labels: Mapping[str, str],
                 env: ImmutableSandboxedEnvironment):
        self.checks, self.labels, self.env = tuple(checks), dict(labels), env

    def column(self, check: Check) -> str | None:
        """The header a problem points at: a field's Chinese label, else the text given."""
        name = check.column or (check.unique[0] if check.unique else None)
        return self.labels.get(name, name) if name else None

    def run(self, context: Mapping[str, Any]) -> tuple[list[Problem], list[Problem]]:
        """(errors, warnings) of every check, in the order the checks are listed."""
        errors: list[Problem] = []
        warnings: list[Problem] = []
        for check in self.checks:
            items = _as_list(lookup(context, check.source, check.where_key), check.source,
                             check.where_key)
            found = (self._unique(check, context, items) if check.unique
                     else self._rule(check, context, items))
            (warnings if check.level == WARNING else errors).extend(found)
        return errors, warnings

    def _problem(self, check: Check, names: Mapping[str, Any], item: Mapping[str, Any],
                 default: tuple[str, str]) -> Problem:
        zh, en = check.message.render(self.env, names) if check.message else default
        if check.source == SETTINGS:  # a rule about the settings points at the setting
            return Problem(zh, en, Location("--set", column=check.column))
        return Problem(zh, en, _located(item, self.column(check)))

    def _rule(self, check: Check, context: Mapping[str, Any],
              items: list[Mapping[str, Any]]) -> list[Problem]:
        problems = []
        for item in items:
            names = _names_for(context, item)
            if not check.rule(names):
                problems.append(self._problem(check, names, item, (
                    f"不符合规则「{check.rule.source}」", f"breaks the rule {check.rule.source!r}")))
        return problems

    def _unique(self, check: Check, context: Mapping[str, Any],
                items: list[Mapping[str, Any]]) -> list[Problem]:
        problems = []
        seen: dict[tuple, Mapping[str, Any]] = {}
        for item in items:
            key = tuple(item.get(k) for k in check.unique)
            if any(_blank(v) for v in key):
                continue
            first = seen.setdefault(key, item)
            if first is item:
                continue
            row = _row_of(first).row
            names = {**_names_for(context, item), "first": first}
            text = _key_text(item, check.unique)
            problems.append(self._problem(check, names, item, (
                f"「{text}」与第{row}行重复", f"{text!r} repeats row {row}")))
        return problems


def with_checks(prepare: Prepare | None, checks: Sequence[Check], labels: Mapping[str, str],
                env: ImmutableSandboxedEnvironment | None = None) -> Prepare:
    """``prepare`` followed by ``checks``: errors raise InputError, warnings join the run's.

    A warning is added once even when ``prepare`` runs again (one run per quarter of a split).
    """
    runner = CheckRunner(checks, labels, env or environment())
    inner = prepare or default_prepare

    def checked(data: InputData, settings: dict[str, Any]) -> dict[str, Any]:
        context = inner(data, settings)
        errors, warnings = runner.run({**context, "settings": settings})
        if errors:
            raise InputError(errors)
        data.warnings.extend(w for w in dict.fromkeys(warnings) if w not in data.warnings)
        return context

    checked.checks = runner.checks  # type: ignore[attr-defined]
    checked.steps = getattr(prepare, "steps", ())  # type: ignore[attr-defined]
    return checked
