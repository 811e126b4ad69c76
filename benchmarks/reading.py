"""B7: reading a roster. ``planforge validate`` of a 20,000-row .xlsx against a bare
python-calamine read of the same file, both in the same run and timed the same way.

Each side runs in its own worker (see :mod:`benchmarks.figures`): it imports its libraries (and
planforge loads its plugins) and reads a five-row copy of the roster before its clock starts,
then the clock covers only reading the big file. planforge's side is the ``validate`` command
itself, invoked in-process (every row bound and checked, the result printed); the baseline is
``python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()``.

Two rosters: a plain 12-column one (a declarative document type written by this module:
numbers, text, an ID number, a phone, a choice, a date cell, an amount, yes/no), whose figure
has the target; and the 15-column gd-subsidy roster with its 任教经历 sheet, whose plugin checks
every person's eligibility, reported beside it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import data

if TYPE_CHECKING:
    from .report import Row
    from .suite import Suite

PLAIN_TYPE = "bench-roster"
TARGET = 2.0
PLAIN_HEADERS = ("序号", "姓名", "性别", "身份证号码", "学校", "乡镇(街道)", "联系电话", "类别",
                 "入职日期", "补助金额", "是否专任", "备注")
PLUGIN = f"""\
name: bench-reading
description: B7's plain roster (benchmarks/reading.py)
document_types:
  - name: {PLAIN_TYPE}
    title: 名册
    renderer: excel-table
    template: template.xlsx
    sheets: [名册]
    fields:
      - {{name: seq, label: 序号, type: integer}}
      - {{name: name, label: 姓名, required: true, max_length: 50}}
      - {{name: sex, label: 性别, type: sex}}
      - {{name: id_number, label: 身份证号码, type: resident_id, required: true, unique: true}}
      - {{name: school, label: 学校}}
      - {{name: township, label: 乡镇(街道)}}
      - {{name: phone, label: 联系电话, type: phone}}
      - {{name: category, label: 类别, type: choice, choices: [在职, 退休]}}
      - {{name: hired, label: 入职日期, type: date}}
      - {{name: amount, label: 补助金额, type: amount, min: 0}}
      - {{name: full_time, label: 是否专任, type: yes_no}}
      - {{name: remark, label: 备注}}
"""


def write_plugin(folder: Path) -> Path:
    """A ``--plugins-dir`` holding the declarative plugin of the plain roster (its template is
    never filled here)."""
    from openpyxl import Workbook

    plugin = folder / "bench-reading"
    plugin.mkdir(parents=True, exist_ok=True)
    (plugin / "plugin.yaml").write_text(PLUGIN, encoding="utf-8")
    workbook = Workbook()
    workbook.active.append(list(PLAIN_HEADERS))
    workbook.active.append([f"{{{{ {name} }}}}" for name in ("seq", "name")])
    workbook.save(plugin / "template.xlsx")
    return folder


def write_plain_roster(path: Path, count: int, seed: int = data.SEED) -> Path:
    """A 12-column roster as a clerk keeps it: a title row, the header, dates as date cells."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    schools = [f"{town[:-1]}{village}小学" for town, villages in data.TOWNSHIPS.items()
               for village in villages]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("名册")
    sheet.append([f"{data.SETTINGS['county']}教师名册"])
    sheet.append(list(PLAIN_HEADERS))
    for t in data.People(seed).teachers(count):
        hired = date(t.birth.year + rng.randint(18, 25), rng.randint(1, 12), rng.randint(1, 28))
        sheet.append([t.seq, t.name, t.sex, t.id_number, rng.choice(schools), t.township, t.phone,
                      rng.choice(("在职", "退休")), hired, rng.choice((600, 800, 1000, 1250.5)),
                      rng.choice(("是", "否")), "" if rng.random() < 0.9 else "补发"])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _validate(state: Any, arguments: list[str]) -> float:
    """``planforge validate …`` in this process with ``state``'s plugins; its seconds.
    Anything but success is an error."""
    import contextlib
    import io

    from planforge.cli import cli

    from .figures import start_clock

    output = io.StringIO()
    start = start_clock()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        code = cli.main(arguments, prog_name="planforge", obj={"state": state},
                        standalone_mode=False)
    seconds = time.perf_counter() - start
    if code not in (None, 0) or "数据有效" not in output.getvalue():
        raise RuntimeError(f"planforge validate failed ({code}): {output.getvalue()[-400:]}")
    return seconds


