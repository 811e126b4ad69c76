"""The print audit over every sample package of every built-in type: each must be ready to stamp.

Each package is filled with ``--pdf`` (one LibreOffice run with planforge's font mapping) and
the folder is audited as ``planforge check --print`` audits it.
"""

from __future__ import annotations

import json

import pytest

from planforge.printaudit import audit_folder

from ..conftest import SAMPLES

pytestmark = pytest.mark.libreoffice

GD, HARDSHIP = SAMPLES / "gd-subsidy", SAMPLES / "hardship-aid"
TEACHERS, COMMUNITY = SAMPLES / "teacher-pairing", SAMPLES / "education-community"
PACKAGES = {
    "gd-subsidy": ("gd-subsidy", GD / "roster-2020.xlsx", "--previous", GD / "roster-2019.xlsx",
                   "--settings", GD / "settings.yaml"),
    "gd-subsidy-city": ("gd-subsidy-city", GD / "roster-2020.xlsx", GD / "county2-2020.xlsx",
                        "--settings", GD / "settings.yaml"),
    "hardship-aid": ("hardship-aid", HARDSHIP / "花名册.xlsx", "--settings",
                     HARDSHIP / "settings.yaml", "--set", f"materials={HARDSHIP / '材料'}"),
    "pairing-list": ("pairing-list", SAMPLES / "pairing-list" / "结对帮扶名单.xlsx",
                     "--set", "organisation=实验县教育局", "--set", "date=2026-03-20"),
    "teacher-pairing": ("teacher-pairing", TEACHERS / "教师结对名单.xlsx", "--settings",
                        TEACHERS / "settings.yaml"),
    "space-report": ("space-report", TEACHERS / "教师结对名单.xlsx", "--settings",
                     TEACHERS / "settings.yaml"),
    "education-community": ("education-community", COMMUNITY / "教共体建设名单.xlsx",
                            "--settings", COMMUNITY / "settings.yaml"),
}


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_every_sample_package_prints_as_meant(soffice, run_cli, tmp_path, package) -> None:
    target, *args = PACKAGES[package]
    out = tmp_path / package
    result = run_cli("fill", target, *args, "-o", out, "--pdf")
    assert result.exit_code == 0, result.output
    documents = [p for p in out.rglob("*") if p.suffix in (".docx", ".xlsx")]
    assert documents and all(p.with_suffix(".pdf").is_file() for p in documents)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"]: f["document_type"] for f in manifest["files"]}
    for document in documents:  # each PDF is an output like its document, of the same type
        relative = document.relative_to(out).as_posix()
        assert listed[relative[:-5] + ".pdf"] == listed[relative]
    problems = [str(p) for p in audit_folder(out)]
    assert problems == [], "\n".join(problems)


def test_long_values_grow_their_rows_and_print_whole(soffice, run_cli, tmp_path) -> None:
    """Adversarial lengths: a 200-character list of people and a long remark wrap inside their
    rows; nothing prints over anything, and every value is on paper."""
    import openpyxl

    from planforge.printaudit import read_pdf

    people = "、".join(f"帮扶教师{n:02d}号" for n in range(1, 21))
    remark = "本结对帮扶项目" + "按照县教育局统一部署开展送教下乡、同课异构与网络教研，" * 4
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "结对帮扶名单"
    sheet.append(["帮扶单位", "受帮扶单位", "帮扶人员", "联系人", "联系电话", "帮扶期限", "备注"])
    for n in range(1, 4):
        sheet.append([f"实验小学{n}", "孝义镇中心校", people, "张敏", "13800138000",
                      "2026年3月—2027年2月", remark])
    data = tmp_path / "结对帮扶名单.xlsx"
    book.save(data)
    out = tmp_path / "out"
    result = run_cli("fill", "pairing-list", data, "-o", out, "--pdf", "--set",
                     "organisation=实验县教育局")
    assert result.exit_code == 0, result.output
    assert [str(p) for p in audit_folder(out)] == []
    (pdf,) = out.glob("*.pdf")
    printed = "".join("".join(line.text.split()) for page in read_pdf(pdf) for line in page.lines)
    # wrapped cells interleave on a line with their neighbours: each value's characters must
    # all be printed, in order (a cut-off value loses its tail)
    for value in (people, remark):
        rest = iter(printed)
        assert all(char in rest for char in value), value
