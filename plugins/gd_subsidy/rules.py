"""Computation rules of the Guangdong hardship subsidy for former community/substitute teachers.

Source: 广东省原民办代课教师生活困难补助工作方案 (seed 003, lines ~190-225). Every year the seed
masks as "xx" is a setting (``year``, ``first_year``), never a constant here. Everything in this
module is pure: no files, no network, no clock; the caller passes dates in.

Money is whole yuan (``int``) whenever it is whole, otherwise a ``Decimal`` with two places, so
templates print "10800" and never "10800.00".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import chinese_calendar

from planforge.fields import parse_resident_id
from planforge.model import Field, FieldError

Money = int | Decimal

MINBAN = "原民办教师"
DAIKE = "原代课教师"
CATEGORIES = (MINBAN, DAIKE)
MALE, FEMALE = "男", "女"
#: Age at which the subsidy starts: men 60, women 55 (周岁).
AGE_BY_SEX = {MALE: 60, FEMALE: 55}
DEFAULT_FIRST_YEAR = 2019

#: Provincial bands (working years -> monthly yuan); below 10 years each city sets the standard.
BANDS: tuple[tuple[int, int | None, int | None, str], ...] = (
    (30, None, 900, "30年以上"),
    (20, 29, 800, "20-29年"),
    (10, 19, 700, "10-19年"),
    (1, 9, None, "1-9年"),
)

#: Cities whose subsidy the province shares 5:5 (seed 003).
SHARED_CITIES = frozenset(
    ("汕头", "韶关", "河源", "梅州", "惠州", "汕尾", "阳江")
    + ("湛江", "茂名", "肇庆", "清远", "潮州", "揭阳", "云浮")
)
#: County-level cities of 江门 that are shared 5:5 although 江门 as a whole is not.
SHARED_JIANGMEN_COUNTIES = frozenset(("恩平", "开平", "台山"))

#: Reason codes -> (Chinese, English) for people who are not paid this year.
REASONS: dict[str, tuple[str, str]] = {
    "died_before_cutoff": ("截止日前去世", "died on or before the cut-off date"),
    "retired_early": ("离岗退养", "in planned early retirement (离岗退养)"),
    "bad_record": ("不良记录", "criminal record or dismissal for misconduct"),
    "too_few_semesters": ("任教不满1学年", "taught less than one school year (2 semesters)"),
    "died": ("已去世", "died before the payment year began"),
    "died_before_start": ("去世时未到起发月份", "died before the first payment month"),
    "not_of_age": ("未到龄", "does not reach the age by the end of the payment year"),
}


# --------------------------------------------------------------------------- errors


class RuleError(ValueError):
    """A rule cannot be applied; carries the message in Chinese and English for the clerk."""

    def __init__(self, zh: str, en: str):
        self.zh, self.en = zh, en
        super().__init__(f"{zh} / {en}")


class MissingCityStandard(RuleError):
    """The city standard for 1-9 working years lacks a value; names everyone it blocks.

    Raised once for all affected people so the clerk fixes the setting in one go.
    """

    def __init__(self, missing: Mapping[int, list[str]]):
        self.missing = {y: list(names) for y, names in sorted(missing.items())}
        zh = "；".join(f"工作年限{y}年（{'、'.join(n)}）" for y, n in self.missing.items())
        en = "; ".join(f"{y} year(s) ({', '.join(n)})" for y, n in self.missing.items())
        super().__init__(
            f"地级市未设定以下工作年限的月补助标准：{zh}",
            f"the city standard has no monthly amount for {en}",
        )


class CalendarOutOfRange(RuleError):
    """The chinese-calendar package has no holiday data for a year; we refuse to guess."""


# --------------------------------------------------------------------------- money


def money(value: Any) -> Money:
    """Whole yuan as int, anything else as a 2-place Decimal, so output never shows '.00'."""
    d = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return int(d) if d == d.to_integral_value() else d


# --------------------------------------------------------------------------- people

#: ID numbers are checked by the engine's field type; this field only names them in its messages.
_ID_FIELD = Field("id_number", "身份证号码", "resident_id")


def add_years(day: date, years: int) -> date:
    """The anniversary of ``day`` after ``years`` years.

    A 29 Feb birthday has no anniversary in a common year; we take 1 Mar: under Chinese practice a
    周岁 is complete only once the full 12 months have elapsed, and on 28 Feb of a common year the
    person is still one day short of them, so the age is reached on 1 Mar.
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 Feb -> common year
        return date(day.year + years, 3, 1)


