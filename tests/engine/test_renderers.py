"""Output kinds are registered renderers: the built-in ones and a plugin's, checked at loading."""

from __future__ import annotations

from planforge import EXCEL_TABLE, WORD_PER_RECORD, WORD_SINGLE
from planforge.engine import Engine
from planforge.plugins import load_plugins

# A plugin adding a plain-text kind and a declarative plugin whose form names it.
TEXT_RENDERER = '''
from planforge import Field, Renderer, hookimpl


def render_lines(rendering, writer):
    relative = f"{rendering.entry}.txt"
    writer.add(relative, rendering.document_type.name, rendering.rows())
    names = [str(item["name"]) for item in rendering.items]
    width = rendering.settings["line_width"]
    return lambda: writer.path(relative).write_text(f"{width}:" + "\\n".join(names),
                                                    encoding="utf-8")


@hookimpl
def register_renderers(register):
    register(Renderer("text-lines", render_lines, writes=".txt",
                      settings=(Field("line_width", "行宽", type="integer", default=20, min=1),)))
'''

LINES_YAML = """name: lines
document_types:
  - name: name-lines
    title: 姓名清单
    renderer: {renderer}
    template: t.txt
    fields:
      - {{name: name, label: 姓名, required: true}}
"""


def _plugins(tmp_path, renderer="text-lines", extra=""):
    folder = tmp_path / "plugins"
    (folder / "lines").mkdir(parents=True)
    (folder / "text_renderer.py").write_text(TEXT_RENDERER, encoding="utf-8")
    (folder / "lines" / "t.txt").write_text("", encoding="utf-8")
    (folder / "lines" / "plugin.yaml").write_text(LINES_YAML.format(renderer=renderer) + extra,
                                                  encoding="utf-8")
    return folder


def test_built_in_kinds_are_registered_by_a_default_plugin():
    registry = load_plugins()
    defaults = {name for name, r in registry.renderers.items() if r.source == "renderers"}
    assert defaults == {WORD_PER_RECORD, WORD_SINGLE, EXCEL_TABLE}
    # built-in plugins add their own kinds through the same hook
    assert registry.renderers["booklet"].source == "booklet"
    assert registry.renderers["photo-pages"].source == "booklet"
    assert registry.renderers["activity-dossier"].source == "activity_dossier"
    engine = Engine(registry)
    settings = {s.name for s in engine.job("pairing-list").settings}
    per_record = [d for d in registry.document_types.values() if d.renderer == WORD_PER_RECORD]
    assert "copies" in {s.name for s in engine.job(per_record[0].name).settings}
    assert registry.document_types["pairing-list"].renderer != WORD_PER_RECORD
    assert "copies" not in settings


def test_a_declarative_form_fills_with_a_plugin_renderer(tmp_path, run_cli):
    plugins = _plugins(tmp_path)
    data = tmp_path / "names.csv"
    data.write_text("姓名\n张敏\n李华\n", encoding="utf-8")
    result = run_cli("--plugins-dir", plugins, "fill", "name-lines", data, "-o", tmp_path / "o",
                     "--set", "line_width=30")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "姓名清单.txt").read_text(encoding="utf-8") == "30:张敏\n李华"
    listing = run_cli("--plugins-dir", plugins, "plugins").output
    assert "renderer: text-lines  → .txt" in listing and "document type: name-lines" in listing
    # the renderer's own setting is checked like any other
    result = run_cli("--plugins-dir", plugins, "fill", "name-lines", data, "-o", tmp_path / "p",
                     "--set", "行宽=0")
    assert result.exit_code == 2 and not (tmp_path / "p").exists()


def test_an_unregistered_renderer_fails_its_plugin_by_name(tmp_path, run_cli):
    plugins = _plugins(tmp_path, renderer="pdf")
    registry = load_plugins(plugins)
    assert "name-lines" not in registry.document_types
    (failed,) = registry.errors
    assert failed.name == "lines" and "PluginError" in failed.error
    assert "'name-lines'" in failed.error and "'pdf' is not registered" in failed.error
    known = failed.error.split("renderer must be one of ", 1)[1]
    assert {"excel-table", "text-lines", "word-per-record", "word-single"} <= {
        name.strip() for name in known.split(",")}
    assert {"booklet", "photo-pages"} <= {name.strip() for name in known.split(",")}
    assert "text-lines" in registry.renderers and "pairing-list" in registry.document_types
    result = run_cli("--plugins-dir", plugins, "plugins")
    assert result.exit_code == 2 and "lines  [" in result.output and "未注册" in result.output


