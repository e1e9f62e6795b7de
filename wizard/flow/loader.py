"""Find, load and check flow files: the bundled ones and the user's own."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard.bounded_read import FileRefused, read_regular_file
from wizard.errors import shorten
from wizard.flow.check import check_flow
from wizard.flow.diagnostics import DataFileError, Diagnostic, did_you_mean
from wizard.flow.model import Flow
from wizard.flow.strict_load import MAX_FILE_BYTES, load_model, read_located
from wizard.paths import bundled_data_dir, user_flows_dir
from wizard.probes.base import ProbeSpec

FLOW_SUFFIXES = (".yaml", ".yml")
MAX_STEPS = 300
"""The most steps a flow may have (the largest shipped flow has under 80); keeps checks fast."""


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
    steps = located.data.get("steps") if isinstance(located.data, dict) else None
    if isinstance(steps, dict) and len(steps) > MAX_STEPS:
        pos = located.pos(("steps",), key=True)
        raise DataFileError([Diagnostic(name, pos.line, pos.col,
                                        f"too many steps ({len(steps)}; at most {MAX_STEPS})")])
    flow = load_model(Flow, located, name)
    defects = check_flow(flow, located, name, _probes(probes))
    if defects:
        raise DataFileError(defects)
    return flow


def flow_sources(extra_dirs: tuple[Path, ...] = ()) -> list[FlowSource]:
    """Flow files, bundled first, then the user's folder (a user flow may shadow a bundled id).

    Anything with a flow suffix that is not a folder is listed, so a pipe or a
    device in the folder is reported as broken rather than silently left out.
    """
    found: list[FlowSource] = []
    for folder, origin in ((bundled_data_dir(), "bundled"), (user_flows_dir(), "user"),
                           *((d, "user") for d in extra_dirs)):
        if folder.is_dir():
            found.extend(FlowSource(p, origin) for p in sorted(folder.iterdir())
                         if p.suffix in FLOW_SUFFIXES and not p.is_dir())
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
        except Exception as exc:  # a loader defect must not hide the other flows
            broken.append(Diagnostic(str(source.path), 1, 1,
                                     f"cannot load: {type(exc).__name__}: {shorten(str(exc))}"))
            continue
        flows[flow.id] = (flow, source)
    return Catalogue(flows, broken)


class UnknownFlow(LookupError):
    """No installed flow has that id (and it is not a path to a flow file)."""


_ID_LINE = re.compile(rb"""^id:[ \t]*["']?([A-Za-z0-9_.-]+)["']?[ \t]*(?:#.*)?$""", re.M)


def _declares(source: FlowSource, name: str) -> bool:
    """Whether the file is named after ``name`` or has a top-level ``id: NAME`` line.

    A text scan, not a parse: finding a flow by id reads the other files'
    bytes (bounded) but builds nothing from them.
    """
    if source.path.stem == name:
        return True
    try:
        text = read_regular_file(source.path, MAX_FILE_BYTES)
    except FileRefused:
        return False
    return any(m.group(1).decode() == name for m in _ID_LINE.finditer(text))


def find_flow(name: str, probes: Mapping[str, ProbeSpec[Any]] | None = None) -> Flow:
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
