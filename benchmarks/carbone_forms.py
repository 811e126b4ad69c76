"""B1's second peer: Carbone (Node.js) filling the 附件1 application form, one .docx per record.

Carbone is installed by :func:`benchmarks.carbone.ensure_carbone` (npm, into a cache folder
outside the repository). Its template is made from planforge's own 附件1 template as the suite
runs: every ``{{ expression }}`` becomes a Carbone marker ``{d.vN}``, and the teaching-history
row loop (docxtpl's ``{%tr for h in history %}`` row, the row, ``{%tr endfor %}`` row) becomes
Carbone's pair of rows ``{d.history[i].…}`` / ``{d.history[i+1].…}``. Each record's values are
the text planforge prints for those expressions (its filters, its yes/no boxes), so both sides
write the same text and Carbone does no formatting work of its own; the text of sampled forms is
compared. ``carbone_forms.js`` loads Carbone, renders the first record once, then times
``carbone.render`` and writing the file for every record, as planforge's clock covers
``Engine.fill``.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lxml import etree

from .carbone import (
    CARBONE_VERSION,
    CarboneUnavailable,
    ensure_carbone,
    node_executable,
    run_carbone,
)
from .report import Row

SCRIPT = Path(__file__).with_name("carbone_forms.js")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PRINT = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_LOOP = re.compile(r"\{%tr for (\w+) in (\w+) %\}")


def _row_of(element: etree._Element) -> etree._Element:
    return next(a for a in element.iterancestors(f"{_W}tr"))


def carbone_template(template: Path, target: Path) -> tuple[list[str], str, list[str]]:
    """Write the Carbone copy of a per-record Word template with one ``{%tr for %}`` loop.

    Returns the record's expressions (``{d.v0}``, ``{d.v1}`` … in order), the loop's list name
    and the expressions of one loop row (``{d.<list>[i].v0}`` …), all as planforge reads them.
    """
    with zipfile.ZipFile(template) as archive:
        parts = {info: archive.read(info) for info in archive.infolist()}
    main = next(info for info in parts if info.filename == "word/document.xml")
    root = etree.fromstring(parts[main])
    texts = list(root.iter(f"{_W}t"))
    opening = next(t for t in texts if _LOOP.search(t.text or ""))
    closing = next(t for t in texts if "{%tr endfor %}" in (t.text or ""))
    variable, listed = _LOOP.search(opening.text).groups()
    first, last = _row_of(opening), _row_of(closing)
    repeated = first.getnext()
    if repeated.getnext() is not last:
        raise ValueError("the loop repeats more than one row")
    looped: list[str] = []

    def looped_marker(match: re.Match, step: str) -> str:
        expression = match.group(1).removeprefix(f"{variable}.")
        if expression not in looped:
            looped.append(expression)
        return f"{{d.{listed}[{step}].v{looped.index(expression)}}}"

    following = copy.deepcopy(repeated)
    for row, step in ((repeated, "i"), (following, "i+1")):
        for text in row.iter(f"{_W}t"):
            text.text = _PRINT.sub(lambda m, s=step: looped_marker(m, s), text.text or "")
    last.addprevious(following)
    first.getparent().remove(first)
    last.getparent().remove(last)
    expressions: list[str] = []

    def marker(match: re.Match) -> str:
        if match.group(1) not in expressions:
            expressions.append(match.group(1))
        return f"{{d.v{expressions.index(match.group(1))}}}"

    for text in root.iter(f"{_W}t"):
        if text.text and "{{" in text.text:
            text.text = _PRINT.sub(marker, text.text)
    parts[main] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts.items():
            archive.writestr(info, data)
    return expressions, listed, looped


def carbone_records(eng: Any, contexts: Sequence[Mapping[str, Any]], expressions: list[str],
                    listed: str, looped: list[str]) -> list[dict[str, Any]]:
    """Each record's values as the text planforge prints for the template's expressions."""
    from planforge.render.jinja import render_text

    def printed(expression: str, context: Mapping[str, Any]) -> str:
        return render_text(eng.text_env, f"{{{{ {expression} }}}}", context, "carbone peer")

    records = []
    for context in contexts:
        record: dict[str, Any] = {f"v{n}": printed(e, context) for n, e in enumerate(expressions)}
        record[listed] = [{f"v{n}": printed(e, item) for n, e in enumerate(looped)}
                          for item in context[listed]]
        record["index"] = context["index"]
        records.append(record)
    return records


def forms_carbone(work: Path, params: Mapping[str, Any]) -> dict[str, Any]:
    """Carbone fills the first ``limit`` records' 附件1 forms, one .docx each."""
    from . import figures

    try:
        prefix = ensure_carbone()
    except CarboneUnavailable as error:
        raise figures.Unsupported(f"Carbone not measured: {error}") from None
    eng = figures.engine()
    prepared, _ = figures.prepare(eng, figures.APPLICATION, Path(params["roster"]))
    contexts = figures.record_contexts(eng, prepared)[: int(params["limit"])]
    template = work / "carbone-附件1.docx"
    expressions, listed, looped = carbone_template(
        eng.registry.document_types[figures.APPLICATION].template, template)
    records = work / "records.json"
    records.write_text(json.dumps(carbone_records(eng, contexts, expressions, listed, looped),
                                  ensure_ascii=False), encoding="utf-8")
    out = work / "out"
    out.mkdir()
    measured = run_carbone(prefix, SCRIPT, template, records, out)
    return {"seconds": measured["seconds"], "count": measured["count"], "output": str(out),
            "notes": {}}


