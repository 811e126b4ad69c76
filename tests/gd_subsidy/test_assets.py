"""The shipped gd-subsidy templates and samples: they open, follow the engine's conventions and
carry the data cases they promise."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import yaml
from docx import Document
from docxtpl import DocxTemplate
from gd_subsidy import rules
from jinja2.sandbox import SandboxedEnvironment

from planforge.default_plugins.filters import FILTERS
from planforge.fields import parse_resident_id
from planforge.model import Field

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "templates" / "forms" / "gd-subsidy"
SAMPLES = ROOT / "samples" / "gd-subsidy"

ROSTER_HEADERS = [
    "序号", "姓名", "性别", "身份证号码", "类别", "任教学期数", "地级市", "县(市、区)",
    "乡镇(街道)", "户籍地址", "联系电话", "离岗退养", "不良记录", "去世日期", "备注",
    "户籍所在地", "合同签订日期", "备案", "后入编或国企正式职工", "补报",
]  # fmt: skip

WORD = {
    "附件1-申请表.docx": {
        "name", "sex", "id_number", "category", "semesters", "working_years", "monthly_standard",
        "city", "county", "township", "address", "phone", "birth_date", "first_month", "history",
        "settings",
    },
    "公示名单.docx": {"eligible", "notice", "settings"},
}  # fmt: skip

EXCEL = {
    "附件2-名册表.xlsx": {
        "名册": ["name", "sex", "id_number", "category", "semesters", "working_years",
                 "monthly_standard", "first_month", "months", "amount", "township", "remark"],
        "不符合条件人员": ["name", "id_number", "township", "reason"],
    },
    "附件3-增减情况表.xlsx": {
        "增减情况": ["name", "id_number", "change", "reason", "month", "remark"],
    },
    "附件4-县级人数汇总表.xlsx": {
        "人数汇总": ["band", "standard", "minban", "daike", "count", "monthly", "amount",
                     "province", "local"],
    },
    "附件5-市级人数汇总表.xlsx": {
        "人数汇总": ["county", "minban", "daike", "count", "monthly", "amount", "province",
                     "local"],
    },
}  # fmt: skip

ID_FIELD = Field("id_number", "身份证号码", "resident_id")
ROW_FIELD = re.compile(r"\{\{\s*row\.(\w+)")


@pytest.mark.parametrize("name", sorted(WORD))
def test_word_templates_parse_and_declare_context(name: str) -> None:
    path = FORMS / name
    doc = Document(path)
    section = doc.sections[0]
    assert abs(section.page_width.cm - 21.0) < 0.05 and abs(section.page_height.cm - 29.7) < 0.05
    env = SandboxedEnvironment(autoescape=True)
    env.filters.update(FILTERS)
    assert set(DocxTemplate(path).get_undeclared_template_variables(env)) == WORD[name]


def test_application_has_signature_and_stamp_blocks() -> None:
    doc = Document(FORMS / "附件1-申请表.docx")
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert text.startswith("附件{{ settings.annex_application }}")
    assert "广东省原民办代课教师生活困难补助申请表" in text and "一式三份" in text
    for label in ("申请人签名", "初审意见", "县级教育", "财政部门审核意见", "人社部门审核意见",
                  "卫健部门审核意见", "（盖章）", "年　　月　　日", "{%tr for h in history %}"):  # fmt: skip
        assert label in cells, label


def test_notice_masks_ids_and_names_period() -> None:
    doc = Document(FORMS / "公示名单.docx")
    xml = doc.element.xml
    for snippet in ("p.id_number|mask_id", "notice.start|cn_date", "notice.end|cn_date",
                    "settings.objection_contact", "{%tr for p in eligible %}", "w:tblHeader"):  # fmt: skip
        assert snippet in xml, snippet


@pytest.mark.parametrize("name", sorted(EXCEL))
def test_excel_templates_follow_engine_convention(name: str) -> None:
    wb = openpyxl.load_workbook(FORMS / name)
    assert wb.sheetnames == list(EXCEL[name])
    for number, ws in enumerate(wb.worksheets):
        # a continuation sheet (附件2's 不符合条件人员) carries no annex label of its own
        assert (ws["A1"].value or "").startswith("附件") or number > 0
        rows = [r for r in range(1, ws.max_row + 1)
                if any(isinstance(c.value, str) and ROW_FIELD.search(c.value) for c in ws[r])]  # fmt: skip
        assert len(rows) == 1, f"{ws.title}: exactly one template row"
        trow = rows[0]
        fields = [
            m for c in ws[trow] if isinstance(c.value, str) for m in ROW_FIELD.findall(c.value)
        ]
        assert fields == EXCEL[name][ws.title]
        # nothing merged at or below the template row: moving rows cannot break a merge
        assert all(m.min_row < trow for m in ws.merged_cells.ranges)
        formulas = [c.value for r in ws.iter_rows(min_row=trow + 1) for c in r
                    if isinstance(c.value, str) and c.value.startswith("=")]  # fmt: skip
        assert formulas and all(f"{trow}:" in f for f in formulas)
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows and ws.print_area
        assert any("盖章" in str(c.value) for r in ws.iter_rows(min_row=trow) for c in r)
        assert ws.cell(trow, 1).font.name == "宋体"
    # 附件3 is portrait so that 15 changes and the stamps fit one page (issue 12 §2.2)
    expected = "portrait" if name.startswith("附件3") else "landscape"
    assert wb.worksheets[0].page_setup.orientation == expected


def test_summary_templates_carry_upper_case_total() -> None:
    for name in ("附件4-县级人数汇总表.xlsx", "附件5-市级人数汇总表.xlsx"):
        ws = openpyxl.load_workbook(FORMS / name).active
        values = [c.value for r in ws.iter_rows() for c in r]
        assert "{{ totals.amount_upper }}" in values


# --------------------------------------------------------------------------- samples


def _roster(name: str) -> tuple[list[dict], list[tuple]]:
    wb = openpyxl.load_workbook(SAMPLES / name)
    ws = wb["名册"]
    assert ("A1:T1" in {str(m) for m in ws.merged_cells.ranges}) and "名单" in ws["A1"].value
    assert [c.value for c in ws[2]] == ROSTER_HEADERS
    rows = []
    for r in range(3, ws.max_row + 1):
        assert ws.cell(r, 4).number_format == "@" and isinstance(ws.cell(r, 4).value, str)
        rows.append(dict(zip(ROSTER_HEADERS, (c.value for c in ws[r]), strict=True)))
    history = list(wb["任教经历"].iter_rows(min_row=2, values_only=True))
    stints: dict[str, list[rules.Stint]] = {}
    for id_number, _school, start, end, n in history:
        months = [date(*map(int, m.split(".")), 1) for m in (start, end)]
        stints.setdefault(id_number, []).append(rules.Stint(n, *months))
    for row in rows:
        row["stints"] = stints[row["身份证号码"]]
    return rows, history


SAMPLE_SETTINGS = rules.Settings(2020, 2019, rules.CityStandard.rule(100, 50), 1986, 2008)


def _day(value):
    return value.date() if isinstance(value, datetime) else value


def _person(row: dict) -> rules.Person:
    death = row["去世日期"]
    return rules.Person.from_id(
        row["身份证号码"], name=row["姓名"], sex=row["性别"], category=row["类别"],
        semesters=row["任教学期数"], city=row["地级市"], county=row["县(市、区)"],
        township=row["乡镇(街道)"], retired_early=row["离岗退养"] == "是",
        bad_record=row["不良记录"] == "是",
        death_date=death.date() if isinstance(death, datetime) else death,
        guangdong_hukou=row["户籍所在地"].startswith("广东"),
        contract_date=_day(row["合同签订日期"]), contract_filed={"是": True, "否": False}.get(row["备案"]),
        later_employed=row["后入编或国企正式职工"] == "是", late_application=row["补报"] == "是",
        continuous_semesters=rules.continuous_semesters(row["stints"]),
        first_taught=rules.first_taught(row["stints"]),
    )  # fmt: skip


@pytest.mark.parametrize(
    "name", ["roster-2020.xlsx", "roster-2019.xlsx", "county2-2020.xlsx", "county2-2019.xlsx"]
)
def test_sample_rosters_are_valid(name: str) -> None:
    rows, history = _roster(name)
    ids = [r["身份证号码"] for r in rows]
    assert len(set(ids)) == len(ids)
    assert all(parse_resident_id(i, ID_FIELD) == i and i.startswith("44") for i in ids)
    totals = Counter()
    for id_number, _school, start, end, n in history:
        assert start < end
        totals[id_number] += n
    assert {r["身份证号码"]: r["任教学期数"] for r in rows} == dict(totals)
    assert len({r["乡镇(街道)"] for r in rows}) >= 2


def test_sample_2020_covers_every_case() -> None:
    rows, _ = _roster("roster-2020.xlsx")
    assert len(rows) >= 60 and len({r["乡镇(街道)"] for r in rows}) == 3
    results = [rules.assess(_person(r), SAMPLE_SETTINGS) for r in rows]
    codes = Counter(r.reason_code or "eligible" for r in results)
    assert set(codes) == set(rules.REASONS) - {"died_before_start"} | {"eligible"}
    paid = [r for r in results if r.eligible]
    assert {r.band for r in paid} == {"30年以上", "20-29年", "10-19年", "1-9年"}
    assert {r.person.category for r in paid} == set(rules.CATEGORIES)
    assert any(r.age_date.year == 2020 for r in paid)
    assert any(r.last_month and r.last_month.year == 2020 for r in paid)


def test_sample_years_form_one_master_list() -> None:
    now, _ = _roster("roster-2020.xlsx")
    before, _ = _roster("roster-2019.xlsx")
    late = [r["身份证号码"] for r in now if r["补报"] == "是"]
    assert len(late) == 1  # 只减不增: one approved late application, nobody else new
    assert [r["身份证号码"] for r in now if r["补报"] != "是"] == [r["身份证号码"] for r in before]
    last = rules.assess_all(map(_person, before), replace(SAMPLE_SETTINGS, year=2019))
    this = rules.assess_all(map(_person, now), SAMPLE_SETTINGS)
    changes = rules.compare_years(last, this, 2020)
    kinds = Counter((c.change, c.reason) for c in changes)
    assert kinds[("增加", "达到领取年龄")] >= 3 and kinds[("增加", rules.LATE_APPLICATION)] == 1
    assert kinds[("增加", rules.NOT_ON_LAST_LIST)] == 0
    assert kinds[("减少", "已去世")] >= 2 and kinds[("减少", rules.REASONS["bad_record"][0])] >= 1
    assert not any(c.remark for c in changes)
    n_last, n_this = sum(r.eligible for r in last), sum(r.eligible for r in this)
    added = sum(c.change == "增加" for c in changes)
    assert n_last + added - (len(changes) - added) == n_this


def test_sample_settings() -> None:
    s = yaml.safe_load((SAMPLES / "settings.yaml").read_text(encoding="utf-8"))
    assert (s["year"], s["first_year"], s["city"]) == (2020, 2019, "韶关市")
    std = rules.CityStandard.from_setting(s["city_standard"])
    assert std.monthly(1) == 100 and std.monthly(9) == 500
    assert rules.is_shared_funding(s["city"], s["county"])
    start, end = rules.notice_period(s["notice_start"])
    assert (start, end) == (date(2020, 5, 6), date(2020, 5, 11))
    for key in ("unit", "preparer", "reviewer", "objection_contact", "report_date", "phone"):
        assert s[key]
