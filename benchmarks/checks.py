"""Checks that a faster output is still the same output; run outside the clock.

* Word forms: the text of every paragraph (table cells included) as python-docx reads it.
* Excel roster: every cell value against the baseline's, and every template style (cell formats,
  row heights, column widths, merged cells, page set-up, print area) in the filled workbook,
  read straight from the sheet XML so 100,000 rows are checked in seconds.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

_M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# --------------------------------------------------------------------------- Word


def docx_text(path: Path) -> list[str]:
    """Every paragraph's text in document order, those inside tables included."""
    from docx import Document

    body = Document(str(path)).element.body
    return ["".join(t.text or "" for t in p.iter(f"{{{_W}}}t")) for p in body.iter(f"{{{_W}}}p")]


def manifest_forms(out: Path, document_type: str) -> list[Path]:
    """The per-record forms of a planforge output folder in record order (not the print files)."""
    import json

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return [out / f["path"] for f in manifest["files"]
            if f.get("document_type") == document_type and len(f.get("rows") or []) == 1]


def compare_forms(forms: Sequence[Path], baseline: Path, count: int, sample: int) -> dict[str, Any]:
    """Compare ``sample`` evenly spread forms of the first ``count`` with the baseline's."""
    step = max(1, count // sample) if sample else 1
    indices = sorted({*range(1, count + 1, step), count})
    different = []
    for index in indices:
        mine, theirs = docx_text(forms[index - 1]), docx_text(baseline / f"{index:05d}.docx")
        if mine != theirs:
            first = next((f"{a!r} != {b!r}" for a, b in zip(mine, theirs, strict=False) if a != b),
                         f"{len(mine)} paragraphs != {len(theirs)}")
            different.append(f"form {index}: {first}"[:200])
    return {"compared": len(indices), "identical": len(indices) - len(different),
            "first_difference": different[0] if different else ""}


# --------------------------------------------------------------------------- Excel, streamed

_ROW, _CELL = f"{{{_M}}}row", f"{{{_M}}}c"
_PAGE_TAGS = ("pageMargins", "pageSetup", "printOptions", "headerFooter", "sheetPr")
_SHEET_TAGS = (_ROW, f"{{{_M}}}mergeCell", f"{{{_M}}}cols",
               *(f"{{{_M}}}{tag}" for tag in _PAGE_TAGS))


def _read_xml(archive: zipfile.ZipFile, name: str) -> etree._Element:
    return etree.fromstring(archive.read(name))


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    workbook = _read_xml(archive, "xl/workbook.xml")
    rels = {r.get("Id"): r.get("Target") for r in
            _read_xml(archive, "xl/_rels/workbook.xml.rels").iter(f"{{{_PKG}}}Relationship")}
    paths = {}
    for sheet in workbook.iter(f"{{{_M}}}sheet"):
        target = rels[sheet.get(f"{{{_R}}}id")].lstrip("/")
        paths[sheet.get("name")] = target if target.startswith("xl/") else f"xl/{target}"
    return paths


def _rows(archive: zipfile.ZipFile, sheet: str, tags: tuple[str, ...] = (_ROW,)
          ) -> Iterator[etree._Element]:
    """The sheet's elements of ``tags`` as they end; each row is freed once handled."""
    for _event, element in etree.iterparse(archive.open(_sheet_paths(archive)[sheet]),
                                           events=("end",), tag=tags):
        yield element
        if element.tag == _ROW:
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]


def _column(reference: str) -> str:
    return reference.rstrip("0123456789")


_V, _F, _IS = f"{{{_M}}}v", f"{{{_M}}}f", f"{{{_M}}}is"


def _cell_value(cell: etree._Element, shared: list[str]) -> Any:
    kind, raw, formula, inline = cell.get("t", "n"), None, None, None
    for child in cell:
        if child.tag == _V:
            raw = child.text
        elif child.tag == _F:
            formula = child.text
        elif child.tag == _IS:
            inline = "".join(child.itertext())
    if formula:
        return "=" + formula
    if kind == "s":
        return shared[int(raw)]
    if kind == "inlineStr":
        return inline or None
    if kind == "b":
        return raw == "1"
    if kind in ("str", "e") or raw is None:
        return raw or None
    return round(float(raw), 6)


def sheet_values(path: Path, sheet: str) -> dict[int, dict[str, Any]]:
    """{row: {column: value}} with formulas as ``=…`` text and numbers as floats, blanks left out."""
    with zipfile.ZipFile(path) as archive:
        shared = []
        if "xl/sharedStrings.xml" in archive.namelist():
            shared = ["".join(si.itertext()) for si in
                      _read_xml(archive, "xl/sharedStrings.xml").iter(f"{{{_M}}}si")]
        rows: dict[int, dict[str, Any]] = {}
        for row in _rows(archive, sheet):
            values = {}
            for cell in row:
                value = _cell_value(cell, shared)
                if value is not None and value != "":
                    values[_column(cell.get("r"))] = value
            if values:
                rows[int(row.get("r"))] = values
    return rows


