"""Issue 12 §3: the numbers at the edges of the year, through every annex they touch.

Someone whose first payment month falls in the next year is not this year's 发放对象; someone
who died within the year stays, paid to the month of death; a public notice shows neither a
refusal's reason nor the clerk's own remarks.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
from docx import Document
from test_conditions_run import MET, SETTINGS, id_number, invoke, rejected, roster, teacher

PEOPLE = [
    teacher("照发", 1, 备注="曾有刑事案件，已撤销", **MET),
    {**teacher("腊月", 2, **MET),  # a woman: 55 on 15 Dec 2019, paid from January 2020
     "身份证号码": id_number(date(1964, 12, 15), male=False, serial=2)},
    teacher("年中故", 3, 去世日期=date(2019, 3, 10), **MET),
    teacher("记录", 4, 不良记录="是", **MET),
]


def _fill(tmp_path: Path) -> Path:
    path = roster(tmp_path / "r.xlsx", PEOPLE)
    out = tmp_path / "out"
    result = invoke("fill", "gd-subsidy", path, "--settings", SETTINGS, "--set", "year=2019",
                    "--set", "notice_start=2019-04-01", "--set", "report_date=2019-04-10",
                    "-o", out)
    assert result.exit_code == 0, result.output
    return out


BANDS = ("30年以上", "20-29年", "10-19年", "1-9年")


def _header(sheet, first_header: str) -> int:
    return next(r for r in range(1, 30) if sheet.cell(r, 1).value == first_header)


def _names(sheet, first_header: str) -> list[str]:
    """Column B of the rows between the header and 合计."""
    names = []
    for row in range(_header(sheet, first_header) + 1, sheet.max_row + 1):
        if sheet.cell(row, 1).value == "合计":
            return names
        names.append(sheet.cell(row, 2).value)
    raise AssertionError("no 合计 row")


def test_paid_from_next_year_is_in_no_count_list_or_form_of_this_year(tmp_path) -> None:
    out = _fill(tmp_path)
    book = openpyxl.load_workbook(next(out.glob("附件2 *.xlsx")))
    assert _names(book["名册"], "序号") == ["照发", "年中故"]
    assert rejected(out)["腊月"] == "次年起发放（2019年12月达到年龄）"
    assert rejected(out)["记录"] == "有刑事犯罪记录，或任教期间被开除、辞退、解除聘用合同"
    changes = openpyxl.load_workbook(next(out.glob("附件3 *.xlsx"))).active
    assert "腊月" not in _names(changes, "序号")
    head = next(r for r in range(1, 20) if changes.cell(r, 1).value == "上年人数")
    assert changes.cell(head + 1, 6).value == 2  # 本年人数
    summary = openpyxl.load_workbook(next(out.glob("附件4 *.xlsx"))).active
    counts = [r[4] for r in summary.iter_rows(values_only=True) if r[0] in BANDS]
    assert sum(counts) == 2  # headcount of the bands
    forms = [p.name for p in next(out.glob("附件1 *")).glob("*.docx") if "合订" not in p.name]
    assert sorted(forms) == ["1 照发.docx", "2 年中故.docx"]
    notice = Document(str(out / "公示名单.docx"))
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in notice.tables[0].rows[1:]}
    assert list(rows) == ["照发", "年中故"]
    assert rows["年中故"][-1] == "已故（发放至2019年3月）" and rows["照发"][-1] == ""
    assert "刑事" not in notice.element.xml and "共2人" in notice.paragraphs[2].text
    assert invoke("check", "gd-subsidy", out).exit_code == 0


def test_check_flags_a_package_listing_someone_paid_nothing(tmp_path) -> None:
    out = _fill(tmp_path)
    path = next(out.glob("附件2 *.xlsx"))
    book = openpyxl.load_workbook(path)
    sheet = book["名册"]
    first = _header(sheet, "序号") + 1
    columns = {c.value: c.column for c in sheet[first - 1]}
    sheet.cell(first, columns["本年度发放月数"]).value = 0  # as if paid from next year
    sheet.cell(first, columns["本年度补助金额（元）"]).value = 0
    book.save(path)
    result = invoke("check", "gd-subsidy", out)
    assert result.exit_code != 0 and "次年起发放" in result.output, result.output


def test_check_flags_a_refusal_reason_on_the_public_notice(tmp_path) -> None:
    out = _fill(tmp_path)
    notice = Document(str(out / "公示名单.docx"))
    notice.tables[0].rows[1].cells[-1].text = "有刑事犯罪记录"
    notice.save(str(out / "公示名单.docx"))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert any(f["path"] == "公示名单.docx" for f in manifest["files"])
    result = invoke("check", "gd-subsidy", out)
    assert result.exit_code != 0 and "不宜公开" in result.output, result.output
