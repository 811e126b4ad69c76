"""Re-reading a finished package: every count, total and amount recomputed from its rows.

A package leaves planforge consistent, but clerks edit the files before stamping them. This
check opens the files again (formulas as formulas: the totals are live formulas without cached
values, so sums are recomputed from the rows, and a formula must still cover every row) and
reports each disagreement with the file, sheet, row and column header, the way the city and the
province will look at them: roster vs summary, 上年 + 增加 − 减少 = 本年, amounts vs months ×
standard, 附件5 vs the counties' 附件4.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planforge import InputError, Location, Problem, normalize_header, rmb_upper

from . import rules

if TYPE_CHECKING:  # openpyxl is imported when a package is checked, not whenever plugins load
    from openpyxl.worksheet.worksheet import Worksheet
from .context import city_standard

MANIFEST = "manifest.json"
TOTAL = "合计"
UPPER = "金额合计（大写）"
COMBINED_MARK = "合订打印"
_FORMULA = re.compile(
    r"^=\s*(SUM|COUNTA)\(\s*\$?([A-Z]{1,3})\$?(\d+)\s*:\s*\$?([A-Z]{1,3})\$?(\d+)\s*\)$", re.I)

# The document types of the plugin, how their files end and how their header row starts.
ROSTER, CHANGES, SUMMARY = "gd-subsidy-roster", "gd-subsidy-changes", "gd-subsidy-county-summary"
APPLICATION, NOTICE, CITY = "gd-subsidy-application", "gd-subsidy-notice", "gd-subsidy-city-summary"
_FIRST_HEADER = {ROSTER: "序号", CHANGES: "上年人数", SUMMARY: "工作年限", CITY: "县（市、区）"}


# --------------------------------------------------------------------------- reading


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    try:
        return Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return None


def _show(value: Decimal | int) -> str:
    number = Decimal(str(value))
    return str(number.quantize(Decimal(1)) if number == number.to_integral_value()
               else number.normalize())


@dataclass
class Table:
    """A table of a filled sheet: named columns, its data rows and its 合计 row."""

    path: Path
    sheet: Worksheet
    columns: dict[str, int]  # header text -> column number
    first: int  # first row between header and total (the template row)
    rows: list[int]  # non-blank data rows
    total: int | None  # the 合计 row
    problems: list[Problem]  # shared by every table of a check

    def where(self, row: int | None, column: str | None = None) -> Location:
        """A cell of this table, as problems name it."""
        return Location(str(self.path), self.sheet.title, row, column)

    def value(self, row: int, column: str) -> Any:
        """The raw cell under a header (a formula stays a formula)."""
        return self.sheet.cell(row, self.columns[column]).value

    def text(self, row: int, column: str) -> str:
        """The cell as trimmed text, for names and ID numbers."""
        value = self.value(row, column)
        return "" if value is None else str(value).strip()

    def number(self, row: int, column: str) -> Decimal | None:
        """A cell that must hold a number; a problem is recorded when it does not."""
        value = self.value(row, column)
        number = _number(value)
        if number is None:
            self.problems.append(Problem(f"「{value}」不是数字", f"{value!r} is not a number",
                                         self.where(row, column)))
        return number

    def differs(self, row: int, column: str, expected: Decimal | int, zh: str, en: str) -> None:
        """Record a problem when the cell is not ``expected`` (the why is in zh / en)."""
        found = self.number(row, column)
        if found is not None and found != Decimal(str(expected)):
            self.problems.append(Problem(
                f"填的是{_show(found)}，应为{_show(expected)}（{zh}）",
                f"holds {_show(found)}, should be {_show(expected)} ({en})",
                self.where(row, column)))

    def check_total(self, column: str, expected: Decimal | int, what: str) -> None:
        """The 合计 cell: a formula over exactly the data rows, or a number equal to the sum."""
        if self.total is None:
            return
        from openpyxl.utils import get_column_letter

        value = self.value(self.total, column)
        letter = get_column_letter(self.columns[column])
        last = self.total - 1
        if isinstance(value, str) and value.startswith("="):
            match = _FORMULA.match(value.replace(" ", ""))
            span = (match.group(2).upper(), int(match.group(3)), match.group(4).upper(),
                    int(match.group(5))) if match else None
            if span != (letter, self.first, letter, last):
                self.problems.append(Problem(
                    f"合计公式「{value}」没有恰好覆盖全部数据行（应为 {letter}{self.first}:{letter}{last}）",
                    f"the total formula {value!r} does not cover exactly the data rows "
                    f"({letter}{self.first}:{letter}{last})", self.where(self.total, column)))
            return
        self.differs(self.total, column, expected, f"各行{what}之和", f"sum of the rows' {what}")


def _header_names(sheet: Worksheet, row: int) -> dict[str, int]:
    """Column names of a (possibly two-row, merged) header: the lower cell wins when present."""
    names: dict[str, int] = {}
    for column in range(1, sheet.max_column + 1):
        top = sheet.cell(row, column).value
        below = sheet.cell(row + 1, column).value
        name = below if isinstance(below, str) and below.strip() else top
        if isinstance(name, str) and name.strip():
            names.setdefault(name.strip(), column)
    return names


def read_table(path: Path, sheet: Worksheet, first_header: str, two_rows: bool,
               problems: list[Problem]) -> Table | None:
    """Find the header row by its first cell, then the rows down to 合计."""
    header = next((r for r in range(1, min(sheet.max_row, 40) + 1)
                   if normalize_header(sheet.cell(r, 1).value or "")
                   == normalize_header(first_header)), None)
    if header is None:
        return None
    columns = (_header_names(sheet, header) if two_rows else
               {str(c.value).strip(): c.column for c in sheet[header] if c.value is not None})
    first = header + (2 if two_rows else 1)
    total, rows = None, []
    for row in range(first, sheet.max_row + 1):
        label = sheet.cell(row, 1).value
        if isinstance(label, str) and label.strip() == TOTAL:
            total = row
            break
        if any(sheet.cell(row, c).value not in (None, "") for c in columns.values()):
            rows.append(row)
    return Table(path, sheet, columns, first, rows, total, problems)


@dataclass
class Folder:
    """A package's folder and what its manifest says each file is."""

    path: Path
    manifest: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def open(cls, path: Path) -> Folder:
        """Read the manifest if there is one; a folder without it is still checked."""
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = {}
        return cls(path, manifest if isinstance(manifest, dict) else {})

    def files(self, document_type: str) -> list[Path]:
        """Existing files the manifest lists for a document type."""
        listed = [self.path / f["path"] for f in self.manifest.get("files", [])
                  if isinstance(f, dict) and f.get("document_type") == document_type]
        return [p for p in listed if p.exists()]

    def workbook(self, document_type: str, label: str) -> tuple[Path, Any] | None:
        """The filled workbook of a document type: by the manifest, else by its header."""
        import openpyxl

        candidates = self.files(document_type) or sorted(self.path.glob("*.xlsx"))
        for path in candidates:
            try:
                book = openpyxl.load_workbook(path)
            except Exception as error:  # a damaged file is a finding, not a crash
                self.problems.append(Problem(f"无法打开：{error}", f"cannot open: {error}",
                                             Location(str(path))))
                continue
            sheet = book.worksheets[0]
            if any(normalize_header(sheet.cell(r, 1).value or "")
                   == normalize_header(_FIRST_HEADER[document_type]) for r in range(1, 12)):
                return path, book
        self.problems.append(Problem(f"文件夹中找不到{label}", f"the folder holds no {label}",
                                     Location(str(self.path))))
        return None

    def settings(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """The run's settings from the manifest, overridden by ``--set`` / ``--settings``."""
        recorded = self.manifest.get("settings")
        return {**(recorded if isinstance(recorded, dict) else {}), **given}


# --------------------------------------------------------------------------- the county


@dataclass
class Paid:
    """One row of 附件2 as read back."""

    row: int
    name: str
    id_number: str
    category: str
    years: int
    standard: Decimal
    amount: Decimal


def _standard(settings: Mapping[str, Any], problems: list[Problem]) -> rules.CityStandard | None:
    try:
        return city_standard(settings)
    except rules.RuleError as error:
        where = Location("设置 / settings", setting="city_standard")
        problems.append(Problem(error.zh, error.en, where))
        return None


def check_roster(table: Table, standard: rules.CityStandard | None) -> list[Paid]:
    """Each paid row: years = ceil(semesters / 2), standard by band, amount = months × standard."""
    paid = []
    for row in table.rows:
        semesters = table.number(row, "任教学期数")
        years = table.number(row, "工作年限（年）")
        monthly = table.number(row, "月补助标准（元）")
        months = table.number(row, "本年度发放月数")
        amount = table.number(row, "本年度补助金额（元）")
        if None in (semesters, years, monthly, months, amount):
            continue
        if years != math.ceil(semesters / 2):
            table.differs(row, "工作年限（年）", math.ceil(semesters / 2),
                          "任教学期数÷2，余1学期按1年计", "semesters / 2, a remaining one counts as a year")
        expected = rules.monthly_standard(int(years), standard or rules.CityStandard())
        if expected is not None:
            table.differs(row, "月补助标准（元）", expected, f"工作年限{_show(years)}年的标准",
                          f"the standard for {_show(years)} working years")
        if not 0 < months <= 12:
            table.problems.append(Problem(
                f"发放月数{_show(months)}不在1-12之间"
                + ("：本年度不发放的人（如12月达到年龄、次年起发放）不是本年发放对象，应列入不符合条件人员"
                   if months == 0 else ""),
                f"{_show(months)} months is not within 1-12"
                + (": someone paid nothing this year (e.g. of age in December, paid from next "
                   "year) is not this year's recipient; list them as not eligible"
                   if months == 0 else ""),
                table.where(row, "本年度发放月数")))
        table.differs(row, "本年度补助金额（元）", months * monthly, "发放月数×月补助标准",
                      "months × monthly standard")
        paid.append(Paid(row, table.text(row, "姓名"), table.text(row, "身份证号码"),
                         table.text(row, "类别"), int(years), monthly, amount))
    table.check_total("姓名", len(table.rows), "人数")
    for column, what in (("本年度发放月数", "发放月数"), ("本年度补助金额（元）", "补助金额")):
        table.check_total(column, sum((_number(table.value(r, column)) or 0 for r in table.rows),
                                      Decimal(0)), what)
    return paid


def _group(paid: Iterable[Paid]) -> dict[str, Decimal]:
    paid = list(paid)
    return {"原民办教师": Decimal(sum(p.category == rules.MINBAN for p in paid)),
            "原代课教师": Decimal(sum(p.category == rules.DAIKE for p in paid)),
            "合计": Decimal(len(paid)),
            "月补助金额（元）": sum((p.standard for p in paid), Decimal(0)),
            "本年度补助金额（元）": sum((p.amount for p in paid), Decimal(0))}


_SUMMARY_COLUMNS = ("原民办教师", "原代课教师", "合计", "月补助金额（元）", "本年度补助金额（元）",
                    "省级负担", "地方负担")


def _check_money_rows(table: Table, key: str, shared: bool | None) -> dict[str, dict[str, Decimal]]:
    """Rows of 附件4/附件5: 合计 = 民办 + 代课, 省级 + 地方 = 金额; the totals and 大写 row."""
    found: dict[str, dict[str, Decimal]] = {}
    for row in table.rows:
        values = {c: table.number(row, c) for c in _SUMMARY_COLUMNS}
        if None in values.values():
            continue
        found[table.text(row, key)] = values | {"row": Decimal(row)}
        table.differs(row, "合计", values["原民办教师"] + values["原代课教师"],
                      "原民办教师＋原代课教师", "community + substitute teachers")
        table.differs(row, "地方负担", values["本年度补助金额（元）"] - values["省级负担"],
                      "本年度补助金额－省级负担", "amount − provincial share")
        if shared is not None:
            half = (values["本年度补助金额（元）"] / 2) if shared else Decimal(0)
            table.differs(row, "省级负担", half,
                          "省、市按5:5分担" if shared else "本地区不属省级分担范围",
                          "province and city share 5:5" if shared else "the province pays no share")
    sums = {c: sum((v[c] for v in found.values()), Decimal(0)) for c in _SUMMARY_COLUMNS}
    for column in _SUMMARY_COLUMNS:
        table.check_total(column, sums[column], column)
    for row in range(table.total or 1, table.sheet.max_row + 1):
        if str(table.sheet.cell(row, 1).value or "").strip() == UPPER:
            written = str(table.sheet.cell(row, 2).value or "").strip()
            expected = rmb_upper(rules.money(sums["本年度补助金额（元）"]))
            if written != expected:
                table.problems.append(Problem(
                    f"大写金额「{written}」与合计金额{_show(sums['本年度补助金额（元）'])}元（{expected}）不符",
                    f"the amount in words {written!r} disagrees with the total "
                    f"{_show(sums['本年度补助金额（元）'])} ({expected})",
                    Location(str(table.path), table.sheet.title, row, UPPER)))
    return found


def _shared(settings: Mapping[str, Any]) -> bool | None:
    city, county = settings.get("city"), settings.get("county")
    return rules.is_shared_funding(city, county) if city or county else None


def check_summary(table: Table, paid: list[Paid], settings: Mapping[str, Any]) -> None:
    """附件4 band by band against 附件2's rows."""
    rows = _check_money_rows(table, "工作年限", _shared(settings))
    for _low, _high, _std, band in rules.BANDS:
        expected = _group(p for p in paid if rules.band_of(p.years) == band)
        if band not in rows:
            if expected["合计"]:
                table.problems.append(Problem(
                    f"缺少「{band}」一行（名册中有{_show(expected['合计'])}人）",
                    f"the row of band {band!r} is missing ({_show(expected['合计'])} on the roster)",
                    table.where(None, "工作年限")))
            continue
        row = int(rows[band]["row"])
        for column, value in expected.items():
            table.differs(row, column, value, f"名册表中{band}人员的{column}",
                          f"{column} of the roster's {band} rows")


def check_changes(path: Path, sheet: Worksheet, paid: list[Paid], problems: list[Problem]) -> None:
    """附件3: 上年 + 增加 − 减少 = 本年 = 名册人数, the detail rows agree with the counts, and
    nobody is added who was not on last year's roster unless as an approved 补报 (只减不增)."""
    head = next((r for r in range(1, 20) if sheet.cell(r, 1).value == "上年人数"), None)
    table = Table(path, sheet, {}, 1, [], None, problems)
    if head is None:
        problems.append(Problem("找不到“上年人数”一行", "the row of headline counts is missing",
                                table.where(None)))
        return
    counts: dict[str, tuple[int, Decimal | None]] = {}
    for column in range(1, sheet.max_column + 1):
        name = sheet.cell(head, column).value
        if isinstance(name, str) and name.strip() in ("上年人数", "本年增加", "本年减少", "本年人数"):
            counts[name.strip()] = (column, _number(sheet.cell(head + 1, column).value))
    where = {k: Location(str(table.path), sheet.title, head + 1, k) for k in counts}
    if len(counts) < 4 or None in (v for _, v in counts.values()):
        table.problems.append(Problem("上年人数、本年增加、本年减少、本年人数应为数字",
                                      "the four headline counts must be numbers",
                                      table.where(head + 1)))
        return
    last, added, removed, this = (counts[k][1] for k in ("上年人数", "本年增加", "本年减少", "本年人数"))
    if last + added - removed != this:
        table.problems.append(Problem(
            f"上年人数{_show(last)}＋本年增加{_show(added)}－本年减少{_show(removed)}"
            f"＝{_show(last + added - removed)}，而本年人数填的是{_show(this)}",
            f"last year {_show(last)} + added {_show(added)} − removed {_show(removed)} = "
            f"{_show(last + added - removed)}, but this year says {_show(this)}", where["本年人数"]))
    if this != len(paid):
        table.problems.append(Problem(f"本年人数{_show(this)}与名册表人数{len(paid)}不符",
                                      f"this year's count {_show(this)} disagrees with the "
                                      f"roster's {len(paid)} people", where["本年人数"]))
    detail = read_table(path, sheet, "序号", False, problems)
    if detail is None:
        problems.append(Problem("找不到增减人员明细", "the list of changes is missing",
                                table.where(None)))
        return
    on_roster = {p.id_number for p in paid}
    kinds = {"增加": 0, "减少": 0}
    for row in detail.rows:
        kind, id_number = detail.text(row, "增减"), detail.text(row, "身份证号码")
        if kind not in kinds:
            detail.problems.append(Problem(f"「{kind}」应为“增加”或“减少”",
                                           f"{kind!r} must be 增加 or 减少", detail.where(row, "增减")))
            continue
        kinds[kind] += 1
        if kind == "增加" and id_number not in on_roster:
            detail.problems.append(Problem("增加的人员不在名册表中", "an added person is not on the roster",
                                           detail.where(row, "身份证号码")))
        if kind == "增加" and detail.text(row, "原因") == rules.NOT_ON_LAST_LIST:
            detail.problems.append(Problem(
                f"{detail.text(row, '姓名')}不在上年名单中却列为增加：只减不增（seed 003:195），"
                "经审核同意的补报人员请在名册「补报」列填“是”后重新生成",
                f"{detail.text(row, '姓名')} is added but was not on last year's roster: the list "
                "only shrinks (seed 003:195); mark an approved late application 补报 and fill again",
                detail.where(row, "原因")))
        if kind == "减少" and id_number in on_roster:
            detail.problems.append(Problem("减少的人员仍在名册表中", "a removed person is still on the roster",
                                           detail.where(row, "身份证号码")))
    for name, kind in (("本年增加", "增加"), ("本年减少", "减少")):
        if counts[name][1] != kinds[kind]:
            table.problems.append(Problem(
                f"{name}{_show(counts[name][1])}人，而明细中有{kinds[kind]}行“{kind}”",
                f"{name} says {_show(counts[name][1])} but the list has {kinds[kind]} rows "
                f"of {kind}",
                where[name]))
    detail.check_total("姓名", len(detail.rows), "人数")


def _ineligible(path: Path, book: Any, paid: list[Paid], problems: list[Problem]) -> None:
    """Nobody is both paid and listed as not eligible."""
    if "不符合条件人员" not in book.sheetnames:
        return
    table = read_table(path, book["不符合条件人员"], "序号", False, problems)
    if table is None:
        return
    on_roster = {p.id_number for p in paid}
    for row in table.rows:
        id_number = table.text(row, "身份证号码")
        if id_number in on_roster:
            problems.append(Problem("此人同时在名册（发放对象）中", "this person is also on the paid roster",
                                    table.where(row, "身份证号码")))
    table.check_total("姓名", len(table.rows), "人数")


#: Words of a refusal that a public notice must never print (the person's record is private).
SENSITIVE = ("刑事", "犯罪", "开除", "辞退", "解除聘用", "不良记录", "违法", "违纪")


def _sensitive_on_notice(path: Path, document: Any, problems: list[Problem]) -> None:
    """A public notice that names a criminal record or a dismissal exposes the person."""
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    found = sorted({w for text in texts for w in SENSITIVE if w in text})
    if found:
        problems.append(Problem(
            f"公示名单中出现不宜公开的内容（{'、'.join(found)}）：不符合条件的原因和个人记录不得公示",
            f"the public notice shows private matters ({', '.join(found)}): reasons of refusal "
            "and personal records must not be posted", Location(str(path))))


def _check_word(folder: Folder, paid: list[Paid]) -> None:
    from docx import Document

    forms = [p for p in folder.files(APPLICATION) if COMBINED_MARK not in p.name]
    if folder.files(APPLICATION) and len(forms) != len(paid):
        folder.problems.append(Problem(
            f"申请表有{len(forms)}份，名册表有{len(paid)}人", f"{len(forms)} application forms for "
            f"{len(paid)} people on the roster",
            Location(str(forms[0].parent if forms else folder.path))))
    for path in folder.files(NOTICE):
        document = Document(str(path))
        _sensitive_on_notice(path, document, folder.problems)
        table = document.tables[0]
        names = [row.cells[1].text.strip() for row in table.rows[1:]]
        if names != [p.name for p in paid]:
            missing = sorted({p.name for p in paid} - set(names))
            extra = sorted(set(names) - {p.name for p in paid})
            folder.problems.append(Problem(
                f"公示名单（{len(names)}人）与名册表（{len(paid)}人）不一致；名册有而公示无："
                f"{'、'.join(missing) or '无'}；公示有而名册无：{'、'.join(extra) or '无'}",
                f"the notice ({len(names)}) disagrees with the roster ({len(paid)}); missing: "
                f"{', '.join(missing) or 'none'}; extra: {', '.join(extra) or 'none'}",
                Location(str(path), column="姓名")))


def county_problems(path: Path, settings: Mapping[str, Any]) -> tuple[list[Problem], dict]:
    """Check a county package; also return its 附件4 band rows for the city check."""
    folder = Folder.open(path)
    values = folder.settings(settings)
    problems = folder.problems
    standard = _standard(values, problems)
    found = folder.workbook(ROSTER, "附件2 名册表")
    if found is None:
        return problems, {}
    roster = read_table(found[0], found[1].worksheets[0], "序号", False, problems)
    if roster is None:
        problems.append(Problem("名册表中找不到表头", "no header row in the roster",
                                Location(str(found[0]))))
        return problems, {}
    paid = check_roster(roster, standard)
    _ineligible(found[0], found[1], paid, problems)
    bands: dict = {}
    summary = folder.workbook(SUMMARY, "附件4 人数汇总表")
    if summary is not None:
        table = read_table(summary[0], summary[1].worksheets[0], "工作年限", True, problems)
        if table is not None:
            check_summary(table, paid, values)
            bands = {c: sum((_number(table.value(r, c)) or 0 for r in table.rows), Decimal(0))
                     for c in _SUMMARY_COLUMNS}
    changes = folder.workbook(CHANGES, "附件3 增减情况表")
    if changes is not None:
        check_changes(changes[0], changes[1].worksheets[0], paid, problems)
    _check_word(folder, paid)
    return problems, {"county": values.get("county") or "", "sums": bands,
                      "file": str(summary[0]) if summary else ""}


def check_county(folder: Path, settings: Mapping[str, Any]) -> list[Problem]:
    """``planforge check gd-subsidy FOLDER``: every disagreement in a county package."""
    return county_problems(Path(folder), settings)[0]


# --------------------------------------------------------------------------- the city


def _county_folders(folder: Path, settings: Mapping[str, Any]) -> list[Path]:
    """County packages inside the city folder, plus those named by ``county_folders``."""
    found = [m.parent for m in sorted(folder.rglob(MANIFEST)) if m.parent != folder]
    named = settings.get("county_folders") or []
    if isinstance(named, str):
        named = [n for n in re.split(r"[,，;；]", named) if n.strip()]
    found += [Path(str(n).strip()) for n in named]
    result = []
    for path in found:
        if not (path / MANIFEST).is_file():
            raise InputError(Problem("不是 planforge 生成的县级材料文件夹（缺少 manifest.json）",
                                     "not a county package made by planforge (no manifest.json)",
                                     Location(str(path))))
        if Folder.open(path).manifest.get("target") == "gd-subsidy" and path not in result:
            result.append(path)
    return result


def check_city(folder: Path, settings: Mapping[str, Any]) -> list[Problem]:
    """``planforge check gd-subsidy-city FOLDER``: 附件5 itself, and against every county's 附件4.

    County packages are found in sub-folders of FOLDER (or named with
    ``--set county_folders=DIR1,DIR2``); each is checked as well.
    """
    city = Folder.open(Path(folder))
    problems = city.problems
    found = city.workbook(CITY, "附件5 市级人数汇总表")
    if found is None:
        return problems
    table = read_table(found[0], found[1].worksheets[0], "县（市、区）", True, problems)
    if table is None:
        problems.append(Problem("附件5中找不到表头", "no header row in annex 5", Location(str(found[0]))))
        return problems
    rows = _check_money_rows(table, "县（市、区）", None)
    counties = _county_folders(Path(folder), city.settings(settings))
    for path in counties:
        found_problems, summary = county_problems(path, {})
        problems.extend(found_problems)
        name = summary.get("county", "")
        key = next((k for k in rows if normalize_header(k) == normalize_header(name)), None)
        if key is None:
            problems.append(Problem(f"附件5中没有「{name}」一行（其附件4在 {path}）",
                                    f"annex 5 has no row for {name!r} (its annex 4 is in {path})",
                                    table.where(None, "县（市、区）")))
            continue
        for column in _SUMMARY_COLUMNS:
            if column in summary["sums"]:
                table.differs(int(rows[key]["row"]), column, summary["sums"][column],
                              f"{name}附件4的{column}", f"{column} of {name}'s annex 4")
    if counties:
        checked = {normalize_header(Folder.open(p).settings({}).get("county") or "")
                   for p in counties}
        for name, values in rows.items():
            if normalize_header(name) not in checked:
                problems.append(Problem(f"找不到「{name}」的县级材料（附件4）以核对",
                                        f"no county package (annex 4) of {name!r} to compare with",
                                        table.where(int(values["row"]), "县（市、区）")))
    return problems
