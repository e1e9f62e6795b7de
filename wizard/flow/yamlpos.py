"""Load YAML safely and remember where every key and value stands (line, column).

Only PyYAML's *safe* loader is used: a flow file can hold data, never
objects. Positions are 1-based, as editors and ``FILE:LINE:COL`` want them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """The safe loader with YAML 1.2 booleans: ``on:``, ``yes`` and ``no`` stay text."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Pos:
    """A 1-based line and column."""

    line: int
    col: int


class YamlSyntaxError(Exception):
    """The text is not valid YAML (or repeats a key); carries the position."""

    def __init__(self, message: str, pos: Pos) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


@dataclass
class Located:
    """Parsed data plus the position of each value (``values``) and mapping key (``keys``)."""

    data: Any
    values: dict[Path, Pos]
    keys: dict[Path, Pos]

    def pos(self, path: Sequence[str | int], key: bool = False) -> Pos:
        """The position of ``path``, or of its nearest parent that has one."""
        table = self.keys if key else self.values
        current = tuple(path)
        while current:
            if current in table:
                return table[current]
            if current in self.values:
                return self.values[current]
            current = current[:-1]
        return self.values.get((), Pos(1, 1))


def _mark(node: yaml.Node) -> Pos:
    return Pos(node.start_mark.line + 1, node.start_mark.column + 1)


def load_located(text: str) -> Located:
    """Parse ``text`` (one YAML document) into plain data with positions."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Pos(mark.line + 1, mark.column + 1) if mark else Pos(1, 1)
        raise YamlSyntaxError(str(exc.problem or exc), pos) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), Pos(1, 1)) from exc
    finally:
        loader.dispose()
    located = Located(None, {}, {})
    if root is None:
        located.values[()] = Pos(1, 1)
        return located
    constructor = _Loader("")

    def build(node: yaml.Node, path: Path) -> Any:
        located.values[path] = _mark(node)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlSyntaxError("a mapping key must be a plain value", _mark(key_node))
                key = constructor.construct_object(key_node)
                if key == "<<":
                    raise YamlSyntaxError("merge keys (<<) are not supported", _mark(key_node))
                if key in result:
                    raise YamlSyntaxError(f"duplicate key {key!r}", _mark(key_node))
                key_str = key if isinstance(key, str) else str(key)
                located.keys[(*path, key_str)] = _mark(key_node)
                result[key_str] = build(value_node, (*path, key_str))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [build(item, (*path, i)) for i, item in enumerate(node.value)]
        try:
            return constructor.construct_object(node)
        except yaml.constructor.ConstructorError as exc:
            raise YamlSyntaxError(str(exc.problem), _mark(node)) from exc

    located.data = build(root, ())
    constructor.dispose()
    return located
