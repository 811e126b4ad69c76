"""From validated rows to what every annex template reads, computed once per run.

The county's annexes all describe one assessment: the roster (附件2) lists who is paid, the
changes table (附件3) compares it with last year's, the summary (附件4) adds it up by band and
the application forms (附件1) and the public notice repeat it per person. Computing it once here
is what keeps them in agreement. Every rule problem (no city standard for someone's working
years, a teaching history that does not add up, a year beyond the holiday calendar) becomes a
Problem naming the file, sheet, row and column; all of them are raised together before anything
is written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from planforge import (
    WHERE_KEY,
    InputData,
    InputError,
    Location,
    Problem,
    Record,
    SpilledGroups,
    SpilledList,
    rmb_upper,
    settled,
)

from . import advisories, rules
from .advisories import SETTINGS_ORIGIN
from .holidays import Calendar
from .rules import Money, cn_month, money

#: Blank history rows on an application form of someone whose roster has no 任教经历 sheet, so the
#: township can fill them in by hand.
BLANK_HISTORY_ROWS = 3
FIRST_YEAR_REASON = "首个发放年度纳入"

#: Every name the county context gives templates (``planforge template check`` knows them).
COUNTY_NAMES = ("eligible", "ineligible", "changes", "counts", "bands", "totals", "notice",
                "index", "seq", "file_seq", "name", "sex", "id_number", "birth_date", "category",
                "semesters", "working_years", "band", "monthly_standard", "first_month",
                "last_month", "months", "amount", "province", "local", "city", "county",
                "township", "address", "phone", "remark", "public_remark", "reason", "history")
CITY_NAMES = ("counties", "totals")


def _setting_problem(name: str, zh: str, en: str) -> Problem:
    return Problem(zh, en, Location(SETTINGS_ORIGIN, setting=name))


def _at(record: Record, column: str) -> Location:
    return replace(record.where, column=column)


def _files(data: InputData) -> Location:
    """Where a warning about the whole roster points: its files."""
    return Location(", ".join(map(str, data.files)))


def _row_label(record: Record) -> str:
    return f"{record.values.get('name') or '?'}（第{record.where.row}行）"


# --------------------------------------------------------------------------- settings


def _pairs(text: str) -> dict[str, str]:
    """``1:100, 2:150`` (or ``1年=100；2年=150``) from ``--set city_standard=…``."""
    pairs = {}
    for part in re.split(r"[,，;；、\s]+", text.strip()):
        match = re.fullmatch(r"(\d+)年?[:：=](.+)", part)
        if match is None:
            raise rules.RuleError(f"「{part}」应写作 年限:金额，例如 1:100",
                                  f"{part!r} must look like years:amount, e.g. 1:100")
        pairs[match.group(1)] = match.group(2)
    return pairs


def city_standard(settings: Mapping[str, Any]) -> rules.CityStandard:
    """The city's 1-9 year standard from ``city_standard`` and/or ``city_standard_first/step``."""
    raw = settings.get("city_standard")
    if isinstance(raw, str):
        raw = _pairs(raw) if raw.strip() else None
    try:
        standard = rules.CityStandard.from_setting(raw)
    except rules.RuleError:
        raise
    except (InvalidOperation, TypeError, ValueError):
        raise rules.RuleError(f"市定补助标准「{raw}」中有不是金额的值",
                              f"the city standard {raw!r} holds a value that is not an amount"
                              ) from None
    first, step = settings.get("city_standard_first"), settings.get("city_standard_step")
    if first in (None, "") and step in (None, ""):
        return standard
    if first in (None, "") or step in (None, ""):
        raise rules.RuleError(
            "city_standard_first（首年月补助）和 city_standard_step（每增1年增加）需同时给出",
            "city_standard_first and city_standard_step must be given together",
        )
    try:
        return rules.CityStandard(table=standard.table, first=money(first), step=money(step))
    except InvalidOperation:
        raise rules.RuleError("市定补助标准应为金额", "the city standard must be amounts") from None


