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

MAX_DEPTH = 32
"""Deepest nesting of mappings and lists a data file may have (shipped files: 7)."""
MAX_NODES = 50_000
"""Most values a document may expand to, aliases counted as copies (shipped files: < 2,500)."""
MAX_NUMBER_CHARS = 64
"""Longest number (int or float) a data file may write."""


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


def _mark(node: yaml.Node | yaml.Event) -> Pos:
    mark = node.start_mark
    return Pos(mark.line + 1, mark.column + 1) if mark is not None else Pos(1, 1)


def _syntax_error(exc: yaml.YAMLError) -> YamlSyntaxError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        pos = Pos(mark.line + 1, mark.column + 1) if mark else Pos(1, 1)
        return YamlSyntaxError(str(exc.problem or exc), pos)
    return YamlSyntaxError(str(exc), Pos(1, 1))


def _check_events(text: str) -> None:
    """Reject nesting deeper than :data:`MAX_DEPTH` from the event stream, before composing.

    The parser keeps its own stack, so this pass never recurses however deep the text.
    """
    loader = _Loader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlSyntaxError(f"nested more than {MAX_DEPTH} levels deep",
                                          _mark(event))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        raise _syntax_error(exc) from exc
    finally:
        loader.dispose()


def _check_expansion(root: yaml.Node) -> None:
    """Reject a document that expands to more than :data:`MAX_NODES` values, before expanding.

    Aliases make the node graph a DAG whose expanded size can be exponential in
    the text (the "billion laughs"); the size is computed on the DAG, each node
    once, without building anything. An alias to a node that contains it is
    rejected too.
    """
    size: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            in_progress.discard(key)
            total = 1 + sum(size[id(child)] for child in _children(node))
            if total > MAX_NODES:
                raise YamlSyntaxError(
                    f"the document holds more than {MAX_NODES} values "
                    "(each alias counted as a copy)", _mark(node))
            size[key] = total
            continue
        if key in size:
            continue
        if key in in_progress:
            raise YamlSyntaxError("an alias refers to a node that contains it", _mark(node))
        in_progress.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in in_progress:
                raise YamlSyntaxError("an alias refers to a node that contains it",
                                      _mark(child))
            if id(child) not in size:
                stack.append((child, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


_NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})


def _scalar(constructor: yaml.SafeLoader, node: yaml.Node) -> Any:
    """One scalar's value; a value that cannot be built is a :class:`YamlSyntaxError`."""
    if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
        raise YamlSyntaxError(f"number longer than {MAX_NUMBER_CHARS} characters", _mark(node))
    try:
        return constructor.construct_object(node)
    except yaml.constructor.ConstructorError as exc:
        raise YamlSyntaxError(str(exc.problem), _mark(node)) from exc
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        raise YamlSyntaxError(f"cannot read the value: {exc}", _mark(node)) from exc


def load_located(text: str) -> Located:
    """Parse ``text`` (one YAML document) into plain data with positions.

    Bounded before anything is built: nesting (:data:`MAX_DEPTH`), expanded
    size with aliases (:data:`MAX_NODES`) and number length
    (:data:`MAX_NUMBER_CHARS`). Nothing here recurses, so no input can raise
    ``RecursionError``; every defect is a :class:`YamlSyntaxError`.
    """
    _check_events(text)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise _syntax_error(exc) from exc
    finally:
        loader.dispose()
    located = Located(None, {}, {})
    if root is None:
        located.values[()] = Pos(1, 1)
        return located
    _check_expansion(root)
    constructor = _Loader("")
    try:
        located.data = _build(root, located, constructor)
    finally:
        constructor.dispose()
    return located


def _build(root: yaml.Node, located: Located, constructor: yaml.SafeLoader) -> Any:
    """Plain data from the node graph, with positions, depth first without recursion."""
    holder: list[Any] = [None]
    work: list[tuple[yaml.Node, Path, Any, Any]] = [(root, (), holder, 0)]
    while work:
        node, path, parent, slot = work.pop()
        located.values[path] = _mark(node)
        value: Any
        if isinstance(node, yaml.MappingNode):
            value = {}
            pending = []
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlSyntaxError("a mapping key must be a plain value", _mark(key_node))
                key = _scalar(constructor, key_node)
                if key == "<<":
                    raise YamlSyntaxError("merge keys (<<) are not supported", _mark(key_node))
                key_str = key if isinstance(key, str) else str(key)
                if key_str in value:
                    raise YamlSyntaxError(f"duplicate key {key_str!r}", _mark(key_node))
                located.keys[(*path, key_str)] = _mark(key_node)
                value[key_str] = None
                pending.append((value_node, (*path, key_str), value, key_str))
            work.extend(reversed(pending))
        elif isinstance(node, yaml.SequenceNode):
            value = [None] * len(node.value)
            work.extend(reversed([(item, (*path, i), value, i)
                                  for i, item in enumerate(node.value)]))
        else:
            value = _scalar(constructor, node)
        parent[slot] = value
    return holder[0]