@dataclass(frozen=True)
class Person:
    """One former teacher as the county's master list records them."""

    name: str
    sex: str
    birth_date: date
    category: str
    semesters: int
    city: str = ""
    county: str = ""
    township: str = ""
    retired_early: bool = False
    bad_record: bool = False
    death_date: date | None = None
    id_number: str = ""

    def __post_init__(self) -> None:
        if self.sex not in AGE_BY_SEX:
            raise RuleError(f"{self.name}：性别应为男或女", f"{self.name}: sex must be 男 or 女")
        if self.category not in CATEGORIES:
            raise RuleError(
                f"{self.name}：类别应为原民办教师或原代课教师",
                f"{self.name}: category must be 原民办教师 or 原代课教师",
            )
        if self.semesters < 0:
            raise RuleError(f"{self.name}：任教学期数不能为负", f"{self.name}: negative semesters")

    @classmethod
    def from_id(cls, id_number: str, *, name: str, sex: str | None = None, **kw: Any) -> Person:
        """Build a person whose birth date and sex come from the ID, so they cannot disagree.

        A sex given by the roster that contradicts the ID is an error for the clerk to fix.
        """
        try:
            number = parse_resident_id(id_number, _ID_FIELD)
        except FieldError as exc:
            raise RuleError(f"{name}：{exc.zh}", f"{name}: {exc.en}") from None
        if sex and sex != number.sex:
            raise RuleError(
                f"{name}：性别「{sex}」与身份证号码（{number.sex}）不符",
                f"{name}: sex {sex!r} contradicts the ID number ({number.sex})",
            )
        return cls(name=name, sex=number.sex, birth_date=number.birth_date, id_number=str(number),
                   **kw)


def age_reached_date(birth_date: date, sex: str) -> date:
    """Day a person turns 60 (men) or 55 (women): the birthday itself, 29 Feb -> 1 Mar."""
    if sex not in AGE_BY_SEX:
        raise RuleError(f"性别应为男或女，而非「{sex}」", f"sex must be 男 or 女, not {sex!r}")
    return add_years(birth_date, AGE_BY_SEX[sex])


def working_years(semesters: int) -> int:
    """Two semesters make a year; a remaining single semester counts as a full year."""
    return math.ceil(semesters / 2)


def band_of(years: int) -> str:
    """Label of the provincial band (30年以上, 20-29年, 10-19年, 1-9年) a working time falls in."""
    for low, _high, _std, label in BANDS:
        if years >= low:
            return label
    raise RuleError(f"工作年限{years}年不足1年", f"{years} working years is less than one")


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class CityStandard:
    """A city's monthly amount for 1-9 working years: a table, or first year X plus Y a year."""

    table: Mapping[int, Money] = field(default_factory=dict)
    first: Money | None = None
    step: Money | None = None

    def checked(self) -> CityStandard:
        """Itself, if a city could have set it: a monthly amount more than 0 and a yearly step
        not negative (``first: -100`` would print negative payments)."""
        amounts = [*self.table.values(), *([self.first] if self.first is not None else [])]
        if any(Decimal(str(a)) <= 0 for a in amounts):
            raise RuleError("市定补助标准的月补助金额应大于0",
                            "the city standard's monthly amounts must be more than 0")
        if self.step is not None and Decimal(str(self.step)) < 0:
            raise RuleError("市定补助标准每增1年增加的金额不能为负数",
                            "the city standard's yearly step must not be negative")
        return self

    @classmethod
    def rule(cls, first: Money, step: Money) -> CityStandard:
        """The common form "X yuan for the first year, Y more for each further year"."""
        return cls(first=money(first), step=money(step))

    @classmethod
    def from_setting(cls, value: Any) -> CityStandard:
        """Read the YAML setting: ``{first: 100, step: 50}`` or ``{1: 100, 2: 150, ...}``."""
        if isinstance(value, CityStandard):
            return value
        if value is None:
            return cls()
        if not isinstance(value, Mapping):
            raise RuleError("市定补助标准格式错误", "city standard must be a mapping")
        keys = {str(k).strip() for k in value}
        if keys & {"first", "step"}:
            if not {"first", "step"} <= keys:
                raise RuleError(
                    "市定补助标准需同时给出 first（首年）和 step（每增1年）",
                    "city standard rule needs both 'first' and 'step'",
                )
            return cls.rule(value["first"], value["step"]).checked()
        table: dict[int, Money] = {}
        for k, v in value.items():
            try:
                years = int(str(k).strip().rstrip("年"))
            except ValueError as exc:
                raise RuleError(f"市定补助标准的年限「{k}」不是整数", f"bad year {k!r}") from exc
            if not 1 <= years <= 9:
                raise RuleError(
                    f"市定补助标准只适用于1-9年，不能含{years}年",
                    f"city standard covers 1-9 years only, not {years}",
                )
            table[years] = money(v)
        return cls(table=table).checked()

    def monthly(self, years: int) -> Money | None:
        """Monthly yuan for 1-9 years, or None when the city has not set it."""
        if years in self.table:
            return self.table[years]
        if self.first is not None and self.step is not None and 1 <= years <= 9:
            return money(Decimal(str(self.first)) + Decimal(str(self.step)) * (years - 1))
        return None


