"""Edges of the gd-subsidy rules: ages, cut-off, deaths, bands, funding, notice, money."""

from __future__ import annotations

import calendar
import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from gd_subsidy import rules
from gd_subsidy.rules import (
    CityStandard,
    MissingCityStandard,
    Person,
    Settings,
    assess,
    assess_all,
)
from hypothesis import example, given
from hypothesis import strategies as st
from stdnum.cn import ric

CITY = CityStandard.rule(100, 50)
S2019 = Settings(year=2019, first_year=2019, city_standard=CITY)
S2020 = Settings(year=2020, first_year=2019, city_standard=CITY)


def person(
    birth: date = date(1950, 6, 15),
    sex: str = "男",
    semesters: int = 40,
    **kw,
) -> Person:
    kw.setdefault("name", "张三")
    kw.setdefault("category", rules.MINBAN)
    kw.setdefault("city", "韶关市")
    return Person(sex=sex, birth_date=birth, semesters=semesters, **kw)


# --------------------------------------------------------------------------- age


def test_age_men_60_women_55() -> None:
    assert rules.age_reached_date(date(1960, 5, 20), "男") == date(2020, 5, 20)
    assert rules.age_reached_date(date(1965, 5, 20), "女") == date(2020, 5, 20)


def test_feb_29_birth_reaches_age_on_28_february_of_common_year() -> None:
    """Civil Code art. 202: no 29 Feb in the final year, so the period ends on 28 Feb."""
    assert rules.age_reached_date(date(1964, 2, 29), "女") == date(2019, 2, 28)
    assert rules.age_reached_date(date(1960, 2, 29), "男") == date(2020, 2, 29)  # leap year
    assert rules.add_years(date(1964, 2, 29), 1) == date(1965, 2, 28)
    assert rules.add_years(date(1964, 2, 28), 55) == date(2019, 2, 28)
    assert rules.add_years(date(1964, 3, 1), 55) == date(2019, 3, 1)


def test_feb_29_woman_is_paid_from_march_2019() -> None:
    r = assess(person(date(1964, 2, 29), "女"), S2019)
    assert (r.first_month, r.months) == (date(2019, 3, 1), 10)
    # the day after: born 1 Mar 1964 reaches 55 on 1 Mar 2019 and is paid from April
    r = assess(person(date(1964, 3, 1), "女"), S2019)
    assert (r.first_month, r.months) == (date(2019, 4, 1), 9)
    r = assess(person(date(1960, 2, 29), "男"), S2020)
    assert r.first_month == date(2020, 3, 1)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2000, 12, 31)),
       st.integers(min_value=1, max_value=99))
def test_anniversary_is_the_same_day_or_the_months_last_day(day: date, years: int) -> None:
    reached = rules.add_years(day, years)
    assert (reached.year, reached.month) == (day.year + years, day.month)
    assert reached.day == day.day or (day.day == 29 and reached.day == 28)


def test_age_on_cutoff_day_paid_from_january_of_first_year() -> None:
    r = assess(person(date(1958, 12, 31), "男"), S2020)
    assert r.age_date == date(2018, 12, 31)
    assert r.first_month == date(2019, 1, 1)
    assert r.months == 12


def test_age_day_after_cutoff_paid_from_february() -> None:
    r = assess(person(date(1959, 1, 1), "男"), S2019)
    assert r.first_month == date(2019, 2, 1)
    assert r.months == 11


def test_no_back_pay_before_first_year() -> None:
    r = assess(person(date(1940, 3, 3), "女", semesters=61), S2019)
    assert r.first_month == date(2019, 1, 1)
    assert r.months == 12 and r.amount == 12 * 900


def test_reaching_age_during_year_and_on_last_day() -> None:
    r = assess(person(date(1965, 7, 10), "女"), S2020)
    assert r.eligible and r.first_month == date(2020, 8, 1) and r.months == 5
    # reaches the age on 31 Dec: paid from January next year, so not this year's 发放对象
    r = assess(person(date(1960, 12, 31), "男"), S2020)
    assert not r.eligible and r.first_month == date(2021, 1, 1) and r.months == 0
    assert (r.reason_code, r.reason) == ("next_year", "次年起发放（2020年12月达到年龄）")


@pytest.mark.parametrize("birth", [date(1960, 12, 1), date(1960, 12, 31), date(1960, 2, 29)])
def test_first_month_after_the_year_is_never_paid_this_year(birth: date) -> None:
    """Every age date in December pays nothing this year; 29 Feb pays from March."""
    r = assess(person(birth, "男"), S2020)
    if birth.month == 12:
        assert not r.eligible and r.reason == "次年起发放（2020年12月达到年龄）"
    else:
        assert r.eligible and r.months == 10
    # the year after, the same person is paid from January and counts as 达到领取年龄
    nxt = assess(person(birth, "男"), Settings(year=2021, first_year=2019, city_standard=CITY))
    assert nxt.eligible and nxt.months == 12


