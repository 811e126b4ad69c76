"""The parse-once Word renderer and worker processes produce what docxtpl itself produces."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from docx import Document
from lxml import etree
from stdnum.cn import ric

from planforge.engine import Engine
from planforge.plugins import load_plugins
from planforge.render.batch import VOLUME_SIZE
from planforge.render.word import WordTemplate, render_docx

from .conftest import write_people
from .test_render import NASTY, docx_text


def canonical_body(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    return etree.tostring(root.find("{*}body"), method="c14n")


def people(count: int) -> list[list]:
    rows = []
    for number in range(1, count + 1):
        body = f"44023219600101{number % 1000:03d}"
        sex = "男" if int(body[16]) % 2 else "女"
        rows.append([number, f"人员{number}", sex, body + ric.calc_check_digit(body + "0"),
                     "1960-01-01", str(number), "是" if number % 3 else "否",
                     NASTY if number == 2 else ""])
    return rows


def test_parse_once_renderer_matches_docxtpl_text_and_xml(people_plugin, tmp_path):
    engine = Engine(load_plugins(people_plugin))
    data = write_people(tmp_path / "a.xlsx", rows=people(3))
    prepared = engine.prepare("people-form", [data], {})
    document_type = engine.registry.document_types["people-form"]
    template = WordTemplate(document_type.template, engine.word_env)
    for index, item in enumerate(prepared.context["records"], start=1):
        context = {**prepared.context, "document": {"annex": 1, "title": "t", "name": "n"},
                   **item, "record": item, "index": index}
        fast, plain = tmp_path / f"fast{index}.docx", tmp_path / f"plain{index}.docx"
        template.render(context, fast)
        render_docx(document_type.template, context, engine.word_env, plain)
        assert docx_text(fast) == docx_text(plain)
        assert canonical_body(fast) == canonical_body(plain)
        Document(str(fast))  # python-docx opens it


def test_worker_processes_give_the_same_files_and_volumes(people_plugin, tmp_path, pdf_text,
                                                          monkeypatch):
    from planforge.render import batch

    monkeypatch.setattr(batch, "PARALLEL_MINIMUM", 1)  # use the workers even for a small batch
    engine = Engine(load_plugins(people_plugin))
    count = VOLUME_SIZE * 2 + 30
    data = write_people(tmp_path / "a.xlsx", rows=people(count))
    outputs = {}
    for jobs in (1, 2):
        prepared = engine.prepare("people-form", [data], {"copies": "1"})
        outputs[jobs] = engine.fill(prepared, tmp_path / f"out{jobs}", jobs=jobs)
    folder = "附件1 人员登记表"
    one, two = (sorted((outputs[j] / folder).iterdir()) for j in (1, 2))
    assert [p.name for p in one] == [p.name for p in two]
    assert len(one) == count + 3
    volumes = [p for p in one if "合订打印" in p.name]
    assert [p.name for p in volumes] == [f"{folder}（合订打印 第{n}册）.docx" for n in (1, 2, 3)]
    for a, b in zip(one, two, strict=True):
        assert canonical_body(a) == canonical_body(b), a.name
    first_volume = Document(str(volumes[0]))
    assert sum(p.text.startswith("姓名：") for p in first_volume.paragraphs) == VOLUME_SIZE
    breaks = first_volume.element.body.findall(".//{*}pageBreakBefore")
    assert len(breaks) == VOLUME_SIZE - 1
    (text,) = pdf_text(volumes[2])
    assert "人员201" in text and f"人员{count}" in text


def _written(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


def _hashes(folder: Path) -> list[tuple[str, str, int]]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [(f["path"], f["sha256"], f["bytes"]) for f in manifest["files"]]


@pytest.mark.slow
def test_two_processes_write_the_same_bytes_as_one(people_plugin, tmp_path, monkeypatch):
    """200 forms (a table, a header, escaped and emoji values) and their print volumes, with
    the caller and a worker sharing the volumes: every file byte for byte what one process
    writes, the manifest's hashes too. The second run of two reuses the running worker."""
    from planforge.render import batch

    monkeypatch.setattr(batch, "PARALLEL_MINIMUM", 1)
    document = Document()
    document.sections[0].header.paragraphs[0].text = "{{ document.title }} 第{{ index }}份"
    document.add_paragraph("姓名：{{ name }} 备注：{{ remark }}")
    grid = document.add_table(rows=2, cols=3)
    for cell, text in zip(grid.rows[0].cells + grid.rows[1].cells,
                          ["性别", "身份证号码", "出生", "{{ sex }}", "{{ id_number }}",
                           "{{ id_number.birth_date|cn_date }}"], strict=True):
        cell.text = text
    document.save(people_plugin / "people" / "form.docx")
    engine = Engine(load_plugins(people_plugin))
    rows = people(200)
    rows[150][7] = "😀 <w:p> & \t tab"
    data = write_people(tmp_path / "a.xlsx", rows=rows)
    for jobs, name in ((1, "one"), (2, "two"), (2, "again")):
        engine.fill(engine.prepare("people-form", [data], {}), tmp_path / name, jobs=jobs)
    one = _written(tmp_path / "one")
    assert len(one) == 200 + 2
    assert _written(tmp_path / "two") == one and _written(tmp_path / "again") == one
    assert _hashes(tmp_path / "one") == _hashes(tmp_path / "two") == _hashes(tmp_path / "again")
    printed = docx_text(tmp_path / "one" / "附件1 人员登记表" / "附件1 人员登记表（合订打印 第2册）.docx")
    assert printed.count("姓名：人员151 备注：😀 <w:p> & ") == 3  # copies=3


