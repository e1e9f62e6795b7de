"""Redacting secret values: whole values, and whole tokens inside longer text, never a short
substring inside another word. Plain functions over strings and JSON-like values; which names
are secret is the flow's business (:attr:`Flow.secret_names`), the session view is
:mod:`wizard.redaction`'s.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "********"
"""What a secret looks like wherever it would have been shown."""

MIN_TOKEN = 3
"""Secrets shorter than this are redacted only where they are a whole value."""

MAX_VALUE = 200
"""Longest fact value shown on one line."""

_EDGE = r"\s\"'`<>()\[\]{},;=:|"
"""Characters that end a token: a secret counts only when bounded by these (or the ends)."""


def masked(values: Mapping[str, Any], secret_names: Iterable[str]) -> dict[str, Any]:
    """``values`` with every non-empty secret replaced by :data:`REDACTED`."""
    out = dict(values)
    for name in secret_names:
        if out.get(name) not in (None, ""):
            out[name] = REDACTED
    return out


class Redactor:
    """Hides secret values (and the base64 and escaped forms an AUTH exchange or a repr
    would carry) in text and JSON-like values: whole values always, and tokens inside
    longer text only where the secret stands as a token of its own."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            forms.update({secret, secret.strip(), base64.b64encode(secret.encode()).decode(),
                          repr(secret)[1:-1]})
        forms.discard("")
        self.whole = frozenset(forms)
        tokens = sorted((f for f in forms if len(f) >= MIN_TOKEN), key=len, reverse=True)
        self._pattern = re.compile(
            rf"(?<![^{_EDGE}])(?:{'|'.join(map(re.escape, tokens))})"
            rf"(?=$|[{_EDGE}]|\.(?:\s|$))") if tokens else None

    def text(self, text: str) -> str:
        """``text`` with every secret replaced (whole value, or a token of its own)."""
        if text in self.whole or text.strip() in self.whole:
            return REDACTED
        if self._pattern is None:
            return text
        return self._pattern.sub(REDACTED, text)

    def value(self, value: Any) -> Any:
        """Redact inside any JSON-like value (strings, lists, tuples, dicts)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value


def show_value(value: Any) -> str:
    """One line for a fact's value (lists and maps as compact JSON, long values cut)."""
    if value is None:
        text = "—"
    elif isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"
