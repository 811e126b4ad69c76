"""The standard field types every plugin can name: text, integer, date, resident_id …"""

from planforge.fields import BUILTIN_FIELD_TYPES
from planforge.hookspecs import hookimpl
from planforge.model import FieldType
from planforge.periods import parse_quarter, parse_semester, parse_term

FIELD_TYPES = (
    *BUILTIN_FIELD_TYPES,
    FieldType("quarter", parse_quarter, "季度 / quarter: 2026Q1, 2026年第一季度"),
    FieldType("semester", parse_semester, "学期 / semester: 2025-2026-2, 2025—2026学年第二学期"),
    FieldType("term", parse_term, "期限 / term: 2023—2025年, 2023年9月—2026年8月, 3年, 长期"),
)


@hookimpl
def register_field_types(register):
    for field_type in FIELD_TYPES:
        register(field_type)
