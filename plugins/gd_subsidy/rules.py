"""Computation rules of the Guangdong hardship subsidy for former community/substitute teachers.

Source: 广东省原民办代课教师生活困难补助工作方案 (seed 003, lines ~190-225). Every year the seed
masks as "xx" is a setting (``year``, ``first_year``), never a constant here. Everything in this
module is pure: no files, no network, no clock; the caller passes dates in.

Money is whole yuan (``int``) whenever it is whole, otherwise a ``Decimal`` with two places, so
templates print "10800" and never "10800.00".
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from planforge import Field, FieldError, parse_resident_id

# The errors live in .errors (the holiday calendar raises them too); rules.RuleError and
# rules.CalendarOutOfRange stay where every caller finds them.
from .errors import CalendarOutOfRange as CalendarOutOfRange
from .errors import RuleError as RuleError

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
    # the exclusions of 003:198-201, in the seed's words
    "died_before_cutoff": ("{cutoff_year}年12月31日前已去世",
                           "died on or before 31 December {cutoff_year}"),
    "retired_early": ("纳入计划内离岗退养", "in planned early retirement (离岗退养)"),
    "bad_record": ("有刑事犯罪记录，或任教期间被开除、辞退、解除聘用合同",
                   "criminal record, or dismissed or contract ended for misconduct while teaching"),
    "too_few_semesters": ("任教不满1学年", "taught less than one school year (2 semesters)"),
    "died": ("已去世", "died before the payment year began"),
    "died_before_start": ("去世时未到起发月份", "died before the first payment month"),
    "not_of_age": ("未到龄", "does not reach the age by the end of the payment year"),
    "next_year": ("次年起发放（{age}达到年龄）",
                  "reaches the age in {age}, so is paid from next year on"),
    # the conditions of 003:196-197, in the seed's words; {cutoff}/{end} are the run's dates
    "not_guangdong": ("现非广东省户籍", "the current household registration is not in Guangdong"),
    "later_employed": (
        "离岗后被录用为编制内人员或国有企业正式工作人员",
        "after leaving teaching, employed on a state payroll (编制) or as a state-enterprise regular",
    ),
    "minban_after_cutoff": ("{cutoff}（含）以前未在公办中小学教学岗位上任教",
                            "did not teach in a public school on or before {cutoff}"),
    "contract_before_window": (
        "聘用代课教师合同书于{cutoff}（含）以前签订",
        "the substitute teacher's contract was signed on or before {cutoff}",
    ),
    "contract_after_window": (
        "聘用代课教师合同书于{end}以后签订",
        "the substitute teacher's contract was signed after {end}",
    ),
    "contract_not_filed": ("聘用代课教师合同书未经县级教育行政部门备案",
                           "the substitute teacher's contract was not filed with the county"),
    "not_continuous": ("未连续任教满1学年（或2个学期）",
                       "never taught one school year (2 semesters) without a break"),
}
#: Reason of an 增加 for someone missing from last year's list (只减不增, 003:195).
NOT_ON_LAST_LIST = "上年名单中无此人（只减不增）"
#: Reason of an 增加 for a late application the county approved (column 补报).
LATE_APPLICATION = "补报（经审核同意）"
#: Reason of an 增加 for someone on last year's list who reaches the age.
REACHED_AGE = "达到领取年龄"
#: Most whole months between the end month of a stint and the start month of the next that
#: still count as continuous teaching: a holiday (July -> September, January -> March) with
#: a month to spare.
MAX_BREAK_MONTHS = 2
#: Youngest age at which semesters are counted as plausible (at most 2 per year from then).
MIN_TEACHING_AGE = 16


# --------------------------------------------------------------------------- errors


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

    A 29 Feb birthday has no anniversary in a common year. Civil Code art. 202: a period counted
    in years ends on the corresponding day of the last year, or on the last day of that month
    when there is no corresponding day, so the age is reached on 28 Feb.
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 Feb -> common year
        return date(day.year + years, 2, 28)


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
    # the conditions of 003:196-197; None means the input does not say (not checked)
    guangdong_hukou: bool | None = None
    continuous_semesters: int | None = None
    first_taught: date | None = None
    contract_date: date | None = None
    contract_filed: bool | None = None
    later_employed: bool | None = None
    late_application: bool = False

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
    """Day a person turns 60 (men) or 55 (women): the birthday itself, 29 Feb -> 28 Feb."""
    if sex not in AGE_BY_SEX:
        raise RuleError(f"性别应为男或女，而非「{sex}」", f"sex must be 男 or 女, not {sex!r}")
    return add_years(birth_date, AGE_BY_SEX[sex])


@dataclass(frozen=True)
class Stint:
    """One line of the 任教经历: months are given by their 1st, or unknown (None)."""

    semesters: int
    start: date | None = None
    end: date | None = None


def continuous_semesters(stints: Iterable[Stint]) -> int | None:
    """The most semesters taught without a break longer than a school holiday.

    Stints follow each other when at most :data:`MAX_BREAK_MONTHS` whole months lie between the
    end month of one and the start month of the next. A stint without dates is continuous in itself; when the answer could
    change with the missing dates (no run reaches 2 semesters), it is unknown (None).
    """
    stints = list(stints)
    if not stints:
        return None
    dated = sorted((s for s in stints if s.start and s.end), key=lambda s: s.start)
    best, run, previous_end = 0, 0, None
    for stint in dated:
        between = months_between(previous_end, stint.start) - 2 if previous_end else None
        follows = between is not None and between <= MAX_BREAK_MONTHS
        run = run + stint.semesters if follows else stint.semesters
        best, previous_end = max(best, run), max(previous_end or stint.end, stint.end)
    undated = [s.semesters for s in stints if not (s.start and s.end)]
    best = max([best, *undated])
    return None if undated and best < 2 else best


def first_taught(stints: Iterable[Stint]) -> date | None:
    """The earliest start month of the teaching history, None when a stint's start is unknown."""
    starts = [s.start for s in stints]
    return None if not starts or None in starts else min(starts)


