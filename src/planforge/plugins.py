"""Finding plugins and collecting what they register.

Plugins come from three places, all registered through the same pluggy hooks: the built-in set
(``plugins/`` in the checkout, bundled in the wheel), installed packages declaring the entry-point
group ``planforge`` (only those ``PLANFORGE_LOAD_PLUGINS`` names, when it is set), and a folder
named with ``--plugins-dir`` or ``PLANFORGE_PLUGINS_DIR``. A folder plugin is a Python
module/package, or a declarative folder holding ``plugin.yaml``. A plugin that fails to load is
reported by name and the others still load.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from . import hookspecs
from .declarative import DECLARATIVE_FILES, load_declarative
from .errors import PluginError
from .model import DocumentType, FieldType, Package, Renderer
from .resources import builtin_plugins_dir

ENTRY_POINT_GROUP = "planforge"
PLUGINS_DIR_ENV = "PLANFORGE_PLUGINS_DIR"
#: Comma-separated entry-point plugins to load (their entry-point or distribution names); set but
#: empty loads none: the test suite and reproducible runs are not changed by what is installed.
LOAD_PLUGINS_ENV = "PLANFORGE_LOAD_PLUGINS"
#: planforge's own plugins, imported by name as llm does: this module only loads them, so the
#: renderers (which start worker processes that load plugins) do not import it back.
DEFAULT_PLUGINS = ("planforge.default_plugins.field_types", "planforge.default_plugins.filters",
                   "planforge.default_plugins.booklet",
                   "planforge.default_plugins.renderers")


@dataclass
class PluginInfo:
    name: str
    source: str  # "planforge", "built-in", "entry point <dist>", or the folder
    location: str = ""
    error: str | None = None
    contributes: list[str] = field(default_factory=list)
    where: str = ""  # file:line of the failure, inside the plugin where it can be found
    details: str = ""  # the traceback, shown with --debug

    def fail(self, error: BaseException) -> None:
        """Record why this plugin failed: the error, where in the plugin, and the traceback."""
        self.error = _reason(error)
        self.where = _origin(error, self.location)
        self.details = "".join(traceback.format_exception(error))

    def describe(self) -> str:
        """``name (file:line): error``, as every warning and listing shows a failed plugin."""
        place = self.where or self.location or self.source
        return f"{self.name} ({place}): {self.error}"


@dataclass
class Registry:
    """Everything the loaded plugins registered, by name."""

    manager: pluggy.PluginManager
    plugins: list[PluginInfo]
    plugins_dir: str | None = None  # so worker processes load the same plugins
    document_types: dict[str, DocumentType] = field(default_factory=dict)
    packages: dict[str, Package] = field(default_factory=dict)
    field_types: dict[str, FieldType] = field(default_factory=dict)
    filters: dict[str, Callable[..., Any]] = field(default_factory=dict)
    renderers: dict[str, Renderer] = field(default_factory=dict)

    @property
    def errors(self) -> list[PluginInfo]:
        return [p for p in self.plugins if p.error]

    def target(self, name: str) -> DocumentType | Package:
        """A document type or package by name, with a helpful error when unknown."""
        if name in self.packages:
            return self.packages[name]
        if name in self.document_types:
            return self.document_types[name]
        known = "、".join(sorted({*self.packages, *self.document_types})) or "（无 / none）"
        raise PluginError(
            f"没有名为「{name}」的文档类型或附件包；可用：{known} / "
            f"no document type or package named {name!r}; available: {known}"
        )


def _import_file(path: Path, module_name: str) -> ModuleType:
    location = path / "__init__.py" if path.is_dir() else path
    spec = importlib.util.spec_from_file_location(
        module_name, location, submodule_search_locations=[str(path)] if path.is_dir() else None
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {location}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def _folder_candidates(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_dir() and (
            (entry / "__init__.py").exists() or any((entry / n).exists() for n in DECLARATIVE_FILES)
        ) or entry.suffix == ".py":
            found.append(entry)
    return found


class PluginLoader:
    """Registers plugins on one pluggy manager, keeping a record of each."""

    def __init__(self) -> None:
        self.manager = pluggy.PluginManager("planforge")
        self.manager.add_hookspecs(hookspecs)
        self.plugins: list[PluginInfo] = []

    def _register(self, plugin: object, info: PluginInfo) -> None:
        try:
            self.manager.register(plugin, name=f"{info.source}:{info.name}")
        except (ValueError, pluggy.PluginValidationError) as error:
            info.error = str(error)
        self.plugins.append(info)

    def load_folder(self, folder: Path, source: str) -> None:
        for path in _folder_candidates(folder):
            name = path.stem
            info = PluginInfo(name, source, str(path))
            try:
                if path.is_dir() and not (path / "__init__.py").exists():
                    plugin: object = load_declarative(path)
                    name = info.name = getattr(plugin, "name", name)
                else:
                    folder_key = hashlib.sha1(str(path.parent).encode()).hexdigest()[:12]
                    # stable across processes, so worker processes can unpickle plugin objects
                    module_name = f"planforge_plugins_{folder_key}_{name}"
                    plugin = _import_file(path, module_name)
            except Exception as error:  # a broken plugin must not stop the others
                info.fail(error)
                self.plugins.append(info)
                continue
            self._register(plugin, info)

    def load_entry_points(self, only: set[str] | None = None) -> None:
        """Every installed entry-point plugin, or those named in ``only``; a name in ``only``
        that no installed plugin has is reported as a failed plugin."""
        wanted = {_canonical(name) for name in only} if only is not None else None
        found: set[str] = set()
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            dist = entry.dist.name if entry.dist else "?"
            if wanted is not None:
                names = {_canonical(entry.name), _canonical(dist)} & wanted
                if not names:
                    continue
                found |= names
            info = PluginInfo(entry.name, f"entry point ({dist})", entry.value)
            try:
                plugin = entry.load()
            except Exception as error:
                info.fail(error)
                self.plugins.append(info)
                continue
            self._register(plugin, info)
        for name in sorted((wanted or set()) - found):
            self.plugins.append(PluginInfo(
                name, LOAD_PLUGINS_ENV, error=f"{LOAD_PLUGINS_ENV} 指定的插件未安装 / {name!r} "
                f"is named in {LOAD_PLUGINS_ENV} but no installed entry-point plugin has "
                "that name"))


def _canonical(name: str) -> str:
    """Names as pip compares distributions: case, ``-``, ``_`` and ``.`` do not matter."""
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def _entry_point_names() -> set[str] | None:
    """The plugins ``PLANFORGE_LOAD_PLUGINS`` asks for; None when it is unset (load them all)."""
    value = os.environ.get(LOAD_PLUGINS_ENV)
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _origin(error: BaseException, location: str) -> str:
    """``file:line`` where a plugin failed: the deepest frame inside the plugin (or the file a
    syntax error names); empty when the failure lies outside it."""
    if isinstance(error, SyntaxError) and error.filename:
        return f"{error.filename}:{error.lineno}"
    root = Path(location).parent if location and Path(location).is_file() else Path(location or ".")
    inside = [frame for frame in traceback.extract_tb(error.__traceback__)
              if location and Path(frame.filename).resolve().is_relative_to(root.resolve())]
    return f"{inside[-1].filename}:{inside[-1].lineno}" if inside else ""


def load_plugins(plugins_dir: Path | str | None = None) -> Registry:
    """Load every plugin and collect what it registers."""
    loader = PluginLoader()
    for name in DEFAULT_PLUGINS:
        loader._register(importlib.import_module(name), PluginInfo(name.rsplit(".", 1)[-1],
                                                                   "planforge"))
    loader.load_folder(builtin_plugins_dir(), "built-in")
    loader.load_entry_points(_entry_point_names())
    extra = plugins_dir or os.environ.get(PLUGINS_DIR_ENV)
    if extra:
        folder = Path(extra)
        if not folder.is_dir():
            raise PluginError(
                f"插件目录「{folder}」不存在 / plugins directory {str(folder)!r} does not exist"
            )
        loader.load_folder(folder, str(folder))
    registry = Registry(loader.manager, loader.plugins, str(extra) if extra else None)
    _collect(registry)
    return registry


def _collect(registry: Registry) -> None:
    """Call each plugin's hooks on its own, so one plugin's failure is reported, not fatal."""
    infos = {f"{p.source}:{p.name}": p for p in registry.plugins}

    def adder(kind: str, table: dict, info: PluginInfo) -> Callable[..., None]:
        def register(item: Any, function: Any = None) -> None:
            name = item if function is not None else item.name
            if name in table:
                raise PluginError(f"{kind} {name!r} is already registered by another plugin")
            if function is not None:
                table[name] = function
            else:
                if hasattr(item, "source") and not item.source:
                    item.source = info.name
                table[name] = item
            info.contributes.append(f"{kind}:{name}")
        return register

    order = (("field_type", "register_field_types", registry.field_types),
             ("filter", "register_template_filters", registry.filters),
             ("renderer", "register_renderers", registry.renderers),
             ("document_type", "register_document_types", registry.document_types),
             ("package", "register_packages", registry.packages))
    for kind, hook_name, table in order:
        hook = getattr(registry.manager.hook, hook_name)
        for impl in reversed(hook.get_hookimpls()):
            info = infos.get(impl.plugin_name)
            if info is None or info.error:
                continue
            try:
                impl.function(register=adder(kind, table, info))
            except Exception as error:
                info.fail(error)
    _check_renderers(registry, infos)
    _check_packages(registry)


def _check_renderers(registry: Registry, infos: dict[str, PluginInfo]) -> None:
    """Every document type must name a registered renderer that can do what it asks; one that
    does not is dropped and its plugin reported, as if its hook had raised."""
    known = ", ".join(sorted(registry.renderers))
    for document_type in list(registry.document_types.values()):
        renderer = registry.renderers.get(document_type.renderer)
        if renderer is None:
            problem = (f"文档类型「{document_type.name}」的 renderer「{document_type.renderer}」"
                       f"未注册；可用：{known} / document type {document_type.name!r}: renderer "
                       f"{document_type.renderer!r} is not registered; renderer must be one of "
                       f"{known}")
        elif renderer.fills_template and document_type.template is None:
            problem = (f"文档类型「{document_type.name}」没有模板，而 renderer「{renderer.name}」"
                       f"要填写模板 / document type {document_type.name!r} has no template, and "
                       f"renderer {renderer.name!r} fills one")
        elif document_type.pictures and not renderer.pictures:
            problem = (f"文档类型「{document_type.name}」的 renderer「{renderer.name}」不能替换"
                       f"模板图片 / document type {document_type.name!r}: renderer "
                       f"{renderer.name!r} cannot replace template pictures")
        else:
            continue
        del registry.document_types[document_type.name]
        contribution = f"document_type:{document_type.name}"
        info = next((i for i in infos.values() if contribution in i.contributes), None)
        if info is not None and not info.error:
            info.fail(PluginError(f"{info.name}: {problem}"))


def _check_packages(registry: Registry) -> None:
    for package in list(registry.packages.values()):
        missing = [m for m in package.members if m not in registry.document_types]
        if missing:
            info = next((p for p in registry.plugins if p.name == package.source), None)
            if info is not None:
                info.error = f"package {package.name!r} names unknown document types: {missing}"
            del registry.packages[package.name]


def register_commands(registry: Registry, cli: Any,
                      engine: Callable[[], Any] | None = None) -> None:
    """Let each plugin add its commands; a failing plugin is reported, the rest still work.

    ``engine`` makes the running planforge's engine, for the commands that fill targets."""
    infos = {f"{p.source}:{p.name}": p for p in registry.plugins}
    given = {"cli": cli, "engine": engine}
    for impl in reversed(registry.manager.hook.register_commands.get_hookimpls()):
        try:
            impl.function(**{name: given[name] for name in impl.argnames if name in given})
        except Exception as error:
            info = infos.get(impl.plugin_name)
            if info is not None:
                info.fail(error)
