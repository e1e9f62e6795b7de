"""Catalog texts compiled to word patterns, indexed by one anchor word each.

A pattern is a sequence of literal words and one-word slots (the
``<placeholders>``). Matching compares words at fixed positions — no regular
expression runs over the pasted text, so there is nothing to backtrack.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from wizard.catalog.model import Catalog, Entry, split_placeholders
from wizard.catalog.tokens import Token, is_placeholder, tokenize


@dataclass(frozen=True)
class Slot:
    """A placeholder: one word captured under ``name``, of a shape (number, token, endpoint).

    ``written`` is the placeholder as the catalog writes it (``limit`` for ``<limit>``, empty
    for ``<>``): a placeholder pasted from the page fills only a slot written the same way,
    so ``limit is <limit>`` (SMTP) and ``limit is <>`` (HTTPS) each find their own entry.
    """

    name: str
    shape: str
    written: str = ""

    def accepts(self, norm: str) -> bool:
        """Whether the word ``norm`` can fill this slot (a pasted placeholder: spelled alike)."""
        if is_placeholder(norm):
            return norm == f"<{self.written}>"
        if self.shape == "number":
            return norm.isascii() and norm.isdigit()
        if self.shape == "host":
            return is_host(norm)
        if self.shape == "endpoint":
            return split_endpoint(norm) is not None
        return True


_HOST = re.compile(r"localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)+\.?|[0-9a-f:]*:[0-9a-f:.]+")


def is_host(word: str) -> bool:
    """A dotted host name, an IPv4 or IPv6 address, or ``localhost`` (not a variable name)."""
    return _HOST.fullmatch(word.lower()) is not None


def split_endpoint(word: str) -> tuple[str, str] | None:
    """``host:port``, ``[host]:port`` or ``host[address]:port`` as (host, port); else None."""
    host, colon, port = word.rpartition(":")
    if not colon or not (port.isascii() and port.isdigit()) or len(port) > 5:
        return None
    if host.endswith("]") and "[" in host:
        name, _, address = host[:-1].partition("[")
        host = name or address
    host = host.strip("[]")
    return (host, port) if is_host(host) else None


Item = str | Slot


@dataclass(frozen=True)
class Pattern:
    """One text of one entry, as words."""

    entry: int
    items: tuple[Item, ...]
    literals: int
    by_designation: bool = False

    def match_length(self, tokens: list[Token], start: int, available: int) -> int:
        """How many words match from ``start`` (0: no match) within ``available`` words.

        A placeholder ending the pattern may be missing when the line ends
        before it (``limit is`` with nothing after it).
        """
        length = len(self.items)
        if length > available:
            if length - 1 != available or not isinstance(self.items[-1], Slot):
                return 0
            length = available
        for k in range(length):
            item = self.items[k]
            norm = tokens[start + k].norm
            if isinstance(item, Slot):
                if not item.accepts(norm):
                    return 0
            elif norm != item:
                return 0
        return length

    def exact_placeholders(self, tokens: list[Token], start: int, length: int) -> int:
        """How many slots were filled by a pasted placeholder spelled as the catalog spells it."""
        return sum(1 for k, item in enumerate(self.items[:length])
                   if isinstance(item, Slot) and tokens[start + k].norm == f"<{item.written}>")


def designation_key(error_code: str) -> str:
    """How a designation is compared: ``Too many requests`` and ``TooManyRequests`` alike."""
    return "".join(tokenize(error_code))


CONTEXT = -1
"""The ``entry`` of a context pattern: it fills captures and is no match of its own."""


def _compile_text(catalog: Catalog, entry: Entry | None, index: int, text: str) -> Pattern:
    items: list[Item] = []
    for piece, is_slot in split_placeholders(text):
        if is_slot:
            name = entry.capture_name(piece) if entry else piece
            items.append(Slot(name, catalog.captures[name].shape, piece.lower()))
        else:
            items.extend(tokenize(piece))
    return Pattern(index, tuple(items), sum(1 for i in items if isinstance(i, str)))


@dataclass(frozen=True)
class CompiledCatalog:
    """Patterns indexed by anchor word, and the HTTPS designations to look for nearby."""

    patterns: tuple[Pattern, ...]
    anchors: dict[str, tuple[tuple[Pattern, int], ...]]
    context_anchors: dict[str, tuple[tuple[Pattern, int], ...]]
    designations: dict[str, str]
    designation_phrases: dict[str, tuple[tuple[tuple[str, ...], str], ...]]

    def designation_at(self, tokens: list[Token], index: int, hi: int) -> str | None:
        """The designation key spelled at ``tokens[index]`` (one word or a phrase), if any."""
        norm = tokens[index].norm
        found = self.designations.get(norm)
        if found is not None:
            return found
        for words, key in self.designation_phrases.get(norm, ()):
            end = index + len(words)
            if end <= hi and all(tokens[index + k].norm == w for k, w in enumerate(words)):
                return key
        return None


def compile_catalog(catalog: Catalog) -> CompiledCatalog:
    """Compile every entry's texts; a designation used by one entry alone also finds it."""
    patterns: list[Pattern] = []
    per_designation: dict[str, list[int]] = defaultdict(list)
    for index, entry in enumerate(catalog.entries):
        patterns.extend(_compile_text(catalog, entry, index, t) for t in entry.match_texts())
        if entry.error_code:
            per_designation[designation_key(entry.error_code)].append(index)
    designations: dict[str, str] = {}
    phrases: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
    for key, owners in per_designation.items():
        error_code = catalog.entries[owners[0]].error_code or ""
        words = tuple(tokenize(error_code))
        designations[key] = key
        if len(words) > 1:
            phrases[words[0]].append((words, key))
        if len(owners) == 1:
            for form in {words, (key,)}:
                patterns.append(Pattern(owners[0], form, len(form), by_designation=True))
    context = [_compile_text(catalog, None, CONTEXT, text) for text in catalog.context]
    return CompiledCatalog(
        tuple(patterns), _anchored(patterns), _anchored(context), designations,
        {k: tuple(v) for k, v in phrases.items()})


def _anchored(patterns: list[Pattern]) -> dict[str, tuple[tuple[Pattern, int], ...]]:
    """Each pattern under its first literal word, with that word's offset in the pattern."""
    anchors: dict[str, list[tuple[Pattern, int]]] = defaultdict(list)
    for pattern in patterns:
        offset = next(k for k, item in enumerate(pattern.items) if isinstance(item, str))
        anchor = pattern.items[offset]
        assert isinstance(anchor, str)
        anchors[anchor].append((pattern, offset))
    return {k: tuple(v) for k, v in anchors.items()}
