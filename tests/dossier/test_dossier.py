"""The activity dossier end to end: one shared LibreOffice build, then the error cases."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
from pathlib import Path

import activity_dossier
import click
import pytest
import yaml
from click.testing import CliRunner
from make_dossier_sample import ACTIVITY, MARKER_RGB, PHOTOS, make_sample
from PIL import Image
from pypdf import PdfReader

from planforge.engine import Engine
from planforge.errors import InputError, PlanforgeError, ToolMissingError
from planforge.plugins import load_plugins

SECTION_ORDER = [
    "封面",
    "目录",
    "活动实施方案",
    "活动具体安排",
    "活动简报",
    "过程性资料",
    "照片",
    "活动小结",
    "手写资料原件",
]


def _cli() -> click.Group:
    @click.group()
    def cli() -> None:
        """planforge stand-in for the tests."""

    activity_dossier.register_commands(cli, lambda: Engine(load_plugins()))
    return cli


def run(*args: str) -> object:
    """Invoke the plugin's commands; PlanforgeErrors come back in ``result.exception``."""
    return CliRunner().invoke(_cli(), [str(a) for a in args], catch_exceptions=True)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sample(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def built(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    result = run("dossier", "build", sample, "-o", out)
    assert result.exit_code == 0, (result.output, result.exception)
    return out / ACTIVITY


@pytest.fixture()
def copy(sample: Path, tmp_path: Path) -> Path:
    target = tmp_path / ACTIVITY
    shutil.copytree(sample, target)
    return target


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    found: list[tuple[int, str, int]] = []

    def walk(items: list, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return found


def _booklet(built: Path) -> PdfReader:
    return PdfReader(built / f"{ACTIVITY}.pdf")


def _check_errors(folder: Path, *extra: str) -> str:
    result = run("dossier", "check", "--no-convert", *extra, folder)
    assert isinstance(result.exception, InputError), result.output
    return str(result.exception)


# ------------------------------------------------------------------ the built dossier


@pytest.mark.libreoffice
def test_output_folder_layout(built: Path) -> None:
    names = {p.name for p in built.iterdir()}
    assert names == {f"{ACTIVITY}.pdf", f"{ACTIVITY}.docx", "照片包", "课件包", "manifest.json"}
    assert (built / "课件包" / "课件" / "分数的初步认识-课件.pdf").is_file()


@pytest.mark.libreoffice
def test_section_order_and_bookmarks(built: Path) -> None:
    outline = _outline(_booklet(built))
    top = [title for level, title, _ in outline if level == 0]
    assert top == SECTION_ORDER
    starts = [page for level, _, page in outline if level == 0]
    assert starts == sorted(starts)
    process = [
        title
        for i, (level, title, _) in enumerate(outline)
        if level == 1
        and any(t == "过程性资料" for lv, t, _ in outline[:i] if lv == 0)
        and not any(
            t in ("照片", "活动小结", "手写资料原件") for lv, t, _ in outline[:i] if lv == 0
        )
    ]
    assert process == [
        "教学设计《分数的初步认识》（张明）",
        "教学反思《分数的初步认识》（张明）",
        "听评表",
        "参加活动的感受（张明）",
        "参加活动的感受（李华）",
        "参加活动的感受（王芳）",
    ]


@pytest.mark.libreoffice
def test_contents_numbers_are_real_pages(built: Path) -> None:
    reader = _booklet(built)
    contents = reader.pages[1].extract_text()
    outline = _outline(reader)
    checked = 0
    for _, title, page in outline[2:]:
        m = re.search(re.escape(title) + r"[\s.…]*(\d+)", contents)
        assert m, f"{title} not in contents"
        assert int(m.group(1)) == page + 1, title
        checked += 1
    assert checked >= 12
    total = len(reader.pages)
    for index in range(total):  # the cover too: its page is counted in the contents
        text = " ".join(reader.pages[index].extract_text().split())
        assert f"第 {index + 1} 页 共 {total} 页" in text, f"page {index + 1} footer"
        assert not re.search(r"- \d+ -", text), f"page {index + 1} still says - n -"


@pytest.mark.libreoffice
def test_photos_upright_in_booklet(built: Path) -> None:
    reader = _booklet(built)
    outline = _outline(reader)
    first = next(p for lv, t, p in outline if lv == 0 and t == "照片")
    end = next(p for lv, t, p in outline if lv == 0 and t == "活动小结")
    assert end - first == 6  # the section's title page, then ten photos two per page
    assert not reader.pages[first].images
    placed = 0
    for page in reader.pages[first + 1:end]:
        for image in page.images:
            img = Image.open(io.BytesIO(image.data)).convert("RGB")
            assert img.width > img.height  # landscape once upright
            small = img.resize((64, 48))
            red_rows = [
                y for y in range(48) for x in range(64) if _is_marker(small.getpixel((x, y)))
            ]
            assert red_rows, "marker not found"
            assert max(red_rows) < 48 * 0.15, "marker is not at the top: photo not upright"
            placed += 1
    assert placed == 10


@pytest.mark.libreoffice
def test_booklet_pdf_and_word_pass_the_print_audit(built: Path, tmp_path: Path) -> None:
    """Both booklets as the clerk prints them: every page 第 N 页 共 M 页, nothing cut or foreign.
    The Word booklet counts its pages with PAGE / NUMPAGES fields, filled in when printed."""
    from docx import Document as Docx

    from planforge.default_plugins.convert import convert_to_pdf
    from planforge.printaudit import audit_pdf, declared_language

    pdf, docx = built / f"{ACTIVITY}.pdf", built / f"{ACTIVITY}.docx"
    assert [str(p) for p in audit_pdf(pdf)] == []
    footer = Docx(docx).sections[0].footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    (printed,) = convert_to_pdf([docx], tmp_path)
    assert [str(p) for p in [*audit_pdf(printed, docx), *declared_language(docx)]] == []
    # Each Word part keeps its own margins, so the Word booklet breaks into the PDF's pages and
    # the contents' numbers (taken from the PDF) are true in both.
    word, bound = PdfReader(printed).pages, _booklet(built).pages
    assert len(word) == len(bound)
    starts = [("".join(a.extract_text().split())[:6], "".join(b.extract_text().split())[:6])
              for a, b in zip(word, bound, strict=True)]
    compared = [(a, b) for a, b in starts if not a.startswith("第")]  # pictures: footer only
    assert len(compared) >= 20 and all(a == b for a, b in compared), starts


def test_the_audit_sends_back_a_booklet_numbered_dash_n_dash(tmp_path: Path) -> None:
    """The old ``- n -`` stamp is not a page number a reviewing office accepts."""
    from reportlab.pdfgen.canvas import Canvas

    from planforge.default_plugins.booklet.fonts import cjk_font
    from planforge.printaudit import audit_pdf

    planted = tmp_path / "汇编.pdf"
    font = cjk_font("活动资料汇编第页")
    canvas = Canvas(str(planted), pagesize=(595, 842))
    for number in (1, 2, 3):
        canvas.setFont(font, 14)
        canvas.drawString(100, 700, f"活动资料汇编 第{number}部分")
        canvas.setFont("Helvetica", 10.5)
        canvas.drawCentredString(297, 28, f"- {number} -")
        canvas.showPage()
    canvas.save()
    problems = audit_pdf(planted)
    assert [p.where.file for p in problems] == [f"{planted}, 第{n}页/page {n}" for n in (1, 2, 3)]
    assert all("第 N 页 共 M 页" in p.zh for p in problems)


@pytest.mark.libreoffice
@pytest.mark.parametrize("title", ["照片", "手写资料原件"])
def test_photos_and_originals_open_with_their_heading(built: Path, title: str) -> None:
    """Photo pages and scans print no title of their own: a title page says where they begin,
    on the page the contents gives (seed 002's order: 照片 … 手写资料原件)."""
    reader = _booklet(built)
    start = next(p for lv, t, p in _outline(reader) if lv == 0 and t == title)
    lines = [line.strip() for line in reader.pages[start].extract_text().splitlines()]
    assert lines[0] == title and lines[1:] == [f"第 {start + 1} 页 共 {len(reader.pages)} 页"]
    contents = reader.pages[1].extract_text()
    assert re.search(re.escape(title) + rf"[\s.…]*{start + 1}\b", contents)


def _is_marker(rgb: tuple[int, int, int]) -> bool:
    r, g, b = rgb
    return r > 180 and g < 90 and b < 90 and abs(r - MARKER_RGB[0]) < 60


@pytest.mark.libreoffice
def test_photo_package_byte_identical_in_booklet_order(built: Path, sample: Path) -> None:
    by_time = sorted(PHOTOS, key=lambda p: p[1])
    packaged = sorted((built / "照片包").iterdir())
    assert [p.name for p in packaged] == [
        f"{i:02d} {caption}.jpg" for i, (_, _, _, caption) in enumerate(by_time, start=1)
    ]
    for path, (name, *_rest) in zip(packaged, by_time, strict=True):
        assert path.read_bytes() == (sample / "照片" / name).read_bytes()


@pytest.mark.libreoffice
def test_manifest_hashes(built: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    on_disk = {
        p.relative_to(built).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in built.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert listed == on_disk


@pytest.mark.libreoffice
def test_check_passes_on_sample(sample: Path) -> None:
    result = run("dossier", "check", sample)
    assert result.exit_code == 0, (result.output, result.exception)
    assert "张明" in result.output


@pytest.mark.slow
def test_check_reports_a_missing_teaching_reflection(copy: Path) -> None:
    """Seed 002 lists 教学反思 under 过程性资料; a dossier without one is told so."""
    result = run("dossier", "check", "--no-convert", copy)
    assert result.exit_code == 0 and "教学反思" not in result.output, result.output
    text = (copy / "dossier.yaml").read_text(encoding="utf-8")
    kept = [line for line in text.splitlines() if "教学反思" not in line]
    (copy / "dossier.yaml").write_text("\n".join(kept), encoding="utf-8")
    result = run("dossier", "check", "--no-convert", copy)
    assert result.exit_code == 0, (result.output, result.exception)  # a warning, not a refusal
    assert "过程性资料中没有教学反思" in result.output and "sections.process" in result.output
    assert "没有教学设计" not in result.output


@pytest.mark.libreoffice
def test_short_reflection_is_reported(copy: Path) -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph("很有收获。")
    doc.save(copy / "过程性资料" / "参加活动的感受-王芳.docx")
    result = run("dossier", "check", copy)
    assert isinstance(result.exception, InputError)
    assert "王芳" in str(result.exception) and "1.5" in str(result.exception)


# ------------------------------------------------------------------ error cases (no LibreOffice)


def _edit_yaml(folder: Path, change: callable) -> None:
    path = folder / "dossier.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_missing_section(copy: Path) -> None:
    _edit_yaml(copy, lambda d: d["sections"].pop("summary"))
    assert "活动小结" in _check_errors(copy)


def test_nine_photos(copy: Path) -> None:
    (copy / "照片" / "IMG_0105.jpg").unlink()
    message = _check_errors(copy)
    assert "10" in message and "9" in message


def test_corrupt_photo_is_named(copy: Path) -> None:
    path = copy / "照片" / "IMG_0103.jpg"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    assert "IMG_0103.jpg" in _check_errors(copy)


def test_duplicate_photo(copy: Path) -> None:
    shutil.copyfile(copy / "照片" / "IMG_0101.jpg", copy / "照片" / "IMG_0102.jpg")
    message = _check_errors(copy)
    assert "IMG_0102.jpg" in message and "IMG_0101.jpg" in message


@pytest.mark.parametrize("bad", ["../outside.docx", "/etc/passwd", "link.docx"])
def test_path_escaping_the_folder(copy: Path, bad: str) -> None:
    outside = copy.parent / "outside.docx"
    shutil.copyfile(copy / "01 活动实施方案.docx", outside)
    os.symlink(outside, copy / "link.docx")
    _edit_yaml(copy, lambda d: d["sections"].__setitem__("plan", bad))
    assert "outside the folder" in _check_errors(copy)


def test_unreadable_original_is_named(copy: Path) -> None:
    (copy / "原件" / "听课记录(手写).pdf").write_bytes(b"%PDF-1.4 broken")
    assert "听课记录(手写).pdf" in _check_errors(copy)


def test_participant_without_reflection(copy: Path) -> None:
    _edit_yaml(copy, lambda d: d["participants"].append("赵六"))
    assert "赵六" in _check_errors(copy)


@pytest.mark.parametrize("value", ["2026.3.12", "２０２６年３月１２日", "2026/03/12 09:30"])
def test_the_date_is_read_as_every_date_field_reads_it(copy: Path, value: str) -> None:
    _edit_yaml(copy, lambda d: d.__setitem__("date", value))
    result = run("dossier", "check", "--no-convert", copy)
    assert result.exit_code == 0, (result.output, result.exception)


@pytest.mark.parametrize("value", ["2026-02-30", "下周三", None])
def test_a_bad_date_names_dossier_yaml_and_its_date(copy: Path, value: object) -> None:
    _edit_yaml(copy, lambda d: d.__setitem__("date", value))
    errors = _check_errors(copy)
    assert "dossier.yaml" in errors and "date" in errors and "日期" in errors, errors
    assert value is None or value in errors


def test_chinese_keys(copy: Path) -> None:
    def to_chinese(d: dict) -> None:
        d["日期"] = "2026年3月12日"
        d["主题"] = d.pop("theme")
        d["帮扶学校"] = d.pop("organizer")
        d["受帮扶学校"] = d.pop("partners")
        d["参与人员"] = d.pop("participants")
        d.pop("date")

    _edit_yaml(copy, to_chinese)
    result = run("dossier", "check", "--no-convert", copy)
    assert result.exit_code == 0, (result.output, result.exception)


def test_build_refuses_before_writing(copy: Path, tmp_path: Path) -> None:
    (copy / "照片" / "IMG_0105.jpg").unlink()
    out = tmp_path / "out"
    result = run("dossier", "build", copy, "-o", out)
    assert isinstance(result.exception, PlanforgeError)
    assert not (out / ACTIVITY).exists()


@pytest.mark.slow
def test_without_libreoffice_docx_and_packages_are_built(
    copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANFORGE_SOFFICE", str(tmp_path / "no-soffice"))
    result = run("dossier", "build", copy, "-o", tmp_path / "out")
    assert isinstance(result.exception, ToolMissingError)
    assert "libreoffice-writer-nogui" in str(result.exception)
    folder = tmp_path / "out" / ACTIVITY
    assert (folder / f"{ACTIVITY}.docx").is_file()
    assert len(list((folder / "照片包").iterdir())) == 10
    assert not (folder / f"{ACTIVITY}.pdf").exists()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    (omitted,) = manifest["omitted"]  # published without it, and saying why
    assert omitted["path"] == f"{ACTIVITY}.pdf" and "LibreOffice" in omitted["reason"]
    assert omitted["path"] not in {f["path"] for f in manifest["files"]}


def test_safe_folder_name() -> None:
    from planforge import sanitize_filename as safe_name

    assert safe_name('2026-03-12 送教/下乡..\\a:b*?"<>|') == "2026-03-12 送教_下乡._a_b______"
    assert "/" not in safe_name("../../etc") and ".." not in safe_name("../../etc")


# ------------------------------------------------------------------ seed 002:275 rules


@pytest.mark.parametrize("value", [10, "10"])
def test_ten_photos_need_no_warning(copy: Path, value: object) -> None:
    _edit_yaml(copy, lambda d: d.__setitem__("expected_photos", value))
    result = run("dossier", "check", "--no-convert", copy)
    assert result.exit_code == 0, (result.output, result.exception)
    assert "警告" not in result.output


def test_other_photo_counts_warn_naming_the_seed_rule(copy: Path) -> None:
    for name in ("IMG_0109.jpg", "IMG_0110.jpg"):
        (copy / "照片" / name).unlink()
    _edit_yaml(copy, lambda d: d.__setitem__("expected_photos", 8))
    result = run("dossier", "check", "--no-convert", copy)
    assert result.exit_code == 0, (result.output, result.exception)
    assert "照片张数设为 8 张:活动资料要求原图照片10张" in result.output


@pytest.mark.parametrize("value", [-5, 0, 2.5, "十", True, "-1"])
def test_impossible_photo_counts_are_refused(copy: Path, value: object) -> None:
    _edit_yaml(copy, lambda d: d.__setitem__("expected_photos", value))
    assert "expected_photos" in _check_errors(copy)


@pytest.mark.parametrize("participants", [[], None, [""]])
def test_at_least_one_participant(copy: Path, participants: object) -> None:
    _edit_yaml(copy, lambda d: d.__setitem__("participants", participants))
    assert "至少应有一名参与人员" in _check_errors(copy)


def test_a_process_file_with_the_name_is_no_reflection(copy: Path) -> None:
    """教学设计-张明.docx names 张明 but is not his 参加活动的感受."""
    def drop(d: dict) -> None:
        d["sections"]["process"] = [e for e in d["sections"]["process"] if "感受-张明" not in e["file"]]

    _edit_yaml(copy, drop)
    message = _check_errors(copy)
    assert "「张明」没有参加活动的感受" in message and "李华" not in message


@pytest.mark.parametrize(("entry", "ok"), [
    ({"file": "过程性资料/x.docx", "title": "学习心得（张明）"}, True),  # known by its title
    ({"file": "过程性资料/心得体会-张明.docx"}, True),  # known by its file name
    ({"file": "过程性资料/教学反思-张明.docx"}, False),  # 教学反思 is a process material of its own
    ({"file": "过程性资料/参加活动的感受-李华.docx"}, False),  # another participant's
])
def test_a_reflection_is_known_by_its_title_or_file_name(copy: Path, entry: dict, ok: bool) -> None:
    source = copy / "过程性资料" / "参加活动的感受-张明.docx"
    if not (copy / entry["file"]).exists():
        shutil.move(source, copy / entry["file"])

    def swap(d: dict) -> None:
        process = [e for e in d["sections"]["process"] if "感受-张明" not in e["file"]]
        d["sections"]["process"] = [*process, entry]

    _edit_yaml(copy, swap)
    result = run("dossier", "check", "--no-convert", copy)
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    else:
        assert "「张明」没有参加活动的感受" in str(result.exception)


def test_two_participants_whose_names_nest(copy: Path) -> None:
    _edit_yaml(copy, lambda d: d["participants"].append("张明华"))
    message = _check_errors(copy)
    assert "「张明华」没有参加活动的感受" in message and "「张明」" not in message


@pytest.mark.parametrize("change", ["absent", "empty folder"])
def test_a_missing_courseware_package_is_reported(copy: Path, tmp_path: Path, change: str) -> None:
    if change == "absent":
        _edit_yaml(copy, lambda d: d.pop("courseware"))
    else:
        (copy / "课件" / "分数的初步认识-课件.pdf").unlink()
    assert "缺少课件包" in _check_errors(copy)
    result = run("dossier", "build", copy, "-o", tmp_path / "out")
    assert isinstance(result.exception, InputError) and not (tmp_path / "out" / ACTIVITY).exists()
