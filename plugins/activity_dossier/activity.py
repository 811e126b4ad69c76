"""The activity dossier (活动资料): read dossier.yaml, check it, lay out its booklet.

Seed 002 fixes the binding order (封面 → 目录 → 活动实施方案 → 活动具体安排 → 活动简报 → 过程性资料 →
照片 → 活动小结 → 手写资料原件), ten landscape photos two to a page, one reflection of at least one
and a half pages per participant, and a folder named date + theme holding the booklet, the photo
package and the courseware package.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planforge import (
    Field,
    FieldError,
    InputError,
    Location,
    Problem,
    ToolMissingError,
    parse_date,
    read_mapping,
    sanitize_filename,
)
from planforge.default_plugins.booklet import (
    PHOTO_SUFFIXES,
    SUPPORTED_SUFFIXES,
    Binder,
    Cover,
    Document,
    PhotoCheck,
    Photos,
    Section,
    check_photos,
    resolve_inside,
)
from planforge.default_plugins.convert import ConversionError, convert_to_pdf, find_soffice

DOSSIER_FILE = "dossier.yaml"
#: Seed 002 asks for ten photos per activity (原图照片多角度10张), landscape (横版粘贴).
DEFAULT_EXPECTED = 10

#: (key, Chinese title, accepted Chinese keys), in binding order.
SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("plan", "活动实施方案", ("活动实施方案", "实施方案", "活动方案", "方案")),
    ("schedule", "活动具体安排", ("活动具体安排", "具体安排", "安排")),
    ("briefing", "活动简报", ("活动简报", "简报")),
    ("process", "过程性资料", ("过程性资料", "过程资料")),
    ("photos", "照片", ("照片",)),
    ("summary", "活动小结", ("活动小结", "小结", "活动总结", "总结")),
    ("originals", "手写资料原件", ("手写资料原件", "资料原件", "原件", "手写资料")),
)
TOP_KEYS: dict[str, tuple[str, ...]] = {
    "date": ("日期", "活动日期"),
    "theme": ("主题", "活动主题"),
    "organizer": ("organiser", "帮扶学校", "主办学校", "组织单位", "主办单位"),
    "partners": ("partner", "受帮扶学校", "受援学校", "结对学校"),
    "participants": ("参与人员", "参加人员"),
    "sections": ("资料", "章节"),
    "courseware": ("课件", "课件包"),
    "captions": ("照片说明", "图片说明"),
    "photo_order": ("照片顺序",),
    "expected_photos": ("照片张数",),
}
REFLECTION_PAGES = 1.5
#: A process file is a participant's reflection (参加活动的感受, seed 002 line 275) when its
#: title in dossier.yaml or its file name says so with one of these words.
REFLECTION_WORDS = ("感受", "心得", "体会")
#: The 过程性资料 seed 002 lists by name (课件 is the courseware package, 感受 are per person):
#: each must be a process file whose title or file name carries the word.
PROCESS_MATERIALS = ("教学设计", "教学反思", "听评表")


@dataclass
class Dossier:
    """A parsed dossier.yaml with every path resolved inside the activity folder."""

    folder: Path
    date: dt.date
    theme: str
    organizer: str
    partners: list[str]
    participants: list[str]
    sections: dict[str, list[Document]]
    photo_files: list[Path]
    captions: dict[str, str]
    photo_order: list[str]
    expected_photos: int
    courseware: list[Path]
    warnings: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The activity's name: ``YYYY-MM-DD theme``, safe as a file name everywhere."""
        return sanitize_filename(f"{self.date.isoformat()} {self.theme}")


