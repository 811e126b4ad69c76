"""Edges of the seed's rules that issue 20 added to the pure rules: eligibility (003:196-197),
city and county names (5:5 share), 只减不增 (003:195), the timetable (003:209-213), the five-year
plan (003:225) and the plausibility bounds of issue 13."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from gd_subsidy import advisories, rules
from gd_subsidy.rules import CityStandard, Person, Settings, Stint, assess
from hypothesis import given
from hypothesis import strategies as st

S = Settings(2020, 2019, CityStandard.rule(100, 50), minban_cutoff_year=1986,
             contract_end_year=2008)


def person(category: str = rules.MINBAN, **kw) -> Person:
    kw.setdefault("name", "张三")
    kw.setdefault("sex", "男")
    kw.setdefault("birth_date", date(1950, 6, 15))
    kw.setdefault("semesters", 40)
    return Person(category=category, **kw)


def code(p: Person, settings: Settings = S) -> str:
    return assess(p, settings).reason_code


# --------------------------------------------------------------------------- 003:196-197


@pytest.mark.parametrize(("hukou", "reason"), [(True, ""), (None, ""), (False, "not_guangdong")])
def test_hukou_outside_guangdong_is_a_reason(hukou, reason) -> None:
    assert code(person(guangdong_hukou=hukou)) == reason
    if reason:
        assert assess(person(guangdong_hukou=hukou), S).reason == "现非广东省户籍"


@pytest.mark.parametrize(("employed", "reason"), [(False, ""), (None, ""), (True, "later_employed")])
def test_later_payroll_or_state_enterprise_post_is_a_reason(employed, reason) -> None:
    assert code(person(later_employed=employed)) == reason


@pytest.mark.parametrize(("first", "reason"), [
    (date(1986, 3, 1), ""),  # started in March of the cut-off year: on or before 27 March
    (date(1986, 4, 1), "minban_after_cutoff"),
    (date(1970, 9, 1), ""),
])
def test_minban_taught_by_the_cutoff(first, reason) -> None:
    result = assess(person(first_taught=first), S)
    assert result.reason_code == reason
    if reason:
        assert result.reason == "1986年3月27日（含）以前未在公办中小学教学岗位上任教"
    assert code(person(first_taught=first), replace(S, minban_cutoff_year=None)) == ""


@pytest.mark.parametrize(("signed", "reason", "text"), [
    (date(1986, 3, 27), "contract_before_window", "聘用代课教师合同书于1986年3月27日（含）以前签订"),
    (date(1986, 3, 28), "", ""),  # the cut-off day itself is 民办: 代课 starts after it (不含)
    (date(2008, 8, 31), "", ""),
    (date(2008, 9, 1), "contract_after_window", "聘用代课教师合同书于2008年8月31日以后签订"),
])
def test_daike_contract_window(signed, reason, text) -> None:
    result = assess(person(rules.DAIKE, contract_date=signed, contract_filed=True), S)
    assert (result.reason_code, result.reason) == (reason, text)


@pytest.mark.parametrize(("filed", "reason"), [(True, ""), (None, ""), (False, "contract_not_filed")])
def test_daike_contract_filed_with_the_county(filed, reason) -> None:
    assert code(person(rules.DAIKE, contract_filed=filed)) == reason
    assert code(person(rules.MINBAN, contract_filed=filed)) == ""  # 民办 sign no contract


@pytest.mark.parametrize(("stints", "continuous"), [
    ([Stint(1, date(1980, 9, 1), date(1981, 1, 1)), Stint(1, date(1981, 3, 1), date(1981, 7, 1))],
     2),  # winter holiday: one month between
    ([Stint(1, date(1980, 9, 1), date(1981, 1, 1)), Stint(1, date(1981, 4, 1), date(1981, 7, 1))],
     2),  # two months between: still one run
    ([Stint(1, date(1980, 9, 1), date(1981, 1, 1)), Stint(1, date(1981, 5, 1), date(1981, 7, 1))],
     1),  # three months between: broken
    ([Stint(1, date(1990, 9, 1), date(1991, 1, 1)), Stint(1, date(1993, 9, 1), date(1994, 1, 1))],
     1),
    ([Stint(4, date(1980, 9, 1), date(1982, 7, 1))], 4),
    ([Stint(1), Stint(1, date(1990, 9, 1), date(1991, 1, 1))], None),  # could be adjacent
    ([Stint(3), Stint(1, date(1990, 9, 1), date(1991, 1, 1))], 3),
    ([], None),
])
def test_continuous_semesters(stints, continuous) -> None:
    assert rules.continuous_semesters(stints) == continuous


def test_two_semesters_with_a_break_are_not_one_school_year() -> None:
    assert code(person(semesters=2, continuous_semesters=1)) == "not_continuous"
    assert code(person(semesters=2, continuous_semesters=2)) == ""
    assert code(person(semesters=2, continuous_semesters=None)) == ""
    assert assess(person(semesters=2, continuous_semesters=1), S).reason \
        == "未连续任教满1学年（或2个学期）"


@given(st.lists(st.tuples(st.integers(1, 12), st.integers(0, 30), st.integers(0, 6)),
                min_size=1, max_size=6))
def test_continuous_run_is_within_the_stints(parts) -> None:
    stints, month = [], date(1970, 9, 1)
    for semesters, gap, length in parts:
        start = rules.next_month(month) if gap == 0 else date(month.year + gap // 12 + 1, 3, 1)
        end = date(start.year + length // 2 + 1, 1, 1)
        stints.append(Stint(semesters, start, end))
        month = end
    found = rules.continuous_semesters(stints)
    assert max(s.semesters for s in stints) <= found <= sum(s.semesters for s in stints)


def test_unchecked_conditions_name_what_the_input_does_not_say() -> None:
    bare = person()
    assert rules.unchecked_conditions(bare, S) == ["hukou", "continuous", "minban_cutoff",
                                                   "later_employed"]
    full = person(guangdong_hukou=True, continuous_semesters=4, first_taught=date(1980, 9, 1),
                  later_employed=False)
    assert rules.unchecked_conditions(full, S) == []
    assert rules.unchecked_conditions(full, replace(S, minban_cutoff_year=None)) == ["minban_cutoff"]
    daike = replace(full, category=rules.DAIKE)
    assert rules.unchecked_conditions(daike, S) == ["contract_window", "contract_filed"]
    signed = replace(daike, contract_date=date(1990, 8, 1), contract_filed=True)
    assert rules.unchecked_conditions(signed, S) == []
    assert rules.unchecked_conditions(signed, replace(S, contract_end_year=None)) \
        == ["contract_window"]


# --------------------------------------------------------------------------- names, shares


@pytest.mark.parametrize("written", ["韶关市", "广东省韶关市", "韶关", "广东韶关", " 韶关市　",
                                     "广东省 韶关市", "韶关市\t"])
def test_city_names_are_normalised_and_keep_the_share(written) -> None:
    assert rules.normalize_city(written) == "韶关市"
    assert rules.is_shared_funding(written)
    assert rules.funding_share(1000, written) == (500, 500)


@pytest.mark.parametrize("written", ["广州", "广东省广州市", "深圳市"])
def test_unshared_cities_stay_local(written) -> None:
    assert not rules.is_shared_funding(written)
    assert rules.funding_share(1000, written) == (0, 1000)


@pytest.mark.parametrize("written", ["韶山", "湖南省长沙市", "广东", "韶关县"])
def test_unknown_city_lists_the_21_cities(written) -> None:
    with pytest.raises(rules.UnknownCity) as caught:
        rules.normalize_city(written)
    assert caught.value.zh.count("市") >= 21 and "韶关市" in caught.value.zh
    assert len(rules.GUANGDONG_CITIES) == 21


@pytest.mark.parametrize(("city", "county", "shared"), [
    ("江门市", "台山市", True), ("江门", "台山", True), ("广东省江门市", "江门市开平市", True),
    ("", "恩平市", True), ("江门市", "蓬江区", False), ("江门", "", False),
    ("江门市", "台山县", True),  # a wrong suffix still names 台山
])
def test_jiangmen_counties(city, county, shared) -> None:
    assert rules.is_shared_funding(city, county) is shared


def test_county_names_lose_province_and_city_prefixes() -> None:
    assert rules.normalize_county("广东省韶关市翁源县", "韶关市") == "翁源县"
    assert rules.normalize_county("韶关翁源县", "广东省韶关市") == "翁源县"
    assert rules.normalize_county("翁源县", "韶关市") == "翁源县"
    assert rules.county_key("翁源") == rules.county_key("翁源县") == "翁源"


# --------------------------------------------------------------------------- 只减不增


def _results(*people: Person, year: int = 2020) -> list[rules.Result]:
    return [assess(p, replace(S, year=year)) for p in people]


def test_only_people_on_last_years_roster_join() -> None:
    reaching = person(name="甲", id_number="1", birth_date=date(1960, 5, 3))  # 60 in May 2020
    stranger = person(name="乙", id_number="2")
    late = person(name="丙", id_number="3", late_application=True)
    last = _results(reaching, year=2019)
    assert not last[0].eligible  # 未到龄 in 2019, but on the list
    changes = {c.person.name: c for c in rules.compare_years(
        last, _results(reaching, stranger, late), 2020)}
    assert (changes["甲"].reason, changes["甲"].remark) == (rules.REACHED_AGE, "")
    assert (changes["乙"].reason, changes["乙"].remark) == (rules.NOT_ON_LAST_LIST, "请核实")
    assert (changes["丙"].reason, changes["丙"].remark) == (rules.LATE_APPLICATION, "")


# --------------------------------------------------------------------------- timetable


def _schedule(year: int = 2020, first_year: int = 2019, **settings):
    run = Settings(year, first_year, CityStandard.rule(100, 50))
    start = settings.get("notice_start")
    notice = dict(zip(("start", "end"), rules.notice_period(start), strict=True)) if start else {}
    return advisories.schedule(settings, run, notice)


@pytest.mark.parametrize(("year", "start", "late"), [
    (2020, date(2020, 5, 8), False),  # 8, 9 (调休), 11, 12, 13 May: done by 15 May
    (2020, date(2020, 5, 11), False),  # ends 15 May, the deadline itself
    (2020, date(2020, 5, 12), True),  # ends 18 May
    (2019, date(2019, 3, 25), False),  # first year: ends 29 March, deadline 31 March
    (2019, date(2019, 3, 26), True),  # ends 1 April
])
def test_notice_past_its_stage_is_a_warning(year, start, late) -> None:
    errors, warnings = _schedule(year, notice_start=start)
    assert not errors
    assert any("公示" in w.zh and "003:212" in w.zh for w in warnings) is late


def test_report_dated_before_the_notice_ends_is_an_error() -> None:
    # notice 6-11 May 2020 (9 May is a 调休 working day)
    errors, _ = _schedule(notice_start=date(2020, 5, 6), report_date=date(2020, 5, 11))
    assert len(errors) == 1 and errors[0].where.column == "report_date"
    errors, warnings = _schedule(notice_start=date(2020, 5, 6), report_date=date(2020, 5, 12))
    assert not errors and not warnings


def test_report_more_than_five_working_days_after_the_notice_is_a_warning() -> None:
    # notice ends Mon 11 May 2020; 5 working days later is Mon 18 May
    _, warnings = _schedule(notice_start=date(2020, 5, 6), report_date=date(2020, 5, 18))
    assert not warnings
    _, warnings = _schedule(notice_start=date(2020, 5, 6), report_date=date(2020, 5, 19))
    assert len(warnings) == 1 and "003:213" in warnings[0].zh
    # without a notice date the yearly deadline (15 May 2020, a Friday) is the reference
    _, warnings = _schedule(report_date=date(2020, 5, 22))
    assert not warnings
    _, warnings = _schedule(report_date=date(2020, 5, 25))
    assert len(warnings) == 1


@pytest.mark.parametrize(("year", "warned"), [(2023, False), (2024, True)])
def test_the_plan_runs_five_years(year, warned) -> None:
    run = Settings(year, 2019, CityStandard())
    warnings = advisories.programme_years({"first_year": 2019}, run)
    assert any("003:225" in w.zh for w in warnings) is warned


def test_an_assumed_first_year_is_said() -> None:
    run = Settings(2020, rules.DEFAULT_FIRST_YEAR, CityStandard())
    assert [w.where.column for w in advisories.programme_years({}, run)] == ["first_year"]
    assert advisories.programme_years({"first_year": 2019}, run) == []


# --------------------------------------------------------------------------- plausibility


def test_semesters_are_bounded_by_the_years_since_16() -> None:
    # born 1950: 16 in 1966, so 1966-2020 is 55 years, 110 semesters at most
    assert rules.max_semesters(date(1950, 6, 15), 2020) == 110
    assert rules.max_semesters(date(2010, 1, 1), 2020) == 0


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2000, 12, 31)),
       st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_age_on_counts_completed_years(birth, day) -> None:
    age = rules.age_on(birth, day)
    if day >= birth:
        assert rules.add_years(birth, age) <= day < rules.add_years(birth, age + 1)
    assert rules.age_on(date(1964, 2, 29), date(2019, 2, 28)) == 55


def test_ages_over_110_are_a_warning() -> None:
    where = advisories.Location("x.xlsx")
    born = date(1909, 12, 31)
    assert advisories.old_ages([(person(birth_date=born), where)], date(2020, 12, 30)) == []
    assert len(advisories.old_ages([(person(birth_date=born), where)], date(2020, 12, 31))) == 1
    dead = person(birth_date=date(1900, 1, 1), death_date=date(2000, 1, 1))
    assert advisories.old_ages([(dead, where)], date(2020, 12, 31)) == []
