"""Find, load and check flow files: the bundled ones and the user's own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wizard.flow.diagnostics import DataFileError, Diagnostic, did_you_mean
from wizard.flow.model import Flow
from wizard.paths import bundled_data_dir, user_flows_dir

if TYPE_CHECKING:
    from wizard.probes.base import ProbeDescription

FLOW_SUFFIXES = (".yaml", ".yml")
_CACHEABLE_BYTES = 2_000_000
"""Larger flow files are not cached (the strict loader refuses them with a diagnostic)."""


@dataclass(frozen=True)
class FlowSource:
    """A flow file found on disk and where it came from (``bundled`` or ``user``)."""

    path: Path
    origin: str


def _probes(probes: Mapping[str, ProbeDescription] | None) -> Mapping[str, ProbeDescription]:
    if probes is not None:
        return probes
    from wizard.probes.manifest import probe_infos

    return probe_infos()


def load_flow(path: Path, probes: Mapping[str, ProbeDescription] | None = None,
              display: str | None = None) -> Flow:
    """Load one flow file and check it; any defect raises :class:`DataFileError`."""
    name = display or str(path)
    content = _content(path) if probes is None else None
    if content is not None:
        from wizard.flow.cache import cached_flow

        cached = cached_flow(content)
        if cached is not None:
            return cached
    from wizard.flow.check import check_flow
    from wizard.flow.strict_load import load_model, read_located

    located = read_located(path, name)
    flow = load_model(Flow, located, name)
    defects = check_flow(flow, located, name, _probes(probes))
    if defects:
        raise DataFileError(defects)
    if content is not None:
        from wizard.flow.cache import store_flow

        store_flow(content, flow)
    return flow


def _content(path: Path) -> bytes | None:
    """The file's bytes when it is small enough to cache (else the loader reports it)."""
    try:
        with path.open("rb") as file:
            content = file.read(_CACHEABLE_BYTES + 1)
    except OSError:
        return None
    return content if len(content) <= _CACHEABLE_BYTES else None


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


def discover(probes: Mapping[str, ProbeDescription] | None = None) -> Catalogue:
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


def find_flow(name: str, probes: Mapping[str, ProbeDescription] | None = None) -> Flow:
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
