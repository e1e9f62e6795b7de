"""Parse a Postfix ``main.cf`` the way Postfix reads it, and expand ``$name`` references.

Pure: text in, an ordered mapping out. This module is the one logical-line model
of main.cf: the reader (:func:`parse_main_cf`) and the editor
(:mod:`wizard.fixes.maincf_edit`) both use :func:`assignments`. Postfix's rules,
as ``postconf`` applies them (checked against ``postconf -c DIR -n`` in the
tests): physical lines end at ``\\n`` only; a line that is empty or blank, or
whose first non-blank character is ``#``, is skipped — even inside a
continuation; a line that starts with whitespace continues the logical line
before it (joined with one space); ``#`` elsewhere is part of the value; a
later assignment overrides an earlier one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

MAX_EXPANSION_DEPTH = 100
"""Postfix gives up on recursive ``$name`` expansion at this depth; so do we."""

MAX_MAIN_CF_BYTES = 4 * 1024 * 1024
"""A main.cf larger than this is not one (the reader and ``--apply`` refuse it)."""

WHITESPACE = " \t\r\f\v"
"""What Postfix counts as whitespace inside a line (C ``isspace`` without the newline)."""

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
class LogicalLine:
    """One logical line: the physical lines it is made of and their joined text.

    ``physical`` holds 0-based indexes: the first line, then its continuation
    lines; blank and comment lines in between are not part of it.
    """

    physical: tuple[int, ...]
    text: str

    @property
    def number(self) -> int:
        """The 1-based line number it starts on."""
        return self.physical[0] + 1


@dataclass(frozen=True)
class Assignment:
    """One ``name = value`` logical line."""

    name: str
    value: str
    line: LogicalLine


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


def physical_lines(text: str) -> list[str]:
    """``text`` split at ``\\n`` only (a ``\\r`` stays on its line; no final empty line).

    Python's ``str.splitlines`` also splits at form feeds, ``\\x1c``… and
    ``\\u2028``; Postfix does not, so neither do we.
    """
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def is_skipped(line: str) -> bool:
    """True for a line Postfix skips: empty, blank, or a comment (first non-blank is ``#``)."""
    stripped = line.strip(WHITESPACE)
    return not stripped or stripped.startswith("#")


def logical_lines(lines: Sequence[str]) -> tuple[list[LogicalLine], list[str]]:
    """Group physical lines into logical lines; warnings for a continuation with no start."""
    groups: list[tuple[list[int], list[str]]] = []
    warnings: list[str] = []
    for index, raw in enumerate(lines):
        if is_skipped(raw):
            continue
        if raw[0] in WHITESPACE:
            if groups:
                groups[-1][0].append(index)
                groups[-1][1].append(raw.strip(WHITESPACE))
            else:
                warnings.append(f"line {index + 1}: logical line must not start with whitespace")
            continue
        groups.append(([index], [raw.strip(WHITESPACE)]))
    return [LogicalLine(tuple(indexes), " ".join(parts)) for indexes, parts in groups], warnings


def assignments(lines: Sequence[str]) -> tuple[list[Assignment], list[str]]:
    """Every assignment in file order (repeats included); raise :class:`MainCfError`.

    Like Postfix: the name is what stands before the first ``=`` (it must not
    be empty nor contain whitespace); the value is the rest, without the
    whitespace around it.
    """
    logical, warnings = logical_lines(lines)
    found: list[Assignment] = []
    for line in logical:
        name, equals, value = line.text.partition("=")
        name = name.strip(WHITESPACE)
        if equals and not name:
            raise MainCfError(line.number, f"missing attribute name: {line.text!r}")
        if not equals or any(char in WHITESPACE for char in name):
            raise MainCfError(line.number, f"missing '=' after attribute name: {line.text!r}")
        found.append(Assignment(name, value.strip(WHITESPACE), line))
    return found, warnings


def parse_main_cf(text: str) -> MainCf:
    """Parse main.cf text; raise :class:`MainCfError` on a line Postfix refuses."""
    found, warnings = assignments(physical_lines(text))
    entries: dict[str, MainCfEntry] = {}
    for assignment in found:
        name, number = assignment.name, assignment.line.number
        if name in entries:
            warnings.append(f"line {number}: {name} overrides line {entries[name].line}")
            del entries[name]
        entries[name] = MainCfEntry(name, assignment.value, number)
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
