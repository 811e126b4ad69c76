"""From the validated roster to what the forms show: checks, amounts, totals and materials.

Breaking a rule of the notice is an error naming the file, sheet, row and column, and nothing is
written; what a clerk may still fix before the deadline (missing scans, a late date) is a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from planforge import WHERE_KEY, InputData, InputError, Location, Problem, Record, rmb_upper

from . import materials as mat
from .rules import (
    CITY,
    PROVINCE,
    RETIRED,
    Level,
    debt_qualifies,
    level_for,
    recently_aided,
    retired_excess,
)

#: The context key holding each teacher's material files (paths), for the 专项档案 command.
FILES_KEY = "material_files"


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _at(record: Record, column: str) -> Location:
    where = record.where
    return Location(where.file, where.sheet, where.row, column)


def warn(problems: list[Problem]) -> None:
    """Warnings go to stderr; the run goes on."""
    for problem in problems:
        click.echo(f"警告 / warning: {problem}", err=True)


def level_of(settings: Mapping[str, Any]) -> Level:
    return level_for(settings["level"], settings.get("debt_min"), settings.get("grant"))


def check_record(record: Record, level: Level, year: int) -> list[Problem]:
    """The rules one teacher must meet."""
    problems = []
    debt = record["debt"]
    if debt is not None and not debt_qualifies(debt, level):
        problems.append(Problem(
            f"负债{_money(debt)}元，低于{level.name}特困教师资助要求的{_money(level.debt_min)}元（含）",
            f"debt of {_money(debt)} yuan is below the {_money(level.debt_min)} yuan "
            f"{'provincial' if level.name == PROVINCE else 'city'} aid requires",
            _at(record, "负债金额")))
    requested = record["requested"]
    if requested is not None and requested != level.grant:
        problems.append(Problem(
            f"申请金额{_money(requested)}元与{level.name}资助标准不符：每人一次性{_money(level.grant)}元",
            f"requested {_money(requested)} yuan, but {level.name} aid is a one-off "
            f"{_money(level.grant)} yuan per teacher",
            _at(record, "申请金额")))
    last = record["last_aid_year"]
    if recently_aided(last, year, level):
        problems.append(Problem(
            f"{last}年已获省级资助：省级资助对象须为前两年未接受过省级资助的教师",
            f"aided by the province in {last}: provincial aid goes only to teachers not aided "
            "by it in the two years before",
            _at(record, "上次获省级资助年份")))
    return problems


def check_full_time(records: list[Record], level: Level) -> list[Problem]:
    """省级资助的教师对象为……学校专任教师 (seed 003 line 51): 是否专任 must say 是 for each."""
    if not level.full_time_only:
        return []
    if all(r["full_time"] is None for r in records):
        return [Problem(
            f"{level.name}资助对象须为专任教师：请增加「是否专任」列，逐人填写 是/否",
            "provincial aid goes to full-time teachers only: add a 是否专任 column and fill it "
            "in (是/否) for every teacher",
            Location(records[0].where.file, records[0].where.sheet, column="是否专任"))]
    problems = []
    for record in records:
        if record["full_time"] is None:
            problems.append(Problem(
                f"未填是否专任：{level.name}资助对象须为专任教师",
                "是否专任 is empty; provincial aid goes to full-time teachers only",
                _at(record, "是否专任")))
        elif not record["full_time"]:
            problems.append(Problem(
                f"「{record['name']}」不是专任教师：{level.name}资助对象须为学校专任教师",
                f"{record['name']} is not a full-time teacher; provincial aid goes to "
                "full-time teachers only", _at(record, "是否专任")))
    return problems


def check_city_plan(records: list[Record], level: Level,
                    settings: Mapping[str, Any]) -> list[Problem]:
    """市级资助计划80名,资助金40万元 (seed 003 line 45): more people or money than the plan."""
    if level.name != CITY:
        return []
    quota, budget = settings.get("city_quota"), settings.get("city_budget")
    where = Location(records[0].where.file, records[0].where.sheet)
    problems = []
    if quota is not None and len(records) > quota:
        problems.append(Problem(
            f"共{len(records)}人，超过市级资助计划{quota}名（设置 city_quota）",
            f"{len(records)} teachers exceed the city plan of {quota} (setting city_quota)", where))
    total = level.grant * len(records)
    if budget is not None and total > budget:
        problems.append(Problem(
            f"资助金合计{_money(total)}元，超过市级资助金额度{_money(budget)}元（设置 city_budget）",
            f"the aid of {_money(total)} yuan in all exceeds the city budget of {_money(budget)} "
            "yuan (setting city_budget)", where))
    return problems


def check_retired(records: list[Record], level: Level, exception: bool) -> list[Problem]:
    """退休教师比例原则上省级不超过5%、市级不超过10%: an error unless an exception is approved."""
    retired = sum(1 for r in records if r["status"] == RETIRED)
    excess = retired_excess(retired, len(records), level)
    if not excess:
        return []
    share = f"{level.retired_share * 100:.0f}%"
    allowed = level.retired_allowed(len(records))
    return [Problem(
        f"退休教师{retired}人，超过{level.name}资助{share}的比例（{len(records)}人中至多{allowed}人）；"
        "如经批准可超比例，请设置 --set retired_exception=是",
        f"{retired} retired teachers exceed the {share} share of {level.name} aid (at most "
        f"{allowed} of {len(records)}); if an exception was approved, set retired_exception=yes",
        Location(records[0].where.file, records[0].where.sheet, column="人员类别"))]


@dataclass
class Folders:
    """The materials folder given with ``--set materials=DIR``, matched to teachers."""

    root: Path | None
    found: list[mat.Found]


def match_folders(records: list[Record], root: Path | None) -> tuple[Folders, list[Problem],
                                                                      list[Problem]]:
    """Each teacher's sub-folder; returns (folders, errors, warnings)."""
    if root is None:
        return Folders(None, [mat.scan(None) for _ in records]), [], []
    where = Location("--set", column="materials")
    if not root.is_dir():
        return Folders(root, []), [Problem(f"材料文件夹「{root}」不存在",
                                           f"the materials folder {str(root)!r} does not exist",
                                           where)], []
    candidates = mat.teacher_folders(root, [(r["name"], r["id_number"]) for r in records])
    claimed: dict[Path, list[int]] = {}
    for index, folders in candidates.items():
        for folder in folders:
            claimed.setdefault(folder, []).append(index)
    errors, warnings, found = [], [], []
    for index, record in enumerate(records):
        own = [f for f in candidates[index] if len(claimed[f]) == 1]
        shared = [f for f in candidates[index] if len(claimed[f]) > 1]
        if shared and not own:
            errors.append(Problem(
                f"文件夹「{shared[0].name}」可能属于多位同名教师；请在文件夹名中加上身份证号码",
                f"folder {shared[0].name!r} may belong to several teachers of that name; put the "
                "ID number into the folder name", _at(record, "姓名")))
        if len(own) > 1:
            errors.append(Problem(
                f"有多个文件夹对应「{record['name']}」：{'、'.join(f.name for f in own)}",
                f"several folders belong to {record['name']!r}: "
                f"{', '.join(f.name for f in own)}", _at(record, "姓名")))
        if not candidates[index]:
            warnings.append(Problem(
                f"材料文件夹中没有「{record['name']}」的子文件夹，全部材料视为缺少",
                f"the materials folder has no sub-folder for {record['name']!r}; every material "
                "counts as missing", _at(record, "姓名")))
        found.append(mat.scan(own[0] if len(own) == 1 else None))
    return Folders(root, found), errors, warnings


