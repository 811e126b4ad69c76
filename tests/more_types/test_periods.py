"""Property tests of the text planforge reads as periods and lists (合作期限, 学期, 联合单位)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planforge.fields import Names, parse_names
from planforge.model import Field, FieldError
from planforge.periods import Semester, Term, parse_term

YEARS = st.integers(1990, 2090)
MONTHS = st.integers(1, 12)
SEPARATORS = st.sampled_from(["—", "-", "～", "至", "到", " — "])


@given(YEARS, st.integers(0, 20), SEPARATORS)
def test_a_range_of_years_counts_both_ends(start, span, separator):
    assert Term(f"{start}{separator}{start + span}年").months == (span + 1) * 12


@given(YEARS, MONTHS, st.integers(0, 120), SEPARATORS)
def test_a_range_of_months_counts_both_ends(year, month, span, separator):
    end = year * 12 + month - 1 + span
    text = f"{year}年{month}月{separator}{end // 12}年{end % 12 + 1}月"
    assert Term(text).months == span + 1
    assert Term(f"{year}.{month}{separator}{end // 12}.{end % 12 + 1}").months == span + 1


@given(st.dates(dt.date(1990, 1, 1), dt.date(2090, 12, 31)), st.integers(1, 3000))
def test_a_range_of_days_counts_whole_months(start, days):
    end = start + dt.timedelta(days=days)
    months = Term(f"{start:%Y-%m-%d}至{end:%Y-%m-%d}").months
    after = end + dt.timedelta(days=1)
    assert months == (after.year - start.year) * 12 + after.month - start.month - (
        after.day < start.day)
    assert 0 <= months <= days // 28 + 1


@pytest.mark.parametrize("text", ["2026—2023年", "2023.13-2026.8", "明年", "3", "三年半"])
def test_terms_that_say_nothing_are_refused(text):
    with pytest.raises(FieldError):
        parse_term(text, Field("period", "合作期限"))


CJK_NAMES = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1,
                    max_size=8)


@given(st.lists(CJK_NAMES, min_size=1, max_size=8, unique=True),
       st.sampled_from(["、", "，", ",", ";", "/", "\n"]))
def test_names_read_whatever_separates_them(names, separator):
    value = parse_names(separator.join(names), Field("members", "联合单位"))
    assert value.names == tuple(names) and value == "、".join(names)
    assert Names(value) == value  # cleaning a context rebuilds it unchanged


@given(st.dates(dt.date(1990, 1, 1), dt.date(2090, 12, 31)))
def test_every_day_is_in_its_semester(day):
    semester = Semester.of(day)
    assert day in semester and semester.first <= day <= semester.last
    assert Semester(semester) == semester
