"""The engine: walks a flow, runs its probes, records the trail, renders the fixes.

Pure and headless — no Textual, no printing, no sockets of its own. Both
front-ends (the TUI and ``email-wizard run``) drive a :class:`Session` one
step at a time; :func:`run_to_end` is the headless loop.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from wizard.data import template
from wizard.data.redact import masked
from wizard.fixes.vocabulary import SEVERITY_RANK, Action, Finding, Fix
from wizard.flow.model import (
    DEFAULT,
    AskStep,
    EndStep,
    FixStep,
    Flow,
    FlowStep,
    OfferedFix,
    ProbeStep,
    SequenceStep,
    Status,
    Step,
    SwitchStep,
)
from wizard.probes.base import ProbeResult
from wizard.probes.runner import ProbeFailed, ProbeRunner

RunStatus = Literal["running", "healthy", "problem", "inconclusive", "error"]


@dataclass(frozen=True)
class ProbeRecord:
    """One probe's run within a step."""

    id: str
    probe: str
    outcome: str
    summary: str
    evidence: tuple[str, ...]
    elapsed_ms: int
    facts: Mapping[str, Any]


@dataclass(frozen=True)
class TrailEntry:
    """One step taken: what ran, what it found, where it led."""

    step: str
    kind: str
    title: str
    outcome: str | None = None
    summary: str = ""
    evidence: tuple[str, ...] = ()
    elapsed_ms: int = 0
    probes: tuple[ProbeRecord, ...] = ()
    answer: str | None = None
    next: str | None = None
    findings: tuple[Finding, ...] = ()
    """What a fix step found (rendered)."""
    fixes: tuple[Fix, ...] = ()
    """The fixes a fix step proposed for them (rendered)."""

    @property
    def probe(self) -> str | None:
        """The probe name (several joined by commas) or None for non-probe steps."""
        return ", ".join(p.probe for p in self.probes) or None


@dataclass(frozen=True)
class Diagnosis:
    """One fix step's result: what it found and what to do about it."""

    title: str
    findings: tuple[Finding, ...]
    fixes: tuple[Fix, ...]

    @property
    def rank(self) -> int:
        """The most severe finding's rank (0 for an error; 3 with no finding)."""
        return min((SEVERITY_RANK[f.severity] for f in self.findings), default=3)


class MissingAnswer(LookupError):
    """A headless run reached a question with no ``--set`` answer."""

    def __init__(self, var: str, question: str) -> None:
        super().__init__(var)
        self.var = var
        self.question = question


@dataclass
class _Frame:
    """A ``sequence`` being walked: the checks still to run, then where to go."""

    step: str
    remaining: list[str]
    next: str | None


_SEVERITY: dict[str, int] = {"healthy": 0, "inconclusive": 1, "problem": 2}


@dataclass
class _Snapshot:
    step: str | None
    values: dict[str, Any]
    findings: int
    fixes: int
    shown_fixes: int
    trail: int
    status: RunStatus
    frames: list[_Frame] = field(default_factory=list)
    worst: Status = "healthy"


