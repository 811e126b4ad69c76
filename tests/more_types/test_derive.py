"""The declarative ``derive`` section: grouping, joining, counting, picking, and its errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from planforge.declarative import load_declarative
from planforge.derive import make_prepare, parse_derive
from planforge.errors import InputError, Location, PluginError, TemplateError
from planforge.model import InputData, Record
from planforge.periods import Quarter, parse_quarter, to_quarter

from ..engine.forms import excel_template


def data(**tables: list[dict]) -> InputData:
    return InputData({name: [Record(row, Location("d.xlsx", name, number))
                             for number, row in enumerate(rows, start=2)]
                      for name, rows in tables.items()})


def run(steps: list, settings: dict | None = None, **tables: list[dict]) -> dict:
    return make_prepare(parse_derive(steps, "derive"))(data(**tables), settings or {})


SALES = [{"unit": "甲", "kind": "A", "n": 2}, {"unit": "乙", "kind": "B", "n": 3},
         {"unit": "甲", "kind": "B", "n": Decimal("1.5")}]


def test_group_by_counts_sums_and_keeps_first_appearance_order():
    context = run([{"name": "units", "from": "records", "group_by": "unit",
                    "count": {"b": "kind == 'B'"}, "sum": {"total": "n"}}], records=SALES)
    assert [(g["unit"], g["count"], g["b"], g["total"]) for g in context["units"]] == [
        ("甲", 2, 1, Decimal("3.5")), ("乙", 1, 1, 3)]
    assert [r["n"] for r in context["units"][0]["rows"]] == [2, Decimal("1.5")]


def test_sort_by_explicit_order_descending_and_pick():
    steps = [{"name": "units", "from": "records", "group_by": ["unit"],
              "sort_by": [{"key": "unit", "order": ["乙", "甲"]}]},
             {"name": "biggest", "from": "records", "sort_by": "-n", "pick": "first"}]
    context = run(steps, records=SALES)
    assert [g["unit"] for g in context["units"]] == ["乙", "甲"]
    assert context["biggest"]["n"] == 3


def test_add_then_where_then_totals_over_the_whole_list():
    steps = [{"name": "doubled", "from": "records", "add": {"twice": "n * 2"},
              "where": "twice > 3"},
             {"name": "totals", "from": "doubled", "sum": {"twice": "twice"}, "count": {"a": "kind == 'A'"}}]
    context = run(steps, records=SALES)
    assert [r["unit"] for r in context["doubled"]] == ["甲", "乙"]
    assert context["totals"] == {"count": 2, "twice": 10, "a": 1}
    assert "settings" not in context  # the engine adds the settings itself


def test_join_attaches_matching_rows_filtered_and_reports_strays_where_they_are():
    pairs = [{"a": "林", "b": "陈"}, {"a": "黄", "b": "王"}]
    log = [{"a": "林", "b": "陈", "q": 1}, {"a": "林", "b": "陈", "q": 2},
           {"a": "黄", "b": "王", "q": 2}]
    steps = [{"name": "rows", "from": "records",
              "join": {"list": "log", "on": ["a", "b"], "where": "q == settings.q"},
              "count": {"n": "true"}}]
    context = run(steps, {"q": 2}, records=pairs, log=log)
    assert [(r["a"], r["n"], len(r["rows"])) for r in context["rows"]] == [("林", 1, 1), ("黄", 1, 1)]
    stray = [*log, {"a": "许", "b": "张", "q": 2}]
    steps[0]["join"]["unmatched"] = "error"
    with pytest.raises(InputError) as error:
        run(steps, {"q": 2}, records=pairs, log=stray)
    (problem,) = error.value.problems
    assert problem.where == Location("d.xlsx", "log", 5)
    assert "许、张" in problem.zh


def test_required_pick_fails_with_the_plugins_own_message():
    steps = [{"name": "period", "from": "records", "where": "q == settings.q", "pick": "last",
              "required": True, "message": {"zh": "没有第{{ settings.q }}季度", "en": "no Q{{ settings.q }}"}}]
    with pytest.raises(InputError) as error:
        run(steps, {"q": 3}, records=[{"q": 1}])
    assert error.value.problems[0].zh == "没有第3季度"
    assert run(steps, {"q": 1}, records=[{"q": 1}])["period"] == {"q": 1, "_where": Location(
        "d.xlsx", "records", 2)}


@pytest.mark.parametrize(("steps", "key"), [
    ([{"name": "x", "from": "records", "grop_by": "a"}], "derive[0]"),
    ([{"name": "x"}], "derive[0]"),
    ([{"name": "x", "from": "records", "add": {"y": "a +"}}], "derive[0].add.y"),
    ([{"name": "x", "from": "records", "pick": "middle"}], "derive[0].pick"),
    ([{"name": "x", "from": "r", "join": {"list": "l"}}], "derive[0].join"),
    ([{"name": "x", "from": "r", "join": {"list": "l", "on": "a", "unmatched": "warn"}}],
     "derive[0].join.unmatched"),
    ([{"name": "x", "from": "r"}, {"name": "x", "from": "r"}], "derive"),
])
def test_mistakes_in_the_description_name_their_key(steps, key):
    with pytest.raises(PluginError) as error:
        parse_derive(steps, "derive")
    assert str(error.value).startswith(f"{key}:")


def test_expressions_run_in_the_sandbox_and_unknown_names_are_errors():
    with pytest.raises(TemplateError, match="derive\\[0\\].add.y"):
        run([{"name": "x", "from": "records", "add": {"y": "nosuch + 1"}}], records=[{"a": 1}])
    with pytest.raises(TemplateError, match="derive\\[0\\].add.y"):
        run([{"name": "x", "from": "records", "add": {"y": "a.__class__.__mro__"}}],
            records=[{"a": 1}])
    with pytest.raises(TemplateError, match="nosuch"):
        run([{"name": "x", "from": "nosuch"}], records=[{"a": 1}])


def test_plugin_yaml_with_a_bare_on_key_and_derived_names_declared(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    excel_template(folder / "t.xlsx", ["单位", "次数"], ["{{ row.unit }}", "{{ row.count }}"])
    (folder / "plugin.yaml").write_text(
        "name: p\ndocument_types:\n  - name: p\n    title: t\n    renderer: excel-table\n"
        "    template: t.xlsx\n    each: rows\n    fields: [{name: unit}]\n"
        "    tables: [{name: log, fields: [{name: unit}]}]\n"
        "    derive:\n      - name: rows\n        from: records\n"
        "        join:\n          list: log\n          on: unit\n", encoding="utf-8")
    (document_type,) = load_declarative(folder).document_types
    assert document_type.provides == ("rows",)
    context = document_type.prepare(data(records=[{"unit": "甲"}], log=[{"unit": "甲"}] * 2), {})
    assert context["rows"][0]["count"] == 2


def test_quarters_know_their_months_and_due_date():
    quarter = to_quarter(dt.date(2026, 11, 3))
    assert (quarter, quarter.label, quarter.months, quarter.due) == (
        "2026Q4", "2026年第四季度", "10—12月", "2026年12月下旬")
    assert quarter.first == dt.date(2026, 10, 1) and quarter.last == dt.date(2026, 12, 31)
    assert to_quarter("2026年第一季度") == to_quarter("2026q1") == Quarter("2026Q1")
    assert to_quarter("2026-05-04").last == dt.date(2026, 6, 30)
    from planforge.model import Field, FieldError

    with pytest.raises(FieldError):
        parse_quarter("2026Q5", Field("quarter", "季度"))


# ------------------------------------------------------------------ checks


@pytest.mark.parametrize(("checks", "key"), [
    ([{"rule": "a", "unique": ["a"]}], "checks[0]"),
    ([{"message": "x"}], "checks[0]"),
    ([{"rule": "a", "level": "fatal"}], "checks[0].level"),
    ([{"rule": "a +"}], "checks[0].rule"),
    ([{"unique": []}], "checks[0].unique"),
    ([{"rule": "a", "colum": "a"}], "checks[0]"),
    ({"rule": "a"}, "checks"),
])
def test_mistakes_in_checks_name_their_key(checks, key):
    from planforge.checks import parse_checks

    with pytest.raises(PluginError) as error:
        parse_checks(checks, "checks")
    assert str(error.value).startswith(f"{key}:")


def test_checks_report_rows_and_groups_and_warn_once():
    from planforge.checks import parse_checks, with_checks

    checks = parse_checks([
        {"unique": ["unit", "kind"], "column": "kind"},
        {"for": "units", "rule": "count < 2", "level": "warning", "column": "unit",
         "message": "{{ unit }}: {{ count }} / {{ unit }} {{ count }}"},
    ], "checks")
    prepare = with_checks(make_prepare(parse_derive(
        [{"name": "units", "from": "records", "group_by": "unit"}], "derive")), checks,
        {"kind": "类别", "unit": "单位"})
    records = data(records=SALES)
    prepare(records, {})
    prepare(records, {})  # a second run (one per quarter of a split) adds no second warning
    assert [(w.zh, w.where) for w in records.warnings] == [
        ("甲: 2", Location("d.xlsx", "records", 2, "单位"))]
    with pytest.raises(InputError) as error:
        prepare(data(records=[*SALES, {"unit": "乙", "kind": "B", "n": 1}]), {})
    (problem,) = error.value.problems
    assert problem.where == Location("d.xlsx", "records", 5, "类别")
    assert problem.zh == "「乙、B」与第3行重复"
