"""What a walk knows so far, fit to show — taken from the session's one redacted view.

Plain Python — no Textual — shared by the facts panel and the step details.
The redaction rules live in :mod:`wizard.redaction`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wizard.data.redact import show_value
from wizard.engine import Session
from wizard.redaction import session_view

__all__ = ["fact_lines", "show_value", "visible_facts"]


def visible_facts(session: Session) -> list[tuple[str, str]]:
    """``(name, value)`` for everything known, inputs first; secrets shown as stars."""
    return list(session_view(session).facts)


def fact_lines(facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A probe record's facts (from the redacted view) as shown lines."""
    return [(name, show_value(value)) for name, value in facts.items()]
