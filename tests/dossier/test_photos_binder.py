"""Photo pages and the general binder (no LibreOffice needed: PDFs and images only)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document as Docx
from make_dossier_sample import PHOTOS, make_sample
from PIL import Image
from pypdf import PdfReader

from planforge.default_plugins.booklet import (
    Binder,
    Cover,
    Document,
    Section,
    build_pdf,
    check_photos,
    list_photo_files,
    load_binder_yaml,
    read_photo,
    write_photo_pages,
)
from planforge.errors import InputError


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sample(tmp_path_factory.mktemp("sample"))


def test_orientation_and_time_order(sample: Path) -> None:
    files = list_photo_files(sample / "照片")
    check = check_photos(files)
    assert not check.errors and not check.warnings
    assert [p.path.name for p in check.photos] == [
        n for n, *_ in sorted(PHOTOS, key=lambda p: p[1])
    ]
    rotated = read_photo(sample / "照片" / "IMG_0102.jpg")
    assert rotated.orientation == 6 and rotated.width > rotated.height


def test_explicit_order_and_portrait_warning(sample: Path, tmp_path: Path) -> None:
    files = list_photo_files(sample / "照片")[:3]
    tall = tmp_path / "tall.jpg"
    Image.new("RGB", (600, 900), "navy").save(tall)
    check = check_photos([*files, tall], expected=None, order=["IMG_0103", "tall.jpg"],
                         landscape=True)
    assert [p.path.name for p in check.photos][:2] == ["IMG_0103.jpg", "tall.jpg"]
    assert len(check.warnings) == 2  # portrait and under one megapixel


def test_count_and_orientation_are_the_callers_rules(sample: Path, tmp_path: Path) -> None:
    """The photo checker knows no programme: ten photos and landscape are the dossier's asks."""
    files = list_photo_files(sample / "照片")[:3]
    tall = tmp_path / "tall.jpg"
    Image.new("RGB", (1200, 1800), "navy").save(tall)
    plain = check_photos([*files, tall])
    assert not plain.errors and not plain.warnings
    ruled = check_photos([*files, tall], expected=10, landscape=True)
    assert ["10" in p.zh and "4" in p.zh for p in ruled.errors] == [True]
    assert [p.where.file for p in ruled.warnings] == [str(tall)]


@pytest.mark.slow
def test_photo_pages_pdf_and_docx(sample: Path, tmp_path: Path) -> None:
    files = list_photo_files(sample / "照片")
    captions = {name: caption for name, _, _, caption in PHOTOS}
    pdf = write_photo_pages(files, tmp_path / "photos.pdf", captions)
    reader = PdfReader(pdf)
    assert len(reader.pages) == 5
    assert PHOTOS[0][3] in reader.pages[0].extract_text()
    for page in reader.pages:
        for image in page.images:
            img = Image.open(io.BytesIO(image.data))
            assert img.width > img.height
    docx = write_photo_pages(files, tmp_path / "photos.docx", captions)
    doc = Docx(docx)
    assert len(doc.inline_shapes) == 10
    assert sum(p.paragraph_format.page_break_before is True for p in doc.paragraphs) == 4


@pytest.mark.slow
def test_binder_yaml_pdf_only(sample: Path) -> None:
    (sample / "binder.yaml").write_text(
        "title: 听课资料\ndate: 2026-03-12\nsections:\n"
        "  - title: 听评表\n    files: [过程性资料/听评表.pdf]\n"
        "  - title: 原件\n    files: [原件/签到表(手写).jpg, {file: 原件/听课记录(手写).pdf, title: 记录}]\n",
        encoding="utf-8",
    )
    binder = load_binder_yaml(sample / "binder.yaml")
    out = sample.parent / "binder.pdf"
    result = build_pdf(binder, out)
    reader = PdfReader(out)
    assert result.pages == len(reader.pages) == 5
    assert [(e.level, e.title, e.page) for e in result.toc] == [
        (0, "听评表", 3),
        (0, "原件", 4),
        (1, "签到表(手写)", 4),
        (1, "记录", 5),
    ]


def test_binder_yaml_refuses_escape(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "secret.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "b" / "binder.yaml").write_text(
        "title: x\nsections:\n  - title: a\n    files: [../secret.pdf]\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as info:
        load_binder_yaml(tmp_path / "b" / "binder.yaml")
    assert "../secret.pdf" in str(info.value)


def test_missing_file_in_binder(tmp_path: Path) -> None:
    binder = Binder(Cover("x"), (Section("a", (Document(tmp_path / "gone.pdf"),)),))
    with pytest.raises(InputError) as info:
        build_pdf(binder, tmp_path / "o.pdf")
    assert "gone.pdf" in str(info.value)


def test_heic_photo(tmp_path: Path) -> None:
    from planforge.default_plugins.booklet import images

    if not images.HEIF_SUPPORTED:
        pytest.skip("pillow-heif not installed")
    path = tmp_path / "iphone.heic"
    try:
        Image.new("RGB", (1600, 1200), "teal").save(path)
    except (KeyError, OSError, ValueError):
        pytest.skip("this pillow-heif cannot encode HEIC")
    photo = read_photo(path)
    assert (photo.width, photo.height) == (1600, 1200)
    assert images.load_print_image(path, (160.0, 120.0))[0].size == (1260, 945)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_print_images_are_upright_for_every_exif_orientation(tmp_path: Path,
                                                             orientation: int) -> None:
    """A red corner drawn top-left stays top-left once printed, as Pillow's exif_transpose has it."""
    from PIL import ImageOps

    from planforge.default_plugins.booklet import load_print_image

    upright = Image.new("RGB", (1600, 1200), (0, 160, 0))
    upright.paste((220, 0, 0), (0, 0, 400, 300))
    undo = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
            4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
            6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_270}
    stored = upright.transpose(undo[orientation]) if orientation in undo else upright
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / f"o{orientation}.jpg"
    stored.save(path, exif=exif, quality=95)
    with Image.open(path) as reference:
        assert ImageOps.exif_transpose(reference).size == upright.size  # the test's own premise

    printed, (width_mm, height_mm) = load_print_image(path, (80.0, 60.0), dpi=100)
    assert printed.width > printed.height and width_mm > height_mm
    red, _, _ = printed.getpixel((printed.width // 10, printed.height // 10))
    _, green, _ = printed.getpixel((printed.width * 9 // 10, printed.height * 9 // 10))
    assert red > 180 and green > 120
