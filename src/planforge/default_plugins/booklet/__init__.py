"""Built-in plugin: booklets (cover, contents, bookmarks, 第 N 页 共 M 页) and photo pages.

Its modules each do one thing: :mod:`.model` (what a booklet is made of), :mod:`.binderfile`
(BINDER.yaml), :mod:`.paths` (paths stay inside their folder), :mod:`.fonts` (Chinese glyphs for
reportlab), :mod:`.images` and :mod:`.photos` (reading and checking photos), :mod:`.photopages`
(two photos to a page), :mod:`.pdf` and :mod:`.word` (the PDF and Word booklets), :mod:`.raster`
(PDF pages as pictures), :mod:`.build` (one build of both) and :mod:`.renderers` (the ``booklet``
and ``photo-pages`` output kinds, which this plugin registers through ``register_renderers``).

The names below are the public API of this plugin for other plugins (docs/plugins.md).
"""

from __future__ import annotations

import importlib
from typing import Any

from planforge.hookspecs import hookimpl

#: Each public name and the module defining it; a module is imported when a name of it is first
#: used, so loading the plugin (every planforge run) does not load Pillow, reportlab or pypdf.
_EXPORTS = {
    "load_binder_yaml": "binderfile",
    "build_booklet": "build", "build_pdf": "build",
    "HEIF_SUPPORTED": "images", "load_print_image": "images",
    **dict.fromkeys(("IMAGE_SUFFIXES", "OFFICE_SUFFIXES", "SUPPORTED_SUFFIXES", "Binder",
                     "BookletResult", "Cover", "Document", "Photos", "Section", "TocEntry"),
                    "model"),
    "resolve_inside": "paths",
    "open_pdf": "pdf",
    "write_photo_docx": "photopages", "write_photo_pages": "photopages",
    "write_photo_pdf": "photopages",
    **dict.fromkeys(("PHOTO_SUFFIXES", "Photo", "PhotoCheck", "caption_for", "check_photos",
                     "list_photo_files", "read_photo"), "photos"),
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


@hookimpl
def register_renderers(register: Any) -> None:
    from .renderers import RENDERERS

    for renderer in RENDERERS:
        register(renderer)
