"""A reply code typed alone (``535``, ``550 5.7.1``, ``5.7.1``): what the catalog and the
standards say about it.

Plain Python — no Textual. The catalog matches replies by their text, so a code
alone matches nothing there; typed on the home screen it still deserves an answer:
the catalog's entries with that code (each matched as its documented reply would
be), or else what the RFCs say about the code.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wizard.catalog import ErrorCatalog, Explanation

_ENHANCED = r"[245]\.\d{1,3}\.\d{1,3}"
_BARE = re.compile(rf"^\s*(?:(?P<code>[2-5][0-5]\d)(?:[\s-]+(?P<ext>{_ENHANCED}))?"
                   rf"|(?P<alone>{_ENHANCED}))\s*$")


def bare_code(text: str) -> tuple[str | None, str | None] | None:
    """``(reply code, enhanced code)`` when ``text`` is nothing but those, else None."""
    found = _BARE.match(text)
    if found is None:
        return None
    return found.group("code"), found.group("ext") or found.group("alone")


def explain_code(text: str, catalog: ErrorCatalog) -> Explanation | None:
    """The catalog's entries with the code of ``text`` (best first), else the standards'
    meaning of the code; None when ``text`` is more than a code."""
    from wizard.catalog import Explanation, explain

    codes = bare_code(text)
    if codes is None:
        return None
    code, enhanced = codes
    found = []
    for entry in catalog.catalog.entries:
        if entry.code is None or (code and str(entry.code) != code):
            continue
        if enhanced and entry.enhanced_code != enhanced and (not code or entry.enhanced_code):
            continue
        documented = entry.reply if entry.reply.startswith(str(entry.code)) else \
            f"{entry.code} {entry.reply}"
        found += [m for m in explain(documented, catalog).matches if m.entry.id == entry.id][:1]
    if found:
        return Explanation(tuple(found), None)
    stand_in = f"{code} {enhanced or ''} reply" if code else f"dsn={enhanced}"
    generic = explain(stand_in, catalog).generic
    if generic is not None:
        generic = replace(generic, text=text.strip() if code else "")
    return Explanation((), generic)
