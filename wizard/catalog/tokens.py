"""Split pasted text into normalised words, one pass, with their offsets.

A placeholder printed in documentation (``<user ocid>``, ``<limit>``,
``<>``: letters and spaces between angle brackets) is one word, so the
page's own example texts match their entries. Words are compared in lower
case with surrounding punctuation and quoting removed, so ``said: 535``,
``(535, b'Authentication …')`` and ``"message": "…"`` all yield the same
words as the bare reply. A multi-line SMTP reply (``535-…`` lines followed
by ``535 …``) becomes one logical line without the repeated codes.
Everything here is linear in the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_WORD = re.compile(r"<(?:[A-Za-z][A-Za-z _-]{0,40})?>"
                   r"|(?<!\\)(?:[^\s\"'(){}\[\]<>,;`\\]|\\(?![nrt]))+")
_EDGES = ".:!?=*~|-+#&%$^/"
_ENHANCED = re.compile(r"[245]\.\d{1,3}\.\d{1,3}")


@dataclass(frozen=True, slots=True)
class Token:
    """A word: its normalised form and where it stands in the text."""

    norm: str
    start: int
    end: int


def is_placeholder(norm: str) -> bool:
    """A documentation placeholder pasted as printed: ``<limit>``, ``<user ocid>``, ``<>``."""
    return norm.startswith("<")


def is_reply_code(norm: str) -> bool:
    """Three digits starting with 2-5: an SMTP reply code (or an HTTP status)."""
    return len(norm) == 3 and norm.isascii() and norm.isdigit() and norm[0] in "2345"


def is_enhanced_code(norm: str) -> bool:
    """An enhanced status code such as ``5.7.8``."""
    return _ENHANCED.fullmatch(norm) is not None


def _words(line: str, offset: int) -> tuple[list[Token], bool]:
    """The tokens of one physical line, and whether it opens with ``NNN-`` (more lines follow)."""
    out: list[Token] = []
    continued = False
    enhanced: str | None = None
    for match in _WORD.finditer(line):
        raw = match.group()
        word = raw.strip(_EDGES)
        if not word:
            continue
        start = offset + match.start() + len(raw) - len(raw.lstrip(_EDGES))
        norm = word.lower()
        if is_enhanced_code(norm):
            if norm == enhanced and line[max(0, match.start() - 2):match.start()] == "\\n":
                continue  # a continuation line inside a quoted reply, e.g. b'5.7.8 a\\n5.7.8 b'
            enhanced = norm
        if len(norm) > 4 and norm[3] == "-" and is_reply_code(norm[:3]):
            out.append(Token(norm[:3], start, start + 3))
            if len(out) == 1:
                continued = True
            rest = word[4:].strip(_EDGES)
            if rest:
                rest_start = start + 4 + word[4:].find(rest)
                out.append(Token(rest.lower(), rest_start, rest_start + len(rest)))
            continue
        out.append(Token(norm, start, start + len(word)))
    return out, continued


@dataclass
class Stream:
    """All tokens of a text, grouped into logical lines."""

    text: str
    tokens: list[Token] = field(default_factory=list)
    line_of: list[int] = field(default_factory=list)
    lines: list[tuple[int, int]] = field(default_factory=list)

    def line_range(self, index: int) -> tuple[int, int]:
        """The token range ``[lo, hi)`` of the logical line holding token ``index``."""
        return self.lines[self.line_of[index]]

    def opening_code(self, index: int) -> int | None:
        """The index of the reply code that opens the logical line of token ``index``, if any."""
        lo, _ = self.line_range(index)
        return lo if is_reply_code(self.tokens[lo].norm) else None


def tokenize_text(text: str) -> Stream:
    """Tokenise ``text`` into a :class:`Stream`.

    Multi-line replies are joined, and so is a line holding nothing but a reply
    code with the line after it (a table row copied from a documentation page).
    """
    stream = Stream(text)
    pending_code: str | None = None
    pending_enhanced: str | None = None
    glued = False
    offset = 0
    for physical in text.splitlines(keepends=True):
        words, continued = _words(physical, offset)
        offset += len(physical)
        joined = bool(words) and pending_code is not None and words[0].norm == pending_code
        if joined:
            words = words[1:]
            if words and words[0].norm == pending_enhanced:
                words = words[1:]
        if continued:
            pending_code = words[0].norm if not joined else pending_code
            second = words[1].norm if len(words) > 1 and not joined else None
            pending_enhanced = second if second and is_enhanced_code(second) \
                else pending_enhanced if joined else None
        else:
            pending_code = pending_enhanced = None
        if not words and not joined:
            continue
        if not (joined or glued) or not stream.lines:
            stream.lines.append((len(stream.tokens), len(stream.tokens)))
        glued = not continued and len(words) == 1 and is_reply_code(words[0].norm)
        line_index = len(stream.lines) - 1
        stream.tokens.extend(words)
        stream.line_of.extend([line_index] * len(words))
        stream.lines[line_index] = (stream.lines[line_index][0], len(stream.tokens))
    return stream


def tokenize(text: str) -> list[str]:
    """The normalised words of a short text (a catalog pattern, a designation)."""
    return [t.norm for t in tokenize_text(text).tokens]
