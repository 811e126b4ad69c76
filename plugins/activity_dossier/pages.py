"""Photo pages and hand-listed booklets as document types the engine publishes like every form.

``planforge fill photo-pages 照片 -o OUT`` writes ``OUT/照片页.docx`` (two captioned photos to a
page; ``--set captions=说明.yaml``, ``--set expected=10``); ``planforge fill booklet BINDER.yaml
-o OUT`` writes the booklet the list describes as ``OUT/<title>.pdf`` and ``.docx``. The friendly
commands ``photos`` and ``binder`` are the same runs, publishing one file to ``-o``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from planforge import (
    WHERE_KEY,
    DocumentType,
    Field,
    InputData,
    InputError,
    Location,
    Problem,
    Record,
    read_mapping,
)
from planforge.default_plugins.booklet import (
    Photos,
    caption_for,
    check_photos,
    list_photo_files,
    load_binder_yaml,
)

PHOTO_PAGES = "photo-pages"
BOOKLET = "booklet"
EXPECTED = Field("expected", "照片张数", type="integer", default=10, min=0, max=1000,
                 help="应有照片张数，0 表示不检查 / expected number of photos, 0 = any")
CAPTIONS = Field("captions", "照片说明", help="照片说明文件（文件名: 说明）/ YAML, TOML or JSON "
                 "mapping file name -> caption")


def _one(paths: list[Path], folder: bool, what_zh: str, what_en: str) -> Path:
    """The run's one input, a folder or a file as the type reads, or a problem naming it."""
    given = [Path(p) for p in paths]
    if len(given) == 1 and (given[0].is_dir() if folder else given[0].is_file()):
        return given[0]
    shown = "、".join(map(str, given))
    raise InputError(Problem(f"输入应是一个{what_zh}，而不是「{shown}」",
                             f"the input must be one {what_en}, not {', '.join(map(str, given))}",
                             Location(str(given[0]) if given else "")))


def read_photo_folder(paths: list[Path]) -> InputData:
    """The photos directly inside one folder, by name (nothing else in it is read, so the
    pages may be written into it, as ``photos 照片 -o 照片/照片页.docx`` always could)."""
    folder = _one(paths, True, "照片文件夹", "photo folder")
    photos = list_photo_files(folder)
    return InputData({"photos": [Record({"path": p}, Location(str(p))) for p in photos],
                      "folder": [Record({"path": folder}, Location(str(folder)))]},
                     files=tuple(photos))


def prepare_photo_pages(data: InputData, settings: dict[str, Any]) -> dict[str, Any]:
    """Check the photos (count, damage, duplicates; portrait and small ones are warnings) and
    caption each, from the captions file by name or stem, else by its stem."""
    records = data.tables["photos"]
    folder = data.tables["folder"][0]["path"]
    captions_file = settings.get(CAPTIONS.name)
    captions = _captions(captions_file)
    if captions_file:  # listed among the run's inputs in the manifest
        data.files = (*data.files, Path(str(captions_file)))
    expected = settings.get(EXPECTED.name)
    check = check_photos([r["path"] for r in records], expected=expected or None,
                         landscape=True, where=str(folder))
    check.raise_for_errors()
    data.warnings.extend(check.warnings)
    return {"photos": [{"path": photo.path, "caption": caption_for(photo.path, captions),
                        WHERE_KEY: Location(str(photo.path))} for photo in check.photos],
            "captions": captions}  # as given: the engine counts what it strips from them


def _captions(path: Any) -> dict[str, str]:
    if not path:
        return {}
    return {str(k): str(v) for k, v in read_mapping(Path(str(path)), "照片说明", "captions").items()}


def read_binder_file(paths: list[Path]) -> InputData:
    """One BINDER.yaml, with every file it lists checked before anything is written."""
    binder_file = _one(paths, False, "装订清单（BINDER.yaml）", "binder file (BINDER.yaml)")
    binder = load_binder_yaml(binder_file)
    listed = [path for section in binder.sections for doc in section.documents
              for path in (doc.paths if isinstance(doc, Photos) else (doc.path,))]
    return InputData({"binder": [Record({"binder": binder}, Location(str(binder_file)))]},
                     files=(binder_file, *dict.fromkeys(listed)))


def prepare_booklet(data: InputData, settings: dict[str, Any]) -> dict[str, Any]:
    """The booklet, and every text it prints as plain values, so that the engine strips and
    counts the characters no document holds there as in any form (the build strips them too)."""
    binder = data.tables["binder"][0]["binder"]
    printed = [binder.cover.title, *binder.cover.lines,
               *(text for section in binder.sections
                 for text in (section.title, *(doc.title if isinstance(doc, Photos) else doc.label
                                       for doc in section.documents)))]
    return {"title": binder.cover.title, "booklets": [binder], "printed": printed}


PHOTO_PAGES_TYPE = DocumentType(
    name=PHOTO_PAGES,
    title="照片页",
    template=None,
    renderer="photo-pages",
    read=read_photo_folder,
    prepare=prepare_photo_pages,
    each="photos",
    settings=(EXPECTED, CAPTIONS),
    provides=("photos", "captions"),
    description="照片页：一个照片文件夹，每页两张横版照片并配说明 / photo pages from one folder, "
                "two captioned landscape photos per A4 page",
    source="activity_dossier",
)
BOOKLET_TYPE = DocumentType(
    name=BOOKLET,
    title="{{ title }}",
    template=None,
    renderer="booklet",
    read=read_binder_file,
    prepare=prepare_booklet,
    each="booklets",
    provides=("title", "booklets", "printed"),
    description="装订册：按 BINDER.yaml 装订（封面、目录、书签、页码；PDF 与 Word）/ the booklet "
                "a BINDER.yaml lists (cover, contents, bookmarks, page numbers; PDF and Word)",
    source="activity_dossier",
)
