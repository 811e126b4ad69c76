"""Turning raw tables into validated records, collecting every problem of a run at once."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import InputError, Location, Problem
from .fields import DATA_FOLDER, PURE_PARSERS, ResidentId, check_limits
from .model import Field, FieldError, FieldType, InputData, Record, TableSpec
from .readers import DataFile, RawTable
from .spill import SpilledList
from .text import normalize_header, normalize_value

_TOTAL_MARKERS = {"合计", "总计", "小计", "total"}
#: A row whose first filled cell reads 示例 (or starts with 示例：) is an example, never data:
#: ``planforge blank`` writes one under the header of every sheet it makes.
EXAMPLE_MARK = "示例"
#: What a cell shows when its formula fails (a VLOOKUP that finds nothing gives #N/A): never a
#: value, in any column, though every reader gives it as text.
_FORMULA_ERRORS = {"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!",
                   "#CALC!", "#GETTING_DATA"}


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    if value.strip() and "\u200b" not in value and "\ufeff" not in value:
        return False  # what normalize_value removes is white space and those two: kept
    return normalize_value(value) == ""


#: How many distinct cells' outcomes a column keeps (see :class:`_Column`).
_PARSED_KEPT = 2048
#: Cells kept by their exact class and value: 1, 1.0 and True are equal but parse differently.
_KEPT_CLASSES = frozenset({str, int, bool, dt.date, dt.datetime, type(None)})
_UNCOMPUTED = ("这个单元格是公式，但文件中没有保存它的计算结果（文件由不计算公式的程序生成）；"
               "请在 Excel/WPS 中打开并保存后再试",
               "this cell holds a formula whose result was not saved in the file (it was "
               "written by a program that does not calculate formulas); open and save the "
               "file in Excel or WPS and try again")


class _Column:
    """A field bound to its column, with what parsing its cells needs looked up once.

    With a pure parser a cell's outcome depends on its value alone, so the outcomes are kept
    and a column's repeated values (男, 是, a school, empty cells) are parsed once; past
    ``_PARSED_KEPT`` distinct values (ID numbers, names) no more are kept.
    """

    __slots__ = ("field", "index", "parse", "kept")

    def __init__(self, field: Field, index: int | None, parse: Any, pure: bool):
        self.field, self.index, self.parse = field, index, parse
        self.kept: dict[tuple[type, Any], tuple[Any, tuple[str, str] | None]] | None = (
            {} if pure else None)

    def outcome(self, raw: Any) -> tuple[Any, tuple[str, str] | None]:
        """The cell's value, and what is wrong with it (Chinese, English) or None."""
        kept = self.kept
        if kept is None or raw.__class__ not in _KEPT_CLASSES:
            return self._outcome(raw)
        key = (raw.__class__, raw)
        found = kept.get(key)
        if found is None:
            found = self._outcome(raw)
            if len(kept) < _PARSED_KEPT:
                kept[key] = found
        return found

    def _outcome(self, raw: Any) -> tuple[Any, tuple[str, str] | None]:
        field = self.field
        if _is_blank(raw):
            return field.default, ("必填项为空", "required value is empty") if field.required else None
        if isinstance(raw, str) and "#" in raw and raw.strip().upper() in _FORMULA_ERRORS:
            return None, (
                f"这个单元格显示公式错误值 {raw.strip()}；请在 Excel/WPS 中改正公式或填入数值后再试",
                f"this cell shows the formula error {raw.strip()}; correct the formula or "
                "type the value in Excel or WPS and try again")
        try:
            return self.parse(raw, field), None
        except FieldError as error:
            return None, (error.zh, error.en)


