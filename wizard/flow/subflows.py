"""Sub-flows: a ``kind: flow`` step runs another installed flow inside this one.

Checked when a flow loads: the sub-flow exists, gets every input it
requires and only inputs it has, and no chain of sub-flows leads back to
the flow itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from wizard.data.diagnostics import DataFileError, Diagnostic, did_you_mean
from wizard.flow.model import Flow, FlowStep
from wizard.flow.sources import declared_ids, subflow_candidates

if TYPE_CHECKING:
    from wizard.data.yamlpos import Located

Index = dict[str, tuple[Path, Flow]]


def has_subflows(flow: Flow) -> bool:
    """True when a step of ``flow`` runs another flow."""
    return any(isinstance(step, FlowStep) for step in flow.steps.values())


def flow_index(near: Path | None) -> Index:
    """Installed flows (schema-checked only) by id; flows beside ``near`` shadow them."""
    from wizard.data.strict_load import load_model, read_located

    index: Index = {}
    for path in subflow_candidates(near):
        if near is not None and path.resolve() == near.resolve():
            continue
        try:
            flow = load_model(Flow, read_located(path), str(path))
        except DataFileError:
            continue
        index[flow.id] = (path, flow)
    return index


def check_subflows(flow: Flow, located: Located, name: str,
                   index: Index) -> list[Diagnostic]:
    """Unknown sub-flows, missing or unknown sub-flow inputs, and sub-flow cycles."""
    found: list[Diagnostic] = []

    def at(path: tuple[str | int, ...], message: str, key: bool = False) -> None:
        pos = located.pos(path, key=key)
        found.append(Diagnostic(name, pos.line, pos.col, message))

    graph: dict[str, Flow] = {fid: f for fid, (_, f) in index.items()}
    graph[flow.id] = flow
    for step_id, step in flow.steps.items():
        if not isinstance(step, FlowStep):
            continue
        base = ("steps", step_id)
        sub = graph.get(step.flow)
        if sub is None:
            at((*base, "flow"), f"no installed flow {step.flow!r}"
               + did_you_mean(step.flow, graph))
            continue
        for key in step.with_:
            if key not in sub.inputs:
                at((*base, "with", key), f"flow {sub.id!r} has no input {key!r}"
                   + did_you_mean(key, sub.inputs), key=True)
        for key, spec in sub.inputs.items():
            if spec.required and spec.default is None and key not in step.with_:
                at((*base, "with") if step.with_ else base,
                   f"sub-flow {sub.id!r} needs input {key!r}: give it under 'with:'")
        cycle = _cycle_through(flow.id, step.flow, graph)
        if cycle:
            at((*base, "flow"), "sub-flow cycle: " + " -> ".join(cycle))
    return found


def _cycle_through(origin: str, first: str, graph: dict[str, Flow]) -> list[str] | None:
    """The chain origin -> first -> ... -> origin, if there is one (iterative search)."""
    stack: list[list[str]] = [[origin, first]]
    seen: set[str] = set()
    while stack:
        chain = stack.pop()
        current = chain[-1]
        if current == origin:
            return chain
        if current in seen or current not in graph:
            continue
        seen.add(current)
        for step in graph[current].steps.values():
            if isinstance(step, FlowStep):
                stack.append([*chain, step.flow])
    return None


def subflow_paths(near: Path | None) -> dict[str, Path]:
    """The flow files by the ids their ``id:`` lines declare (a text scan, no parse), in
    the order :func:`flow_index` shadows them: enough to attach the sub-flows of a flow
    read from the cache, which was checked against these very files."""
    from wizard.data.bounded_read import MAX_DATA_FILE_BYTES, FileRefused, read_regular_file

    paths: dict[str, Path] = {}
    for path in subflow_candidates(near):
        if near is not None and path.resolve() == near.resolve():
            continue
        try:
            data = read_regular_file(path, MAX_DATA_FILE_BYTES)
        except FileRefused:
            continue
        for flow_id in declared_ids(data):
            paths[flow_id] = path
    return paths


def attach_subflows(flow: Flow, paths: Mapping[str, Path],
                    load: Callable[[Path], Flow]) -> None:
    """Load the flows ``flow`` runs (and theirs, through ``load``) and attach them."""
    wanted = {step.flow for step in flow.steps.values() if isinstance(step, FlowStep)}
    flow.attach_subflows({fid: load(paths[fid]) for fid in wanted if fid in paths})
