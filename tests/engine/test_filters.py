"""Template filters that official forms rely on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import cn2an
import pytest
from hypothesis import given
from hypothesis import strategies as st

from planforge.default_plugins.filters import amount, checkbox, cn_date, mask_id, rmb_upper


@pytest.mark.parametrize(("value", "text"), [
    ("10800", "壹万零捌佰元整"), (900, "玖佰元整"), ("10800.50", "壹万零捌佰元伍角整"),
    ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"), ("0.05", "伍分"), (0, "零元整"), ("-3", "负叁元整"),
    (None, ""),
])
def test_rmb_upper_follows_the_rules_for_capital_figures(value, text):
    assert rmb_upper(value) == text


@given(st.integers(min_value=1, max_value=99_999_999), st.integers(0, 99))
def test_rmb_upper_reads_back_to_the_same_amount(yuan, fen):
    text = rmb_upper(Decimal(yuan) + Decimal(fen) / 100)
    assert text.endswith("分") == (fen % 10 != 0)
    assert text.endswith("整") == (fen % 10 == 0)
    assert cn2an.cn2an(text.split("元")[0], "normal") == yuan


def test_dates_ids_boxes_and_amounts():
    assert cn_date(dt.date(2020, 3, 5)) == "2020年3月5日"
    assert cn_date(dt.date(2020, 3, 5), False) == "2020年3月"
    assert cn_date(None) == ""
    assert mask_id("44023219600204224X") == "440232********224X"
    assert checkbox("示范课", "示范课") == "☑" and checkbox("讲座", "示范课") == "☐"
    assert checkbox(True) == "☑" and checkbox(False) == "☐"
    assert amount(Decimal("1234.5")) == "1234.50" and amount(None) == ""
