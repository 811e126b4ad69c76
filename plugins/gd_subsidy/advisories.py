"""What a county run tells the clerk without stopping: the seed's timetable, the five-year plan,
conditions the input could not show, people the 只减不增 rule does not expect, implausible ages.

Each function returns warnings (``Problem`` objects the CLI prints as 警告 / warning); the one
rule that stops a run (a report dated before the public notice has ended) is returned apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from planforge import Location, Problem

from . import rules

#: Where warnings about settings point: the settings file or ``--set``.
SETTINGS_ORIGIN = "设置 / settings"
#: The work plan is valid for five years from its first year (003:225).
PLAN_YEARS = 5
#: Annexes 2-4 reach the city within 5 working days after the notice (003:213).
HANDOVER_WORKING_DAYS = 5
#: Ages above this (周岁, on the reference date) are worth a second look.
OLDEST_PLAUSIBLE_AGE = 110
#: Names shown in one warning before "…" (the count is always given).
NAMES_SHOWN = 20
#: Conditions that concern one category only.
CONDITION_CATEGORY = {"minban_cutoff": rules.MINBAN, "contract_window": rules.DAIKE,
                      "contract_filed": rules.DAIKE}


def _settings(name: str) -> Location:
    return Location(SETTINGS_ORIGIN, setting=name)


def _names(names: list[str]) -> str:
    shown = "、".join(names[:NAMES_SHOWN])
    return shown + ("…" if len(names) > NAMES_SHOWN else "")


def programme_years(settings: Mapping[str, Any], run: rules.Settings) -> list[Problem]:
    """The assumed first year, and a payment year beyond the plan's five years (003:225)."""
    found = []
    if not settings.get("first_year"):
        found.append(Problem(
            f"未设置首个发放年度 first_year，按{rules.DEFAULT_FIRST_YEAR}年计算（年龄、去世截止日为"
            f"{rules.DEFAULT_FIRST_YEAR - 1}年12月31日）；请用 --set first_year=… 确认",
            f"first_year is not set, so {rules.DEFAULT_FIRST_YEAR} is assumed (age and death "
            f"cut-off 31 Dec {rules.DEFAULT_FIRST_YEAR - 1}); confirm it with --set first_year=…",
            _settings("first_year")))
    last = run.first_year + PLAN_YEARS - 1
    if run.year > last:
        found.append(Problem(
            f"发放年度{run.year}年超出工作方案{PLAN_YEARS}年有效期（{run.first_year}—{last}年，"
            "seed 003:225）；请确认仍按本方案发放",
            f"the payment year {run.year} is beyond the work plan's {PLAN_YEARS} years "
            f"({run.first_year}-{last}, seed 003:225); make sure the plan still applies",
            _settings("year")))
    return found


def _working_days_after(day: date, count: int, calendar: Any = None) -> date:
    """The ``count``-th working day after ``day`` (holidays and 调休 per the official calendar)."""
    return rules.notice_period(day + timedelta(days=1), count, calendar)[1]