@dataclass(frozen=True)
class Settings:
    """One run: the payment year, the programme's first year and the city's 1-9 year standard."""

    year: int
    first_year: int = DEFAULT_FIRST_YEAR
    city_standard: CityStandard = field(default_factory=CityStandard)

    def __post_init__(self) -> None:
        if self.year < self.first_year:
            raise RuleError(
                f"发放年度{self.year}早于首个发放年度{self.first_year}",
                f"payment year {self.year} is before the first year {self.first_year}",
            )

    @property
    def cutoff(self) -> date:
        """Age and death cut-off: 31 Dec of the year before the first payment year."""
        return date(self.first_year - 1, 12, 31)


def monthly_standard(years: int, city_standard: CityStandard) -> Money | None:
    """Monthly yuan for a working time: 900/800/700 by band, the city's amount below 10 years.

    The seed says "超过30年" 900 and "20-29年" 800; exactly 30 falls in no band, so 30+ is 900.
    """
    for low, _high, std, _label in BANDS:
        if years >= low:
            return std if std is not None else city_standard.monthly(years)
    return None


# --------------------------------------------------------------------------- assessment


def month_start(day: date) -> date:
    """First day of the month of ``day`` (months are represented by their 1st)."""
    return day.replace(day=1)


def next_month(day: date) -> date:
    """First day of the month after ``day``."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """Number of months from ``first`` to ``last`` inclusive (0 if last is before first)."""
    n = (last.year - first.year) * 12 + last.month - first.month + 1
    return max(n, 0)


def cn_month(day: date | None) -> str:
    """'2020年1月', the way the rosters write a month; empty for None."""
    return f"{day.year}年{day.month}月" if day else ""


@dataclass(frozen=True)
class Result:
    """The assessment of one person for one payment year."""

    person: Person
    eligible: bool
    reason_code: str
    reason: str
    reason_en: str
    working_years: int
    band: str
    monthly_standard: Money | None
    age_date: date
    first_month: date | None
    last_month: date | None
    months: int
    amount: Money

    @property
    def first_month_text(self) -> str:
        """起发年月 as printed: 2020年1月."""
        return cn_month(self.first_month)


def first_payment_month(age_date: date, settings: Settings) -> date:
    """January of the first year if the age was reached by the cut-off, else the next month.

    No back pay: earlier years are never paid.
    """
    if age_date <= settings.cutoff:
        return date(settings.first_year, 1, 1)
    return next_month(age_date)


def _ineligible(person: Person, code: str, years: int, age: date, first: date | None) -> Result:
    zh, en = REASONS[code]
    last = month_start(person.death_date) if person.death_date else None
    band = band_of(years) if years >= 1 else ""
    return Result(person, False, code, zh, en, years, band, None, age, first, last, 0, 0)


def assess(person: Person, settings: Settings) -> Result:
    """Decide whether a person is paid in ``settings.year``, and how much.

    Exclusions are checked in the order of the seed (death before the cut-off, early retirement,
    bad record), then the one-year minimum, then whether anything is payable this year. A person
    who reaches the age during the year is eligible even if the first month falls in the next
    year (months = 0): they apply this year and are on this year's list.
    Raises :class:`MissingCityStandard` when the city has no amount for their 1-9 years.
    """
    years = working_years(person.semesters)
    age = age_reached_date(person.birth_date, person.sex)
    first = first_payment_month(age, settings)
    died = person.death_date
    year_start, year_end = date(settings.year, 1, 1), date(settings.year, 12, 31)
    if died is not None and died <= settings.cutoff:
        return _ineligible(person, "died_before_cutoff", years, age, None)
    if person.retired_early:
        return _ineligible(person, "retired_early", years, age, None)
    if person.bad_record:
        return _ineligible(person, "bad_record", years, age, None)
    if person.semesters < 2:
        return _ineligible(person, "too_few_semesters", years, age, None)
    if died is not None and month_start(died) < first:
        return _ineligible(person, "died_before_start", years, age, first)
    if died is not None and died < year_start:
        return _ineligible(person, "died", years, age, first)
    if age > year_end:
        return _ineligible(person, "not_of_age", years, age, first)
    standard = monthly_standard(years, settings.city_standard)
    if standard is None:
        raise MissingCityStandard({years: [person.name]})
    last = month_start(died) if died else None
    pay_from = max(first, year_start)
    pay_to = min(last, date(settings.year, 12, 1)) if last else date(settings.year, 12, 1)
    months = months_between(pay_from, pay_to)
    amount = money(Decimal(str(standard)) * months)
    return Result(
        person, True, "", "", "", years, band_of(years), standard, age, first, last, months, amount
    )


def assess_all(people: Iterable[Person], settings: Settings) -> list[Result]:
    """Assess everyone; a missing city standard is raised once, naming every person it blocks."""
    results: list[Result] = []
    missing: dict[int, list[str]] = {}
    for person in people:
        try:
            results.append(assess(person, settings))
        except MissingCityStandard as exc:
            for years, names in exc.missing.items():
                missing.setdefault(years, []).extend(names)
    if missing:
        raise MissingCityStandard(missing)
    return results


# --------------------------------------------------------------------------- funding


def _bare(name: str | None, suffixes: tuple[str, ...]) -> str:
    text = (name or "").strip()
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def is_shared_funding(city: str, county: str | None = None) -> bool:
    """True where province and city share the cost 5:5 (the 14 cities, 江门's 恩平/开平/台山)."""
    c = _bare(city, ("市",))
    if c in SHARED_CITIES:
        return True
    if c in ("江门", ""):
        return _bare(county, ("市",)) in SHARED_JIANGMEN_COUNTIES
    return False


def funding_share(amount: Money, city: str, county: str | None = None) -> tuple[Money, Money]:
    """(province, local) parts of an amount: 5:5 where shared, otherwise all local.

    An odd 分 goes to the province (half rounded up) so the two parts always add up.
    """
    total = Decimal(str(amount))
    if not is_shared_funding(city, county):
        return 0, money(total)
    province = (total / 2).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return money(province), money(total - province)


# --------------------------------------------------------------------------- notice


def _is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as exc:
        raise CalendarOutOfRange(
            f"chinese-calendar 软件包没有{day.year}年的节假日数据，请更新该软件包"
            f"（pip install -U chinese-calendar）后再计算公示期",
            f"the chinese-calendar package has no holiday data for {day.year}; update it "
            f"(pip install -U chinese-calendar) before computing the notice period",
        ) from exc


def notice_period(start: date, days: int = 5) -> tuple[date, date]:
    """First and last day of a public notice of ``days`` working days (公示5个工作日).

    Weekends and public holidays are skipped and adjusted working weekends (调休) count, per the
    official calendar. A start on a non-working day moves to the next working day.
    """
    if days < 1:
        raise RuleError("公示天数至少为1个工作日", "a notice lasts at least one working day")
    day = start
    while not _is_workday(day):
        day += timedelta(days=1)
    first, counted = day, 1
    while counted < days:
        day += timedelta(days=1)
        if _is_workday(day):
            counted += 1
    return first, day


def deadlines(year: int, first_year: int = DEFAULT_FIRST_YEAR) -> dict[str, date]:
    """The yearly deadlines of the workflow; the first year runs on a shorter timetable."""
    if year == first_year:
        md = {"notify": (1, 31), "initial_review": (2, 28), "review": (3, 15), "notice": (3, 31)}
    else:
        md = {"notify": (3, 31), "initial_review": (4, 15), "review": (4, 30), "notice": (5, 15)}
    return {k: date(year, m, d) for k, (m, d) in md.items()}


# --------------------------------------------------------------------------- year on year


@dataclass(frozen=True)
class Change:
    """One line of annex 3: someone added to or removed from the paid list."""

    person: Person
    change: str  # 增加 / 减少
    reason: str
    month: date | None
    remark: str = ""


def compare_years(last: Iterable[Result], this: Iterable[Result], year: int) -> list[Change]:
    """Increases and decreases between last year's paid list and this year's (by ID number).

    Under 只减不增 an increase is only someone from the master list who reached the age; someone
    absent from last year's assessment is still listed as 增加 but flagged in the remark. The
    change month is the first payment month (增加), the death month or January of ``year`` (减少).
    """
    before = {r.person.id_number or r.person.name: r for r in last}
    changes: list[Change] = []
    seen: set[str] = set()
    jan = date(year, 1, 1)
    for r in this:
        key = r.person.id_number or r.person.name
        seen.add(key)
        old = before.get(key)
        was_paid = old is not None and old.eligible
        if r.eligible and not was_paid:
            remark = "上年名单中无此人，请核实（只减不增）" if old is None else ""
            month = max(r.first_month or jan, jan)
            changes.append(Change(r.person, "增加", "达到领取年龄", month, remark))
        elif was_paid and not r.eligible:
            month = month_start(r.person.death_date) if r.person.death_date else jan
            changes.append(Change(r.person, "减少", r.reason, month))
    for key, old in before.items():
        if key not in seen and old.eligible:
            changes.append(Change(old.person, "减少", "本年名单中无此人", jan, "请核实"))
    return changes
