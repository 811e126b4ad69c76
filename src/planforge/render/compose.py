"""docxcompose, used without breaking python-docx for the rest of the process.

docxcompose maps the ``cp`` prefix in python-docx's global namespace table to *custom*
properties (it needs that while composing), but python-docx writes *core* properties with the
same prefix. Left alone, every document saved afterwards in the process gets a malformed
``docProps/core.xml``. The mapping is switched only while composing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from docx.oxml.ns import nsmap

CORE_PROPERTIES = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
CUSTOM_PROPERTIES = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"


@contextmanager
def composing() -> Iterator[type]:
    """Yield docxcompose's ``Composer`` with the namespace table it expects, then restore it."""
    from docxcompose.composer import Composer

    nsmap["cp"] = CUSTOM_PROPERTIES
    try:
        yield Composer
    finally:
        nsmap["cp"] = CORE_PROPERTIES


nsmap["cp"] = CORE_PROPERTIES  # in case docxcompose was imported before this module
