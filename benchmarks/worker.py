"""Entry point of one measured side: ``python -m benchmarks.worker SIDE WORK PARAMS RESULT``.

A fresh interpreter per side keeps measurements from contaminating each other (heap, caches,
imported modules) and lets its peak memory be read with ``getrusage``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .figures import run_side


def main(argv: list[str]) -> int:
    side, work, params, result = argv
    run_side(side, Path(work), json.loads(params), Path(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