def test_a_package_of_a_dropped_form_is_dropped_too(tmp_path):
    extra = "packages:\n  - {name: lines-package, title: 清单, members: [name-lines]}\n"
    registry = load_plugins(_plugins(tmp_path, renderer="docx", extra=extra))
    assert "lines-package" not in registry.packages
    assert [p.name for p in registry.errors] == ["lines"]


def test_pictures_need_a_renderer_that_places_them(tmp_path):
    extra = ("    settings:\n      - {name: logo, label: 徽标, type: image}\n"
             "    pictures: {徽标: logo}\n")
    registry = load_plugins(_plugins(tmp_path, renderer="text-lines", extra=extra))
    (failed,) = registry.errors
    assert "cannot replace template pictures" in failed.error
    registry = load_plugins(_plugins(tmp_path / "b", renderer=EXCEL_TABLE, extra=extra))
    assert "'excel-table' cannot replace template pictures" in registry.errors[0].error


def test_a_kind_registered_twice_is_refused(tmp_path):
    plugins = _plugins(tmp_path)
    (plugins / "again.py").write_text(
        TEXT_RENDERER.replace('"text-lines"', '"excel-table"'), encoding="utf-8")
    registry = load_plugins(plugins)
    (failed,) = registry.errors  # the two plugins claim one kind: one of them is refused
    assert failed.name in {"again", "renderers"}
    assert "renderer 'excel-table' is already registered by another plugin" in failed.error
    assert registry.renderers[EXCEL_TABLE].source in {"again", "renderers"}


def test_a_plugin_renderer_never_writes_over_a_clerks_file(tmp_path, run_cli):
    """A plugin's kind gets the output folder's guarantees: a clerk's file of the name it
    writes refuses the run and stays as it was; ``--force`` replaces it."""
    plugins = _plugins(tmp_path)
    data = tmp_path / "names.csv"
    data.write_text("姓名\n张敏\n", encoding="utf-8")
    out = tmp_path / "o"
    out.mkdir()
    (out / "姓名清单.txt").write_text("clerk's own notes", encoding="utf-8")
    result = run_cli("--plugins-dir", plugins, "fill", "name-lines", data, "-o", out)
    assert result.exit_code == 2 and "姓名清单.txt" in result.output, result.output
    assert (out / "姓名清单.txt").read_text(encoding="utf-8") == "clerk's own notes"
    assert sorted(p.name for p in out.iterdir()) == ["姓名清单.txt"]
    result = run_cli("--plugins-dir", plugins, "fill", "name-lines", data, "-o", out, "--force")
    assert result.exit_code == 0, result.output
    assert (out / "姓名清单.txt").read_text(encoding="utf-8") == "20:张敏"


NO_TEMPLATE = '''
from planforge import DocumentType, hookimpl


@hookimpl
def register_document_types(register):
    register(DocumentType(name="{name}", title="无模板", template=None, renderer="{renderer}"))
'''


def test_only_a_kind_that_fills_no_template_takes_a_type_without_one(tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "word_without.py").write_text(
        NO_TEMPLATE.format(name="word-without", renderer=WORD_SINGLE), encoding="utf-8")
    (folder / "booklet_without.py").write_text(
        NO_TEMPLATE.format(name="booklet-without", renderer="booklet"), encoding="utf-8")
    registry = load_plugins(folder)
    assert "word-without" not in registry.document_types
    (failed,) = registry.errors
    assert failed.name == "word_without"
    assert "has no template, and renderer 'word-single' fills one" in failed.error
    assert "没有模板" in failed.error
    assert registry.document_types["booklet-without"].template is None
    # the built-in types that bind what they read have no template either
    assert registry.document_types["activity-dossier"].template is None
    assert registry.document_types["hardship-archive"].template is None
