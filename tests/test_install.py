"""A clerk's install: ``pip install`` into a fresh virtual environment outside the checkout.

This proves the wheel carries every built-in plugin and template (not only an editable install),
that the console script works, and that a third-party package is found by its entry point.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SAMPLES

pytestmark = pytest.mark.slow  # pip installs into a fresh virtual environment

EXAMPLE = ROOT / "examples" / "planforge-example-plugin"


def run(command: list, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PLANFORGE_PLUGINS_DIR",
                                                         "PLANFORGE_LOAD_PLUGINS"}}
    result = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True,
                            env=env, timeout=900)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh venv (in a folder far from the checkout) with planforge installed from it."""
    home = tmp_path_factory.mktemp("clerk")
    run([sys.executable, "-m", "venv", home / "env"], cwd=home)
    bin_dir = home / "env" / "bin"
    run([bin_dir / "pip", "install", "--quiet", "--disable-pip-version-check", ROOT], cwd=home)
    return bin_dir


def test_installed_package_lists_builtin_plugins_with_their_source(venv):
    result = run([venv / "planforge", "plugins"], cwd=venv.parent.parent)
    assert "pairing-list  [built-in]" in result.stdout
    assert "field_types  [planforge]" in result.stdout
    assert "✗" not in result.stdout, result.stdout
    location = run([venv / "python", "-c", "import planforge; print(planforge.__file__)"],
                   cwd=venv.parent.parent).stdout
    assert str(ROOT) not in location  # really the installed copy, not the checkout


def test_installed_planforge_fills_a_sample_that_libreoffice_reads(venv, pdf_text):
    home = venv.parent.parent
    out = home / "out"
    run([venv / "planforge", "fill", "pairing-list", SAMPLES / "pairing-list" / "结对帮扶名单.xlsx",
         "-o", out, "--set", "organisation=湘东区教育局"], cwd=home)
    workbook = out / "附件1 湘东区教育局结对帮扶名单.xlsx"
    (text,) = pdf_text(workbook)
    for value in ("湘东区教育局结对帮扶名单", "孝义镇中心校", "南山乡初级中学", "共5对"):
        assert value in text


def test_third_party_package_is_found_by_its_entry_point_and_fills_its_form(venv, pdf_text):
    home = venv.parent.parent
    run([venv / "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", EXAMPLE],
        cwd=home)
    listed = run([venv / "planforge", "plugins"], cwd=home).stdout
    assert "example  [entry point (planforge-example-plugin)]" in listed
    assert "document type: pairing-agreement  教师结对帮扶协议书" in listed
    out = home / "agreements"
    run([venv / "planforge", "fill", "pairing-agreement", EXAMPLE / "sample.csv", "-o", out],
        cwd=home)
    forms = sorted((out / "教师结对帮扶协议书").glob("*.docx"))
    assert [f.name for f in forms] == ["1 张敏-王芳.docx", "2 刘洋-陈静.docx",
                                       "教师结对帮扶协议书（合订打印）.docx"]
    first, _, combined = pdf_text(*forms)
    assert "张敏" in first and "孝义镇中心校" in first and "2026年3月1日" in first
    assert "王芳" in combined and "陈静" in combined
