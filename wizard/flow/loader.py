"""Find, load and check flow files: the bundled ones and the user's own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard.flow.check import check_flow
from wizard.flow.diagnostics import DataFileError, Diagnostic, did_you_mean
from wizard.flow.fixlib import resolve_flow_fixes
from wizard.flow.model import Flow
from wizard.flow.strict_load import load_model, read_located
from wizard.flow.subflows import attach_subflows, check_subflows, flow_index, has_subflows
from wizard.paths import bundled_data_dir, user_flows_dir
from wizard.probes.base import ProbeSpec

FLOW_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class FlowSource:
    """A flow file found on disk and where it came from (``bundled`` or ``user``)."""

    path: Path
    origin: str


def _probes(probes: Mapping[str, ProbeSpec[Any]] | None) -> Mapping[str, ProbeSpec[Any]]:
    if probes is not None:
        return probes
    from wizard.probes.registry import PROBES

    return PROBES


def load_flow(path: Path, probes: Mapping[str, ProbeSpec[Any]] | None = None,
              display: str | None = None) -> Flow:
    """Load one flow file and check it; any defect raises :class:`DataFileError`."""
    name = display or str(path)
    located = read_located(path, name)
    flow = load_model(Flow, located, name)
    defects = check_flow(flow, located, name, _probes(probes))
    flow, fix_defects = resolve_flow_fixes(flow, located, name, path)
    defects = sorted(set(defects) | set(fix_defects))
    index = flow_index(path) if has_subflows(flow) else {}
    if index or has_subflows(flow):
        defects = sorted(set(defects) | set(check_subflows(flow, located, name, index)))
    if defects:
        raise DataFileError(defects)
    if index:
        attach_subflows(flow, index, lambda p: load_flow(p, probes))
    return flow


def flow_sources(extra_dirs: tuple[Path, ...] = ()) -> list[FlowSource]:
    """Flow files, bundled first, then the user's folder (a user flow may shadow a bundled id)."""
    found: list[FlowSource] = []
    for folder, origin in ((bundled_data_dir(), "bundled"), (user_flows_dir(), "user"),
                           *((d, "user") for d in extra_dirs)):
        if folder.is_dir():
            found.extend(FlowSource(p, origin) for p in sorted(folder.iterdir())
                         if p.suffix in FLOW_SUFFIXES and p.is_file())
    return found


@dataclass(frozen=True)
class Catalogue:
    """Every flow that loaded, by id, and the defects of those that did not."""

    flows: dict[str, tuple[Flow, FlowSource]]
    broken: list[Diagnostic]


def discover(probes: Mapping[str, ProbeSpec[Any]] | None = None) -> Catalogue:
    """Load every installed flow; later sources shadow earlier ones with the same id."""
    flows: dict[str, tuple[Flow, FlowSource]] = {}
    broken: list[Diagnostic] = []
    for source in flow_sources():
        try:
            flow = load_flow(source.path, probes)
        except DataFileError as exc:
            broken.extend(exc.diagnostics)
            continue
        flows[flow.id] = (flow, source)
    return Catalogue(flows, broken)


class UnknownFlow(LookupError):
    """No installed flow has that id (and it is not a path to a flow file)."""


def find_flow(name: str, probes: Mapping[str, ProbeSpec[Any]] | None = None) -> Flow:
    """A flow by id, or by path to a YAML file."""
    candidate = Path(name)
    if candidate.suffix in FLOW_SUFFIXES and candidate.exists():
        return load_flow(candidate, probes)
    catalogue = discover(probes)
    if name in catalogue.flows:
        return catalogue.flows[name][0]
    known = sorted(catalogue.flows)
    raise UnknownFlow(f"unknown flow {name!r}{did_you_mean(name, known)}; "
                      f"installed flows: {', '.join(known) or 'none'}")
