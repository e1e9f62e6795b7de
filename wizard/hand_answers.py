"""Answer a probe step by hand: the user picks what the probe would have found.

For a machine without network access to the target, a probe step can be
skipped by choosing one of its declared outcomes (or one of the step's
``when`` rules). The engine then walks on exactly as if the probe had
returned it. Plain Python over :class:`~wizard.engine.Session` — no Textual.

The step is taken through :meth:`Session.advance` with the chosen results
(``given=``), so the trail, facts and ``back`` behave as for a real run.
Facts the probe declares are filled with :data:`NOT_MEASURED` so that later
templates still render.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wizard.engine import Session, TrailEntry
from wizard.flow.model import DEFAULT, ProbeStep
from wizard.probes.base import ProbeResult, ProbeSpec

NOT_MEASURED = "(not measured)"
NOT_RUN = "not_run"
EVIDENCE = "No probe ran: the outcome was chosen by hand."


@dataclass(frozen=True)
class HandChoice:
    """One way to answer a probe step by hand: an outcome per probe of the step."""

    label: str
    description: str
    outcomes: Mapping[str, str]
    facts: Mapping[str, Any] = field(default_factory=dict)


def _registry() -> Mapping[str, ProbeSpec[Any]]:
    from wizard.probes.registry import PROBES

    return PROBES


def hand_choices(session: Session,
                 probes: Mapping[str, ProbeSpec[Any]] | None = None) -> list[HandChoice]:
    """The answers the current probe step accepts; empty when it is not a probe step."""
    step = session.step
    if not isinstance(step, ProbeStep) or session.current is None:
        return []
    table = _registry() if probes is None else probes
    calls = step.calls(session.current)
    choices: list[HandChoice] = []
    for rule in step.when:
        wanted = {cid: (want if isinstance(want, str) else want[0])
                  for cid, want in rule.when.items()}
        label = ", ".join(f"{cid}: {outcome}" for cid, outcome in wanted.items())
        choices.append(HandChoice(label, f"goes on to {rule.goto}", wanted))
    branch = step.branch_probe(session.current)
    if branch is not None and branch in calls:
        spec = table.get(calls[branch].probe)
        declared: dict[str, str] = dict(spec.outcomes) if spec else {}
        for outcome in step.on:
            if outcome != DEFAULT:
                declared.setdefault(outcome, "")
        for outcome, description in declared.items():
            if outcome.endswith("timeout") and outcome not in step.on:
                continue
            choices.append(HandChoice(outcome, description, {branch: outcome}))
    return choices


def _result(spec: ProbeSpec[Any] | None, outcome: str, description: str,
            facts: Mapping[str, Any]) -> ProbeResult:
    filled: dict[str, Any] = {}
    if spec is not None and outcome != NOT_RUN:
        filled = {name: NOT_MEASURED for name in spec.facts_for(outcome)}
    filled.update(facts)
    summary = f"answered by hand: {outcome}" + (f" ({description})" if description else "")
    return ProbeResult(outcome, summary, (EVIDENCE,), filled, 0)


async def answer_by_hand(session: Session, choice: HandChoice,
                         probes: Mapping[str, ProbeSpec[Any]] | None = None) -> TrailEntry:
    """Take the current probe step with ``choice`` instead of running its probes."""
    step = session.step
    if not isinstance(step, ProbeStep) or session.current is None:
        raise ValueError("the current step is not a probe step")
    table = _registry() if probes is None else probes
    results: dict[str, ProbeResult] = {}
    for cid, call in step.calls(session.current).items():
        outcome = choice.outcomes.get(cid, NOT_RUN)
        description = choice.description if cid in choice.outcomes else ""
        results[cid] = _result(table.get(call.probe), outcome, description, choice.facts)
    return await session.advance(given=results)
