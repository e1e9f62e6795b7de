"""What a flow means, checked before it runs: the second pass after the schema.

Every defect is reported at its ``FILE:LINE:COL``: branches to missing
steps, unregistered probes, outcomes neither handled nor defaulted, steps
unreachable from the start, template variables nothing provides, and
cycles with no question in them (a loop a headless run could never leave).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from wizard.data import template
from wizard.data.diagnostics import Diagnostic, did_you_mean
from wizard.data.yamlpos import Path
from wizard.fixes.vocabulary import CATALOG_FIX
from wizard.flow.model import (
    DEFAULT,
    AskStep,
    EndStep,
    FixStep,
    Flow,
    FlowStep,
    ProbeStep,
    SequenceStep,
    Step,
    SwitchStep,
)

if TYPE_CHECKING:
    from wizard.data.yamlpos import Located
    from wizard.probes.base import ProbeDescription

BUILTIN_VARIABLES = frozenset({"flow.id", "flow.title"})


class _Reporter:
    def __init__(self, located: Located, name: str) -> None:
        self.located = located
        self.name = name
        self.found: list[Diagnostic] = []

    def at(self, path: Path, message: str, key: bool = False, offset: int = 0) -> None:
        pos = self.located.pos(path, key=key)
        self.found.append(Diagnostic(self.name, pos.line, pos.col + offset, message))


def successors(step_id: str, step: Step) -> Iterator[tuple[Path, str, str | None, str]]:
    """Each outgoing edge: (path in the step, target, outcome or None, probe id or '')."""
    if isinstance(step, AskStep):
        for choice, target in step.on.items():
            yield ("on", choice), target, None, ""
        if step.next is not None:
            yield ("next",), step.next, None, ""
    elif isinstance(step, ProbeStep):
        branch = step.branch_probe(step_id) or ""
        for i, rule in enumerate(step.when):
            yield ("when", i, "goto"), rule.goto, None, ""
        for outcome, target in step.on.items():
            yield ("on", outcome), target, (None if outcome == DEFAULT else outcome), branch
    elif isinstance(step, SwitchStep):
        for case, target in step.cases.items():
            yield ("cases", case), target, None, ""
        yield ("default",), step.default, None, ""
    elif isinstance(step, FixStep) and step.next is not None:
        yield ("next",), step.next, None, ""
    elif isinstance(step, SequenceStep):
        for i, check in enumerate(step.checks):
            yield ("checks", i), check, None, ""
        if step.next is not None:
            yield ("next",), step.next, None, ""
    elif isinstance(step, FlowStep):
        for status, target in step.on.items():
            yield ("on", status), target, None, ""
        if step.next is not None:
            yield ("next",), step.next, None, ""
    if step.else_ is not None:
        yield ("else",), step.else_, None, ""


def check_flow(
    flow: Flow, located: Located, name: str, probes: Mapping[str, ProbeDescription]
) -> list[Diagnostic]:
    """All semantic defects of ``flow`` (empty when it is sound)."""
    report = _Reporter(located, name)
    steps = flow.steps
    if flow.start not in steps:
        report.at(("start",), f"start step {flow.start!r} does not exist"
                  + did_you_mean(flow.start, steps))
    for step_id, step in steps.items():
        base: Path = ("steps", step_id)
        for path, target, _, _ in successors(step_id, step):
            if target not in steps:
                report.at((*base, *path), f"step {target!r} does not exist"
                          + did_you_mean(target, steps))
        if isinstance(step, ProbeStep):
            _check_probe_step(report, step_id, step, probes)
        if isinstance(step, FixStep) and step.fixes_from is not None:
            _check_fixes_from(report, flow, step_id, step.fixes_from, probes)
        if isinstance(step, FlowStep):
            for status in step.on:
                if status not in (DEFAULT, "healthy", "problem", "inconclusive"):
                    report.at((*base, "on", status), f"a sub-flow ends healthy, problem or "
                              f"inconclusive, not {status!r}"
                              + did_you_mean(status, ("healthy", "problem", "inconclusive")),
                              key=True)
        if isinstance(step, AskStep) and step.type == "choice":
            for choice in step.on:
                if choice != DEFAULT and choice not in step.choices:
                    report.at((*base, "on", choice), f"{choice!r} is not one of the choices",
                              key=True)
            if step.on and DEFAULT not in step.on and step.next is None:
                for choice in step.choices:
                    if choice not in step.on:
                        report.at((*base, "on"), f"choice {choice!r} is not handled "
                                  "and there is no 'default'")
    for input_name, spec in flow.inputs.items():
        if spec.type == "choice" and spec.default is not None and spec.default not in spec.choices:
            report.at(("inputs", input_name, "default"), "default is not one of the choices")
    if flow.start in steps:
        reachable = _reachable(flow)
        for step_id in steps:
            if step_id not in reachable:
                report.at(("steps", step_id), f"step {step_id!r} is unreachable from the start "
                          f"{flow.start!r}", key=True)
        _check_cycles(report, flow)
        _check_variables(report, flow, probes)
    _check_braces(report, located)
    return sorted(set(report.found))


def _check_probe_step(report: _Reporter, step_id: str, step: ProbeStep,
                      probes: Mapping[str, ProbeDescription]) -> None:
    base: Path = ("steps", step_id)
    calls = step.calls(step_id)
    for call_id, call in calls.items():
        call_path: Path = (*base,) if step.probe is not None else (*base, "probes", call_id)
        spec = probes.get(call.probe)
        if spec is None:
            report.at((*call_path, "probe"), f"unknown probe {call.probe!r}"
                      + did_you_mean(call.probe, probes))
            continue
        _check_params(report, call_path, call.with_, spec.param_fields())
    branch = step.branch_probe(step_id)
    if step.branch_on is not None and step.branch_on not in calls:
        report.at((*base, "branch_on"), f"no probe with id {step.branch_on!r} in this step"
                  + did_you_mean(step.branch_on, calls))
    for i, rule in enumerate(step.when):
        for call_id, wanted in rule.when.items():
            if call_id not in calls:
                report.at((*base, "when", i, "when", call_id), f"no probe with id {call_id!r} "
                          "in this step" + did_you_mean(call_id, calls), key=True)
                continue
            spec = probes.get(calls[call_id].probe)
            for outcome in [wanted] if isinstance(wanted, str) else wanted:
                if spec is not None and outcome not in spec.outcomes:
                    report.at((*base, "when", i, "when", call_id),
                              f"probe {spec.name} has no outcome {outcome!r}"
                              + did_you_mean(outcome, spec.outcomes))
    if branch is None or branch not in calls:
        if step.on and DEFAULT not in step.on:
            report.at((*base, "on"), "cannot tell which probe 'on' maps: set 'branch_on'")
        elif not step.on:
            report.at((*base, "when"), "no 'on: {default: ...}' after the 'when' rules")
        return
    spec = probes.get(calls[branch].probe)
    if spec is None:
        return
    for outcome in step.on:
        if outcome != DEFAULT and outcome not in spec.outcomes:
            report.at((*base, "on", outcome), f"probe {spec.name} has no outcome {outcome!r}"
                      + did_you_mean(outcome, spec.outcomes), key=True)
    if DEFAULT not in step.on:
        missing = [o for o in spec.outcomes if o not in step.on]
        if missing:
            report.at((*base, "on"), f"outcome{'s' if len(missing) > 1 else ''} of "
                      f"{spec.name} not handled and no 'default': {', '.join(missing)}")


def publishes_fix(spec: ProbeDescription) -> bool:
    """Whether the probe publishes a ready-made fix (the :data:`CATALOG_FIX` fact) on some
    outcome."""
    return any(CATALOG_FIX in spec.facts_for(outcome) for outcome in (None, *spec.outcomes))


def _offers_fix(flow: Flow, probe_id: str, probes: Mapping[str, ProbeDescription]) -> bool:
    """Some probe step publishes facts as ``probe_id``, and each such probe offers a fix."""
    specs = [probes.get(call.probe) for sid, step in flow.steps.items()
             if isinstance(step, ProbeStep)
             for call_id, call in step.calls(sid).items() if call_id == probe_id]
    return bool(specs) and all(s is not None and publishes_fix(s) for s in specs)


def _check_fixes_from(report: _Reporter, flow: Flow, step_id: str, probe_id: str,
                      probes: Mapping[str, ProbeDescription]) -> None:
    """``fixes_from`` names a probe of this flow, and every probe by that id offers a fix."""
    named = {call_id: call.probe for sid, step in flow.steps.items()
             if isinstance(step, ProbeStep) for call_id, call in step.calls(sid).items()}
    at: Path = ("steps", step_id, "fixes_from")
    if probe_id not in named:
        report.at(at, f"fixes_from: no probe step publishes facts as {probe_id!r}"
                  + did_you_mean(probe_id, named))
        return
    for sid, step in flow.steps.items():
        if not isinstance(step, ProbeStep):
            continue
        call = step.calls(sid).get(probe_id)
        spec = probes.get(call.probe) if call is not None else None
        if spec is not None and not publishes_fix(spec):
            offering = sorted(n for n, p in probes.items() if publishes_fix(p))
            report.at(at, f"fixes_from: {probe_id!r} is probe {spec.name} (step {sid!r}), "
                      f"which publishes no catalog fix (probes that do: "
                      f"{', '.join(offering) or 'none'})")
            return


def _check_params(report: _Reporter, call_path: Path, params: Mapping[str, Any],
                  fields: Mapping[str, bool]) -> None:
    for key in params:
        if key not in fields:
            report.at((*call_path, "with", key), f"unknown parameter {key!r}"
                      + did_you_mean(key, fields), key=True)
    for key, required in fields.items():
        if required and key not in params:
            report.at((*call_path, "with") if params else call_path,
                      f"missing required parameter {key!r}")
        value = params.get(key)
        if (required and isinstance(value, str)
                and template.only_optional_lookups(value)):
            report.at((*call_path, "with", key), f"required parameter {key!r} would be left "
                      f"out when {value} renders empty: use {{name}}, not {{name?}}")


def _reachable(flow: Flow) -> set[str]:
    seen: set[str] = set()
    stack = [flow.start]
    while stack:
        current = stack.pop()
        if current in seen or current not in flow.steps:
            continue
        seen.add(current)
        stack.extend(t for _, t, _, _ in successors(current, flow.steps[current]))
    return seen


def _reverse_postorder(flow: Flow) -> list[str]:
    """The steps reachable from the start, each before its successors where the graph allows.

    Visiting in this order, a must-analysis settles in one or two passes
    instead of one pass per step (a flow written last step first made it cubic).
    """
    if flow.start not in flow.steps:
        return []
    done: list[str] = []
    seen = {flow.start}
    work: list[tuple[str, list[str]]] = [
        (flow.start, [t for _, t, _, _ in successors(flow.start, flow.steps[flow.start])])]
    while work:
        node, pending = work[-1]
        while pending and (pending[0] in seen or pending[0] not in flow.steps):
            pending.pop(0)
        if not pending:
            work.pop()
            done.append(node)
            continue
        nxt = pending.pop(0)
        seen.add(nxt)
        work.append((nxt, [t for _, t, _, _ in successors(nxt, flow.steps[nxt])]))
    return done[::-1]


def _check_cycles(report: _Reporter, flow: Flow) -> None:
    """Tarjan's strongly connected components, without recursion; a cycle must contain an ask."""
    graph = {s: [t for _, t, _, _ in successors(s, step) if t in flow.steps]
             for s, step in flow.steps.items()}
    order = {step_id: i for i, step_id in enumerate(flow.steps)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    for root in graph:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, next_edge = work[-1]
            edges = graph[node]
            if next_edge < len(edges):
                work[-1] = (node, next_edge + 1)
                nxt = edges[next_edge]
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] != index[node]:
                continue
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            is_cycle = len(component) > 1 or node in graph[node]
            if is_cycle and not any(isinstance(flow.steps[m], AskStep) for m in component):
                ordered = sorted(component, key=order.__getitem__)
                report.at(("steps", ordered[0]),
                          f"cycle with no 'ask' step: {' -> '.join(ordered)}", key=True)


