"""Turning raw tables into validated records, collecting every problem of a run at once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import InputError, Location, Problem
from .fields import DATA_FOLDER, ResidentId, check_limits
from .model import Field, FieldError, FieldType, InputData, Record, TableSpec
from .readers import DataFile, RawTable
from .text import normalize_header, normalize_value

_TOTAL_MARKERS = {"合计", "总计", "小计", "total"}
#: A row whose first filled cell reads 示例 (or starts with 示例：) is an example, never data:
#: ``planforge blank`` writes one under the header of every sheet it makes.
EXAMPLE_MARK = "示例"


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and normalize_value(value) == "")


class Binder:
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

    def bind(self, table: RawTable, spec: TableSpec) -> tuple[list[Record], list[Problem]]:
        columns, problems = self.columns(table, spec)
        if problems:
            return [], problems
        token = DATA_FOLDER.set(Path(table.file).resolve().parent)
        try:
            return self._bind_rows(table, spec, columns)
        finally:
            DATA_FOLDER.reset(token)

    def _bind_rows(self, table: RawTable, spec: TableSpec,
                   columns: dict[str, int]) -> tuple[list[Record], list[Problem]]:
        """Bind the rows as the reader yields them; a Location is made only for a problem."""
        problems: list[Problem] = []
        records = []
        plan = [(field, columns.get(field.name)) for field in spec.fields]
        for number, cells in table.rows:
            if _skipped(cells):
                continue
            values: dict[str, Any] = {}
            for field, index in plan:
                raw = cells[index] if index is not None and index < len(cells) else None
                if _is_blank(raw):
                    if field.required:
                        problems.append(Problem("必填项为空", "required value is empty",
                                                _cell(table, number, field, index)))
                    values[field.name] = field.default
                    continue
                try:
                    values[field.name] = self.parse(raw, field)
                except FieldError as error:
                    problems.append(Problem(error.zh, error.en, _cell(table, number, field, index)))
                    values[field.name] = None
            problems.extend(_sex_agrees_with_id(spec, values, table, number, columns))
            records.append(Record(values, table.where(number)))
        problems.extend(_unique_values(spec, records, table, columns))
        return records, problems

    def settings(self, fields: Iterable[Field], raw: Mapping[str, Any], origin: str) -> dict:
        """Parse ``--set`` values and settings files with the same types as cells."""
        problems = []
        values = dict(raw)
        for field in fields:
            value = raw.get(field.name, raw.get(field.label))
            where = Location(origin, column=field.name)
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
            try:
                values[field.name] = value if not isinstance(value, str | int | float) else (
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
        tables: dict[str, list[Record]] = {spec.name: [] for spec in specs}
        problems: list[Problem] = []
        warnings: list[Problem] = []
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
                        break
                    warnings.extend(raw.warnings)  # complete now that the rows are read
                    tables[spec.name].extend(records)
                    problems.extend(found)
        for spec in specs[:1]:
            if not problems and not tables[spec.name]:
                problems.append(
                    Problem("数据文件中没有任何数据行", "the data files contain no data rows",
                            Location(", ".join(map(str, files))))
                )
        if problems:
            raise InputError(problems)
        return InputData(tables, files, warnings=warnings)


def _skipped(cells: Sequence[Any]) -> bool:
    """Blank rows, total rows (合计…) and example rows (示例：…) whose first filled cell says
    so are not data."""
    first = next((c for c in cells if not _is_blank(c)), None)
    if first is None:
        return True
    marker = normalize_header(first)
    return (marker in _TOTAL_MARKERS or marker == EXAMPLE_MARK
            or marker.startswith(EXAMPLE_MARK + ":"))


def _cell(table: RawTable, row: int, field: Field, index: int | None) -> Location:
    """Where a field's cell is: its column's header as the clerk wrote it, else the label."""
    return table.where(row, table.headers[index] if index is not None else field.label)


def _sex_agrees_with_id(spec: TableSpec, values: dict, table: RawTable, row: int,
                        columns: dict[str, int]) -> list[Problem]:
    ids = [v for v in values.values() if isinstance(v, ResidentId)]
    sex_fields = [f for f in spec.fields if f.type == "sex" and values.get(f.name)]
    if len(ids) != 1:
        return []
    problems = []
    for field in sex_fields:
        if values[field.name] != ids[0].sex:
            header = table.headers[columns[field.name]]
            problems.append(
                Problem(
                    f"性别「{values[field.name]}」与身份证号码（{ids[0].sex}性）不符",
                    f"sex {values[field.name]!r} disagrees with the ID number "
                    f"({'male' if ids[0].sex == '男' else 'female'})",
                    table.where(row, header),
                )
            )
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