def run_settings(settings: Mapping[str, Any], problems: list[Problem]) -> rules.Settings | None:
    """The rules' view of a run; problems are added, not raised, so all are reported at once."""
    try:
        rules.normalize_city(settings.get("city"))
    except rules.RuleError as error:
        problems.append(_setting_problem("city", error.zh, error.en))
    try:
        standard = city_standard(settings)
    except rules.RuleError as error:
        problems.append(_setting_problem("city_standard", error.zh, error.en))
        return None
    first_year = settings.get("first_year") or rules.DEFAULT_FIRST_YEAR
    try:
        return rules.Settings(int(settings["year"]), int(first_year), standard,
                              settings.get("minban_cutoff_year"), settings.get("contract_end_year"))
    except rules.RuleError as error:
        problems.append(_setting_problem("year", error.zh, error.en))
        return None


# --------------------------------------------------------------------------- people


@dataclass
class Assessed:
    """One roster row with the person it describes and that person's assessment."""

    record: Record
    person: rules.Person
    result: rules.Result | None = None
    history: list[Record] = field(default_factory=list)


def _place(record: Record, settings: Mapping[str, Any],
           problems: list[Problem]) -> tuple[str, str] | None:
    """The row's city and county as the forms print them (广东省韶关市, 韶关 -> 韶关市)."""
    v = record.values
    try:
        city = rules.normalize_city(v.get("city") or settings.get("city"))
    except rules.RuleError as error:
        if v.get("city"):
            problems.append(Problem(error.zh, error.en, _at(record, "地级市")))
        return None  # a bad city setting is reported once, by run_settings
    return city, rules.normalize_county(v.get("county") or settings.get("county"), city)


