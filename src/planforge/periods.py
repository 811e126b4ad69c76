"""Reporting periods: the calendar quarter a date falls in, and when its report is due.

Seed 000 篇四 asks for a quarterly report handed in during the last month of each quarter, so a
quarter knows its months, its first and last day and its due month. A quarter is a ``str``
("2026Q1") so it sorts, compares and groups like any other value in templates and derivations.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from .model import Field, FieldError
from .text import fold_width, normalize_value

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


def _to_period(value: Any, kind: type, from_text: Callable[[str], Any]) -> Any:
    """A date, a datetime or text as the period of ``kind`` it names or falls in; ValueError when
    the text is neither."""
    if value in (None, ""):
        return None
    if isinstance(value, kind):
        return value
    if isinstance(value, dt.date):
        return kind.of(value.date() if isinstance(value, dt.datetime) else value)
    text = fold_width(value)
    found = from_text(text)
    if found is not None:
        return found
    from .fields import parse_date

    try:
        return kind.of(parse_date(text, Field("date", "日期")))
    except FieldError:
        raise ValueError(text) from None


def _field_type(convert: Callable[[Any], Any], zh: str, en: str, zh_forms: str,
                en_forms: str) -> Callable[[Any, Field], Any]:
    """A field type's parse function over ``convert``, naming the forms it accepts."""
    def parse(raw: Any, field: Field) -> Any:
        try:
            value = convert(raw)
        except ValueError:
            value = None
        if value is None:
            text = fold_width(raw)
            raise FieldError(f"「{text}」不是有效{zh}（可写作 {zh_forms}）",
                             f"{text!r} is not a valid {en} (write {en_forms})")
        return value

    return parse


def _lenient(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A template filter over ``convert``: what is no period gives None."""
    def apply(value: Any) -> Any:
        try:
            return convert(value)
        except ValueError:
            return None

    return apply


def _period(kind: type, patterns: tuple[re.Pattern, ...], canonical: Callable[..., str],
            zh: str, en: str, zh_forms: str, en_forms: str
            ) -> tuple[Callable[[Any], Any], Callable[[Any, Field], Any], Callable[[Any], Any]]:
    """A kind of period's converter (a date, a datetime or text written in one of ``patterns``,
    whose groups ``canonical`` writes as the kind's own text), field type and filter."""
    def from_text(text: str) -> Any:
        match = next(filter(None, (pattern.match(text) for pattern in patterns)), None)
        return kind(canonical(*match.groups())) if match else None

    def convert(value: Any) -> Any:
        return _to_period(value, kind, from_text)

    return convert, _field_type(convert, zh, en, zh_forms, en_forms), _lenient(convert)


#: A date, a datetime or text (2026Q1, 2026年第一季度, 2026-03-15) as its quarter; the
#: ``quarter`` field type; ``{{ date|quarter }}`` in templates and derivations (None stays None).
to_quarter, parse_quarter, quarter_filter = _period(
    Quarter, _PATTERNS, lambda year, number: f"{year}Q{_CN_NUMBERS[number]}", "季度", "quarter",
    "2026Q1 或 2026年第一季度", "2026Q1 or 2026年第一季度")


_SEMESTER_PATTERN = re.compile(
    r"^(\d{4})\s*[-—–~～至]\s*(\d{4})\s*(?:学年)?\s*[-_ ]?\s*第?\s*([一二12])\s*(?:学期)?$")


class Semester(str):
    """A school semester written ``2025-2026-2``: 第一学期 runs from September to January,
    第二学期 from February to August (the summer holiday closes the school year)."""

    start_year: int
    number: int

    def __new__(cls, text: str) -> Semester:
        match = re.fullmatch(r"(\d{4})-(\d{4})-([12])", text)
        if not match or int(match.group(2)) != int(match.group(1)) + 1:
            raise ValueError(f"not a semester: {text!r}")
        semester = super().__new__(cls, text)
        semester.start_year, semester.number = int(match.group(1)), int(match.group(3))
        return semester

    @classmethod
    def of(cls, day: dt.date) -> Semester:
        start = day.year if day.month >= 9 else day.year - 1
        number = 1 if day.month >= 9 or day.month == 1 else 2
        return cls(f"{start}-{start + 1}-{number}")

    @property
    def label(self) -> str:
        """2025—2026学年第二学期"""
        return f"{self.start_year}—{self.start_year + 1}学年第{_CN_NAMES[self.number - 1]}学期"

    @property
    def first(self) -> dt.date:
        return dt.date(self.start_year + (self.number == 2), 9 if self.number == 1 else 2, 1)

    @property
    def last(self) -> dt.date:
        return dt.date(self.start_year + 1, 1, 31) if self.number == 1 else dt.date(
            self.start_year + 1, 8, 31)

    def __contains__(self, day: object) -> bool:  # type: ignore[override]
        return isinstance(day, dt.date) and self.first <= day <= self.last


#: A date or text (2025-2026-2, 2025—2026学年第二学期, 2026-03-15) as its semester; the
#: ``semester`` field type; ``{{ date|semester_of }}`` in templates and derivations.
to_semester, parse_semester, semester_filter = _period(
    Semester, (_SEMESTER_PATTERN,), lambda first, last, number: f"{first}-{last}-{_CN_NUMBERS[number]}",
    "学期", "semester", "2025-2026-2 或 2025—2026学年第二学期", "2025-2026-2")


_CN_COUNTS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "十": 10}
_POINT = r"(\d{4})(?:\s*[年.\-/]\s*(\d{1,2})(?:\s*[月.\-/]\s*(\d{1,2})\s*日?|\s*月)?)?\s*年?"
_TERM_RANGE = re.compile(rf"^{_POINT}\s*(?:—+|–|-|~|～|至|到|－)\s*{_POINT}$")
_TERM_LENGTH = re.compile(r"^(?:([0-9]+|[一两二三四五六七八九十])\s*年)?\s*(?:([0-9]+)\s*个?月)?$")
_OPEN_ENDED = ("长期",)


