"""Word documents through docxtpl, rendered in the sandbox with autoescaping."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .jinja import template_failure


def render_docx(template: Path, context: Mapping[str, Any], env: ImmutableSandboxedEnvironment,
                target: Path) -> None:
    """Fill ``template`` with ``context`` and save it at ``target``."""
    document = DocxTemplate(str(template))
    try:
        document.render(dict(context), jinja_env=env, autoescape=True)
    except Exception as error:  # docxtpl surfaces Jinja, sandbox and XML errors alike
        raise template_failure(template.name, error) from None
    document.save(str(target))


def combine_docx(parts: Sequence[Path], target: Path, copies: int = 1) -> None:
    """One printable file: every part on its own page, each repeated ``copies`` times."""
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docxcompose.composer import Composer

    sequence = [part for part in parts for _ in range(max(1, copies))]
    if not sequence:
        return
    master = Document(str(sequence[0]))
    composer = Composer(master)
    for part in sequence[1:]:
        document = Document(str(part))
        first = document.element.body[0] if len(document.element.body) else None
        if first is not None and first.tag.endswith("}p"):
            # Breaking before the next form never leaves an empty page when a form fills its page.
            document.paragraphs[0].paragraph_format.page_break_before = True
        else:
            master.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        composer.append(document)
    composer.save(str(target))
