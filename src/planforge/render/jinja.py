"""The one place Jinja environments are made: sandboxed, immutable, with plugin filters.

Templates come from other offices and values from spreadsheets, so neither may reach Python
internals, mutate data, or read files. Undefined names render empty only when the value is None;
a name the context does not have at all is an error that names it.

Nor may a template exhaust the machine: every filter's result, every ``*``, ``+``, ``~``, ``%``
and ``str.format``, and every list or dict printed (shared items counted each time they appear)
is bounded in size, checked before the work where the size is known in advance; and each render
(one form, one cell, one file name) may run at most :data:`MAX_STEPS` loop iterations and calls
and :data:`RENDER_SECONDS` seconds. The count lives in a thread-local, so
the limits hold in worker processes and threads alike, and costs a counter per iteration.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from functools import lru_cache, wraps
from string import Formatter
from typing import Any

from jinja2 import StrictUndefined, Template, nodes
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from ..errors import TemplateError

_SAFE_GLOBALS = ("range", "dict", "namespace")
#: The longest string or list ``*`` may make, and the largest power ``**`` may compute: a
#: template must not exhaust memory or the processor with ``'a' * 10**10``.
MAX_PRODUCT = 1_000_000
MAX_POWER_DIGITS = 1_000
#: The longest text (or list) one filter, ``+``, ``~``, ``%`` or ``str.format`` may make. A whole
#: 公示名单 joined into one cell is a few hundred thousand characters.
MAX_TEXT = 10_000_000
#: Loop iterations plus calls (functions, methods, macros; not filters) one render may make: a
#: list looping over 100,000 records stays far below; two nested ``range(99999)`` loops do not.
MAX_STEPS = 2_000_000
#: The whole text one render makes (a form's XML): a province's roster in one document is a
#: tenth of it.
MAX_OUTPUT = 200_000_000
#: Wall time of one render (one form, one cell, one file name; a combined 公示名单 streamed
#: record by record is one render, and takes tens of seconds for 50,000 people).
RENDER_SECONDS = 300.0
_CLOCK_EVERY = 1024  # steps between looks at the clock


class ResourceLimitError(SecurityError):
    """A render went past one of the limits above; says which in Chinese and English."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # crosses to and from worker processes
        return type(self), (self.zh, self.en)


class _Budget(threading.local):
    steps = MAX_STEPS
    deadline = math.inf


_BUDGET = _Budget()


def _step() -> None:
    """Count one loop iteration or call of the current render; stop it past a limit."""
    budget = _BUDGET
    budget.steps -= 1
    if budget.steps % _CLOCK_EVERY == 0:
        if budget.steps <= 0:
            raise ResourceLimitError(f"循环与调用超过 {MAX_STEPS} 次",
                                     f"more than {MAX_STEPS} loop iterations and calls")
        if time.monotonic() > budget.deadline:
            raise ResourceLimitError(f"填写超过 {RENDER_SECONDS:g} 秒",
                                     f"rendering took more than {RENDER_SECONDS:g} seconds")


