"""``planforge blank``: the input workbook a clerk fills in, and reading it back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from planforge.blank import EXPLANATION_SHEET, blank_workbook, choices_of, sheet_name
from planforge.engine import Engine
from planforge.model import Field, TableSpec
from planforge.plugins import load_plugins

from ..blankfill import fill_blank
from ..conftest import SAMPLES


@pytest.fixture(scope="module")
def registry():
    return load_plugins()


def _targets(registry) -> list[str]:
    """Every target read from spreadsheets (not the activity dossier, which reads a folder)."""
    engine = Engine(registry)
    return sorted(name for name in {*registry.document_types, *registry.packages}
                  if engine.job(name).read is None)


def test_a_target_reading_a_folder_has_no_blank(run_cli, tmp_path):
    result = run_cli("blank", "activity-dossier", "-o", tmp_path / "b.xlsx")
    assert result.exit_code == 2 and "reads a folder" in result.output
    assert not (tmp_path / "b.xlsx").exists()


@pytest.mark.slow
def test_every_target_gets_a_blank_that_reads_back_empty(registry, run_cli, tmp_path: Path):
    """Every built-in type: one sheet per input table with its labels as headers, the example
    row skipped when read, and the explanation sheet listing every column."""
    engine = Engine(registry)
    for name in _targets(registry):
        target = tmp_path / f"{name}.xlsx"
        result = run_cli("blank", name, "-o", target)
        assert result.exit_code == 0, result.output
        workbook = openpyxl.load_workbook(target)
        specs = engine.job(name).inputs
        assert workbook.sheetnames == [*(sheet_name(s, i == 0) for i, s in enumerate(specs)),
                                       EXPLANATION_SHEET]
        explained = {row[1] for row in workbook[EXPLANATION_SHEET].iter_rows(values_only=True)}
        for index, spec in enumerate(specs):
            sheet = workbook[sheet_name(spec, index == 0)]
            assert [c.value for c in sheet[1]] == [f.label for f in spec.fields]
            assert sheet.freeze_panes == "A2"
            assert str(sheet["A2"].value).startswith("示例")
            assert {f.label for f in spec.fields} <= explained
        # The example row is never data: the blank as written holds no records.
        result = run_cli("validate", name, target)
        assert result.exit_code == 2
        assert "没有任何数据行" in result.output or "no data rows" in result.output


def test_columns_prevent_the_usual_clerk_errors(registry, tmp_path: Path):
    """ID column as text, dates as dates, drop-downs for choices, yes/no and sex, required
    headers marked, an input message on every header."""
    spec = TableSpec("records", (
        Field("name", "姓名", required=True),
        Field("id_number", "身份证号码", "resident_id", required=True),
        Field("sex", "性别", "sex"),
        Field("category", "类别", "choice", choices=("原民办教师", "原代课教师")),
        Field("retired", "离岗退养", "yes_no"),
        Field("born", "出生日期", "date"),
        Field("size", "规模", "choice", choices=("大, 中", "小")),  # a comma: cannot be inline
    ))
    blank_workbook([spec], registry.field_types).save(tmp_path / "blank.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "blank.xlsx")
    sheet = workbook.worksheets[0]
    assert sheet.column_dimensions["B"].number_format == "@"
    assert sheet.column_dimensions["F"].number_format == "yyyy-mm-dd"
    assert isinstance(sheet["F2"].value, dt.date)
    assert sheet["A1"].font.color.rgb.endswith("C00000")  # required
    assert not sheet["C1"].font.color.rgb.endswith("C00000")
    lists = {get_column_letter(next(iter(dv.sqref.ranges)).min_col): dv.formula1
             for dv in sheet.data_validations.dataValidation if dv.type == "list"}
    assert lists["C"] == '"男,女"'
    assert lists["D"] == '"原民办教师,原代课教师"'
    assert lists["E"] == '"是,否"'
    assert lists["G"] == "'填写说明'!$I$2:$I$3"  # a comma cannot stay inline: a range
    prompted = {dv.promptTitle for dv in sheet.data_validations.dataValidation
                if dv.showInputMessage}
    assert prompted >= {f.label for f in spec.fields}
    values = [c.value for c in workbook[EXPLANATION_SHEET]["I"]][1:]
    assert values[:2] == ["大, 中", "小"]
    assert choices_of(Field("n", "n", "choice", choices=(300, 500))) == ("300", "500")


def test_a_filled_blank_reads_like_the_clerks_own_sheet(registry, run_cli, tmp_path: Path):
    """Round trip: the sample roster's people typed into the blank (example row kept, as a clerk
    might) give the same records as the sample sheet itself."""
    blank = tmp_path / "blank.xlsx"
    assert run_cli("blank", "gd-subsidy", "-o", blank).exit_code == 0
    sample = SAMPLES / "gd-subsidy" / "roster-2020.xlsx"
    fill_blank(blank, sample, ("名册", "任教经历"), tmp_path / "filled.xlsx")

    engine = Engine(registry)
    inputs = engine.job("gd-subsidy").inputs
    ours = engine.binder.load([tmp_path / "filled.xlsx"], inputs)
    theirs = engine.binder.load([sample], inputs)
    for table in ("records", "history"):
        assert [r.values for r in ours.tables[table]] == [r.values for r in theirs.tables[table]]
    assert len(ours.records) > 50


def test_an_existing_file_is_kept_unless_forced(run_cli, tmp_path: Path):
    target = tmp_path / "名单.xlsx"
    target.write_bytes(b"the clerk's own file")
    result = run_cli("blank", "pairing-list", "-o", target)
    assert result.exit_code == 2 and "--force" in result.output
    assert target.read_bytes() == b"the clerk's own file"
    assert run_cli("blank", "pairing-list", "-o", target, "--force").exit_code == 0
    assert openpyxl.load_workbook(target).sheetnames[-1] == EXPLANATION_SHEET
    result = run_cli("blank", "pairing-list", "-o", tmp_path / "名单.csv")
    assert result.exit_code == 2 and ".xlsx" in result.output
    result = run_cli("blank", "pairing-list", "-o", tmp_path / "missing" / "x.xlsx")
    assert result.exit_code == 0  # the folder is made, as for -o of fill


@pytest.mark.libreoffice
def test_libreoffice_opens_the_blank(registry, pdf_text, tmp_path: Path):
    engine = Engine(registry)
    target = tmp_path / "blank.xlsx"
    blank_workbook(engine.job("hardship-aid").inputs, registry.field_types).save(target)
    (text,) = pdf_text(target)
    for field in engine.job("hardship-aid").inputs[0].fields:
        assert "".join(field.label.split()) in text
    assert "填写说明" not in text or "红色列名为必填列" in text


def test_every_example_value_is_one_the_column_accepts(registry):
    """The example row teaches the format: each value must pass its own field's check."""
    from planforge.blank import example_value
    from planforge.validate import RecordBinder

    binder = RecordBinder(registry.field_types)
    engine = Engine(registry)
    for name in _targets(registry):
        for spec in engine.job(name).inputs:
            for field in spec.fields:
                value = example_value(field, registry.field_types.get(field.type))
                if value in ("", None) or field.type == "image":
                    continue  # an image must exist beside the data; 备注 may stay empty
                binder.parse(value, field)