def _provided(step_id: str, step: Step, outcome: str | None, branch: str,
              probes: Mapping[str, ProbeDescription], via: Path = (),
              guards: bool = True) -> set[str]:
    """Variables a step sets along one outgoing edge (``via`` its path in the step).

    A guarded step's ``else`` edge sets nothing; its other edges also make
    the guard's name known (it was non-empty).
    """
    if via == ("else",):
        return set()
    guard = step.guard()
    guarded = {guard} if guard is not None and guards else set()
    if isinstance(step, AskStep):
        return {step.var} | guarded
    if isinstance(step, FlowStep):
        return {f"{step_id}.status"} | guarded
    if not isinstance(step, ProbeStep):
        return guarded
    out: set[str] = set(guarded)
    for call_id, call in step.calls(step_id).items():
        spec = probes.get(call.probe)
        out |= {f"{call_id}.outcome", f"{call_id}.summary"}
        if spec is None:
            continue
        if call_id == branch and outcome is None and via == ("on", DEFAULT):
            out |= {f"{call_id}.{fact}" for fact in _default_facts(step, spec)}
        else:
            facts = spec.facts_for(outcome if call_id == branch else None)
            out |= {f"{call_id}.{fact}" for fact in facts}
    return out


def _default_facts(step: ProbeStep, spec: ProbeDescription) -> frozenset[str]:
    """Facts guaranteed on an ``on: {default: ...}`` edge: those of every outcome it takes
    (the outcomes ``on`` does not list)."""
    rest = [o for o in spec.outcomes if o not in step.on]
    if not rest:
        return spec.facts_for(None)
    return frozenset.intersection(*(spec.facts_for(o) for o in rest))


