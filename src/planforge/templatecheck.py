"""What a Word or Excel template asks for, compared with what a document type provides."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from docxtpl import DocxTemplate
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import TemplateError
from .model import DocumentType

#: Names the engine itself puts in every context.
ENGINE_NAMES = {"settings", "index", "record", "row", "document"}


@dataclass
class TemplateReport:
    names: set[str] = field(default_factory=set)  # top-level names used
    attributes: set[tuple[str, str]] = field(default_factory=set)  # (name, attr) of name.attr
    unknown: set[str] = field(default_factory=set)
    unused_fields: set[str] = field(default_factory=set)
    #: ``{{ … }}`` that print a value as it is: ``name`` or ``name.attr``, and expressions
    printed: set[str] = field(default_factory=set)
    #: printed values that are yes/no (a comparison, or a yes_no field): they print 是/否
    raw_booleans: set[str] = field(default_factory=set)


_OPERATORS = {"eq": "==", "ne": "!=", "gt": ">", "gteq": ">=", "lt": "<", "lteq": "<=",
              "in": "in", "notin": "not in"}


def _spelled(node: nodes.Node) -> str:
    """A short readable form of an expression, to name it in a warning."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_spelled(node.node)}.{node.attr}"
    if isinstance(node, nodes.Const):
        return repr(node.value)
    if isinstance(node, nodes.Not):
        return f"not {_spelled(node.node)}"
    if isinstance(node, nodes.Test):
        return f"{_spelled(node.node)} is {node.name}"
    if isinstance(node, nodes.Compare):
        return " ".join([_spelled(node.expr), *(f"{_OPERATORS.get(o.op, o.op)} {_spelled(o.expr)}"
                                                 for o in node.ops)])
    return "…"


def _printed(tree: nodes.Template, report: TemplateReport) -> None:
    """Note what ``{{ }}`` print without a filter; yes/no expressions are raw booleans."""
    for output in tree.find_all(nodes.Output):
        for node in output.nodes:
            if isinstance(node, nodes.Name | nodes.Getattr):
                report.printed.add(_spelled(node))
            elif isinstance(node, nodes.Compare | nodes.Test | nodes.Not):
                report.raw_booleans.add(_spelled(node))


def _sources(template: Path, env: ImmutableSandboxedEnvironment) -> list[str]:
    suffix = template.suffix.lower()
    if suffix == ".docx":
        document = DocxTemplate(str(template))
        document.init_docx()
        parts = [document.patch_xml(document.get_xml())]
        for uri in (document.HEADER_URI, document.FOOTER_URI):
            for _, xml in document.get_headers_footers(uri):
                parts.append(document.patch_xml(document.get_part_xml(xml)))
        return parts
    if suffix in {".xlsx", ".xlsm"}:
        workbook = openpyxl.load_workbook(template)
        return [c.value for s in workbook.worksheets for r in s.iter_rows() for c in r
                if isinstance(c.value, str) and ("{{" in c.value or "{%" in c.value)]
    raise TemplateError(f"不支持的模板类型「{suffix}」/ unsupported template type {suffix!r}")


def inspect_template(template: Path, env: ImmutableSandboxedEnvironment) -> TemplateReport:
    """Every name and attribute a template's Jinja refers to."""
    from jinja2 import TemplateSyntaxError, meta

    report = TemplateReport()
    for source in _sources(Path(template), env):
        try:
            tree = env.parse(source)
        except TemplateSyntaxError as error:
            raise TemplateError(
                f"模板「{template}」语法错误：{error} / template {str(template)!r} has a syntax error: "
                f"{error}"
            ) from None
        report.names |= meta.find_undeclared_variables(tree)
        _printed(tree, report)
        report.attributes |= {(n.node.name, n.attr) for n in tree.find_all(nodes.Getattr)
                              if isinstance(n.node, nodes.Name)}
    return report


#: Attributes values carry besides a record's fields: ID numbers know birth date and sex.
VALUE_ATTRIBUTES = {"birth_date", "sex"}
DOCUMENT_ATTRIBUTES = {"annex", "title", "name"}


def check_against(report: TemplateReport, document_type: DocumentType) -> TemplateReport:
    """Mark names no field, setting or computed value provides, and fields never used."""
    field_names = {f.name for spec in document_type.inputs for f in spec.fields}
    setting_names = {s.name for s in document_type.settings}
    provided = (field_names | ENGINE_NAMES | set(document_type.provides)
                | {spec.name for spec in document_type.inputs} | {document_type.each}
                | set(document_type.sheet_lists.values()))
    report.unknown = {n for n in report.names if n not in provided}
    for base, attribute in report.attributes:
        if base == "loop" or base in report.unknown:
            continue
        if base == "settings":
            known = setting_names
        elif base == "document":
            known = DOCUMENT_ATTRIBUTES
        elif document_type.prepare is not None:
            continue  # a plugin's own context: its names are not declared as fields
        else:
            known = field_names | VALUE_ATTRIBUTES | set(document_type.provides)
        if attribute not in known:
            report.unknown.add(f"{base}.{attribute}")
    yes_no = {f.name for spec in document_type.inputs for f in spec.fields if f.type == "yes_no"}
    report.raw_booleans |= {p for p in report.printed if p.rpartition(".")[2] in yes_no}
    used = report.names | {a for _, a in report.attributes}
    report.unused_fields = {f for f in field_names if f not in used}
    return report