def validate_planforge(work: Path, params: Mapping[str, Any]) -> dict[str, Any]:
    """``planforge validate`` of the roster, after the same command on its five-row copy, which
    loads the plugins (as every figure loads its libraries before its clock starts)."""
    from planforge.cli import State

    plugins = params["options"][1] if params["options"] else None
    state = State(plugins, False)
    command, after = ["validate", params["target"]], params["after"]
    start = time.perf_counter()
    state.registry  # noqa: B018 - loading the plugins, timed for the notes
    loading = time.perf_counter() - start
    _validate(state, [*command, params["warm_up"], *after])
    seconds = _validate(state, [*command, params["roster"], *after])
    return {"seconds": seconds, "count": params["rows"], "notes": {"plugins_s": loading}}


def read_calamine(work: Path, params: Mapping[str, Any]) -> dict[str, Any]:
    """The bare read: the roster's first sheet as Python values, after reading the small copy."""
    import python_calamine

    from .figures import start_clock

    def read(path: str) -> list[list[Any]]:
        return python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()

    read(params["warm_up"])
    start = start_clock()
    rows = read(params["roster"])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "count": len(rows), "notes": {}}


SIDES = {"validate-planforge": validate_planforge, "read-calamine": read_calamine}


def figure(suite: Suite) -> list[Row]:
    """Both rosters, each side run ``rounds`` times alternating; the best runs are compared."""
    count = suite.sizes.read_rows
    inputs = suite.inputs / "b7"
    plugin = write_plugin(inputs / "plugins")
    settings = data.write_settings(inputs / "settings.yaml")
    plain = {"target": PLAIN_TYPE, "options": ["--plugins-dir", str(plugin)], "after": [],
             "roster": str(write_plain_roster(inputs / f"plain-{count}.xlsx", count)),
             "warm_up": str(write_plain_roster(inputs / "plain-5.xlsx", 5)), "rows": count}
    subsidy = {"target": "gd-subsidy-application", "options": [],
               "after": ["--settings", str(settings)],
               "roster": str(suite.roster(count)), "warm_up": str(suite.roster(5)), "rows": count}
    return [
        _row(suite, "B7", f"B7 reading a {count:,}-row .xlsx roster (12 columns)", plain,
             f"≤ {TARGET:g}× calamine"),
        _row(suite, "B7-subsidy", f"B7 {count:,}-person subsidy roster (15 columns + 任教经历)",
             subsidy, "reported (the issue measured 25×)"),
    ]


def _row(suite: Suite, name: str, title: str, params: dict[str, Any], target: str) -> Row:
    from .report import Row
    from .suite import _best_of, _failed, _memory

    row = Row(title, target=target)
    mine, theirs = suite.alternate(suite.sizes.rounds,
                                   ("validate-planforge", f"{name}-planforge", params),
                                   ("read-calamine", f"{name}-calamine", params))
    failure, no_baseline = _failed(mine), _failed(theirs)
    row.memory, row.notes = _memory(mine), [_best_of(mine, theirs)]
    row.baseline = no_baseline or f"{theirs['seconds']:.2f} s"
    row.planforge = failure or f"{mine['seconds']:.2f} s"
    if failure or no_baseline:
        row.met = "no" if failure else "no (no baseline)"
        return row
    row.notes.append(f"`planforge validate {params['target']}` in-process (every "
                     "row bound and checked, the verdict printed) after the same command on a "
                     "five-row copy; loading the plugins before that took "
                     f"{mine['notes']['plugins_s']:.2f} s and is not timed. Baseline "
                     "`python_calamine.CalamineWorkbook.from_path(…).get_sheet_by_index(0)"
                     ".to_python()` after reading the same copy.")
    ratio = mine["seconds"] / theirs["seconds"]
    row.ratio = f"{ratio:.2f}× calamine's time"
    if target.startswith("≤"):
        row.met = "yes" if ratio <= TARGET else "no (slower)"
    else:
        row.met = "not a target"
    return row
