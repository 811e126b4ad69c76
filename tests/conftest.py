"""Shared fixtures: the CLI, a registry, document conversion with LibreOffice."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

# On CI the property tests draw the same examples every run (derandomized), so a landing never
# hangs on a lucky draw; developers' runs keep drawing new ones and find what CI would not.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

# Whatever planforge plugins the developer has installed, the suite sees only planforge's own
# (and those a test installs or names): like llm's LLM_LOAD_PLUGINS. Worker processes inherit it.
os.environ["PLANFORGE_LOAD_PLUGINS"] = ""


#: Fixtures that start LibreOffice: a test using one is slow (seconds per conversion).
SLOW_FIXTURES = {"soffice", "pdf_text"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """LibreOffice tests are ``slow`` wherever they are: ``-m "not slow"`` is the quick subset."""
    for item in items:
        if item.get_closest_marker("libreoffice") or SLOW_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def run_cli():
    """Run ``planforge ARGS`` in-process; returns the click Result (exit_code, output)."""
    from planforge.cli import cli

    def run(*args: str, **kwargs):
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, **kwargs)

    return run


@pytest.fixture(scope="session")
def soffice() -> str:
    """LibreOffice, which must exist on CI; elsewhere its tests are skipped with the reason."""
    from planforge.default_plugins.convert import find_soffice
    from planforge.errors import ToolMissingError

    try:
        return find_soffice()
    except ToolMissingError as error:
        if os.environ.get("CI"):
            pytest.fail(f"LibreOffice is required on CI: {error}")
        pytest.skip(str(error))


@pytest.fixture
def pdf_text(soffice, tmp_path):
    """Convert documents with LibreOffice (one run) and return each PDF's text.

    White space is removed: PDF text extraction spaces CJK text unpredictably.
    """
    from pypdf import PdfReader

    from planforge.default_plugins.convert import convert_to_pdf

    def convert(*paths: Path) -> list[str]:
        pdfs = convert_to_pdf([Path(p) for p in paths], tmp_path / "pdf")
        texts = ["".join(page.extract_text() or "" for page in PdfReader(p).pages) for p in pdfs]
        return ["".join(text.split()) for text in texts]

    return convert


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "one_xlsx_reader: read .xlsx files with python-calamine only, not also with "
                   "openpyxl to compare (for tests that count what reading does)")


@pytest.fixture(autouse=True)
def _xlsx_readers_agree(request, monkeypatch):
    """Every .xlsx a test reads through planforge is read by openpyxl too, and must read alike
    (see tests/xlsx_parity.py)."""
    if request.node.get_closest_marker("one_xlsx_reader") is None:
        from planforge.readers import DataFile

        from .xlsx_parity import checked_table

        monkeypatch.setattr(DataFile, "table", checked_table(DataFile.table))
    yield
