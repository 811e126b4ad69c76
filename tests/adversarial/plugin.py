"""A tiny declarative plugin the adversarial tests fill: a roster, one Word form per person."""

from __future__ import annotations

from pathlib import Path

from stdnum.cn import ric

from ..engine.forms import excel_template, word_template

PLUGIN_YAML = """\
name: tiny
document_types:
  - name: tiny-form
    title: 登记表
    annex: 1
    renderer: word-per-record
    template: form.docx
    file_name: "{{ index }} {{ name }}"
    sheets: [名册]
    fields: &fields
      - {name: name, label: 姓名, required: true}
      - {name: id_number, label: 身份证号码, type: resident_id, unique: true}
      - {name: birth, label: 出生日期, type: date}
      - {name: joined, label: 参加工作年月, type: month}
      - {name: remark, label: 备注}
  - name: tiny-roster
    title: 名册
    annex: 2
    renderer: excel-table
    template: roster.xlsx
    sheets: [名册]
    fields: *fields
  - name: tiny-photo
    title: 照片登记表
    renderer: word-per-record
    template: photo.docx
    file_name: "{{ index }} {{ name }}"
    fields:
      - {name: name, label: 姓名, required: true}
      - {name: photo, label: 照片, type: image, required: true}
packages:
  - name: tiny-package
    title: 材料
    members: [tiny-form, tiny-roster]
"""


def person_id(number: int) -> str:
    """A valid resident ID number, different for each ``number`` (born 1950-1959)."""
    body = f"110105{1950 + number % 10}0101{number % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # it skips the last character


def build_plugin(folder: Path) -> Path:
    """Write the plugin into ``folder/tiny`` and return ``folder`` (the --plugins-dir)."""
    plugin = folder / "tiny"
    plugin.mkdir(parents=True, exist_ok=True)
    (plugin / "plugin.yaml").write_text(PLUGIN_YAML, encoding="utf-8")
    word_template(plugin / "form.docx", [
        "{{ document.title }}", "姓名：{{ name }}", "身份证号码：{{ id_number }}",
        "出生日期：{{ birth|cn_date if birth else '' }}",
        "参加工作：{{ joined|cn_date(false) if joined else '' }}", "备注：{{ remark }}",
    ])
    word_template(plugin / "photo.docx", ["姓名：{{ name }}", "{{ photo }}"])
    excel_template(plugin / "roster.xlsx", ["序号", "姓名", "身份证号码", "出生日期", "备注"],
                   ["{{ index }}", "{{ row.name }}", "{{ row.id_number }}", "{{ row.birth }}",
                    "{{ row.remark }}"])
    return folder
