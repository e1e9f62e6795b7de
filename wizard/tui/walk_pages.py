"""The widgets of each page of the walk, one builder per page.

:class:`~wizard.tui.screens.walk.WalkScreen` decides which page is on show
and reacts to keys; these functions only turn the engine's state into
widgets: a question, a running probe, a step that could not run, a result
(with findings and fixes), and the details of one trail entry.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence

from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, Static

from wizard.apply_session import user_named_paths
from wizard.engine import Session, TrailEntry
from wizard.fixes.review import fix_plan
from wizard.fixes.vocabulary import ConsoleAction, DnsAction, Finding, Fix
from wizard.flow.loader import find_flow
from wizard.flow.model import AskStep, Flow, FlowStep, InputSpec, OfferedFix, ProbeStep
from wizard.redaction import SessionView, session_view
from wizard.tui.facts import fact_lines
from wizard.tui.field_text import placeholder, walk_text
from wizard.tui.screens.dialogs import StepDetail
from wizard.tui.widgets import (
    Banner,
    FindingsView,
    FixView,
    RunningIndicator,
    entry_mark,
    gist,
    marked,
)

CANCELLED = "cancelled"
"""The failure of a step the user cancelled (not a crash)."""


@functools.cache
def _sub_flow_inputs(flow_id: str) -> Mapping[str, InputSpec]:
    try:
        return find_flow(flow_id).inputs
    except Exception:  # a sub-flow that cannot load only loses its labels here
        return {}


def walk_inputs(flow: Flow) -> dict[str, InputSpec]:
    """The inputs a walk's texts may name: the flow's own (the form the user filled in),
    then those of the flows it runs inside it."""
    inputs = dict(flow.inputs)
    for step in flow.steps.values():
        if isinstance(step, FlowStep):
            for name, spec in _sub_flow_inputs(step.flow).items():
                inputs.setdefault(name, spec)
    return inputs


def tui_finding(finding: Finding, inputs: Mapping[str, InputSpec]) -> Finding:
    """``finding`` worded for the TUI (:func:`~wizard.tui.field_text.walk_text`)."""
    return finding.model_copy(update={"message": walk_text(finding.message, inputs)})


def tui_fix(fix: Fix, inputs: Mapping[str, InputSpec]) -> Fix:
    """``fix`` with its title, text and console instructions worded for the TUI."""
    actions = [action.model_copy(update={"instruction": walk_text(action.instruction, inputs)})
               if isinstance(action, ConsoleAction) else action for action in fix.actions]
    return fix.model_copy(update={"title": walk_text(fix.title, inputs),
                                  "text": walk_text(fix.text, inputs), "actions": actions})


def ask_page(session: Session, step: AskStep, prefill: str | None,
             cursor_blink: bool) -> list[Widget]:
    """The question, its help, and a choice list or an input field."""
    inputs = walk_inputs(session.flow)
    widgets: list[Widget] = [Static(walk_text(session.show(step.question), inputs),
                                    classes="step-title", markup=False)]
    if step.help:
        widgets.append(Static(walk_text(session.show(step.help), inputs), classes="help",
                              markup=False))
    if step.type == "choice":
        choices = OptionList(*step.choices, id="answer-choices")
        if prefill in step.choices:
            choices.highlighted = step.choices.index(prefill)
        widgets.append(choices)
    else:
        known = session.values.get(step.var)
        secret = step.type == "secret"
        value = prefill or ("" if known in (None, "") or secret else str(known))
        spec = InputSpec(type=step.type, label=inputs[step.var].label
                         if step.var in inputs else "")
        answer = Input(value=value, password=secret, placeholder=placeholder(step.var, spec),
                       id="answer")
        answer.cursor_blink = cursor_blink
        widgets.append(answer)
    widgets.append(Static("", id="answer-error", markup=False))
    return widgets


def running_page(session: Session, step: ProbeStep, clock: Callable[[], float],
                 spinning: bool) -> list[Widget]:
    """The step's title, a spinner with the probes running, and what the keys do."""
    title = session.show(step.title) if step.title else session.current
    probes = ", ".join(call.probe for call in step.calls(session.current or "").values())
    return [
        Static(title or "", classes="step-title", markup=False),
        RunningIndicator(f"running {probes}…", clock, spinning=spinning, id="running"),
        Static("x cancels · a answers by hand (no network to the target?) · "
               "escape goes back", classes="hint", markup=False),
    ]


def failure_page(session: Session, failure: str) -> list[Widget]:
    """Why the current step did not run (cancelled, or crashed) and how to go on."""
    step = session.step
    title = session.show(step.title) if step is not None and step.title else ""
    if failure == CANCELLED:
        reason = marked(("■", "$text-warning"), "You cancelled this check.")
    else:
        reason = marked(("!", "$text-error"), f"This step could not run: {failure}")
    hint = "r runs it again · escape goes back"
    if isinstance(step, ProbeStep):
        hint = "r runs it again · a answers it by hand · escape goes back"
    return [
        Static(title or (session.current or ""), classes="step-title", markup=False),
        Static(reason),
        Static(hint, classes="hint", markup=False),
    ]


