"""Explain pasted text: find the catalog entries it contains, or explain the reply generically.

``explain(text, catalog)`` accepts whatever users paste — a bare reply, a
multi-line reply, a Postfix log line, a Python, Java or Node.js exception,
a swaks transcript, an HTTPS error body or the OCI CLI's output — and
never raises. Its cost is linear in the length of the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from wizard.catalog.context import Fit, fit
from wizard.catalog.generic import GenericExplanation, explain_generic
from wizard.catalog.loader import (
    DEFAULT_CATALOG,
    catalog_path,
    load_catalog_file,
    load_rfc_codes,
)
from wizard.catalog.model import Catalog, CatalogFix, Entry, RfcCodes
from wizard.catalog.pattern import CompiledCatalog, Pattern, Slot, compile_catalog
from wizard.catalog.tokens import Stream, tokenize_text
from wizard.flow.template import render, render_strings
from wizard.providers.loader import load_provider
from wizard.providers.model import Provider


@dataclass(frozen=True)
class ErrorCatalog:
    """A loaded catalog with its provider's facts and the RFC tables, ready to match."""

    catalog: Catalog
    provider: Provider
    rfc: RfcCodes

    @cached_property
    def compiled(self) -> CompiledCatalog:
        """The catalog's patterns, compiled once."""
        return compile_catalog(self.catalog)

    def entry(self, entry_id: str) -> Entry:
        """The entry ``entry_id``; ``KeyError`` if there is none."""
        for entry in self.catalog.entries:
            if entry.id == entry_id:
                return entry
        raise KeyError(entry_id)


def load_error_catalog(name: str = DEFAULT_CATALOG) -> ErrorCatalog:
    """Load a bundled catalog, its provider profile and the RFC tables (DataFileError if bad)."""
    catalog = load_catalog_file(catalog_path(name))
    return ErrorCatalog(catalog, load_provider(catalog.provider), load_rfc_codes())


@dataclass(frozen=True)
class Match:
    """One catalog entry found in the text, with what its placeholders captured."""

    entry: Entry
    captures: dict[str, str]
    confirmed: bool
    line: int
    meaning: str
    causes: tuple[str, ...]
    fix: CatalogFix


@dataclass(frozen=True)
class Explanation:
    """What ``explain`` found: catalog matches (best first) or else a generic explanation."""

    matches: tuple[Match, ...]
    generic: GenericExplanation | None

    @property
    def exit_code(self) -> int:
        """0 when a catalog entry matched, 1 otherwise."""
        return 0 if self.matches else 1


@dataclass(frozen=True)
class _Hit:
    pattern: Pattern
    start: int
    end: int
    fit: Fit


def _hits(stream: Stream, catalog: ErrorCatalog) -> list[_Hit]:
    compiled = catalog.compiled
    settings = catalog.catalog.matching
    entries = catalog.catalog.entries
    tokens = stream.tokens
    found: list[_Hit] = []
    for i, token in enumerate(tokens):
        candidates = compiled.anchors.get(token.norm)
        if not candidates:
            continue
        lo, hi = stream.line_range(i)
        for pattern, offset in candidates:
            start = i - offset
            if start < lo:
                continue
            length = pattern.match_length(tokens, start, hi - start)
            if not length:
                continue
            end = start + length
            quality = fit(entries[pattern.entry], stream, compiled, start, end,
                          settings.context_tokens)
            if quality is Fit.TEXT_ONLY and pattern.literals < settings.weak_min_tokens:
                quality = Fit.REJECTED
            if quality is not Fit.REJECTED:
                found.append(_Hit(pattern, start, end, quality))
    return found


def _drop_contained(hits: list[_Hit]) -> list[_Hit]:
    """Drop hits strictly inside a longer one (``Server error`` in ``Internal Server Error``)."""
    ordered = sorted(hits, key=lambda h: (h.start, -h.end))
    kept: list[_Hit] = []
    reach: tuple[int, int] | None = None
    for hit in ordered:
        if reach is not None and hit.end <= reach[1] and (hit.start, hit.end) != reach:
            continue
        kept.append(hit)
        if reach is None or hit.end > reach[1]:
            reach = (hit.start, hit.end)
    return kept


def _captures(stream: Stream, hit: _Hit) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, item in enumerate(hit.pattern.items[:hit.end - hit.start]):
        if isinstance(item, Slot):
            token = stream.tokens[hit.start + k]
            out.setdefault(item.name, stream.text[token.start:token.end])
    return out


def _render(entry: Entry, captures: dict[str, str], catalog: ErrorCatalog,
            stream: Stream, hit: _Hit) -> Match:
    values: dict[str, Any] = {name: f"<{name}>" for name in catalog.catalog.captures}
    values.update(catalog.provider.facts())
    values.update(captures)
    fix = CatalogFix.model_validate(render_strings(entry.fix.model_dump(), values))
    line = stream.text.count("\n", 0, stream.tokens[hit.start].start) + 1
    return Match(entry, captures, hit.fit is Fit.CONFIRMED, line, render(entry.meaning, values),
                 tuple(render(c, values) for c in entry.causes), fix)


def explain(text: str, catalog: ErrorCatalog) -> Explanation:
    """Find the catalog entries in ``text`` (best first), or explain its reply code generically."""
    stream = tokenize_text(text)
    best: dict[int, _Hit] = {}
    for hit in _drop_contained(_hits(stream, catalog)):
        index = hit.pattern.entry
        current = best.get(index)
        if current is None or (hit.fit, -hit.pattern.by_designation) > (
                current.fit, -current.pattern.by_designation):
            best[index] = hit
    ranked = sorted(best.items(), key=lambda kv: (
        -kv[1].fit, kv[1].start, -kv[1].pattern.literals, kv[0]))
    matches = tuple(_render(catalog.catalog.entries[i], _captures(stream, h), catalog, stream, h)
                    for i, h in ranked)
    generic = None if matches else explain_generic(stream, catalog.rfc)
    return Explanation(matches, generic)