@dataclass
class Report:
    """What a check found: blocking errors, warnings and plain facts for the clerk."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)


def _get(data: dict[str, Any], key: str, aliases: Sequence[str]) -> Any:
    for k in (key, *aliases):
        if k in data and data[k] not in (None, ""):
            return data[k]
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


#: The activity's date, read as any date field is (2026-03-12, 2026年3月12日, 2026.3.12).
_DATE = Field("date", "日期", type="date")


def _activity_date(value: Any, where: Location) -> dt.date:
    try:
        if value is None or str(value).strip() == "":
            raise FieldError("缺少日期", "the date is missing")
        return parse_date(value, _DATE)
    except FieldError as error:
        raise InputError(Problem(f"{DOSSIER_FILE} 的活动日期（date / 日期）：{error.zh}",
                                 f"the activity date (date) in {DOSSIER_FILE}: {error.en}",
                                 where)) from None


def _files(folder: Path, entry: Any, where: Location, problems: list[Problem]) -> list[Document]:
    """Resolve one section entry (file, folder, or ``{file, title}``) into documents."""
    if isinstance(entry, dict):
        name = entry.get("file") or entry.get("path") or entry.get("文件")
        title = str(entry.get("title") or entry.get("标题") or "").strip()
    else:
        name, title = entry, ""
    if name is None or str(name).strip() == "":
        problems.append(Problem("资料条目缺少文件名", "an entry has no file name", where))
        return []
    try:
        path = resolve_inside(folder, str(name).strip(), where)
    except InputError as exc:
        problems.extend(exc.problems)
        return []
    if path.is_dir():
        found = sorted(
            (
                p
                for p in path.iterdir()
                if p.is_file()
                and not p.name.startswith((".", "~$"))
                and p.suffix.lower() in SUPPORTED_SUFFIXES
            ),
            key=lambda p: p.name,
        )
        inside = []
        for p in found:  # a link inside a listed folder may point anywhere
            try:
                inside.append(resolve_inside(folder, p.relative_to(folder.resolve()), where))
            except InputError as exc:
                problems.extend(exc.problems)
        return [Document(p) for p in inside]
    if not path.is_file():
        problems.append(
            Problem(
                f"dossier.yaml 中列出的文件「{name}」不存在",
                f"file {name!r} listed in dossier.yaml does not exist",
                where,
            )
        )
        return []
    return [Document(path, title)]


def load_dossier(folder: Path) -> Dossier:
    """Read ``FOLDER/dossier.yaml`` (English or Chinese keys); all problems raised together."""
    folder = Path(folder)
    path = folder / DOSSIER_FILE
    where = Location(str(path))
    if not path.is_file():
        raise InputError(
            Problem(
                f"活动文件夹中没有 {DOSSIER_FILE}",
                f"the activity folder has no {DOSSIER_FILE}",
                Location(str(folder)),
            )
        )
    data = read_mapping(path, DOSSIER_FILE, DOSSIER_FILE)
    problems: list[Problem] = []

    def top(key: str) -> Any:
        return _get(data, key, TOP_KEYS.get(key, ()))

    date = dt.date.min
    try:
        date = _activity_date(top("date"), where)
    except InputError as exc:
        problems.extend(exc.problems)
    theme = str(top("theme") or "").strip()
    if not theme:
        problems.append(
            Problem("缺少活动主题(theme / 主题)", "missing theme (theme / 主题)", where)
        )
    raw_sections = top("sections") or {}
    if not isinstance(raw_sections, dict):
        problems.append(Problem("sections 应是键值结构", "sections must be a mapping", where))
        raw_sections = {}
    sections: dict[str, list[Document]] = {}
    photo_files: list[Path] = []
    for key, title, aliases in SECTIONS:
        present = any(k in raw_sections for k in (key, *aliases))
        value = _get(raw_sections, key, aliases)
        if key == "photos":
            if value is None:
                problems.append(_missing(title, key, where))
                continue
            for entry in _as_list(value):
                for doc in _files(folder, entry, where, problems):
                    if doc.path.suffix.lower() in PHOTO_SUFFIXES:
                        photo_files.append(doc.path)
                    else:
                        problems.append(
                            Problem(
                                "照片文件夹中有非照片文件(只接受 JPEG、PNG、HEIC)",
                                "the photo folder holds a file that is not a photo "
                                "(JPEG, PNG, HEIC accepted)",
                                Location(str(doc.path)),
                            )
                        )
            continue
        if value is None and not (key == "originals" and present):
            problems.append(_missing(title, key, where))
            continue
        docs = [d for entry in _as_list(value) for d in _files(folder, entry, where, problems)]
        if not docs and key != "originals":
            problems.append(
                Problem(
                    f"「{title}」部分没有可用的文件",
                    f"section {title} ({key}) has no usable file",
                    where,
                )
            )
        sections[key] = docs
    captions_raw = top("captions") or {}
    captions = (
        {str(k): str(v) for k, v in captions_raw.items()} if isinstance(captions_raw, dict) else {}
    )
    courseware: list[Path] = []
    for entry in _as_list(top("courseware")):
        try:
            target = resolve_inside(folder, str(entry).strip(), where)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if target.is_dir():
            for item in sorted(target.rglob("*")):  # links inside may point anywhere
                try:
                    resolve_inside(folder, item.relative_to(folder.resolve()), where)
                except InputError as exc:
                    problems.extend(exc.problems)
        if target.exists():
            courseware.append(target)
        else:
            problems.append(
                Problem(
                    f"课件「{entry}」不存在",
                    f"courseware {entry!r} does not exist",
                    where,
                )
            )
    if len(courseware) == len(_as_list(top("courseware"))) and not any(
        _has_files(item) for item in courseware
    ):  # nothing listed, or only empty folders (a listed file that is absent is reported above)
        problems.append(
            Problem(
                "缺少课件包:每次活动应有一个课件包(执教内容或者报告内容),"
                "请在 courseware 中列出课件文件或文件夹",
                "the courseware package is missing: every activity has one (teaching or "
                "talk material); list its files or folder under courseware",
                where,
            )
        )
    warnings: list[Problem] = []
    expected_photos = _expected_photos(top("expected_photos"), where, problems, warnings)
    participants = [str(x).strip() for x in _as_list(top("participants")) if str(x).strip()]
    if not participants:
        problems.append(
            Problem(
                "缺少参与人员(participants):参加活动的感受人人一份,至少应有一名参与人员",
                "no participants: each participant writes a reflection, so at least one "
                "participant is required",
                where,
            )
        )
    if problems:
        raise InputError(problems)
    return Dossier(
        folder=folder,
        date=date,
        theme=theme,
        organizer=str(top("organizer") or "").strip(),
        partners=[str(x).strip() for x in _as_list(top("partners")) if str(x).strip()],
        participants=participants,
        sections=sections,
        photo_files=photo_files,
        captions=captions,
        photo_order=[str(x) for x in _as_list(top("photo_order"))],
        expected_photos=expected_photos,
        courseware=courseware,
        warnings=warnings,
    )


def _has_files(path: Path) -> bool:
    return path.is_file() or (
        path.is_dir() and any(p.is_file() and not p.name.startswith(".") for p in path.rglob("*"))
    )


def _expected_photos(
    value: Any, where: Location, problems: list[Problem], warnings: list[Problem]
) -> int:
    """The photo count asked for: the seed's ten unless dossier.yaml says otherwise (a warning)."""
    if value is None:
        return DEFAULT_EXPECTED
    text = str(value).strip()
    number = value if isinstance(value, int) and not isinstance(value, bool) else None
    if number is None and not isinstance(value, bool | float) and re.fullmatch(r"\d+", text):
        number = int(text)
    if isinstance(value, float) and value.is_integer():
        number = int(value)
    if number is None or number < 1:
        problems.append(
            Problem(
                f"照片张数(expected_photos)「{text}」应是正整数;活动照片应为10张",
                f"expected_photos {text!r} must be a whole number of at least 1; an activity "
                "has 10 photos",
                where,
            )
        )
        return DEFAULT_EXPECTED
    if number != DEFAULT_EXPECTED:
        warnings.append(
            Problem(
                f"照片张数设为 {number} 张:活动资料要求原图照片10张(文档里面横版粘贴10张,每两张放在"
                "一个文档)",
                f"expected_photos is {number}: the activity dossier asks for 10 original photos "
                "(ten landscape photos, two to a page)",
                where,
            )
        )
    return number


