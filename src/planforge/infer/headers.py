"""What a header or a label on a blank form says about its column: identifier, type, aliases.

Guesses are conservative: a type only from words that leave little doubt (身份证 is an ID number,
金额 an amount), required only for the columns no roster is without (姓名, 身份证号码); everything
is reported so the author can review it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

#: Common headers and blanks of Chinese education forms, by the identifier they get.
KNOWN_NAMES: dict[str, str] = {
    "姓名": "name", "名字": "name", "身份证号码": "id_number", "身份证号": "id_number",
    "公民身份号码": "id_number", "性别": "sex", "民族": "ethnicity", "出生年月": "birth_month",
    "出生日期": "birth_date", "学校": "school", "单位": "unit", "学科": "subject",
    "任教学科": "subject", "职称": "title", "职务": "post", "联系电话": "phone", "电话": "phone",
    "手机": "mobile", "手机号码": "mobile", "备注": "remark", "地址": "address",
    "家庭住址": "address", "户籍地址": "address", "金额": "amount", "类型": "kind",
    "类别": "category", "填报单位": "unit", "填表人": "preparer", "审核人": "reviewer",
    "负责人": "leader", "联系人": "contact", "填表日期": "date", "填报日期": "date",
    "日期": "date", "年度": "year", "单位名称": "organisation", "县(市、区)": "county",
    "乡镇(街道)": "township", "地级市": "city", "帮扶单位": "helper_unit",
    "受帮扶单位": "helped_unit", "帮扶教师": "mentor", "结对教师": "mentee",
    "活动日期": "date", "活动主题": "theme", "主题": "theme",
}
INDEX_HEADERS = {"序号", "编号", "序"}
#: A unit written after a header: 发放金额（元）, 工作年限（年）.
_UNIT_SUFFIX = re.compile(r"[（(]\s*(元|万元|年|月|个|次|人|天|%|％|岁|学期)\s*[）)]$")
_PUNCTUATION = re.compile(r"[\s（）()【】\[\]：:、，,。./\\\-—_＿*＊]+")


@dataclass
class FieldGuess:
    """One column or blank of the form, as plugin.yaml will declare it."""

    name: str
    label: str
    type: str = "text"
    aliases: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)
    required: bool = False
    why: str = ""  # what the guess rests on, for the report

    def as_yaml(self) -> dict:
        data: dict = {"name": self.name, "label": self.label}
        if self.type != "text":
            data["type"] = self.type
        if self.aliases:
            data["aliases"] = list(self.aliases)
        if self.choices:
            data["choices"] = list(self.choices)
        if self.required:
            data["required"] = True
        return data


def shown_label(text: str) -> str:
    """The label as the form prints it, without spaces or a trailing colon."""
    return re.sub(r"\s+", "", str(text)).rstrip("：:")


def clean_label(text: str) -> str:
    """The label to compare and classify: also folded widths and no 盖章."""
    text = unicodedata.normalize("NFKC", shown_label(text))
    return re.sub(r"[(]盖章[)]", "", text).rstrip(":")


def is_index(label: str) -> bool:
    return clean_label(label) in INDEX_HEADERS


def identifier(label: str, taken: set[str]) -> str:
    """An English identifier: a known one, else the pinyin of the label, unique in ``taken``."""
    bare = _UNIT_SUFFIX.sub("", clean_label(label))
    name = KNOWN_NAMES.get(bare) or KNOWN_NAMES.get(clean_label(label))
    if name is None:
        from pypinyin import lazy_pinyin

        words = [w for w in lazy_pinyin(_PUNCTUATION.sub(" ", bare)) if w.strip()]
        slug = "_".join(re.sub(r"[^a-z0-9]+", "_", w.lower()).strip("_") for w in words)
        name = re.sub(r"_+", "_", slug).strip("_") or "field"
        if name[0].isdigit():
            name = f"f_{name}"
    candidate, counter = name, 2
    while candidate in taken:
        candidate, counter = f"{name}_{counter}", counter + 1
    taken.add(candidate)
    return candidate


def type_of(label: str) -> tuple[str, str]:
    """The field type the words of a label leave no doubt about, and why."""
    text = clean_label(label)
    if text.endswith(("人员", "成员")):  # 帮扶人员, 参加人员: several people in one cell
        return "names", "「人员」→ names"
    rules = (
        ("resident_id", ("身份证", "身份号码")),
        ("sex", ("性别",)),
        ("yes_no", ("是否",)),
        ("phone", ("电话", "手机")),
        ("month", ("年月",)),
        ("date", ("日期", "时间")),
        ("amount", ("金额", "（元）", "(元)", "标准", "万元")),
        ("integer", ("人数", "年限", "学期数", "月数", "次数", "个数", "数量", "天数", "年龄",
                     "学时", "课时")),
    )
    for field_type, words in rules:
        for word in words:
            if word in text:
                return field_type, f"「{word}」→ {field_type}"
    return "text", ""


def guess_field(label: str, taken: set[str], parent: str = "") -> FieldGuess:
    """A field from a header (``parent`` is the merged header above it, if any)."""
    text = shown_label(label)
    field_type, why = type_of(text)
    bare = _UNIT_SUFFIX.sub("", text)
    aliases = [a for a in dict.fromkeys((bare, f"{shown_label(parent)}{text}" if parent else ""))
               if a and a != text]
    guess = FieldGuess(identifier(text, taken), text, field_type, aliases, why=why)
    guess.required = guess.name in {"name", "id_number"}
    return guess


#: ``□示范课 □同课异构``: the choices of a tick-box cell.
_BOXES = re.compile(r"[□☐■☑√]\s*([^□☐■☑√\s]+)")


def box_choices(text: str) -> list[str]:
    """The options of a cell written as tick boxes, if it is one (at least two boxes)."""
    found = [m.group(1).strip() for m in _BOXES.finditer(str(text))]
    return found if len(found) >= 2 else []


def placeholder(expression: str, field: FieldGuess) -> str:
    """How a form prints a field: dates as 2026年5月20日, yes/no as 是/否."""
    shown = {"date": "|cn_date", "month": "|cn_date", "yes_no": "|yes_no"}.get(field.type, "")
    return f"{{{{ {expression}{shown} }}}}"
