"""Chinese faces for printing: the fontconfig mapping planforge's LibreOffice runs use, and the
East Asian language every Word document declares.

LibreOffice on Linux asks fontconfig for 宋体, 黑体 or 仿宋; without a mapping it gets whatever
CJK face sorts first, usually the Japanese one, and prints Japanese glyph variants on Chinese
official forms. ``fonts.conf`` maps the Windows names to Noto Serif/Sans CJK SC; the documents
keep the Windows names so Word and WPS print with the real faces.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

#: The fontconfig file for LibreOffice runs (set as FONTCONFIG_FILE unless the user set one).
FONTCONFIG = Path(__file__).with_name("fonts.conf")
EAST_ASIAN_LANGUAGE = "zh-CN"
#: Where installed fonts live (Debian/Ubuntu, local installs, a user's own).
FONT_FOLDERS = tuple(p for p in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
                                 Path.home() / ".fonts", Path.home() / ".local/share/fonts")
                     if p.is_dir())


def declare_chinese(document: Any) -> None:
    """Make a python-docx document's default East Asian language zh-CN (Latin stays en-US)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run_defaults.append(properties)
    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.append(language)
    language.set(qn("w:val"), language.get(qn("w:val")) or "en-US")
    language.set(qn("w:eastAsia"), EAST_ASIAN_LANGUAGE)


@cache
def advance_widths() -> dict[int, float]:
    """{code point: advance in em} of Noto Serif CJK SC, the face 宋体 prints with; empty when
    the font is not installed (callers then count CJK characters as 1 em)."""
    from fontTools.ttLib import TTFont

    for folder in FONT_FOLDERS:
        for path in sorted(Path(folder).rglob("NotoSerifCJK-Regular.tt[cf]")):
            for index in range(10):
                try:
                    font = TTFont(str(path), fontNumber=index, lazy=True)
                except Exception:  # past the collection's last face
                    break
                if "CJKsc" not in (font["name"].getDebugName(6) or ""):
                    continue
                scale = font["head"].unitsPerEm
                metrics = font["hmtx"].metrics
                return {code: metrics[glyph][0] / scale
                        for code, glyph in font.getBestCmap().items() if glyph in metrics}
    return {}