class RecordBinder:
    """Applies fields to cells with the registered field types."""

    def __init__(self, field_types: Mapping[str, FieldType]):
        self.field_types = field_types

    def parse(self, raw: Any, field: Field) -> Any:
        """Parse one non-blank cell; raises FieldError."""
        try:
            field_type = self.field_types[field.type]
        except KeyError:
            raise FieldError(
                f"字段类型「{field.type}」未注册", f"field type {field.type!r} is not registered"
            ) from None
        value = field_type.parse(raw, field)
        check_limits(value, field)
        return value

    def _column(self, field: Field, index: int | None) -> _Column:
        """How the field's cells are parsed: by :meth:`parse`, or straight by its type's parser
        when that is all :meth:`parse` would do (the type is registered, the field sets no
        limits, and :meth:`parse` is not overridden)."""
        field_type = self.field_types.get(field.type)
        if field_type is None:
            return _Column(field, index, self.parse, False)
        unlimited = not (field.choices or field.pattern) and (
            field.min, field.max, field.max_length) == (None, None, None)
        direct = unlimited and type(self).parse is RecordBinder.parse
        return _Column(field, index, field_type.parse if direct else self.parse,
                       field_type.parse in PURE_PARSERS)

    def columns(self, table: RawTable, spec: TableSpec) -> tuple[dict[str, int], list[Problem]]:
        """Map each field to the column whose header is one of its names."""
        positions = {normalize_header(h): i for i, h in reversed(list(enumerate(table.headers)))}
        found: dict[str, int] = {}
        problems = []
        for field in spec.fields:
            index = next(
                (positions[n] for n in map(normalize_header, field.headers()) if n in positions),
                None,
            )
            if index is not None:
                found[field.name] = index
            elif field.required:
                names = "、".join(dict.fromkeys(field.headers()))
                problems.append(
                    Problem(
                        f"缺少必需的列「{field.label}」（可用的列名：{names}）",
                        f"required column {field.label!r} is missing (accepted headers: {names})",
                        table.where(table.header_row or None),
                    )
                )
        return found, problems

    def bind(self, table: RawTable, spec: TableSpec) -> tuple[SpilledList, list[Problem]]:
        columns, problems = self.columns(table, spec)
        if problems:
            return [], problems
        token = DATA_FOLDER.set(Path(table.file).resolve().parent)
        try:
            return self._bind_rows(table, spec, columns)
        finally:
            DATA_FOLDER.reset(token)

    def _bind_rows(self, table: RawTable, spec: TableSpec,
                   columns: dict[str, int]) -> tuple[SpilledList, list[Problem]]:
        """Bind the rows as the reader yields them; a Location is made only for a problem.
        A long table's records go to disk as they are bound (:mod:`.spill`).

        Blank, total and example rows are skipped; a signature footer (see :func:`_is_footer`) ends
        the table, and a valid record below it is reported rather than read or dropped.
        """
        problems: list[Problem] = []
        records = SpilledList()
        plan = [self._column(field, columns.get(field.name)) for field in spec.fields]
        bound = set(columns.values())
        matches_id = any(field.matches_id for field in spec.fields)
        footer: int | None = None
        for number, cells in table.rows:
            formulas = table.uncomputed.get(number, set()) & bound if table.uncomputed else set()
            first = _first_filled(cells)
            if (first is None and not formulas) or _is_marker(first):
                continue
            values, found = self._row(table, number, cells, plan, formulas)
            if matches_id:
                found.extend(_sex_matches_id(spec, values, table, number, columns))
            if _is_footer(first, found, below_footer=footer is not None):
                footer = footer or number
                continue
            if footer is not None:
                if not found:
                    problems.append(Problem(
                        f"这一行在表尾签名行（第{footer}行）之下，未作为数据读取；如是数据，请移到签名行之上",
                        f"this row lies below the signature footer (row {footer}) and was not "
                        "read; move it above the footer if it is data", table.where(number)))
                continue
            problems.extend(found)
            records.append(Record(values, table.where(number)))
        problems.extend(_unique_values(spec, records, table, columns))
        return records, problems

    def _row(self, table: RawTable, number: int, cells: Sequence[Any],
             plan: list[_Column], formulas: set[int]) -> tuple[dict[str, Any], list[Problem]]:
        """One row's values and problems."""
        values: dict[str, Any] = {}
        problems = []
        width = len(cells)
        for column in plan:
            field, index, kept = column.field, column.index, column.kept
            if formulas and index in formulas:
                value, wrong = None, _UNCOMPUTED
            else:
                raw = cells[index] if index is not None and index < width else None
                found = kept.get((raw.__class__, raw)) if kept and (
                    raw.__class__ in _KEPT_CLASSES) else None  # a repeated value, parsed before
                value, wrong = found or column.outcome(raw)
            values[field.name] = value
            if wrong is not None:
                problems.append(Problem(*wrong, _cell(table, number, field, index)))
        return values, problems

    def settings(self, fields: Iterable[Field], raw: Mapping[str, Any], origin: str,
                 declared_elsewhere: Collection[str] = ()) -> dict:
        """Parse ``--set`` values and settings files with the same types as cells.

        A key that names no setting (by name or label) is refused with the closest one, since a
        misspelt ``reveiwer`` would otherwise leave 审核人 blank without a word; keys in
        ``declared_elsewhere`` (settings of other targets, as in one file shared by a county's
        and a city's run) are let through.
        """
        fields = tuple(fields)
        problems = _unknown_settings(fields, raw, origin, declared_elsewhere)
        values = dict(raw)
        for field in fields:
            value = raw.get(field.name, raw.get(field.label))
            where = Location(origin, setting=field.name)
            if _is_blank(value):
                if field.required and field.default is None:
                    problems.append(
                        Problem(
                            f"缺少设置项「{field.name}」（{field.label}），请用 --set {field.name}=… 给出",
                            f"setting {field.name!r} ({field.label}) is missing; "
                            f"give it with --set {field.name}=…",
                            where,
                        )
                    )
                values[field.name] = field.default
                continue
            if isinstance(value, Mapping | list) and field.type != "text":
                problems.append(Problem(f"设置项「{field.name}」应为单个值，而不是列表或键值表",
                                        f"setting {field.name!r} must be a single value, not a "
                                        "list or mapping", where))
                continue
            try:
                values[field.name] = value if isinstance(value, Mapping | list) else (
                    self.parse(value, field)
                )
            except FieldError as error:
                problems.append(Problem(error.zh, error.en, where))
        if problems:
            raise InputError(problems)
        return values

    def load(self, files: Iterable[Path], specs: Iterable[TableSpec]) -> InputData:
        """Read every table of every file; raise one InputError listing all problems."""
        files = tuple(Path(f) for f in files)
        specs = tuple(specs)
        tables: dict[str, SpilledList] = {spec.name: SpilledList() for spec in specs}
        bad_rows: dict[str, set[tuple[str, str, int | None]]] = {spec.name: set() for spec in specs}
        found_in: set[str] = set()
        problems: list[Problem] = []
        warnings: list[Problem] = []
        whole_file_problem = False
        if not files:
            raise InputError(Problem("没有给出数据文件", "no data file was given"))
        for path in files:
            # A workbook is loaded once for all its tables, and their rows are bound as they are
            # read. A file found unreadable (even halfway through a sheet) is one problem, and no
            # more of its tables are read.
            with DataFile(path) as source:
                for position, spec in enumerate(specs):
                    try:
                        raw = source.table(spec, primary=position == 0)
                        if raw is None:
                            continue
                        records, found = self.bind(raw, spec)
                    except InputError as error:
                        problems.extend(error.problems)
                        whole_file_problem = True
                        break
                    found_in.add(spec.name)
                    warnings.extend(raw.warnings)  # complete now that the rows are read
                    if tables[spec.name]:
                        tables[spec.name].extend(records)
                    else:
                        tables[spec.name] = records
                    problems.extend(found)
                    whole_file_problem |= any(p.where.row is None for p in found)
                    bad_rows[spec.name].update((p.where.file, p.where.sheet, p.where.row)
                                               for p in found)
        if not whole_file_problem:  # an unreadable file may have held the table
            problems.extend(_missing_tables(specs[1:], found_in, files))
        for spec in specs[:1]:
            if not problems and not tables[spec.name]:
                problems.append(
                    Problem("数据文件中没有任何数据行", "the data files contain no data rows",
                            Location(", ".join(map(str, files))))
                )
        if problems:
            partial = None if whole_file_problem else InputData(
                {name: [r for r in rows if (r.where.file, r.where.sheet, r.where.row)
                        not in bad_rows[name]] for name, rows in tables.items()},
                files, warnings=warnings)
            raise InvalidData(problems, partial)
        return InputData(tables, files, warnings=warnings)


