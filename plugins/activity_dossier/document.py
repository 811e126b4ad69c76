"""The activity dossier as a document type: the engine reads the activity folder, checks it,
and publishes the booklet, the photo package and the courseware package through its output
writer, as it publishes every form (staging, journal, manifest, ``--zip``).

``planforge fill activity-dossier FOLDER -o OUT`` writes into ``OUT`` what seed 002 puts in
the activity's ``date theme`` folder; ``planforge dossier build FOLDER -o PARENT`` is the same
run into ``PARENT/date theme``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from planforge import (
    DocumentType,
    InputData,
    InputError,
    Location,
    Problem,
    Record,
    Renderer,
    clean_context,
    sanitize_filename,
)
from planforge.default_plugins.booklet import Document, build_booklet, caption_for

from .activity import (
    DOSSIER_FILE,
    Dossier,
    load_dossier,
    make_binder,
    photo_check,
    reflections,
)

DOCUMENT_TYPE = "activity-dossier"
RENDERER = "activity-dossier"
PHOTO_PACKAGE = "照片包"
COURSEWARE_PACKAGE = "课件包"


def read_activity(paths: list[Path]) -> InputData:
    """Read and check one activity folder: every problem is raised before anything is written;
    what deserves a look (a photo count other than the seed's ten) comes back as warnings."""
    folders = [Path(p) for p in paths]
    if len(folders) != 1 or not folders[0].is_dir():
        raise InputError(Problem(
            f"活动资料的输入应是一个活动文件夹（内有 {DOSSIER_FILE}），而不是「"
            f"{'、'.join(map(str, folders))}」",
            f"an activity dossier reads one activity folder (holding {DOSSIER_FILE}), not "
            f"{', '.join(map(str, folders))}", Location(str(folders[0]) if folders else "")))
    dossier = load_dossier(folders[0])
    check = photo_check(dossier)
    _, missing = reflections(dossier)
    if check.errors or missing:
        raise InputError(check.errors + missing)
    where = Location(str(dossier.folder / DOSSIER_FILE))
    record = Record({"dossier": dossier, "photos": check.photos}, where)
    return InputData({"activity": [record]}, files=tuple(_read_files(dossier)),
                     warnings=dossier.warnings + check.warnings, folders=(dossier.folder,))


def _read_files(dossier: Dossier) -> dict[Path, None]:
    """Every file the dossier is made of, once each and named as below the folder given, for
    the manifest's inputs."""
    inside = dossier.folder.resolve()
    paths = [*(document.path for documents in dossier.sections.values()
               for document in documents), *dossier.photo_files,
             *(path for item in dossier.courseware for path in _courseware_files(item))]
    found = {dossier.folder / DOSSIER_FILE: None}
    found.update((dossier.folder / path.relative_to(inside) if path.is_relative_to(inside)
                  else path, None) for path in paths)
    return found


def prepare_activity(data: InputData, settings: dict[str, Any]) -> dict[str, Any]:
    """The activity as plain values (so the engine strips and counts the characters no document
    holds from every text the booklet prints, as from any form's), its photos in booklet order
    and its name (``date theme``)."""
    dossier: Dossier = data.tables["activity"][0]["dossier"]
    activity = {**vars(dossier), "sections": {
        key: [{"path": document.path, "title": document.title} for document in documents]
        for key, documents in dossier.sections.items()}}
    del activity["warnings"]  # told once, by the command
    theme = clean_context(dossier.theme)[0]
    return {"activity": activity, "photos": data.tables["activity"][0]["photos"],
            "name": sanitize_filename(f"{dossier.date.isoformat()} {theme}")}


def _dossier(activity: dict[str, Any]) -> Dossier:
    """The activity of a context back as the dossier it was read as."""
    return Dossier(**{**activity, "sections": {
        key: [Document(item["path"], item["title"]) for item in documents]
        for key, documents in activity["sections"].items()}})


def _courseware_files(item: Path) -> list[Path]:
    if item.is_dir():
        return [p for p in sorted(item.rglob("*")) if p.is_file() and not p.name.startswith(".")]
    return [item]


def _photo_copies(dossier: Dossier, photos: list[Any]) -> dict[str, Path]:
    """The photo package: numbered in booklet order, named by caption, with the suffix of
    what each photo is (a PNG named .jpg stays a PNG, named .png)."""
    return {f"{PHOTO_PACKAGE}/{number:02d} {sanitize_filename(caption_for(photo.path, dossier.captions))}"
            f"{photo.suffix}": photo.path for number, photo in enumerate(photos, start=1)}


def _courseware_copies(dossier: Dossier) -> dict[str, Path]:
    """The courseware package: each listed file or folder as the activity folder holds it."""
    return {f"{COURSEWARE_PACKAGE}/{path.relative_to(item.parent).as_posix()}": path
            for item in dossier.courseware for path in _courseware_files(item)}


def render_dossier(rendering: Any, writer: Any) -> Callable[[], None]:
    """The booklet (``entry``.docx and .pdf) and the two packages beside it.

    Without LibreOffice the Word booklet and the packages are still published; the PDF is left
    out and the run then fails with the reason (exit 3), as ``dossier build`` always did.
    """
    dossier = _dossier(rendering.context["activity"])
    photos = rendering.context["photos"]
    name, rows = rendering.document_type.name, [Location(str(dossier.folder / DOSSIER_FILE))]
    pdf, docx = f"{rendering.entry}.pdf", f"{rendering.entry}.docx"
    photo_copies, courseware = _photo_copies(dossier, photos), _courseware_copies(dossier)
    for relative in (docx, pdf, *photo_copies, *courseware):
        writer.add(relative, name, rows)

    def write() -> None:
        booklet = build_booklet(make_binder(dossier, [photo.path for photo in photos]),
                                pdf_out=writer.path(pdf), docx_out=writer.path(docx))
        if booklet.pdf_error is not None:
            writer.omit(pdf, booklet.pdf_error)
        for relative, source in photo_copies.items():
            shutil.copyfile(source, writer.path(relative))
        for relative, source in courseware.items():
            shutil.copy2(source, writer.path(relative))

    return write


ACTIVITY_DOSSIER = DocumentType(
    name=DOCUMENT_TYPE,
    title="{{ name }}",
    template=None,  # bound from the activity folder itself
    renderer=RENDERER,
    read=read_activity,
    prepare=prepare_activity,
    each="photos",
    provides=("activity", "photos", "name"),
    description="活动资料汇编：装订册（Word、PDF）、照片包、课件包 / the activity's booklet, "
                "photo package and courseware package (seed 002)",
    source="activity_dossier",
)
DOSSIER_RENDERER = Renderer(
    RENDERER, render_dossier, consumes="one activity folder (dossier.yaml)",
    writes="booklet .docx + .pdf, 照片包/, 课件包/",
    fills_template=False, description="活动资料汇编 / an activity dossier")
