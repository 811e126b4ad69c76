"""Fonts for reportlab: the Chinese glyphs a page needs, embedded so it prints the same anywhere.

reportlab cannot use the CFF-flavoured Noto CJK fonts Debian ships, so the glyphs needed are
subset and converted to TrueType outlines with fontTools and embedded.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

_FONT_CACHE: dict[str, str] = {}
_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "C:/Windows/Fonts/simsun.ttc",
    "/System/Library/Fonts/Supplemental/Songti.ttc",
)


def font_file() -> Path | None:
    explicit = os.environ.get("PLANFORGE_CJK_FONT")
    for candidate in ([explicit] if explicit else []) + list(_FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _truetype_subset(path: Path, text: str, unique: str) -> bytes | None:
    """Subset ``path`` to ``text`` and return it as a TrueType (glyf) font, or None.

    The subset is renamed ``unique``: reportlab shares one face between fonts of equal name, so
    two subsets of the same font would otherwise draw with each other's glyphs.
    """
    try:
        from fontTools import subset
        from fontTools.pens.cu2quPen import Cu2QuPen
        from fontTools.pens.ttGlyphPen import TTGlyphPen
        from fontTools.ttLib import TTCollection, TTFont, newTable
    except ImportError:
        return None
    number = 0
    if path.suffix.lower() == ".ttc":
        coll = TTCollection(str(path), lazy=True)
        names = [f["name"].getDebugName(1) or "" for f in coll.fonts]
        number = next((i for i, n in enumerate(names) if n.endswith(" SC")), 0)
    font = TTFont(str(path), fontNumber=number)
    opts = subset.Options()
    opts.layout_features = []
    opts.hinting = False
    opts.notdef_outline = True
    opts.name_IDs = ["*"]
    sub = subset.Subsetter(opts)
    sub.populate(text=text + "0123456789 ")
    sub.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6):
            names.setName(unique, record.nameID, record.platformID, record.platEncID, record.langID)
    if "CFF " in font:
        order = font.getGlyphOrder()
        glyphs = font.getGlyphSet()
        glyf = newTable("glyf")
        glyf.glyphOrder = order
        glyf.glyphs = {}
        for name in order:
            pen = TTGlyphPen(None)
            glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
            glyf.glyphs[name] = pen.glyph()
        font["glyf"] = glyf
        font["loca"] = newTable("loca")
        for tag in ("CFF ", "VORG"):
            if tag in font:
                del font[tag]
        maxp = newTable("maxp")
        maxp.tableVersion = 0x00010000
        maxp.numGlyphs = len(order)
        for attr in [
            "maxPoints",
            "maxContours",
            "maxCompositePoints",
            "maxCompositeContours",
            "maxTwilightPoints",
            "maxStorage",
            "maxFunctionDefs",
            "maxInstructionDefs",
            "maxStackElements",
            "maxSizeOfInstructions",
            "maxComponentElements",
            "maxComponentDepth",
        ]:
            setattr(maxp, attr, 0)
        maxp.maxZones = 1
        font["maxp"] = maxp
        font["head"].glyphDataFormat = 0
        font["head"].indexToLocFormat = 0
        post = font["post"]
        post.formatType = 2.0
        post.extraNames = []
        post.mapping = {}
        font.sfntVersion = "\x00\x01\x00\x00"
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def cjk_font(text: str) -> str:
    """Register a reportlab font able to draw ``text`` (Chinese included) and return its name.

    Uses an embedded subset of Noto CJK (or ``PLANFORGE_CJK_FONT``) so the PDF prints the same
    everywhere; falls back to the standard non-embedded STSong-Light if no font can be used.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont as ReportlabTTFont

    chars = "".join(sorted(set(text)))
    key = hashlib.sha1(chars.encode("utf-8")).hexdigest()[:12]
    if key in _FONT_CACHE:
        return _FONT_CACHE[key]
    name = ""
    path = font_file()
    if path is not None:
        try:
            data = _truetype_subset(path, chars, f"PFCJK{key}")
            if data is None and path.suffix.lower() in (".ttf", ".ttc"):
                pdfmetrics.registerFont(ReportlabTTFont(f"PFCJK-{key}", str(path)))
                name = f"PFCJK-{key}"
            elif data is not None:
                pdfmetrics.registerFont(ReportlabTTFont(f"PFCJK-{key}", io.BytesIO(data)))
                name = f"PFCJK-{key}"
        except Exception:  # noqa: BLE001 - any font trouble falls back to the standard font
            name = ""
    if not name:
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        name = "STSong-Light"
        pdfmetrics.registerFont(UnicodeCIDFont(name))
    _FONT_CACHE[key] = name
    return name
