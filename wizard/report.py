"""The result of a run as the JSON object of the command-line contract, secrets redacted."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from wizard.engine import Session, TrailEntry

REDACTED = "********"

EXIT_CODES = {"healthy": 0, "problem": 1, "inconclusive": 3, "error": 3, "running": 3}


class Redactor:
    """Replaces secret values — and the base64 forms an AUTH exchange would carry — by stars."""

    def __init__(self, secrets: Iterable[str]) -> None:
        needles: set[str] = set()
        for secret in secrets:
            if not secret:
                continue
            needles.add(secret)
            needles.add(base64.b64encode(secret.encode()).decode())
            needles.add(repr(secret)[1:-1])
        self.needles = sorted((n for n in needles if len(n) >= 3), key=len, reverse=True)

    def text(self, text: str) -> str:
        """``text`` with every secret replaced."""
        for needle in self.needles:
            if needle in text:
                text = text.replace(needle, REDACTED)
        return text

    def value(self, value: Any) -> Any:
        """Redact inside any JSON-like value."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value


def _trail_entry(entry: TrailEntry) -> dict[str, Any]:
    out: dict[str, Any] = {"step": entry.step, "kind": entry.kind, "title": entry.title}
    if entry.probes:
        out["probe"] = entry.probe
    out.update(outcome=entry.outcome, summary=entry.summary, evidence=list(entry.evidence),
               elapsed_ms=entry.elapsed_ms)
    if len(entry.probes) > 1:
        out["probes"] = [
            {"id": p.id, "probe": p.probe, "outcome": p.outcome, "summary": p.summary,
             "evidence": list(p.evidence), "elapsed_ms": p.elapsed_ms}
            for p in entry.probes
        ]
    if entry.probes:
        out["facts"] = {f"{p.id}.{k}": v for p in entry.probes for k, v in p.facts.items()}
    if entry.answer is not None:
        out["answer"] = entry.answer
    return out


def session_json(session: Session, secret_names: Iterable[str] = ()) -> dict[str, Any]:
    """The ``--json`` object for a finished (or failed) session."""
    secret_names = set(secret_names) | {
        name for name, spec in session.flow.inputs.items() if spec.type == "secret"}
    secrets = [str(session.values.get(n, "")) for n in secret_names]
    inputs = {
        name: (REDACTED if name in secret_names and session.values.get(name) else
               session.values.get(name))
        for name in session.flow.inputs
    }
    result: dict[str, Any] = {
        "flow": session.flow.id,
        "status": session.status,
        "inputs": inputs,
        "trail": [_trail_entry(e) for e in session.trail],
        "findings": [f.model_dump() for f in session.findings],
        "fixes": [f.model_dump(exclude_defaults=False) for f in session.fixes],
    }
    if session.end_message:
        result["message"] = session.end_message
    if session.error:
        result["error"] = session.error
    redacted: dict[str, Any] = Redactor(secrets).value(result)
    return redacted