class InvalidData(InputError):
    """The problems of the data, and the rows that had none: a plugin's own checks (its
    ``prepare``) run on those too, so every problem is reported in one go. ``data`` is None when
    a whole file or table could not be read."""

    def __init__(self, problems: list[Problem], data: InputData | None):
        super().__init__(problems)
        self.data = data


def _missing_tables(specs: Iterable[TableSpec], found: set[str],
                    files: tuple[Path, ...]) -> list[Problem]:
    """A required further table (a second sheet) that no data file holds is a problem, not an
    empty list that fills empty forms."""
    problems = []
    for spec in specs:
        if spec.required and spec.name not in found:
            sheets = "、".join(spec.sheets) or spec.name
            problems.append(Problem(
                f"缺少必需的表「{spec.title or spec.name}」：数据文件中没有名为 {sheets} 的工作表",
                f"the required table {spec.title or spec.name!r} is missing: no data file holds a "
                f"sheet named {sheets}", Location(", ".join(map(str, files)))))
    return problems


def _unknown_settings(fields: tuple[Field, ...], raw: Mapping[str, Any], origin: str,
                      declared_elsewhere: Collection[str]) -> list[Problem]:
    """A problem for each key that is neither a setting's name nor its label, with a guess."""
    known = [name for field in fields for name in (field.name, field.label)]
    problems = []
    for key in raw:
        if str(key) in known or str(key) in declared_elsewhere:
            continue
        guess = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
        hint_zh = f"；是不是「{guess[0]}」？" if guess else ""
        hint_en = f"; did you mean {guess[0]!r}?" if guess else ""
        names = "、".join(field.name for field in fields) or "（无）"
        problems.append(Problem(
            f"未知的设置项「{key}」{hint_zh}（可用的设置项：{names}）",
            f"unknown setting {str(key)!r}{hint_en} (settings: {names})",
            Location(origin, setting=str(key))))
    return problems


