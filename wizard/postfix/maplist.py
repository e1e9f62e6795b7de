"""Postfix lookup-table lists as Postfix reads them: ``{…}`` groups whitespace and commas.

``smtp_sasl_password_maps = static:{user:pass word}`` is one map whose text
holds a space; splitting at blanks alone would see a second "map" named
``word}``. Maps written into main.cf itself (``static:``, ``inline:``) may
hold credentials, so :func:`redact_inline_maps` hides each one whole,
braces included.
"""

from __future__ import annotations

import re

_SEPARATORS = " \t\r\n,"
_INLINE = re.compile(r"\b(static|inline):")


def _group_end(text: str, start: int) -> int:
    """Index just past the ``}`` matching the ``{`` at ``start`` (the end if unbalanced)."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)


def split_map_list(value: str) -> list[str]:
    """The map specs of a list value, separated by blanks and commas outside ``{…}``."""
    specs: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(value):
        char = value[index]
        if char == "{":
            end = _group_end(value, index)
            current.append(value[index:end])
            index = end
            continue
        if char in _SEPARATORS:
            if current:
                specs.append("".join(current))
                current = []
        else:
            current.append(char)
        index += 1
    if current:
        specs.append("".join(current))
    return specs


def redact_inline_maps(text: str) -> str:
    """``text`` with each ``static:…`` / ``inline:…`` map's content hidden, whole.

    A braced form (``static:{user:pass word}``) is hidden up to its matching
    brace (to the end when unbalanced); a bare form up to the next blank or comma.
    """
    out: list[str] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() < position:
            continue
        out.append(text[position:match.end()])
        index = match.end()
        if index < len(text) and text[index] == "{":
            position = _group_end(text, index)
            out.append("{<redacted>}")
        else:
            position = index
            while position < len(text) and text[position] not in _SEPARATORS:
                position += 1
            out.append("<redacted>")
    out.append(text[position:])
    return "".join(out)
