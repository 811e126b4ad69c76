"""LibreOffice batches bigger than one soffice command line takes."""

from __future__ import annotations

from pathlib import Path

import planforge.default_plugins.convert as convert_module
from planforge.default_plugins.convert import FILES_PER_RUN, convert

SOFFICE_ARGUMENTS = 252  # what soffice 7.x/24.x acts on; it drops the rest without a word


def test_more_files_than_one_soffice_run_accepts_are_all_converted(tmp_path, monkeypatch):
    """260 files once came back as "damaged" from the 243rd on: soffice had ignored them."""
    runs = []

    def soffice(cmd: list[str], timeout: float):
        runs.append(cmd)
        outdir = Path(cmd[cmd.index("--outdir") + 1])
        ext = cmd[cmd.index("--convert-to") + 1].split(":")[0]
        for argument in cmd[1:SOFFICE_ARGUMENTS]:
            if argument.startswith("/") and "/in/" in argument:
                (outdir / f"{Path(argument).stem}.{ext}").write_text("converted")
        return 0, ""

    monkeypatch.setattr(convert_module, "find_soffice", lambda: "soffice")
    monkeypatch.setattr(convert_module, "_run", soffice)
    sources = []
    for number in range(260):
        path = tmp_path / "in" / f"表{number:03d}.csv"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"序号,姓名\n{number},人员{number}\n", encoding="utf-8")
        sources.append(path)
    made = convert(sources, "xlsx", tmp_path / "out")
    assert [p.name for p in made] == [f"{s.stem}.xlsx" for s in sources]
    assert len(runs) == 2 and all(len(cmd) - 12 <= FILES_PER_RUN for cmd in runs)