@pytest.mark.slow
def test_a_form_failing_in_a_worker_stops_the_run_and_publishes_nothing(people_plugin, tmp_path,
                                                                         monkeypatch):
    """The first volume goes to a worker: its error reaches the caller, which renders no
    further volume, publishes nothing and leaves the worker ready for the next run."""
    from planforge.errors import TemplateError
    from planforge.render import batch

    monkeypatch.setattr(batch, "PARALLEL_MINIMUM", 1)
    form = people_plugin / "people" / "form.docx"
    good = form.read_bytes()
    from .forms import word_template

    word_template(form, ["{{ name }}：{{ 100 // (index - 7) }}"])
    engine = Engine(load_plugins(people_plugin))
    data = write_people(tmp_path / "a.xlsx", rows=people(VOLUME_SIZE * 3))
    out = tmp_path / "out"
    with pytest.raises(TemplateError, match="form.docx"):
        engine.fill(engine.prepare("people-form", [data], {}), out, jobs=2)
    assert [p.name for p in out.iterdir()] == []
    form.write_bytes(good)
    engine.fill(engine.prepare("people-form", [data], {}), out, jobs=2)
    assert len(list((out / "附件1 人员登记表").iterdir())) == VOLUME_SIZE * 3 + 3


@pytest.mark.parametrize("copies", [3])
def test_copies_repeat_each_form_in_the_print_file(people_plugin, people_xlsx, tmp_path, copies):
    engine = Engine(load_plugins(people_plugin))
    out = engine.fill(engine.prepare("people-form", [people_xlsx], {"copies": str(copies)}),
                      tmp_path / "out")
    combined = out / "附件1 人员登记表" / "附件1 人员登记表（合订打印）.docx"
    text = docx_text(combined)
    assert text.count("姓名：张三") == copies and text.count("姓名：李四") == copies


