"""Parsing and checking cell values against the fields a document type declares."""

from __future__ import annotations

import datetime as dt
import re
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from stdnum.cn import ric

from .model import Field, FieldError, FieldType
from .text import fold_width, normalize_value

#: The folder of the data file being read: relative file names in cells are resolved against it,
#: and nothing outside it may be named.
DATA_FOLDER: ContextVar[Path | None] = ContextVar("planforge_data_folder", default=None)

_EXCEL_EPOCH = dt.date(1899, 12, 30)
#: A time of day after a date, as exports of datetime cells write it ("2019-11-03 00:00:00").
_TIME = r"(?:\s*(?:\s|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?" + _TIME + "$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
#: Fractional numbers read as a year and month (2018.12), not as an Excel serial date and time
#: (a moment in 1905).
_YEAR_LIKE = (1900, 2200)
_MONTH_PATTERN = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?$")

#: The province-level codes of GB/T 2260 that open a resident ID number. Only these two digits are
#: checked (see parse_resident_id); they have not changed since the late 1990s (重庆 50, 香港 81 and
#: 澳门 82 were the last added), so a fixed set replaces python-stdnum's region database, whose
#: lookups took a fifth of the time of reading a roster and whose data stayed in memory (~5 MB).
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15",  # 华北
    "21", "22", "23",  # 东北
    "31", "32", "33", "34", "35", "36", "37",  # 华东
    "41", "42", "43", "44", "45", "46",  # 中南
    "50", "51", "52", "53", "54",  # 西南
    "61", "62", "63", "64", "65",  # 西北
    "71", "81", "82",  # 台湾、香港、澳门
})

_YES = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
_NO = {"否", "n", "no", "false", "0", "×", "无", "不是"}


class ResidentId(str):
    """An 18-character resident ID number whose birth date and sex templates can read."""

    __slots__ = ()  # one per person: no per-instance __dict__

    @property
    def birth_date(self) -> dt.date:
        return ric.get_birth_date(self)

    @property
    def sex(self) -> str:
        return "男" if int(self[16]) % 2 else "女"


#: The most characters an Excel cell holds; longer text would make Excel "repair" the file.
MAX_CELL_CHARACTERS = 32767


def _text(raw: Any, field: Field) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = normalize_value(raw)
    if len(text) > MAX_CELL_CHARACTERS:
        raise FieldError(
            f"内容有 {len(text)} 个字，超过表格单元格的上限 {MAX_CELL_CHARACTERS} 个字",
            f"the text has {len(text)} characters, more than a spreadsheet cell holds "
            f"({MAX_CELL_CHARACTERS})",
        )
    return text


def parse_text(raw: Any, field: Field) -> str:
    return _text(raw, field)


