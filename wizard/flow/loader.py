"""Find, load and check flow files: the bundled ones and the user's own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wizard.data.bounded_read import MAX_DATA_FILE_BYTES, FileRefused, read_regular_file
from wizard.data.diagnostics import DataFileError, Diagnostic, did_you_mean
from wizard.errors import shorten
from wizard.flow.model import Flow
from wizard.flow.sources import FLOW_SUFFIXES, FlowSource, declared_ids, flow_sources

if TYPE_CHECKING:
    from wizard.probes.base import ProbeDescription

MAX_STEPS = 300
"""The most steps a flow may have (the largest shipped flow has under 80); keeps checks fast."""


def _probes(probes: Mapping[str, ProbeDescription] | None) -> Mapping[str, ProbeDescription]:
    if probes is not None:
        return probes
    from wizard.probes.manifest import probe_infos

    return probe_infos()


def load_flow(path: Path, probes: Mapping[str, ProbeDescription] | None = None,
              display: str | None = None) -> Flow:
    """Load one flow file and check it; any defect raises :class:`DataFileError`."""
    name = display or str(path)
    content = None
    if probes is None:
        from wizard.flow.cache import key_content

        content = key_content(path)
    if content is not None:
        from wizard.flow.cache import cached_flow

        cached = cached_flow(content)
        if cached is not None:
            from wizard.flow.subflows import attach_subflows, has_subflows, subflow_paths

            if has_subflows(cached):
                attach_subflows(cached, subflow_paths(path), lambda p: load_flow(p, probes))
            return cached
    from wizard.data.strict_load import load_model, read_located
    from wizard.flow.check import check_flow
    from wizard.flow.fixlib import resolve_flow_fixes
    from wizard.flow.subflows import attach_subflows, check_subflows, flow_index, has_subflows

    located = read_located(path, name)
    steps = located.data.get("steps") if isinstance(located.data, dict) else None
    if isinstance(steps, dict) and len(steps) > MAX_STEPS:
        pos = located.pos(("steps",), key=True)
        raise DataFileError([Diagnostic(name, pos.line, pos.col,
                                        f"too many steps ({len(steps)}; at most {MAX_STEPS})")])
    flow = load_model(Flow, located, name)
    defects = check_flow(flow, located, name, _probes(probes))
    flow, fix_defects = resolve_flow_fixes(flow, located, name, path)
    defects = sorted(set(defects) | set(fix_defects))
    index = flow_index(path) if has_subflows(flow) else {}
    if index or has_subflows(flow):
        defects = sorted(set(defects) | set(check_subflows(flow, located, name, index)))
    if defects:
        raise DataFileError(defects)
    if content is not None:
        from wizard.flow.cache import store_flow

        store_flow(content, flow)
    if index:
        attach_subflows(flow, {fid: p for fid, (p, _) in index.items()},
                        lambda p: load_flow(p, probes))
    return flow


@dataclass(frozen=True)
class Catalogue:
    """Every flow that loaded, by id, and the defects of those that did not."""

    flows: dict[str, tuple[Flow, FlowSource]]
    broken: list[Diagnostic]


def discover(probes: Mapping[str, ProbeDescription] | None = None) -> Catalogue:
    """Load every installed flow; later sources shadow earlier ones with the same id."""
    flows: dict[str, tuple[Flow, FlowSource]] = {}
    broken: list[Diagnostic] = []
    for source in flow_sources():
        loaded = load_source(source, probes)
        if isinstance(loaded, list):
            broken.extend(loaded)
        else:
            flows[loaded.id] = (loaded, source)
    return Catalogue(flows, broken)


def load_source(source: FlowSource, probes: Mapping[str, ProbeDescription] | None = None
                ) -> Flow | list[Diagnostic]:
    """One installed flow, or its defects (a loader defect too: it must not hide the other
    flows)."""
    try:
        return load_flow(source.path, probes)
    except DataFileError as exc:
        return list(exc.diagnostics)
    except Exception as exc:
        return [Diagnostic(str(source.path), 1, 1,
                           f"cannot load: {type(exc).__name__}: {shorten(str(exc))}")]


class UnknownFlow(LookupError):
    """No installed flow has that id (and it is not a path to a flow file)."""


def _declares(source: FlowSource, name: str) -> bool:
    """Whether the file is named after ``name`` or has a top-level ``id: NAME`` line.

    A text scan, not a parse: finding a flow by id reads the other files'
    bytes (bounded) but builds nothing from them.
    """
    if source.path.stem == name:
        return True
    try:
        text = read_regular_file(source.path, MAX_DATA_FILE_BYTES)
    except FileRefused:
        return False
    return name in declared_ids(text)


def find_flow(name: str, probes: Mapping[str, ProbeDescription] | None = None) -> Flow:
    """A flow by id, or by path to a YAML file (a name ending in ``.yaml`` or ``.yml``).

    Only the file that provides the id is loaded: the user's files that are
    named after it or say ``id: NAME`` (the last one wins, as in
    :func:`discover`), else the bundled file named after it. The other flow
    files are neither loaded nor parsed, so a broken one cannot stop the run;
    a broken file that provides the id is reported. All flows are loaded
    only when no file provides the id, to say which ones exist.
    """
    candidate = Path(name)
    if candidate.suffix in FLOW_SUFFIXES:  # a flow id never has one: this is a path
        return load_flow(candidate, probes)
    sources = flow_sources()
    user = [s for s in reversed(sources) if s.origin == "user" and _declares(s, name)]
    bundled = [s for s in sources if s.origin == "bundled" and s.path.stem == name]
    for source in (*user, *bundled):
        flow = load_flow(source.path, probes)
        if flow.id == name:
            return flow
    catalogue = discover(probes)
    if name in catalogue.flows:
        return catalogue.flows[name][0]
    known = sorted(catalogue.flows)
    raise UnknownFlow(f"unknown flow {name!r}{did_you_mean(name, known)}; "
                      f"installed flows: {', '.join(known) or 'none'}")