def max_semesters(birth_date: date, year: int) -> int:
    """The most semesters anyone could have taught by ``year``: 2 a year from age 16 on."""
    return 2 * max(0, year - (birth_date.year + MIN_TEACHING_AGE) + 1)


def age_on(birth_date: date, day: date) -> int:
    """Completed years (周岁) on ``day``, counted like :func:`add_years` (29 Feb -> 28 Feb)."""
    years = day.year - birth_date.year
    return years - 1 if add_years(birth_date, years) > day else years


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
    minban_cutoff_year: int | None = None  # the "xx" of xx年3月27日
    contract_end_year: int | None = None  # the "20xx" of 20xx年8月31日

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

    @property
    def minban_cutoff(self) -> date | None:
        """xx年3月27日: 民办 teachers taught on or before it, 代课 contracts were signed after."""
        return date(self.minban_cutoff_year, 3, 27) if self.minban_cutoff_year else None

    @property
    def contract_end(self) -> date | None:
        """20xx年8月31日: the last day a 代课 contract counts."""
        return date(self.contract_end_year, 8, 31) if self.contract_end_year else None


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


def cn_day(day: date | None) -> str:
    """'1992年3月27日'; empty for None."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


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


def _ineligible(person: Person, code: str, years: int, age: date, first: date | None,
                settings: Settings) -> Result:
    zh, en = REASONS[code]
    zh = zh.format(cutoff=cn_day(settings.minban_cutoff), end=cn_day(settings.contract_end),
                   cutoff_year=settings.cutoff.year, age=cn_month(age))
    en = en.format(cutoff=settings.minban_cutoff, end=settings.contract_end,
                   cutoff_year=settings.cutoff.year, age=cn_month(age))
    last = month_start(person.death_date) if person.death_date else None
    band = band_of(years) if years >= 1 else ""
    return Result(person, False, code, zh, en, years, band, None, age, first, last, 0, 0)


def failed_condition(person: Person, settings: Settings) -> str:
    """The first condition of 003:196-197 the input shows unmet ('' when none); unknown passes."""
    if person.guangdong_hukou is False:
        return "not_guangdong"
    if person.later_employed:
        return "later_employed"
    cutoff, end = settings.minban_cutoff, settings.contract_end
    if person.category == MINBAN:
        if cutoff and person.first_taught and person.first_taught > cutoff:
            return "minban_after_cutoff"
        return ""
    signed = person.contract_date
    if signed and cutoff and signed <= cutoff:
        return "contract_before_window"
    if signed and end and signed > end:
        return "contract_after_window"
    if person.contract_filed is False:
        return "contract_not_filed"
    return ""


def unchecked_conditions(person: Person, settings: Settings) -> list[str]:
    """The conditions of 003:196-197 the input leaves open for this person (keys of CONDITIONS)."""
    open_ = []
    if person.guangdong_hukou is None:
        open_.append("hukou")
    if person.continuous_semesters is None:
        open_.append("continuous")
    if person.category == MINBAN:
        if settings.minban_cutoff is None or person.first_taught is None:
            open_.append("minban_cutoff")
    else:
        if None in (settings.minban_cutoff, settings.contract_end, person.contract_date):
            open_.append("contract_window")
        if person.contract_filed is None:
            open_.append("contract_filed")
    if person.later_employed is None:
        open_.append("later_employed")
    return open_


#: The conditions a run may be unable to check -> (condition, what it needs), zh and en.
CONDITIONS: dict[str, tuple[str, str, str, str]] = {
    "hukou": ("现为广东省户籍", "列「户籍所在地」",
              "current household registration in Guangdong", "the column 户籍所在地"),
    "continuous": ("连续任教满1学年（或2个学期）", "工作表「任教经历」及各段的起始年月、终止年月",
                   "one school year of continuous teaching",
                   "the sheet 任教经历 with each stint's start and end month"),
    "minban_cutoff": ("原民办教师xx年3月27日（含）以前任教",
                      "设置 minban_cutoff_year 及「任教经历」的起始年月",
                      "原民办教师 taught on or before 27 March of the cut-off year",
                      "the setting minban_cutoff_year and the start months of 任教经历"),
    "contract_window": ("原代课教师合同于xx年3月27日（不含）—20xx年8月31日期间签订",
                        "设置 minban_cutoff_year、contract_end_year 及列「合同签订日期」",
                        "原代课教师 contract signed within the window",
                        "the settings minban_cutoff_year, contract_end_year and the column 合同签订日期"),
    "contract_filed": ("代课合同经县级教育行政部门备案", "列「备案」",
                       "contract filed with the county education bureau", "the column 备案"),
    "later_employed": ("离岗后未被录用为编制内人员或国企正式工作人员", "列「后入编或国企正式职工」",
                       "not later on a state payroll or a state-enterprise regular post",
                       "the column 后入编或国企正式职工"),
}


def assess(person: Person, settings: Settings) -> Result:
    """Decide whether a person is paid in ``settings.year``, and how much.

    Exclusions are checked in the order of the seed (death before the cut-off, early retirement,
    bad record), then the conditions of 003:196-197 the input states (户籍, 编制, the 民办 cut-off,
    the 代课 contract window and 备案), then the one-year minimum and its continuity, then
    whether anything is payable this year. A person whose first payment month falls in the next
    year (the age reached in December) receives nothing this year, so is not this year's 发放对象
    but is listed as 次年起发放 with the month the age is reached.
    Raises :class:`MissingCityStandard` when the city has no amount for their 1-9 years.
    """
    years = working_years(person.semesters)
    age = age_reached_date(person.birth_date, person.sex)
    first = first_payment_month(age, settings)
    died = person.death_date
    year_start, year_end = date(settings.year, 1, 1), date(settings.year, 12, 31)
    if died is not None and died <= settings.cutoff:
        return _ineligible(person, "died_before_cutoff", years, age, None, settings)
    if person.retired_early:
        return _ineligible(person, "retired_early", years, age, None, settings)
    if person.bad_record:
        return _ineligible(person, "bad_record", years, age, None, settings)
    failed = failed_condition(person, settings)
    if failed:
        return _ineligible(person, failed, years, age, None, settings)
    if person.semesters < 2:
        return _ineligible(person, "too_few_semesters", years, age, None, settings)
    if person.continuous_semesters is not None and person.continuous_semesters < 2:
        return _ineligible(person, "not_continuous", years, age, None, settings)
    if died is not None and month_start(died) < first:
        return _ineligible(person, "died_before_start", years, age, first, settings)
    if died is not None and died < year_start:
        return _ineligible(person, "died", years, age, first, settings)
    if age > year_end:
        return _ineligible(person, "not_of_age", years, age, first, settings)
    if first > year_end:  # reaches the age in December: nothing is paid this year
        return _ineligible(person, "next_year", years, age, first, settings)
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


#: Guangdong's 21 prefecture-level cities (地级市), bare names.
GUANGDONG_CITIES = (
    "广州", "深圳", "珠海", "汕头", "佛山", "韶关", "河源", "梅州", "惠州", "汕尾", "东莞",
    "中山", "江门", "阳江", "湛江", "茂名", "肇庆", "清远", "潮州", "揭阳", "云浮",
)  # fmt: skip
PROVINCE_PREFIXES = ("广东省", "广东")
#: China's other provincial-level regions: a 户籍所在地 starting with one is not in Guangdong.
OTHER_PROVINCES = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广西", "海南", "重庆", "四川", "贵州",
    "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "香港", "澳门", "台湾",
)  # fmt: skip
COUNTY_SUFFIXES = ("自治县", "市", "县", "区")


class UnknownCity(RuleError):
    """A 地级市 that is not one of Guangdong's 21 cities, whatever way it is written."""

    def __init__(self, name: str):
        listed = "、".join(f"{c}市" for c in GUANGDONG_CITIES)
        super().__init__(f"「{name}」不是广东省的地级市；应为以下之一：{listed}",
                         f"{name!r} is not a city of Guangdong; use one of: {listed}")


