"""Where the bundled plugins and official templates live, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent


def _bundled(name: str) -> Path:
    installed = _PACKAGE / "_bundled" / name
    return installed if installed.is_dir() else _CHECKOUT / name


def builtin_plugins_dir() -> Path:
    """``plugins/`` of the checkout, or its copy inside an installed wheel."""
    return _bundled("plugins")


def templates_dir() -> Path:
    """``templates/`` (official forms under ``forms/``), installed or in a checkout."""
    return _bundled("templates")
