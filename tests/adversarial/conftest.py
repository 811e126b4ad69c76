"""The adversarial suite's session: the document collector, its LibreOffice pass, the count."""

from __future__ import annotations

import pytest

from .collect import STATE

FINAL_TEST = "test_every_document_opens_in_libreoffice"


@pytest.fixture(scope="session", autouse=True)
def _collector(tmp_path_factory):
    STATE.folder = tmp_path_factory.mktemp("adversarial-documents")
    yield STATE


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The LibreOffice pass runs after every other test of the session, wherever it sits."""
    final = [item for item in items if item.name == FINAL_TEST]
    for item in final:
        items.remove(item)
        items.append(item)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.passed and "tests/adversarial/" in report.nodeid:
        STATE.cases += 1


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Cases = passed tests + hypothesis examples + the sub-cases looping tests run."""
    if STATE.cases:
        terminalreporter.write_line(
            f"adversarial cases: {STATE.cases} (documents opened by LibreOffice: "
            f"{STATE.converted})")


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory):
    """A --plugins-dir holding the tiny roster plugin."""
    from .plugin import build_plugin

    return build_plugin(tmp_path_factory.mktemp("plugins"))


@pytest.fixture(scope="session")
def tiny_registry(tiny_dir):
    from planforge.plugins import load_plugins

    return load_plugins(tiny_dir)


@pytest.fixture
def planforge(tiny_dir, tiny_registry):
    """``planforge --plugins-dir TINY ARGS`` in-process (plugins loaded once per session)."""
    from click.testing import CliRunner

    from planforge.cli import State, cli

    def run(*args):
        state = State(str(tiny_dir), False)
        state._registry = tiny_registry
        return CliRunner().invoke(cli, [str(a) for a in args], obj={"state": state},
                                  catch_exceptions=False)

    return run
