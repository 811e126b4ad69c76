"""Reporting periods: the calendar quarter a date falls in, and when its report is due.

Seed 000 篇四 asks for a quarterly report handed in during the last month of each quarter, so a
quarter knows its months, its first and last day and its due month. A quarter is a ``str``
("2026Q1") so it sorts, compares and groups like any other value in templates and derivations.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .model import Field, FieldError
from .text import fold_width

_CN_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_CN_NAMES = ("一", "二", "三", "四")
_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-_/ ]?\s*[qQ]\s*([1-4])$"),
    re.compile(r"^(\d{4})\s*年?\s*第?\s*([一二三四1-4])\s*季度?$"),
)


class Quarter(str):
    """A calendar quarter written ``2026Q1``, with the dates and labels forms print."""

    year: int
    number: int

    def __new__(cls, text: str) -> Quarter:
        match = re.fullmatch(r"(\d{4})Q([1-4])", text)
        if not match:
            raise ValueError(f"not a quarter: {text!r}")
        quarter = super().__new__(cls, text)
        quarter.year, quarter.number = int(match.group(1)), int(match.group(2))
        return quarter

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(f"{day.year}Q{(day.month - 1) // 3 + 1}")

    @property
    def first_month(self) -> int:
        return self.number * 3 - 2

    @property
    def last_month(self) -> int:
        """The month the report is due in (seed 000: 每季度最后一个月下旬)."""
        return self.number * 3

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def last(self) -> dt.date:
        following = dt.date(self.year + (self.number == 4), self.last_month % 12 + 1, 1)
        return following - dt.timedelta(days=1)

    @property
    def name(self) -> str:
        """第一季度"""
        return f"第{_CN_NAMES[self.number - 1]}季度"

    @property
    def label(self) -> str:
        """2026年第一季度"""
        return f"{self.year}年{self.name}"

    @property
    def months(self) -> str:
        """1—3月"""
        return f"{self.first_month}—{self.last_month}月"

    @property
    def due(self) -> str:
        """2026年3月下旬: when the quarter's report is handed in."""
        return f"{self.year}年{self.last_month}月下旬"

    @property
    def due_from(self) -> dt.date:
        """The first day of the 下旬 of the due month."""
        return dt.date(self.year, self.last_month, 21)

    def __contains__(self, day: object) -> bool:  # type: ignore[override]
        return isinstance(day, dt.date) and self.first <= day <= self.last


def to_quarter(value: Any) -> Quarter | None:
    """A date, a datetime or text (2026Q1, 2026年第一季度, 2026-03-15) as its quarter."""
    if value in (None, ""):
        return None
    if isinstance(value, Quarter):
        return value
    if isinstance(value, dt.datetime):
        return Quarter.of(value.date())
    if isinstance(value, dt.date):
        return Quarter.of(value)
    text = fold_width(value)
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if match:
            return Quarter(f"{match.group(1)}Q{_CN_NUMBERS[match.group(2)]}")
    from .fields import parse_date

    try:
        return Quarter.of(parse_date(text, Field("quarter", "季度")))
    except FieldError:
        raise ValueError(text) from None


def parse_quarter(raw: Any, field: Field) -> Quarter:
    """The ``quarter`` field type: 2026Q1, 2026年第一季度, 2026年1季度 or a date inside it."""
    try:
        quarter = to_quarter(raw)
    except ValueError:
        quarter = None
    if quarter is None:
        text = fold_width(raw)
        raise FieldError(f"「{text}」不是有效季度（可写作 2026Q1 或 2026年第一季度）",
                         f"{text!r} is not a valid quarter (write 2026Q1 or 2026年第一季度)")
    return quarter


def quarter_filter(value: Any) -> Quarter | None:
    """``{{ date|quarter }}`` in templates and derivations; None stays None."""
    try:
        return to_quarter(value)
    except ValueError:
        return None
