"""Meaning checks of a catalog, each defect pinned to its line and column."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from wizard.catalog.model import Catalog, Entry, split_placeholders
from wizard.catalog.tokens import tokenize
from wizard.data.diagnostics import Diagnostic, did_you_mean
from wizard.data.template import stray_braces, variables
from wizard.data.yamlpos import Located
from wizard.providers.model import Provider


def _strings(value: Any, path: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(v, (*path, k))]
    if isinstance(value, list):
        return [s for i, v in enumerate(value) for s in _strings(v, (*path, i))]
    return []


ENDPOINT_PARTS = ("host", "port")
"""The captures an ``endpoint`` capture fills."""


def filled_by(catalog: Catalog, names: Iterable[str]) -> set[str]:
    """The captures that placeholders named ``names`` fill (an endpoint fills host and port)."""
    out: set[str] = set()
    for name in names:
        spec = catalog.captures.get(name)
        out |= set(ENDPOINT_PARTS) if spec is not None and spec.shape == "endpoint" else {name}
    return out


def _retry_contradiction(entry: Entry) -> str | None:
    """Why the entry's retry kind contradicts its codes' class (RFC 5321, RFC 3463), if it does."""
    enhanced_class = entry.enhanced_code[0] if entry.enhanced_code else None
    code_class = str(entry.code)[0] if entry.protocol == "smtp" else None
    if entry.retry.kind == "permanent" and "4" in (enhanced_class, code_class):
        which = entry.enhanced_code if enhanced_class == "4" else entry.code
        return (f"retry kind 'permanent' contradicts {which}, a persistent transient "
                f"failure (RFC 3463 / RFC 5321 class 4)")
    if entry.retry.kind != "permanent" and "5" in (enhanced_class, code_class):
        which = entry.enhanced_code if enhanced_class == "5" else entry.code
        return f"retry kind {entry.retry.kind!r} contradicts {which}, a permanent failure"
    return None


def _entry_defects(catalog: Catalog, entry: Entry, index: int, located: Located, name: str,
                   facts: set[str], context: set[str],
                   flows: Mapping[str, Collection[str]] | None) -> list[Diagnostic]:
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
    known = filled_by(catalog, captured) | facts
    texts = _strings(entry.fix.model_dump(exclude_defaults=True), ("fix",))
    texts += [(("meaning",), entry.meaning)]
    texts += [(("causes", i), cause) for i, cause in enumerate(entry.causes)]
    for path, text in texts:
        for var, _ in variables(text):
            if var not in known:
                at(path, f"unknown template variable {{{var}}}{did_you_mean(var, known)}")
        if any(True for _ in stray_braces(text)):
            at(path, "stray brace in template (write {{ or }} for a literal one)")
    said = "\n".join(text for _, text in texts) + "\n" + entry.retry.advice
    for i, claim in enumerate(entry.not_on_reference_page):
        if claim not in said:
            at(("not_on_reference_page", i), f"{claim!r} is not written in the entry's "
               "meaning, causes, fix or retry advice (copy it word for word)")
    contradiction = _retry_contradiction(entry)
    if contradiction:
        at(("retry", "kind"), contradiction)
    fillable = filled_by(catalog, captured) | context
    for input_name, template in entry.inputs.items():
        for var, _ in variables(template):
            if var not in fillable:
                at(("inputs", input_name), f"unknown capture {{{var}}}"
                   f"{did_you_mean(var, fillable)}: inputs are filled from captures only")
    if flows is not None:
        if entry.flow not in flows:
            at(("flow",), f"no flow {entry.flow!r}{did_you_mean(entry.flow, flows)}")
        else:
            for input_name in entry.inputs:
                if input_name not in flows[entry.flow]:
                    at(("inputs", input_name), f"flow {entry.flow!r} has no input "
                       f"{input_name!r}{did_you_mean(input_name, flows[entry.flow])}")
    return out


def _context_defects(catalog: Catalog, located: Located, name: str) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for i, text in enumerate(catalog.context):
        pos = located.pos(("context", i))
        pieces = split_placeholders(text)
        slots = [piece for piece, slot in pieces if slot]
        for piece in slots:
            if piece not in catalog.captures:
                out.append(Diagnostic(name, pos.line, pos.col, f"context.{i}: placeholder "
                                      f"<{piece}> names no capture"
                                      f"{did_you_mean(piece, catalog.captures)}"))
        if not slots or not tokenize(" ".join(p for p, slot in pieces if not slot)):
            out.append(Diagnostic(name, pos.line, pos.col, f"context.{i}: {text!r} needs "
                                  "words to match and a <placeholder> to capture"))
    for capture, spec in catalog.captures.items():
        missing = [p for p in ENDPOINT_PARTS if p not in catalog.captures]
        if spec.shape == "endpoint" and missing:
            pos = located.pos(("captures", capture))
            out.append(Diagnostic(name, pos.line, pos.col, f"captures.{capture}: an endpoint "
                                  f"fills {', '.join(missing)}: declare them under 'captures'"))
    return out


def check_catalog(catalog: Catalog, located: Located, name: str, provider: Provider,
                  flows: Mapping[str, Collection[str]] | None = None) -> list[Diagnostic]:
    """Duplicate ids, unknown placeholders and template variables, provider mismatch, retry
    kinds that contradict the codes, claims marked as not on the reference page that the entry
    does not make, and (given ``flows``: flow id -> input names) unknown flows and inputs."""
    out = _context_defects(catalog, located, name)
    context = filled_by(catalog, (piece for text in catalog.context
                                  for piece, slot in split_placeholders(text) if slot))
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
        out += _entry_defects(catalog, entry, index, located, name, facts, context, flows)
    return sorted(out)
