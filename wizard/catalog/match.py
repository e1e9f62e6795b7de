"""Explain pasted text: find the catalog entries it contains, or explain the reply generically.

``explain(text, catalog)`` accepts whatever users paste — a bare reply, a
multi-line reply, a Postfix log line, a Python, Java or Node.js exception,
a swaks transcript, an HTTPS error body or the OCI CLI's output — and
never raises. Its cost is linear in the length of the text.

Client entries (what an application or a mail server raises by itself: a
timeout, a refused connection, a failed TLS handshake, rejected credentials)
say which flow finds the cause and fill its inputs from the text. A server
reply on the same topic in the same paste continues with the client's flow:
a 535 that Python's smtplib raised goes to the credentials check, the same
535 in a Postfix log to the Postfix flow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from wizard.catalog.context import Fit, fit
from wizard.catalog.generic import GenericExplanation, explain_generic
from wizard.catalog.loader import DEFAULT_CATALOG, load_merged, load_rfc_codes
from wizard.catalog.model import Catalog, CatalogFix, Entry, RfcCodes
from wizard.catalog.pattern import (
    CompiledCatalog,
    Pattern,
    Slot,
    compile_catalog,
    split_endpoint,
)
from wizard.catalog.tokens import Stream, Token, is_placeholder, tokenize_text
from wizard.data.template import render, render_strings, variables
from wizard.errors import ExitStatus
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
    """Load a bundled catalog (the client errors merged in), its provider profile and the RFC
    tables (DataFileError if bad)."""
    catalog, provider = load_merged(name)
    return ErrorCatalog(catalog, provider, load_rfc_codes())


@dataclass(frozen=True)
class Match:
    """One catalog entry found in the text, with what its placeholders captured.

    ``flow`` is the flow to continue with and ``inputs`` its inputs filled from the text: the
    entry's own, or those of the client error on the same topic in the same paste.
    """

    entry: Entry
    captures: dict[str, str]
    confirmed: bool
    line: int
    meaning: str
    causes: tuple[str, ...]
    fix: CatalogFix
    flow: str = ""
    inputs: dict[str, str] = field(default_factory=dict)
    not_on_reference_page: tuple[str, ...] = ()


@dataclass(frozen=True)
class Explanation:
    """What ``explain`` found: catalog matches (best first) or else a generic explanation."""

    matches: tuple[Match, ...]
    generic: GenericExplanation | None

    @property
    def exit_code(self) -> ExitStatus:
        """OK when a catalog entry matched, PROBLEM when only a generic explanation fits."""
        return ExitStatus.OK if self.matches else ExitStatus.PROBLEM


@dataclass(frozen=True)
class _Hit:
    pattern: Pattern
    start: int
    end: int
    fit: Fit
    exact: int = 0


def _matched(stream: Stream, pattern: Pattern, i: int, offset: int) -> int:
    """The end of ``pattern`` anchored at token ``i`` (0: no match), within the logical line."""
    lo, hi = stream.line_range(i)
    start = i - offset
    if start < lo:
        return 0
    length = pattern.match_length(stream.tokens, start, hi - start)
    return start + length if length else 0


def _hits(stream: Stream, catalog: ErrorCatalog) -> tuple[list[_Hit], dict[str, str]]:
    """The entries' texts found in ``stream``, and what the context texts captured."""
    compiled = catalog.compiled
    settings = catalog.catalog.matching
    entries = catalog.catalog.entries
    tokens = stream.tokens
    found: list[_Hit] = []
    context: dict[str, str] = {}
    for i, token in enumerate(tokens):
        for pattern, offset in compiled.context_anchors.get(token.norm, ()):
            end = _matched(stream, pattern, i, offset)
            if end:
                for name, value in _captures(stream, pattern, i - offset, end).items():
                    context.setdefault(name, value)
        for pattern, offset in compiled.anchors.get(token.norm, ()):
            end = _matched(stream, pattern, i, offset)
            if not end:
                continue
            start = i - offset
            quality = fit(entries[pattern.entry], stream, compiled, start, end,
                          settings.context_tokens)
            whole = start == 0 and end == len(tokens)
            if quality is Fit.TEXT_ONLY and pattern.literals < settings.weak_min_tokens \
                    and not whole:
                quality = Fit.REJECTED
            if quality is not Fit.REJECTED:
                exact = pattern.exact_placeholders(tokens, start, end - start)
                found.append(_Hit(pattern, start, end, quality, exact))
    return found, context


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


def _text(stream: Stream, token: Token) -> str:
    return stream.text[token.start:token.end]


