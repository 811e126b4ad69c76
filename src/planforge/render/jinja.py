"""The one place Jinja environments are made: sandboxed, immutable, with plugin filters.

Templates come from other offices and values from spreadsheets, so neither may reach Python
internals, mutate data, or read files. Undefined names render empty only when the value is None;
a name the context does not have at all is an error that names it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from ..errors import TemplateError

_SAFE_GLOBALS = ("range", "dict", "namespace")
#: The longest string or list ``*`` may make, and the largest power ``**`` may compute: a
#: template must not exhaust memory or the processor with ``'a' * 10**10``.
MAX_PRODUCT = 1_000_000
MAX_POWER_DIGITS = 1_000


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


class _LimitedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with ``*`` and ``**`` bounded."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if (isinstance(sequence, str | list | tuple) and isinstance(count, int)
                        and len(sequence) * count > MAX_PRODUCT):
                    raise SecurityError(f"the result of * would be longer than {MAX_PRODUCT}")
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and (
                right > 0 and abs(left) > 1 and right * math.log10(abs(left)) > MAX_POWER_DIGITS):
            raise SecurityError(f"the result of ** would have more than {MAX_POWER_DIGITS} digits")
        return super().call_binop(context, operator, left, right)


def make_environment(filters: Mapping[str, Callable[..., Any]], autoescape: bool) -> (
    ImmutableSandboxedEnvironment
):
    """A sandbox with only the filters plugins registered and a few harmless globals."""
    env = _LimitedSandbox(
        autoescape=autoescape, undefined=StrictUndefined, finalize=printed,
        keep_trailing_newline=True,
    )
    env.globals = {name: env.globals[name] for name in _SAFE_GLOBALS if name in env.globals}
    env.filters.update(filters)
    return env


def template_failure(template: str, error: Exception) -> TemplateError:
    """Explain a failed render without leaking a traceback to the clerk."""
    if isinstance(error, SecurityError):
        return TemplateError(
            f"模板「{template}」试图访问不允许的内容，已拒绝：{error} / "
            f"template {template!r} tried to reach something forbidden and was refused: {error}"
        )
    if isinstance(error, JinjaTemplateError):
        return TemplateError(
            f"模板「{template}」有错误：{error} / template {template!r} is invalid: {error}"
        )
    return TemplateError(f"模板「{template}」无法填写：{error} / cannot fill template {template!r}: {error}")


@lru_cache(maxsize=512)
def _compiled(env: ImmutableSandboxedEnvironment, source: str) -> Template:
    """A pattern (file name, cell) is compiled once, not once per record."""
    return env.from_string(source)


def render_text(env: ImmutableSandboxedEnvironment, source: str, context: Mapping[str, Any],
                template: str) -> str:
    """Render a short pattern (a cell, a file name) with errors named after ``template``."""
    try:
        return _compiled(env, source).render(context)
    except Exception as error:  # whatever a template or a filter in it raises is the template's
        raise template_failure(template, error) from None
