"""Sex against the ID number is a rule a plugin asks for (``Field.matches_id``), not one generic
row binding applies to every table holding both."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from stdnum.cn import ric

from planforge import Field, InputError, TableSpec
from planforge.declarative import load_declarative
from planforge.plugins import load_plugins
from planforge.validate import RecordBinder


def an_id(sequence: str) -> str:
    body = "440232196002042" + sequence  # odd sequence digit: a man, even: a woman
    return body + ric.calc_check_digit(body + "0")


MAN, WOMAN = an_id("11"), an_id("22")
DISAGREES = "性别「男」与身份证号码（女性）不符 / sex '男' disagrees with the ID number (female)"


@pytest.fixture(scope="module")
def registry():
    return load_plugins(None)


def people_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([header, *rows])
    return path


def problems(registry, path: Path, inputs: tuple[TableSpec, ...]) -> list[str]:
    try:
        RecordBinder(registry.field_types).load([path], inputs)
    except InputError as error:
        return [str(p) for p in error.problems]
    return []


def spec(**sex_options) -> TableSpec:
    return TableSpec("records", (Field("name", "姓名", required=True),
                                 Field("sex", "性别", "sex", **sex_options),
                                 Field("id_number", "身份证号码", "resident_id")))


def test_without_the_option_sex_and_id_are_not_compared(registry, tmp_path):
    path = people_csv(tmp_path / "名单.csv", ["姓名", "性别", "身份证号码"],
                      [["张三", "男", WOMAN], ["李四", "女", WOMAN]])
    assert problems(registry, path, (spec(),)) == []


def test_with_the_option_a_disagreeing_sex_is_refused_at_its_cell(registry, tmp_path):
    path = people_csv(tmp_path / "名单.csv", ["姓名", "性别", "身份证号码"],
                      [["张三", "男", WOMAN], ["李四", "女", WOMAN], ["王五", "", WOMAN],
                       ["赵六", "男", MAN]])
    assert problems(registry, path, (spec(matches_id="id_number"),)) == [
        f"{path}, 第2行/row 2, 列/column「性别」: {DISAGREES}"]


@pytest.mark.parametrize(("document_type", "header", "row"), [
    ("gd-subsidy-roster", ["姓名", "性别", "身份证号码", "类别", "任教学期数"],
     ["张三", "男", WOMAN, "原代课教师", "20"]),
    ("hardship-application", ["姓名", "性别", "身份证号码", "学校", "困难类型", "负债金额"],
     ["张三", "男", WOMAN, "实验小学", "重大疾病", "5000"]),
])
def test_the_programmes_printing_sex_still_check_it(registry, tmp_path, document_type, header,
                                                     row):
    """The subsidy's age threshold depends on sex, and both forms print it: same message."""
    path = people_csv(tmp_path / "名册.csv", header, [row])
    found = problems(registry, path, registry.document_types[document_type].inputs[:1])
    assert f"{path}, 第2行/row 2, 列/column「性别」: {DISAGREES}" in found, found


@pytest.mark.parametrize("options", [
    {"type": "text", "matches_id": "id_number"},  # not a sex field
    {"type": "sex", "matches_id": "name"},  # not an ID field
    {"type": "sex", "matches_id": "id"},  # no such field
])
def test_a_wrong_option_is_refused_when_the_plugin_loads(options):
    with pytest.raises(ValueError, match="matches_id"):
        TableSpec("records", (Field("name", "姓名"), Field("sex", "性别", **options),
                              Field("id_number", "身份证号码", "resident_id")))


def test_a_declarative_plugin_asks_for_it_by_key(registry, tmp_path):
    folder = tmp_path / "roster"
    folder.mkdir()
    (folder / "roster.xlsx").write_bytes(b"")
    (folder / "plugin.yaml").write_text("""\
document_types:
  - name: roster
    title: 名单
    renderer: excel-table
    template: roster.xlsx
    fields:
      - {name: name, label: 姓名}
      - {name: sex, label: 性别, type: sex, matches_id: id_number}
      - {name: id_number, label: 身份证号码, type: resident_id}
""", encoding="utf-8")
    (document_type,) = load_declarative(folder).document_types
    path = people_csv(tmp_path / "名单.csv", ["姓名", "性别", "身份证号码"], [["张三", "男", WOMAN]])
    assert problems(registry, path, document_type.inputs) == [
        f"{path}, 第2行/row 2, 列/column「性别」: {DISAGREES}"]
