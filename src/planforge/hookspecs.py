"""The plugin API of planforge.

Every hook receives a ``register`` callable (or the click group) and the plugin calls it for each
thing it contributes. Built-in document types use exactly these hooks; ``docs/plugins.md`` shows a
runnable example of each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("planforge")
hookimpl = pluggy.HookimplMarker("planforge")


@hookspec
def register_document_types(register: Callable[[Any], None]) -> None:
    """Register :class:`planforge.DocumentType` objects.

    A document type is one form: its fields, its template, how it is rendered (the name of a
    registered renderer: one Word file per record, one Word file for all records, one Excel
    table, or a plugin's own kind) and how its output is named.
    """


@hookspec
def register_renderers(register: Callable[[Any], None]) -> None:
    """Register :class:`planforge.Renderer` objects: output kinds a document type can name.

    A renderer gets the engine's prepared context and items of one document type
    (:class:`planforge.Rendering`) and writes its files through the run's output writer, so they
    are staged, listed in the manifest and published with the others. The built-in kinds
    (``word-per-record``, ``word-single``, ``excel-table``) register through this hook too.
    """


@hookspec
def register_packages(register: Callable[[Any], None]) -> None:
    """Register :class:`planforge.Package` objects: numbered annexes produced by one command.

    ``planforge fill PACKAGE`` validates the data once for all of them and writes one folder with an
    entry per annex. A package may compute shared results (e.g. eligibility) once for every annex.
    """


@hookspec
def register_field_types(register: Callable[[Any], None]) -> None:
    """Register :class:`planforge.FieldType` objects: parsers for cell values.

    A field type turns a raw cell (text, number, date, bool) into a clean value or raises
    :class:`planforge.FieldError` with a message in Chinese and English. Declarative plugins can
    use every registered type by name.
    """


@hookspec
def register_template_filters(register: Callable[[str, Callable[..., Any]], None]) -> None:
    """Register Jinja filters usable in every template, as ``register(name, function)``.

    Filters run inside the sandbox on plain values; they must not touch files or the network.
    """


@hookspec
def register_commands(cli: Any, engine: Callable[[], Any]) -> None:
    """Add commands to the ``planforge`` click group (e.g. ``planforge dossier build``).

    ``engine()`` returns the engine of the running ``planforge`` (its plugins, ``--plugins-dir``
    included): a command that fills a target calls ``engine().prepare(...)`` and
    ``engine().fill(...)``, so its outputs are staged, listed and published like ``fill``'s.
    An implementation may leave ``engine`` out of its parameters.
    """