@dataclass
class Session:
    """A walk through one flow. Call :meth:`advance` until :attr:`finished`.

    Everything a person reads is rendered with the flow's secrets as stars
    (:meth:`show`): trail titles, findings, :attr:`shown_fixes`, the end
    message. :attr:`fixes` keeps the real values, for ``--apply`` only.
    """

    flow: Flow
    values: dict[str, Any]
    runner: ProbeRunner
    current: str | None = None
    trail: list[TrailEntry] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)
    shown_fixes: list[Fix] = field(default_factory=list)
    status: RunStatus = "running"
    error: str | None = None
    end_message: str = ""
    undo: bool = True
    """Keep a snapshot before each step for :meth:`back` (see :meth:`start`)."""
    _history: list[_Snapshot] = field(default_factory=list)
    _frames: list[_Frame] = field(default_factory=list)
    _worst: Status = "healthy"

    @classmethod
    def start(cls, flow: Flow, inputs: Mapping[str, Any], runner: ProbeRunner, *,
              undo: bool = True) -> Session:
        """A session at the flow's start step, with inputs (defaults filled in); ``undo``
        False for a walk that never goes back (``run``, ``scan``): no snapshot per step."""
        values: dict[str, Any] = {"flow.id": flow.id, "flow.title": flow.title}
        for name, spec in flow.inputs.items():
            if name in inputs:
                values[name] = inputs[name]
            elif spec.default is not None:
                values[name] = spec.default
            else:
                values[name] = ""
        for name, value in inputs.items():
            values.setdefault(name, value)
        return cls(flow=flow, values=values, runner=runner, current=flow.start, undo=undo)

    @property
    def finished(self) -> bool:
        """True once an end (or a final fix) is reached, or the run failed."""
        return self.status != "running"

    @property
    def step(self) -> Step | None:
        """The step about to run."""
        return None if self.current is None else self.flow.steps[self.current]

    def question(self) -> AskStep | None:
        """The current step if it is a question waiting for an answer."""
        step = self.step
        if isinstance(step, AskStep) and not self._guard_fails(step):
            return step
        return None

    def _guard_fails(self, step: Step) -> bool:
        """True when the step's ``if:`` lookup is empty or unset (the step is skipped)."""
        guard = step.guard()
        return guard is not None and not template.format_value(self.values.get(guard)).strip()

    def render(self, text: str) -> str:
        """A template rendered with what is known now."""
        return template.render(text, self.values)

    def shown_values(self) -> dict[str, Any]:
        """The values with every secret (:attr:`Flow.secret_names`) as stars."""
        return masked(self.values, self.flow.secret_names)

    def _secret_set(self) -> bool:
        """Whether a secret has a value (else :meth:`shown_values` equals the values)."""
        return any(self.values.get(name) not in (None, "") for name in self.flow.secret_names)

    def show(self, text: str) -> str:
        """A template rendered for a person to read: secrets as stars."""
        return template.render(text, self.shown_values() if self._secret_set() else self.values)

    def _title_or_id(self, step_id: str, step: object) -> str:
        """The step's title rendered, or its id when the title needs what is not known."""
        title = getattr(step, "title", None)
        if not title:
            return step_id
        try:
            return self.show(title)
        except template.MissingVariable:
            return step_id

    def _save(self) -> None:
        if not self.undo:
            return
        self._history.append(_Snapshot(self.current, copy.deepcopy(self.values),
                                       len(self.findings), len(self.fixes), len(self.shown_fixes),
                                       len(self.trail), self.status,
                                       copy.deepcopy(self._frames), self._worst))

    def can_go_back(self) -> bool:
        """True when a step has been taken."""
        return bool(self._history)

    def back(self) -> None:
        """Undo the last step taken (its answer, facts, findings and fixes)."""
        if not self._history:
            return
        snap = self._history.pop()
        self.current = snap.step
        self.values = snap.values
        del self.findings[snap.findings:]
        del self.fixes[snap.fixes:]
        del self.shown_fixes[snap.shown_fixes:]
        del self.trail[snap.trail:]
        self.status = snap.status
        self._frames = snap.frames
        self._worst = snap.worst
        self.error = None
        self.end_message = ""

    def diagnoses(self) -> list[Diagnosis]:
        """Each fix step's findings with the fixes it proposed, most severe first."""
        found = [Diagnosis(entry.title, entry.findings, entry.fixes)
                 for entry in self.trail if entry.kind == "fix"
                 and (entry.findings or entry.fixes)]
        return sorted(found, key=lambda d: d.rank)

    def headline(self) -> str:
        """One line for the end: the most severe finding, else the last step's title."""
        findings = sorted(self.findings, key=lambda f: SEVERITY_RANK[f.severity])
        if self.status == "error":
            return self.error or ""
        if findings and findings[0].severity != "info":
            return findings[0].message
        return self.trail[-1].title if self.trail else ""

    async def advance(self, answer: str | None = None, *,
                      given: Mapping[str, ProbeResult] | None = None) -> TrailEntry:
        """Run the current step and move on.

        ``answer`` answers an ask step. ``given`` takes a probe step with these
        results (by call id) instead of running its probes — a step answered by
        hand walks on, records its trail and goes back exactly like a run one.
        """
        if self.current is None or self.finished:
            raise RuntimeError("the flow has finished")
        step_id = self.current
        step = self.flow.steps[step_id]
        if given is not None:
            if not isinstance(step, ProbeStep):
                raise ValueError(f"step {step_id} is not a probe step")
            missing = set(step.calls(step_id)) - set(given)
            if missing:
                raise ValueError(f"no result given for {', '.join(sorted(missing))}")
        self._save()
        if self._guard_fails(step):
            entry = self._skip(step_id, step)
            self.trail.append(entry)
            return entry
        if isinstance(step, AskStep):
            try:
                entry = self._answer(step_id, step, answer)
            except (MissingAnswer, ValueError):
                if self.undo:
                    self._history.pop()
                raise
            self.trail.append(entry)
            return entry
        try:
            if isinstance(step, ProbeStep):
                entry = await self._probe(step_id, step, given)
            elif isinstance(step, SwitchStep):
                entry = self._switch(step_id, step)
            elif isinstance(step, FixStep):
                entry = self._fix(step_id, step)
            elif isinstance(step, SequenceStep):
                entry = self._sequence(step_id, step)
            elif isinstance(step, FlowStep):
                entry = await self._subflow(step_id, step)
                return entry
            else:
                entry = self._end(step_id, step)
        except (ProbeFailed, template.MissingVariable) as exc:
            self.status = "error"
            self.error = str(exc)
            entry = TrailEntry(step_id, step.kind, self._title_or_id(step_id, step), "error",
                               str(exc))
            self.current = None
        self.trail.append(entry)
        return entry

    def _answer(self, step_id: str, step: AskStep, answer: str | None) -> TrailEntry:
        if answer is None:
            if step.var in self.values and self.values[step.var] not in ("", None):
                answer = str(self.values[step.var])
            else:
                raise MissingAnswer(step.var, self.show(step.question))
        if step.type == "choice" and answer not in step.choices:
            raise ValueError(f"{answer!r} is not one of {', '.join(step.choices)}")
        self.values[step.var] = answer
        target = step.on.get(answer) or step.on.get(DEFAULT) or step.next
        self.current = target
        shown = "(secret)" if step.var in self.flow.secret_names else answer
        return TrailEntry(step_id, "ask", self.show(step.title or step.question), None,
                          f"{self.show(step.question)} → {shown}", answer=shown, next=target)

    async def _probe(self, step_id: str, step: ProbeStep,
                     given: Mapping[str, ProbeResult] | None = None) -> TrailEntry:
        calls = step.calls(step_id)
        results: list[ProbeResult]
        if given is not None:
            results = [given[cid] for cid in calls]
        else:
            rendered = {cid: template.render_params(call.with_, self.values)
                        for cid, call in calls.items()}
            runs = [self.runner.run(call.probe, rendered[cid]) for cid, call in calls.items()]
            # One probe is awaited as it is: a task for it would cost a turn of the loop.
            results = [await runs[0]] if len(runs) == 1 else await asyncio.gather(*runs)
        records = []
        outcomes: dict[str, str] = {}
        for (cid, call), result in zip(calls.items(), results, strict=True):
            outcomes[cid] = result.outcome
            self.values[f"{cid}.outcome"] = result.outcome
            self.values[f"{cid}.summary"] = result.summary
            for fact, value in result.facts.items():
                self.values[f"{cid}.{fact}"] = value
            records.append(ProbeRecord(cid, call.probe, result.outcome, result.summary,
                                       tuple(result.evidence), result.elapsed_ms,
                                       dict(result.facts)))
        target = None
        for rule in step.when:
            if all(outcomes.get(cid) in ([want] if isinstance(want, str) else want)
                   for cid, want in rule.when.items()):
                target = rule.goto
                break
        branch = step.branch_probe(step_id)
        outcome = outcomes.get(branch) if branch else None
        if target is None:
            target = step.on.get(outcome or "", step.on.get(DEFAULT))
        if target is None:
            raise ProbeFailed(f"step {step_id}: no branch for outcome {outcome!r}")
        self.current = target
        summary = " · ".join(r.summary for r in records)
        evidence = tuple(line for r in records for line in r.evidence)
        return TrailEntry(step_id, "probe", self.show(step.title) if step.title else step_id,
                          outcome if outcome is not None else ",".join(outcomes.values()),
                          summary, evidence, max(r.elapsed_ms for r in records),
                          tuple(records), next=target)

    def _switch(self, step_id: str, step: SwitchStep) -> TrailEntry:
        value = self.render(step.value).strip()

        def same(case: str) -> bool:
            case = case.strip()
            return case.lower() == value.lower() if step.ignore_case else case == value

        case = next((c for c in step.cases if same(c)), None)
        target = step.cases[case] if case is not None else step.default
        self.current = target
        title = self.show(step.title) if step.title else step_id
        shown = self.show(step.value).strip() or "(empty)"
        return TrailEntry(step_id, "switch", title, case if case is not None else "default",
                          f"{title}: {shown}", next=target)

    def _fix(self, step_id: str, step: FixStep) -> TrailEntry:
        secret = self._secret_set()
        shown = self.shown_values() if secret else self.values
        try:
            findings = [Finding.model_validate(template.render_strings(f.model_dump(), shown))
                        for f in step.findings]
            from wizard.flow.fixlib import offered_fix, render_fix

            fixes = offered_fix(step, self.values)
            fixes += [render_fix(f, self.flow, self.values) for f in step.fixes]
            fixes += [render_fix(f, self.flow, self.values, group=step_id)
                      for f in step.alternatives]
            if secret:
                shown_fixes = offered_fix(step, shown)
                shown_fixes += [render_fix(f, self.flow, shown) for f in step.fixes]
                shown_fixes += [render_fix(f, self.flow, shown, group=step_id)
                                for f in step.alternatives]
            else:  # nothing to hide: the fixes as rendered (immutable, so shared)
                shown_fixes = list(fixes)
        except ValidationError as exc:
            reason = exc.errors()[0].get("msg", "invalid") if exc.errors() else "invalid"
            raise ProbeFailed(f"step {step_id}: a rendered fix is not valid: {reason}") from None
        self.findings.extend(findings)
        self.fixes.extend(fixes)
        self.shown_fixes.extend(shown_fixes)
        self.current = step.next
        target = step.next
        if step.next is None:
            target = self._path_ends(step.status, stop=step.end)
        title = self.show(step.title) if step.title else step_id
        return TrailEntry(step_id, "fix", title, step.status, title, next=target,
                          findings=tuple(findings), fixes=tuple(fixes))

    def _end(self, step_id: str, step: EndStep) -> TrailEntry:
        message = self.show(step.message)
        target = self._path_ends(step.status)
        if target is None:
            self.end_message = message
        title = self.show(step.title) if step.title else step_id
        return TrailEntry(step_id, "end", title, step.status, message or title, next=target)

    def _skip(self, step_id: str, step: Step) -> TrailEntry:
        """A guarded step whose ``if:`` lookup is empty: go to ``else``."""
        self.current = step.else_
        title = self.show(step.title) if step.title else step_id
        return TrailEntry(step_id, step.kind, title, "skipped",
                          f"skipped: {step.if_} is empty", next=step.else_)

    def _sequence(self, step_id: str, step: SequenceStep) -> TrailEntry:
        self._frames.append(_Frame(step_id, list(step.checks[1:]), step.next))
        self.current = step.checks[0]
        title = self.show(step.title) if step.title else step_id
        return TrailEntry(step_id, "sequence", title, None,
                          f"{len(step.checks)} checks: {', '.join(step.checks)}",
                          next=self.current)

    def _path_ends(self, status: Status, stop: bool = False) -> str | None:
        """A path reached its end: fall through to the next check of the innermost sequence
        (unless ``stop``), else finish with the worst status met on the way."""
        if _SEVERITY[status] > _SEVERITY[self._worst]:
            self._worst = status
        while self._frames and not stop:
            frame = self._frames[-1]
            if frame.remaining:
                self.current = frame.remaining.pop(0)
                return self.current
            self._frames.pop()
            if frame.next is not None:
                self.current = frame.next
                return self.current
        self._finish(self._worst)
        return None

    async def _subflow(self, step_id: str, step: FlowStep) -> TrailEntry:
        """Run another flow to its end; its trail, findings and fixes join this one's.

        An input whose value is an unset fact (None), or only ``{name?}`` lookups that
        render empty, is left out: the sub-flow's default applies, as for a run's inputs.
        """
        sub = self.flow.subflow(step.flow)
        if sub is None:
            raise ProbeFailed(f"step {step_id}: sub-flow {step.flow!r} is not loaded")
        inputs = {k: v for k, v in template.render_params(step.with_, self.values).items()
                  if v is not None}
        child = Session.start(sub, inputs, self.runner)
        try:
            await run_to_end(child)
        except MissingAnswer as exc:
            raise ProbeFailed(f"sub-flow {sub.id} asks {exc.question!r}: step {step_id} must "
                              f"give {exc.var} under 'with:'") from None
        title = self.show(step.title) if step.title else f"{step_id}: {sub.title}"
        if child.status == "error" or child.status == "running":
            raise ProbeFailed(f"sub-flow {sub.id}: {child.error or 'did not finish'}")
        status: Status = child.status
        self.values[f"{step_id}.status"] = status
        target = step.on.get(status) or step.on.get(DEFAULT) or step.next
        self.findings.extend(child.findings)
        def regroup(fix: Fix) -> Fix:
            if isinstance(fix, OfferedFix):
                return fix.model_copy(update={"alternative_group":
                                              f"{step_id}/{fix.alternative_group}"})
            return fix

        self.fixes.extend(regroup(f) for f in child.fixes)
        self.shown_fixes.extend(regroup(f) for f in child.shown_fixes)
        self.current = target
        if target is None:
            target = self._path_ends(status)
        entry = TrailEntry(step_id, "flow", title, status,
                           child.end_message or f"{sub.id}: {status}", next=target)
        self.trail.append(entry)
        self.trail.extend(dataclasses.replace(e, step=f"{sub.id}/{e.step}") for e in child.trail)
        return entry

    def _finish(self, status: Status) -> None:
        if status == "healthy" and any(f.severity in ("error", "warning")
                                       for f in self.findings):
            status = "problem"
        self.status = status
        self.current = None

    def actions(self) -> list[Action]:
        """Every action of every fix, in order."""
        return [a for f in self.fixes for a in f.actions]


async def run_to_end(session: Session, max_steps: int = 1000) -> Session:
    """Advance ``session`` until it finishes; asks are answered from its values.

    Raises :class:`MissingAnswer` when a question has no answer.
    """
    for _ in range(max_steps):
        if session.finished:
            return session
        await session.advance()
    session.status = "error"
    session.error = f"stopped after {max_steps} steps"
    return session
