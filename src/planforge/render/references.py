"""Where every reference in a workbook points once a sheet's marked row became many rows.

Both Excel writers (in memory and streamed) insert ``shift`` rows after a sheet's marked row.
Whatever pointed at those rows must follow, or a 汇总 sheet keeps summing one person: formulas on
any sheet, defined names, print areas and titles, data validations, conditional formats, merged
cells, hyperlinks, tables, page breaks, and the anchors and series of pictures and charts.

The rule is Excel's own for inserted rows: a range that ends on (or spans) the marked row grows
to the filled rows; a reference below it moves down; one above it stays. A single cell in a
formula that names the marked row keeps naming the first record (as in Excel); the cells a
validation or format covers grow. Formulas are read with openpyxl's tokenizer, so text, names
and quoted sheet names are never mistaken for references.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from openpyxl.chart.data_source import NumRef, StrRef
from openpyxl.descriptors.base import Descriptor
from openpyxl.descriptors.serialisable import Serialisable
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.worksheet import Worksheet

MAX_COLUMNS, MAX_ROWS = 16_384, 1_048_576
#: One end of a reference: ``$C$4``, ``C4``, a whole column ``$C`` or a whole row ``4``.
_END = re.compile(r"^(\$?)([A-Za-z]{1,3})?(\$?)([0-9]+)?$")


class UnreadableFormula(ValueError):
    """A formula openpyxl's tokenizer cannot read (Excel would not have saved it)."""


@dataclass(frozen=True)
class Insertion:
    """``shift`` rows added right after ``marked_row`` (1-based) of one sheet."""

    marked_row: int
    shift: int

    def moved(self, first: int, last: int, grow: bool) -> tuple[int, int]:
        """Rows ``first..last`` after the insertion; ``grow``: a range ending on the marked
        row takes in the new rows."""
        if first > self.marked_row:
            first += self.shift
        if last > self.marked_row or (grow and last == self.marked_row):
            last += self.shift
        return first, last


def _split_sheet(operand: str) -> tuple[str, str | None, str]:
    """``'名 册'!C4:C9`` → (``'名 册'!``, ``名 册``, ``C4:C9``); no sheet → ("", None, operand)."""
    if operand.startswith("'"):
        index = 1
        while index < len(operand):
            if operand[index] == "'":
                if operand[index + 1:index + 2] == "'":
                    index += 2
                    continue
                break
            index += 1
        if operand[index + 1:index + 2] != "!":
            return "", None, operand
        return operand[:index + 2], operand[1:index].replace("''", "'"), operand[index + 2:]
    if "!" in operand:
        sheet, _, area = operand.partition("!")
        return sheet + "!", sheet, area
    return "", None, operand


def _on_a_sheet(end: re.Match) -> bool:
    """Whether a reference's end lies on a sheet (Excel has columns to XFD, 1,048,576 rows)."""
    column, row = end.group(2), end.group(4)
    return ((column is None or column_index_from_string(column.upper()) <= MAX_COLUMNS)
            and (row is None or 1 <= int(row) <= MAX_ROWS))


