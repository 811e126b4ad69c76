"""The one YAML loader of planforge: safe, bounded and strict about repeated keys.

Every YAML file planforge reads (settings, plugin.yaml, dossier.yaml, binder lists, captions, data)
goes through :func:`load_yaml`. The document is first composed into nodes, which share what an
alias names, so a "billion laughs" file is small at that stage; its expanded size is counted
(each shared node once, memoised) and refused above a bound before any Python object is built
or used. A key given twice in one mapping (a second ``year:``) is refused with both lines, since
YAML would silently keep the last one.
"""

from __future__ import annotations

from typing import Any

import yaml

#: libyaml's safe loader when PyYAML has it: every command reads every plugin.yaml first.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: How many nodes aliases may add to a document beyond the nodes written in it. Reusing a list
#: of fields or a block of settings adds hundreds; an alias bomb adds billions.
MAX_ALIAS_EXPANSION = 100_000

_MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlRefused(yaml.YAMLError):
    """A well-formed YAML document planforge refuses to use; the message is in both languages."""

    def __init__(self, zh: str, en: str):
        self.zh, self.en = zh, en
        super().__init__(f"{zh} / {en}")


def in_both_languages(error: Exception) -> tuple[str, str]:
    """An error's message in Chinese and in English: a refusal's own words, else the parser's
    (or the system's) one message for both."""
    if isinstance(error, YamlRefused):
        return error.zh, error.en
    return str(error), str(error)


def load_yaml(text: str) -> Any:
    """Parse one YAML document safely; raises :class:`yaml.YAMLError` (or YamlRefused)."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check(root: yaml.Node) -> None:
    """Refuse repeated keys and more expansion than :data:`MAX_ALIAS_EXPANSION` allows."""
    sizes: dict[int, int] = {}  # id(node) -> its expanded size, once computed
    written = 0
    pending: set[int] = set()  # on the current path: an alias back to it is a cycle
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            pending.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] - written > MAX_ALIAS_EXPANSION:  # aliases alone add that many
                raise _too_big()
            continue
        if key in sizes:
            continue
        if key in pending:
            raise YamlRefused("YAML 中的别名(*)引用了自身，无法展开",
                              "an alias (*) in the YAML refers to itself and cannot be expanded")
        pending.add(key)
        written += 1
        if isinstance(node, yaml.MappingNode):
            _no_repeated_keys(node)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    if sizes[id(root)] - written > MAX_ALIAS_EXPANSION:
        raise _too_big()


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _too_big() -> YamlRefused:
    return YamlRefused(
        f"YAML 中的锚点(&)和别名(*)展开后超过 {MAX_ALIAS_EXPANSION} 项，已拒绝（可能是“别名炸弹”）",
        f"the YAML's anchors (&) and aliases (*) expand to more than {MAX_ALIAS_EXPANSION} "
        "extra items and are refused (an alias bomb?)",
    )


def _no_repeated_keys(node: yaml.MappingNode) -> None:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
            continue
        key = (key_node.tag, key_node.value)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise YamlRefused(
                f"第{line}行的键「{key_node.value}」重复（第{seen[key]}行已有）；请只保留一个",
                f"key {key_node.value!r} on line {line} repeats line {seen[key]}; keep only one",
            )
        seen[key] = line
