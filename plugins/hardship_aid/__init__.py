"""Built-in plugin hardship-aid: 特困教师资助 paperwork (seed 003 lines ~40-55).

``planforge fill hardship-aid 花名册.xlsx --set level=省级 --set year=2026 -o OUT`` writes 附件1
汇总表(花名册), 附件2 申请表 (one per teacher) and the 申报材料清单; with ``--set materials=DIR``
(one sub-folder of scans per teacher) the checklist says what is present and what is missing.
``planforge fill hardship-aid-files …`` (friendly name ``planforge hardship-aid files …``) also
binds each teacher's 专项档案 PDF (cover, contents, 申请表, then the scans in checklist order;
:mod:`.archive`). The rules are in :mod:`.rules`, the context in
:mod:`.context`, file recognition in :mod:`.materials`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from planforge import (
    EXCEL_TABLE,
    WORD_PER_RECORD,
    DocumentType,
    Field,
    Package,
    TableSpec,
    hookimpl,
    templates_dir,
)

from .archive import ARCHIVE_FOLDER, ARCHIVE_RENDERER, ARCHIVE_TYPE
from .context import prepare
from .rules import CITY_BUDGET, CITY_QUOTA, HARDSHIPS, LEVELS, SERVING, STATUSES

FORMS = templates_dir() / "forms" / "hardship-aid"
SOURCE = "特困教师资助（seed 003）"
TITLE = "{{ settings.year }}年{{ level.name }}特困教师资助"

FIELDS = (
    Field("name", "姓名", required=True, max_length=50),
    Field("sex", "性别", "sex", matches_id="id_number"),
    Field("id_number", "身份证号码", "resident_id", aliases=("身份证号", "公民身份号码"),
          required=True, unique=True),
    Field("school", "学校", aliases=("工作单位", "所在学校", "单位"), required=True),
    Field("title", "职务/职称", aliases=("职称", "职务")),
    Field("phone", "联系电话", "phone", aliases=("电话", "手机")),
    Field("full_time", "是否专任", "yes_no", aliases=("专任教师", "是否专任教师")),
    Field("status", "人员类别", "choice", aliases=("在职/退休", "在职或退休", "在职退休"),
          choices=STATUSES, default=SERVING),
    Field("hardship", "困难类型", "choice", aliases=("困难类别", "致困原因"), choices=HARDSHIPS,
          required=True),
    Field("debt", "负债金额", "amount", aliases=("负债金额（元）", "负债金额(元)", "负债"),
          required=True, min=0),
    Field("requested", "申请金额", "amount", aliases=("申请金额（元）", "申请金额(元)"), min=0),
    Field("situation", "家庭困难情况", aliases=("困难情况", "困难事由", "申请理由"), max_length=600),
    Field("last_aid_year", "上次获省级资助年份", "integer",
          aliases=("上次受助年份", "获省级资助年份"), min=1990, max=2100),
    Field("remark", "备注"),
)
SETTINGS = (
    Field("level", "资助级别", "choice", choices=tuple(LEVELS), required=True,
          help="省级（负债5万元以上，资助1万元）或 市级（负债2万元以上，资助5000元）"),
    Field("year", "年度", "integer", required=True, min=2000, max=2100),
    Field("unit", "填报单位", default=""),
    Field("reviewer", "负责人", default=""),
    Field("preparer", "填表人", default=""),
    Field("phone", "联系电话", default=""),
    Field("date", "填报日期", "date"),
    Field("notice_days", "公示工作日数", "integer", default=5, min=1, max=30),
    Field("debt_min", "负债金额下限", "amount", min=0, max=100_000_000,
          help="默认：省级50000元，市级20000元"),
    Field("grant", "资助标准", "amount", min=0.01, max=1_000_000,
          help="默认：省级10000元，市级5000元"),
    Field("retired_exception", "退休教师比例经批准可超出", "yes_no", default=False),
    Field("city_quota", "市级资助计划名额", "integer", default=CITY_QUOTA, min=1, max=100_000,
          help="市级资助计划人数，默认80名（seed 003）"),
    Field("city_budget", "市级资助金额度", "amount", default=CITY_BUDGET, min=1,
          max=1_000_000_000,
          help="市级资助金总额（元），默认400000元（40万元，seed 003）"),
    Field("materials", "材料文件夹", "folder", help="每位教师一个子文件夹（以姓名命名）"),
)
#: What prepare adds: lists and totals, and per teacher the computed columns.
PROVIDES = ("teachers", "level", "totals", "materials", "warnings", "birth_date", "approved",
            "remark_text", "material_status", "missing", "missing_text", "folder")
INPUTS = (TableSpec("records", FIELDS, ("花名册", "汇总表", "申请人", "名单")),)


def _type(name: str, title: str, template: str, renderer: str, annex: int | None,
          **extra: Any) -> DocumentType:
    return DocumentType(name=name, title=title, template=FORMS / template, renderer=renderer,
                        inputs=INPUTS, settings=SETTINGS, annex=annex, each="teachers",
                        prepare=prepare, source=SOURCE,
                        provides=PROVIDES,
                        **extra)


DOCUMENT_TYPES = (
    _type("hardship-roster", f"{TITLE}汇总表（花名册）", "附件1-汇总表.xlsx", EXCEL_TABLE, 1,
          description="汇总表(花名册): one row per teacher, totals and the total in capitals."),
    _type("hardship-application", f"{TITLE}申请表", "附件2-申请表.docx", WORD_PER_RECORD, 2,
          file_name="{{ '%02d'|format(index) }} {{ name }}",
          description="申请表: one per teacher, with school, county and funder opinion blocks."),
    _type("hardship-checklist", f"{TITLE}申报材料清单", "申报材料清单.xlsx", EXCEL_TABLE, None,
          description="Per teacher, each required material present, missing or not needed."),
)
#: The 专项档案 bind each teacher's scans: the materials folder is required.
FILES_SETTINGS = tuple(replace(setting, required=True) if setting.name == "materials" else setting
                       for setting in SETTINGS)
ARCHIVE = DocumentType(
    name=ARCHIVE_TYPE, title=ARCHIVE_FOLDER, template=None,
    renderer=ARCHIVE_TYPE, inputs=INPUTS, settings=FILES_SETTINGS, each="teachers",
    prepare=prepare, provides=PROVIDES, source=SOURCE,
    description="专项档案: per teacher one PDF (cover, contents, 申请表, the scans in checklist "
                "order), bound with the forms of package hardship-aid-files.")
PACKAGE = Package(
    name="hardship-aid",
    title="特困教师资助申报材料（汇总表、申请表、材料清单）",
    members=tuple(d.name for d in DOCUMENT_TYPES),
    inputs=INPUTS,
    settings=SETTINGS,
    prepare=prepare,
    description="特困教师资助: 汇总表(花名册), 申请表 and the material checklist of one run.",
    source=SOURCE,
)
FILES_PACKAGE = Package(
    name="hardship-aid-files",
    title="特困教师资助申报材料及专项档案（汇总表、申请表、材料清单、每位教师的专项档案）",
    members=(*PACKAGE.members, ARCHIVE_TYPE),
    inputs=INPUTS,
    settings=FILES_SETTINGS,
    prepare=prepare,
    description="The forms of hardship-aid plus one bound 专项档案 PDF per teacher "
                "(needs LibreOffice and --set materials=DIR).",
    source=SOURCE,
)


@hookimpl
def register_document_types(register: Callable[[Any], None]) -> None:
    for document_type in (*DOCUMENT_TYPES, ARCHIVE):
        register(document_type)


@hookimpl
def register_packages(register: Callable[[Any], None]) -> None:
    register(PACKAGE)
    register(FILES_PACKAGE)


@hookimpl
def register_renderers(register: Callable[[Any], None]) -> None:
    register(ARCHIVE_RENDERER)


@hookimpl
def register_commands(cli: Any, engine: Callable[[], Any]) -> None:
    """``planforge hardship-aid files``: ``fill hardship-aid-files`` by its friendly name."""
    from .archive import hardship_group

    cli.add_command(hardship_group(engine))
