"""Every document the adversarial suite produced is schema-valid OOXML (issue 18).

Hostile values (markup characters, emoji, control characters, 10,000-character cells, formulas,
broken templates that still render) must not make Word or Excel offer to repair a file: each
collected document's parts are validated against the ECMA-376 schemas of tests/schema.
"""

from __future__ import annotations

import pytest

from ..schema.ooxml_schema import package_problems
from .collect import STATE


@pytest.mark.slow
def test_every_document_is_schema_valid():
    documents = list(STATE.documents)
    if not documents:
        pytest.skip("no documents were collected: run the whole adversarial suite")
    problems = {where: found for copy, where in documents if (found := package_problems(copy))}
    assert problems == {}