def result_page(session: Session, applied: Mapping[int, str], in_tour: bool) -> list[Widget]:
    """The last step's result; at the end, the summary (:func:`summary_widgets`)."""
    if session.finished:
        return summary_widgets(session, applied, in_tour)
    view = session_view(session)
    inputs = walk_inputs(session.flow)
    entry = view.trail[-1]
    widgets: list[Widget] = []
    if entry.kind == "probe":
        widgets.append(Static(entry.title, classes="step-title", markup=False))
        outcome = entry.outcome or ""
        if outcome != "error":
            widgets.append(Static(marked(entry_mark(session.flow, entry),
                                         walk_text(entry.summary, inputs) or outcome),
                                  classes="outcome"))
        if entry.evidence:
            widgets.append(Static("\n".join(entry.evidence), classes="evidence",
                                  markup=False))
    elif entry.kind == "fix":
        widgets.append(Static(entry.title, classes="step-title", markup=False))
        if view.findings:
            widgets.append(FindingsView([tui_finding(f, inputs) for f in view.findings]))
        widgets += _fix_views(session, view, session.fixes, applied)
    widgets.append(Button("Continue", id="continue", variant="primary"))
    return widgets


def summary_widgets(session: Session, applied: Mapping[int, str],
                    in_tour: bool) -> list[Widget]:
    """The end: the headline (the most severe finding), then every finding with its fix."""
    view = session_view(session)
    redact = view.redactor
    inputs = walk_inputs(session.flow)
    headline = gist(walk_text(session.headline(), inputs), 90)
    widgets: list[Widget] = [Banner(session.status, redact.text(headline))]
    if view.message:
        widgets.append(Static(walk_text(view.message, inputs), classes="end-message",
                              markup=False))
    shown: set[int] = set()
    for diagnosis in session.diagnoses():
        if diagnosis.findings:
            widgets.append(FindingsView([
                tui_finding(Finding.model_validate(redact.value(f.model_dump())), inputs)
                for f in diagnosis.findings]))
        widgets += _fix_views(session, view, diagnosis.fixes, applied, shown)
    rest = [fix for i, fix in enumerate(session.fixes) if i not in shown]
    widgets += _fix_views(session, view, rest, applied, shown)
    if session.trail:
        has_dns = bool(dns_actions(session))
        buttons = [Button("Copy as command", id="copy-command", compact=True)]
        if has_dns:
            buttons.append(Button("Re-check DNS", id="dns-recheck", compact=True))
        row = Horizontal(*buttons, classes="summary-actions")
        row.styles.height = "auto"
        row.styles.margin = (0, 0, 1, 0)
        widgets.append(row)
        dns = " · d re-checks the DNS records" if has_dns else ""
        widgets.append(Static("s saves the report (Markdown and JSON, secrets "
                              "redacted) · y copies the fixes' commands · c copies the walk "
                              f"as a command line · r runs the checks again{dns}",
                              classes="hint", markup=False))
    if in_tour:
        widgets.append(Button("Next check of the tour", id="continue", variant="primary"))
    return widgets


def _fix_views(session: Session, view: SessionView, fixes: Sequence[Fix],
               applied: Mapping[int, str], shown: set[int] | None = None) -> list[Widget]:
    """One view per fix: shown redacted, its main.cf plan made from the real values.

    ``shown`` collects the indexes (in the session's fixes) already on the page; a fix
    that is not one of the session's (a sub-flow's alternative, renamed in its caller)
    is left for the caller's own copy.
    """
    views: list[Widget] = []
    named = user_named_paths(session)
    for fix in fixes:
        index = next((i for i, known in enumerate(session.fixes) if known is fix), None)
        if index is None or (shown is not None and index in shown):
            continue
        if shown is not None:
            shown.add(index)
        plan, note = fix_plan(fix, named)
        if plan is not None:
            plan = dataclasses.replace(plan, diff=view.redactor.text(plan.diff))
        choice, other_applied = _alternative_state(session, view, index, applied)
        views.append(FixView(tui_fix(view.fixes[index], walk_inputs(session.flow)), plan,
                             note, applied.get(index, ""), index=index, choice=choice,
                             other_applied=other_applied))
    return views


def _alternative_state(session: Session, view: SessionView, index: int,
                       applied: Mapping[int, str]) -> tuple[str, str]:
    """For one of a step's alternatives: the line that says it is a choice, and the
    title of the alternative already applied (then this one is not to be applied too)."""
    fix = session.fixes[index]
    if not isinstance(fix, OfferedFix):
        return "", ""
    others = [i for i, f in enumerate(session.fixes) if i != index
              and isinstance(f, OfferedFix) and f.alternative_group == fix.alternative_group]
    if not others:
        return "", ""
    titles = " or ".join(f"“{view.fixes[i].title}”" for i in others)
    choice = f"One of {len(others) + 1} alternatives: apply this or {titles}, not both"
    done = next((view.fixes[i].title for i in others
                 if applied.get(i, "").startswith("✔")), "")
    return choice, done


def dns_actions(session: Session) -> list[DnsAction]:
    """The DNS records the walk's fixes change (each once), for the DNS re-check."""
    found: dict[tuple[str, str, str, str], DnsAction] = {}
    for fix in session.fixes:
        for action in fix.actions:
            if isinstance(action, DnsAction):
                found.setdefault((action.op, action.name.lower(), action.rtype.upper(),
                                  action.value), action)
    return list(found.values())


def step_detail(session: Session, entry: TrailEntry) -> StepDetail:
    """What the details dialog shows for ``entry``, an entry of the redacted view."""
    took = f"  ({entry.elapsed_ms} ms)" if entry.kind == "probe" else ""
    headline = Content.assemble(
        marked(entry_mark(session.flow, entry), entry.summary),
        (took, "$text-muted"))
    facts = [(f"{p.id}.{name}", value) for p in entry.probes
             for name, value in fact_lines(p.facts)]
    probes = [(p.id, f"{p.probe}: {p.summary}") for p in entry.probes]
    return StepDetail(entry.title, headline, list(entry.evidence), probes, facts)
