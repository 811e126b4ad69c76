"""planforge: official paperwork of Chinese school-support programmes, from structured data.

The public API for plugins is :mod:`planforge.hookspecs` plus the names in ``__all__``
(docs/plugins.md, "The public API"); everything else may change without notice.
"""

__version__ = "0.1.0"

from .errors import (  # noqa: E402
    InputError,
    Location,
    PlanforgeError,
    PluginError,
    Problem,
    TemplateError,
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

__all__ = [
    "EXCEL_TABLE", "WHERE_KEY", "WORD_PER_RECORD", "WORD_SINGLE", "DocumentType", "Field",
    "FieldError", "FieldType", "InputData", "InputError", "Location", "Package", "PlanforgeError",
    "PluginError", "Problem", "Record", "Renderer", "Rendering", "Split", "TableSpec",
    "TemplateError", "hookimpl", "__version__",
]
