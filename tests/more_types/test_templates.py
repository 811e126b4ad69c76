"""The shipped templates match their generators and use only names their types provide."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT

SCRIPTS = ROOT / "scripts"
TEMPLATES = [
    ("make_pairing_templates", "teacher_pairing", "plugins/teacher_pairing/教师结对帮扶名单.xlsx",
     "teacher-pairing"),
    ("make_pairing_templates", "space_report", "plugins/teacher_pairing/网络学习空间应用情况表.xlsx",
     "space-report"),
    ("make_pairing_templates", "education_community",
     "plugins/education_community/教共体建设名单.docx", "education-community"),
    ("make_pairing_templates", "pairing_list", "plugins/pairing_list/结对帮扶名单.xlsx",
     "pairing-list"),
    ("make_coop_school_templates", "semester_report", "plugins/coop_school/协作学校结对帮扶情况表.xlsx",
     "coop-school"),
    ("make_hardship_templates", "roster", "templates/forms/hardship-aid/附件1-汇总表.xlsx",
     "hardship-roster"),
    ("make_hardship_templates", "application", "templates/forms/hardship-aid/附件2-申请表.docx",
     "hardship-application"),
    ("make_hardship_templates", "checklist", "templates/forms/hardship-aid/申报材料清单.xlsx",
     "hardship-checklist"),
]


def _generate(script: str, function: str, target: Path) -> None:
    """In a fresh interpreter, as the script runs: docxcompose, once imported by another test,
    re-maps python-docx's ``cp`` namespace and would spoil docProps/core.xml."""
    code = (f"import sys; sys.path.insert(0, {str(SCRIPTS)!r}); from pathlib import Path; "
            f"import {script}; {script}.{function}(Path({str(target)!r}))")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


@pytest.mark.slow
@pytest.mark.parametrize(("script", "function", "shipped", "type_name"), TEMPLATES)
def test_template_is_what_its_generator_makes(tmp_path, script, function, shipped, type_name):
    target = tmp_path / (ROOT / shipped).name
    _generate(script, function, target)
    assert target.read_bytes() == (ROOT / shipped).read_bytes(), (
        f"{shipped} is stale: run python scripts/{script}.py")


@pytest.mark.parametrize(("script", "function", "shipped", "type_name"), TEMPLATES)
def test_template_names_only_what_its_type_provides(run_cli, script, function, shipped,
                                                    type_name):
    result = run_cli("template", "check", ROOT / shipped, "--type", type_name)
    assert result.exit_code == 0, result.output
    assert "未知 / unknown: —" in result.output
