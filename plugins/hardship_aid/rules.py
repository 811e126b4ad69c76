"""The rules of 特困教师资助 (seed 003 lines ~40-55), as pure functions over plain values.

Province and city aid differ only in their numbers, so a level is data: the minimum debt, the
one-off grant, the share of retired teachers allowed among those aided and the filing deadline.
A notice may change the amounts; the settings ``debt_min`` and ``grant`` override them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from decimal import Decimal

PROVINCE, CITY = "省级", "市级"
ILLNESS, DISASTER = "重大疾病", "自然灾害"
HARDSHIPS = (ILLNESS, DISASTER)
SERVING, RETIRED = "在职", "退休"
STATUSES = (SERVING, RETIRED)


@dataclass(frozen=True)
class Level:
    """What one level of aid requires and pays."""

    name: str
    debt_min: Decimal  # debts of at least this much (含)
    grant: Decimal  # paid once per teacher
    retired_share: Decimal  # at most this share of those aided may be retired (原则上)
    deadline_month: int
    deadline_day: int
    funder: str
    #: A teacher aided by the province in the two years before may not be aided again.
    recent_years_barred: int = 0
    #: 省级资助的教师对象为……学校专任教师 (seed 003 line 51): only full-time teachers.
    full_time_only: bool = False

    def deadline(self, year: int) -> dt.date:
        """Materials later than this are taken as given up (逾期不报将视作自动放弃)."""
        return dt.date(year, self.deadline_month, self.deadline_day)

    def retired_allowed(self, aided: int) -> int:
        """How many of ``aided`` teachers may be retired."""
        return math.floor(aided * self.retired_share + Decimal("1e-9"))


LEVELS = {
    PROVINCE: Level(PROVINCE, Decimal(50000), Decimal(10000), Decimal("0.05"), 5, 15,
                    "省教育基金会", recent_years_barred=2, full_time_only=True),
    CITY: Level(CITY, Decimal(20000), Decimal(5000), Decimal("0.10"), 6, 20, "市教育基金会"),
}


#: 市级资助计划80名,资助金40万元 (seed 003 line 45): a city's plan, which a notice may change.
CITY_QUOTA = 80
CITY_BUDGET = Decimal(400000)


def level_for(name: str, debt_min: Decimal | None = None, grant: Decimal | None = None) -> Level:
    """The level named ``name``, with the amounts a notice may have changed."""
    level = LEVELS[name]
    if debt_min is not None:
        level = replace(level, debt_min=Decimal(debt_min))
    if grant is not None:
        level = replace(level, grant=Decimal(grant))
    return level


def debt_qualifies(debt: Decimal, level: Level) -> bool:
    return debt >= level.debt_min


def recently_aided(last_aid_year: int | None, year: int, level: Level) -> bool:
    """省级资助的教师对象为前两年未接受过省级资助的: the year itself and the two before."""
    if last_aid_year is None or not level.recent_years_barred:
        return False
    return year - level.recent_years_barred <= last_aid_year <= year


def retired_excess(retired: int, aided: int, level: Level) -> int:
    """How many retired teachers are over the level's share (0 when within it)."""
    return max(0, retired - level.retired_allowed(aided))
