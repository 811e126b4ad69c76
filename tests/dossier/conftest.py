"""Shared fixtures of the dossier tests: import paths and the LibreOffice skip marker."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for extra in (ROOT / "src", ROOT / "plugins", ROOT / "scripts"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from planforge.default_plugins.convert import have_soffice  # noqa: E402

HAVE_SOFFICE = have_soffice()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests marked ``libreoffice`` when soffice is not installed."""
    if HAVE_SOFFICE:
        return
    skip = pytest.mark.skip(reason="LibreOffice (soffice) is not installed")
    for item in items:
        if "libreoffice" in item.keywords:
            item.add_marker(skip)
