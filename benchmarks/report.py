"""The results table: printed, written to RESULTS.md, and parsed back (the smoke test does).

The markdown table is the one format: what the terminal shows is what RESULTS.md holds, so the
file can be diffed between runs and read by :func:`parse_results`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

COLUMNS = ("figure", "planforge", "baseline", "ratio", "peak memory", "target", "met?")
MACHINE_HEADING = "## Machine"
RESULTS_HEADING = "## Results"
NOTES_HEADING = "## Notes"


@dataclass
class Row:
    """One line of the table plus the notes that explain it."""

    figure: str
    planforge: str = "—"
    baseline: str = "—"
    ratio: str = "—"
    memory: str = "—"
    target: str = ""
    met: str = "—"
    notes: list[str] = field(default_factory=list)

    def cells(self) -> tuple[str, ...]:
        return (self.figure, self.planforge, self.baseline, self.ratio, self.memory, self.target,
                self.met)


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(rows: Sequence[Row]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_escape(c) for c in row.cells()) + " |" for row in rows]
    return "\n".join(lines)


def document(rows: Sequence[Row], machine: Mapping[str, str], mode: str, seconds: float) -> str:
    """RESULTS.md: how it was run, on what, the table, then the notes per figure."""
    parts = [
        "# planforge benchmark results",
        "",
        f"Run: {machine.get('date', '')}, {mode}, whole suite {seconds:.0f} s. "
        "Regenerate with `bash scripts/dev.sh bench` (or `python -m benchmarks`); "
        "see `benchmarks/README.md` for what each figure measures.",
        "",
        MACHINE_HEADING,
        "",
        *[f"- **{key}**: {value}" for key, value in machine.items()],
        "",
        RESULTS_HEADING,
        "",
        table(rows),
        "",
        NOTES_HEADING,
        "",
    ]
    for row in rows:
        parts += [f"- **{row.figure}**: {note}" for note in row.notes]
    return "\n".join(parts).rstrip() + "\n"


def parse_results(text: str) -> dict[str, dict[str, str]]:
    """The table of a RESULTS.md (or of the printed output) as {figure: {column: cell}}."""
    rows: dict[str, dict[str, str]] = {}
    lines = [line.strip() for line in text.splitlines()]
    header = "| " + " | ".join(COLUMNS) + " |"
    if header not in lines:
        raise ValueError("no results table found")
    for line in lines[lines.index(header) + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip().replace("\\|", "|") for c in
                 line.strip("|").replace("\\|", "\x00").split("|")]
        cells = [c.replace("\x00", "|") for c in cells]
        if len(cells) != len(COLUMNS):
            raise ValueError(f"row with {len(cells)} cells: {line}")
        rows[cells[0]] = dict(zip(COLUMNS, cells, strict=True))
    return rows


def parse_machine(text: str) -> dict[str, str]:
    """The machine description of a RESULTS.md as {key: value}."""
    found: dict[str, str] = {}
    section = text.split(MACHINE_HEADING, 1)[-1].split("\n## ", 1)[0]
    for line in section.splitlines():
        if line.startswith("- **") and "**: " in line:
            key, value = line[4:].split("**: ", 1)
            found[key] = value
    return found