def schedule(settings: Mapping[str, Any], run: rules.Settings, notice: Mapping[str, Any],
             calendar: Any = None) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings) of the run's dates against the yearly deadlines of 003:209-213.

    The notice must be over by its stage's date (first year 3月31日, later years 5月15日); the
    annexes report the notice's result, so the report date must come after its last day, and
    within 5 working days of it (or of the notice deadline when no notice date is given).
    """
    errors: list[Problem] = []
    warnings: list[Problem] = []
    due = rules.deadlines(run.year, run.first_year)
    stage = "首个发放年度" if run.year == run.first_year else "此后每年"
    end = notice.get("end")
    if end is not None and end > due["notice"]:
        warnings.append(Problem(
            f"公示{notice['start']}开始、{end}结束，晚于{stage}完成公示的期限{due['notice']}"
            "（seed 003:212）",
            f"the notice runs {notice['start']} to {end}, past the deadline {due['notice']} "
            "for completing it (seed 003:212)", _settings("notice_start")))
    report = settings.get("report_date")
    if report is None:
        return errors, warnings
    if end is not None and report <= end:
        errors.append(Problem(
            f"填表日期{report}不晚于公示结束日{end}：附件2-4报送的是公示无异议后确认的名单，"
            "应在公示结束后填报",
            f"the report date {report} is not after the last day of the notice ({end}): annexes "
            "2-4 report the list confirmed after the notice, so they are dated after it",
            _settings("report_date")))
        return errors, warnings
    try:
        handover = _working_days_after(end or due["notice"], HANDOVER_WORKING_DAYS, calendar)
    except rules.CalendarOutOfRange:
        return errors, warnings  # no holiday data for that year: nothing to compare with
    if report > handover:
        after = f"公示结束（{end}）" if end else f"公示期限（{due['notice']}）"
        warnings.append(Problem(
            f"填表日期{report}晚于{after}后{HANDOVER_WORKING_DAYS}个工作日（{handover}）："
            "附件2-4应在公示无异议后5个工作日内盖章报市（seed 003:213）",
            f"the report date {report} is more than {HANDOVER_WORKING_DAYS} working days after "
            f"the notice ({handover}): annexes 2-4 go to the city within 5 working days "
            "(seed 003:213)", _settings("report_date")))
    return errors, warnings


class ConditionTally:
    """The conditions of 003:196-197 left open, counted person by person, so that a province's
    roster is never held at once: per condition its count and the first names shown."""

    def __init__(self, run: rules.Settings):
        self.run = run
        self.counts: dict[str, int] = {}
        self.names: dict[str, list[str]] = {}
        self.paid: dict[str, int] = {}  # by category

    def add(self, person: rules.Person) -> None:
        self.paid[person.category] = self.paid.get(person.category, 0) + 1
        for condition in rules.unchecked_conditions(person, self.run):
            self.counts[condition] = self.counts.get(condition, 0) + 1
            if self.counts[condition] <= NAMES_SHOWN:
                self.names.setdefault(condition, []).append(person.name)

    def problems(self, where: Location) -> list[Problem]:
        """One warning naming every condition the input left open for paid people."""
        if not self.counts:
            return []
        zh, en = [], []
        for key, count in self.counts.items():
            condition, needs, condition_en, needs_en = rules.CONDITIONS[key]
            category = CONDITION_CATEGORY.get(key)
            concerned = sum(n for c, n in self.paid.items() if category in (None, c))
            group = category or "发放对象"
            shown = _names(self.names[key]) + ("…" if count > NAMES_SHOWN else "")
            whom = (f"全部{group}（{count}人）" if count == concerned else f"{count}人：{shown}")
            zh.append(f"{condition}（需{needs}；{whom}）")
            en.append(f"{condition_en} (needs {needs_en}; {count} of {concerned} paid)")
        return [Problem("以下资格条件未能核对，名单未经这些核对，请人工审核：" + "；".join(zh),
                        "these conditions of eligibility could not be checked and were not: "
                        + "; ".join(en), where)]


def unchecked_conditions(paid: Iterable[rules.Person], run: rules.Settings,
                         where: Location) -> list[Problem]:
    """One warning naming every condition of 003:196-197 the input left open for paid people."""
    tally = ConditionTally(run)
    for person in paid:
        tally.add(person)
    return tally.problems(where)


def unlisted_increases(changes: Iterable[Mapping[str, Any]], where: Location) -> list[Problem]:
    """只减不增 (003:195): everyone added (附件3 rows) who was not on last year's roster, by name."""
    names = [c["name"] for c in changes if c["reason"] == rules.NOT_ON_LAST_LIST]
    if not names:
        return []
    return [Problem(
        f"只减不增：{len(names)}人不在上年名单中却列为增加（{'、'.join(names)}）；经审核同意的补报"
        "人员请在名册「补报」列填“是”，否则请核实（seed 003:195）",
        f"只减不增: {len(names)} person(s) added who were not on last year's roster "
        f"({', '.join(names)}); mark approved late applications with 是 in the column 补报, "
        "otherwise verify them (seed 003:195)", where)]


def old_ages(people: Iterable[tuple[rules.Person, Location]], on: date) -> list[Problem]:
    """Living people over 110 on ``on``: usually a typing error in the ID number."""
    found = []
    for person, where in people:
        age = rules.age_on(person.birth_date, on)
        if age > OLDEST_PLAUSIBLE_AGE and person.death_date is None:
            found.append(Problem(
                f"{person.name}在{on}时{age}周岁，超过{OLDEST_PLAUSIBLE_AGE}岁：请核对身份证号码和去世日期",
                f"{person.name} is {age} on {on}, over {OLDEST_PLAUSIBLE_AGE}: check the ID number "
                "and the death date", where))
    return found
