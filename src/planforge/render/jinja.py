"""The one place Jinja environments are made: sandboxed, immutable, with plugin filters.

Templates come from other offices and values from spreadsheets, so neither may reach Python
internals, mutate data, or read files. Undefined names render empty only when the value is None;
a name the context does not have at all is an error that names it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import StrictUndefined
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from ..errors import TemplateError

_SAFE_GLOBALS = ("range", "dict", "namespace")


def _finalize(value: Any) -> Any:
    return "" if value is None else value


def make_environment(filters: Mapping[str, Callable[..., Any]], autoescape: bool) -> (
    ImmutableSandboxedEnvironment
):
    """A sandbox with only the filters plugins registered and a few harmless globals."""
    env = ImmutableSandboxedEnvironment(
        autoescape=autoescape, undefined=StrictUndefined, finalize=_finalize,
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


def render_text(env: ImmutableSandboxedEnvironment, source: str, context: Mapping[str, Any],
                template: str) -> str:
    """Render a short pattern (a cell, a file name) with errors named after ``template``."""
    try:
        return env.from_string(source).render(context)
    except (JinjaTemplateError, SecurityError, TypeError, ValueError, AttributeError) as error:
        raise template_failure(template, error) from None
