"""Hostile and mistaken YAML and settings: alias bombs everywhere YAML is read, repeated keys,
misspelt settings, impossible numbers. Each is refused with exit 2 naming the file and the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from planforge.cli import cli
from planforge.declarative import load_declarative
from planforge.engine import Engine
from planforge.errors import PluginError
from planforge.plugins import load_plugins
from planforge.yamlload import MAX_ALIAS_EXPANSION, load_yaml

from .collect import case
from .plugin import PLUGIN_YAML

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
ROSTER = SAMPLES / "gd-subsidy" / "roster-2020.xlsx"
LAST = SAMPLES / "gd-subsidy" / "roster-2019.xlsx"
SETTINGS = SAMPLES / "gd-subsidy" / "settings.yaml"
DOSSIER = SAMPLES / "activity-dossier"


def bomb(key: str = "a") -> str:
    """Nine levels of nine aliases: 9**9 (387 million) strings once expanded."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + f"\n{key}: *l9\n"


def run(*args) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def refused(result, *names: object) -> str:
    assert result.exit_code == 2, result.output
    for name in names:
        assert str(name) in result.output, (name, result.output)
    return result.output


def county_settings(tmp_path: Path, text: str, name: str = "settings.yaml") -> Path:
    path = tmp_path / name
    path.write_text(SETTINGS.read_text(encoding="utf-8") + text, encoding="utf-8")
    return path


def fill_county(tmp_path: Path, settings: Path, *extra: str):
    out = tmp_path / "out"
    result = run("fill", "gd-subsidy", ROSTER, "--previous", LAST, "--settings", settings,
                 *extra, "-o", out, "--jobs", "1")
    assert result.exit_code != 0 or out.exists()
    if result.exit_code:
        assert not out.exists()
    return result


# --------------------------------------------------------------------------- alias bombs


def test_the_loader_refuses_an_alias_bomb_and_a_self_reference():
    for text in (bomb(), "x: &x [1, *x]\n", "x: &x {a: *x}\n"):
        with pytest.raises(yaml.YAMLError, match="alias|别名"):
            load_yaml(text)
        case()


def test_anchors_within_the_bound_still_work():
    assert load_yaml("a: &a [1, 2]\nb: *a\nc: {<<: {x: 1}, y: 2}\n") == {
        "a": [1, 2], "b": [1, 2], "c": {"x": 1, "y": 2}}
    aliases = ", ".join(["*a"] * 90)  # 90 aliases of 1,000 items: 90,000 more
    data = load_yaml("a: &a [" + ", ".join(["1"] * 1000) + f"]\nb: [{aliases}]\n")
    assert len(data["b"]) == 90
    with pytest.raises(yaml.YAMLError, match=str(MAX_ALIAS_EXPANSION)):
        load_yaml("a: &a [" + ", ".join(["1"] * 1000) + "]\nb: [" + ", ".join(["*a"] * 110)
                  + "]\n")


def test_an_alias_bomb_settings_file_is_refused_naming_it(tmp_path):
    settings = tmp_path / "settings.yaml"
    settings.write_text(bomb("year"), encoding="utf-8")
    refused(fill_county(tmp_path, settings), settings, "alias bomb")


def test_an_alias_bomb_data_file_is_refused_naming_it(tmp_path, planforge):
    data = tmp_path / "名册.yaml"
    data.write_text(bomb("名册"), encoding="utf-8")
    refused(planforge("fill", "tiny-package", data, "-o", tmp_path / "out"), data, "alias bomb")
    assert not (tmp_path / "out").exists()


def test_an_alias_bomb_plugin_yaml_fails_that_plugin_only(tmp_path):
    folder = tmp_path / "plugins" / "bomb"
    folder.mkdir(parents=True)
    (folder / "plugin.yaml").write_text(bomb("description"), encoding="utf-8")
    with pytest.raises(PluginError, match="alias bomb"):
        load_declarative(folder)
    result = run("--plugins-dir", tmp_path / "plugins", "plugins")
    assert "plugin.yaml" in result.output and "alias bomb" in result.output, result.output