def _hukou(value: Any) -> bool | None:
    """户籍所在地 (a province, city or whole address) in Guangdong: True, another province:
    False, anything else (no value, an address without province or city): None, unchecked."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or "")))
    if text.startswith(rules.PROVINCE_PREFIXES) or text.startswith(rules.GUANGDONG_CITIES):
        return True
    if text.startswith(rules.OTHER_PROVINCES):
        return False
    return None


def reference_date(settings: Mapping[str, Any], run: rules.Settings) -> date:
    """The day the roster describes: the report date, else 31 Dec of the payment year. No one
    died after it; ages are told on it."""
    return settings.get("report_date") or date(run.year, 12, 31)


def _implausible(record: Record, person: rules.Person, latest: date, year: int) -> list[Problem]:
    """Bounds no real person exceeds (issue 13:12): semesters for their age, a future death."""
    found = []
    most = rules.max_semesters(person.birth_date, year)
    if person.semesters > most:
        found.append(Problem(
            f"任教学期数{person.semesters}不可能：{person.birth_date.year}年出生的人从"
            f"{rules.MIN_TEACHING_AGE}岁到{year}年最多任教{most}个学期（每年2个学期）",
            f"{person.semesters} semesters is impossible: someone born in "
            f"{person.birth_date.year} can have taught at most {most} (2 a year from age "
            f"{rules.MIN_TEACHING_AGE} to {year})", _at(record, "任教学期数")))
    died = person.death_date
    if died is not None and (died > latest or died < person.birth_date):
        found.append(Problem(
            f"去世日期{died}不可能：晚于{latest}（填表日期，未给出时为发放年度年底）或早于出生日期",
            f"the death date {died} is impossible: after {latest} (the report date, else the "
            "end of the payment year) or before the birth date", _at(record, "去世日期")))
    return found


def _person(record: Record, settings: Mapping[str, Any], run: rules.Settings, latest: date,
            problems: list[Problem]) -> Assessed | None:
    """The person of one roster row (None if the row has a problem, which is added)."""
    v = record.values
    if v.get("id_number") is None or v.get("semesters") is None or not v.get("category"):
        return None  # the engine has already reported the cell
    place = _place(record, settings, problems)
    if place is None:
        return None
    try:
        person = rules.Person.from_id(
            v["id_number"], name=v["name"], category=v["category"], semesters=v["semesters"],
            city=place[0], county=place[1],
            township=v.get("township") or "", retired_early=bool(v.get("retired_early")),
            bad_record=bool(v.get("bad_record")), death_date=v.get("death_date"),
            guangdong_hukou=_hukou(v.get("hukou")), contract_date=v.get("contract_date"),
            contract_filed=v.get("contract_filed"), later_employed=v.get("later_employed"),
            late_application=bool(v.get("late_application")),
        )
    except rules.RuleError as error:
        problems.append(Problem(error.zh, error.en, record.where))
        return None
    implausible = _implausible(record, person, latest, run.year)
    problems.extend(implausible)
    return None if implausible else Assessed(record, person)


def people(records: Iterable[Record], settings: Mapping[str, Any], run: rules.Settings,
           problems: list[Problem]) -> list[Assessed]:
    """Persons of the roster; birth date and sex come from the (engine-checked) ID number."""
    latest = reference_date(settings, run)
    found = (_person(record, settings, run, latest, problems) for record in records)
    return [a for a in found if a is not None]


def file_history(rows: Iterable[Record], ids: Container[str],
                 problems: list[Problem]) -> SpilledGroups:
    """The 任教经历 rows by the ID number of their person; rows of no one in ``ids`` (the
    roster's ID numbers) and periods that end before they start are problems."""
    groups = SpilledGroups()
    for row in rows:
        v = row.values
        key = str(v.get("id_number") or "")
        if key not in ids:
            if v.get("id_number") is not None:
                problems.append(Problem(
                    f"身份证号码「{v['id_number']}」不在名册中", "this ID number is not on the roster",
                    _at(row, "身份证号码")))
            continue
        if v.get("start") and v.get("end") and v["end"] < v["start"]:
            problems.append(Problem(
                f"终止年月（{cn_month(v['end'])}）早于起始年月（{cn_month(v['start'])}）",
                "the end month is before the start month", _at(row, "终止年月")))
        groups.add(key, row)
    return groups


def _give_history(a: Assessed, rows: list[Record], problems: list[Problem]) -> None:
    """Give someone their 任教经历 rows and check they add up to 任教学期数."""
    a.history = rows
    if not rows:
        return
    stints = [rules.Stint(h.values.get("semesters") or 0, h.values.get("start"),
                          h.values.get("end")) for h in rows]
    a.person = replace(a.person, continuous_semesters=rules.continuous_semesters(stints),
                       first_taught=rules.first_taught(stints))
    total = sum(h.values.get("semesters") or 0 for h in rows)
    if total != a.person.semesters:
        lines = "、".join(str(h.where.row) for h in rows)
        sheet = rows[0].where.sheet or "任教经历"
        problems.append(Problem(
            f"{a.person.name}：任教经历（工作表「{sheet}」第{lines}行）各段学期数之和为{total}，"
            f"与任教学期数{a.person.semesters}不符",
            f"{a.person.name}: the semesters of the teaching history (sheet {sheet!r}, rows "
            f"{lines}) add up to {total}, not {a.person.semesters}",
            _at(a.record, "任教学期数")))


def attach_history(assessed: list[Assessed], rows: Iterable[Record],
                   problems: list[Problem]) -> None:
    """Give each person their 任教经历 rows (the last of two with one ID number gets them)."""
    owners = {a.person.id_number: a for a in assessed}
    groups = file_history(rows, owners, problems)
    for a in assessed:
        owned = owners[a.person.id_number] is a
        _give_history(a, groups.get(a.person.id_number) if owned else [], problems)
    groups.close()


def _paying(run: rules.Settings, need_amounts: bool) -> rules.Settings:
    """Without ``need_amounts`` (last year's roster, which only decides who was paid) a missing
    city standard does not matter, so it is filled with 0 instead of being reported."""
    if need_amounts:
        return run
    table = {y: run.city_standard.monthly(y) or 0 for y in range(1, 10)}
    return replace(run, city_standard=rules.CityStandard(table=table))


def _assess_one(a: Assessed, run: rules.Settings, missing: dict[int, list[str]]) -> None:
    """Assess one person; a missing city standard files them under their working years."""
    try:
        a.result = rules.assess(a.person, run)
    except rules.MissingCityStandard as error:
        for years in error.missing:
            missing.setdefault(years, []).append(_row_label(a.record))


def _sheet(record: Record) -> str:
    return Location(record.where.file, record.where.sheet).describe()


def _missing_standard(missing: dict[int, list[str]], sheets: Iterable[str]) -> Problem:
    """One problem naming everybody a missing city standard blocks."""
    files = sorted(set(sheets))
    zh = "；".join(f"工作年限{y}年：{'、'.join(n)}" for y, n in sorted(missing.items()))
    en = "; ".join(f"{y} year(s): {', '.join(n)}" for y, n in sorted(missing.items()))
    return _setting_problem(
        "city_standard",
        f"地级市未设定以下工作年限的月补助标准（{'、'.join(files)}）：{zh}。请在设置中给出 "
        "city_standard（如 {1: 100, 2: 150, …}）或 city_standard_first 与 city_standard_step",
        f"the city standard has no monthly amount for these people ({', '.join(files)}): "
        f"{en}. Give city_standard (e.g. {{1: 100, 2: 150, …}}) or city_standard_first and "
        "city_standard_step",
    )


def assess(assessed: list[Assessed], run: rules.Settings, problems: list[Problem],
           need_amounts: bool = True) -> None:
    """Assess everyone; one problem names everybody a missing city standard blocks."""
    run = _paying(run, need_amounts)
    missing: dict[int, list[str]] = {}
    for a in assessed:
        _assess_one(a, run, missing)
    if missing:
        problems.append(_missing_standard(missing, map(_sheet, (a.record for a in assessed))))


def assessed_people(data: InputData, settings: Mapping[str, Any], run: rules.Settings,
                    problems: list[Problem], need_amounts: bool = True) -> Iterator[Assessed]:
    """The roster's people assessed one at a time, so that a province's roster is never held
    at once; the problems are those (and in the order) :func:`people`, :func:`attach_history`
    and :func:`assess` give, complete once the iterator is exhausted.

    The roster is read twice: first for its ID numbers (which the 任教经历 rows must name),
    then person by person with their history filed on disk meanwhile.
    """
    records = data.tables.get("records", [])
    latest = reference_date(settings, run)
    ids = {a.person.id_number for a in (_person(record, settings, run, latest, problems)
                                        for record in records) if a is not None}
    groups = file_history(data.tables.get("history", []), ids, problems)
    del ids
    paying, missing, sheets = _paying(run, need_amounts), {}, set()
    reported: list[Problem] = []  # the first reading gave these already
    try:
        for record in records:
            a = _person(record, settings, run, latest, reported)
            if a is None:
                continue
            _give_history(a, groups.get(a.person.id_number), problems)
            _assess_one(a, paying, missing)
            sheets.add(_sheet(record))
            yield a
    finally:
        groups.close()
    if missing:
        problems.append(_missing_standard(missing, sheets))


def holiday_calendar(settings: Mapping[str, Any], problems: list[Problem]) -> Calendar:
    """chinese-calendar's holidays plus the ``holidays`` setting for the years it lacks."""
    try:
        return Calendar.from_setting(settings.get("holidays"))
    except rules.RuleError as error:
        problems.append(_setting_problem("holidays", error.zh, error.en))
        return Calendar()


def notice(settings: Mapping[str, Any], problems: list[Problem],
           calendar: Calendar | None = None) -> dict[str, Any]:
    """The 5 working days of the public notice, from ``notice_start`` (holidays skipped)."""
    start = settings.get("notice_start")
    if start is None:
        return {"start": None, "end": None, "days": 5}
    try:
        first, last = rules.notice_period(start, 5, calendar)
    except rules.RuleError as error:
        problems.append(_setting_problem("notice_start", error.zh, error.en))
        return {"start": None, "end": None, "days": 5}
    return {"start": first, "end": last, "days": 5}


# --------------------------------------------------------------------------- context items


def _auto_remark(result: rules.Result, year: int) -> list[str]:
    """Remarks computed from the assessment: nothing a public notice may not show."""
    notes = []
    if result.last_month and result.last_month.year == year:
        notes.append(f"已故（发放至{cn_month(result.last_month)}）")
    if result.first_month and result.first_month > date(year, 1, 1):
        notes.append(f"自{cn_month(result.first_month)}起发放")
    return notes


def _history_items(rows: list[Record]) -> list[dict[str, Any]]:
    if not rows:
        return [{"school": "", "start": "", "end": "", "semesters": ""}] * BLANK_HISTORY_ROWS
    return [{"school": h.values.get("school") or "", "start": cn_month(h.values.get("start")),
             "end": cn_month(h.values.get("end")), "semesters": h.values.get("semesters")}
            for h in rows]


def person_item(a: Assessed, index: int, year: int) -> dict[str, Any]:
    """Everything the forms print about one person; keeps the source row for the manifest."""
    p, r, v = a.person, a.result, a.record.values
    assert r is not None
    province, local = rules.funding_share(r.amount, p.city, p.county)
    remark = str(v.get("remark") or "")
    notes = _auto_remark(r, year) if r.eligible else []
    if notes:
        remark = "；".join([remark, *(n for n in notes if n.removeprefix("自") not in remark)]
                          if remark else notes)
    return {
        "index": index, "seq": v.get("seq") or index, "name": p.name, "sex": p.sex,
        "id_number": p.id_number, "birth_date": p.birth_date, "category": p.category,
        "semesters": p.semesters, "working_years": r.working_years, "band": r.band,
        "monthly_standard": r.monthly_standard, "first_month": cn_month(r.first_month),
        "last_month": cn_month(r.last_month), "months": r.months, "amount": r.amount,
        "province": province, "local": local, "city": p.city, "county": p.county,
        "township": p.township, "address": v.get("address") or v.get("hukou") or "",
        "phone": v.get("phone") or "",
        "remark": remark, "public_remark": "；".join(notes), "reason": r.reason,
        "history": _history_items(a.history),
        WHERE_KEY: a.record.where,
    }


class Sums:
    """Headcounts by category and money of a group of paid people (a band, a county), added
    up one person at a time: a province's list is read once, not once per figure."""

    MONEY = ("monthly_standard", "amount", "province", "local")

    def __init__(self) -> None:
        self.categories = {rules.MINBAN: 0, rules.DAIKE: 0}
        self.count = 0
        self.money = dict.fromkeys(self.MONEY, Decimal(0))
        self.standards: set[Any] = set()

    def add(self, item: Mapping[str, Any]) -> None:
        if item["category"] in self.categories:
            self.categories[item["category"]] += 1
        self.count += 1
        for key in self.MONEY:
            if item[key] is not None:
                self.money[key] += Decimal(str(item[key]))
        self.standards.add(item["monthly_standard"])

    def result(self) -> dict[str, Any]:
        return {
            "minban": self.categories[rules.MINBAN], "daike": self.categories[rules.DAIKE],
            "count": self.count, "monthly": money(self.money["monthly_standard"]),
            "amount": money(self.money["amount"]), "province": money(self.money["province"]),
            "local": money(self.money["local"]),
        }

    def band_standard(self) -> Money | str:
        used = sorted(self.standards)
        if not used:
            return "市定"
        return used[0] if len(used) == 1 else f"{used[0]}-{used[-1]}"


def sums(items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Headcounts by category and money of a group of paid people (a band, a county)."""
    total = Sums()
    for item in items:
        total.add(item)
    return total.result()


def band_rows(bands: Mapping[str, Sums]) -> list[dict[str, Any]]:
    """One row per provincial band, always all four, as the summary form prints them."""
    rows = []
    for _low, _high, standard, label in rules.BANDS:
        shown = standard if standard is not None else bands[label].band_standard()
        rows.append({"band": label, "standard": shown, **bands[label].result()})
    return rows


def with_capitals(result: dict[str, Any]) -> dict[str, Any]:
    """The 合计 of a summary, with the amount in capitals the form prints under it."""
    return {**result, "amount_upper": rmb_upper(result["amount"])}


def totals(items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The 合计 of a group of paid people."""
    return with_capitals(sums(items))


def _zero_padded(items: SpilledList) -> list[dict[str, Any]] | SpilledList:
    """The paid people with ``file_seq``: 附件2's 序号 padded, so file names, print order and
    the roster agree (the input's own 序号 has gaps where people are not paid)."""
    width = len(str(len(items)))

    def padded() -> Iterator[dict[str, Any]]:
        for item in items:
            item["file_seq"] = str(item["index"]).zfill(width)
            yield item

    if not items.spilled:
        return list(padded())
    result = SpilledList(padded())
    items.close()
    return result


# --------------------------------------------------------------------------- changes


def _change_item(change: rules.Change, where: Location) -> dict[str, Any]:
    """附件3's row of one change (numbered once all are known)."""
    return {"index": 0, "name": change.person.name, "id_number": change.person.id_number,
            "change": change.change, "reason": change.reason, "month": cn_month(change.month),
            "remark": change.remark, WHERE_KEY: where}


#: Last year's roster by :func:`rules.change_key`: bit 1 paid, bit 2 also on this year's.
_PAID, _SEEN = 1, 2


class Changes:
    """附件3's rows and headline counts, found person by person as this year's roster is read
    (last year's is held as one small number per person); last + added − removed = this."""

    def __init__(self, last: dict[str, int] | None, last_paid: int, year: int, first_year: bool):
        self.last, self.year, self.first_year = last, year, first_year
        self.counts = {"last": last_paid, "added": 0, "removed": 0, "this": 0}
        self.added: list[dict[str, Any]] = []
        self.removed: list[dict[str, Any]] = []

    def add(self, a: Assessed) -> None:
        result = a.result
        assert result is not None
        self.counts["this"] += result.eligible
        if self.first_year:  # the first payment year: everyone paid joins the list
            if result.eligible:
                jan = date(self.year, 1, 1)
                self._note(rules.Change(a.person, "增加", FIRST_YEAR_REASON,
                                        max(result.first_month or jan, jan)), a.record.where)
            return
        if self.last is None:
            return
        key = rules.change_key(a.person)
        known = self.last.get(key)
        if known is not None:
            self.last[key] = known | _SEEN
        change = rules.year_change(result, None if known is None else bool(known & _PAID),
                                   self.year)
        if change is not None:
            self._note(change, a.record.where)

    def _note(self, change: rules.Change, where: Location) -> None:
        (self.added if change.change == "增加" else self.removed).append(
            _change_item(change, where))

    def finish(self, previous: InputData | None, settings: Mapping[str, Any],
               run: rules.Settings) -> tuple[Any, dict[str, int]]:
        """The rows (增加 first) and the counts, once this year's roster has been read; the
        people paid last year and absent now are found in last year's roster again."""
        if self.last is None and not self.first_year:
            return [], {}
        absent = {key for key, known in (self.last or {}).items() if known == _PAID}
        if absent and previous is not None:
            leavers: dict[str, Assessed] = {}
            last_run = replace(run, year=run.year - 1)
            latest = reference_date(settings, last_run)
            for record in previous.tables.get("records", []):
                a = _person(record, settings, last_run, latest, [])
                if a is not None and rules.change_key(a.person) in absent:
                    leavers[rules.change_key(a.person)] = a
            for a in leavers.values():
                self._note(rules.left_roster(a.person, self.year), a.record.where)
        counts = {**self.counts, "added": len(self.added), "removed": len(self.removed)}
        if counts["last"] + counts["added"] - counts["removed"] != counts["this"]:
            raise AssertionError(f"annex 3 counts do not add up: {counts}")  # a bug
        for number, row in enumerate(self.added + self.removed, start=1):
            row["index"] = number
        return settled(SpilledList(self.added + self.removed)), counts


# --------------------------------------------------------------------------- whole runs


def _assessed_roster(data: InputData, settings: Mapping[str, Any], run: rules.Settings,
                     problems: list[Problem], need_amounts: bool = True) -> list[Assessed]:
    roster = people(data.tables.get("records", []), settings, run, problems)
    attach_history(roster, data.tables.get("history", []), problems)
    assess(roster, run, problems, need_amounts)
    return roster


def _last_year(data: InputData, settings: Mapping[str, Any], run: rules.Settings,
               problems: list[Problem], required: bool) -> tuple[dict[str, int] | None, int]:
    """Who was on last year's roster and whether they were paid (see :class:`Changes`), and
    how many were paid; None when there is no last year to compare with."""
    previous = data.previous
    if run.year == run.first_year:
        if previous is not None:
            problems.append(Problem(
                f"{run.year}年是首个发放年度，没有上年名单；请去掉 --previous",
                f"{run.year} is the first payment year, which has no previous list; "
                "drop --previous", Location(", ".join(map(str, previous.files)))))
        return None, 0
    if previous is None:
        if required:
            problems.append(_setting_problem(
                "year",
                f"{run.year}年不是首个发放年度（{run.first_year}年），填写增减情况表需要上年名册："
                "请用 --previous 给出上年的名册文件",
                f"{run.year} is not the first payment year ({run.first_year}); the table of "
                "changes needs last year's roster: give it with --previous"))
        return None, 0
    last: dict[str, int] = {}
    paid = 0
    last_run = replace(run, year=run.year - 1)
    for a in assessed_people(previous, settings, last_run, problems, need_amounts=False):
        if a.result is not None:
            last[rules.change_key(a.person)] = _PAID if a.result.eligible else 0
            paid += a.result.eligible
    return last, paid


def county_context(data: InputData, settings: dict[str, Any],
                   require_previous: bool = True) -> dict[str, Any]:
    """The context of the county package (附件1-4 and the public notice).

    After the first payment year the table of changes needs last year's roster; a form filled
    on its own that does not show changes (``require_previous=False``) can do without it.
    The roster is read person by person: a long one's lists go to disk (:mod:`planforge.spill`)
    and only sums, counts and last year's paid list stay in memory.
    """
    problems: list[Problem] = []
    run = run_settings(settings, problems)
    calendar = holiday_calendar(settings, problems)
    notice_days = notice(settings, problems, calendar)
    if run is None:
        raise InputError(problems)
    warnings = advisories.programme_years(settings, run)
    date_errors, date_warnings = advisories.schedule(settings, run, notice_days, calendar)
    problems.extend(date_errors)
    warnings.extend(date_warnings)
    last_problems: list[Problem] = []  # reported after this year's, as they were read
    last, last_paid = _last_year(data, settings, run, last_problems, require_previous)
    changes = Changes(last, last_paid, run.year, last is None and run.year == run.first_year)
    conditions, old_ages = advisories.ConditionTally(run), []
    eligible, ineligible = SpilledList(), SpilledList()
    bands = {label: Sums() for _low, _high, _standard, label in rules.BANDS}
    total = Sums()
    on = reference_date(settings, run)
    for a in assessed_people(data, settings, run, problems):
        if problems or last_problems or a.result is None:
            continue  # nothing is written: the problems are all that is wanted now
        old_ages.extend(advisories.old_ages([(a.person, a.record.where)], on))
        item = person_item(a, 0, run.year)
        if _paid(item):
            conditions.add(a.person)
            item["index"] = len(eligible) + 1
            eligible.append(item)
            if item["band"] in bands:
                bands[item["band"]].add(item)
            total.add(item)
        else:
            item["index"] = len(ineligible) + 1
            ineligible.append(item)
        changes.add(a)
    problems.extend(last_problems)
    if problems:
        raise InputError(problems)
    where = _files(data)
    warnings.extend(conditions.problems(where))
    warnings.extend(old_ages)
    change_rows, counts = changes.finish(data.previous, settings, run)
    warnings.extend(advisories.unlisted_increases(change_rows, where))
    data.warnings.extend(warnings)
    return {"eligible": _zero_padded(eligible), "ineligible": settled(ineligible),
            "changes": change_rows, "counts": counts, "bands": band_rows(bands),
            "totals": with_capitals(total.result()), "notice": notice_days}


def forms_context(data: InputData, settings: dict[str, Any]) -> dict[str, Any]:
    """The county context for a form filled alone that does not need last year's roster."""
    return county_context(data, settings, require_previous=False)


def _paid(item: dict[str, Any]) -> bool:
    return not item["reason"]


def city_context(data: InputData, settings: dict[str, Any]) -> dict[str, Any]:
    """The context of the city summary (附件5): one row per county of the rosters given."""
    problems: list[Problem] = []
    run = run_settings(settings, problems)
    if run is None:
        raise InputError(problems)
    data.warnings.extend(advisories.programme_years(settings, run))
    roster = _assessed_roster(data, {**settings, "county": ""}, run, problems)
    seen: dict[str, Record] = {}
    for a in roster:
        first = seen.setdefault(a.person.id_number, a.record)
        if first is not a.record:
            problems.append(Problem(
                f"{a.person.name}也在{first.where.file}第{first.where.row}行"
                f"（{first.values.get('county')}）的名册中：同一人只能由一个县发放",
                f"{a.person.name} is also on row {first.where.row} of {first.where.file}: one "
                "person is paid by one county only", _at(a.record, "身份证号码")))
        if not a.person.county:
            problems.append(Problem("县(市、区)为空，无法汇总到县",
                                    "the county is empty, so the row cannot be summed up by county",
                                    _at(a.record, "县(市、区)")))
    if problems:
        raise InputError(problems)
    data.warnings.extend(advisories.unchecked_conditions(
        [a.person for a in roster if a.result and a.result.eligible], run, _files(data)))
    items = [person_item(a, n, run.year) for n, a in enumerate(roster, start=1)]
    eligible = [i for i in items if _paid(i)]
    counties: dict[str, list[dict[str, Any]]] = {}
    names: dict[str, str] = {}  # 翁源 and 翁源县 are one county, printed with its suffix
    for a, item in zip(roster, items, strict=True):
        key = rules.county_key(a.person.county)
        if len(a.person.county) > len(names.get(key, "")):
            names[key] = a.person.county
        group = counties.setdefault(key, [])
        if _paid(item):
            group.append(item)
    rows = [{"county": names[key], **sums(members)} for key, members in counties.items()]
    return {"counties": rows, "totals": totals(eligible)}
