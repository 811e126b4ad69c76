"""Normalising text from clerks' spreadsheets, so that headers and values compare reliably."""

from __future__ import annotations

import re
import unicodedata

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
    text = str(text).replace("\u200b", "").replace("\ufeff", "")
    return _SPACES.sub(" ", text.replace("\u3000", " ").replace("\xa0", " ")).strip()


def strip_xml_illegal(text: str) -> tuple[str, bool]:
    """Remove characters a .docx/.xlsx cannot hold; say whether any were removed."""
    cleaned = _XML_ILLEGAL.sub("", text)
    return cleaned, cleaned != text


def fold_width(text: str) -> str:
    """normalize_value plus full-width digits and letters folded (２０２０ → 2020), for codes and numbers."""
    return normalize_value(unicodedata.normalize("NFKC", str(text)))