def _template_strings(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _template_strings(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _template_strings(item, (*path, i))


def step_templates(step_id: str, step: Step, raw: Any) -> Iterator[tuple[Path, str]]:
    """The templated strings of a step, with their paths in the file."""
    base: Path = ("steps", step_id)
    if not isinstance(raw, dict):
        return
    if isinstance(step, AskStep):
        for key in ("question", "help", "title"):
            if key in raw:
                yield from _template_strings(raw[key], (*base, key))
    elif isinstance(step, ProbeStep):
        if "with" in raw:
            yield from _template_strings(raw["with"], (*base, "with"))
        for call_id, call in (raw.get("probes") or {}).items():
            if isinstance(call, dict) and "with" in call:
                yield from _template_strings(call["with"], (*base, "probes", call_id, "with"))
        if "title" in raw:
            yield from _template_strings(raw["title"], (*base, "title"))
    elif isinstance(step, SwitchStep):
        for key in ("value", "title"):
            if key in raw:
                yield from _template_strings(raw[key], (*base, key))
    elif isinstance(step, FixStep | EndStep):
        for key in ("title", "message", "findings", "fixes", "alternatives"):
            if key in raw:
                yield from _template_strings(raw[key], (*base, key))
    elif isinstance(step, FlowStep):
        for key in ("title", "with"):
            if key in raw:
                yield from _template_strings(raw[key], (*base, key))
    elif isinstance(step, SequenceStep) and "title" in raw:
        yield from _template_strings(raw["title"], (*base, "title"))


def provided_anywhere(flow: Flow, probes: Mapping[str, ProbeDescription],
                      guards: bool = True) -> set[str]:
    """Every variable some input, answer or probe of the flow may set (``guards``: and
    the names guards make known)."""
    universe: set[str] = set(flow.inputs) | set(BUILTIN_VARIABLES)
    for step_id, step in flow.steps.items():
        for via, _, outcome, branch in successors(step_id, step):
            universe |= _provided(step_id, step, outcome, branch, probes, via, guards)
        if isinstance(step, ProbeStep):
            universe |= _provided(step_id, step, None, "", probes, (), guards)
    return universe


def available_variables(flow: Flow, probes: Mapping[str, ProbeDescription]) -> dict[str, set[str]]:
    """Variables set on *every* path to each step (a must-analysis over the step graph)."""
    start_vars = set(flow.inputs) | set(BUILTIN_VARIABLES)
    universe = provided_anywhere(flow, probes)
    avail: dict[str, set[str]] = {s: set(universe) for s in flow.steps}
    avail[flow.start] = set(start_vars)
    incoming: dict[str, list[tuple[str, str | None, str, Path]]] = {s: [] for s in flow.steps}
    for step_id, step in flow.steps.items():
        for via, target, outcome, branch in successors(step_id, step):
            if target in incoming:
                incoming[target].append((step_id, outcome, branch, via))
    order = _reverse_postorder(flow)
    reached = set(order)
    changed = True
    while changed:
        changed = False
        for step_id in order:
            if step_id == flow.start:
                continue
            sets = [avail[src] | _provided(src, flow.steps[src], outcome, branch, probes, via)
                    for src, outcome, branch, via in incoming[step_id] if src in reached]
            new = set.intersection(*sets) if sets else set()
            if new != avail[step_id]:
                avail[step_id] = new
                changed = True
    return avail


def _check_variables(report: _Reporter, flow: Flow, probes: Mapping[str, ProbeDescription]) -> None:
    avail = available_variables(flow, probes)
    raw_steps = report.located.data.get("steps", {}) if isinstance(report.located.data,
                                                                  dict) else {}
    reachable = _reachable(flow)
    unknown = tuple(f"{call_id}." for step_id, step in flow.steps.items()
                    if isinstance(step, ProbeStep)
                    for call_id, call in step.calls(step_id).items() if call.probe not in probes)
    universe = provided_anywhere(flow, probes, guards=False)
    for step_id, step in flow.steps.items():
        if step_id not in reachable:
            continue
        guard = step.guard()
        if guard is not None and guard not in universe:
            report.at(("steps", step_id, "if"), f"guard {{{guard}}} names a value no input, "
                      "answer or probe of this flow provides" + did_you_mean(guard, universe))
        known = avail[step_id] | ({guard} if guard is not None else set())
        if isinstance(step, FixStep) and step.fixes_from is not None:
            fact = f"{step.fixes_from}.{CATALOG_FIX}"
            if fact not in known and _offers_fix(flow, step.fixes_from, probes):
                report.at(("steps", step_id, "fixes_from"),
                          f"fixes_from: {step.fixes_from!r} has a catalog fix only after a "
                          f"matched outcome, and not on every path to {step_id!r} (branch "
                          "here only from the outcomes of a match, not 'default' or the "
                          "no-match outcomes)")
        for path, text in step_templates(step_id, step, raw_steps.get(step_id)):
            for var, _, optional in template.lookups(text):
                if optional:
                    if var not in universe and not (unknown and var.startswith(unknown)):
                        report.at(path, f"template variable {{{var}?}} is not provided by any "
                                  "input or probe of this flow" + did_you_mean(var, universe))
                    continue
                if var not in known and not (unknown and var.startswith(unknown)):
                    hint = did_you_mean(var, known)
                    report.at(path, f"template variable {{{var}}} is not provided by any input "
                              f"or earlier probe on every path to {step_id!r}{hint}")


def _check_braces(report: _Reporter, located: Located) -> None:
    data = located.data if isinstance(located.data, dict) else {}
    for path, text in _template_strings(data.get("steps", {}), ("steps",)):
        for _ in template.stray_braces(text):
            report.at(path, "stray brace: write {{ or }} for a literal brace")
            break
