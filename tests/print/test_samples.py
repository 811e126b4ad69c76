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
