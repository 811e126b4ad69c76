"""Computed lists for declarative plugins: filter, add columns, group, join, count, sum, pick.

Periodic reports are counts and sums over the rows clerks keep (activities per pair and quarter,
units per type), so a ``plugin.yaml`` may describe them instead of a Python ``prepare``::

    derive:
      - name: log                     # every activity with the quarter its date falls in
        from: activities
        add: {quarter: "date|quarter"}
      - name: period                  # the quarter to report: --set quarter=…, else the latest
        from: log
        group_by: [quarter]
        sort_by: [quarter]
        where: "not settings.quarter or quarter == settings.quarter"
        pick: last
        required: true
      - name: rows                    # one row per pair with its counts in that quarter
        from: records
        join: {list: log, on: {mentor: mentor, mentee: mentee}, unmatched: error,
               where: "quarter == period.quarter"}
        count: {research: "kind == '网络教研'"}
        sum: {resources: "quantity if kind == '资源分享' else 0"}

Each step sets one name of the template context, in order, so later steps and the templates see
earlier results. Inside a step the operations run in a fixed order: ``add`` → ``where`` →
``group_by`` or ``join`` → ``count``/``sum`` → ``sort_by`` → ``pick``. Expressions are Jinja
expressions run in the same sandbox as templates, with the item's keys as names (and ``item``,
``settings`` and every earlier context name).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jinja2 import TemplateSyntaxError, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import InputError, Location, PluginError, Problem, TemplateError
from .model import WHERE_KEY, InputData, default_prepare
from .render.jinja import make_environment

STEP_KEYS = {"name", "from", "add", "where", "group_by", "join", "count", "sum", "sort_by",
             "pick", "required", "message"}
JOIN_KEYS = {"list", "on", "as", "where", "unmatched", "message"}
ITEMS_KEY = "rows"  # not "items": Jinja would find dict.items first
COUNT_KEY = "count"


def _fail(where: str, zh: str, en: str) -> PluginError:
    return PluginError(f"{where}: {zh} / {en}")


class Expression:
    """One compiled Jinja expression and the plugin.yaml key it came from."""

    def __init__(self, env: ImmutableSandboxedEnvironment, source: Any, where: str):
        self.where = where
        self.source = "true" if source is True else str(source)
        try:
            self._compiled = env.compile_expression(self.source, undefined_to_none=False)
        except TemplateSyntaxError as error:
            raise _fail(where, f"表达式「{self.source}」有误：{error}",
                        f"expression {self.source!r} is invalid: {error}") from None

    def __call__(self, names: Mapping[str, Any]) -> Any:
        try:
            result = self._compiled(**names)
        except Exception as error:  # Jinja, sandbox and Python errors of the expression alike
            raise TemplateError(f"{self.where}: 表达式「{self.source}」无法计算：{error} / "
                                f"cannot evaluate {self.source!r}: {error}") from None
        if isinstance(result, Undefined):
            raise TemplateError(f"{self.where}: 表达式「{self.source}」用到了不存在的名称 / "
                                f"expression {self.source!r} names something that does not exist")
        return result


@dataclass(frozen=True)
class Message:
    """A bilingual message template for problems found by a step."""

    zh: str
    en: str

    def render(self, env: ImmutableSandboxedEnvironment, names: Mapping[str, Any]) -> tuple[str,
                                                                                            str]:
        try:
            return env.from_string(self.zh).render(names), env.from_string(self.en).render(names)
        except Exception as error:
            raise TemplateError(f"message: {error}") from None


@dataclass(frozen=True)
class SortKey:
    key: str
    descending: bool = False
    order: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Join:
    """Attach to each item the items of another list whose ``on`` keys agree with it."""

    source: str
    on: tuple[tuple[str, str], ...]  # (key of this item, key of the other list's item)
    as_name: str = ITEMS_KEY
    where: Expression | None = None
    unmatched: str = "ignore"  # or "error": an item of the other list matching nothing
    message: Message | None = None


@dataclass(frozen=True)
class Step:
    """One ``derive`` entry: sets ``name`` in the context from the list at ``source``."""

    name: str
    source: str
    where_key: str
    add: tuple[tuple[str, Expression], ...] = ()
    where: Expression | None = None
    group_by: tuple[str, ...] = ()
    join: Join | None = None
    count: tuple[tuple[str, Expression], ...] = ()
    sum: tuple[tuple[str, Expression], ...] = ()
    sort_by: tuple[SortKey, ...] = ()
    pick: str | None = None
    required: bool = False
    message: Message | None = None


# ------------------------------------------------------------------------------------------------
# Reading the description


def _mapping(data: Any, where: str) -> dict:
    if not isinstance(data, dict):
        raise _fail(where, "应为键值表", "must be a mapping")
    return data


def _names(data: Any, where: str) -> tuple[str, ...]:
    items = [data] if isinstance(data, str) else data
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        raise _fail(where, "应为名称或名称列表", "must be a name or a list of names")
    return tuple(items)


def _expressions(env, data: Any, where: str) -> tuple[tuple[str, Expression], ...]:
    if data is None:
        return ()
    return tuple((str(key), Expression(env, value, f"{where}.{key}"))
                 for key, value in _mapping(data, where).items())


def _message(data: Any, where: str) -> Message | None:
    if data is None:
        return None
    if isinstance(data, str):
        zh, _, en = data.partition(" / ")
        return Message(zh, en or zh)
    data = _mapping(data, where)
    if set(data) - {"zh", "en"} or "zh" not in data:
        raise _fail(where, "应为文本，或含 zh、en 的键值表", "must be text or a mapping of zh and en")
    return Message(str(data["zh"]), str(data.get("en", data["zh"])))


def _sort_keys(data: Any, where: str) -> tuple[SortKey, ...]:
    if data is None:
        return ()
    items = [data] if isinstance(data, str | dict) else data
    if not isinstance(items, list):
        raise _fail(where, "应为列表", "must be a list")
    keys = []
    for index, item in enumerate(items):
        if isinstance(item, str) and item:
            keys.append(SortKey(item.lstrip("-"), item.startswith("-")))
        elif isinstance(item, dict) and isinstance(item.get("key"), str):
            unknown = set(item) - {"key", "order", "descending"}
            if unknown:
                raise _fail(f"{where}[{index}]", f"未知的键 {sorted(unknown)}",
                            f"unknown keys {sorted(unknown)}; allowed: key, order, descending")
            keys.append(SortKey(item["key"], bool(item.get("descending")),
                                tuple(item.get("order") or ())))
        else:
            raise _fail(f"{where}[{index}]", "应为键名（前加 - 表示降序）或 {key, order}",
                        "must be a key (prefix - for descending) or {key, order}")
    return tuple(keys)


def _join(env, data: Any, where: str) -> Join:
    data = dict(_mapping(data, where))
    if True in data and "on" not in data:  # YAML 1.1 reads a bare `on:` key as true
        data["on"] = data.pop(True)
    unknown = sorted(set(data) - JOIN_KEYS)
    if unknown:
        raise _fail(where, f"未知的键 {unknown}", f"unknown keys {unknown}; allowed: {sorted(JOIN_KEYS)}")
    if not data.get("list"):
        raise _fail(where, "缺少「list」", "'list' is required")
    on = data.get("on")
    if isinstance(on, str | list):
        pairs = tuple((key, key) for key in _names(on, f"{where}.on"))
    elif isinstance(on, dict) and on:
        pairs = tuple((str(mine), str(theirs)) for mine, theirs in on.items())
    else:
        raise _fail(where, "缺少「on」（用于匹配的键）", "'on' (the keys to match) is required")
    unmatched = data.get("unmatched", "ignore")
    if unmatched not in ("ignore", "error"):
        raise _fail(f"{where}.unmatched", "应为 ignore 或 error", "must be ignore or error")
    return Join(str(data["list"]), pairs, str(data.get("as", ITEMS_KEY)),
                Expression(env, data["where"], f"{where}.where") if "where" in data else None,
                unmatched, _message(data.get("message"), f"{where}.message"))


def parse_step(env: ImmutableSandboxedEnvironment, data: Any, where: str) -> Step:
    """One step of ``derive``; every mistake names its key."""
    data = _mapping(data, where)
    unknown = sorted(set(data) - STEP_KEYS)
    if unknown:
        raise _fail(where, f"未知的键 {unknown}", f"unknown keys {unknown}; allowed: {sorted(STEP_KEYS)}")
    for key in ("name", "from"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise _fail(where, f"缺少「{key}」", f"{key!r} is required")
    if "group_by" in data and "join" in data:
        raise _fail(where, "group_by 与 join 不能同时使用", "group_by and join cannot be combined")
    pick = data.get("pick")
    if pick not in (None, "first", "last"):
        raise _fail(f"{where}.pick", "应为 first 或 last", "must be first or last")
    return Step(
        name=data["name"],
        source=data["from"],
        where_key=where,
        add=_expressions(env, data.get("add"), f"{where}.add"),
        where=Expression(env, data["where"], f"{where}.where") if "where" in data else None,
        group_by=_names(data["group_by"], f"{where}.group_by") if "group_by" in data else (),
        join=_join(env, data["join"], f"{where}.join") if "join" in data else None,
        count=_expressions(env, data.get("count"), f"{where}.count"),
        sum=_expressions(env, data.get("sum"), f"{where}.sum"),
        sort_by=_sort_keys(data.get("sort_by"), f"{where}.sort_by"),
        pick=pick,
        required=bool(data.get("required", False)),
        message=_message(data.get("message"), f"{where}.message"),
    )


def environment(filters: Mapping[str, Callable[..., Any]] | None = None) -> (
    ImmutableSandboxedEnvironment
):
    """The sandbox derivations run in: planforge's own filters (plugins' are not known yet)."""
    from .default_plugins.filters import FILTERS

    return make_environment({**FILTERS, **(filters or {})}, autoescape=False)


def parse_entries(data: Any, where: str, parse_entry: Callable[..., Any],
                  env: ImmutableSandboxedEnvironment | None = None) -> tuple:
    """A list in plugin.yaml (``derive``, ``checks``): each entry read by ``parse_entry(env,
    entry, key)``, so a mistake names its key (``derive[2]``)."""
    if data is None:
        return ()
    if not isinstance(data, list):
        raise _fail(where, "应为列表", "must be a list")
    env = env or environment()
    return tuple(parse_entry(env, item, f"{where}[{i}]") for i, item in enumerate(data))


def parse_derive(data: Any, where: str,
                 env: ImmutableSandboxedEnvironment | None = None) -> tuple[Step, ...]:
    """The ``derive`` list of a document type."""
    steps = parse_entries(data, where, parse_step, env)
    names = [s.name for s in steps]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise _fail(where, f"名称重复：{repeated}", f"names repeat: {repeated}")
    return steps


# ------------------------------------------------------------------------------------------------
# Running it


def lookup(context: Mapping[str, Any], path: str, where: str) -> Any:
    """``period.items``: a dotted path into the context."""
    value: Any = context
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise TemplateError(f"{where}: 找不到「{path}」/ {path!r} does not exist "
                                f"(known: {', '.join(sorted(context))})")
        value = value[part]
    return value


def _as_list(value: Any, path: str, where: str) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [value]
    if not isinstance(value, list | tuple) or not all(isinstance(i, Mapping) for i in value):
        raise TemplateError(f"{where}: 「{path}」不是行的列表 / {path!r} is not a list of rows")
    return list(value)


def _names_for(context: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, Any]:
    return {**context, **item, "item": item}


def _sort_value(value: Any) -> tuple:
    return (value is None, value if value is not None else 0)


def _sorted(items: list[dict], keys: Sequence[SortKey], where: str) -> list[dict]:
    for key in reversed(keys):
        def rank(item: Mapping[str, Any], key: SortKey = key) -> tuple:
            value = item.get(key.key)
            if key.order:
                return (value not in key.order,
                        key.order.index(value) if value in key.order else 0, _sort_value(value))
            return _sort_value(value)
        try:
            items = sorted(items, key=rank, reverse=key.descending)
        except TypeError as error:
            raise TemplateError(f"{where}.sort_by: 无法排序「{key.key}」：{error} / "
                                f"cannot sort by {key.key!r}: {error}") from None
    return items


def _total(values: list[Any]) -> Any:
    numbers = [v for v in values if v is not None and v is not False]
    if any(isinstance(v, Decimal) for v in numbers):
        return sum((Decimal(str(v)) for v in numbers), Decimal(0))
    return sum(numbers) if numbers else 0


def _aggregate(step: Step, context: Mapping[str, Any], members: list[Mapping[str, Any]]) -> dict:
    result: dict[str, Any] = {COUNT_KEY: len(members)}
    for name, expression in step.count:
        result[name] = sum(1 for m in members if expression(_names_for(context, m)))
    for name, expression in step.sum:
        result[name] = _total([expression(_names_for(context, m)) for m in members])
    return result


def _group(step: Step, context: Mapping[str, Any], items: list[dict]) -> list[dict]:
    groups: dict[tuple, list[dict]] = {}
    for item in items:
        groups.setdefault(tuple(item.get(k) for k in step.group_by), []).append(item)
    return [{**dict(zip(step.group_by, key, strict=True)), ITEMS_KEY: members,
             **_aggregate(step, context, members)} for key, members in groups.items()]


def _key_text(item: Mapping[str, Any], keys: Sequence[str]) -> str:
    return "、".join(str(item.get(k)) for k in keys)


def _join_items(step: Step, join: Join, context: Mapping[str, Any], items: list[dict],
                env: ImmutableSandboxedEnvironment) -> list[dict]:
    where = f"{step.where_key}.join"
    others = _as_list(lookup(context, join.source, where), join.source, where)
    mine = [tuple(item.get(k) for k, _ in join.on) for item in items]
    known = set(mine)
    index: dict[tuple, list[Mapping[str, Any]]] = {}
    problems = []
    for other in others:
        key = tuple(other.get(k) for _, k in join.on)
        if key in known:
            index.setdefault(key, []).append(other)
        elif join.unmatched == "error":
            names = _names_for(context, other)
            theirs = [k for _, k in join.on]
            zh, en = (join.message.render(env, names) if join.message else (
                f"「{_key_text(other, theirs)}」在「{step.source}」中没有对应的行",
                f"{_key_text(other, theirs)!r} matches no row of {step.source!r}"))
            at = other.get(WHERE_KEY)
            problems.append(Problem(zh, en, at if isinstance(at, Location) else Location()))
    if problems:
        raise InputError(problems)
    result = []
    for item, key in zip(items, mine, strict=True):
        members = index.get(key, [])
        if join.where is not None:
            members = [m for m in members if join.where(_names_for(context, m))]
        result.append({**item, join.as_name: members, **_aggregate(step, context, members)})
    return result


def run_step(step: Step, context: dict[str, Any], env: ImmutableSandboxedEnvironment) -> Any:
    """The value ``step`` gives its name."""
    items = [dict(i) for i in _as_list(lookup(context, step.source, step.where_key), step.source,
                                        step.where_key)]
    for name, expression in step.add:
        for item in items:
            item[name] = expression(_names_for(context, item))
    if step.where is not None:
        items = [i for i in items if step.where(_names_for(context, i))]
    if step.group_by:
        items = _group(step, context, items)
    elif step.join is not None:
        items = _join_items(step, step.join, context, items, env)
    elif step.count or step.sum:
        return _aggregate(step, context, items)  # one mapping of totals over the whole list
    items = _sorted(items, step.sort_by, step.where_key)
    result: Any = items
    if step.pick:
        result = (items[0] if step.pick == "first" else items[-1]) if items else None
    if step.required and not result:
        names = dict(context)
        zh, en = (step.message.render(env, names) if step.message else (
            f"没有可用于「{step.name}」的数据（来自「{step.source}」）",
            f"no data for {step.name!r} (from {step.source!r})"))
        raise InputError(Problem(zh, en))
    return result


def make_prepare(steps: Sequence[Step], env: ImmutableSandboxedEnvironment | None = None) -> (
    Callable[[InputData, dict[str, Any]], dict[str, Any]]
):
    """A ``prepare`` callable: the rows as read, then each step in order."""
    env = env or environment()

    def prepare(data: InputData, settings: dict[str, Any]) -> dict[str, Any]:
        context: dict[str, Any] = {**default_prepare(data, settings), "settings": settings}
        for step in steps:
            context[step.name] = run_step(step, context, env)
        del context["settings"]  # the engine adds the settings itself
        return context

    prepare.steps = tuple(steps)  # type: ignore[attr-defined]
    return prepare
