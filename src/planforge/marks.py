"""What a sheet's values do not tell, whatever the format it is read from."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import Problem


@dataclass
class SheetMarks:
    """What openpyxl's values do not tell: rows hidden in Excel, and formula cells saved without
    their result (by openpyxl and other programs that do not calculate), which read as empty."""

    hidden: set[int] = field(default_factory=set)
    uncomputed: dict[int, set[int]] = field(default_factory=dict)  # row -> 0-based columns
    warnings: list[Problem] = field(default_factory=list)  # what the format cannot tell
