"""The same roster saved as .xlsx, .xls and .ods (by LibreOffice, as a clerk re-saves it) reads to
the same records, warnings and problems, each at the same sheet, row and column. No .xlsb: no
writer is at hand (LibreOffice has no .xlsb export filter), so .xlsb is read but not tested here."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook

from planforge.default_plugins.convert import convert, have_soffice
from planforge.engine import Engine
from planforge.errors import InputError

from .collect import case
from .test_clerk_layouts import recalculated_copy
from .test_spreadsheets import (
    HEADERS,
    hidden_sheet_first,
    person,
    refused,
    roster,
    wanted_sheet_hidden,
)

pytestmark = [pytest.mark.skipif(not have_soffice(), reason="LibreOffice is needed to save .xls/.ods"),
              pytest.mark.slow]

FORMATS = ("xls", "ods")
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "gd-subsidy"


def _good(path: Path) -> Path:
    """Merged title rows, blank rows between, dates as text, serial, datetime and 1958.12."""
    rows = [person(1, birth="1950年3月5日", joined=1958.12),
            person(2, birth=18327, joined="1958.9"),
            person(3, birth=dt.datetime(1950, 3, 5), joined=dt.datetime(1958, 12, 1), remark=7),
            ["合计", None, None, None, None, None]]
    return roster(path, rows, title_rows=2, blank_between=1)


def _bad_cells(path: Path) -> Path:
    """A wrong check digit, an ID typed as a number, an impossible date, a missing name and a
    duplicate ID: each named at its cell."""
    return roster(path, [person(1), person(2, id=int(person_id_text(2))),
                         person(3, birth="1950-02-30"), person(4, name=None),
                         person(5, id=person_id_text(1)), person(6, id="110105195001010015")])


def person_id_text(number: int) -> str:
    return person(number)[2]


def _hidden_rows(path: Path) -> Path:
    roster(path, [person(1), person(2), person(3), person(4)])
    workbook = openpyxl.load_workbook(path)
    workbook.active.row_dimensions[5].hidden = True
    workbook.active.row_dimensions[7].hidden = True
    workbook.save(path)
    return path


def _two_row_header_and_footer(path: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "名册"
    sheet.append(["2026年人员名册"])
    sheet.append(["序号", "个人信息", None, "出生日期", "参加工作年月", "备注"])
    sheet.append([None, "姓名", "身份证号码"])
    sheet.merge_cells("B2:C2")
    sheet.merge_cells("A2:A3")
    for row in (person(1), person(2)):
        sheet.append(row)
    sheet.append(["填表人：张三", None, "审核人：李四"])
    sheet.append(person(3))  # below the footer: reported, not read
    workbook.save(path)
    return path


def _error_cells(path: Path) -> Path:
    """Cells showing #N/A and #DIV/0!, saved with their results by a program that calculates."""
    (path.parent / "written").mkdir()
    written = roster(path.parent / "written" / path.name, [
        person(1, birth="=NA()"), person(2, remark="=1/0"), person(3, name='=VLOOKUP(9,A1:A2,1,0)')])
    return shutil.copyfile(recalculated_copy(written, path.parent / "calculated"), path)


CASES = {
    "error-cells": _error_cells,
    "good": _good,
    "bad-cells": _bad_cells,
    "hidden-sheet-first": hidden_sheet_first,
    "wanted-sheet-hidden": wanted_sheet_hidden,
    "hidden-rows": _hidden_rows,
    "two-row-header-and-footer": _two_row_header_and_footer,
}


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """Each case as .xlsx, and as LibreOffice saves it in every format (one run per format)."""
    folder = tmp_path_factory.mktemp("formats")
    originals = {name: make(folder / f"{name}.xlsx") for name, make in CASES.items()}
    found = {name: {"xlsx": path} for name, path in originals.items()}
    for fmt in FORMATS:
        for name, path in zip(originals, convert(list(originals.values()), fmt, folder / fmt),
                              strict=True):
            found[name][fmt] = path
    return found


def outcome(engine: Engine, path: Path) -> tuple:
    """What a run reads from ``path``: records, warnings and problems, with sheet, row and
    column but not the file's name (which differs by its extension)."""
    def seen(problem):
        return problem.zh, problem.en, problem.where.sheet, problem.where.row, problem.where.column

    try:
        data = engine.prepare("tiny-package", [path], {}).data
    except InputError as error:
        return "refused", sorted(map(seen, error.problems))
    tables = {name: [(r.where.sheet, r.where.row, r.values) for r in records]
              for name, records in data.tables.items()}
    return tables, sorted(map(seen, data.warnings))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", CASES)