def _counted(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _step()
        yield item


def _too_long(size: int, what: str) -> None:
    if size > MAX_TEXT:
        raise ResourceLimitError(f"「{what}」的结果将超过 {MAX_TEXT} 个字符",
                                 f"the result of {what} would be longer than {MAX_TEXT} characters")


def _sized(value: Any, limit: int = MAX_TEXT, depth: int = 100) -> int:
    """Characters or items of text, a list, tuple or dict as printed, shared items counted each
    time they appear; counting stops once past ``limit`` (so it costs at most that many steps)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, Mapping):
        items: Iterable[Any] = value.values()
    elif isinstance(value, list | tuple):
        items = value
    else:
        return 0
    total = len(value)
    if not depth:
        return limit + 1  # nested deeper than any form needs: treated as too big
    for item in items:
        if total > limit:
            break
        if isinstance(item, str | list | tuple | Mapping):
            total += _sized(item, limit - total, depth - 1)
    return total


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?([#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d*))?)[hlL]?"
                           r"[diouxXeEfFgGcrsa%]")
_NUMBER = re.compile(r"\d+")


def _check_widths(specs: Iterable[str], what: str) -> None:
    for spec in specs:
        if "*" in spec or "{" in spec:
            raise ResourceLimitError(f"「{what}」的宽度须直接写成数字",
                                     f"widths in {what} must be written as numbers")
        for number in _NUMBER.findall(spec):
            _too_long(int(number), what)


def _check_percent(template: Any) -> None:
    if isinstance(template, str):
        _check_widths(_PERCENT_SPEC.findall(template), "%")


def _check_braces(template: str) -> None:
    _check_widths((spec for _, _, spec, _ in Formatter().parse(template) if spec), "format")


def _arguments(args: tuple, kwargs: dict, names: tuple[str, ...],
               defaults: tuple[Any, ...]) -> list[Any]:
    """A filter's arguments after the value, by position or name, with their defaults."""
    return [args[i] if i < len(args) else kwargs.get(name, default)
            for i, (name, default) in enumerate(zip(names, defaults, strict=True))]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _before_center(value: Any, args: tuple, kwargs: dict) -> None:
    (width,) = _arguments(args, kwargs, ("width",), (80,))
    if isinstance(width, int):
        _too_long(width, "center")


def _before_indent(value: Any, args: tuple, kwargs: dict) -> None:
    (width,) = _arguments(args, kwargs, ("width",), (4,))
    each = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    text = _text(value)
    _too_long(len(text) + each * (text.count("\n") + 1), "indent")


def _before_replace(value: Any, args: tuple, kwargs: dict) -> None:
    old, new, count = _arguments(args, kwargs, ("old", "new", "count"), ("", "", None))
    text, old, new = _text(value), _text(old), _text(new)
    found = text.count(old)
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    _too_long(len(text) + found * max(0, len(new) - len(old)), "replace")


def _before_wordwrap(value: Any, args: tuple, kwargs: dict) -> None:
    width, _, wrapstring = _arguments(args, kwargs, ("width", "break_long_words", "wrapstring"),
                                      (79, True, None))
    text = _text(value)
    lines = len(text) // max(1, width if isinstance(width, int) else 1) + text.count("\n") + 1
    _too_long(len(text) + lines * len(_text(wrapstring or "\n")), "wordwrap")


def _before_format(value: Any, args: tuple, kwargs: dict) -> None:
    _check_percent(_text(value))
    _printable(args)
    _printable(kwargs)


def _before_printing(value: Any, args: tuple, kwargs: dict) -> None:
    _printable(value)


#: Checks made before the built-in filters whose result can be far bigger than their input.
_BEFORE: dict[str, Callable[[Any, tuple, dict], None]] = {
    "center": _before_center, "indent": _before_indent, "replace": _before_replace,
    "wordwrap": _before_wordwrap, "format": _before_format,
    **dict.fromkeys(("pprint", "tojson", "string", "e", "escape", "forceescape", "safe", "trim",
                     "upper", "lower", "title", "capitalize", "urlize", "striptags"),
                    _before_printing),
}


def _bounded_join(join: Callable[..., Any]) -> Callable[..., Any]:
    """``join`` with its result measured from its parts before they are joined."""

    @wraps(join)
    def bounded(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
        items = list(value)
        _too_long(_sized(items) + max(0, len(items) - 1) * len(_text(d)), "join")
        return join(eval_ctx, items, d, attribute)

    return bounded


def _bounded(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose result may not exceed :data:`MAX_TEXT` (checked first where it can be)."""
    if name == "join":
        function = _bounded_join(function)
    before = _BEFORE.get(name)
    skip = 1 if hasattr(function, "jinja_pass_arg") else 0  # context or environment comes first

    @wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        if before is not None and len(args) > skip:
            before(args[skip], args[skip + 1:], kwargs)
        result = function(*args, **kwargs)
        if type(result) is not str or len(result) > MAX_TEXT:  # a list is printed when printed
            _too_long(len(result) if isinstance(result, str | list | tuple) else 0, f"|{name}")
        return result

    return bounded


#: How a yes/no value prints when a template shows it without a filter: a Chinese form wants
#: 是/否, never True/False (or TRUE/FALSE, 1/0 in a spreadsheet).
YES, NO = "是", "否"


def printed(value: Any) -> Any:
    """``value`` as a template prints it by default: None empty, a boolean 是/否."""
    if value is None:
        return ""
    if value is True or value is False:
        return YES if value else NO
    return value


#: Types printed as they are: most values, looked up faster than any isinstance test.
_SCALARS = frozenset({str, Markup, int, float, bool, Decimal, type(None), dt.date, dt.datetime})


def _printable(value: Any) -> Any:
    """Printing a list or dict makes text of every item it refers to, however often shared."""
    if type(value) not in _SCALARS and isinstance(value, list | tuple | Mapping):
        _too_long(_sized(value), "{{ }}")
    return value


def _bounded_finalize(value: Any) -> Any:
    if type(value) not in _SCALARS:
        _printable(value)
    return printed(value)


class _CountingCodeGenerator(CodeGenerator):
    """Jinja's code generator with every loop's iterations counted and ``~`` bounded."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:  # noqa: N802 - Jinja's name
        counted = nodes.Call(nodes.EnvironmentAttribute("counted"), [node.iter], [], None, None)
        super().visit_For(nodes.For(node.target, counted, node.body, node.else_, node.test,
                                    node.recursive, lineno=node.lineno), frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:  # noqa: N802
        """``a ~ b`` prints its parts (as Jinja's own, with escaping as the context says)."""
        if frame.eval_ctx.volatile:
            escaping = "context.eval_ctx.volatile"
        else:
            escaping = str(bool(frame.eval_ctx.autoescape))
        self.write("environment.concat_bounded((")
        for part in node.nodes:
            self.visit(part, frame)
            self.write(", ")
        self.write(f"), {escaping})")


class _LimitedTemplate(Template):
    """A template whose every render starts a fresh budget of steps and seconds."""

    def new_context(self, *args: Any, **kwargs: Any) -> Any:
        _BUDGET.steps, _BUDGET.deadline = MAX_STEPS, time.monotonic() + RENDER_SECONDS
        return super().new_context(*args, **kwargs)


class _LimitedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with sizes, loop iterations, calls and time bounded."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _CountingCodeGenerator
    template_class = _LimitedTemplate

    @staticmethod
    def counted(iterable: Iterable[Any]) -> Iterator[Any]:
        return _counted(iterable)

    @staticmethod
    def concat(parts: Iterable[str]) -> str:  # type: ignore[override]
        """Joins what a macro, a ``{% set %}`` block or a whole render made, bounded: a macro
        or block doubling its text in a loop must not grow past :data:`MAX_TEXT`."""
        if type(parts) is list:  # a macro's or block's buffer
            _too_long(sum(map(len, parts)), "macro / set")
            return "".join(parts)
        pieces, total = [], 0
        for piece in parts:  # a whole render, made piece by piece
            total += len(piece)
            if total > MAX_OUTPUT:
                raise ResourceLimitError(f"填写结果超过 {MAX_OUTPUT} 个字符",
                                         f"the filled template would be longer than "
                                         f"{MAX_OUTPUT} characters")
            pieces.append(piece)
        return "".join(pieces)

    @staticmethod
    def concat_bounded(parts: tuple[Any, ...], escaping: bool) -> str:
        _too_long(sum(_sized(_printable(part)) for part in parts), "~")
        return markup_join(parts) if escaping else str_join(parts)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if (isinstance(sequence, str | list | tuple) and isinstance(count, int)
                        and len(sequence) * count > MAX_PRODUCT):
                    raise SecurityError(f"the result of * would be longer than {MAX_PRODUCT}")
                if isinstance(sequence, list | tuple) and isinstance(count, int):
                    _too_long(len(sequence) * count, "*")
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and (
                right > 0 and abs(left) > 1 and right * math.log10(abs(left)) > MAX_POWER_DIGITS):
            raise SecurityError(f"the result of ** would have more than {MAX_POWER_DIGITS} digits")
        if (operator == "+" and isinstance(left, str | list | tuple)
                and isinstance(right, str | list | tuple)):
            _too_long(len(left) + len(right), "+")
        if operator == "%" and isinstance(left, str):
            _check_percent(left)
            _printable(right)
        return super().call_binop(context, operator, left, right)

    def compile_expression(self, source: str, undefined_to_none: bool = True
                           ) -> Callable[..., Any]:
        """An expression (an Excel cell) whose list or dict result is bounded as printed."""
        expression = super().compile_expression(source, undefined_to_none)

        def bounded(*args: Any, **kwargs: Any) -> Any:
            return _printable(expression(*args, **kwargs))

        return bounded

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _step()
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        _check_braces(value.__self__)

        def bounded(*args: Any, **kwargs: Any) -> str:
            _printable(args)
            _printable(kwargs)
            return wrapper(*args, **kwargs)

        return bounded


def make_environment(filters: Mapping[str, Callable[..., Any]], autoescape: bool) -> (
    ImmutableSandboxedEnvironment
):
    """A sandbox with only the filters plugins registered and a few harmless globals."""
    env = _LimitedSandbox(
        autoescape=autoescape, undefined=StrictUndefined, finalize=_bounded_finalize,
        keep_trailing_newline=True,
    )
    env.globals = {name: env.globals[name] for name in _SAFE_GLOBALS if name in env.globals}
    env.filters.update(filters)
    env.filters = {name: _bounded(name, function) for name, function in env.filters.items()}
    return env


def _place(error: Exception) -> int:
    """The template line a render failed at (0: unknown), from the frames Jinja rewrites."""
    line, trace = None, error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = trace.tb_lineno
        trace = trace.tb_next
    return getattr(error, "lineno", None) or line or 0


def template_failure(template: str, error: Exception,
                     describe: Callable[[int], tuple[str, str]] | None = None) -> TemplateError:
    """Explain a failed render without leaking a traceback to the clerk.

    ``describe`` turns the template line the failure happened at into the place a clerk looks
    for, in Chinese and English (a Word template's paragraph).
    """
    if isinstance(error, ResourceLimitError):
        zh, en = describe(_place(error)) if describe else ("", "")
        return TemplateError(
            f"模板「{template}」{zh}超出资源限制，已停止：{error.zh} / template {template!r}{en} "
            f"went past a resource limit and was stopped: {error.en}"
        )
    if isinstance(error, SecurityError):
        return TemplateError(
            f"模板「{template}」试图访问不允许的内容，已拒绝：{error} / "
            f"template {template!r} tried to reach something forbidden and was refused: {error}"
        )
    zh, en = describe(_place(error)) if describe else ("", "")
    if isinstance(error, JinjaTemplateError):
        return TemplateError(
            f"模板「{template}」{zh}有错误：{error} / template {template!r}{en} is invalid: {error}"
        )
    return TemplateError(f"模板「{template}」{zh}无法填写：{error} / cannot fill template "
                         f"{template!r}{en}: {error}")


@lru_cache(maxsize=512)
def _compiled(env: ImmutableSandboxedEnvironment, source: str) -> Template:
    """A pattern (file name, cell) is compiled once, not once per record."""
    return env.from_string(source)


def render_text(env: ImmutableSandboxedEnvironment, source: str, context: Mapping[str, Any],
                template: str, describe: Callable[[int], tuple[str, str]] | None = None) -> str:
    """Render a short pattern (a cell, a file name) with errors named after ``template``."""
    try:
        return _compiled(env, source).render(context)
    except Exception as error:  # whatever a template or a filter in it raises is the template's
        raise template_failure(template, error, describe) from None
