"""``planforge new-plugin``: a plugin that works on day one, with a test that proves it."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook

from .errors import PlanforgeError
from .formkit import annex_heading, page_setup, sign_line, table_row

FIELDS = (("name", "姓名"), ("school", "学校"), ("subject", "学科"), ("phone", "联系电话"))
SAMPLE = "姓名,学校,学科,联系电话\n张敏,实验小学,语文,13800138000\n李华,孝义镇中心校,数学,13912345678\n"

PYTHON_PLUGIN = '''"""{title}: a planforge plugin.

planforge finds this module through ``--plugins-dir`` (or an entry point once packaged) and calls
the hooks below. Change the fields and the template to suit your form.
"""

from pathlib import Path

from planforge import EXCEL_TABLE, DocumentType, Field, hookimpl

HERE = Path(__file__).parent


@hookimpl
def register_document_types(register):
    register(DocumentType(
        name="{name}",
        title="{title}",
        annex=1,
        renderer=EXCEL_TABLE,
        template=HERE / "template.xlsx",
        fields=(
{fields}
        ),
    ))
'''

DECLARATIVE_PLUGIN = '''# {title}: a planforge plugin without Python. Edit the fields and template.xlsx.
name: {name}
document_types:
  - name: {name}
    title: "{title}"
    annex: 1
    renderer: excel-table
    template: template.xlsx
    fields:
{fields}
'''

TEST = '''"""Run with: pytest {folder}"""

from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from planforge.cli import cli

HERE = Path(__file__).parent


def test_fills_the_sample(tmp_path):
    result = CliRunner().invoke(cli, ["--plugins-dir", str(HERE.parent), "fill", "{name}",
                                      str(HERE / "sample.csv"), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(tmp_path / "附件1 {title}.xlsx").active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "张敏" in values and "孝义镇中心校" in values
'''


def _template(path: Path, title: str) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    headers = ["序号", *(label for _, label in FIELDS)]
    row = annex_heading(sheet, "附件{{ document.annex }}", "{{ document.title }}", len(headers))
    table_row(sheet, row, headers, bold=True)
    table_row(sheet, row + 1, ["{{ index }}", *(f"{{{{ row.{n} }}}}" for n, _ in FIELDS)])
    table_row(sheet, row + 2, ["合计", f"=COUNTA(B{row + 1}:B{row + 1})", "", "", ""], bold=True)
    sign_line(sheet, row + 4, [(1, 2, "填表人："), (3, 5, "日期：　　年　　月　　日")])
    page_setup(sheet, [8, 14, 20, 12, 16], row, row + 4, landscape=False)
    workbook.save(path)


def scaffold_plugin(name: str, parent: Path, declarative: bool) -> Path:
    """Create ``parent/<name>/`` with a plugin, its template, a sample and a test."""
    if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
        raise PlanforgeError(f"插件名「{name}」只能用小写字母、数字和连字符 / plugin name {name!r} may "
                             "only use lower-case letters, digits and hyphens")
    folder = parent / name.replace("-", "_")
    if folder.exists():
        raise PlanforgeError(f"「{folder}」已存在 / {str(folder)!r} already exists")
    folder.mkdir(parents=True)
    title = f"{name}登记表"
    if declarative:
        fields = "\n".join(f"      - {{name: {n}, label: {label}{', required: true' if i == 0 else ''}}}"
                           for i, (n, label) in enumerate(FIELDS))
        (folder / "plugin.yaml").write_text(
            DECLARATIVE_PLUGIN.format(name=name, title=title, fields=fields), encoding="utf-8")
    else:
        fields = "\n".join(f'            Field("{n}", "{label}"{", required=True" if i == 0 else ""}),'
                           for i, (n, label) in enumerate(FIELDS))
        (folder / "__init__.py").write_text(
            PYTHON_PLUGIN.format(name=name, title=title, fields=fields), encoding="utf-8")
    _template(folder / "template.xlsx", title)
    (folder / "sample.csv").write_text(SAMPLE, encoding="utf-8")
    (folder / f"test_{folder.name}.py").write_text(
        TEST.format(name=name, title=title, folder=folder.name), encoding="utf-8")
    return folder