def test_not_of_age_by_end_of_year() -> None:
    r = assess(person(date(1961, 1, 1), "男"), S2020)
    assert not r.eligible
    assert (r.reason_code, r.reason) == ("not_of_age", "未到龄")
    assert r.reason_en


def test_later_year_pays_full_year_after_first_month() -> None:
    r = assess(person(date(1959, 8, 15), "男"), S2020)
    assert r.first_month == date(2019, 9, 1) and r.months == 12


# --------------------------------------------------------------------------- deaths


def test_died_on_cutoff_is_excluded() -> None:
    r = assess(person(death_date=date(2018, 12, 31)), S2019)
    assert (r.eligible, r.reason) == (False, "2018年12月31日前已去世")


def test_died_day_after_cutoff_paid_for_january() -> None:
    r = assess(person(death_date=date(2019, 1, 1)), S2019)
    assert r.eligible and r.months == 1 and r.last_month == date(2019, 1, 1)


def test_died_during_year_paid_up_to_and_including_death_month() -> None:
    r = assess(person(semesters=50, death_date=date(2020, 6, 30)), S2020)
    assert r.eligible and r.months == 6 and r.amount == 6 * 800
    r = assess(person(date(1960, 2, 10), death_date=date(2020, 9, 1)), S2020)
    assert r.first_month == date(2020, 3, 1) and r.months == 7


def test_died_in_previous_year_is_not_paid() -> None:
    r = assess(person(death_date=date(2019, 5, 20)), S2020)
    assert (r.eligible, r.reason_code, r.reason) == (False, "died", "已去世")
    assert r.last_month == date(2019, 5, 1) and r.amount == 0


def test_died_in_month_of_reaching_age_gets_nothing() -> None:
    r = assess(person(date(1960, 4, 3), death_date=date(2020, 4, 20)), S2020)
    assert not r.eligible and r.reason_code == "died_before_start"


# --------------------------------------------------------------------------- exclusions


def test_exclusions_and_their_order() -> None:
    assert assess(person(retired_early=True), S2020).reason == "纳入计划内离岗退养"
    # the seed's words (003:201), not a label of our own
    assert (assess(person(bad_record=True), S2020).reason
            == "有刑事犯罪记录，或任教期间被开除、辞退、解除聘用合同")
    both = person(retired_early=True, bad_record=True, death_date=date(2018, 1, 1))
    assert assess(both, S2020).reason == "2018年12月31日前已去世"


@pytest.mark.parametrize(
    ("semesters", "eligible", "years"), [(0, False, 0), (1, False, 1), (2, True, 1), (3, True, 2)]
)
def test_semester_minimum_and_rounding(semesters: int, eligible: bool, years: int) -> None:
    r = assess(person(semesters=semesters), S2020)
    assert r.eligible is eligible and r.working_years == years
    if not eligible:
        assert r.reason == "任教不满1学年"


# --------------------------------------------------------------------------- bands


@pytest.mark.parametrize(
    ("years", "standard"),
    [
        (1, 100),
        (2, 150),
        (9, 500),
        (10, 700),
        (19, 700),
        (20, 800),
        (29, 800),
        (30, 900),
        (45, 900),
    ],
)
def test_band_boundaries(years: int, standard: int) -> None:
    r = assess(person(semesters=years * 2), S2020)
    assert r.monthly_standard == standard and r.amount == 12 * standard


def test_odd_semesters_round_up_across_band_boundary() -> None:
    assert assess(person(semesters=19), S2020).monthly_standard == 700  # 9.5 -> 10 years
    assert assess(person(semesters=39), S2020).monthly_standard == 800  # 19.5 -> 20
    assert assess(person(semesters=59), S2020).monthly_standard == 900  # 29.5 -> 30


def test_city_standard_table_and_setting_forms() -> None:
    table = CityStandard.from_setting({1: 120, "2": 160, "3年": 200})
    assert [table.monthly(y) for y in (1, 2, 3, 4)] == [120, 160, 200, None]
    rule = CityStandard.from_setting({"first": 100, "step": 50})
    assert [rule.monthly(y) for y in range(1, 10)] == [100 + 50 * i for i in range(9)]
    assert rule.monthly(10) is None
    with pytest.raises(rules.RuleError):
        CityStandard.from_setting({"first": 100})
    with pytest.raises(rules.RuleError):
        CityStandard.from_setting({10: 700})