def material_warnings(record: Record, found: mat.Found) -> list[Problem]:
    problems = []
    missing = found.missing(record["hardship"])
    if found.folder is not None and missing:
        problems.append(Problem(f"「{record['name']}」缺少材料：{mat.labels(missing)}",
                                f"{record['name']!r} lacks: {mat.labels(missing)}",
                                _at(record, "姓名")))
    for path in found.unrecognised:
        problems.append(Problem(
            f"无法从文件名识别材料种类，未列入档案：{path.name}（文件名应含“身份证”“诊断”“票据”“公示”等字样）",
            f"cannot tell which material {path.name!r} is from its name; left out of the file",
            Location(str(path))))
    for path in found.unsupported:
        problems.append(Problem(f"不支持的文件类型，未列入档案：{path.name}",
                                f"unsupported file type, left out of the file: {path.name}",
                                Location(str(path))))
    return problems


def teacher_item(record: Record, index: int, level: Level, found: mat.Found,
                 checked: bool) -> dict[str, Any]:
    values = dict(record.values)
    id_number = values["id_number"]
    status = {m.key: (found.status(m, values["hardship"]) if checked else
                      (mat.UNCHECKED if values["hardship"] in m.needed_for else mat.NOT_NEEDED))
              for m in mat.MATERIALS}
    missing = found.missing(values["hardship"]) if checked else []
    remark = [text for text in ("退休教师" if values["status"] == RETIRED else "",
                                "非专任教师" if values.get("full_time") is False else "",
                                values.get("remark") or "") if text]
    return {
        **values,
        WHERE_KEY: record.where,
        "index": index,
        "sex": values.get("sex") or id_number.sex,
        "birth_date": id_number.birth_date,
        "requested": values["requested"] if values["requested"] is not None else level.grant,
        "approved": level.grant,
        "remark_text": "；".join(remark),
        "material_status": status,
        "missing": [m.label for m in missing],
        "missing_text": mat.labels(missing) if checked else "",
        FILES_KEY: {key: [str(p) for p in paths] for key, paths in found.files.items()},
        "folder": str(found.folder) if found.folder else "",
    }


