"""Meaning checks of a catalog, each defect pinned to its line and column."""

from __future__ import annotations

from typing import Any

from wizard.catalog.model import Catalog, Entry, split_placeholders
from wizard.catalog.tokens import tokenize
from wizard.flow.diagnostics import Diagnostic, did_you_mean
from wizard.flow.template import stray_braces, variables
from wizard.flow.yamlpos import Located
from wizard.providers.model import Provider


def _strings(value: Any, path: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(v, (*path, k))]
    if isinstance(value, list):
        return [s for i, v in enumerate(value) for s in _strings(v, (*path, i))]
    return []


def _entry_defects(catalog: Catalog, entry: Entry, index: int, located: Located, name: str,
                   facts: set[str]) -> list[Diagnostic]:
    out: list[Diagnostic] = []

    def at(path: tuple[str | int, ...], message: str) -> None:
        pos = located.pos(("entries", index, *path))
        out.append(Diagnostic(name, pos.line, pos.col, f"entries.{index} ({entry.id}): {message}"))

    field = "patterns" if entry.patterns else "reply"
    for placeholder in entry.placeholder_names():
        capture = entry.capture_name(placeholder)
        if capture not in catalog.captures:
            at((field,), f"placeholder <{placeholder}> names no capture"
               f"{did_you_mean(capture, catalog.captures)}; map it under 'placeholders' or "
               f"declare it under 'captures'")
    for text in entry.match_texts():
        literal = " ".join(piece for piece, slot in split_placeholders(text) if not slot)
        if not tokenize(literal):
            at((field,), f"{text!r} has no words to match")
    captured = {entry.capture_name(p) for p in entry.placeholder_names()}
    known = captured | facts
    texts = _strings(entry.fix.model_dump(exclude_defaults=True), ("fix",))
    texts += [(("meaning",), entry.meaning)]
    texts += [(("causes", i), cause) for i, cause in enumerate(entry.causes)]
    for path, text in texts:
        for var, _ in variables(text):
            if var not in known:
                at(path, f"unknown template variable {{{var}}}{did_you_mean(var, known)}")
        if any(True for _ in stray_braces(text)):
            at(path, "stray brace in template (write {{ or }} for a literal one)")
    return out


def check_catalog(catalog: Catalog, located: Located, name: str,
                  provider: Provider) -> list[Diagnostic]:
    """Duplicate ids, unknown placeholders and template variables, provider mismatch."""
    out: list[Diagnostic] = []
    if provider.id != catalog.provider:
        pos = located.pos(("provider",))
        out.append(Diagnostic(name, pos.line, pos.col,
                              f"provider {catalog.provider!r} but checked against {provider.id!r}"))
    facts = set(provider.facts())
    seen: dict[str, int] = {}
    for index, entry in enumerate(catalog.entries):
        if entry.id in seen:
            pos = located.pos(("entries", index, "id"))
            out.append(Diagnostic(name, pos.line, pos.col,
                                  f"duplicate entry id {entry.id!r} "
                                  f"(first at entries.{seen[entry.id]})"))
        seen.setdefault(entry.id, index)
        out += _entry_defects(catalog, entry, index, located, name, facts)
    return sorted(out)
