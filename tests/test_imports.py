"""The core and the built-in plugins import each other without circles, and the built-in
plugins keep to the public API.

Every import counts, also those inside functions (a worker's late import is still a circle:
neither module can be understood, tested or moved without the other). The circles and internal
imports that remain lie in files other work is changing; they are listed here so that none is
added and each one removed is struck off.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import planforge

from .conftest import ROOT

PACKAGES = ((ROOT / "src" / "planforge", "planforge"), (ROOT / "plugins", "plugins"))

#: Known circles, to be removed (issue 16 item 4): nothing may join them, none may grow.
KNOWN: set[frozenset[str]] = set()


def module_files() -> dict[str, Path]:
    found = {}
    for base, prefix in PACKAGES:
        for path in base.rglob("*.py"):
            parts = [prefix, *path.relative_to(base).with_suffix("").parts]
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported(name: str, path: Path, modules: set[str]) -> set[str]:
    """The modules of ``modules`` that ``name`` imports anywhere in its file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = parts[:len(parts) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            # each name is a submodule (``from . import rules`` imports rules, as ``from .rules
            # import x`` does) or a name of the module, found below by its prefix
            targets += [f"{module}.{alias.name}" for alias in node.names]
    found = set()
    for target in targets:
        while target and target not in modules:  # a name imported from a module: the module
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)
    return found


def circles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: set[frozenset[str]] = set()
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        while work:
            node, edges = work[-1]
            following = next(edges, None)
            if following is not None:
                if following not in index:
                    index[following] = low[following] = len(index)
                    stack.append(following)
                    work.append((following, iter(sorted(graph[following]))))
                elif following in stack:
                    low[node] = min(low[node], index[following])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.add(frozenset(group))
    return found


def test_the_finder_sees_a_circle_through_a_late_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert circles(graph) == {frozenset({"a", "b", "c"})}
    assert circles({"a": {"b"}, "b": set()}) == set()


def test_the_finder_reads_what_a_module_imports(tmp_path):
    """A submodule imported by name is that submodule, not its package; a name of a package is
    the package; late and relative imports count."""
    modules = {"pkg", "pkg.a", "pkg.b", "pkg.c", "other"}
    source = tmp_path / "a.py"
    source.write_text("from . import b\nfrom .c import thing\ndef late():\n"
                      "    from pkg import NAME\n    import other\n", encoding="utf-8")
    assert imported("pkg.a", source, modules) == {"pkg.b", "pkg.c", "pkg", "other"}
    source.write_text("from . import b, NAME\n", encoding="utf-8")
    assert imported("pkg.a", source, modules) == {"pkg.b", "pkg"}


def test_no_new_import_circles():
    files = module_files()
    graph = {name: imported(name, path, set(files)) for name, path in files.items()}
    assert "planforge.render.batch" in graph["planforge.default_plugins.renderers"]
    found = circles(graph)
    assert found - KNOWN == set(), "new import circle"
    assert KNOWN - found == set(), "a known circle is gone: strike it off KNOWN"


#: The public API (docs/plugins.md, "The public API"): the names of ``planforge.__all__`` and
#: the public names of these modules (their ``__all__`` where they declare one). Everything else
#: is internal and may change in any release.
PUBLIC_MODULES = ("planforge.hookspecs", "planforge.formkit", "planforge.default_plugins.booklet",
                  "planforge.default_plugins.convert")

#: Internals that built-in plugins still import, to be removed: (file, module); nothing may
#: join them.
KNOWN_INTERNAL_IMPORTS: set[tuple[str, str]] = set()


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _public_in(module: str, name: str) -> bool:
    declared = getattr(importlib.import_module(module), "__all__", None)
    return not _private(name) and (not name or declared is None or name in declared)


def api_breaches(source: str) -> set[tuple[str, str]]:
    """(module, name) of each import in ``source`` outside the public API: a module of planforge
    other than the public ones, a name of ``planforge`` not in ``__all__``, a private name from a
    public module, or a private name or module of anything else. Relative imports (a plugin's own
    modules) are the plugin's business."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            pairs = [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            pairs = [(node.module or "", alias.name) for alias in node.names]
        else:
            continue
        for module, name in pairs:
            if module == "planforge":
                public = not name or name in planforge.__all__
            elif module.startswith("planforge."):
                public = module in PUBLIC_MODULES and _public_in(module, name)
            else:
                public = not any(map(_private, [*module.split("."), name]))
            if not public:
                found.add((module, name))
    return found


def plugin_sources() -> dict[str, str]:
    """The built-in plugins, the example plugin package and the examples of docs/plugins.md."""
    files = [*sorted((ROOT / "plugins").rglob("*.py")),
             *sorted((ROOT / "examples" / "planforge-example-plugin" / "src").rglob("*.py"))]
    sources = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in files}
    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    for number, code in enumerate(re.findall(r"```python\n(.*?)```", docs, re.S), start=1):
        sources[f"docs/plugins.md, example {number}"] = code
    return sources


def test_the_api_check_sees_private_and_internal_imports():
    source = """
from planforge import Field, hookimpl, __version__
from planforge import _secret, Engine
from planforge.hookspecs import hookimpl
from planforge.hookspecs import _private_helper
from planforge.engine import Engine
from planforge.default_plugins.filters import rmb_upper
import planforge.output
import planforge
from .context import _own_helper
from plugins.gd_subsidy.rules import _ID_FIELD
from plugins._hidden import thing
import yaml
def late():
    from planforge.binder import _open_pdf
"""
    assert api_breaches(source) == {
        ("planforge", "_secret"), ("planforge", "Engine"),
        ("planforge.hookspecs", "_private_helper"), ("planforge.engine", "Engine"),
        ("planforge.default_plugins.filters", "rmb_upper"), ("planforge.output", ""),
        ("plugins.gd_subsidy.rules", "_ID_FIELD"), ("plugins._hidden", "thing"),
        ("planforge.binder", "_open_pdf"),
    }
    # a public module that declares __all__ gives only those names
    assert _public_in("planforge", "Field") and not _public_in("planforge", "Engine")
    assert _public_in("planforge.formkit", "table_row")
    assert not _public_in("planforge.formkit", "_all_scripts")


def test_every_public_name_exists():
    """``__all__`` names only what ``planforge`` gives (some load on first use), and the public
    modules hold what is imported from them."""
    for name in planforge.__all__:
        assert getattr(planforge, name) is not None, name
    with pytest.raises(AttributeError):
        planforge.no_such_name  # noqa: B018
    for module in PUBLIC_MODULES:
        importlib.import_module(module)


def test_plugins_import_only_the_public_api():
    found = {(where, module) for where, source in plugin_sources().items()
             for module, _ in api_breaches(source)}
    assert {(where, module) for where, module in found
            if (where, module) not in KNOWN_INTERNAL_IMPORTS} == set(), "import outside the API"
    assert KNOWN_INTERNAL_IMPORTS - found == set(), "a known import is gone: strike it off"
