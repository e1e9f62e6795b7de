"""Plain ``{name}`` substitution — the only template language a flow file gets.

A name is letters, digits, underscores and dots (``connect.address`` is one
flat key, not attribute access). There is no indexing, no call, no
expression: a third-party flow file cannot make the wizard run code.
``{{`` and ``}}`` stand for literal braces. ``{name?}`` is an optional
lookup: it renders empty when ``name`` has no value (``{name}`` is an error
then). A probe parameter made only of optional lookups that renders empty is
left out, so the probe's own default applies (:func:`render_params`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

NAME = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_TOKEN = re.compile(r"\{\{|\}\}|\{(" + NAME + r")(\?)?\}|[{}]")
_WHOLE = re.compile(r"\{(" + NAME + r")(\?)?\}")
LOOKUP = re.compile(r"\{(" + NAME + r")\}")
"""A lone ``{name}`` lookup, the only thing a step's ``if:`` guard may say."""


class MissingVariable(KeyError):
    """A template names a variable that has no value."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"no value for template variable {{{self.name}}}"


def variables(text: str) -> Iterator[tuple[str, int]]:
    """The variable names in ``text`` with their offsets (optional ones included)."""
    for match in _TOKEN.finditer(text):
        if match.group(1):
            yield match.group(1), match.start()


def lookups(text: str) -> Iterator[tuple[str, int, bool]]:
    """Each lookup in ``text``: its name, offset and whether it is optional (``{name?}``)."""
    for match in _TOKEN.finditer(text):
        if match.group(1):
            yield match.group(1), match.start(), bool(match.group(2))


def only_optional_lookups(text: str) -> bool:
    """True when ``text`` is nothing but lookups (blanks aside), at least one ``{name?}``."""
    found = list(_TOKEN.finditer(text))
    rest = _TOKEN.sub("", text)
    return (not rest.strip() and any(m.group(2) for m in found)
            and all(m.group(1) for m in found))


def stray_braces(text: str) -> Iterator[int]:
    """Offsets of braces that are neither ``{name}`` nor an escaped ``{{``/``}}``."""
    for match in _TOKEN.finditer(text):
        if match.group(0) in ("{", "}"):
            yield match.start()


def format_value(value: Any) -> str:
    """How a fact looks inside a sentence: lists joined by commas, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def render(text: str, values: Mapping[str, Any]) -> str:
    """Substitute each ``{name}`` in ``text``; an unknown one raises :class:`MissingVariable`."""

    def substitute(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        name = match.group(1)
        if name is None:
            return token
        if name not in values:
            if match.group(2):
                return ""
            raise MissingVariable(name)
        return format_value(values[name])

    return _TOKEN.sub(substitute, text)


def render_value(value: Any, values: Mapping[str, Any]) -> Any:
    """Render a parameter: a lone ``{name}`` keeps the fact's own type; containers recurse."""
    if isinstance(value, str):
        whole = _WHOLE.fullmatch(value)
        if whole:
            if whole.group(1) not in values:
                if whole.group(2):
                    return ""
                raise MissingVariable(whole.group(1))
            return values[whole.group(1)]
        return render(value, values)
    if isinstance(value, list):
        return [render_value(v, values) for v in value]
    if isinstance(value, dict):
        return {k: render_value(v, values) for k, v in value.items()}
    return value


def render_params(params: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Render a probe's ``with:``; a parameter of only ``{name?}`` lookups that renders empty
    is left out (the probe's default applies)."""
    out: dict[str, Any] = {}
    for key, raw in params.items():
        value = render_value(raw, values)
        if isinstance(raw, str) and only_optional_lookups(raw) and value in ("", None):
            continue
        out[key] = value
    return out


def render_strings(value: Any, values: Mapping[str, Any]) -> Any:
    """Render every string inside ``value`` (dicts and lists recurse); other types pass."""
    if isinstance(value, str):
        return render(value, values)
    if isinstance(value, list):
        return [render_strings(v, values) for v in value]
    if isinstance(value, dict):
        return {k: render_strings(v, values) for k, v in value.items()}
    return value