class ReferenceShifter:
    """Rewrites references for the rows inserted on each sheet (title → :class:`Insertion`)."""

    def __init__(self, insertions: Mapping[str, Insertion], sheet_order: Sequence[str]):
        # Excel compares sheet names without regard to case (Sheet1!A1 is sheet1!A1)
        self.insertions = {title.casefold(): i for title, i in insertions.items() if i.shift}
        self.sheet_order = [title.casefold() for title in sheet_order]

    def __bool__(self) -> bool:
        return bool(self.insertions)

    def _insertion_for(self, sheet: str) -> Insertion | None:
        """The insertion a (possibly 3D, ``一:三``) sheet reference follows: for a 3D range the
        sheet with most rows added, so the range covers every sheet's filled rows."""
        sheet = sheet.casefold()
        if ":" not in sheet:
            return self.insertions.get(sheet)
        first, _, last = sheet.partition(":")
        if first not in self.sheet_order or last not in self.sheet_order:
            return None
        start, end = sorted((self.sheet_order.index(first), self.sheet_order.index(last)))
        spanned = [self.insertions[t] for t in self.sheet_order[start:end + 1]
                   if t in self.insertions]
        return max(spanned, key=lambda i: i.shift, default=None)

    # -- formulas -------------------------------------------------------------------------
    def formula(self, text: str, host: str | None, on_marked_row: bool = False,
                grow_cells: bool = False) -> str:
        """``text`` (starting with ``=``) with its references moved. ``host`` is the sheet an
        unqualified reference means (None: leave those alone). A formula on the marked row
        itself is copied to every filled row, so its own sheet's marked row does not grow."""
        if not self.insertions:
            return text
        try:
            tokenizer = Tokenizer(text)
        except TokenizerError as error:
            raise UnreadableFormula(f"{text} ({error})") from None
        changed = False
        for token in tokenizer.items:
            if token.type == Token.OPERAND and token.subtype == Token.RANGE:
                moved = self.operand(token.value, host, on_marked_row, grow_cells)
                if moved != token.value:
                    token.value, changed = moved, True
        return tokenizer.render() if changed else text

    def expression(self, text: str | None, host: str | None, grow_cells: bool = False
                   ) -> str | None:
        """A formula stored without its ``=`` (validation lists, chart series, names);
        ``grow_cells``: a single cell on the marked row grows too (a chart's one-row series)."""
        if not text or not self.insertions:
            return text
        return self.formula("=" + text, host, grow_cells=grow_cells)[1:]

    def operand(self, operand: str, host: str | None, on_marked_row: bool = False,
                grow_cells: bool = False) -> str:
        if operand.startswith("["):
            return operand  # another workbook
        prefix, sheet, area = _split_sheet(operand)
        sheet = host if sheet is None else sheet
        insertion = self._insertion_for(sheet) if sheet is not None else None
        if insertion is None:
            return operand
        ends = area.split(":")
        if len(ends) > 2:
            return operand
        parsed = []
        for end in ends:
            own_prefix, _, bare = _split_sheet(end)  # 名册!C4:名册!C9
            match = _END.match(bare)
            if not match or not (match.group(2) or match.group(4)) or not _on_a_sheet(match):
                return operand  # a defined name (ZZZ1 too), a table's column, an error
            parsed.append((own_prefix, match))
        if len(parsed) == 1 and not (parsed[0][1].group(2) and parsed[0][1].group(4)):
            return operand  # a bare word such as a name is not a reference
        rows = [int(m.group(4)) if m.group(4) else None for _, m in parsed]
        if None in rows:
            return operand  # whole columns already cover every row
        if grow_cells and rows == [insertion.marked_row]:
            parsed, rows = parsed * 2, rows * 2
        first, last = rows[0], rows[-1]
        grow = len(rows) == 2 and not (on_marked_row and sheet.casefold() == host.casefold())
        new_low, new_high = insertion.moved(min(first, last), max(first, last), grow)
        new_rows = [new_low, new_high] if first <= last else [new_high, new_low]
        rendered = []
        for (own_prefix, match), row in zip(parsed, new_rows[:len(parsed)], strict=True):
            rendered.append(f"{own_prefix}{match.group(1)}{match.group(2) or ''}"
                            f"{match.group(3)}{row}")
        return prefix + ":".join(rendered)

    # -- cell ranges ------------------------------------------------------------------------
    def cell_range(self, bounds: CellRange, sheet: str) -> CellRange:
        """A range of cells something covers (a validation, a format, a table): one that
        reaches the marked row grows, one below moves."""
        insertion = self.insertions.get(sheet.casefold())
        if insertion is None or bounds.min_row is None:
            return bounds
        low, high = insertion.moved(bounds.min_row, bounds.max_row, grow=True)
        return CellRange(min_col=bounds.min_col, min_row=low, max_col=bounds.max_col,
                         max_row=high)

    def ranges(self, text: str, sheet: str) -> str:
        """``A4:B4 D7`` (space-separated, as ``sqref`` is written) moved."""
        return " ".join(self.cell_range(CellRange(part), sheet).coord for part in text.split())

    def row(self, row: int, sheet: str) -> int:
        """A row something starts on below the marked row moves down (1-based)."""
        insertion = self.insertions.get(sheet.casefold())
        return row + insertion.shift if insertion and row > insertion.marked_row else row

    # -- workbook parts -----------------------------------------------------------------------
    def shift_names(self, names: Iterable, host: str | None) -> None:
        for name in names:
            name.value = self.expression(name.value, host)

    def shift_sheet(self, sheet: Worksheet) -> None:
        """Everything on ``sheet`` that is not a cell value: moved in place, once per template."""
        title = sheet.title
        if sheet.print_area:
            parts = self.expression(sheet.print_area, title).split(",")
            sheet.print_area = [p.split("!")[-1].replace("$", "") for p in parts]
        if sheet.print_title_rows:
            sheet.print_title_rows = self.expression(
                sheet.print_title_rows, title).replace("$", "")
        self.shift_names(sheet.defined_names.values(), title)
        for validation in sheet.data_validations.dataValidation:
            validation.sqref = MultiCellRange(self.ranges(str(validation.sqref), title))
            validation.formula1 = self.expression(validation.formula1, title)
            validation.formula2 = self.expression(validation.formula2, title)
        formats = ConditionalFormattingList()
        for entry in sheet.conditional_formatting:
            area = self.ranges(str(entry.sqref), title)
            for rule in entry.rules:
                rule.formula = [self.expression(f, title) for f in rule.formula]
                formats.add(area, rule)
        sheet.conditional_formatting = formats
        for table in sheet.tables.values():
            table.ref = self.ranges(table.ref, title)
            if table.autoFilter is not None and table.autoFilter.ref:
                table.autoFilter.ref = self.ranges(table.autoFilter.ref, title)
        if sheet.auto_filter.ref:
            sheet.auto_filter.ref = self.ranges(sheet.auto_filter.ref, title)
        for page_break in sheet.row_breaks.brk:
            page_break.id = self.row(page_break.id, title)
        for drawing in [*sheet._images, *sheet._charts]:
            self._move_anchor(drawing, title)
        for chart in sheet._charts:
            self.shift_chart(chart, title)

    def shift_link(self, link, title: str) -> None:
        """A hyperlink to a place in the workbook (``location``, or a ``#名册!C5`` target)."""
        if link.location:
            link.location = self.expression(link.location, title)
        elif link.target and link.target.startswith("#"):
            link.target = "#" + self.expression(link.target[1:], title)

    def _move_anchor(self, drawing, title: str) -> None:
        anchor = drawing.anchor
        if isinstance(anchor, str):
            drawing.anchor = self.operand(anchor, title)
            return
        for end in (getattr(anchor, "_from", None), getattr(anchor, "to", None)):
            if end is not None:  # rows counted from 0 in drawings
                end.row = self.row(end.row + 1, title) - 1

    def shift_chart(self, chart, title: str) -> None:
        """Every series reference of a chart (values, categories, names) follows its rows; the
        cached numbers are dropped so the reader recomputes them."""
        for node in _walk(chart):
            if isinstance(node, NumRef | StrRef) and node.f:
                node.f = self.expression(node.f, title, grow_cells=True)
                if isinstance(node, NumRef):
                    node.numCache = None
                else:
                    node.strCache = None

    def shift_merges(self, sheet: Worksheet) -> None:
        """Merged areas wholly below the marked row move (those on it are repeated by the
        writer for every record)."""
        insertion = self.insertions.get(sheet.title.casefold())
        if insertion is None:
            return
        for merge in sheet.merged_cells.ranges:
            if merge.min_row > insertion.marked_row:
                merge.shift(0, insertion.shift)


def _walk(node, seen: dict[int, object] | None = None):
    """Every object inside ``node`` (a chart, whose ``_charts`` includes itself), depth first."""
    seen = {} if seen is None else seen
    if id(node) in seen:
        return
    seen[id(node)] = node  # kept alive, so that its id is not reused by a later object
    yield node
    if isinstance(node, list | tuple):
        for item in node:
            yield from _walk(item, seen)
    elif isinstance(node, Serialisable):
        for name in (*_descriptors(type(node)), "_charts"):
            child = getattr(node, name, None)
            if child is not None and not isinstance(child, str | int | float | bool):
                yield from _walk(child, seen)


def _descriptors(kind: type) -> list[str]:
    """The attributes openpyxl serialises for ``kind`` (a chart part), whatever it lists."""
    return [name for klass in kind.__mro__ for name, value in vars(klass).items()
            if isinstance(value, Descriptor)]
