"""Plugin discovery: built-in, entry points, --plugins-dir, declarative folders, broken ones."""

from __future__ import annotations

import pytest

from planforge.declarative import load_declarative
from planforge.errors import PluginError
from planforge.plugins import load_plugins

from .conftest import build_people_plugin


def test_builtin_plugins_register_through_the_public_hooks():
    registry = load_plugins()
    sources = {p.name: p.source for p in registry.plugins}
    assert sources["pairing-list"] == "built-in"
    assert sources["field_types"] == "planforge"
    assert registry.document_types["pairing-list"].source == "pairing-list"
    assert {"resident_id", "date", "yes_no"} <= set(registry.field_types)
    assert {"cn_date", "rmb_upper", "mask_id", "checkbox"} <= set(registry.filters)
    assert not registry.errors, [(p.name, p.error) for p in registry.errors]


def test_broken_plugins_are_named_with_their_reason_and_the_rest_load(tmp_path):
    plugins = tmp_path / "plugins"
    build_people_plugin(plugins / "people")
    (plugins / "syntax_error.py").write_text("def broken(:\n", encoding="utf-8")
    (plugins / "raises.py").write_text(
        "from planforge import hookimpl\n\n@hookimpl\ndef register_document_types(register):\n"
        "    raise RuntimeError('template server down')\n", encoding="utf-8")
    (plugins / "bad_yaml").mkdir()
    (plugins / "bad_yaml" / "plugin.yaml").write_text("name: x\ndocument_types: [{name: y}]\n",
                                                      encoding="utf-8")
    registry = load_plugins(plugins)
    errors = {p.name: p.error for p in registry.errors}
    assert "SyntaxError" in errors["syntax_error"]
    assert "template server down" in errors["raises"]
    assert "'title' is required" in errors["bad_yaml"]
    assert "people-roster" in registry.document_types


def test_plugins_command_lists_sources_and_failures(run_cli, tmp_path):
    plugins = tmp_path / "plugins"
    build_people_plugin(plugins / "people")
    (plugins / "oops.py").write_text("import nonexistent_module\n", encoding="utf-8")
    result = run_cli("--plugins-dir", plugins, "plugins")
    assert result.exit_code == 2  # everything is listed, and a failure is not a success
    assert "pairing-list  [built-in]" in result.output
    assert f"people  [{plugins}]" in result.output
    assert "document type: people-roster" in result.output
    assert "oops" in result.output and "ModuleNotFoundError" in result.output


def test_plugins_dir_from_the_environment(run_cli, tmp_path, monkeypatch):
    plugins = tmp_path / "plugins"
    build_people_plugin(plugins / "people")
    monkeypatch.setenv("PLANFORGE_PLUGINS_DIR", str(plugins))
    assert "people-roster" in run_cli("plugins").output


@pytest.mark.parametrize(("yaml_text", "message"), [
    ("name: x\nfoo: 1\ndocument_types: []\n", "unknown keys ['foo']"),
    ("name: x\ndocument_types:\n  - {name: y, title: t, template: ../../etc/passwd}\n",
     "outside the plugin folder"),
    ("name: x\ndocument_types:\n  - {name: y, title: t, template: /etc/hostname}\n",
     "outside the plugin folder"),
    ("name: x\ndocument_types:\n  - {name: y, title: t, template: missing.docx}\n",
     "does not exist"),
    ("name: x\ndocument_types:\n  - {name: y, title: t, template: t.docx, renderer: [pdf]}\n",
     "renderer must be a name"),
    ("name: x\ndocument_types:\n  - {name: y, title: t, template: t.docx, fields: [{label: a}]}\n",
     "fields[0]: 缺少「name」"),
    ("name: x\ndocument_types: [\n", "无法读取插件描述"),
    ("name: x\nname: y\ndocument_types: []\n", "key 'name' on line 2 repeats line 1"),
    ("- name: x\n", "the plugin description must be a mapping"),
])
def test_declarative_mistakes_are_reported_with_their_key(tmp_path, yaml_text, message):
    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "t.docx").write_bytes(b"")
    (folder / "plugin.yaml").write_text(yaml_text, encoding="utf-8")
    with pytest.raises(PluginError) as error:
        load_declarative(folder)
    assert message in str(error.value)