def _missing(title: str, key: str, where: Location) -> Problem:
    return Problem(
        f"缺少「{title}」部分(sections.{key})",
        f"missing section {title} (sections.{key})",
        where,
    )


def photo_check(dossier: Dossier) -> PhotoCheck:
    """Check the activity's photos (count, damage, duplicates, orientation, size)."""
    where = str(dossier.photo_files[0].parent) if dossier.photo_files else str(dossier.folder)
    return check_photos(
        dossier.photo_files,
        expected=dossier.expected_photos,
        order=dossier.photo_order,
        landscape=True,
        where=where,
    )


def is_reflection(document: Document) -> bool:
    """A reflection by its role: its title in dossier.yaml or its file name says 感受/心得/体会."""
    return any(word in f"{document.title} {document.path.stem}" for word in REFLECTION_WORDS)


def _authors(document: Document, participants: Sequence[str]) -> list[str]:
    """The participants a reflection names; a name inside a longer named one (张明 in 张明华) is
    the longer one's."""
    text = f"{document.title} {document.path.stem}"
    named = [p for p in participants if p in text]
    return [p for p in named if not any(p != q and p in q for q in named)]


def reflections(dossier: Dossier) -> tuple[dict[str, list[Path]], list[Problem]]:
    """Map each participant to their reflections among the process files; problems for those
    without one."""
    process = [d for d in dossier.sections.get("process", []) if is_reflection(d)]
    found: dict[str, list[Path]] = {person: [] for person in dossier.participants}
    for document in process:
        for person in _authors(document, dossier.participants):
            found[person].append(document.path)
    problems = [
        Problem(
            f"参与人员「{person}」没有参加活动的感受(过程性资料中没有标题或文件名含“感受”“心得”或"
            "“体会”且含其姓名的文件)",
            f"participant {person} has no reflection (no process file whose title or file name "
            "says 感受, 心得 or 体会 and names them)",
            Location(str(dossier.folder / DOSSIER_FILE)),
        )
        for person, files in found.items()
        if not files
    ]
    return found, problems


