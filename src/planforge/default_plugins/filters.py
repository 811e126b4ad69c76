"""Filters official forms need: Chinese dates, amounts in capitals, masked IDs, check boxes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from planforge.hookspecs import hookimpl
from planforge.periods import quarter_filter, semester_filter
from planforge.render.jinja import NO, YES


def cn_date(value: Any, with_day: bool = True) -> str:
    """2020-03-05 → 2020年3月5日 (or 2020年3月), the way forms write dates."""
    if value in (None, ""):
        return ""
    if not isinstance(value, dt.date):
        return str(value)
    return f"{value.year}年{value.month}月{value.day}日" if with_day else f"{value.year}年{value.month}月"


def rmb_upper(value: Any) -> str:
    """An amount in Chinese capital figures as cheques and forms write it.

    Amounts ending in 元 or 角 end with 整 (壹仟元整, 伍角整); amounts with 分 do not.
    """
    if value in (None, ""):
        return ""
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    if amount == 0:
        return "零元整"
    import cn2an  # a third of a second to import: only runs that print capitals pay for it

    sign, amount = ("负", -amount) if amount < 0 else ("", amount)
    text = cn2an.an2cn(str(amount), "rmb").removesuffix("整")
    return sign + (text if text.endswith("分") else text + "整")


def mask_id(value: Any, keep_start: int = 6, keep_end: int = 4) -> str:
    """Hide the middle of an ID number for public notices."""
    text = "" if value is None else str(value)
    if len(text) <= keep_start + keep_end:
        return text
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + text[-keep_end:]


def checkbox(value: Any, option: Any = True) -> str:
    """☑ when the value is (or equals) the option, else ☐: for choices printed as boxes."""
    return "☑" if (value == option if option is not True else bool(value)) else "☐"


def yes_no(value: Any) -> str:
    """是/否 for any truthy or falsy value (a boolean prints so even without the filter)."""
    return "" if value is None else (YES if value else NO)


def amount(value: Any) -> str:
    """Amounts with two decimals and no exponent, whatever their type."""
    return "" if value in (None, "") else f"{Decimal(str(value)):.2f}"


FILTERS = {
    "cn_date": cn_date,
    "rmb_upper": rmb_upper,
    "mask_id": mask_id,
    "checkbox": checkbox,
    "yes_no": yes_no,
    "amount": amount,
    "quarter": quarter_filter,
    "semester_of": semester_filter,
}


@hookimpl
def register_template_filters(register):
    for name, function in FILTERS.items():
        register(name, function)
