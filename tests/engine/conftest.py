"""A small declarative plugin (a people roster) that the engine tests fill in many ways."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from openpyxl import Workbook

from .forms import excel_template, word_template

HEADERS = ["序号", "姓名", "性别", "身份证号码", "出生日期", "金额", "离岗退养", "备注"]
PEOPLE = [
    [1, "张三", "男", "11010519491231002X", "1949-12-31", "1200.5", "否", ""],
    [2, "李四", "女", "440232196002042245", "1960年2月4日", 800, "是", "A&B <C> \"D\""],
]


def fix_check_digit(number: str) -> str:
    from stdnum.cn import ric

    return number[:17] + ric.calc_check_digit(number)


PEOPLE[0][3] = fix_check_digit("110105194912310030")
PEOPLE[1][3] = fix_check_digit("440232196002042240")

PLUGIN_YAML = """\
name: people
document_types:
  - name: people-roster
    title: "{{ settings.unit }}人员名册"
    annex: 2
    renderer: excel-table
    template: roster.xlsx
    sheets: [名册]
    fields: &fields
      - {name: name, label: 姓名, aliases: [名字], required: true}
      - {name: sex, label: 性别, type: sex, matches_id: id_number}
      - {name: id_number, label: 身份证号码, aliases: [身份证号, 公民身份号码], type: resident_id, required: true, unique: true}
      - {name: birth, label: 出生日期, type: date}
      - {name: amount, label: 金额, type: amount}
      - {name: retired, label: 离岗退养, type: yes_no}
      - {name: remark, label: 备注}
    settings:
      - {name: unit, label: 单位, default: "实验县"}
  - name: people-form
    title: 人员登记表
    annex: 1
    renderer: word-per-record
    template: form.docx
    file_name: "{{ index }} {{ name }}"
    sheets: [名册]
    fields: *fields
  - name: people-notice
    title: 公示名单
    annex: 3
    renderer: word-single
    template: notice.docx
    sheets: [名册]
    fields: *fields
packages:
  - name: people-package
    title: 人员材料
    members: [people-form, people-roster, people-notice]
"""


def build_people_plugin(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plugin.yaml").write_text(PLUGIN_YAML, encoding="utf-8")
    excel_template(folder / "roster.xlsx",
                   ["序号", "姓名", "身份证号码", "金额", "备注"],
                   ["{{ index }}", "{{ row.name }}", "{{ row.id_number }}", "{{ row.amount }}",
                    "{{ row.remark }}"],
                   total=["合计", "", "", "=SUM(D3:D3)", ""],
                   footer="填表单位：{{ settings.unit }}")
    word_template(folder / "form.docx", [
        "附件{{ document.annex }}", "{{ document.title }}",
        "姓名：{{ name }}　性别：{{ sex }}",
        "身份证号码：{{ id_number }}（出生于 {{ id_number.birth_date|cn_date }}）",
        "{% if retired %}已纳入离岗退养{% else %}未离岗退养{% endif %}",
        "离岗退养：{{ retired|checkbox }}是 {{ (not retired)|checkbox }}否",
        "金额：{{ amount|amount }}元（大写：{{ amount|rmb_upper }}）",
        "备注：{{ remark }}",
    ])
    word_template(folder / "notice.docx", ["{{ document.title }}", "共 {{ records|length }} 人"],
                  table=[["序号", "姓名", "身份证号码"],
                         ["{%tr for p in records %}", "", ""],
                         ["{{ loop.index }}", "{{ p.name }}", "{{ p.id_number|mask_id }}"],
                         ["{%tr endfor %}", "", ""]])
    return folder


def write_people(path: Path, rows: list[list] | None = None, headers: list[str] | None = None,
                 title_rows: int = 1, sheet: str = "名册", trailing_blank: int = 3) -> Path:
    """A roster as clerks keep it: merged title rows above the header, blank rows below."""
    workbook = Workbook()
    book = workbook.active
    book.title = sheet
    headers = headers or HEADERS
    for index in range(title_rows):
        book.append([f"标题第{index + 1}行"])
        book.merge_cells(start_row=index + 1, start_column=1, end_row=index + 1,
                         end_column=len(headers))
    book.append(headers)
    for row in rows if rows is not None else PEOPLE:
        book.append(row)
    for _ in range(trailing_blank):
        book.append([None] * len(headers))
    workbook.save(path)
    return path


@pytest.fixture
def people_plugin(tmp_path) -> Path:
    """A --plugins-dir holding the people plugin."""
    plugins = tmp_path / "plugins"
    build_people_plugin(plugins / "people")
    return plugins


@pytest.fixture
def people_xlsx(tmp_path) -> Path:
    return write_people(tmp_path / "名册.xlsx")


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip()