def missing_process_materials(dossier: Dossier) -> list[Problem]:
    """A warning for each material of :data:`PROCESS_MATERIALS` no process file is titled with."""
    names = [f"{d.title or ''} {d.path.name}" for d in dossier.sections.get("process", [])]
    return [Problem(
        f"过程性资料中没有{material}（seed 002 要求：教学设计、教学反思、课件、听课感受、听评表等）；"
        f"请在 dossier.yaml 的 sections.process 中加入标题或文件名含「{material}」的文件",
        f"the process materials hold no {material} (seed 002 lists teaching design, teaching "
        f"reflection, courseware, reflections and observation forms); add a file to "
        f"sections.process whose title or name contains {material!r}",
        Location(str(dossier.folder / DOSSIER_FILE), column="sections.process"))
        for material in PROCESS_MATERIALS if not any(material in name for name in names)]


def pdf_page_fill(pdf: Path) -> float:
    """Length of a PDF in pages, the last page counted by how far down its text reaches."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    count = len(reader.pages)
    if count == 0:
        return 0.0
    last = reader.pages[-1]
    height = float(last.mediabox.height)
    lowest = [height]

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip():
            y = tm[5] * cm[3] + cm[5] if cm else tm[5]
            if 0 < y < height:
                lowest[0] = min(lowest[0], y)

    last.extract_text(visitor_text=visit)
    margin = 72.0  # text area starts about an inch below the top edge
    usable = max(1.0, height - 2 * margin)
    fill = min(1.0, max(0.0, (height - margin - lowest[0]) / usable))
    return count - 1 + fill


def _all_documents(dossier: Dossier) -> list[Document]:
    return [d for docs in dossier.sections.values() for d in docs]


def check_dossier(folder: Path, convert: bool = True) -> tuple[Dossier | None, Report]:
    """Check an activity folder without writing anything into it.

    With ``convert`` the office files are converted once (to a temp folder) to find those
    LibreOffice cannot read and to measure reflection lengths.
    """
    report = Report()
    try:
        dossier = load_dossier(folder)
    except InputError as exc:
        report.errors.extend(exc.problems)
        return None, report
    photos = photo_check(dossier)
    report.errors.extend(photos.errors)
    report.warnings.extend(dossier.warnings + photos.warnings)
    report.facts.append(
        f"照片 {len(dossier.photo_files)} 张(应为 {dossier.expected_photos} 张) / "
        f"{len(dossier.photo_files)} photos (expected {dossier.expected_photos})"
    )
    found, missing = reflections(dossier)
    report.errors.extend(missing)
    report.warnings.extend(missing_process_materials(dossier))
    from planforge.default_plugins.booklet import OFFICE_SUFFIXES

    docs = _all_documents(dossier)
    report.errors.extend(_unreadable(docs))
    office = [d.path for d in docs if d.path.suffix.lower() in OFFICE_SUFFIXES]
    pdfs: dict[Path, Path] = {d.path: d.path for d in docs if d.path.suffix.lower() == ".pdf"}
    if convert and office:
        try:
            find_soffice()
        except ToolMissingError as exc:
            report.warnings.append(
                Problem(
                    f"未安装 LibreOffice,无法检查文件能否转换及感受篇幅:{exc}",
                    "LibreOffice is missing, so convertibility and reflection length "
                    "were not checked",
                )
            )
        else:
            with tempfile.TemporaryDirectory(prefix="planforge-check-") as tmp:
                try:
                    out = convert_to_pdf(office, Path(tmp))
                    pdfs.update(zip(office, out, strict=True))
                except ConversionError as exc:
                    report.errors.extend(exc.problems)
                    for p in office:
                        candidate = Path(tmp) / f"{p.stem}.pdf"
                        if candidate.is_file() and str(p) not in {
                            q.where.file for q in exc.problems
                        }:
                            pdfs[p] = candidate
                _reflection_lengths(found, pdfs, report)
    elif convert:
        _reflection_lengths(found, pdfs, report)
    return dossier, report


def _unreadable(docs: Sequence[Document]) -> list[Problem]:
    """PDFs and images that cannot be opened (office files are tried by the conversion)."""
    from planforge.default_plugins.booklet import IMAGE_SUFFIXES, open_pdf, read_photo

    problems: list[Problem] = []
    for doc in docs:
        suffix = doc.path.suffix.lower()
        try:
            if suffix == ".pdf":
                open_pdf(doc.path, doc.path)
            elif suffix in IMAGE_SUFFIXES:
                read_photo(doc.path)
        except InputError as exc:
            problems.extend(exc.problems)
    return problems


def _reflection_lengths(
    found: dict[str, list[Path]], pdfs: dict[Path, Path], report: Report
) -> None:
    for person, files in found.items():
        lengths = []
        for f in files:
            pdf = pdfs.get(f)
            if pdf is None:
                continue
            try:
                lengths.append((pdf_page_fill(pdf), f))
            except Exception as exc:  # noqa: BLE001 - an unreadable PDF is reported, not fatal
                report.errors.append(
                    Problem(f"PDF 无法读取:{exc}", f"PDF cannot be read: {exc}", Location(str(f)))
                )
        if not lengths:
            continue
        pages, best = max(lengths)
        report.facts.append(f"{person}: {best.name} ≈ {pages:.1f} 页/pages")
        if pages < REFLECTION_PAGES:
            report.errors.append(
                Problem(
                    f"「{person}」的感受只有约 {pages:.1f} 页,要求不少于一张半(1.5 页)",
                    f"the reflection of {person} is only about {pages:.1f} pages; at least "
                    "1.5 pages are required",
                    Location(str(best)),
                )
            )


def make_binder(dossier: Dossier, ordered_photos: Sequence[Path]) -> Binder:
    """The booklet in the seed's binding order."""
    d = dossier.date
    lines = ["活动资料汇编", f"{d.year}年{d.month}月{d.day}日"]
    if dossier.organizer:
        lines.append(f"帮扶学校：{dossier.organizer}")
    if dossier.partners:
        lines.append(f"受帮扶学校：{'、'.join(dossier.partners)}")
    if dossier.participants:
        lines.append(f"参与人员：{'、'.join(dossier.participants)}")
    sections: list[Section] = []
    for key, title, _ in SECTIONS:
        if key == "photos":
            sections.append(Section(
                title, (Photos(tuple(ordered_photos), dossier.captions, title),), title_page=True))
            continue
        docs = dossier.sections.get(key, [])
        if len(docs) == 1 and not docs[0].title:
            docs = [Document(docs[0].path, title)]  # one file: the section is its title
        if docs or key != "originals":
            sections.append(Section(title, tuple(docs), title_page=key == "originals"))
    return Binder(Cover(dossier.theme, tuple(lines)), tuple(sections))