def test_a_symlinked_template_pointing_out_is_refused(tmp_path):
    folder = tmp_path / "x"
    folder.mkdir()
    (tmp_path / "secret.docx").write_bytes(b"")
    (folder / "t.docx").symlink_to(tmp_path / "secret.docx")
    (folder / "plugin.yaml").write_text(
        "name: x\ndocument_types:\n  - {name: y, title: t, template: t.docx}\n", encoding="utf-8")
    with pytest.raises(PluginError, match="outside"):
        load_declarative(folder)


def test_declarative_plugin_in_toml(tmp_path, run_cli):
    plugins = tmp_path / "plugins"
    folder = build_people_plugin(plugins / "people")
    (folder / "plugin.yaml").unlink()
    (folder / "plugin.toml").write_text(
        'name = "people-toml"\n[[document_types]]\nname = "people-toml-roster"\ntitle = "名册"\n'
        'renderer = "excel-table"\ntemplate = "roster.xlsx"\n'
        '[[document_types.fields]]\nname = "name"\nlabel = "姓名"\nrequired = true\n',
        encoding="utf-8")
    assert "people-toml-roster" in load_plugins(plugins).document_types


def test_unknown_target_lists_what_exists(run_cli, tmp_path):
    result = run_cli("validate", "no-such-form", tmp_path / "x.xlsx")
    assert result.exit_code == 2 and "pairing-list" in result.output


def _broken_folder(tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "raises.py").write_text(
        "from planforge import hookimpl\n\n\n@hookimpl\ndef register_document_types(register):\n"
        "    raise RuntimeError('template server down')\n", encoding="utf-8")
    (plugins / "nested").mkdir()
    (plugins / "nested" / "plugin.yaml").write_text(
        "name: nested\ndocument_types:\n  - {name: n, title: t, template: t.docx}\n",
        encoding="utf-8")
    return plugins


def test_a_failed_plugin_says_where_and_fails_the_listing(tmp_path, run_cli):
    """`planforge plugins` names the file and line and exits 2; --debug adds the traceback."""
    plugins = _broken_folder(tmp_path)
    result = run_cli("--plugins-dir", plugins, "plugins")
    assert result.exit_code == 2
    assert f"{plugins / 'raises.py'}:6: RuntimeError: template server down" in result.output
    assert f"{plugins / 'nested' / 'plugin.yaml'}: document_types[0]" in result.output
    assert "Traceback" not in result.output
    debug = run_cli("--plugins-dir", plugins, "--debug", "plugins")
    assert "Traceback" in debug.output and "raise RuntimeError" in debug.output
    assert run_cli("plugins").exit_code == 0  # the built-in set alone loads cleanly


def test_every_command_warns_once_of_a_failed_plugin(tmp_path, run_cli):
    """Filling another type still works, but nobody mistakes a missing type for a typo."""
    from ..conftest import SAMPLES

    plugins = _broken_folder(tmp_path)
    result = run_cli("--plugins-dir", plugins, "validate", "pairing-list",
                     SAMPLES / "pairing-list" / "结对帮扶名单.xlsx")
    assert result.exit_code == 0
    warnings = [line for line in result.output.splitlines() if line.startswith("警告：插件加载失败")]
    assert len(warnings) == 2
    assert any("raises.py:6" in line for line in warnings)


def test_plugin_yaml_mistakes_name_the_file_and_are_all_reported(tmp_path):
    """A syntax error names plugin.yaml and its line (not "<unicode string>"); every wrong key
    of every type and field is reported in one go."""
    plugins = tmp_path / "plugins"
    (plugins / "syntax").mkdir(parents=True)
    (plugins / "syntax" / "plugin.yaml").write_text(
        "name: syntax\ndocument_types:\n  - name: x\n    title: [unclosed\n", encoding="utf-8")
    (plugins / "keys").mkdir()
    (plugins / "keys" / "plugin.yaml").write_text(
        "name: keys\ndocument_types:\n"
        "  - {name: a, title: A, template: a.docx, bogus1: 1}\n"
        "  - name: b\n    title: B\n    template: b.docx\n"
        "    fields: [{name: f, label: F, typo: 1}, {name: g, label: G, wrong: 2}]\n",
        encoding="utf-8")
    errors = {p.name: p.error for p in load_plugins(plugins).errors}
    syntax = plugins / "syntax" / "plugin.yaml"
    assert f'in "{syntax}", line 4' in errors["syntax"]
    assert "<unicode string>" not in errors["syntax"]
    for key in ("bogus1", "typo", "wrong"):
        assert key in errors["keys"], errors["keys"]