def plain_name(name: str | None) -> str:
    """A place name as typed, without full-width forms, spaces or the 广东省 prefix."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))
    for prefix in PROVINCE_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix):]
    return text


def _bare(name: str | None, suffixes: tuple[str, ...]) -> str:
    text = plain_name(name)
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def city_key(name: str | None) -> str | None:
    """The bare city (韶关) of ``广东省韶关市``, ``韶关``, ``韶关市　``; None when not in Guangdong."""
    bare = _bare(name, ("市",))
    return bare if bare in GUANGDONG_CITIES else None


def normalize_city(name: str | None) -> str:
    """The city as the forms print it (韶关市); empty stays empty; unknown -> :class:`UnknownCity`."""
    if not plain_name(name):
        return ""
    key = city_key(name)
    if key is None:
        raise UnknownCity(str(name).strip())
    return f"{key}市"


def normalize_county(name: str | None, city: str | None = None) -> str:
    """The county as the clerk typed it, without a province or city prefix (韶关市翁源县 ->
    翁源县): the forms print it, so its characters stay as typed.

    Counties are compared by :func:`county_key` (full-width forms and spaces folded); a missing
    suffix (翁源, 台山) cannot be restored without a list of every county, so that key leaves
    the suffix out.
    """
    text = (name or "").strip()
    for prefix in PROVINCE_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix):]
            break
    key = city_key(city)
    for prefix in (f"{key}市", key) if key else ():
        if text.startswith(prefix) and len(text) > len(prefix) + 1:
            return text[len(prefix):]
    return text


def county_key(name: str | None) -> str:
    """A county compared without its 市/县/区/自治县 suffix: 台山 == 台山市."""
    return _bare(normalize_county(name), COUNTY_SUFFIXES)


def is_shared_funding(city: str, county: str | None = None) -> bool:
    """True where province and city share the cost 5:5 (the 14 cities, 江门's 恩平/开平/台山).

    Names are compared however they are written (广东省韶关市, 韶关, full-width forms).
    """
    key = city_key(city)
    if key in SHARED_CITIES:
        return True
    if key == "江门" or not plain_name(city):
        return county_key(normalize_county(county, city)) in SHARED_JIANGMEN_COUNTIES
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


def notice_period(start: date, days: int = 5, calendar: Any = None) -> tuple[date, date]:
    """First and last day of a public notice of ``days`` working days (公示5个工作日).

    Weekends and public holidays are skipped and adjusted working weekends (调休) count, per the
    official calendar (a :class:`.holidays.Calendar`, by default chinese-calendar's data alone).
    A start on a non-working day moves to the next working day.
    """
    from .holidays import Calendar

    if days < 1:
        raise RuleError("公示天数至少为1个工作日", "a notice lasts at least one working day")
    is_workday = (calendar or Calendar()).is_workday
    day = start
    while not is_workday(day):
        day += timedelta(days=1)
    first, counted = day, 1
    while counted < days:
        day += timedelta(days=1)
        if is_workday(day):
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


def change_key(person: Person) -> str:
    """Who someone is when two years' rosters are compared: the ID number (else the name)."""
    return person.id_number or person.name


def year_change(r: Result, was_paid: bool | None, year: int) -> Change | None:
    """This year's change for one person, given whether they were paid last year (None: not on
    last year's roster); see :func:`compare_years`."""
    jan = date(year, 1, 1)
    if r.eligible and not was_paid:
        reason, remark = REACHED_AGE, ""
        if was_paid is None:
            reason, remark = ((LATE_APPLICATION, "") if r.person.late_application
                              else (NOT_ON_LAST_LIST, "请核实"))
        return Change(r.person, "增加", reason, max(r.first_month or jan, jan), remark)
    if was_paid and not r.eligible:
        month = month_start(r.person.death_date) if r.person.death_date else jan
        return Change(r.person, "减少", r.reason, month)
    return None


def compare_years(last: Iterable[Result], this: Iterable[Result], year: int) -> list[Change]:
    """Increases and decreases between last year's paid list and this year's (by ID number).

    Under 只减不增 (003:195) the master list is frozen: an increase is someone on last year's
    roster, paid or not (未到龄 people are on it), who is paid now. Someone absent from last
    year's roster is listed as 增加 with the reason :data:`NOT_ON_LAST_LIST`, unless marked as an
    approved late application (补报). The change month is the first payment month (增加), the
    death month or January of ``year`` (减少).
    """
    before = {change_key(r.person): r for r in last}
    changes: list[Change] = []
    seen: set[str] = set()
    for r in this:
        key = change_key(r.person)
        seen.add(key)
        old = before.get(key)
        change = year_change(r, None if old is None else old.eligible, year)
        if change is not None:
            changes.append(change)
    for key, old in before.items():
        if key not in seen and old.eligible:
            changes.append(left_roster(old.person, year))
    return changes


def left_roster(person: Person, year: int) -> Change:
    """The change of someone paid last year who is not on this year's roster."""
    return Change(person, "减少", "本年名单中无此人", date(year, 1, 1), "请核实")
