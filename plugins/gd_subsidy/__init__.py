"""Built-in plugin gd-subsidy: 广东省原民办代课教师生活困难补助 paperwork (seed 003).

``planforge fill gd-subsidy ROSTER.xlsx --previous LAST.xlsx --settings settings.yaml -o OUT``
writes a county's 附件1 申请表 (one per paid person), 附件2 名册表, 附件3 增减情况表, 附件4 人数汇总表
and the 公示名单; ``planforge fill gd-subsidy-city ROSTER…`` writes the city's 附件5. The rules are
in :mod:`.rules` (pure), the shared context in :mod:`.context`, the re-reading check in
:mod:`.check`. The annex numbers are settings, so the titles carry them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from planforge import (
    EXCEL_TABLE,
    WORD_PER_RECORD,
    WORD_SINGLE,
    DocumentType,
    Field,
    Package,
    TableSpec,
    hookimpl,
    templates_dir,
)

from .check import check_city, check_county
from .context import CITY_NAMES, COUNTY_NAMES, city_context, county_context, forms_context
from .rules import CATEGORIES, DEFAULT_FIRST_YEAR

FORMS = templates_dir() / "forms" / "gd-subsidy"
PROGRAMME = "原民办代课教师生活困难补助"
SOURCE = "广东省原民办代课教师生活困难补助工作方案（seed 003）"

ROSTER_FIELDS = (
    Field("seq", "序号", "integer", aliases=("编号",), min=0),
    Field("name", "姓名", required=True, max_length=50),
    Field("sex", "性别", "sex", matches_id="id_number"),
    Field("id_number", "身份证号码", "resident_id", aliases=("身份证号", "公民身份号码"),
          required=True, unique=True),
    Field("category", "类别", "choice", aliases=("人员类别", "教师类别"), choices=CATEGORIES,
          required=True),
    Field("semesters", "任教学期数", "integer", aliases=("任教学期", "学期数"), required=True,
          min=0),
    Field("city", "地级市", aliases=("市",)),
    Field("county", "县(市、区)", aliases=("县（市、区）", "县区", "县(区)")),
    Field("township", "乡镇(街道)", aliases=("乡镇（街道）", "乡镇", "镇街")),
    Field("address", "户籍地址", aliases=("户口所在地", "地址")),
    Field("phone", "联系电话", "phone", aliases=("电话", "手机")),
    Field("retired_early", "离岗退养", "yes_no", aliases=("纳入计划内离岗退养",), default=False),
    Field("bad_record", "不良记录", "yes_no", aliases=("违法违纪记录",), default=False),
    Field("death_date", "去世日期", "date_or_month", aliases=("死亡日期",)),
    Field("remark", "备注"),
    # the eligibility conditions of seed 003:196-197; an absent column leaves its condition
    # unchecked, and the run says so
    Field("hukou", "户籍所在地", aliases=("现户籍所在地", "户籍省份")),
    Field("contract_date", "合同签订日期", "date", aliases=("代课合同签订日期", "聘用合同签订日期")),
    Field("contract_filed", "备案", "yes_no", aliases=("合同备案", "县级备案", "已备案")),
    Field("later_employed", "后入编或国企正式职工", "yes_no",
          aliases=("后入编/国企正式职工", "后入编", "国企正式职工")),
    # 只减不增 (003:195): someone not on last year's roster is added only as an approved 补报
    Field("late_application", "补报", "yes_no", aliases=("补报人员", "经批准补报"), default=False),
)
HISTORY_FIELDS = (
    Field("id_number", "身份证号码", "resident_id", aliases=("身份证号", "公民身份号码"),
          required=True),
    Field("school", "任教学校", aliases=("学校",), required=True),
    Field("start", "起始年月", "month", aliases=("开始年月", "起始时间")),
    Field("end", "终止年月", "month", aliases=("结束年月", "终止时间")),
    Field("semesters", "学期数", "integer", aliases=("任教学期数",), required=True, min=0),
)
INPUTS = (
    TableSpec("records", ROSTER_FIELDS, sheets=("名册", "花名册", "名单"), title="名册"),
    TableSpec("history", HISTORY_FIELDS, sheets=("任教经历",), required=False, title="任教经历"),
)

ANNEXES = (
    Field("annex_application", "申请表附件序号", "integer", default=1, min=1, max=99),
    Field("annex_roster", "名册表附件序号", "integer", default=2, min=1, max=99),
    Field("annex_changes", "增减情况表附件序号", "integer", default=3, min=1, max=99),
    Field("annex_county_summary", "县级人数汇总表附件序号", "integer", default=4, min=1,
          max=99),
    Field("annex_city_summary", "市级人数汇总表附件序号", "integer", default=5, min=1,
          max=99),
)
COMMON_SETTINGS = (
    Field("year", "发放年度", "integer", required=True, min=2000, max=2100),
    Field("first_year", f"首个发放年度（未给出时按{DEFAULT_FIRST_YEAR}年并提示）", "integer",
          min=2000, max=2100),
    Field("city_standard", "市定补助标准（1-9年，如 {1: 100, 2: 150, …}）"),
    Field("city_standard_first", "市定标准：首年月补助（元）", "amount", min=0.01, max=10000),
    Field("city_standard_step", "市定标准：每增1年增加（元）", "amount", min=0, max=10000),
    Field("unit", "填报单位", default=""),
    Field("preparer", "填表人", default=""),
    Field("reviewer", "审核人", default=""),
    Field("phone", "联系电话", default=""),
    Field("report_date", "填表日期", "date"),
    Field("minban_cutoff_year", "原民办教师任教截止年份（xx年3月27日）", "integer", min=1949,
          max=2100),
    Field("contract_end_year", "代课合同签订截止年份（20xx年8月31日）", "integer", min=1949,
          max=2100),
    # the city's own signatories for 附件5: one settings file serves both levels, and the
    # county's unit, preparer, reviewer and phone must not appear on the city's form
    Field("city_unit", "市级填报单位（默认：地级市＋教育局）", default=""),
    Field("city_preparer", "市级填表人", default=""),
    Field("city_reviewer", "市级审核人", default=""),
    Field("city_phone", "市级联系电话", default=""),
    Field("city_report_date", "市级填表日期", "date"),
)
COUNTY_SETTINGS = (
    *COMMON_SETTINGS[:1],
    Field("county", "县(市、区)", required=True),
    Field("city", "地级市", default=""),
    *COMMON_SETTINGS[1:],
    Field("notice_start", "公示开始日期", "date"),
    Field("holidays", "节假日安排（chinese-calendar 未收录年份的放假、调休上班日期，或其文件名）"),
    Field("objection_contact", "异议受理单位及联系方式", default=""),
    Field("copies", "每份申请表打印份数（一式三份）", "integer", default=3, min=1, max=10),
    *ANNEXES[:4],
)
#: The notice states its dates and where objections go (请以书面形式实名向…反映): both required.
NOTICE_SETTINGS = tuple(
    replace(s, required=True, default=None) if s.name in ("notice_start", "objection_contact")
    else s for s in COUNTY_SETTINGS
)
CITY_SETTINGS = (
    *COMMON_SETTINGS[:1],
    Field("city", "地级市", required=True),
    *COMMON_SETTINGS[1:],
    ANNEXES[4],
)


def _county_type(name: str, title: str, template: str, renderer: str, each: str,
                 **extra: Any) -> DocumentType:
    return DocumentType(
        name=name, title=title, template=FORMS / template, renderer=renderer,
        fields=ROSTER_FIELDS, inputs=INPUTS, settings=extra.pop("settings", COUNTY_SETTINGS),
        each=each, prepare=extra.pop("prepare", forms_context), provides=COUNTY_NAMES,
        **extra,
    )


DOCUMENT_TYPES = (
    _county_type(
        "gd-subsidy-application",
        "附件{{ settings.annex_application }} 广东省" + PROGRAMME + "申请表",
        "附件1-申请表.docx", WORD_PER_RECORD, "eligible",
        file_name="{{ file_seq }} {{ name }}",
        description="附件1 申请表：每位符合条件者一份（合订打印文件一式三份，--set copies=1 印一份）",
    ),
    _county_type(
        "gd-subsidy-roster",
        "附件{{ settings.annex_roster }} {{ settings.county }}" + PROGRAMME + "发放对象名册表",
        "附件2-名册表.xlsx", EXCEL_TABLE, "eligible",
        sheet_lists={"名册": "eligible", "不符合条件人员": "ineligible"},
        description="附件2 名册表：发放对象及金额；另页列出不符合条件人员及原因",
    ),
    _county_type(
        "gd-subsidy-changes",
        "附件{{ settings.annex_changes }} {{ settings.county }}" + PROGRAMME + "发放对象增减情况表",
        "附件3-增减情况表.xlsx", EXCEL_TABLE, "changes", prepare=county_context,
        description="附件3 增减情况表：上年人数＋增加－减少＝本年人数，及增减人员明细",
    ),
    _county_type(
        "gd-subsidy-county-summary",
        "附件{{ settings.annex_county_summary }} {{ settings.county }}" + PROGRAMME
        + "发放对象人数汇总表",
        "附件4-县级人数汇总表.xlsx", EXCEL_TABLE, "bands",
        description="附件4 县级人数汇总表：按工作年限档次的人数、金额与省、地方负担",
    ),
    _county_type(
        "gd-subsidy-notice",
        "公示名单",
        "公示名单.docx", WORD_SINGLE, "eligible", settings=NOTICE_SETTINGS,
        description="公示名单：身份证号码隐去中间位，公示5个工作日（节假日顺延）",
    ),
    DocumentType(
        name="gd-subsidy-city-summary",
        title="附件{{ settings.annex_city_summary }} {{ settings.city }}" + PROGRAMME
        + "发放对象人数汇总表",
        template=FORMS / "附件5-市级人数汇总表.xlsx", renderer=EXCEL_TABLE, fields=ROSTER_FIELDS,
        inputs=INPUTS, settings=CITY_SETTINGS, each="counties", prepare=city_context,
        provides=CITY_NAMES,
        description="附件5 市级人数汇总表：各县一行，合计等于各县附件4之和",
    ),
)

PACKAGES = (
    Package(
        name="gd-subsidy",
        title=f"县级{PROGRAMME}材料（附件1-4及公示名单）",
        members=("gd-subsidy-application", "gd-subsidy-roster", "gd-subsidy-changes",
                 "gd-subsidy-county-summary", "gd-subsidy-notice"),
        inputs=INPUTS, settings=NOTICE_SETTINGS, prepare=county_context, check=check_county,
        description=SOURCE,
    ),
    Package(
        name="gd-subsidy-city",
        title=f"市级{PROGRAMME}人数汇总（附件5）",
        members=("gd-subsidy-city-summary",),
        inputs=INPUTS, settings=CITY_SETTINGS, prepare=city_context, check=check_city,
        description=SOURCE,
    ),
)


@hookimpl
def register_document_types(register: Callable[[Any], None]) -> None:
    """The six forms, each also usable alone (``planforge fill gd-subsidy-roster …``)."""
    for document_type in DOCUMENT_TYPES:
        register(document_type)


@hookimpl
def register_packages(register: Callable[[Any], None]) -> None:
    """The county package (附件1-4, 公示名单) and the city package (附件5)."""
    for package in PACKAGES:
        register(package)
