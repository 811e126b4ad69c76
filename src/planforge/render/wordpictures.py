"""Pictures of a Word template replaced per run: a region's logo, a scanned signature.

A document type maps a picture of its template (found as docxtpl's ``replace_pic`` finds it: by
the name, title or alt text Word gives it, in the body, headers or footers) to an ``image``
setting; the setting's file passed the image checks when the settings were read (inside the
folder, decodable, no decompression bomb). The new image is fitted into the picture's box without
stretching and stored in the format of the picture it replaces, so the template's layout holds.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml.ns import nsmap
from lxml import etree
from PIL import Image, ImageOps

from ..errors import TemplateError

_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/bmp": "BMP"}


def replacement_media(document, template: str, pictures: Mapping[str, Path]) -> dict[str, bytes]:
    """The template's image parts (zip member names) with the bytes that replace them."""
    if not pictures:
        return {}
    found = dict(_pictures(document))
    media = {}
    for name, path in pictures.items():
        if name not in found:
            known = "、".join(sorted(found)) or "无 / none"
            raise TemplateError(
                f"模板「{template}」中没有名为「{name}」的图片（有：{known}） / template {template!r} "
                f"has no picture named {name!r} (it has: {known})")
        part, box = found[name]
        image_format = _FORMATS.get(part.content_type)
        if image_format is None:
            raise TemplateError(
                f"模板「{template}」中的图片「{name}」是 {part.content_type}，无法替换 / picture "
                f"{name!r} of template {template!r} is {part.content_type} and cannot be replaced")
        media[str(part.partname).lstrip("/")] = _fitted(Path(path), box, image_format)
    return media


def _pictures(document):
    """(name, (image part, (width, height) of its box)) for every picture, by each of its names."""
    main = document.part
    parts = [main] + [rel.target_part for rel in main.rels.values()
                      if rel.reltype in (RELATIONSHIP_TYPE.HEADER, RELATIONSHIP_TYPE.FOOTER)]
    for part in parts:
        root = etree.fromstring(part.blob)
        for picture in root.iterfind(".//pic:pic", nsmap):
            embed = picture.find("pic:blipFill/a:blip", nsmap)
            properties = picture.find("pic:nvPicPr/pic:cNvPr", nsmap)
            extent = picture.find("pic:spPr/a:xfrm/a:ext", nsmap)
            rid = None if embed is None else embed.get(f"{{{nsmap['r']}}}embed")
            if rid not in part.rels or properties is None:
                continue
            box = (int(extent.get("cx", 1)), int(extent.get("cy", 1))) if extent is not None else (
                1, 1)
            for name in (properties.get(key) for key in ("name", "title", "descr")):
                if name:
                    yield name, (part.rels[rid].target_part, box)


def _fitted(path: Path, box: tuple[int, int], image_format: str) -> bytes:
    """The image centred in a canvas of the box's proportions, in ``image_format``."""
    with Image.open(path) as opened:
        image = ImageOps.exif_transpose(opened)
        image.load()
    ratio = max(box[0], 1) / max(box[1], 1)
    if image.width / image.height > ratio:
        size = (image.width, max(1, round(image.width / ratio)))
    else:
        size = (max(1, round(image.height * ratio)), image.height)
    opaque = image_format in {"JPEG", "BMP"}
    canvas = Image.new("RGB" if opaque else "RGBA", size, "white" if opaque else (255, 255, 255, 0))
    picture = image.convert("RGBA")
    canvas.paste(picture, ((size[0] - image.width) // 2, (size[1] - image.height) // 2), picture)
    if image_format == "GIF":
        canvas = canvas.convert("P")
    data = io.BytesIO()
    canvas.save(data, format=image_format)
    return data.getvalue()
