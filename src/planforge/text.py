"""Normalising text from clerks' spreadsheets, so that headers and values compare reliably, and
cleaning text of what no document may hold."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

_SPACES = re.compile(r"\s+")
# Characters Word and LibreOffice refuse inside XML text: C0 controls except tab, LF, CR.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def normalize_header(text: str) -> str:
    """Fold full-width forms, spaces and brackets so `身份证号码 ` matches `身份证号码`."""
    folded = unicodedata.normalize("NFKC", str(text))
    folded = folded.replace("\u200b", "").replace("\ufeff", "")
    return _SPACES.sub("", folded).lower()


def normalize_value(text: str) -> str:
    """Trim and fold the white space (including NBSP and ideographic space) of a cell value."""
    text = str(text)
    if " " not in text and text.isprintable():
        return text  # no white space at all, nor U+200B, U+FEFF (not printable): nothing to do
    text = text.replace("\u200b", "").replace("\ufeff", "")
    return _SPACES.sub(" ", text.replace("\u3000", " ").replace("\xa0", " ")).strip()


def strip_xml_illegal(text: str) -> tuple[str, bool]:
    """Remove characters a .docx/.xlsx cannot hold; say whether any were removed."""
    cleaned = _XML_ILLEGAL.sub("", text)
    return cleaned, cleaned != text


def clean_context(value: Any) -> tuple[Any, int]:
    """Strip characters no .docx/.xlsx may hold from every string; count what was removed.

    Containers are copied only where something was removed: a context of many thousand rows
    is not duplicated to find out that it was clean.
    """
    if isinstance(value, str):
        cleaned, changed = strip_xml_illegal(value)
        if not changed:
            return value, 0
        return (type(value)(cleaned) if type(value) is not str else cleaned), 1
    if isinstance(value, Mapping):
        total, changes = 0, {}
        for key, item in value.items():
            cleaned, removed = clean_context(item)
            total += removed
            if cleaned is not item:
                changes[key] = cleaned
        if type(value) is dict and not changes:
            return value, 0
        return {**value, **changes}, total  # other mappings become plain dicts, as templates expect
    if isinstance(value, list | tuple):
        total, items = 0, list(value)
        for index, item in enumerate(value):
            items[index], removed = clean_context(item)
            total += removed
        same = type(value) is list and all(a is b for a, b in zip(items, value, strict=True))
        return (value if same else items), total
    return value, 0


def cleaned_note(values: int) -> str:
    """What a command prints after :func:`clean_context` removed characters from ``values``."""
    return (f"注意：已从 {values} 个值中删除文档不允许的控制字符 / note: removed control "
            f"characters from {values} value(s)")


def fold_width(text: str) -> str:
    """normalize_value plus full-width digits and letters folded (２０２０ → 2020), for codes and numbers."""
    return normalize_value(unicodedata.normalize("NFKC", str(text)))
