"""Field types: the values clerks type, and the mistakes they make."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from planforge.fields import (
    parse_amount,
    parse_date,
    parse_integer,
    parse_month,
    parse_phone,
    parse_resident_id,
    parse_sex,
    parse_yes_no,
)
from planforge.model import Field, FieldError

F = Field("x", "x")
VALID_ID = "11010519491231002X"


def make_id(birth: dt.date, sequence: int = 123, region: str = "440232") -> str:
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


@pytest.mark.parametrize("raw", ["2020-03-05", "2020年3月5日", "2020.3.5", "2020/3/5", "20200305",
                                 " 2020 年 3 月 5 日 ", 43895, dt.datetime(2020, 3, 5, 12)])
def test_dates_in_the_forms_clerks_write(raw):
    assert parse_date(raw, F) == dt.date(2020, 3, 5)


@pytest.mark.parametrize("raw", ["2020-02-30", "3/5/2020", "明天", "2020-13-01"])
def test_bad_dates_are_refused_in_both_languages(raw):
    with pytest.raises(FieldError) as error:
        parse_date(raw, F)
    assert "日期" in error.value.zh and "date" in error.value.en


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31)))
def test_every_date_roundtrips_through_every_spelling(day):
    for text in (day.isoformat(), f"{day.year}年{day.month}月{day.day}日",
                 f"{day.year}.{day.month}.{day.day}", f"{day.year}/{day.month}/{day.day}"):
        assert parse_date(text, F) == day
    serial = (day - dt.date(1899, 12, 30)).days
    assert parse_date(serial, F) == day


def test_months_and_the_ambiguous_excel_number():
    assert parse_month("1958.12", F) == dt.date(1958, 12, 1)
    assert parse_month(1958.12, F) == dt.date(1958, 12, 1)
    assert parse_month("1958年3月", F) == dt.date(1958, 3, 1)
    with pytest.raises(FieldError, match="10"):
        parse_month(1958.1, F)  # Excel stored 1958.10 and 1958.1 alike


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31)),
       st.integers(0, 999))
def test_valid_resident_ids_are_accepted_with_birth_date_and_sex(birth, sequence):
    number = make_id(birth, sequence)
    parsed = parse_resident_id(number, F)
    assert parsed == number
    assert parsed.birth_date == birth
    assert parsed.sex == ("男" if sequence % 2 else "女")


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31)),
       st.integers(0, 999), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_change_is_caught(birth, sequence, position, delta):
    number = make_id(birth, sequence)
    digit = (int(number[position]) + delta) % 10
    broken = number[:position] + str(digit) + number[position + 1:]
    with pytest.raises(FieldError):
        parse_resident_id(broken, F)


def test_id_stored_as_a_number_says_what_was_lost_and_how_to_fix_it():
    with pytest.raises(FieldError) as error:
        parse_resident_id(4.40232195803011e17, F)
    assert "文本" in error.value.zh and "Text" in error.value.en
    with pytest.raises(FieldError, match="scientific"):
        parse_resident_id("4.40232E+17", F)


def test_id_checks_name_the_fault():
    assert parse_resident_id(" 11010519491231002x ", F) == VALID_ID
    with pytest.raises(FieldError, match="check digit"):
        parse_resident_id("110105194912310021", F)
    with pytest.raises(FieldError, match="18"):
        parse_resident_id("11010519491231", F)
    bad_day = "44023219491332123"
    with pytest.raises(FieldError, match="birth date"):
        parse_resident_id(bad_day + ric.calc_check_digit(bad_day + "0"), F)
    bad_region = "99023219491231123"
    with pytest.raises(FieldError, match="region"):
        parse_resident_id(bad_region + ric.calc_check_digit(bad_region + "0"), F)


def test_full_width_digits_in_ids_are_folded():
    full = VALID_ID.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
    assert parse_resident_id(full, F) == VALID_ID


@pytest.mark.parametrize(("raw", "expected"), [("是", True), ("否", False), ("Y", True),
                                               ("no", False), (True, True)])
def test_yes_no(raw, expected):
    assert parse_yes_no(raw, F) is expected


def test_numbers_amounts_sex_and_phones():
    assert parse_integer("12", F) == 12 and parse_integer(12.0, F) == 12
    with pytest.raises(FieldError):
        parse_integer("12.5", F)
    assert parse_amount("¥1,234.5元", F) == Decimal("1234.50")
    with pytest.raises(FieldError):
        parse_amount("NaN", F)
    assert parse_sex(" 女 ", F) == "女" and parse_sex("M", F) == "男"
    assert parse_phone("+86 138 0013 8000", F) == "13800138000"
    assert parse_phone("0751-8123456", F) == "0751-8123456"
    with pytest.raises(FieldError):
        parse_phone("12345", F)


@pytest.mark.parametrize(("field", "raw", "ok"), [
    (Field("s", "标准", "integer", choices=(300, 500, 700)), "500", True),
    (Field("s", "标准", "integer", choices=(300, 500, 700)), 600, False),
    (Field("s", "标准", "amount", choices=(300, 500)), "500.00", True),
    (Field("s", "档次", "choice", choices=(300, 500)), 500, True),  # unquoted numbers in YAML
    (Field("s", "档次", "choice", choices=(300, 500)), "700", False),
    (Field("s", "类型", "text", choices=("融合型", "共建型")), "协作型", False),
])
def test_choices_hold_for_every_type(field, raw, ok):
    from planforge.fields import BUILTIN_FIELD_TYPES, check_limits

    parse = {t.name: t.parse for t in BUILTIN_FIELD_TYPES}[field.type]
    if ok:
        check_limits(parse(raw, field), field)
        return
    with pytest.raises(FieldError) as refused:
        check_limits(parse(raw, field), field)
    assert "不在可选值" in refused.value.zh and "300" in refused.value.zh or "融合型" in refused.value.zh


def test_a_date_cell_read_as_a_number_in_a_month_column_is_its_month_not_a_crash():
    """36526.04 is 2000-01-01 01:00 in a General-formatted cell, not the year 36526."""
    assert parse_month(36526.041666666664, F) == dt.date(2000, 1, 1)