SIDES = {"forms-carbone": forms_carbone}


def peer_row(suite: Any, mine: dict[str, Any], theirs: dict[str, Any]) -> Row:
    """B1's row against Carbone: planforge's B1 run (``jobs=1``) and Carbone's loop."""
    from . import checks
    from .suite import APPLICATION, _failed, _forms, _mb, _memory

    forms = suite.sizes.forms
    row = Row(f"B1 {forms:,} 附件1 forms, one process, vs Carbone",
              target="≥ 10× Carbone's forms/s, same text")
    row.memory = _memory(mine)
    if "unsupported" in theirs:
        row.baseline, row.met = theirs["unsupported"], "not measured"
    elif _failed(theirs):
        row.baseline, row.met = _failed(theirs), "not measured"
    if failure := _failed(mine):
        row.planforge, row.met = failure, "no" if "timeout" in mine else "not measured"
        return row
    rate = mine["count"] / mine["seconds"]
    row.planforge = f"{rate:.0f} forms/s (B1's run)"
    if _failed(theirs):
        return row
    theirs_rate = theirs["count"] / theirs["seconds"]
    row.baseline = _forms(theirs, 1)
    same = checks.compare_forms(checks.manifest_forms(Path(mine["output"]), APPLICATION),
                                Path(theirs["output"]), theirs["count"], suite.sizes.sample)
    row.notes.append(
        f"Carbone {CARBONE_VERSION} (Node {_node_version()}): a copy of the 附件1 template "
        f"with Carbone markers, the history rows as `{{d.history[i]…}}`/`{{d.history[i+1]…}}`; "
        f"each record's values are the text planforge prints, so Carbone formats nothing. "
        f"`carbone.render` and writing the file per record over the first "
        f"{theirs['count']:,} records (its rate does not depend on N); Carbone loaded and one "
        f"form rendered before the clock; peak {_mb(theirs):.0f} MB. Text: "
        f"{same['identical']}/{same['compared']} sampled forms identical to planforge's"
        + (f"; first difference: {same['first_difference']}" if same["first_difference"]
           else "."))
    ratio = rate / theirs_rate
    row.ratio = f"{ratio:.1f}×"
    ok_text = same["identical"] == same["compared"] > 0
    row.met = "yes" if ratio >= 10 and ok_text else "no" + ("" if ok_text else " (text differs)")
    return row


def _node_version() -> str:
    done = subprocess.run([node_executable(), "--version"], capture_output=True, text=True,
                          check=False)
    return done.stdout.strip() or "unknown"