def test_missing_city_standard_names_everyone() -> None:
    s = Settings(year=2020, city_standard=CityStandard.from_setting({1: 100}))
    people = [
        person(semesters=2, name="甲"),
        person(semesters=4, name="乙"),
        person(semesters=3, name="丙"),
        person(semesters=60, name="丁"),
        person(semesters=4, name="戊", bad_record=True),  # excluded: no standard needed
    ]
    with pytest.raises(MissingCityStandard) as info:
        assess_all(people, s)
    assert info.value.missing == {2: ["乙", "丙"]}
    assert "乙" in info.value.zh and "丙" in info.value.en and "甲" not in str(info.value)


def test_year_before_first_year_is_rejected() -> None:
    with pytest.raises(rules.RuleError):
        Settings(year=2018, first_year=2019)


# --------------------------------------------------------------------------- ID numbers


def make_id(region: str, birth: date, seq: int) -> str:
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def test_person_from_id_reads_birth_and_sex() -> None:
    number = make_id("440232", date(1958, 3, 9), 131)
    p = Person.from_id(number, name="李四", category=rules.DAIKE, semesters=20)
    assert (p.birth_date, p.sex, p.id_number) == (date(1958, 3, 9), "男", number)
    female = make_id("440232", date(1962, 3, 9), 122)
    assert Person.from_id(female, name="王五", category=rules.DAIKE, semesters=2).sex == "女"
    with pytest.raises(rules.RuleError, match="不符"):
        Person.from_id(female, name="王五", sex="男", category=rules.DAIKE, semesters=2)


def test_bad_id_numbers() -> None:
    good = make_id("440232", date(1958, 3, 9), 131)
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    for bad in (wrong_check, good[:17], "44023219581309131X"):
        with pytest.raises(rules.RuleError, match="身份证号码"):
            Person.from_id(bad, name="李四", category=rules.DAIKE, semesters=20)


# --------------------------------------------------------------------------- funding


@pytest.mark.parametrize(
    ("city", "county", "shared"),
    [
        ("韶关市", "乳源瑶族自治县", True),
        ("韶关", None, True),
        ("云浮市", "", True),
        ("江门市", "恩平市", True),
        ("江门", "台山", True),
        ("江门市", "开平市", True),
        ("江门市", "新会区", False),
        ("广州市", "天河区", False),
        ("深圳", None, False),
        ("佛山市", "恩平市", False),
    ],
)
def test_funding_share(city: str, county: str | None, shared: bool) -> None:
    assert rules.is_shared_funding(city, county) is shared
    province, local = rules.funding_share(10800, city, county)
    assert (province, local) == ((5400, 5400) if shared else (0, 10800))


def test_funding_share_odd_amount_adds_up() -> None:
    province, local = rules.funding_share(Decimal("0.03"), "韶关市")
    assert province + local == Decimal("0.03")
    assert rules.funding_share(1, "韶关")[0] + rules.funding_share(1, "韶关")[1] == 1


# --------------------------------------------------------------------------- notice period


def test_notice_period_skips_may_day_holiday() -> None:
    assert rules.notice_period(date(2020, 4, 28)) == (date(2020, 4, 28), date(2020, 5, 7))


def test_notice_period_starting_on_holiday_counts_adjusted_saturday() -> None:
    # 1 May 2020 is a holiday; 9 May (Saturday) is an adjusted working day
    assert rules.notice_period(date(2020, 5, 1)) == (date(2020, 5, 6), date(2020, 5, 11))


def test_notice_period_starting_on_adjusted_sunday() -> None:
    assert rules.notice_period(date(2020, 4, 26)) == (date(2020, 4, 26), date(2020, 4, 30))


def test_notice_period_plain_weekend() -> None:
    assert rules.notice_period(date(2020, 3, 14)) == (date(2020, 3, 16), date(2020, 3, 20))
    assert rules.notice_period(date(2020, 3, 18), days=1) == (date(2020, 3, 18),) * 2


def test_notice_period_beyond_calendar_data_refuses_to_guess() -> None:
    assert rules.notice_period(date(2026, 12, 25)) == (date(2026, 12, 25), date(2026, 12, 31))
    with pytest.raises(rules.CalendarOutOfRange) as info:
        rules.notice_period(date(2026, 12, 28))
    assert "2027" in info.value.zh and "更新" in info.value.zh and "update" in info.value.en
    with pytest.raises(rules.CalendarOutOfRange):
        rules.notice_period(date(2030, 3, 1))


