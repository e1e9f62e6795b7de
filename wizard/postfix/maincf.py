"""Parse a Postfix ``main.cf`` the way Postfix reads it, and expand ``$name`` references.

Pure: text in, an ordered mapping out. Postfix's rules, as ``postconf`` applies
them: a logical line starts in column one; a line that starts with whitespace
continues it (joined with one space); empty lines and lines whose first
non-blank character is ``#`` are skipped, even inside a continuation; ``#``
elsewhere is part of the value; a later assignment overrides an earlier one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_EXPANSION_DEPTH = 100
"""Postfix gives up on recursive ``$name`` expansion at this depth; so do we."""

_NAME = re.compile(r"[A-Za-z0-9_]+\Z")
_REFERENCE = re.compile(
    r"\$(?:\$|(?P<bare>[A-Za-z0-9_]+)|\{(?P<braced>[^{}]*(?:\{[^{}]*\}[^{}]*)?)\}|\((?P<paren>[A-Za-z0-9_]+)\))"
)


class MainCfError(ValueError):
    """A line Postfix itself refuses (``postconf: fatal: ... missing '='``)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class MainCfEntry:
    """One parameter assignment: its value as written and the line it starts on."""

    name: str
    value: str
    line: int


@dataclass(frozen=True)
class MainCf:
    """The parameters a main.cf sets, in file order, plus what Postfix would warn about."""

    entries: dict[str, MainCfEntry] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def values(self) -> dict[str, str]:
        """Parameter name → value as written (unexpanded)."""
        return {name: entry.value for name, entry in self.entries.items()}

    def lines(self) -> dict[str, int]:
        """Parameter name → the line its (last) assignment starts on."""
        return {name: entry.line for name, entry in self.entries.items()}


def _logical_lines(text: str) -> tuple[list[tuple[int, str]], list[str]]:
    logical: list[tuple[int, list[str]]] = []
    warnings: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if raw[0] in " \t":
            if logical:
                logical[-1][1].append(stripped)
            else:
                warnings.append(f"line {number}: logical line must not start with whitespace")
            continue
        logical.append((number, [raw.rstrip()]))
    return [(number, " ".join(parts)) for number, parts in logical], warnings


def parse_main_cf(text: str) -> MainCf:
    """Parse main.cf text; raise :class:`MainCfError` on a line without ``=``."""
    lines, warnings = _logical_lines(text)
    entries: dict[str, MainCfEntry] = {}
    for number, line in lines:
        name, equals, value = line.partition("=")
        name = name.strip()
        if not equals or not _NAME.match(name):
            raise MainCfError(number, f"missing '=' after attribute name: {line!r}")
        if name in entries:
            warnings.append(f"line {number}: {name} overrides line {entries[name].line}")
            del entries[name]
        entries[name] = MainCfEntry(name, value.strip(), number)
    return MainCf(entries, tuple(warnings))


def expand(value: str, params: Mapping[str, str]) -> str:
    """Expand ``$name``, ``${name}``, ``$(name)``, ``${name?text}`` and ``${name:text}``.

    Only ``params`` are known: a reference to anything else (a Postfix default
    we do not have) is left exactly as written.
    """
    return _expand(value, params, 0)


def _expand(value: str, params: Mapping[str, str], depth: int) -> str:
    if depth >= MAX_EXPANSION_DEPTH or "$" not in value:
        return value

    def substitute(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole == "$$":
            return whole
        name = match.group("bare") or match.group("paren")
        if name is not None:
            return _expand(params[name], params, depth + 1) if name in params else whole
        braced = match.group("braced") or ""
        for operator in ("?", ":"):
            head, found, text = braced.partition(operator)
            if found and _NAME.match(head):
                if head not in params:
                    return whole
                if text.startswith("{") and text.endswith("}"):
                    text = text[1:-1]
                is_set = bool(params[head])
                chosen = text if is_set == (operator == "?") else ""
                return _expand(chosen, params, depth + 1)
        if _NAME.match(braced) and braced in params:
            return _expand(params[braced], params, depth + 1)
        return whole

    return _REFERENCE.sub(substitute, value)


def expand_all(params: Mapping[str, str]) -> dict[str, str]:
    """Every parameter with its references expanded against the others."""
    return {name: expand(value, params) for name, value in params.items()}
