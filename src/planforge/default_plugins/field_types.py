"""The standard field types every plugin can name: text, integer, date, resident_id …"""

from planforge.fields import BUILTIN_FIELD_TYPES
from planforge.hookspecs import hookimpl


@hookimpl
def register_field_types(register):
    for field_type in BUILTIN_FIELD_TYPES:
        register(field_type)
