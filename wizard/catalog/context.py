"""What surrounds a matched text: the reply code before it, the HTTPS designation near it.

The same server text can come from the SMTP service or from the HTTPS API
(and ``Server error`` hides inside ``Internal Server Error``), so a match
counts only when its surroundings agree with the entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from wizard.catalog.model import Entry
from wizard.catalog.pattern import CompiledCatalog, designation_key
from wizard.catalog.tokens import Stream, is_enhanced_code, is_reply_code

_FILLERS = frozenset({"b"})
_MAX_SKIPPED = 2


class Fit(IntEnum):
    """How well a match's surroundings agree with its entry."""

    REJECTED = 0
    TEXT_ONLY = 1
    CONFIRMED = 2


@dataclass(frozen=True)
class Lead:
    """The reply code (and enhanced code) standing before a matched text."""

    code: str | None
    enhanced: str | None


def lead_before(stream: Stream, start: int) -> Lead:
    """The code right before ``start`` (past an enhanced code or ``b'``), else the line's opener."""
    tokens = stream.tokens
    lo, _ = stream.line_range(start)
    enhanced: str | None = None
    j = start - 1
    skipped = 0
    while j >= lo and skipped <= _MAX_SKIPPED:
        norm = tokens[j].norm
        if is_reply_code(norm):
            return Lead(norm, enhanced)
        if is_enhanced_code(norm):
            enhanced = enhanced or norm
        elif norm not in _FILLERS:
            break
        j -= 1
        skipped += 1
    opener = stream.opening_code(start)
    if opener is not None and opener < start:
        after = opener + 1
        if enhanced is None and after < start and is_enhanced_code(tokens[after].norm):
            enhanced = tokens[after].norm
        return Lead(tokens[opener].norm, enhanced)
    return Lead(None, enhanced)


def nearest_designation(stream: Stream, compiled: CompiledCatalog, start: int, end: int,
                        reach: int) -> str | None:
    """The HTTPS designation closest to ``[start, end)`` within ``reach`` words, if any."""
    tokens = stream.tokens
    lo = max(0, start - reach)
    hi = min(len(tokens), end + reach)
    best: tuple[int, str] | None = None
    for j in range(lo, hi):
        key = compiled.designation_at(tokens, j, hi)
        if key is None:
            continue
        distance = 0 if start <= j < end else (start - j if j < start else j - end + 1)
        if best is None or distance < best[0]:
            best = (distance, key)
    return best[1] if best else None


def fit(entry: Entry, stream: Stream, compiled: CompiledCatalog, start: int, end: int,
        reach: int) -> Fit:
    """Whether the text matched at ``[start, end)`` really is ``entry``, given its surroundings.

    A client entry's text (an exception's name, a log phrase) stands on its own.
    """
    if entry.protocol == "client":
        return Fit.CONFIRMED
    lead = lead_before(stream, start)
    if lead.code is not None:
        if lead.code != str(entry.code):
            return Fit.REJECTED
        if entry.protocol == "https":
            found = nearest_designation(stream, compiled, start, end, reach)
            if found is not None and found != designation_key(entry.error_code or ""):
                return Fit.REJECTED
        return Fit.CONFIRMED
    found = nearest_designation(stream, compiled, start, end, reach)
    if entry.protocol == "smtp":
        return Fit.REJECTED if found is not None else Fit.TEXT_ONLY
    if found is None:
        return Fit.TEXT_ONLY
    return Fit.CONFIRMED if found == designation_key(entry.error_code or "") else Fit.REJECTED
