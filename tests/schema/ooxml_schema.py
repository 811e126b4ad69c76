"""Validate the XML parts of a .docx/.xlsx against the ECMA-376 schemas vendored in ecma376/.

Office reads a part the way ECMA-376 Part 3 (Markup Compatibility) says: markup in a namespace the
part lists in ``mc:Ignorable`` is skipped, and of an ``mc:AlternateContent`` block an application
that understands none of the Choices takes the Fallback. :func:`understood_markup` does the same
before validating, so only what a reader of the base standard sees is checked.

The ECMA schemas spread one namespace over many files (28 files for DrawingML main, 20 for
SpreadsheetML) and some files import the same namespace twice with different locations; libxml2
keeps only the first import of a namespace. So :func:`schema` writes one wrapper per namespace that
includes all of that namespace's files, and one root schema importing every wrapper.
"""

from __future__ import annotations

import functools
import re
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
ECMA = HERE / "ecma376"
XML_XSD = HERE / "xml.xsd"
XSD = "http://www.w3.org/2001/XMLSchema"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# The parts planforge writes or changes (issue 18): Word body, headers, footers, styles, numbering;
# the workbook, its styles, shared strings and every worksheet; the package's content types and
# every relationships part.
CHECKED_PARTS = re.compile(
    r"^(\[Content_Types\]\.xml"
    r"|(.*/)?_rels/[^/]*\.rels"
    r"|word/(document|styles|numbering|header\d*|footer\d*)\.xml"
    r"|xl/(workbook|styles|sharedStrings)\.xml"
    r"|xl/worksheets/[^/]+\.xml)$"
)


# ECMA-376 1st edition types w:tblLook as CT_ShortHexNumber (w:val only). ISO/IEC 29500
# transitional (Part 1 "tblLook (Table Style Conditional Formatting Settings)", Part 4) gave it
# CT_TblLook: the same w:val plus the flags Word and python-docx write. It is the only difference
# between the two editions that the checked parts meet (see README.md).
TRANSITIONAL_TBL_LOOK = """
  <xsd:complexType name="CT_TblLook">
    <xsd:attribute name="firstRow" type="ST_OnOff" use="optional"/>
    <xsd:attribute name="lastRow" type="ST_OnOff" use="optional"/>
    <xsd:attribute name="firstColumn" type="ST_OnOff" use="optional"/>
    <xsd:attribute name="lastColumn" type="ST_OnOff" use="optional"/>
    <xsd:attribute name="noHBand" type="ST_OnOff" use="optional"/>
    <xsd:attribute name="noVBand" type="ST_OnOff" use="optional"/>
    <xsd:attribute name="val" type="ST_ShortHexNumber" use="optional"/>
  </xsd:complexType>
</xsd:schema>"""


def _transitional_wml(text: str) -> str:
    retyped = text.replace('name="tblLook" type="CT_ShortHexNumber"',
                           'name="tblLook" type="CT_TblLook"')
    assert retyped.count('type="CT_TblLook"') == 2, "wml.xsd is not the vendored 1st edition"
    return retyped.replace("</xsd:schema>", TRANSITIONAL_TBL_LOOK)


@functools.cache
def schema() -> etree.XMLSchema:
    """All vendored namespaces as one schema (built once per process).

    The vendored files are copied (wml.xsd with the transitional w:tblLook) into a scratch folder,
    so their relative imports find each other and the vendored copies stay byte-identical."""
    with tempfile.TemporaryDirectory(prefix="planforge-xsd-") as scratch:
        return _build(Path(scratch))


