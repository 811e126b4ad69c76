"""Installed entry-point plugins, and PLANFORGE_LOAD_PLUGINS choosing which of them load."""

from __future__ import annotations

import sys

import pytest

from planforge.plugins import LOAD_PLUGINS_ENV, load_plugins

PLUGIN = '''
from planforge import hookimpl


@hookimpl
def register_template_filters(register):
    register("{name}_shout", lambda text: str(text).upper() + "!")
'''


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """Two distributions installed as pip leaves them (a module and its .dist-info with an
    entry point in the ``planforge`` group), found on sys.path."""
    site = tmp_path / "site-packages"
    for dist, entry, module in (("planforge-alpha", "alpha", "pf_alpha"),
                                ("Planforge_Beta", "beta", "pf_beta")):
        info = site / f"{dist}-1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n",
                                       encoding="utf-8")
        (info / "entry_points.txt").write_text(f"[planforge]\n{entry} = {module}\n",
                                               encoding="utf-8")
        (site / f"{module}.py").write_text(PLUGIN.format(name=entry), encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    yield site
    for module in ("pf_alpha", "pf_beta"):
        sys.modules.pop(module, None)


def _entry_points(registry) -> dict[str, str | None]:
    return {p.name: p.error for p in registry.plugins
            if p.source.startswith(("entry point", LOAD_PLUGINS_ENV))}


def test_unset_loads_every_installed_plugin(installed, monkeypatch):
    monkeypatch.delenv(LOAD_PLUGINS_ENV, raising=False)
    registry = load_plugins()
    assert _entry_points(registry) == {"alpha": None, "beta": None}
    assert registry.filters["alpha_shout"]("ok") == "OK!"


def test_empty_loads_none(installed, monkeypatch):
    monkeypatch.setenv(LOAD_PLUGINS_ENV, "")
    registry = load_plugins()
    assert _entry_points(registry) == {}
    assert "alpha_shout" not in registry.filters and "pairing-list" in registry.document_types


@pytest.mark.parametrize("value", ["beta", " planforge-beta ", "PLANFORGE_BETA,", ",beta,,"])
def test_names_choose_by_entry_point_or_distribution(installed, monkeypatch, value):
    monkeypatch.setenv(LOAD_PLUGINS_ENV, value)
    registry = load_plugins()
    assert _entry_points(registry) == {"beta": None}
    assert "beta_shout" in registry.filters and "alpha_shout" not in registry.filters


def test_a_name_nobody_installed_is_reported(installed, monkeypatch, run_cli):
    monkeypatch.setenv(LOAD_PLUGINS_ENV, "alpha,gamma")
    registry = load_plugins()
    found = _entry_points(registry)
    assert found["alpha"] is None
    assert "'gamma' is named in PLANFORGE_LOAD_PLUGINS but no installed" in found["gamma"]
    result = run_cli("plugins")
    assert result.exit_code == 2 and "gamma  [PLANFORGE_LOAD_PLUGINS]" in result.output


def test_the_test_run_itself_is_isolated():
    """tests/conftest.py sets the variable empty, whatever the developer has installed."""
    import os

    assert os.environ[LOAD_PLUGINS_ENV] == ""
