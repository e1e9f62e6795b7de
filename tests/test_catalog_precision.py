"""Entries that share a code are told apart, and no entry matches another's canonical text."""

from __future__ import annotations

import itertools
import json
from collections import Counter

import pytest

from tests.explain_pastes import paste_forms, sample_texts
from wizard.catalog import explain, load_error_catalog
from wizard.catalog.model import Entry

CATALOG = load_error_catalog()
ENTRIES = [e for e in CATALOG.catalog.entries if e.protocol != "client"]
"""The provider's documented replies (client errors have their own tests)."""


def coded(entry: Entry) -> list[str]:
    """The entry's server texts with their code (SMTP) or designation (HTTPS)."""
    return [paste_forms(entry)[f"{'bare' if entry.protocol == 'smtp' else 'body'}#{i}"]
            for i in range(len(sample_texts(entry)))]


def canonical(entry: Entry) -> list[str]:
    """Coded texts, plus the reply exactly as the reference page prints it (HTTPS: in its body)."""
    if entry.protocol == "smtp":
        return [*coded(entry), entry.reply]
    designation = "".join(w[:1].upper() + w[1:] for w in (entry.error_code or "").split())
    return [*coded(entry), json.dumps({"code": designation, "message": entry.reply})]


@pytest.mark.parametrize(("a", "b"), [
    (a, b) for a, b in itertools.permutations(ENTRIES, 2)],
    ids=[f"{a.id}~{b.id}" for a, b in itertools.permutations(ENTRIES, 2)])
def test_no_entry_matches_another_entrys_canonical_text(a: Entry, b: Entry) -> None:
    for text in canonical(a):
        assert b.id not in [m.entry.id for m in explain(text, CATALOG).matches], text


@pytest.mark.parametrize(("code", "count"), [(535, 3), (501, 3), (421, 5), (455, 2)])
def test_replies_sharing_a_code_are_told_apart(code: int, count: int) -> None:
    same = [e for e in ENTRIES if e.protocol == "smtp" and e.code == code]
    assert len(same) == count
    for entry in same:
        for text in coded(entry):
            assert [m.entry.id for m in explain(text, CATALOG).matches] == [entry.id]


def test_texts_long_enough_to_stand_alone_rank_their_entry_first() -> None:
    minimum = CATALOG.catalog.matching.weak_min_tokens
    owners: dict[str, set[str]] = {}
    for entry in ENTRIES:
        for text in sample_texts(entry):
            owners.setdefault(text, set()).add(entry.id)
    tried = Counter[str]()
    for text, ids in owners.items():
        if len(text.split()) < minimum:
            continue
        tried["shared" if len(ids) > 1 else "unique"] += 1
        found = [m.entry.id for m in explain(text, CATALOG).matches]
        if len(ids) == 1:
            assert found[:1] == list(ids), text
        else:  # the same words from SMTP and HTTPS: without a code, both are candidates
            assert set(found) == ids, text
    assert tried["unique"] >= 30 and tried["shared"] == 2
