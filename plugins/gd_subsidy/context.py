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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from planforge import WHERE_KEY, InputData, InputError, Location, Problem, Record, rmb_upper

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


def people(records: Iterable[Record], settings: Mapping[str, Any], run: rules.Settings,
           problems: list[Problem]) -> list[Assessed]:
    """Persons of the roster; birth date and sex come from the (engine-checked) ID number."""
    found = []
    latest = reference_date(settings, run)
    for record in records:
        v = record.values
        if v.get("id_number") is None or v.get("semesters") is None or not v.get("category"):
            continue  # the engine has already reported the cell
        place = _place(record, settings, problems)
        if place is None:
            continue
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
            continue
        implausible = _implausible(record, person, latest, run.year)
        problems.extend(implausible)
        if not implausible:
            found.append(Assessed(record, person))
    return found


def attach_history(assessed: list[Assessed], rows: Iterable[Record],
                   problems: list[Problem]) -> None:
    """Give each person their 任教经历 rows and check they add up to 任教学期数."""
    by_id = {a.person.id_number: a for a in assessed}
    for row in rows:
        v = row.values
        owner = by_id.get(str(v.get("id_number") or ""))
        if owner is None:
            if v.get("id_number") is not None:
                problems.append(Problem(
                    f"身份证号码「{v['id_number']}」不在名册中", "this ID number is not on the roster",
                    _at(row, "身份证号码")))
            continue
        if v.get("start") and v.get("end") and v["end"] < v["start"]:
            problems.append(Problem(
                f"终止年月（{cn_month(v['end'])}）早于起始年月（{cn_month(v['start'])}）",
                "the end month is before the start month", _at(row, "终止年月")))
        owner.history.append(row)
    for a in assessed:
        if not a.history:
            continue
        stints = [rules.Stint(h.values.get("semesters") or 0, h.values.get("start"),
                              h.values.get("end")) for h in a.history]
        a.person = replace(a.person, continuous_semesters=rules.continuous_semesters(stints),
                           first_taught=rules.first_taught(stints))
        total = sum(h.values.get("semesters") or 0 for h in a.history)
        if total != a.person.semesters:
            lines = "、".join(str(h.where.row) for h in a.history)
            sheet = a.history[0].where.sheet or "任教经历"
            problems.append(Problem(
                f"{a.person.name}：任教经历（工作表「{sheet}」第{lines}行）各段学期数之和为{total}，"
                f"与任教学期数{a.person.semesters}不符",
                f"{a.person.name}: the semesters of the teaching history (sheet {sheet!r}, rows "
                f"{lines}) add up to {total}, not {a.person.semesters}",
                _at(a.record, "任教学期数")))


def assess(assessed: list[Assessed], run: rules.Settings, problems: list[Problem],
           need_amounts: bool = True) -> None:
    """Assess everyone; one problem names everybody a missing city standard blocks.

    Without ``need_amounts`` (last year's roster, which only decides who was paid) a missing
    city standard does not matter, so it is filled with 0 instead of being reported.
    """
    if not need_amounts:
        table = {y: run.city_standard.monthly(y) or 0 for y in range(1, 10)}
        run = replace(run, city_standard=rules.CityStandard(table=table))
    missing: dict[int, list[str]] = {}
    for a in assessed:
        try:
            a.result = rules.assess(a.person, run)
        except rules.MissingCityStandard as error:
            for years in error.missing:
                missing.setdefault(years, []).append(_row_label(a.record))
    if missing:
        files = sorted({Location(a.record.where.file, a.record.where.sheet).describe()
                        for a in assessed})
        zh = "；".join(f"工作年限{y}年：{'、'.join(n)}" for y, n in sorted(missing.items()))
        en = "; ".join(f"{y} year(s): {', '.join(n)}" for y, n in sorted(missing.items()))
        problems.append(_setting_problem(
            "city_standard",
            f"地级市未设定以下工作年限的月补助标准（{'、'.join(files)}）：{zh}。请在设置中给出 "
            "city_standard（如 {1: 100, 2: 150, …}）或 city_standard_first 与 city_standard_step",
            f"the city standard has no monthly amount for these people ({', '.join(files)}): "
            f"{en}. Give city_standard (e.g. {{1: 100, 2: 150, …}}) or city_standard_first and "
            "city_standard_step",
        ))


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


def _total(values: Iterable[Any]) -> Money:
    return money(sum((Decimal(str(v)) for v in values if v is not None), Decimal(0)))


