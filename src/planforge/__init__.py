"""planforge: official paperwork of Chinese school-support programmes, from structured data.

The public API for plugins is the names in ``__all__``, :mod:`planforge.hookspecs` and
:mod:`planforge.formkit` (docs/plugins.md, "The public API"); everything else may change without
notice, and tests/test_imports.py keeps the built-in plugins to it.
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any  # noqa: E402

from .errors import (  # noqa: E402
    InputError,
    Location,
    PlanforgeError,
    PluginError,
    Problem,
    TemplateError,
    ToolMissingError,
)
from .hookspecs import hookimpl  # noqa: E402
from .model import (  # noqa: E402
    EXCEL_TABLE,
    WHERE_KEY,
    WORD_PER_RECORD,
    WORD_SINGLE,
    DocumentType,
    Field,
    FieldError,
    FieldType,
    InputData,
    Package,
    Record,
    Renderer,
    Rendering,
    Split,
    TableSpec,
)
from .resources import templates_dir  # noqa: E402
from .text import clean_context, cleaned_note, normalize_header  # noqa: E402

#: Names whose modules load on first use: importing planforge stays light (no Jinja, stdnum,
#: YAML), since every command and every plugin imports it.
_ON_FIRST_USE = {
    "parse_date": "planforge.fields",
    "parse_resident_id": "planforge.fields",
    "gather_settings": "planforge.settings",
    "read_mapping": "planforge.settings",
    "sanitize_filename": "planforge.output",
    "SpilledGroups": "planforge.spill",
    "SpilledList": "planforge.spill",
    "settled": "planforge.spill",
    "rmb_upper": "planforge.default_plugins.filters",
}
if TYPE_CHECKING:
    from .default_plugins.filters import rmb_upper
    from .fields import parse_date, parse_resident_id
    from .output import sanitize_filename
    from .settings import gather_settings, read_mapping
    from .spill import SpilledGroups, SpilledList, settled


def __getattr__(name: str) -> Any:
    if name not in _ON_FIRST_USE:
        raise AttributeError(f"module 'planforge' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_ON_FIRST_USE[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "EXCEL_TABLE", "WHERE_KEY", "WORD_PER_RECORD", "WORD_SINGLE", "DocumentType", "Field",
    "FieldError", "FieldType", "InputData", "InputError", "Location", "Package", "PlanforgeError",
    "PluginError", "Problem", "Record", "Renderer", "Rendering", "Split", "TableSpec",
    "TemplateError", "hookimpl", "__version__",
    # helpers the built-in plugins share with any other
    "ToolMissingError", "clean_context", "cleaned_note", "gather_settings", "normalize_header",
    "parse_date", "parse_resident_id", "read_mapping", "rmb_upper", "sanitize_filename",
    "templates_dir",
    # long lists kept on disk (docs/plugins.md, "Big lists")
    "SpilledGroups", "SpilledList", "settled",
]
