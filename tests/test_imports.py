"""The core and the built-in plugins import each other without circles.

Every import counts, also those inside functions (a worker's late import is still a circle:
neither module can be understood, tested or moved without the other). The circles that remain
lie in files other work is changing; they are listed here so that none is added and each one
removed is struck off.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

PACKAGES = ((ROOT / "src" / "planforge", "planforge"), (ROOT / "plugins", "plugins"))

#: Known circles, to be removed (issue 16 item 4): nothing may join them, none may grow.
KNOWN = {
    frozenset({"planforge.render.word", "planforge.render.wordstream"}),
    frozenset({"plugins.gd_subsidy", "plugins.gd_subsidy.advisories", "plugins.gd_subsidy.check",
               "plugins.gd_subsidy.context"}),
    frozenset({"plugins.hardship_aid", "plugins.hardship_aid.archive",
               "plugins.hardship_aid.context"}),
}


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
            targets += [module, *(f"{module}.{alias.name}" for alias in node.names)]
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


def test_no_new_import_circles():
    files = module_files()
    graph = {name: imported(name, path, set(files)) for name, path in files.items()}
    assert "planforge.render.batch" in graph["planforge.default_plugins.renderers"]
    found = circles(graph)
    assert found - KNOWN == set(), "new import circle"
    assert KNOWN - found == set(), "a known circle is gone: strike it off KNOWN"