def test_every_format_reads_as_the_xlsx_does(saved, tiny_registry, name, fmt):
    engine = Engine(tiny_registry)
    expected = outcome(engine, saved[name]["xlsx"])
    assert outcome(engine, saved[name][fmt]) == expected
    case()


def test_the_cases_say_what_they_should(saved, tiny_registry):
    """The comparison above is only worth something if the .xlsx outcomes are the right ones."""
    engine = Engine(tiny_registry)
    tables, warnings = outcome(engine, saved["good"]["xlsx"])
    assert [values["name"] for *_, values in next(iter(tables.values()))] == [
        "人员1", "人员2", "人员3"]
    refusal, problems = outcome(engine, saved["bad-cells"]["xlsx"])
    assert refusal == "refused" and {(row, column) for *_, row, column in problems} >= {
        (5, "身份证号码"), (6, "出生日期"), (7, "姓名"), (9, "身份证号码")}
    assert any("stored by Excel as a number" in en for _, en, *_ in problems)
    refusal, problems = outcome(engine, saved["error-cells"]["xlsx"])
    assert {(row, column, en.split(";")[0]) for _, en, _, row, column in problems} == {
        (4, "出生日期", "this cell shows the formula error #N/A"),
        (5, "备注", "this cell shows the formula error #DIV/0!"),
        (6, "姓名", "this cell shows the formula error #N/A")}
    tables, warnings = outcome(engine, saved["hidden-rows"]["xlsx"])
    assert [row for *_, row, _ in warnings] == [5, 7]
    assert outcome(engine, saved["wanted-sheet-hidden"]["xlsx"])[0] == "refused"


def test_an_xls_named_xlsx_and_an_ods_named_xls_are_read_by_their_content(saved, planforge,
                                                                          tmp_path):
    for fmt, wrong in (("xls", ".xlsx"), ("ods", ".xls"), ("ods", ".xlsx")):
        data = shutil.copyfile(saved["bad-cells"][fmt], tmp_path / f"名册-{fmt}{wrong}")
        refused(planforge, data, tmp_path / "out", "第6行", "出生日期", "1950-02-30")
        case()


def _rezip(source: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info, change(info.filename, old.read(info.filename)))
    return target


def test_a_password_protected_ods_is_refused_by_name(saved, planforge, tmp_path):
    """As LibreOffice saves one: the manifest says how content.xml is encrypted, and it is."""
    def encrypt(name: str, data: bytes) -> bytes:
        if name == "META-INF/manifest.xml":
            return re.sub(
                rb'(manifest:full-path="content.xml"[^>]*)/>',
                rb'\1><manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:'
                rb'opendocument:xmlns:manifest:1.0#sha256-1k" manifest:checksum="x"/>'
                rb'</manifest:file-entry>', data)
        return bytes(b ^ 0x5A for b in data) if name == "content.xml" else data

    data = _rezip(saved["good"]["ods"], tmp_path / "名册.ods", encrypt)
    assert b"encryption-data" in zipfile.ZipFile(data).read("META-INF/manifest.xml")
    output = refused(planforge, data, tmp_path / "out")
    assert "password" in output and "密码" in output


def _with_filepass(xls: bytes, record: bytes) -> bytes:
    """The .xls with a FILEPASS record (how BIFF8 marks a workbook encrypted) right after the
    workbook's BOF, in the place of the records that follow it (padded with a filler record)."""
    start = xls.find(b"\x09\x08\x10\x00\x00\x06\x05\x00") + 20  # after the globals' BOF
    replaced = 132  # INTERFACEHDR, MMS, INTERFACEEND and WRITEACCESS as LibreOffice writes them
    assert [xls[start], xls[start + 12], xls[start + 16]] == [0xE1, 0xE2, 0x5C]
    filler = struct.pack("<HH", 0x5C, replaced - len(record) - 4) + b" " * (
        replaced - len(record) - 4)
    return xls[:start] + record + filler + xls[start + replaced:]


@pytest.mark.parametrize("record", [
    struct.pack("<HHHHH", 0x2F, 54, 1, 1, 1) + bytes(range(48)),  # RC4, as Excel 97-2003 saves
    struct.pack("<HHHHH", 0x2F, 6, 0, 0x1234, 0x5678),  # XOR obfuscation, as Excel 95 saved
], ids=["rc4", "xor"])
def test_a_password_protected_xls_is_refused_by_name(saved, planforge, tmp_path, record):
    data = tmp_path / "名册.xls"
    data.write_bytes(_with_filepass(saved["good"]["xls"].read_bytes(), record))
    output = refused(planforge, data, tmp_path / "out")
    assert "password" in output and "密码" in output