def _build(folder: Path) -> etree.XMLSchema:
    by_namespace: dict[str, list[Path]] = defaultdict(list)
    for source in sorted(ECMA.glob("*.xsd")):
        text = source.read_text(encoding="utf-8-sig")
        path = folder / source.name
        path.write_text(_transitional_wml(text) if source.name == "wml.xsd" else text,
                        encoding="utf-8")
        namespace = etree.parse(str(path)).getroot().get("targetNamespace")
        by_namespace[namespace].append(path)
    root = etree.Element(f"{{{XSD}}}schema", nsmap={"xsd": XSD})
    etree.SubElement(root, f"{{{XSD}}}import", namespace="http://www.w3.org/XML/1998/namespace",
                     schemaLocation=XML_XSD.as_uri())
    # Namespaces spread over many files first, so no file's own import loads one of them partly.
    ordered = sorted(by_namespace.items(), key=lambda item: (-len(item[1]), item[0]))
    for number, (namespace, paths) in enumerate(ordered):
        wrapper = etree.Element(f"{{{XSD}}}schema", nsmap={"xsd": XSD},
                                targetNamespace=namespace, elementFormDefault="qualified")
        for path in paths:
            etree.SubElement(wrapper, f"{{{XSD}}}include", schemaLocation=path.name)
        etree.ElementTree(wrapper).write(str(folder / f"namespace{number}.xsd"))
        etree.SubElement(root, f"{{{XSD}}}import", namespace=namespace,
                         schemaLocation=f"namespace{number}.xsd")
    top = folder / "all.xsd"
    etree.ElementTree(root).write(str(top))
    return etree.XMLSchema(etree.parse(str(top)))


def _ignorable_namespaces(element: etree._Element) -> set[str]:
    names = (element.get(f"{{{MC}}}Ignorable") or "").split()
    return {element.nsmap[prefix] for prefix in names if prefix in element.nsmap}


def understood_markup(root: etree._Element) -> etree._Element:
    """A copy of ``root`` as a reader of the base standard sees it (ECMA-376 Part 3)."""
    root = etree.fromstring(etree.tostring(root))
    _understand(root, frozenset())
    return root


def _understand(element: etree._Element, ignorable: frozenset[str]) -> None:
    ignorable = ignorable | _ignorable_namespaces(element)
    for name in list(element.attrib):
        namespace = etree.QName(name).namespace
        if namespace == MC or namespace in ignorable:
            del element.attrib[name]
    for child in list(element):
        if not isinstance(child.tag, str):
            continue
        namespace = etree.QName(child).namespace
        if namespace in ignorable:
            element.remove(child)
        elif child.tag == f"{{{MC}}}AlternateContent":
            fallback = child.find(f"{{{MC}}}Fallback")
            position = element.index(child)
            element.remove(child)
            for offset, chosen in enumerate(list(fallback) if fallback is not None else []):
                element.insert(position + offset, chosen)
                _understand(chosen, ignorable)
        else:
            _understand(child, ignorable)


def _allow_space_preserve_in_spreadsheet_text(root: etree._Element) -> None:
    """The one place a validator's verdict is overruled, on purpose.

    SpreadsheetML types the text element ``t`` (of a shared or inline string, a rich-text run, a
    phonetic run) as the simple type ST_Xstring, so an XSD validator refuses any attribute on it.
    Yet a string with leading or trailing spaces keeps them only through ``xml:space="preserve"``
    (XML 1.0 §2.10), and Excel itself writes it there, as openpyxl does: the schema leaves out an
    attribute Office expects. Only that attribute on that element is dropped before validation."""
    for text in root.iter(f"{{{S}}}t"):
        text.attrib.pop(XML_SPACE, None)


def part_problems(name: str, data: bytes) -> list[str]:
    """Schema violations of one part, each as 'part element-path: message'."""
    root = understood_markup(etree.fromstring(data))
    _allow_space_preserve_in_spreadsheet_text(root)
    checker = schema()
    if checker.validate(root):
        return []
    return [f"{name} {error.path}: {error.message}" for error in checker.error_log]


def package_problems(path: Path) -> list[str]:
    """Schema violations of every checked part of one .docx/.xlsx."""
    problems = []
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if CHECKED_PARTS.match(name):
                problems += part_problems(name, package.read(name))
    return problems


def checked_part_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as package:
        return [name for name in package.namelist() if CHECKED_PARTS.match(name)]