def compare_values(mine: Path, baseline: Path, sheets: Sequence[str]) -> dict[str, Any]:
    """Every cell value of every sheet (blank and empty text count as equal)."""
    from concurrent.futures import ProcessPoolExecutor

    rows, mismatches, first = 0, 0, ""
    with ProcessPoolExecutor(2) as pool:  # one file each: the two reads take half the time
        pairs = [(pool.submit(sheet_values, mine, sheet), pool.submit(sheet_values, baseline, sheet))
                 for sheet in sheets]
    for sheet, (left, right) in zip(sheets, pairs, strict=True):
        a, b = left.result(), right.result()
        for number in sorted({*a, *b}):
            rows += 1
            if a.get(number) != b.get(number):
                mismatches += 1
                first = first or f"{sheet} row {number}: {a.get(number)} != {b.get(number)}"[:200]
    return {"rows": rows, "mismatches": mismatches, "first_difference": first}


def _canonical(element: etree._Element) -> tuple | None:
    """An element as a hashable value ignoring attribute and child order; None when empty."""
    children = [c for c in (_canonical(c) for c in element if isinstance(c.tag, str)) if c]
    text = (element.text or "").strip()
    if not element.attrib and not children and not text:
        return None
    return (etree.QName(element).localname, tuple(sorted(element.attrib.items())), text,
            tuple(sorted(children, key=repr)))


_STYLE_IDS: dict[tuple, int] = {}


def _styles(archive: zipfile.ZipFile) -> list[int]:
    """Each cell format (xf) as an id of its number format, font, fill, border and alignment.

    Ids are shared between workbooks: equal ids mean equal formats whatever the xf index.
    """
    root = _read_xml(archive, "xl/styles.xml")
    formats = {f.get("numFmtId"): f.get("formatCode") for f in root.iter(f"{{{_M}}}numFmt")}

    def listed(tag: str, child: str) -> list[tuple | None]:
        parent = root.find(f"{{{_M}}}{tag}")
        return [] if parent is None else [_canonical(e) for e in parent.iter(f"{{{_M}}}{child}")]

    fonts, fills = listed("fonts", "font"), listed("fills", "fill")
    borders = listed("borders", "border")
    result = []
    for xf in root.find(f"{{{_M}}}cellXfs").iter(f"{{{_M}}}xf"):
        number = xf.get("numFmtId", "0")
        extras = tuple(sorted(filter(None, (_canonical(c) for c in xf
                                            if isinstance(c.tag, str))), key=repr))
        key = (formats.get(number, f"builtin {number}"), fonts[int(xf.get("fontId", 0))],
               fills[int(xf.get("fillId", 0))], borders[int(xf.get("borderId", 0))], extras)
        result.append(_STYLE_IDS.setdefault(key, len(_STYLE_IDS)))
    return result


def _print_areas(archive: zipfile.ZipFile) -> dict[str, str]:
    workbook = _read_xml(archive, "xl/workbook.xml")
    names = [s.get("name") for s in workbook.iter(f"{{{_M}}}sheet")]
    areas = {}
    for name in workbook.iter(f"{{{_M}}}definedName"):
        if name.get("name") == "_xlnm.Print_Area" and name.get("localSheetId") is not None:
            areas[names[int(name.get("localSheetId"))]] = (name.text or "").split("!")[-1]
    return areas


@dataclass
class SheetLayout:
    """What a sheet looks like, row by row: cell styles, heights, merges, columns, page set-up."""

    rows: dict[int, tuple[float | None, dict[str, int]]] = field(default_factory=dict)
    merges: set[str] = field(default_factory=set)
    columns: tuple = ()
    page: tuple = ()
    print_area_last_row: int = 0


def read_layout(path: Path, sheet: str,
                on_row: Callable[[int, float | None, dict[str, int]], None] | None = None
                ) -> SheetLayout:
    """A sheet's layout, streamed; rows go to ``on_row`` instead of being kept when given."""
    layout = SheetLayout()
    page = []
    with zipfile.ZipFile(path) as archive:
        styles = _styles(archive)
        default = styles[0]
        for element in _rows(archive, sheet, _SHEET_TAGS):
            if element.tag == _ROW:
                height = element.get("ht")
                cells = {}
                for cell in element.iter(_CELL):
                    style = styles[int(cell.get("s", 0))]
                    if style != default:
                        cells[_column(cell.get("r"))] = style
                entry = (float(height) if height else None, cells)
                if on_row:
                    on_row(int(element.get("r")), *entry)
                else:
                    layout.rows[int(element.get("r"))] = entry
                continue
            name = etree.QName(element).localname
            if name == "mergeCell":
                layout.merges.add(element.get("ref"))
            elif name == "cols":
                layout.columns = tuple(
                    (c.get("min"), c.get("max"), round(float(c.get("width", 0)), 2),
                     styles[int(c.get("style", 0))] != default)
                    for c in element)
            elif name in _PAGE_TAGS and element.getparent().tag != f"{{{_M}}}sheetPr":
                page.append(_canonical(element))
        area = _print_areas(archive).get(sheet, "")
    layout.page = (*sorted(filter(None, page), key=repr),
                   ("print area", re.sub(r"\d+$", "", area.replace("$", ""))))
    layout.print_area_last_row = int(re.search(r"(\d+)$", area).group(1)) if area else 0
    return layout