@pytest.mark.parametrize("fmt", FORMATS)
def test_damaged_xls_and_ods_are_refused_by_name(saved, planforge, tmp_path, fmt):
    whole = saved["good"][fmt].read_bytes()
    for number, content in enumerate((whole[: len(whole) // 2], whole[:8] + b"\0" * 600)):
        data = tmp_path / f"名册{number}.{fmt}"
        data.write_bytes(content)
        output = refused(planforge, data, tmp_path / "out")
        assert f"(.{fmt}) file" in output and "damaged" in output
        case()


def _cell_values(folder: Path) -> dict[str, list[tuple]]:
    """Every cell value of every workbook planforge wrote, by file name and sheet."""
    found = {}
    for path in sorted(folder.rglob("*.xlsx")):
        workbook = openpyxl.load_workbook(path)
        for sheet in workbook.worksheets:
            found[f"{path.relative_to(folder)}:{sheet.title}"] = list(sheet.iter_rows(
                values_only=True))
    return found


def test_the_subsidy_sample_fills_from_xls_to_the_same_numbers(planforge, tmp_path):
    """附件2 (roster), 附件3 (changes against --previous) and 附件4 (summary) from .xls files
    LibreOffice saved hold exactly the values the .xlsx run writes."""
    sources = [SAMPLES / "roster-2020.xlsx", SAMPLES / "roster-2019.xlsx"]
    roster_xls, last_xls = convert(sources, "xls", tmp_path / "xls")
    outputs = {}
    for label, data, last in (("xlsx", *sources), ("xls", roster_xls, last_xls)):
        outputs[label] = tmp_path / label / "乳源"
        result = planforge("fill", "gd-subsidy", data, "--previous", last, "--settings",
                           SAMPLES / "settings.yaml", "-o", outputs[label], "--jobs", "1")
        assert result.exit_code == 0, result.output
    expected = _cell_values(outputs["xlsx"])
    assert {name[:3] for name in expected} >= {"附件2", "附件3", "附件4"}, expected.keys()
    assert _cell_values(outputs["xls"]) == expected


@pytest.mark.parametrize("fmt", ("xlsx", *FORMATS))
def test_the_web_page_marks_the_wrong_cells_in_every_format(saved, tiny_registry, fmt):
    from planforge.web.sheetview import sheet_view

    path = saved["bad-cells"][fmt]
    with pytest.raises(InputError) as error:
        Engine(tiny_registry).prepare("tiny-package", [path], {})
    view = sheet_view(path, path.name, error.value.problems)
    marked = {(row["number"], HEADERS[index]) for row in view["rows"]
              for index, cell in enumerate(row["cells"]) if cell["problems"]}
    assert view["sheet"] == "名册" and marked == {
        (5, "身份证号码"), (6, "出生日期"), (7, "姓名"), (8, "身份证号码"), (9, "身份证号码")}
    case()


def test_the_web_page_takes_xls_ods_and_xlsb_uploads(saved, tmp_path):
    from planforge.web.uploads import save_data_file

    for fmt in FORMATS:
        with saved["good"][fmt].open("rb") as upload:
            stored = save_data_file(f"名册.{fmt}", upload, tmp_path)
        assert stored.read_bytes() == saved["good"][fmt].read_bytes()
    for suffix in (".ods", ".xlsb"):
        with pytest.raises(InputError, match="not an Excel workbook"):
            save_data_file(f"名单{suffix}", io.BytesIO("姓名,身份证号码\n".encode()), tmp_path)
    case()


def test_the_web_file_picker_offers_every_data_format():
    """A browser's picker hides files its ``accept`` list leaves out: it must list them all."""
    from planforge.web import uploads

    page = (Path(uploads.__file__).with_name("templates") / "fill.html").read_text("utf-8")
    offered = re.search(r'id="data" name="data" multiple accept="([^"]*)"', page).group(1)
    assert set(offered.split(",")) == uploads.DATA_SUFFIXES
    case()


def test_an_ods_with_a_damaged_member_is_refused_by_name(saved, planforge, tmp_path):
    whole = saved["good"]["ods"].read_bytes()
    for number, member in enumerate((b"spreadsheet", b"META-INF/manifest.xml")):
        data = tmp_path / f"名册{number}.ods"
        # The mimetype is stored uncompressed: a changed byte fails its CRC when read.
        at = whole.index(member) if member == b"spreadsheet" else whole.rindex(b"PK\x01\x02")
        data.write_bytes(whole[:at] + bytes([whole[at] ^ 1]) + whole[at + 1:])
        output = refused(planforge, data, tmp_path / "out")
        assert "(.ods) file" in output and "damaged" in output, output
        case()