def _total(items: list[dict[str, Any]], key: str) -> Decimal:
    return sum((item[key] or Decimal(0) for item in items), Decimal(0))


def prepare(data: InputData, settings: dict[str, Any]) -> dict[str, Any]:
    """The context of every hardship-aid form; raises InputError listing every broken rule."""
    level = level_of(settings)
    year = settings["year"]
    records = data.records
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for record in records:
        errors.extend(check_record(record, level, year))
    errors.extend(check_full_time(records, level))
    errors.extend(check_city_plan(records, level, settings))
    retired = check_retired(records, level, bool(settings.get("retired_exception")))
    (warnings if settings.get("retired_exception") else errors).extend(retired)
    root = Path(settings["materials"]).expanduser() if settings.get("materials") else None
    folders, folder_errors, folder_warnings = match_folders(records, root)
    errors.extend(folder_errors)
    if errors:
        raise InputError(errors)
    warnings.extend(folder_warnings)
    deadline = level.deadline(year)
    if settings.get("date") and settings["date"] > deadline:
        warnings.append(Problem(
            f"填报日期{settings['date']:%Y-%m-%d}晚于{level.name}材料报送截止日{deadline:%Y-%m-%d}，"
            "逾期不报将视作自动放弃",
            f"the report date {settings['date']:%Y-%m-%d} is after the {level.name} deadline "
            f"{deadline:%Y-%m-%d}; late materials count as given up",
            Location("--set", column="date")))
    checked = root is not None
    items = []
    for index, (record, found) in enumerate(zip(records, folders.found, strict=True), start=1):
        if checked:
            warnings.extend(material_warnings(record, found))
        items.append(teacher_item(record, index, level, found, checked))
    warn(warnings)
    complete = sum(1 for item in items if checked and not item["missing"])
    approved = _total(items, "approved")
    return {
        "teachers": items,
        "level": {"name": level.name, "debt_min": level.debt_min, "grant": level.grant,
                  "retired_share": level.retired_share, "deadline": deadline,
                  "funder": level.funder},
        "totals": {"count": len(items), "retired": sum(1 for i in items if i["status"] == RETIRED),
                   "debt": _total(items, "debt"), "requested": _total(items, "requested"),
                   "approved": approved, "approved_upper": rmb_upper(approved)},
        "materials": {"folder": str(root) if root else "", "checked": checked,
                      "complete": complete if checked else "—",
                      "incomplete": len(items) - complete if checked else "—",
                      "kinds": [m.label for m in mat.MATERIALS]},
        "warnings": [str(w) for w in warnings],
    }
