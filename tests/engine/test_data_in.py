"""Reading clerks' files: header detection, encodings, formats, and every bad-input case."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from planforge.engine import Engine
from planforge.errors import InputError
from planforge.plugins import load_plugins

from .conftest import HEADERS, PEOPLE, write_people


@pytest.fixture
def engine(people_plugin) -> Engine:
    return Engine(load_plugins(people_plugin))


def names(engine: Engine, *files: Path) -> list[str]:
    prepared = engine.prepare("people-roster", list(files), {})
    return [r["name"] for r in prepared.data.records]


def problems(engine: Engine, *files: Path, settings=None) -> list[str]:
    with pytest.raises(InputError) as error:
        engine.prepare("people-roster", list(files), settings or {})
    return [str(p) for p in error.value.problems]


def test_header_found_below_merged_title_rows_and_blank_rows_ignored(engine, tmp_path):
    path = write_people(tmp_path / "a.xlsx", title_rows=3, trailing_blank=20)
    assert names(engine, path) == ["张三", "李四"]


def test_named_sheet_is_preferred_and_totals_rows_skipped(engine, tmp_path):
    from openpyxl import load_workbook

    path = write_people(tmp_path / "a.xlsx", rows=[*PEOPLE, ["合计", None, None, None]])
    workbook = load_workbook(path)
    workbook.create_sheet("说明", 0).append(["这张表不是数据"])
    workbook.save(path)
    assert names(engine, path) == ["张三", "李四"]


def test_headers_match_through_aliases_full_width_and_spaces(engine, tmp_path):
    headers = ["序号", " 名字 ", "性　别", "公民身份号码", "出生日期", "金额", "离岗退养", "备注"]
    assert names(engine, write_people(tmp_path / "a.xlsx", headers=headers)) == ["张三", "李四"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_in_the_encodings_chinese_excel_and_wps_export(engine, tmp_path, encoding):
    lines = [",".join(HEADERS)] + [",".join(str(c) for c in row) for row in PEOPLE]
    path = tmp_path / "名册.csv"
    path.write_bytes("\r\n".join(lines).replace('"', "").encode(encoding))
    assert names(engine, path) == ["张三", "李四"]


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_json_and_yaml_lists_of_objects(engine, tmp_path, suffix):
    rows = [dict(zip(HEADERS, row, strict=True)) for row in PEOPLE]
    path = tmp_path / f"people{suffix}"
    dump = json.dumps if suffix == ".json" else yaml.safe_dump
    path.write_text(dump({"名册": rows}, ensure_ascii=False) if suffix == ".json"
                    else dump({"名册": rows}, allow_unicode=True), encoding="utf-8")
    assert names(engine, path) == ["张三", "李四"]


def test_records_from_several_files_are_joined(engine, tmp_path):
    first = write_people(tmp_path / "a.xlsx", rows=[PEOPLE[0]])
    second = write_people(tmp_path / "b.xlsx", rows=[PEOPLE[1]])
    assert names(engine, first, second) == ["张三", "李四"]


def test_values_are_typed(engine, people_xlsx):
    record = engine.prepare("people-roster", [people_xlsx], {}).data.records[1]
    assert record["birth"].isoformat() == "1960-02-04"
    assert str(record["amount"]) == "800.00"
    assert record["retired"] is True
    assert record.where.row == 4 and record.where.sheet == "名册"


def test_every_problem_is_reported_at_once_with_file_sheet_row_and_header(engine, tmp_path):
    rows = [
        [1, "", "男", PEOPLE[0][3], "1949-12-31", "1", "否", ""],  # name missing
        [2, "王五", "男", PEOPLE[0][3][:17] + ("0" if PEOPLE[0][3][17] != "0" else "1"),
         "1949-13-31", "x", "也许", ""],
        [3, "赵六", "男", 4.40232196002042e17, "1960-02-04", "1", "否", ""],
        [4, "钱七", "男", PEOPLE[1][3], "1960-02-04", "1", "否", ""],  # sex disagrees with ID
    ]
    found = problems(engine, write_people(tmp_path / "bad.xlsx", rows=rows))
    text = "\n".join(found)
    assert "bad.xlsx" in text and "名册" in text
    assert "第3行/row 3, 列/column「姓名」: 必填项为空" in text
    assert "第4行/row 4, 列/column「身份证号码」: 身份证号码" in text and "check digit" in text
    assert "第4行/row 4, 列/column「出生日期」" in text
    assert "第4行/row 4, 列/column「金额」" in text
    assert "第4行/row 4, 列/column「离岗退养」" in text
    assert "第5行/row 5, 列/column「身份证号码」" in text and "Text" in text
    assert "第6行/row 6, 列/column「性别」" in text and "disagrees" in text
    assert len(found) == 7


def test_missing_required_column_is_named_with_its_accepted_headers(engine, tmp_path):
    headers = [h if h != "身份证号码" else "号码" for h in HEADERS]
    found = problems(engine, write_people(tmp_path / "a.xlsx", headers=headers))
    assert len(found) == 1 and "身份证号码" in found[0] and "公民身份号码" in found[0]


def test_duplicate_ids_are_reported_on_both_rows(engine, tmp_path):
    found = problems(engine, write_people(tmp_path / "a.xlsx", rows=[PEOPLE[0], PEOPLE[0]]))
    assert len(found) == 1 and "第3行" in found[0] and "第4行" in found[0]


@pytest.mark.parametrize(("content", "message"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "xlsx"),
    (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "HTML"),
    (b"PK\x03\x04 this is not a workbook", "Excel"),
    (b"", "empty"),
])
def test_impostor_and_broken_files_are_named(engine, tmp_path, content, message):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(content)
    found = problems(engine, path)
    assert len(found) == 1 and "名册.xlsx" in found[0] and message in found[0]


def test_missing_file_and_unsupported_type(engine, tmp_path):
    assert "cannot open" in problems(engine, tmp_path / "nope.xlsx")[0]
    other = tmp_path / "a.pdf"
    other.write_bytes(b"%PDF")
    assert "unsupported" in problems(engine, other)[0]


def test_no_header_row_is_explained(engine, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("甲,乙\n1,2\n", encoding="utf-8")
    assert "no header row" in problems(engine, path)[0]


def test_settings_are_typed_and_checked(people_plugin, tmp_path, people_xlsx):
    engine = Engine(load_plugins(people_plugin))
    prepared = engine.prepare("people-roster", [people_xlsx], {"unit": "乳源县"})
    assert prepared.settings["unit"] == "乳源县"
    assert prepared.context["settings"]["unit"] == "乳源县"


def test_a_required_further_table_must_be_there(run_cli, tmp_path):
    """space-report needs its 活动记录 sheet: without it nothing is filled, and the table is
    named (before, an empty log filled empty forms)."""
    import openpyxl

    from ..conftest import SAMPLES

    workbook = openpyxl.load_workbook(SAMPLES / "teacher-pairing" / "教师结对名单.xlsx")
    del workbook["活动记录"]
    data = tmp_path / "只有名单.xlsx"
    workbook.save(data)
    result = run_cli("validate", "space-report", data)
    assert result.exit_code == 2
    assert "缺少必需的表「活动记录」" in result.output and "活动记录" in result.output


def test_the_plugins_own_rules_are_reported_with_the_field_problems(run_cli, tmp_path):
    """A wrong phone number in one row and a unit paired with itself in another are both said
    in the first run, not the second only after the first is fixed."""
    data = tmp_path / "名单.csv"
    data.write_text("帮扶单位,受帮扶单位,联系电话\n实验小学,孝义镇中心校,12345\n"
                    "石桥小学,石桥小学,13800138000\n", encoding="utf-8")
    result = run_cli("validate", "pairing-list", data)
    assert result.exit_code == 2
    assert "12345" in result.output  # the field problem (row 2)
    assert "第3行/row 3" in result.output and "自己" in result.output  # the plugin's rule (row 3)
