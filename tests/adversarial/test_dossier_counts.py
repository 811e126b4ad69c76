"""Counts in dossier.yaml that cannot be (issue 13 item 14): refused before anything is written."""

from __future__ import annotations

import shutil

import pytest
import yaml
from click.testing import CliRunner

from planforge.cli import cli

from ..conftest import SAMPLES


@pytest.mark.slow
@pytest.mark.parametrize("value", [-5, 0, -0.5, 1e9 + 0.5, "五", False, [10], {"n": 10}])
def test_impossible_expected_photos_are_refused(tmp_path, value):
    folder = tmp_path / "dossier"
    shutil.copytree(next((SAMPLES / "activity-dossier").iterdir()), folder)
    path = folder / "dossier.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["expected_photos"] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    for command in (["dossier", "check", folder, "--no-convert"],
                    ["dossier", "build", folder, "-o", out]):
        result = CliRunner().invoke(cli, [str(a) for a in command], catch_exceptions=False)
        assert result.exit_code == 2, result.output
        assert "expected_photos" in result.output and "Traceback" not in result.output
    assert not out.exists() or not list(out.iterdir())
