"""What a Word or Excel template asks for, compared with what a document type provides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    #: loop variable -> the list it runs over, as written (``records``, ``g.rows``)
    loops: dict[str, str] = field(default_factory=dict)


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
        for loop in tree.find_all(nodes.For):
            iterated = loop.iter
            while isinstance(iterated, nodes.Filter | nodes.Test):  # records|sort(...)
                iterated = iterated.node
            if isinstance(loop.target, nodes.Name) and isinstance(iterated,
                                                                   nodes.Name | nodes.Getattr):
                report.loops[loop.target.name] = _spelled(iterated)
        report.attributes |= {(n.node.name, n.attr) for n in tree.find_all(nodes.Getattr)
                              if isinstance(n.node, nodes.Name)}
    return report


#: Attributes values carry besides a record's fields: ID numbers know birth date and sex.
VALUE_ATTRIBUTES = {"birth_date", "sex"}
DOCUMENT_ATTRIBUTES = {"annex", "title", "name"}


def declared_keys(document_type: DocumentType) -> dict[str, set[str]]:
    """The keys of the items of every list a declarative type's context holds (``records``,
    a ``derive`` result, ``groups.rows``); empty for a Python ``prepare``, whose context is its
    own (check such a type against real data with ``--data``)."""
    from .derive import COUNT_KEY, ITEMS_KEY

    steps = getattr(document_type.prepare, "steps", None)
    if document_type.prepare is not None and steps is None:
        return {}
    keys = {spec.name: {f.name for f in spec.fields} for spec in document_type.inputs}
    for step in steps or ():
        source = keys.get(step.source)
        if source is None:
            continue
        added = {name for name, _ in step.add}
        totals = {COUNT_KEY} | {name for name, _ in (*step.count, *step.sum)}
        if step.group_by:
            keys[step.name] = set(step.group_by) | {ITEMS_KEY} | totals
            keys[f"{step.name}.{ITEMS_KEY}"] = source | added
        elif step.join is not None:
            keys[step.name] = source | added | {step.join.as_name} | totals
            if step.join.source in keys:
                keys[f"{step.name}.{step.join.as_name}"] = keys[step.join.source]
        elif step.count or step.sum:
            keys[step.name] = totals
        else:
            keys[step.name] = source | added
    return keys


def context_keys(context: Mapping[str, Any]) -> dict[str, set[str]]:
    """The keys of the items of every list (and mapping) in a real context, nested lists by
    their path (``levels.rows``)."""
    keys: dict[str, set[str]] = {}

    def visit(path: str, value: Any) -> None:
        items = [value] if isinstance(value, Mapping) else value if isinstance(value, list) else []
        mappings = [item for item in items if isinstance(item, Mapping)]
        if not mappings:
            return
        keys.setdefault(path, set()).update(str(k) for m in mappings for k in m)
        nested: dict[str, list] = {}
        for mapping in mappings:
            for key, inner in mapping.items():
                if isinstance(inner, list):
                    nested.setdefault(str(key), []).extend(inner)
        for key, inner in nested.items():
            visit(f"{path}.{key}", inner)

    for name, value in context.items():
        if name != "settings":
            visit(str(name), value)
    return keys


def _list_path(spelled: str, loops: Mapping[str, str], depth: int = 0) -> str:
    """The list a loop runs over, with outer loop variables resolved (``u in g.rows`` with
    ``g in levels`` runs over ``levels.rows``)."""
    head, _, rest = spelled.partition(".")
    if head in loops and depth < 10 and loops[head] != spelled:
        base = _list_path(loops[head], loops, depth + 1)
        return f"{base}.{rest}" if rest else base
    return spelled


def check_against(report: TemplateReport, document_type: DocumentType,
                  context: Mapping[str, Any] | None = None) -> TemplateReport:
    """Mark names no field, setting or computed value provides, attributes the items of a
    loop's list do not have (``p.nmae``), and fields never used. With ``context`` (the real
    one of a run) every list is known, whatever computes it."""
    field_names = {f.name for spec in document_type.inputs for f in spec.fields}
    setting_names = {s.name for s in document_type.settings}
    keys = context_keys(context) if context is not None else declared_keys(document_type)
    each_lists = [document_type.each, *document_type.sheet_lists.values()]
    provided = (field_names | ENGINE_NAMES | set(document_type.provides)
                | {spec.name for spec in document_type.inputs} | {document_type.each}
                | set(document_type.sheet_lists.values()) | set(context or ()))
    if document_type.renderer == "word-per-record":
        provided |= keys.get(document_type.each, set())  # a record's keys are top-level names
    report.unknown = {n for n in report.names if n not in provided}
    for base, attribute in report.attributes:
        if base == "loop" or base in report.unknown:
            continue
        if base == "settings":
            known: set[str] | None = setting_names
        elif base == "document":
            known = DOCUMENT_ATTRIBUTES
        elif base in report.loops:
            known = keys.get(_list_path(base, report.loops))
        elif base in ("row", "record"):
            found = [keys.get(name) for name in each_lists]
            known = None if any(k is None for k in found) else set().union(*found)
        elif base in keys:
            known = keys[base]  # a mapping such as a derive step's totals
        elif context is None and document_type.prepare is not None:
            continue  # a plugin's own context: its names are not declared as fields
        else:
            known = field_names | set(document_type.provides)  # as the engine's own check did
        if known is None:
            continue
        if attribute not in known | VALUE_ATTRIBUTES:
            report.unknown.add(f"{base}.{attribute}")
    yes_no = {f.name for spec in document_type.inputs for f in spec.fields if f.type == "yes_no"}
    report.raw_booleans |= {p for p in report.printed if p.rpartition(".")[2] in yes_no}
    used = report.names | {a for _, a in report.attributes}
    report.unused_fields = {f for f in field_names if f not in used}
    return report
