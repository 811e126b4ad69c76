"""B3b: the 附件2 roster (20,000 people) by planforge and by Carbone, on the same styled template.

Carbone (Node.js, installed by :func:`benchmarks.carbone.ensure_carbone`) renders a copy of
planforge's own 附件2 template in which the repeated row's ``{{ row.field }}`` became Carbone's
``{d.eligible[i].field}``, with a second row of ``[i+1]`` markers under it (Carbone's way of
marking a repeated row), and the fixed cells (titles, unit, signatures) already filled in. Both
sides run in their own process, load their libraries and render a 10-row roster once before the
clock starts; the clock covers one render of the full roster and writing the .xlsx (planforge:
``Engine.fill`` in-process; Carbone: ``carbone.render`` plus ``fs.writeFileSync`` in-process).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from .carbone import CarboneUnavailable, ensure_carbone, run_carbone
from .report import Row

ROSTER = "gd-subsidy-roster"
WARM_UP_ROWS = 10
SCRIPT = Path(__file__).with_name("carbone_render.js")
_MARK = re.compile(r"^\s*\{\{\s*(?:row\.([A-Za-z_]\w*)|(index))\s*\}\}\s*$")
_TOTAL = re.compile(r"<f>SUM\(K(\d+):K(\d+)\)</f>")


def _items(rows: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from . import data

    return data.roster_items(rows)


# --------------------------------------------------------------------------- the Carbone copy


def carbone_template(template: Path, context: Mapping[str, Any], lists: Mapping[str, str],
                     target: Path) -> None:
    """``template`` with Carbone's markers in each repeated row (and an ``[i+1]`` row below it)
    and every other placeholder filled from ``context`` as planforge fills it."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    from planforge.render.excel import find_template_row

    from .figures import _filled, engine

    env = engine().text_env
    workbook = openpyxl.load_workbook(template)
    for sheet in workbook.worksheets:
        marked = find_template_row(sheet)
        for row in sheet.iter_rows():
            for cell in row:
                if cell.row != marked and isinstance(cell.value, str) and "{{" in cell.value:
                    cell.value = _filled(env, cell.value, context)
        if marked is None:
            continue
        name = lists[sheet.title]
        below = {r: d.height for r, d in sheet.row_dimensions.items() if r > marked}
        merges = [m for m in sheet.merged_cells.ranges if m.min_row > marked]
        for merge in merges:
            sheet.merged_cells.remove(merge)
        sheet.insert_rows(marked + 1)
        for number in sorted(below, reverse=True):
            sheet.row_dimensions[number + 1].height = below[number]
        sheet.row_dimensions[marked + 1].height = sheet.row_dimensions[marked].height
        for merge in merges:
            merge.shift(0, 1)
            sheet.merge_cells(merge.coord)
        for cell in sheet[marked]:
            match = _MARK.match(cell.value) if isinstance(cell.value, str) else None
            if match is None:
                continue
            field = match.group(1) or "index"
            below_cell = sheet[f"{get_column_letter(cell.column)}{marked + 1}"]
            below_cell._style = cell._style
            cell.value = f"{{d.{name}[i].{field}}}"
            below_cell.value = f"{{d.{name}[i+1].{field}}}"
    workbook.save(target)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def carbone_data(lists: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {name: [{k: _json_value(v) for k, v in item.items()} for item in items]
            for name, items in lists.items()}


# --------------------------------------------------------------------------- the two sides


def _prepared(eng, params: Mapping[str, Any], rows: int):
    import dataclasses

    from . import figures

    prepared, _ = figures.prepare(eng, ROSTER, Path(params["roster"]))
    paid, unpaid = _items(rows)
    context = {**prepared.context, "eligible": paid, "ineligible": unpaid}
    return dataclasses.replace(prepared, context=context), paid, unpaid


def planforge_side(work: Path, params: Mapping[str, Any]) -> dict[str, Any]:
    """``Engine.fill`` of the roster type after one warm-up fill of a 10-row roster."""
    from . import figures

    eng = figures.engine()
    warm, _, _ = _prepared(eng, params, WARM_UP_ROWS)
    figures.fill(eng, warm, work / "warm-up", 1)
    prepared, paid, unpaid = _prepared(eng, params, int(params["rows"]))
    out = work / "out"
    start = figures.start_clock()
    figures.fill(eng, prepared, out, 1)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "count": len(paid), "output": str(next(out.glob("*.xlsx"))),
            "notes": {"unpaid_rows": len(unpaid)}}