def _term_months(text: str) -> int | None:
    """Whole months a term covers, ends included (2023—2025年: 36); None when open-ended."""
    if text in _OPEN_ENDED:
        return None
    length = _TERM_LENGTH.match(text)
    if length and any(length.groups()):
        years, months = length.groups()
        years = int(years) if years and years.isdigit() else _CN_COUNTS.get(years or "", 0)
        return years * 12 + int(months or 0)
    match = _TERM_RANGE.match(text)
    if not match:
        raise ValueError(text)
    y1, m1, d1, y2, m2, d2 = (int(g) if g else None for g in match.groups())
    start = dt.date(y1, m1 or 1, d1 or 1)
    if d2:
        end = dt.date(y2, m2 or 12, d2)
    else:  # the end month (or year) is included: the term ends on its last day
        following = dt.date(y2 + (m2 in (None, 12)), (m2 or 12) % 12 + 1, 1)
        end = following - dt.timedelta(days=1)
    if end < start:
        raise ValueError(text)
    after = end + dt.timedelta(days=1)
    return (after.year - start.year) * 12 + after.month - start.month - (after.day < start.day)


class Term(str):
    """A period of cooperation as written (2023—2025年, 2023年9月—2026年8月, 3年, 长期) and how
    many whole months it covers (``months``; None when open-ended)."""

    months: int | None

    def __new__(cls, text: str) -> Term:
        term = super().__new__(cls, text)
        term.months = _term_months(fold_width(text).replace(" ", ""))
        return term

    @property
    def open_ended(self) -> bool:
        return self.months is None


def parse_term(raw: Any, field: Field) -> Term:
    """The ``term`` field type: a cooperation period (合作期限) whose length can be checked."""
    text = normalize_value(raw)
    try:
        return Term(text)
    except ValueError:
        raise FieldError(
            f"「{text}」不是可识别的期限（可写作 2023—2025年、2023年9月—2026年8月、3年 或 长期）",
            f"{text!r} is not a term planforge can read (write 2023—2025年, 2023.9—2026.8, 3年 "
            "or 长期)") from None
