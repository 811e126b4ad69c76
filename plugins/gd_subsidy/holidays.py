"""Working days of the official calendar, with the State Council's schedule as data.

The chinese-calendar package ships the holidays up to the year it was released; the schedule of
the next year (放假 dates and the 调休上班 weekends) is published every autumn. A ``holidays``
setting (or a YAML/JSON file it names) gives it for any year the package lacks, so a notice
dated next year need not wait for a new release. Pure apart from reading that file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar

from planforge import Field, FieldError, parse_date

from .errors import CalendarOutOfRange, RuleError

#: Accepted keys of one year's schedule: days off, and weekend days that are working days.
OFF_KEYS = ("放假", "休息", "节假日", "holidays", "off")
WORK_KEYS = ("调休上班", "上班", "补班", "workdays", "work")
#: Between the two ends of a range: 2027-02-06~2027-02-13, 2027-02-06至2027-02-13.
_RANGE = re.compile(r"\s*(?:~|～|至|到|—|－－|--)\s*")
_DAY = Field("day", "节假日安排中的日期", "date")


def example(year: int) -> str:
    """The setting to add for ``year``, as the error shows it."""
    return (f"holidays:\n  {year}:\n    放假: [{year}-01-01, {year}-02-06~{year}-02-13, …]\n"
            f"    调休上班: [{year}-02-14, …]")


def _day(value: Any, year: int) -> date:
    """A day of the schedule, written as a date cell may be (2027-10-01, 2027年10月1日 …)."""
    try:
        day = parse_date(value, _DAY)
    except FieldError as error:
        raise RuleError(f"节假日安排中{error.zh}", f"in the holiday schedule: {error.en}") from None
    if day.year != year:
        raise RuleError(f"节假日安排{year}年中出现了{day}：日期应在{year}年内",
                        f"the {year} holiday schedule lists {day}, which is not in {year}")
    return day


def _days(values: Any, year: int) -> set[date]:
    """Single days and ranges (``2027-02-06~2027-02-13``) of a list, or of one entry."""
    found: set[date] = set()
    for value in values if isinstance(values, list | tuple) else [values]:
        if isinstance(value, date):
            found.add(_day(value, year))
            continue
        ends = _RANGE.split(str(value).strip())
        first, last = _day(ends[0], year), _day(ends[-1], year)
        if len(ends) > 2 or last < first:
            raise RuleError(f"节假日安排中「{value}」不是有效的日期范围",
                            f"{value!r} in the holiday schedule is not a valid range of dates")
        found.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return found


def _pick(schedule: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    return next((schedule[k] for k in schedule if str(k).strip() in keys), None)


@dataclass(frozen=True)
class Calendar:
    """The official working days: chinese-calendar, then the given schedules for other years."""

    off: Mapping[int, frozenset[date]] = field(default_factory=dict)
    work: Mapping[int, frozenset[date]] = field(default_factory=dict)

    @classmethod
    def from_setting(cls, value: Any) -> Calendar:
        """Read ``{2027: {放假: [...], 调休上班: [...]}}`` or the name of a file holding it."""
        if value in (None, ""):
            return cls()
        if isinstance(value, str):
            from planforge import InputError, read_mapping

            try:
                value = read_mapping(Path(value.strip()), "节假日安排文件", "holiday schedule file")
            except InputError as error:
                raise RuleError(error.problems[0].zh, error.problems[0].en) from None
        if not isinstance(value, Mapping):
            raise RuleError(f"holidays 应为按年份的安排，例如：\n{example(2027)}",
                            f"holidays must map years to schedules, e.g.:\n{example(2027)}")
        off: dict[int, frozenset[date]] = {}
        work: dict[int, frozenset[date]] = {}
        for key, schedule in value.items():
            try:
                year = int(str(key).strip().rstrip("年"))
            except ValueError:
                raise RuleError(f"holidays 中「{key}」不是年份", f"{key!r} in holidays is not a year"
                                ) from None
            if not isinstance(schedule, Mapping) or _pick(schedule, OFF_KEYS) is None:
                raise RuleError(f"holidays 中{year}年的安排应列出放假和调休上班日期，例如：\n"
                                f"{example(year)}",
                                f"the {year} schedule must list 放假 and 调休上班 days, e.g.:\n"
                                f"{example(year)}")
            off[year] = frozenset(_days(_pick(schedule, OFF_KEYS), year))
            work[year] = frozenset(_days(_pick(schedule, WORK_KEYS) or [], year))
            weekdays = sorted(d for d in work[year] if d.weekday() < 5)
            both = sorted(off[year] & work[year])
            if weekdays or both:
                wrong = weekdays or both
                raise RuleError(
                    f"holidays 中{year}年的调休上班日{'、'.join(map(str, wrong))}"
                    + ("不是周末（调休上班日都是周六或周日）" if weekdays else "同时列为放假"),
                    f"the {year} 调休上班 days {', '.join(map(str, wrong))} "
                    + ("are not weekend days" if weekdays else "are also listed as days off"))
        return cls(off, work)

    def is_workday(self, day: date) -> bool:
        """True on an official working day (weekdays, and 调休 weekends, minus holidays)."""
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            pass
        if day.year not in self.off:
            raise CalendarOutOfRange(
                f"chinese-calendar 软件包没有{day.year}年的节假日数据：请按国务院办公厅公布的"
                f"{day.year}年部分节假日安排，在设置中加入 holidays（放假日期及调休上班日期，"
                f"日期以通知为准；也可写 holidays: 文件名.yaml），或更新该软件包"
                f"（pip install -U chinese-calendar），例如：\n{example(day.year)}",
                f"the chinese-calendar package has no holidays for {day.year}: add the setting "
                f"holidays with that year's days off (放假) and working weekends (调休上班) as "
                f"the State Council publishes them (or holidays: FILE.yaml), or update the "
                f"package (pip install -U chinese-calendar), e.g.:\n"
                f"{example(day.year)}")
        if day in self.off[day.year]:
            return False
        return day.weekday() < 5 or day in self.work[day.year]
