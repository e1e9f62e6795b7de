"""What the probe registry says about each probe, without importing any probe.

``manifest.json`` beside this module is generated from
:data:`wizard.probes.registry.PROBES` (``python -m wizard.probes.manifest``) and
a test keeps the two in sync. Checking a flow needs only names, parameters,
outcomes and facts, so ``list`` and ``validate`` read this file and never load
dnspython, ssl or the catalog; :class:`LazyProbes` imports a probe's module
the first time a step runs it.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wizard.probes.base import ProbeSpec

MANIFEST_PATH = Path(__file__).with_name("manifest.json")


@dataclass(frozen=True)
class ProbeInfo:
    """A probe as the flow checker sees it (the same attributes as ``ProbeSpec``'s)."""

    name: str
    description: str
    outcomes: Mapping[str, str]
    parameters: Mapping[str, bool]
    """Parameter name (as flows write it) → required."""
    facts: Mapping[str, frozenset[str] | None]
    """Fact name → the outcomes that guarantee it (None: every outcome)."""
    implementation: str
    """``module:attribute`` of the probe's ``ProbeSpec``."""

    def param_fields(self) -> Mapping[str, bool]:
        """Parameter name → required."""
        return self.parameters

    def facts_for(self, outcome: str | None) -> frozenset[str]:
        """Facts guaranteed after ``outcome`` (``None``: whatever the outcome)."""
        return frozenset(name for name, outcomes in self.facts.items()
                         if outcomes is None or (outcome is not None and outcome in outcomes))


def describe(spec: ProbeSpec[Any], implementation: str) -> dict[str, Any]:
    """The manifest entry of one registered probe."""
    return {
        "name": spec.name,
        "description": spec.description,
        "outcomes": dict(spec.outcomes),
        "parameters": dict(spec.param_fields()),
        "facts": {name: (sorted(fact.outcomes) if fact.outcomes is not None else None)
                  for name, fact in spec.facts.items()},
        "implementation": implementation,
    }


def build_manifest() -> dict[str, Any]:
    """The manifest generated from the registry (imports every probe)."""
    import sys

    from wizard.probes.registry import PROBES

    probes = []
    for spec in PROBES.values():
        module = sys.modules[spec.run.__module__]
        attr = next(n for n, v in vars(module).items() if v is spec)
        probes.append(describe(spec, f"{module.__name__}:{attr}"))
    return {"probes": probes}


def manifest_text() -> str:
    """The manifest as it is written to :data:`MANIFEST_PATH`."""
    return json.dumps(build_manifest(), indent=1, sort_keys=True) + "\n"


@cache
def probe_infos() -> Mapping[str, ProbeInfo]:
    """Every registered probe's description, read from the manifest (once per process)."""
    data = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    return {
        entry["name"]: ProbeInfo(
            name=entry["name"], description=entry["description"],
            outcomes=entry["outcomes"], parameters=entry["parameters"],
            facts={k: (frozenset(v) if v is not None else None)
                   for k, v in entry["facts"].items()},
            implementation=entry["implementation"])
        for entry in data["probes"]
    }


class LazyProbes(Mapping[str, "ProbeSpec[Any]"]):
    """The registry table, importing a probe's module only when that probe is looked up."""

    def __init__(self) -> None:
        self._loaded: dict[str, ProbeSpec[Any]] = {}

    def __getitem__(self, name: str) -> ProbeSpec[Any]:
        spec = self._loaded.get(name)
        if spec is None:
            module, _, attr = probe_infos()[name].implementation.partition(":")
            spec = getattr(importlib.import_module(module), attr)
            self._loaded[name] = spec
        return spec

    def __iter__(self) -> Iterator[str]:
        return iter(probe_infos())

    def __len__(self) -> int:
        return len(probe_infos())


if __name__ == "__main__":
    MANIFEST_PATH.write_text(manifest_text(), encoding="utf-8")
