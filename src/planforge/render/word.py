"""Word documents through docxtpl, rendered in the sandbox with autoescaping."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..fields import ImageFile
from .jinja import template_failure

IMAGE_WIDTH_MM = 60


def _place_images(value: Any, document: DocxTemplate) -> Any:
    """Image fields become pictures; docxtpl needs the document to build them."""
    if isinstance(value, ImageFile):
        return InlineImage(document, str(value), width=Mm(IMAGE_WIDTH_MM))
    if isinstance(value, Mapping):
        return {k: _place_images(v, document) for k, v in value.items()}
    if isinstance(value, list):
        return [_place_images(v, document) for v in value]
    return value


def render_docx(template: Path, context: Mapping[str, Any], env: ImmutableSandboxedEnvironment,
                target: Path) -> None:
    """Fill ``template`` with ``context`` and save it at ``target``."""
    document = DocxTemplate(str(template))
    try:
        document.render(_place_images(dict(context), document), jinja_env=env, autoescape=True)
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