def parse_integer(raw: Any, field: Field) -> int:
    if isinstance(raw, bool):
        raise FieldError("应为整数", "must be a whole number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    text = fold_width(raw).replace(",", "")
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(float(text))
    raise FieldError(f"「{text}」不是整数", f"{text!r} is not a whole number")


def parse_amount(raw: Any, field: Field) -> Decimal:
    if isinstance(raw, bool):
        raise FieldError("应为金额", "must be an amount")
    text = fold_width(raw).replace(",", "").replace("，", "").removesuffix("元")
    text = text.lstrip("¥￥")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise FieldError(f"「{text}」不是金额", f"{text!r} is not an amount") from None
    if not value.is_finite():
        raise FieldError(f"「{text}」不是金额", f"{text!r} is not an amount")
    return value.quantize(Decimal("0.01"))


def parse_date(raw: Any, field: Field) -> dt.date:
    """Dates as clerks type them: ISO, 2020年3月5日, 2020.3.5, 2020/3/5 and Excel serial numbers."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if _YEAR_LIKE[0] <= raw < _YEAR_LIKE[1] and raw != int(raw):
            raise FieldError(f"「{raw}」像是年月，不是日期（请写作 2018-12-05 这样的完整日期）",
                             f"{raw!r} looks like a year and month, not a date "
                             "(write a full date such as 2018-12-05)")
        if 1 <= raw < 2958466:
            return _EXCEL_EPOCH + dt.timedelta(days=int(raw))
        raise FieldError(f"「{raw}」不是日期", f"{raw!r} is not a date")
    text = fold_width(raw)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                break
    raise FieldError(
        f"「{text}」不是有效日期（可写作 2020-03-05、2020年3月5日 或 2020.3.5）",
        f"{text!r} is not a valid date (write 2020-03-05, 2020年3月5日 or 2020.3.5)",
    )


def parse_month(raw: Any, field: Field) -> dt.date:
    """A year and month (1958.12, 1958年12月, 1958-12), kept as the first day of that month."""
    if isinstance(raw, float):
        year, month = f"{raw:.2f}".split(".")
        if month == "10":
            raise FieldError(
                f"「{raw}」可能是{year}年1月，也可能是{year}年10月；请写作“{year}年1月”或“{year}年10月”",
                f"{raw!r} may mean January or October of {year}; write {year}-01 or {year}-10",
            )
        if 1 <= int(month) <= 12 and 1000 < int(year) <= 9999:  # else an Excel serial day
            return dt.date(int(year), int(month), 1)
    if isinstance(raw, dt.date | dt.datetime):
        return dt.date(raw.year, raw.month, 1)
    text = fold_width(raw)
    match = _MONTH_PATTERN.match(text)
    if match and 1 <= int(match.group(2)) <= 12:
        return dt.date(int(match.group(1)), int(match.group(2)), 1)
    try:
        day = parse_date(raw, field)
    except FieldError:
        raise FieldError(
            f"「{text}」不是有效年月（可写作 1958.12 或 1958年12月）",
            f"{text!r} is not a valid year and month (write 1958.12 or 1958年12月)",
        ) from None
    return dt.date(day.year, day.month, 1)


def parse_date_or_month(raw: Any, field: Field) -> dt.date:
    """A date, or where only the month is known (2018.12, 2018年12月) the first day of it: for
    events such as a death whose consequences run to the end of that month."""
    try:
        return parse_date(raw, field)
    except FieldError:
        pass
    if isinstance(raw, float):  # 2018.12; parse_month explains an ambiguous 2018.1
        return parse_month(raw, field)
    text = fold_width(raw) if isinstance(raw, str) else str(raw)
    if _MONTH_PATTERN.match(text):
        return parse_month(text, field)
    raise FieldError(
        f"「{text}」不是有效日期（可写作 2018-12-05、2018年12月5日；只知年月时写 2018.12 或 2018年12月）",
        f"{text!r} is not a valid date (write 2018-12-05 or 2018年12月5日, or 2018.12 when only "
        "the month is known)")


def parse_yes_no(raw: Any, field: Field) -> bool:
    if isinstance(raw, bool):
        return raw
    text = fold_width(raw).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise FieldError(f"「{text}」应填“是”或“否”", f"{text!r} must be 是 (yes) or 否 (no)")


def parse_choice(raw: Any, field: Field) -> str:
    """One of the field's choices, as text: ``choices: [300, 500]`` written without quotes in
    plugin.yaml are numbers, and a cell's 300 is the choice "300"."""
    text = _text(raw, field)
    _check_choice(text, field)
    return text


def _check_choice(value: Any, field: Field) -> None:
    if not field.choices or _chosen(value, field.choices):
        return
    allowed = "、".join(str(choice) for choice in field.choices)
    raise FieldError(f"「{value}」不在可选值（{allowed}）之中", f"{value!r} is not one of: {allowed}")


def _chosen(value: Any, choices: tuple) -> bool:
    """Whether ``value`` is one of ``choices``, numbers compared as numbers (500 is 500.00)."""
    for choice in choices:
        if str(choice) == str(value):
            return True
        try:
            if Decimal(str(choice)) == Decimal(str(value)):
                return True
        except InvalidOperation:
            continue
    return False


def parse_sex(raw: Any, field: Field) -> str:
    text = fold_width(raw).lower()
    sexes = {"男": "男", "m": "男", "male": "男", "女": "女", "f": "女", "female": "女"}
    if text not in sexes:
        raise FieldError(f"「{text}」应填“男”或“女”", f"{text!r} must be 男 (male) or 女 (female)")
    return sexes[text]


_SCIENTIFIC = re.compile(r"\d(\.\d+)?E\+?\d+")
_ID_SHAPE = re.compile(r"\d{17}[\dX]")


def parse_resident_id(raw: Any, field: Field) -> ResidentId:
    """Check an 18-character resident ID number (GB 11643): region, birth date and checksum."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raise FieldError(
            "身份证号码在 Excel 中被存成了数字，末几位已经丢失，无法还原；"
            "请把该列设置为“文本”格式，重新输入或粘贴原始号码",
            "the ID number was stored by Excel as a number and its last digits are lost; "
            "format the column as Text and type or paste the original numbers again",
        )
    text = fold_width(raw).replace(" ", "").upper()
    if _SCIENTIFIC.fullmatch(text):
        raise FieldError(
            "身份证号码被 Excel 显示为科学计数法，末几位已经丢失；请把该列设置为“文本”格式后重新输入",
            "the ID number is in scientific notation, so its last digits are lost; "
            "format the column as Text and enter it again",
        )
    if len(text) != 18:
        raise FieldError(
            f"身份证号码「{text}」应为18位，实际{len(text)}位",
            f"ID number {text!r} must have 18 characters, not {len(text)}",
        )
    if not _ID_SHAPE.fullmatch(text):
        raise FieldError(f"身份证号码「{text}」格式错误（前17位应为数字，末位为数字或X）",
                         f"ID number {text!r} is malformed (17 digits, then a digit or X)")
    if text[-1] != ric.calc_check_digit(text):
        raise FieldError(
            f"身份证号码「{text}」校验位错误，请核对每一位数字",
            f"ID number {text!r} has a wrong check digit; check every digit",
        )
    try:  # python-stdnum's get_birth_date, without cleaning the number again
        birth = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        birth = None
    if birth is None or birth > dt.date.today():
        raise FieldError(f"身份证号码「{text}」中的出生日期无效",
                         f"ID number {text!r} has an invalid birth date")
    # Only the province is checked: numbers were issued from 1984 on with the code of the county
    # of residence then, so python-stdnum's "county existed in the birth year" test would refuse
    # nearly every applicant born before the county code was created.
    if text[:2] not in PROVINCE_CODES:
        raise FieldError(f"身份证号码「{text}」的地区码无效", f"ID number {text!r} has an unknown region code")
    return ResidentId(text)


def parse_phone(raw: Any, field: Field) -> str:
    """Mainland mobile numbers and landlines with an area code (0751-1234567)."""
    text = fold_width(_text(raw, field)).replace(" ", "")
    digits = re.sub(r"^(\+?86)", "", text)
    if re.fullmatch(r"1[3-9]\d{9}", digits) or re.fullmatch(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?", digits):
        return digits
    raise FieldError(f"「{text}」不是有效的电话号码", f"{text!r} is not a valid phone number")


#: What separates the names in a cell listing several units or people (鹿寨县、柳城县, 郑涛 & 冯洁);
#: a space alone does not, since a unit's name may hold one.
_NAME_SEPARATORS = re.compile(r"\s*[、，,；;/／&＆|｜\n]+\s*")


class Names(str):
    """Several names in one cell, printed joined with 、; ``names`` holds them one by one."""

    names: tuple[str, ...]

    def __new__(cls, text: str) -> Names:
        names = tuple(n for n in _NAME_SEPARATORS.split(str(text).strip()) if n)
        value = super().__new__(cls, "、".join(names))
        value.names = names
        return value


def parse_names(raw: Any, field: Field) -> Names:
    """``鹿寨县、柳城县`` (or with ，, ; / & or line breaks): each name once, printed with 、."""
    _text(raw, field)  # the cell's limits; the line breaks it may hold still separate names
    value = Names("、".join(normalize_value(part) for part in _NAME_SEPARATORS.split(str(raw))))
    repeated = sorted({n for n in value.names if value.names.count(n) > 1})
    if not value.names:
        raise FieldError("没有名称", "no name is given")
    if repeated:
        raise FieldError(f"「{'、'.join(repeated)}」重复列出", f"{', '.join(repeated)} listed twice")
    return value


class ImageFile(str):
    """A checked path to an image, which Word renderers place as a picture."""


def parse_image(raw: Any, field: Field) -> ImageFile:
    """An image file named relative to the data file; it must stay inside that folder."""
    from PIL import Image, UnidentifiedImageError

    folder = DATA_FOLDER.get() or Path.cwd()
    name = normalize_value(raw)
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise FieldError(f"图片「{name}」不在数据文件所在的文件夹内，已拒绝",
                         f"image {name!r} lies outside the data file's folder and is refused")
    try:
        with Image.open(path) as image:
            # Decoding (JPEGs at 1/8 scale) is what finds a truncated file; verify() does not.
            if image.format == "JPEG":
                image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
    except FileNotFoundError:
        raise FieldError(f"找不到图片「{name}」", f"image {name!r} does not exist") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as error:
        raise FieldError(f"「{name}」不是可用的图片（{error}）",
                         f"{name!r} is not a usable image ({error})") from None
    return ImageFile(path)


#: Parsers whose result depends on the cell and the field alone (not on files, nor on state), so
#: a column's repeated values (男, 是, a school's name) may be parsed once.
PURE_PARSERS = frozenset({parse_text, parse_integer, parse_amount, parse_date, parse_date_or_month,
                          parse_month, parse_yes_no, parse_choice, parse_sex, parse_resident_id,
                          parse_phone, parse_names})

BUILTIN_FIELD_TYPES = (
    FieldType("text", parse_text, "文本 / any text"),
    FieldType("integer", parse_integer, "整数 / whole number"),
    FieldType("amount", parse_amount, "金额（元，两位小数）/ amount in yuan"),
    FieldType("date", parse_date, "日期 / date: 2020-03-05, 2020年3月5日, 2020.3.5, Excel serial"),
    FieldType("date_or_month", parse_date_or_month,
              "日期，只知年月时写年月（记为该月）/ date, or year and month: 2020-03-05, 2018.12"),
    FieldType("month", parse_month, "年月 / year and month: 1958.12, 1958年12月"),
    FieldType("yes_no", parse_yes_no, "是/否 / yes or no"),
    FieldType("choice", parse_choice, "可选值之一 / one of the field's choices"),
    FieldType("sex", parse_sex, "性别（男/女）/ sex"),
    FieldType("resident_id", parse_resident_id, "18位居民身份证号码 / resident ID number"),
    FieldType("phone", parse_phone, "电话号码 / phone number"),
    FieldType("image", parse_image, "图片文件（相对数据文件）/ image file next to the data"),
    FieldType("folder", parse_text, "文件夹（读取其中全部文件，输出不得写在其中）/ a folder read "
              "with everything in it; no output may be written inside it"),
    FieldType("names", parse_names, "名称列表（以、分隔）/ several names: 鹿寨县、柳城县"),
)


def check_limits(value: Any, field: Field) -> None:
    """The simple checks a declarative plugin can ask for: choices, range, length and pattern.
    ``choices`` hold for every type, not only ``choice``: an integer field with choices
    [300, 500, 700] refuses 600."""
    if field.type != "choice":
        _check_choice(value, field)
    if field.min is not None and isinstance(value, int | float | Decimal) and value < field.min:
        raise FieldError(f"不能小于 {field.min}", f"must not be less than {field.min}")
    if field.max is not None and isinstance(value, int | float | Decimal) and value > field.max:
        raise FieldError(f"不能大于 {field.max}", f"must not be greater than {field.max}")
    if field.max_length is not None and isinstance(value, str) and len(value) > field.max_length:
        raise FieldError(
            f"长度不能超过 {field.max_length} 个字", f"must be at most {field.max_length} characters"
        )
    if field.pattern and isinstance(value, str) and not re.fullmatch(field.pattern, value):
        raise FieldError(f"「{value}」格式不符合要求", f"{value!r} does not match the required format")
