"""Make the bundled plugin importable as ``gd_subsidy`` (and planforge from src/) uninstalled."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT / "src", ROOT / "plugins"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