def _shift_merge(reference: str, marked: int, shift: int, offset: int = 0) -> str:
    def move(match: re.Match) -> str:
        row = int(match.group(2))
        if offset:
            row += offset
        elif row > marked:
            row += shift
        return f"{match.group(1)}{row}"

    return re.sub(r"([A-Z]+)(\d+)", move, reference)


def marked_rows(template: Path) -> dict[str, int]:
    """Each sheet's repeated row, found as planforge finds it."""
    import openpyxl

    from planforge.render.excel import find_template_row

    workbook = openpyxl.load_workbook(template)
    return {s.title: row for s in workbook.worksheets if (row := find_template_row(s))}


def compare_styles(template: Path, filled: Path, counts: Mapping[str, int]) -> dict[str, Any]:
    """Every template style in the filled workbook, the repeated row's on each of its rows."""
    marked_by_sheet = marked_rows(template)
    cells, problems = 0, []
    for sheet, marked in marked_by_sheet.items():
        count = max(counts.get(sheet, 0), 1)
        shift = count - 1
        original = read_layout(template, sheet)

        def source_row(number: int, marked: int = marked, shift: int = shift) -> int:
            if number < marked:
                return number
            return marked if number < marked + shift + 1 else number - shift

        seen: set[int] = set()

        def check(number: int, height: float | None, styles: dict[str, int],
                  sheet: str = sheet, original: SheetLayout = original,
                  source_row=source_row, seen: set[int] = seen) -> None:
            nonlocal cells
            seen.add(number)
            want_height, want = original.rows.get(source_row(number), (None, {}))
            cells += len(want)
            if styles != want:
                wrong = sorted(k for k in {*want, *styles} if want.get(k) != styles.get(k))
                problems.append(f"{sheet}!{','.join(wrong[:3])}{number}: style differs")
            # a data row may grow to its wrapped text (planforge.rowfit), never shrink
            grown = None not in (height, want_height) and float(height) > float(want_height)
            if height != want_height and not grown:
                problems.append(f"{sheet} row {number}: height {height} != {want_height}")

        layout = read_layout(filled, sheet, on_row=check)
        for number, (height, want) in original.rows.items():
            targets = range(marked, marked + count) if number == marked else [
                number if number < marked else number + shift]
            for target in targets:
                if target not in seen and (want or height is not None):
                    problems.append(f"{sheet} row {target}: missing (template row {number})")
        expected = set()
        for merge in original.merges:
            rows = [int(r) for r in re.findall(r"\d+", merge)]
            if rows == [marked, marked]:
                expected |= {_shift_merge(merge, marked, shift, offset=i) for i in range(count)}
            else:
                expected.add(_shift_merge(merge, marked, shift))
        if layout.merges != expected:
            problems.append(f"{sheet}: merged cells differ "
                            f"(missing {sorted(expected - layout.merges)[:3]}, "
                            f"extra {sorted(layout.merges - expected)[:3]})")
        if layout.columns != original.columns:
            problems.append(f"{sheet}: column widths differ")
        if layout.page != original.page:
            changed = sorted({p[0] for p in set(layout.page) ^ set(original.page)})
            problems.append(f"{sheet}: page set-up differs ({', '.join(changed)})")
        last = original.print_area_last_row
        if last and layout.print_area_last_row != (last + shift if last >= marked else last):
            problems.append(f"{sheet}: print area ends on row {layout.print_area_last_row}")
    return {"cells": cells, "problems": len(problems), "first_problem": problems[0] if problems
            else ""}


# --------------------------------------------------------------------------- photos, PDF


def photo_pages(path: Path) -> dict[str, Any]:
    """How many pictures the photo pages hold and how many of them are upright (landscape)."""
    import io

    from PIL import Image

    upright = total = 0
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("word/media/"):
                total += 1
                with Image.open(io.BytesIO(archive.read(name))) as image:
                    upright += image.width > image.height
    return {"pictures": total, "landscape": upright}


def pdf_pages(folder: Path) -> list[int]:
    from pypdf import PdfReader

    return [len(PdfReader(str(p)).pages) for p in sorted(folder.glob("*.pdf"))]