def carbone_side(work: Path, params: Mapping[str, Any]) -> dict[str, Any]:
    """``carbone.render`` in a Node process on the Carbone copy of the same template."""
    from . import figures

    try:
        prefix = ensure_carbone()
    except CarboneUnavailable as error:
        raise figures.Unsupported(f"Carbone not measured: {error}") from None
    eng = figures.engine()
    document_type = eng.registry.document_types[ROSTER]
    prepared, paid, unpaid = _prepared(eng, params, int(params["rows"]))
    lists = {sheet: document_type.sheet_lists.get(sheet, document_type.each)
             for sheet in ("名册", "不符合条件人员")}
    template = work / "carbone-template.xlsx"
    carbone_template(document_type.template, prepared.context, lists, template)
    data_file, warm_file = work / "data.json", work / "warm-up.json"
    by_name = {"eligible": paid, "ineligible": unpaid}
    data_file.write_text(json.dumps(carbone_data(by_name), ensure_ascii=False), encoding="utf-8")
    warm_up = {name: items[:WARM_UP_ROWS] for name, items in by_name.items()}
    warm_file.write_text(json.dumps(carbone_data(warm_up), ensure_ascii=False), encoding="utf-8")
    out = work / "carbone.xlsx"
    measured = run_carbone(prefix, SCRIPT, template, data_file, out, warm_file)
    return {"seconds": measured["seconds"], "count": len(paid), "output": str(out), "notes": {}}


SIDES = {"roster-b3b-planforge": planforge_side, "roster-b3b-carbone": carbone_side}


# --------------------------------------------------------------------------- the figure


def _total_formula(path: Path) -> tuple[int, int] | None:
    """The rows of the 名册 sheet's ``SUM(K…:K…)`` total (a live formula, not a value)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    found = _TOTAL.search(sheet[-200_000:].decode("utf-8", "replace"))
    return (int(found.group(1)), int(found.group(2))) if found else None


def figure(suite) -> list[Row]:
    """Run both sides alternately (best of ``suite.sizes.rounds``) and build B3b's row."""
    from . import checks
    from .suite import _best_of, _failed, _mb, _memory

    rows = suite.sizes.b3b_rows
    row = Row(f"B3b {rows:,}-row 附件2 roster vs Carbone", target="≤ 1.0× Carbone's time")
    params = {"roster": str(suite.roster(10)), "rows": rows}
    mine, theirs = suite.alternate(suite.sizes.rounds,
                                   ("roster-b3b-planforge", "B3b-planforge", params),
                                   ("roster-b3b-carbone", "B3b-carbone", params))
    row.memory = _memory(mine)
    row.baseline = f"{theirs['seconds']:.2f} s" if not _failed(theirs) else _failed(theirs)
    if failure := _failed(mine):
        row.planforge, row.met = failure, "no"
        return [row]
    row.planforge = f"{mine['seconds']:.2f} s"
    row.notes.append(_best_of(mine, theirs) + " Both sides in-process, each in its own process, "
                     "libraries loaded and a 10-row roster rendered once before the clock; the "
                     "clock covers rendering the full roster and writing the .xlsx.")
    from planforge.plugins import load_plugins

    template = load_plugins().document_types[ROSTER].template
    unpaid = mine["notes"]["unpaid_rows"]
    styles = checks.compare_styles(template, Path(mine["output"]),
                                   {"名册": rows, "不符合条件人员": unpaid})
    total = _total_formula(Path(mine["output"]))
    live = total == (5, 4 + rows)
    row.notes.append(f"planforge: `Engine.fill` of gd-subsidy-roster ({rows:,} paid and {unpaid:,}"
                     f" unpaid people); styles: {styles['cells']:,} styled cells checked, "
                     f"{styles['problems']} problems"
                     + (f" (first: {styles['first_problem']})" if styles["problems"] else "")
                     + f"; total is a live formula over rows {total}.")
    if _failed(theirs):
        row.met = "not measured"
        return [row]
    row.notes.append("Carbone: a copy of the same template with `{d.eligible[i].field}` and "
                     "`{d.eligible[i+1].field}` rows, fixed cells pre-filled (so it does less "
                     "work than planforge); Carbone leaves the totals' formulas as written "
                     f"(`SUM(K5:K5)`) and writes values as text. peak {_mb(theirs):.0f} MB.")
    ratio = mine["seconds"] / theirs["seconds"]
    row.ratio = f"{ratio:.2f}× Carbone's time"
    reasons = [r for r, bad in (("slower", ratio > 1.0), ("styles", styles["problems"] > 0),
                                ("formulas", not live)) if bad]
    row.met = "yes" if not reasons else f"no ({', '.join(reasons)})"
    return [row]