def sums(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Headcounts by category and money of a group of paid people (a band, a county)."""
    return {
        "minban": sum(i["category"] == rules.MINBAN for i in items),
        "daike": sum(i["category"] == rules.DAIKE for i in items),
        "count": len(items),
        "monthly": _total(i["monthly_standard"] for i in items),
        "amount": _total(i["amount"] for i in items),
        "province": _total(i["province"] for i in items),
        "local": _total(i["local"] for i in items),
    }


def _band_standard(members: list[dict[str, Any]]) -> Money | str:
    used = sorted({m["monthly_standard"] for m in members})
    if not used:
        return "市定"
    return used[0] if len(used) == 1 else f"{used[0]}-{used[-1]}"


def band_rows(eligible: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per provincial band, always all four, as the summary form prints them."""
    rows = []
    for _low, _high, standard, label in rules.BANDS:
        members = [i for i in eligible if i["band"] == label]
        shown = standard if standard is not None else _band_standard(members)
        rows.append({"band": label, "standard": shown, **sums(members)})
    return rows


def totals(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The 合计 of a summary, with the amount in capitals the form prints under it."""
    result = sums(items)
    return {**result, "amount_upper": rmb_upper(result["amount"])}


def _zero_padded(items: list[dict[str, Any]]) -> None:
    """``file_seq``: 附件2's 序号 padded, so file names, print order and the roster agree
    (the input's own 序号 has gaps where people are not paid)."""
    width = len(str(len(items)))
    for item in items:
        item["file_seq"] = str(item["index"]).zfill(width)


# --------------------------------------------------------------------------- changes


def _changes(this: list[Assessed], last: list[Assessed] | None,
             year: int) -> list[rules.Change]:
    if last is None:  # the first payment year: everyone paid joins the list
        jan = date(year, 1, 1)
        return [rules.Change(a.person, "增加", FIRST_YEAR_REASON,
                             max(a.result.first_month or jan, jan))
                for a in this if a.result and a.result.eligible]
    changes = rules.compare_years([a.result for a in last if a.result],
                                  [a.result for a in this if a.result], year)
    return sorted(changes, key=lambda c: c.change != "增加")


def change_items(this: list[Assessed], last: list[Assessed] | None,
                 year: int) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """附件3's rows and headline counts; last + added − removed = this always holds."""
    where = {a.person.id_number: a.record.where for a in (last or [])}
    where.update({a.person.id_number: a.record.where for a in this})
    changes = _changes(this, last, year)
    items = [{"index": n, "name": c.person.name, "id_number": c.person.id_number,
              "change": c.change, "reason": c.reason, "month": cn_month(c.month),
              "remark": c.remark, WHERE_KEY: where[c.person.id_number]}
             for n, c in enumerate(changes, start=1)]
    counts = {
        "last": sum(bool(a.result and a.result.eligible) for a in last or []),
        "added": sum(c.change == "增加" for c in changes),
        "removed": sum(c.change == "减少" for c in changes),
        "this": sum(bool(a.result and a.result.eligible) for a in this),
    }
    if counts["last"] + counts["added"] - counts["removed"] != counts["this"]:
        raise AssertionError(f"annex 3 counts do not add up: {counts}")  # a bug, not bad input
    return items, counts


# --------------------------------------------------------------------------- whole runs


def _assessed_roster(data: InputData, settings: Mapping[str, Any], run: rules.Settings,
                     problems: list[Problem], need_amounts: bool = True) -> list[Assessed]:
    roster = people(data.tables.get("records", []), settings, run, problems)
    attach_history(roster, data.tables.get("history", []), problems)
    assess(roster, run, problems, need_amounts)
    return roster


def _previous(data: InputData, settings: Mapping[str, Any], run: rules.Settings,
              problems: list[Problem], required: bool) -> list[Assessed] | None:
    previous = data.previous
    if run.year == run.first_year:
        if previous is not None:
            problems.append(Problem(
                f"{run.year}年是首个发放年度，没有上年名单；请去掉 --previous",
                f"{run.year} is the first payment year, which has no previous list; "
                "drop --previous", Location(", ".join(map(str, previous.files)))))
        return None
    if previous is None:
        if not required:
            return None
        problems.append(_setting_problem(
            "year",
            f"{run.year}年不是首个发放年度（{run.first_year}年），填写增减情况表需要上年名册："
            "请用 --previous 给出上年的名册文件",
            f"{run.year} is not the first payment year ({run.first_year}); the table of changes "
            "needs last year's roster: give it with --previous"))
        return None
    last_run = replace(run, year=run.year - 1)
    return _assessed_roster(previous, settings, last_run, problems, need_amounts=False)


def county_context(data: InputData, settings: dict[str, Any],
                   require_previous: bool = True) -> dict[str, Any]:
    """The context of the county package (附件1-4 and the public notice).

    After the first payment year the table of changes needs last year's roster; a form filled
    on its own that does not show changes (``require_previous=False``) can do without it.
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
    this = _assessed_roster(data, settings, run, problems)
    last = _previous(data, settings, run, problems, require_previous)
    if problems:
        raise InputError(problems)
    where = _files(data)
    warnings.extend(advisories.unchecked_conditions(
        [a.person for a in this if a.result and a.result.eligible], run, where))
    warnings.extend(advisories.old_ages(((a.person, a.record.where) for a in this),
                                        reference_date(settings, run)))
    items = [person_item(a, 0, run.year) for a in this]
    eligible = [i for i in items if _paid(i)]
    ineligible = [i for i in items if not _paid(i)]
    for number, item in enumerate(eligible, start=1):
        item["index"] = number
    for number, item in enumerate(ineligible, start=1):
        item["index"] = number
    _zero_padded(eligible)
    if last is None and run.year != run.first_year:
        changes, counts = [], {}
    else:
        changes, counts = change_items(this, last, run.year)
    warnings.extend(advisories.unlisted_increases(changes, where))
    data.warnings.extend(warnings)
    return {"eligible": eligible, "ineligible": ineligible, "changes": changes, "counts": counts,
            "bands": band_rows(eligible), "totals": totals(eligible), "notice": notice_days}


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