def test_the_tiny_plugin_reuses_its_fields_with_an_anchor(tiny_registry):
    form, roster = (tiny_registry.document_types[n] for n in ("tiny-form", "tiny-roster"))
    assert "&fields" in PLUGIN_YAML and form.fields == roster.fields


def test_an_alias_bomb_dossier_yaml_is_refused(tmp_path):
    folder = tmp_path / "dossier"
    shutil.copytree(next(DOSSIER.iterdir()), folder)
    (folder / "dossier.yaml").write_text(bomb("theme"), encoding="utf-8")
    refused(run("dossier", "check", folder, "--no-convert"), "dossier.yaml", "alias bomb")


def test_an_alias_bomb_binder_list_and_captions_are_refused(tmp_path):
    binder = tmp_path / "binder.yaml"
    binder.write_text(bomb("title"), encoding="utf-8")
    refused(run("binder", binder, "-o", tmp_path / "out.pdf"), binder, "alias bomb")
    photos = next(p for p in next(DOSSIER.iterdir()).iterdir() if p.name == "照片")
    captions = tmp_path / "captions.yaml"
    captions.write_text(bomb("x.jpg"), encoding="utf-8")
    refused(run("photos", photos, "-o", tmp_path / "photos.docx", "--captions", captions),
            captions, "alias bomb")
    assert not (tmp_path / "out.pdf").exists() and not (tmp_path / "photos.docx").exists()


def test_captions_are_read_like_every_mapping_file(tmp_path):
    """Photo captions go through the one mapping-file reader: TOML and JSON read as YAML does,
    and a list instead of a mapping is refused naming the file, writing nothing."""
    from docx import Document

    photos = tmp_path / "照片"
    photos.mkdir()
    first = sorted(next(DOSSIER.iterdir()).glob("照片/*.jpg"))[0]
    shutil.copy(first, photos / first.name)
    first = first.name
    out = tmp_path / "photos.docx"
    listed = tmp_path / "captions.yaml"
    listed.write_text(f"- {first}\n", encoding="utf-8")
    refused(run("photos", photos, "-o", out, "--captions", listed, "--expected", "0"),
            listed, "照片说明应为键值表", "the captions must be a mapping")
    assert not out.exists()
    for name, text in (("captions.toml", f'"{first}" = "开班仪式 & <合影>"\n'),
                       ("captions.json", f'{{"{first}": "开班仪式 & <合影>"}}')):
        captions = tmp_path / name
        captions.write_text(text, encoding="utf-8-sig")
        result = run("photos", photos, "-o", out, "--captions", captions, "--expected", "0")
        assert result.exit_code == 0, result.output
        paragraphs = [p.text for table in Document(out).tables for row in table.rows
                      for cell in row.cells for p in cell.paragraphs]
        paragraphs += [p.text for p in Document(out).paragraphs]
        assert any("开班仪式 & <合影>" in text for text in paragraphs), paragraphs
        out.unlink()


# --------------------------------------------------------------------------- repeated keys


def test_a_repeated_key_is_refused_with_both_lines(tmp_path):
    settings = county_settings(tmp_path, "year: 2021\n")
    lines = SETTINGS.read_text(encoding="utf-8").splitlines()
    first = next(n for n, line in enumerate(lines, 1) if line.startswith("year:"))
    output = refused(fill_county(tmp_path, settings), settings, "'year'",
                     f"line {len(lines) + 1}", f"line {first}")
    assert output.count("重复") == 1 and output.count("repeats") == 1  # each language once


def test_a_repeated_key_in_a_json_settings_file_is_refused(tmp_path):
    settings = tmp_path / "settings.json"
    settings.write_text('{"year": 2020, "county": "乳源", "year": 2021}', encoding="utf-8")
    refused(fill_county(tmp_path, settings), settings, "'year'")


def test_a_repeated_key_in_plugin_yaml_names_the_key():
    with pytest.raises(yaml.YAMLError, match="'name'.*line 3"):
        load_yaml("name: a\ndescription: b\nname: c\n")


