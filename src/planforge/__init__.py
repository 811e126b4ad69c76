"""planforge: official paperwork of Chinese school-support programmes, from structured data.

The public API for plugins is :mod:`planforge.hookspecs` plus the names exported here.
"""

__version__ = "0.1.0"

from .errors import InputError, Location, PlanforgeError, Problem, TemplateError  # noqa: E402
from .hookspecs import hookimpl  # noqa: E402
from .model import (  # noqa: E402
    EXCEL_TABLE,
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
    TableSpec,
)

__all__ = [
    "EXCEL_TABLE", "WORD_PER_RECORD", "WORD_SINGLE", "DocumentType", "Field", "FieldError",
    "FieldType", "InputData", "InputError", "Location", "Package", "PlanforgeError", "Problem",
    "Record", "Renderer", "Rendering", "TableSpec", "TemplateError", "hookimpl", "__version__",
]