def _captures(stream: Stream, pattern: Pattern, start: int, end: int) -> dict[str, str]:
    """What the slots of ``pattern`` matched at ``[start, end)`` captured (pasted placeholders
    capture nothing; an endpoint fills host and port)."""
    out: dict[str, str] = {}
    for k, item in enumerate(pattern.items[:end - start]):
        if not isinstance(item, Slot):
            continue
        token = stream.tokens[start + k]
        if is_placeholder(token.norm):
            continue
        if item.shape == "endpoint":
            parts = split_endpoint(_text(stream, token))
            if parts:
                out.setdefault("host", parts[0])
                out.setdefault("port", parts[1])
            continue
        out.setdefault(item.name, _text(stream, token))
    return out


def _inputs(entry: Entry, captures: dict[str, str], context: dict[str, str]) -> dict[str, str]:
    """The entry's flow inputs whose captures the text holds (its own first, then context)."""
    values = {**context, **captures}
    out: dict[str, str] = {}
    for name, template in entry.inputs.items():
        if all(var in values for var, _ in variables(template)):
            out[name] = render(template, values)
    return out


SHELL_SAFE = re.compile(r"[\w@%+=:,./-]+", re.ASCII)
"""A captured value that may stand in a shell command as it is (what ``shlex.quote`` leaves
unquoted)."""


def _render_fix(fix: CatalogFix, values: dict[str, Any], captures: dict[str, str]) -> CatalogFix:
    """The entry's fix with the match's values; in an action's ``command`` a captured value
    that is not shell-safe stays its ``<name>`` placeholder.

    Captures are text from a server's reply or a pasted log: a recipient address may
    legally hold ``&``, ``|`` or ``$``, and a command a user copies must never run what a
    remote server put in its reply. (Quoting is no answer: the command's own quotes
    around the value would undo it.)
    """
    raw = fix.model_dump()
    data = render_strings(raw, values)
    unsafe = {name: f"<{name}>" for name, value in captures.items()
              if not SHELL_SAFE.fullmatch(value)}
    if unsafe:
        in_commands = {**values, **unsafe}
        for action, template in zip(data.get("actions", []), raw.get("actions", []),
                                    strict=True):
            if isinstance(template.get("command"), str):
                action["command"] = render(template["command"], in_commands)
    return CatalogFix.model_validate(data)


def _render(entry: Entry, captures: dict[str, str], catalog: ErrorCatalog,
            stream: Stream, hit: _Hit, context: dict[str, str]) -> Match:
    values: dict[str, Any] = {name: f"<{name}>" for name in catalog.catalog.captures}
    values.update(catalog.provider.facts())
    values.update(captures)
    fix = _render_fix(entry.fix, values, captures)
    line = stream.text.count("\n", 0, stream.tokens[hit.start].start) + 1
    return Match(entry, captures, hit.fit is Fit.CONFIRMED, line, render(entry.meaning, values),
                 tuple(render(c, values) for c in entry.causes), fix, entry.flow,
                 _inputs(entry, captures, context),
                 tuple(render(c, values) for c in entry.not_on_reference_page))


def _routed(matches: list[Match]) -> tuple[Match, ...]:
    """Server replies continue with the flow of the best client error on their topic."""
    clients: dict[str, Match] = {}
    for match in matches:
        if match.entry.protocol == "client":
            clients.setdefault(match.entry.topic, match)
    return tuple(
        replace(m, flow=clients[m.entry.topic].flow, inputs=clients[m.entry.topic].inputs)
        if m.entry.protocol != "client" and m.entry.topic in clients else m
        for m in matches)


def explain(text: str, catalog: ErrorCatalog) -> Explanation:
    """Find the catalog entries in ``text`` (best first), or explain its reply code generically.

    Best first: a reply confirmed by its code or designation; then the higher ``rank``; then
    the text that spells more of the page's placeholders as printed; then the earliest.
    """
    stream = tokenize_text(text)
    hits, context = _hits(stream, catalog)
    best: dict[int, _Hit] = {}
    captured: dict[int, dict[str, str]] = {}
    for hit in _drop_contained(hits):
        index = hit.pattern.entry
        for name, value in _captures(stream, hit.pattern, hit.start, hit.end).items():
            captured.setdefault(index, {}).setdefault(name, value)
        current = best.get(index)
        if current is None or (hit.fit, hit.exact, -hit.pattern.by_designation) > (
                current.fit, current.exact, -current.pattern.by_designation):
            best[index] = hit
    entries = catalog.catalog.entries
    ranked = sorted(best.items(), key=lambda kv: (
        -kv[1].fit, -entries[kv[0]].rank, -kv[1].exact, kv[1].start, -kv[1].pattern.literals,
        kv[0]))
    matches = [_render(entries[i], {**captured.get(i, {}),
                                    **_captures(stream, h.pattern, h.start, h.end)},
                       catalog, stream, h, context) for i, h in ranked]
    generic = None if matches else explain_generic(stream, catalog.rfc)
    return Explanation(_routed(matches), generic)
