"""What a walk knows so far, fit to show: inputs and probe facts, secrets redacted.

Plain Python — no Textual — shared by the facts panel and the step details.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from wizard.engine import Session
from wizard.flow.model import AskStep
from wizard.report import REDACTED, Redactor

HIDDEN = ("flow.id", "flow.title")
MAX_VALUE = 200


def secret_names(session: Session) -> set[str]:
    """Names of the secret inputs and secret answers of the session's flow."""
    names = {name for name, spec in session.flow.inputs.items() if spec.type == "secret"}
    names |= {step.var for step in session.flow.steps.values()
              if isinstance(step, AskStep) and step.type == "secret"}
    return names


def redactor(session: Session) -> Redactor:
    """A redactor for every secret value the session holds."""
    return Redactor(str(session.values.get(name, "")) for name in secret_names(session))


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


def visible_facts(session: Session) -> list[tuple[str, str]]:
    """``(name, value)`` for everything known, inputs first; secrets shown as stars."""
    secrets = secret_names(session)
    redact = redactor(session)
    rows: list[tuple[str, str]] = []
    for name, value in session.values.items():
        if name in HIDDEN or value in ("", None, [], {}):
            continue
        if name in secrets:
            rows.append((name, REDACTED))
            continue
        rows.append((name, redact.text(show_value(value))))
    return rows


def redacted_lines(session: Session, lines: Iterable[str]) -> list[str]:
    """``lines`` with every secret of the session replaced by stars."""
    redact = redactor(session)
    return [redact.text(line) for line in lines]


def redacted_facts(session: Session, facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A probe record's facts as shown lines, secrets redacted."""
    redact = redactor(session)
    return [(name, redact.text(show_value(value))) for name, value in facts.items()]
