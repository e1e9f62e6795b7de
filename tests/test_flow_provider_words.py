"""No shipped flow names OCI: its console, product and network words live in provider data.

The rule, checked on every ``flows/*.yaml`` (and on the generic provider profile, whose
words must fit any relay): no text a user reads says ``OCI``, ``OCID``, ``Oracle…``
(``oraclecloud.com``, ``oracleemaildelivery.com``), ``VCN`` or ``Email Delivery``. What the
rule leaves alone, because it is not words a user reads but a reference to data:

- YAML comments (the file is parsed; comments are for the flow's authors);
- mapping keys (input names, step ids, outcome names, parameter names);
- the values of identifier keys (:data:`IDENTIFIER_KEYS`: ``provider: oci``,
  ``probe: oci.dkim``, ``use: oci.api-access``, finding and fix ``id``s, step ids in
  ``start``/``next``/``on``/``cases``);
- ``{...}`` lookups inside a text (facts and inputs: their values come from provider data);
- a value that is exactly a bundled provider id (an input's ``default: oci``).

The provider's own words reach a flow through facts instead: ``{endpoint.egress_where}``,
``{endpoint.support_where}``, ``{endpoint.api_name}`` from ``provider.profile``, and the
relay's from ``postfix.relayhost`` (``flows/providers/*.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from wizard.providers.loader import bundled_provider_ids

FLOWS = Path(__file__).resolve().parent.parent / "flows"

PROVIDER_WORDS = re.compile(r"\b(?:oci|ocids?|oracle\w*|vcns?)\b|\bemail\s+delivery\b",
                            re.IGNORECASE)
"""OCI's product, console and network words."""

IDENTIFIER_KEYS = frozenset({"provider", "probe", "use", "fixes_from", "id", "kind", "type",
                             "var", "start", "next", "on", "cases"})
"""Keys whose values name data (a profile, a probe, a fix, a step), not words to read."""

LOOKUP = re.compile(r"\{[^{}]*\}")

PENDING: dict[str, str] = {}
"""Flows whose provider words are being moved elsewhere: expected to fail (strictly)."""


def provider_words(data: Any, where: str = "") -> Iterator[str]:
    """Every ``where: text`` in ``data`` (parsed YAML) that uses an OCI word, per the rule."""
    if isinstance(data, dict):
        for key, value in data.items():
            if not _names(str(key), value):
                yield from provider_words(value, f"{where}.{key}" if where else str(key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from provider_words(item, f"{where}[{index}]")
    elif isinstance(data, str) and data.strip() not in bundled_provider_ids():
        text = LOOKUP.sub("", data)
        if PROVIDER_WORDS.search(text):
            yield f"{where}: {data.strip()!r}"


def _names(key: str, value: Any) -> bool:
    """True when ``key: value`` holds names: an identifier key with a string, or ``on:`` /
    ``cases:`` with a map of step ids — not an input or a step that is called ``provider``."""
    if key in ("on", "cases") and isinstance(value, dict):
        return all(isinstance(v, str) for v in value.values())
    return key in IDENTIFIER_KEYS and isinstance(value, str)


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _flows() -> list[Any]:
    return [pytest.param(path, id=path.name, marks=[pytest.mark.xfail(
                reason=PENDING[path.name], strict=True)] if path.name in PENDING else [])
            for path in sorted(FLOWS.glob("*.yaml"))]


@pytest.mark.parametrize("path", _flows())
def test_no_shipped_flow_names_oci_in_what_a_user_reads(path: Path) -> None:
    found = list(provider_words(_load(path)))
    assert found == [], (f"{path.name} names OCI; put the words in flows/providers/*.yaml and "
                         "reference them through facts:\n" + "\n".join(found))


def test_the_generic_profile_has_neutral_words() -> None:
    profile = _load(FLOWS / "providers" / "generic.yaml")
    assert list(provider_words(profile)) == []
    assert profile["api_name"] and profile["support_where"]
    assert profile["smtp"]["egress_where"] and profile["smtp"]["endpoint_where"]


def test_the_rule_finds_words_and_leaves_references_alone() -> None:
    flow = yaml.safe_load("""
        # OCI Email Delivery: a comment is for the authors
        provider: oci
        inputs:
          provider:
            {type: text, default: oci, help: "e.g. smtp.email.us-ashburn-1.oci.oraclecloud.com"}
        steps:
          api: {kind: probe, probe: oci.dkim, title: "Ask {endpoint.api_name}", next: oci_step}
          fail: {kind: fix, fixes: [{use: oci.api-access}, {id: oci.x, title: Open the VCN rules}]}
          end: {kind: end, message: "Ask Oracle; the vcn2 subnet; OCIDs; email  delivery"}
        """)
    assert list(provider_words(flow)) == [
        "inputs.provider.help: 'e.g. smtp.email.us-ashburn-1.oci.oraclecloud.com'",
        "steps.fail.fixes[1].title: 'Open the VCN rules'",
        "steps.end.message: 'Ask Oracle; the vcn2 subnet; OCIDs; email  delivery'",
    ]
