"""What inference found on a blank form, before it is written out as a plugin folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .headers import FieldGuess


@dataclass
class Inference:
    """The guessed document type: its fields, settings and the template made from the blank."""

    kind: str  # "excel" or "word"
    renderer: str
    source: Path
    document: Any  # the openpyxl workbook or python-docx document, changed in place
    sheet: str | None = None
    annex: int | None = None
    title: str | None = None
    fields: list[FieldGuess] = field(default_factory=list)
    settings: list[FieldGuess] = field(default_factory=list)
    file_name: str | None = None
    notes: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
