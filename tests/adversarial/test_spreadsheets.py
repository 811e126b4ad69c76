"""Spreadsheets as clerks make them: each works, or the message names file, sheet, row, column."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from .collect import keep
from .documents import check_published, squeeze
from .plugin import person_id

DATA = Path(__file__).with_name("data")
HEADERS = ["序号", "姓名", "身份证号码", "出生日期", "参加工作年月", "备注"]


def roster(path: Path, rows: list[list], title_rows: int = 2, sheet: str = "名册",
           blank_between: int = 0) -> Path:
    """A roster with merged title rows above the header (so the header is on row 3)."""
    workbook = Workbook()
    book = workbook.active
    book.title = sheet
    for number in range(title_rows):
        book.append([f"2026年人员名册（第{number + 1}行标题）"])
        book.merge_cells(start_row=number + 1, start_column=1, end_row=number + 1,
                         end_column=len(HEADERS))
    book.append(HEADERS)
    for row in rows:
        book.append(row)
        for _ in range(blank_between):
            book.append([])
    workbook.save(path)
    return path


def person(number: int, **change) -> list:
    values = {"seq": number, "name": f"人员{number}", "id": person_id(number),
              "birth": "1950-01-01", "joined": "1970年9月", "remark": ""}
    values.update(change)
    return list(values.values())


def fills(planforge, data: Path, out: Path, *extra: str) -> dict[str, str]:
    result = planforge("fill", "tiny-package", data, "-o", out, "--jobs", "1", *extra)
    assert result.exit_code == 0, result.output
    keep(out, origin=f"spreadsheet {data.name}")
    return check_published(out) | {"(output)": result.output}


def refused(planforge, data: Path, out: Path, *names: str) -> str:
    """Exit 2, nothing written, and the message names every one of ``names``."""
    result = planforge("fill", "tiny-package", data, "-o", out, "--jobs", "1")
    assert result.exit_code == 2, result.output
    assert not out.exists() or not any(out.iterdir()), list(out.iterdir())
    for name in (str(data), *names):
        assert name in result.output, (name, result.output)
    return result.output


def all_text(texts: dict[str, str]) -> str:
    return squeeze("".join(texts.values()))


def test_id_numbers_excel_stored_as_numbers_are_refused_at_their_cell(planforge, tmp_path):
    data = roster(tmp_path / "名册.xlsx", [person(1), person(2, id=int(person_id(2)))])
    output = refused(planforge, data, tmp_path / "out", "名册", "第5行", "身份证号码")
    assert "stored by Excel as a number" in output and "存成了数字" in output


def test_id_numbers_in_scientific_notation_are_refused(planforge, tmp_path):
    data = roster(tmp_path / "名册.xlsx", [person(1, id="1.10105E+17")])
    output = refused(planforge, data, tmp_path / "out", "第4行", "身份证号码")
    assert "scientific notation" in output


def test_full_width_digits_and_letters_in_ids_are_folded(planforge, tmp_path):
    number = person_id(3)
    wide = "".join(chr(ord(c) + 0xFEE0) for c in number)  # ０-９ and Ｘ
    texts = fills(planforge, roster(tmp_path / "名册.xlsx", [person(3, id=wide)]), tmp_path / "o")
    assert number in all_text(texts) and wide not in all_text(texts)


def test_trailing_and_non_breaking_spaces_are_trimmed(planforge, tmp_path):
    data = roster(tmp_path / "名册.xlsx", [person(4, name="\u3000王\xa0小明 \xa0",
                                                 id=f" {person_id(4)}\xa0 ")])
    texts = fills(planforge, data, tmp_path / "out")
    assert "1 王 小明.docx" in " ".join(texts)  # file named by the trimmed name
    form = next(t for p, t in texts.items() if p.endswith("王 小明.docx"))
    assert "姓名：王 小明" in form and person_id(4) in form


def test_header_on_row_3_below_merged_titles_and_rows_numbered_as_in_excel(planforge, tmp_path):
    data = roster(tmp_path / "名册.xlsx", [person(1), person(2, birth="1950-02-30")],
                  title_rows=2, blank_between=2)
    # title rows 1-2, header 3, 人员1 on 4, two blank rows, 人员2 on 7
    refused(planforge, data, tmp_path / "out", "第7行", "出生日期", "1950-02-30")


def test_empty_rows_between_data_are_skipped(planforge, tmp_path):
    data = roster(tmp_path / "名册.xlsx", [person(1), person(2), person(3)], blank_between=3)
    texts = fills(planforge, data, tmp_path / "out")
    assert sum(p.endswith(".docx") and "合订" not in p for p in texts) == 3


def test_dates_as_text_serials_datetimes_and_year_dot_month(planforge, tmp_path):
    rows = [person(1, birth="1950年3月5日", joined=1958.12),
            person(2, birth=18327, joined="1958.9"),  # Excel serial of 1950-03-05
            person(3, birth=dt.datetime(1950, 3, 5), joined=dt.datetime(1958, 12, 1))]
    texts = fills(planforge, roster(tmp_path / "名册.xlsx", rows), tmp_path / "out")
    forms = [t for p, t in texts.items() if p.startswith("附件1") and "合订" not in p]
    assert all("1950年3月5日" in squeeze(t) for t in forms), forms
    assert sum("1958年12月" in squeeze(t) for t in forms) == 2


def test_year_dot_ten_is_ambiguous_and_refused_at_its_cell(planforge, tmp_path):
    data = roster(tmp_path / "名册.xlsx", [person(1, joined=1958.10)])
    output = refused(planforge, data, tmp_path / "out", "第4行", "参加工作年月")
    assert "1958年1月" in output and "1958年10月" in output


def test_hidden_rows_are_read_and_reported(planforge, tmp_path):
    data = roster(tmp_path / "名册.xlsx", [person(1), person(2), person(3)])
    from openpyxl import load_workbook

    workbook = load_workbook(data)
    workbook.active.row_dimensions[5].hidden = True  # 人员2
    workbook.save(data)
    texts = fills(planforge, data, tmp_path / "out")
    assert "人员2" in all_text(texts)
    warning = texts["(output)"]
    assert "warning" in warning and "第5行" in warning and "hidden" in warning
    assert "第4行" not in warning and "第6行" not in warning


def hidden_sheet_first(path: Path) -> Path:
    """A hidden first sheet holding a roster, then the visible one."""
    workbook = Workbook()
    notes = workbook.active
    notes.title = "填表说明"
    notes.append(HEADERS)
    notes.append(person(9, name="隐藏表里的人"))
    notes.sheet_state = "hidden"
    data_sheet = workbook.create_sheet("Sheet2")
    data_sheet.append(HEADERS)
    data_sheet.append(person(1))
    workbook.save(path)
    return path


def wanted_sheet_hidden(path: Path) -> Path:
    """The sheet named as planforge looks for it (名册) is very hidden."""
    workbook = Workbook()
    workbook.active.title = "Sheet1"
    workbook.active.append(["随便什么"])
    hidden = workbook.create_sheet("名册")
    hidden.append(HEADERS)
    hidden.append(person(1))
    hidden.sheet_state = "veryHidden"
    workbook.save(path)
    return path


def test_a_hidden_sheet_is_never_taken_as_the_first_sheet(planforge, tmp_path):
    texts = fills(planforge, hidden_sheet_first(tmp_path / "名册.xlsx"), tmp_path / "out")
    assert "人员1" in all_text(texts) and "隐藏表里的人" not in all_text(texts)


def test_the_wanted_sheet_hidden_is_refused_by_name(planforge, tmp_path):
    data = wanted_sheet_hidden(tmp_path / "名册.xlsx")
    output = refused(planforge, data, tmp_path / "out", "名册")
    assert "hidden" in output and "隐藏" in output


def test_csv_in_gbk_as_excel_exports_it(planforge, tmp_path):
    lines = [",".join(HEADERS)] + [",".join(map(str, person(n, name=f"王{n}号"))) for n in (1, 2)]
    data = tmp_path / "名册.csv"
    data.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    assert "王2号" in all_text(fills(planforge, data, tmp_path / "out"))


def test_old_excel_xls_is_read_and_its_cells_named(planforge, tmp_path):
    data = tmp_path / "名册.xls"
    shutil.copyfile(DATA / "old-excel.xls", data)  # its ID number has a wrong check digit
    output = refused(planforge, data, tmp_path / "out", "第2行", "身份证号码", "110105195001010015")
    assert "check digit" in output and "save it as .xlsx" not in output


def test_a_password_protected_workbook_is_named_as_such(planforge, tmp_path):
    data = tmp_path / "名册.xlsx"
    shutil.copyfile(DATA / "password-1234.xlsx", data)
    output = refused(planforge, data, tmp_path / "out")
    assert "password" in output and "密码" in output


def test_a_real_xlsx_named_xls_is_read_by_its_content(planforge, tmp_path):
    data = roster(tmp_path / "名册.xlsx", [person(1)]).rename(tmp_path / "名册.xls")
    assert "人员1" in all_text(fills(planforge, data, tmp_path / "out"))


def test_a_web_page_saved_as_xls_is_named_as_such(planforge, tmp_path):
    data = tmp_path / "名册.xls"
    data.write_text("<html><body><table><tr><td>姓名</td></tr><tr><td>张三</td></tr></table>"
                    "</body></html>", encoding="utf-8")
    assert "web page" in refused(planforge, data, tmp_path / "out")


@pytest.mark.parametrize("content", [
    b"PK\x03\x04" + b"\x00" * 40,  # a zip cut short
    b"\x00" * 100,
])
def test_damaged_workbooks_are_refused_by_file(planforge, tmp_path, content):
    data = tmp_path / "名册.xlsx"
    data.write_bytes(content)
    assert "cannot read the Excel file" in refused(planforge, data, tmp_path / "out")


def test_a_word_document_named_xlsx_is_refused_by_file(planforge, tmp_path, tiny_dir):
    data = tmp_path / "名册.xlsx"
    shutil.copyfile(tiny_dir / "tiny" / "form.docx", data)
    assert "cannot read the Excel file" in refused(planforge, data, tmp_path / "out")


def test_an_empty_file_is_refused_by_file(planforge, tmp_path):
    data = tmp_path / "名册.xlsx"
    data.write_bytes(b"")
    assert "empty" in refused(planforge, data, tmp_path / "out")
