"""The command line: exit codes, validate, template check, new-plugin."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import PEOPLE, write_people


def test_validate_reports_valid_data_and_writes_nothing(run_cli, people_plugin, people_xlsx,
                                                        tmp_path):
    before = set(tmp_path.rglob("*"))
    result = run_cli("--plugins-dir", people_plugin, "validate", "people-package", people_xlsx)
    assert result.exit_code == 0 and "records: 2" in result.output
    assert set(tmp_path.rglob("*")) == before


@pytest.mark.parametrize("case", ["wrong header", "bad checksum", "id as number", "bad date",
                                  "unreadable"])
def test_bad_input_exits_2_names_the_place_and_writes_nothing(run_cli, people_plugin, tmp_path,
                                                              case):
    rows = [list(r) for r in PEOPLE]
    headers = None
    expected = "第4行/row 4"
    if case == "wrong header":
        headers = ["序号", "名称", "性别", "身份证号码", "出生日期", "金额", "离岗退养", "备注"]
        expected = "姓名"
    elif case == "bad checksum":
        rows[1][3] = rows[1][3][:17] + ("1" if rows[1][3][17] != "1" else "2")
    elif case == "id as number":
        rows[1][3] = 440232196002042240
    elif case == "bad date":
        rows[1][4] = "1960年2月30日"
    data = write_people(tmp_path / "名册.xlsx", rows=rows, headers=headers)
    if case == "unreadable":
        data.write_bytes(b"PK\x03\x04garbage")
        expected = "名册.xlsx"
    out = tmp_path / "out"
    result = run_cli("--plugins-dir", people_plugin, "fill", "people-package", data, "-o", out)
    assert result.exit_code == 2, result.output
    assert "nothing was written" in result.output and "名册.xlsx" in result.output
    assert expected in result.output
    assert not out.exists()


def test_missing_setting_and_malformed_assignment(run_cli, tmp_path, people_xlsx):
    result = run_cli("fill", "pairing-list", "samples/pairing-list/结对帮扶名单.xlsx", "-o",
                     tmp_path / "o", "--set", "date=不是日期")
    assert result.exit_code == 2 and "--set" in result.output and "date" in result.output
    assert "设置项/setting「date」" in result.output and "列/column" not in result.output
    result = run_cli("validate", "gd-subsidy-roster", "samples/gd-subsidy/roster-2020.xlsx")
    assert result.exit_code == 2 and "设置项/setting「year」" in result.output  # missing, not a column
    result = run_cli("fill", "pairing-list", "x.xlsx", "-o", tmp_path / "o", "--set", "year")
    assert result.exit_code == 2 and "key=value" in result.output


def test_internal_errors_exit_1_with_traceback_only_under_debug(run_cli, tmp_path, monkeypatch):
    import planforge.cli as cli_module

    def broken(*args, **kwargs):
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(cli_module.Engine, "prepare", broken)
    result = run_cli("validate", "pairing-list", "x.xlsx")
    assert result.exit_code == 1 and "internal error" in result.output
    assert "Traceback" not in result.output
    result = run_cli("--debug", "validate", "pairing-list", "x.xlsx")
    assert result.exit_code == 1 and "Traceback" in result.output


def test_template_check_lists_unknown_placeholders_and_unused_fields(run_cli, people_plugin):
    folder = people_plugin / "people"
    result = run_cli("--plugins-dir", people_plugin, "template", "check", folder / "form.docx",
                     "--type", "people-form")
    assert result.exit_code == 0, result.output
    assert "name" in result.output and "unused fields: birth" in result.output
    from .forms import excel_template

    excel_template(folder / "typo.xlsx", ["a"], ["{{ row.nmae }}"], title="{{ setings.unit }}")
    result = run_cli("--plugins-dir", people_plugin, "template", "check", folder / "typo.xlsx",
                     "--type", "people-roster")
    assert result.exit_code == 2
    assert "unknown: row.nmae, setings" in result.output


def test_template_check_warns_about_yes_no_values_printed_raw(run_cli, people_plugin):
    from .forms import excel_template, word_template

    folder = people_plugin / "people"
    result = run_cli("--plugins-dir", people_plugin, "template", "check", folder / "form.docx",
                     "--type", "people-form")
    assert "yes/no" not in result.output  # |checkbox and {% if %} choose how it prints
    word_template(folder / "raw.docx", ["离岗退养：{{ retired }}", "{{ amount > 100 }}",
                                        "{{ retired|yes_no }} {{ name }} {{ remark is none }}"])
    result = run_cli("--plugins-dir", people_plugin, "template", "check", folder / "raw.docx",
                     "--type", "people-form")
    assert result.exit_code == 0, result.output
    assert "print 是/否 (use |checkbox for ☑/☐): amount > 100, remark is none, retired" in (
        result.output)
    excel_template(folder / "raw.xlsx", ["a", "b"], ["{{ row.retired }}", "{{ row.name }}"])
    result = run_cli("--plugins-dir", people_plugin, "template", "check", folder / "raw.xlsx",
                     "--type", "people-roster")
    assert result.output.rstrip().endswith("(use |checkbox for ☑/☐): row.retired")
    result = run_cli("--plugins-dir", people_plugin, "template", "check", folder / "raw.xlsx")
    assert "yes/no" not in result.output  # without --type nothing says which fields are yes/no


@pytest.mark.slow
@pytest.mark.parametrize("declarative", [False, True])
def test_new_plugin_scaffold_works_and_its_test_passes(run_cli, tmp_path, declarative):
    args = ["new-plugin", "visit-log", "-o", tmp_path] + (["--declarative"] if declarative else [])
    assert run_cli(*args).exit_code == 0
    folder = tmp_path / "visit_log"
    assert (folder / ("plugin.yaml" if declarative else "__init__.py")).exists()
    listed = run_cli("--plugins-dir", tmp_path, "plugins")
    assert "visit-log" in listed.output and "✗" not in listed.output
    test = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(folder)], capture_output=True, text=True, cwd=tmp_path)
    assert test.returncode == 0, test.stdout + test.stderr
    assert "1 passed" in test.stdout
    assert run_cli(*args).exit_code == 2  # never overwrites


def test_progress_bar_and_written_folder(run_cli, people_plugin, tmp_path):
    rows = [[i, f"人{i}", "男", PEOPLE[0][3][:14] + f"{i:03d}" + "0", "", "", "", ""]
            for i in range(1, 9, 2)]
    from stdnum.cn import ric

    for row in rows:
        row[3] = row[3][:17] + ric.calc_check_digit(row[3])
    data = write_people(tmp_path / "a.xlsx", rows=rows)
    result = run_cli("--plugins-dir", people_plugin, "fill", "people-form", data, "-o",
                     tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "written" in result.output and len(list((tmp_path / "out").rglob("*.docx"))) == 5


def test_plugins_lists_titles_with_settings_shown_by_default_or_label(run_cli):
    listed = run_cli("plugins")
    assert listed.exit_code == 0
    assert "gd-subsidy-application  附件1 广东省原民办代课教师生活困难补助申请表" in listed.output
    assert "gd-subsidy-roster  附件2 〈县(市、区)〉原民办代课教师生活困难补助发放对象名册表" in listed.output
    assert "space-report  网络学习空间应用情况表（〈季度〉）" in listed.output
    assert "{{" not in listed.output and "{%" not in listed.output


def test_template_check_finds_typos_on_loop_variables(run_cli, people_plugin):
    """``p.nmae`` inside ``{% for p in records %}`` is a typo of a field, not a name to trust."""
    from .forms import word_template

    folder = people_plugin / "people"
    word_template(folder / "typo-notice.docx", ["{{ document.title }}"],
                  table=[["姓名", "金额"], ["{%tr for p in records|sort(attribute='name') %}", ""],
                         ["{{ p.nmae }}", "{{ p.amuont }}"], ["{%tr endfor %}", ""]])
    result = run_cli("--plugins-dir", people_plugin, "template", "check",
                     folder / "typo-notice.docx", "--type", "people-notice")
    assert result.exit_code == 2
    assert "unknown: p.amuont, p.nmae" in result.output
    result = run_cli("--plugins-dir", people_plugin, "template", "check", folder / "notice.docx",
                     "--type", "people-notice")
    assert result.exit_code == 0, result.output  # the real fields pass


def test_template_check_knows_derived_lists_and_a_joins_name(run_cli, tmp_path):
    """The space report groups and joins in plugin.yaml: its names and its loops' attributes
    come from the derive steps (a join's ``as`` name included), and a typo there is found."""
    from ..conftest import ROOT
    from .forms import word_template

    shipped = ROOT / "plugins" / "teacher_pairing" / "网络学习空间应用情况表.xlsx"
    result = run_cli("template", "check", shipped, "--type", "space-report")
    assert result.exit_code == 0, result.output
    word_template(tmp_path / "groups.docx", ["{% for g in rows %}{{ g.mentor }}"
                                             "{% for a in g.activitys %}{{ a.kind }}{% endfor %}"
                                             "{% endfor %}"])
    result = run_cli("template", "check", tmp_path / "groups.docx", "--type", "space-report")
    assert result.exit_code == 2 and "g.activitys" in result.output


def test_template_check_with_data_checks_python_types_too(run_cli, tmp_path):
    """A Python plugin's context is its own: ``--data`` computes it and every loop's items are
    known, so ``row.amuont`` in the subsidy roster's template is found."""
    from ..conftest import SAMPLES
    from .forms import excel_template

    template = excel_template(tmp_path / "roster.xlsx", ["姓名", "金额"],
                              ["{{ row.name }}", "{{ row.amuont }}"])
    common = ["template", "check", template, "--type", "gd-subsidy-roster"]
    without = run_cli(*common)
    assert without.exit_code == 0  # nothing declares what the plugin's rows hold
    sample = SAMPLES / "gd-subsidy"
    result = run_cli(*common, "--data", sample / "roster-2020.xlsx", "--settings",
                     sample / "settings.yaml", "--previous", sample / "roster-2019.xlsx")
    assert result.exit_code == 2, result.output
    assert "row.amuont" in result.output and "row.name" not in result.output.split("unknown:")[1]


def test_a_fill_time_template_error_names_the_place_and_every_unknown_name(run_cli, tmp_path):
    """Not a raw `'dict object' has no attribute 'conty'`: the template, the cell or paragraph,
    and every name the data lacks, in one go."""
    import docx
    import openpyxl

    folder = tmp_path / "plugins" / "typos"
    folder.mkdir(parents=True)
    workbook = openpyxl.Workbook()
    workbook.active.append(["{{ document.title }}"])
    workbook.active.append(["姓名", "县"])
    workbook.active.append(["{{ row.name }}", "{{ row.conty }}"])
    workbook.active.append(["{{ settings.unitt }}"])
    workbook.save(folder / "t.xlsx")
    document = docx.Document()
    document.add_paragraph("{{ name }}")
    document.add_paragraph("{{ conty }}")
    document.add_table(rows=1, cols=2).rows[0].cells[1].text = "{{ nmae }}"
    document.save(str(folder / "t.docx"))
    (folder / "plugin.yaml").write_text(
        "name: typos\ndocument_types:\n"
        "  - {name: tx, title: T, renderer: excel-table, template: t.xlsx,"
        " fields: [{name: name, label: 姓名}, {name: county, label: 县}]}\n"
        "  - {name: tw, title: T, template: t.docx,"
        " fields: [{name: name, label: 姓名}, {name: county, label: 县}]}\n", encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("姓名,县\n张三,乳源\n", encoding="utf-8")
    excel = run_cli("--plugins-dir", tmp_path / "plugins", "fill", "tx", data, "-o", tmp_path / "a")
    assert excel.exit_code == 2
    assert "单元格 A4" in excel.output and "cell A4" in excel.output
    assert "row.conty、settings.unitt" in excel.output
    word = run_cli("--plugins-dir", tmp_path / "plugins", "fill", "tw", data, "-o", tmp_path / "b")
    assert word.exit_code == 2
    assert "第 2 段" in word.output and "paragraph 2" in word.output
    assert "conty、nmae" in word.output
    assert not (tmp_path / "a").exists() or not any((tmp_path / "a").iterdir())
