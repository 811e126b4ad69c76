"""The standard field types every plugin can name: text, integer, date, resident_id …"""

from planforge.fields import BUILTIN_FIELD_TYPES
from planforge.hookspecs import hookimpl
from planforge.model import FieldType
from planforge.periods import parse_quarter

FIELD_TYPES = (
    *BUILTIN_FIELD_TYPES,
    FieldType("quarter", parse_quarter, "季度 / quarter: 2026Q1, 2026年第一季度"),
)


@hookimpl
def register_field_types(register):
    for field_type in FIELD_TYPES:
        register(field_type)
