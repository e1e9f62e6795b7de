"""One secret policy: which values are secret, and the redacted view both front-ends show.

The set of secret names is a property of the flow (:attr:`Flow.secret_names`:
secret inputs and secret ``ask`` answers). The engine renders every text a
person reads — step titles, findings, fix titles and texts, action values, the
end message — with those names replaced by :data:`REDACTED`, so a secret
templated into a sentence never reaches it. What probes return (summaries,
evidence, facts) is redacted here by whole values and whole tokens, never by
replacing a short substring inside another word: a password ``smtp`` leaves
``smtp.email.lab-1.oci.test`` alone (stars there would reveal it).

:func:`session_view` is the one redacted view of a session; the JSON and
Markdown reports, the CLI's text and the TUI's walk screen all render from it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wizard.data.redact import REDACTED, Redactor, show_value
from wizard.fixes.vocabulary import Finding, Fix

HIDDEN = ("flow.id", "flow.title")
"""Session values that are not facts worth showing."""

if TYPE_CHECKING:
    from wizard.engine import Session, TrailEntry

def redactor(session: Session) -> Redactor:
    """A redactor for every secret value ``session`` holds."""
    return Redactor(str(session.values.get(name) or "") for name in session.flow.secret_names)


@dataclass(frozen=True)
class SessionView:
    """What a person may see of a session: every field already redacted."""

    flow: str
    title: str
    status: str
    error: str | None
    message: str
    inputs: dict[str, Any]
    trail: tuple[TrailEntry, ...]
    findings: tuple[Finding, ...]
    fixes: tuple[Fix, ...]
    facts: tuple[tuple[str, str], ...]
    """``(name, value)`` for everything known, inputs first, as one line each."""

    redactor: Redactor = dataclasses.field(default_factory=lambda: Redactor(()), repr=False)
    """For text that did not come through the view (e.g. lines copied to the clipboard)."""


def _entry(entry: TrailEntry, redact: Redactor) -> TrailEntry:
    probes = tuple(dataclasses.replace(
        p, summary=redact.text(p.summary), evidence=tuple(redact.text(e) for e in p.evidence),
        facts={k: redact.value(v) for k, v in p.facts.items()}) for p in entry.probes)
    return dataclasses.replace(
        entry, title=redact.text(entry.title), summary=redact.text(entry.summary),
        fixes=tuple(type(f).model_validate(redact.value(f.model_dump(by_alias=True)))
                    for f in entry.fixes),
        evidence=tuple(redact.text(e) for e in entry.evidence), probes=probes,
        answer=None if entry.answer is None else redact.text(entry.answer))


def session_view(session: Session) -> SessionView:
    """The one redacted view of ``session`` that every front-end and report renders."""
    secrets = session.flow.secret_names
    redact = redactor(session)
    inputs = {name: (REDACTED if name in secrets and session.values.get(name) else
                     redact.value(session.values.get(name)))
              for name in session.flow.inputs}
    facts = []
    for name, value in session.values.items():
        if name in HIDDEN or value in ("", None, [], {}):
            continue
        facts.append((name, REDACTED if name in secrets else redact.text(show_value(value))))
    return SessionView(
        flow=session.flow.id,
        title=session.flow.title,
        status=session.status,
        error=None if session.error is None else redact.text(session.error),
        message=redact.text(session.end_message),
        inputs=inputs,
        trail=tuple(_entry(e, redact) for e in session.trail),
        findings=tuple(Finding.model_validate(redact.value(f.model_dump()))
                       for f in session.findings),
        fixes=tuple(type(f).model_validate(redact.value(f.model_dump(by_alias=True)))
                    for f in session.shown_fixes),
        facts=tuple(facts),
        redactor=redact,
    )