def test_deadlines_first_year_is_shorter() -> None:
    assert rules.deadlines(2019, 2019)["notice"] == date(2019, 3, 31)
    assert rules.deadlines(2020, 2019)["notice"] == date(2020, 5, 15)


# --------------------------------------------------------------------------- year on year


def test_compare_years_finds_new_of_age_and_deaths() -> None:
    ids = [make_id("440232", date(1950, 1, 1), i) for i in (11, 13, 15)]
    p_dead = Person.from_id(
        ids[0], name="甲", category=rules.MINBAN, semesters=40, death_date=date(2019, 5, 3)
    )
    p_new = Person.from_id(ids[1], name="乙", category=rules.MINBAN, semesters=40)
    p_new = Person(**{**p_new.__dict__, "birth_date": date(1960, 3, 15)})
    p_same = Person.from_id(ids[2], name="丙", category=rules.DAIKE, semesters=10)
    people = [p_dead, p_new, p_same]
    changes = rules.compare_years(assess_all(people, S2019), assess_all(people, S2020), 2020)
    got = {(c.person.name, c.change, c.reason, c.month) for c in changes}
    assert got == {
        ("甲", "减少", "已去世", date(2019, 5, 1)),
        ("乙", "增加", "达到领取年龄", date(2020, 4, 1)),
    }


# --------------------------------------------------------------------------- properties

people_st = st.builds(
    person,
    birth=st.dates(date(1930, 1, 1), date(1975, 12, 31)),
    sex=st.sampled_from(["男", "女"]),
    semesters=st.integers(0, 90),
    retired_early=st.booleans(),
    bad_record=st.booleans(),
    death_date=st.none() | st.dates(date(2015, 1, 1), date(2030, 12, 31)),
)


@given(people_st, st.integers(2019, 2026), st.integers(2015, 2020))
def test_properties(p: Person, year: int, first_year: int) -> None:
    if year < first_year:
        year = first_year
    s = Settings(year=year, first_year=first_year, city_standard=CITY)
    r = assess(p, s)
    assert 0 <= r.months <= 12
    assert r.working_years == math.ceil(p.semesters / 2)
    if r.eligible:
        assert r.amount == r.months * r.monthly_standard
        assert r.monthly_standard in (100, 150, 200, 250, 300, 350, 400, 450, 500, 700, 800, 900)
        assert r.age_date <= date(year, 12, 31)
        assert r.first_month >= date(first_year, 1, 1)
        province, local = rules.funding_share(r.amount, p.city)
        assert province + local == r.amount and province == local
    else:
        assert r.amount == 0 and r.months == 0 and r.reason and r.reason_en


@given(st.dates(date(1930, 1, 1), date(1975, 12, 31)), st.sampled_from(["男", "女"]))
@example(date(1972, 2, 29), "女")  # reaches 55 in 2027, a common year
@example(date(1940, 2, 29), "男")  # reaches 60 in 2000, a leap year
def test_age_date_is_a_birthday_or_on_28_february(birth: date, sex: str) -> None:
    reached = rules.age_reached_date(birth, sex)
    assert reached.year - birth.year == rules.AGE_BY_SEX[sex]
    # a 29 Feb birthday is reached on 28 Feb of a common year (Civil Code art. 202)
    leap_day_in_common_year = (birth.month, birth.day) == (2, 29) and not calendar.isleap(reached.year)
    expected = (2, 28) if leap_day_in_common_year else (birth.month, birth.day)
    assert (reached.month, reached.day) == expected
    assert reached - timedelta(days=1) < reached


@given(st.dates(date(2004, 1, 1), date(2026, 11, 30)), st.integers(1, 10))
def test_notice_period_counts_exactly_n_workdays(start: date, days: int) -> None:
    import chinese_calendar

    first, last = rules.notice_period(start, days)
    assert (
        first >= start and chinese_calendar.is_workday(first) and chinese_calendar.is_workday(last)
    )
    span = [first + timedelta(d) for d in range((last - first).days + 1)]
    assert sum(chinese_calendar.is_workday(d) for d in span) == days


@pytest.mark.parametrize(("typed", "city", "printed"), [
    ("广东省韶关市翁源县", "韶关市", "翁源县"),
    ("韶关翁源县", "韶关", "翁源县"),
    ("乳源¨县", "韶关市", "乳源¨县"),  # printed as typed: NFKC would turn ¨ into a space and a mark
    ("ＡＢ县", None, "ＡＢ县"),
])
def test_a_county_prints_as_typed_without_its_prefixes(typed, city, printed):
    from gd_subsidy.rules import county_key, normalize_county

    assert normalize_county(typed, city) == printed
    assert county_key(normalize_county(typed, city)) == county_key(printed)