def _first_filled(cells: Sequence[Any]) -> Any:
    return next((c for c in cells if not _is_blank(c)), None)


def _is_marker(first: Any) -> bool:
    """Total rows (合计…) and example rows (示例：…) say so in their first filled cell; they are
    not data."""
    if not isinstance(first, str):  # a number, date or yes/no reads as no marker
        return False
    marker = normalize_header(first)
    return (marker in _TOTAL_MARKERS or marker == EXAMPLE_MARK
            or marker.startswith(EXAMPLE_MARK + ":"))


#: Who signs or dates a form below its table: 填表人：…  审核人：…  填表日期：…
_SIGNATURE_LABELS = ("填表人", "填报人", "制表人", "审核人", "审批人", "复核人", "经办人", "负责人",
                     "单位负责人", "主管领导", "联系人", "联系电话", "填表日期", "填报日期", "制表日期",
                     "审核日期", "填报单位", "填表单位", "单位盖章", "盖章", "签名", "签字", "注",
                     "说明", "备注")
_SIGNATURE_LABEL = "|".join(sorted(_SIGNATURE_LABELS, key=len, reverse=True))
_SIGNATURE = re.compile(rf"(?:{_SIGNATURE_LABEL})\s*(?:[（(][^）)]*[）)])?\s*(?P<colon>[:：])?")


def _is_footer(first: Any, problems: list[Problem], below_footer: bool) -> bool:
    """Whether a row is a signature footer, the first of which ends the table.

    Its first filled cell starts with a signature label and a colon (填表人：张三), which no data
    value does; or holds just a label (填表人, its name in the next cell) on a row that does not
    read as a valid record, or that lies below another footer row.
    """
    if not isinstance(first, str):
        return False
    text = normalize_value(first)
    match = _SIGNATURE.match(text)
    if match is None:
        return False
    alone = match.end() == len(text)
    return match.group("colon") is not None or (alone and (bool(problems) or below_footer))


def _cell(table: RawTable, row: int, field: Field, index: int | None) -> Location:
    """Where a field's cell is: its column's header as the clerk wrote it, else the label."""
    return table.where(row, table.headers[index] if index is not None else field.label)


def _sex_matches_id(spec: TableSpec, values: dict, table: RawTable, row: int,
                    columns: dict[str, int]) -> list[Problem]:
    """A sex that disagrees with the ID number its field names (``Field.matches_id``)."""
    problems = []
    for field in spec.fields:
        sex, number = values.get(field.name), values.get(field.matches_id or "")
        if sex and isinstance(number, ResidentId) and sex != number.sex:
            problems.append(Problem(
                f"性别「{sex}」与身份证号码（{number.sex}性）不符",
                f"sex {sex!r} disagrees with the ID number "
                f"({'male' if number.sex == '男' else 'female'})",
                table.where(row, table.headers[columns[field.name]])))
    return problems


def _unique_values(spec: TableSpec, records: list[Record], table: RawTable,
                   columns: dict[str, int]) -> list[Problem]:
    problems = []
    for field in (f for f in spec.fields if f.unique):
        seen: dict[Any, int] = {}
        for record in records:
            value = record.values.get(field.name)
            if value is None:
                continue
            if value in seen:
                problems.append(
                    Problem(
                        f"「{value}」与第{seen[value]}行重复",
                        f"{value!r} repeats row {seen[value]}",
                        table.where(record.where.row, table.headers[columns[field.name]]),
                    )
                )
            else:
                seen[value] = record.where.row
    return problems