def test_print_file_of_forms_opening_with_a_table_and_holding_pictures(tmp_path, pdf_text):
    """Streamed print files: breaks, one final section and unique picture ids, as Word wants."""
    from docx.shared import Mm
    from PIL import Image

    from planforge.render.jinja import make_environment

    Image.new("RGB", (40, 20), "red").save(tmp_path / "logo.png")
    document = Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "姓名", "{{ name }}"
    document.add_picture(str(tmp_path / "logo.png"), width=Mm(20))
    document.add_paragraph("备注 {{ remark }}")
    document.save(tmp_path / "form.docx")
    template = WordTemplate(tmp_path / "form.docx", make_environment({}, autoescape=True))
    printing = template.print_file(tmp_path / "print.docx", copies=2)
    names = [f"人员{n} & <b>" for n in range(3)]
    for number, name in enumerate(names):
        printing.add(template.render({"name": name, "remark": "😀" * number},
                                     tmp_path / f"form{number}.docx"))
    printing.close()

    with zipfile.ZipFile(tmp_path / "print.docx") as archive:
        body = etree.fromstring(archive.read("word/document.xml")).find("{*}body")
    assert [child.tag.split("}")[1] for child in body].count("sectPr") == 1
    assert body[-1].tag.endswith("}sectPr")
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    breaks = body.findall(f"{w}p/{w}r/{w}br[@{w}type='page']")
    assert len(breaks) == len(names) * 2 - 1
    ids = [int(e.get("id")) for e in body.iter("{*}docPr")]
    assert ids == list(range(1001, 1001 + len(names) * 2))
    cells = [c.text for t in Document(str(tmp_path / "print.docx")).tables for c in t.rows[0].cells]
    assert cells[1::2] == [name for name in names for _ in range(2)]
    (text,) = pdf_text(tmp_path / "print.docx")
    assert text.count("人员2&<b>") == 2


def test_print_file_headers_are_filled_like_the_forms(tmp_path):
    """A print file has one section: the first form's, with its filled header, not raw Jinja."""
    from planforge.render.jinja import make_environment

    document = Document()
    document.add_paragraph("{{ name }}")
    document.sections[0].header.paragraphs[0].text = "页眉 {{ name }} & {{ unit }}"
    document.save(tmp_path / "form.docx")
    template = WordTemplate(tmp_path / "form.docx", make_environment({}, autoescape=True))
    printing = template.print_file(tmp_path / "print.docx")
    for name in ("甲", "乙"):
        printing.add(template.render({"name": name, "unit": "县"}, tmp_path / f"{name}.docx"))
    printing.close()
    header = Document(str(tmp_path / "print.docx")).sections[0].header.paragraphs[0].text
    assert header == "页眉 甲 & 县"
    assert [p.text for p in Document(str(tmp_path / "print.docx")).paragraphs] == ["甲", "乙"]


def test_the_command_line_starts_workers_before_it_reads_a_big_input(run_cli, people_plugin,
                                                                      people_xlsx, tmp_path,
                                                                      monkeypatch):
    """A roster big enough to make a batch for workers has them loading while it is read; a
    small one starts none (most runs: a worker costs a good part of a second to start)."""
    from planforge import cli
    from planforge.render import batch

    events: list[tuple] = []
    monkeypatch.setattr(batch, "start_workers",
                        lambda jobs, plugins_dir=None: events.append(("workers", jobs)))
    reading = Engine.prepare

    def prepare(self, *args, **kwargs):
        events.append(("read",))
        return reading(self, *args, **kwargs)

    monkeypatch.setattr(Engine, "prepare", prepare)
    for number, threshold in enumerate((people_xlsx.stat().st_size + 1,
                                        people_xlsx.stat().st_size)):
        monkeypatch.setattr(cli, "EARLY_WORKERS_BYTES", threshold)
        result = run_cli("--plugins-dir", people_plugin, "fill", "people-form", people_xlsx,
                         "-o", tmp_path / f"out{number}", "--jobs", "2")
        assert result.exit_code == 0, result.output
    assert events == [("read",), ("workers", 2), ("read",)]


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"  # a zombie has ended; only its parent may reap it


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_workers_end_when_their_caller_is_killed(tmp_path):
    """SIGKILL to the caller alone (not its process group): its workers do not live on."""
    script = tmp_path / "caller.py"
    script.write_text(
        "import sys, time\n"
        "from planforge.render import batch\n"
        "if __name__ == '__main__':\n"
        "    pool = batch.start_workers(3)\n"
        "    for future in [pool.submit(batch._ready) for _ in range(6)]:\n"
        "        future.result()\n"
        "    print('ready', flush=True)\n"
        "    time.sleep(600)\n", encoding="utf-8")
    caller = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert caller.stdout.readline().strip() == "ready"
        workers = _children(caller.pid)
        assert len(workers) >= 2
    finally:
        caller.kill()
        caller.wait()
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:  # not to leave them behind when this fails
        os.kill(pid, signal.SIGKILL)
    assert not left