# --------------------------------------------------------------------------- unknown keys


@pytest.mark.parametrize(("typo", "meant"), [("reveiwer", "reviewer"),
                                             ("objection_contacts", "objection_contact"),
                                             ("审核", "审核人"), ("yaer", "year")])
def test_a_misspelt_setting_is_refused_with_a_suggestion(tmp_path, typo, meant):
    settings = county_settings(tmp_path, f"{typo}: 某某\n")
    refused(fill_county(tmp_path, settings), settings, f"'{typo}'", f"did you mean '{meant}'")


def test_a_misspelt_set_is_refused_too(tmp_path):
    refused(fill_county(tmp_path, SETTINGS, "--set", "reveiwer=黄振华"), "'reveiwer'",
            "did you mean 'reviewer'", f"{SETTINGS} / --set")


def test_labels_are_accepted_as_keys(tmp_path):
    settings = county_settings(tmp_path, "")
    text = settings.read_text(encoding="utf-8").replace("\nreviewer:", "\n审核人:")
    settings.write_text(text, encoding="utf-8")
    result = run("validate", "gd-subsidy", ROSTER, "--previous", LAST, "--settings", settings)
    assert result.exit_code == 0, result.output


def test_a_key_of_another_target_of_the_same_plugin_is_no_typo():
    engine = Engine(load_plugins(None))
    city = engine.job("gd-subsidy-city")
    assert "objection_contact" not in {f.name for f in city.settings}
    assert "objection_contact" in engine.sibling_settings(city)
    assert "materials" not in engine.sibling_settings(city)  # hardship-aid's, not gd-subsidy's


@pytest.mark.slow
def test_the_notice_needs_its_objection_contact(tmp_path):
    text = SETTINGS.read_text(encoding="utf-8")
    kept = text[:text.index("objection_contact:")]
    settings = tmp_path / "settings.yaml"
    settings.write_text(kept, encoding="utf-8")
    refused(fill_county(tmp_path, settings), "objection_contact")
    result = fill_county(tmp_path, settings, "--set", "objection_contact=县教育局人事股")
    assert result.exit_code == 0, result.output


# --------------------------------------------------------------------------- numeric ranges


@pytest.mark.parametrize(("standard", "said"), [
    ("{first: -100, step: 50}", "more than 0"), ("{first: 0, step: 50}", "more than 0"),
    ("{first: 100, step: -10}", "must not be negative"), ("{1: 100, 2: -150}", "more than 0"),
    ("{1: 100, 2: 0}", "more than 0")])
def test_an_impossible_city_standard_is_refused(tmp_path, standard, said):
    text = SETTINGS.read_text(encoding="utf-8")
    start = text.index("\ncity_standard:") + 1  # the key, not the comment that mentions it
    end = text.index("\nunit:") + 1
    settings = tmp_path / "settings.yaml"
    settings.write_text(text[:start] + f"city_standard: {standard}\n" + text[end:],
                        encoding="utf-8")
    refused(fill_county(tmp_path, settings), "city_standard", said)


@pytest.mark.parametrize("assignment", ["city_standard_first=-100", "city_standard_first=0",
                                        "city_standard_step=-1", "annex_roster=0",
                                        "annex_roster=100000", "copies=0", "year=1999"])
@pytest.mark.slow
def test_out_of_range_numeric_settings_are_refused(tmp_path, assignment):
    extra = ["--set", "city_standard_step=50"] if "first" in assignment else []
    if "step" in assignment:
        extra = ["--set", "city_standard_first=100"]
    refused(fill_county(tmp_path, SETTINGS, "--set", assignment, *extra),
            assignment.split("=")[0])


def test_every_numeric_setting_of_every_built_in_target_declares_a_range():
    engine = Engine(load_plugins(None))
    registry = engine.registry
    unbounded = sorted({
        f"{name}: {field.name}"
        for name in (*registry.document_types, *registry.packages)
        for field in engine.job(name).settings
        if field.type in ("integer", "amount") and (field.min is None or field.max is None)})
    assert not unbounded, unbounded
