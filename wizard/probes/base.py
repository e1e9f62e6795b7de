"""The contract every probe fulfils: parameters in, a :class:`ProbeResult` out.

A probe is an async function ``run(params, ctx) -> ProbeResult``. It never
prints, never imports Textual, and returns one of the outcomes its
:class:`ProbeSpec` declares. The runner (:mod:`wizard.probes.runner`) bounds
every call with a timeout and turns an overrun into the ``timeout`` outcome.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from wizard.ociapi.settings import OciSettings

FactValue = str | int | float | bool | None | list[Any] | dict[str, Any]


class ProbeParams(BaseModel):
    """Base class of every probe's parameter model (strict: unknown keys are errors)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class TimedParams(ProbeParams):
    """Parameters of a probe that takes its own ``timeout`` (else the run's)."""

    timeout: float | None = Field(default=None, gt=0, description="Seconds; default the run's")


@dataclass(frozen=True)
class ProbeResult:
    """What a probe found.

    ``outcome`` is one of the probe's declared outcomes; ``summary`` is one
    line for a person; ``evidence`` are the raw lines that back it up (a DNS
    answer, an SMTP reply); ``facts`` feed later steps and fix templates.
    """

    outcome: str
    summary: str
    evidence: tuple[str, ...] = ()
    facts: Mapping[str, FactValue] = field(default_factory=dict)
    elapsed_ms: int = 0


@dataclass(frozen=True)
class Nameserver:
    """A DNS server to send queries to: an IP address and a port."""

    address: str
    port: int = 53

    def __str__(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"


@dataclass
class ProbeContext:
    """Everything a probe may depend on besides its parameters (the httpie ``Environment`` idea).

    Tests build one with loopback nameservers; the CLI builds one from its
    options. ``nameservers`` empty means the system's resolver.
    """

    timeout: float = 10.0
    nameservers: tuple[Nameserver, ...] = ()
    ca_file: str | None = None
    authoritative_port: int = 53
    authoritative: bool = False
    """Ask the authoritative servers of each name directly (at ``authoritative_port``)."""
    clock: Callable[[], float] = time.monotonic
    """Seconds, monotonic: every probe's :class:`Deadline` (tests may give a fake one)."""
    oci: OciSettings | None = None
    """How to reach the OCI API (None or not ``enabled``: the ``oci.*`` probes do not try)."""

    def seconds(self, params: object) -> float:
        """How long a probe with ``params`` may take: its own ``timeout``, else the run's."""
        own = getattr(params, "timeout", None)
        return float(own) if own else self.timeout

    def deadline(self, params: object) -> Deadline:
        """The one deadline every operation of a probe with ``params`` must finish by."""
        return Deadline(self.seconds(params), self.clock)


P = TypeVar("P", bound=ProbeParams)


@dataclass(frozen=True)
class FactSpec:
    """A fact a probe may publish; ``outcomes`` limits when it is guaranteed (None: always)."""

    description: str
    outcomes: frozenset[str] | None = None


@dataclass(frozen=True)
class ProbeSpec(Generic[P]):
    """One entry of the probe registry."""

    name: str
    description: str
    params: type[P]
    outcomes: Mapping[str, str]
    run: Callable[[P, ProbeContext], Awaitable[ProbeResult]]
    facts: Mapping[str, FactSpec] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if "timeout" not in self.outcomes:
            raise ValueError(f"probe {self.name} must declare a 'timeout' outcome")
        for fact_name, fact in self.facts.items():
            if fact.outcomes is not None and not fact.outcomes <= set(self.outcomes):
                raise ValueError(f"probe {self.name}: fact {fact_name} names unknown outcomes")

    def facts_for(self, outcome: str | None) -> frozenset[str]:
        """Facts guaranteed after ``outcome`` (``None``: whatever the outcome)."""
        return frozenset(
            name
            for name, fact in self.facts.items()
            if fact.outcomes is None or (outcome is not None and outcome in fact.outcomes)
        )

    def param_fields(self) -> Mapping[str, bool]:
        """Parameter name (as flows write it) → required."""
        return {f.alias or n: f.is_required() for n, f in self.params.model_fields.items()}


class ProbeDescription(Protocol):
    """What checking a flow needs of a probe: a :class:`ProbeSpec`, or its manifest entry
    (:class:`wizard.probes.manifest.ProbeInfo`, which loads no probe implementation)."""

    @property
    def name(self) -> str:
        """The registry name."""
        ...

    @property
    def outcomes(self) -> Mapping[str, str]:
        """Outcome → description."""
        ...

    def param_fields(self) -> Mapping[str, bool]:
        """Parameter name → required."""
        ...

    def facts_for(self, outcome: str | None) -> frozenset[str]:
        """Facts guaranteed after ``outcome``."""
        ...


def always(description: str) -> FactSpec:
    """A fact published whatever the outcome."""
    return FactSpec(description)


def on(description: str, *outcomes: str) -> FactSpec:
    """A fact published only with the given outcomes."""
    return FactSpec(description, frozenset(outcomes))


class Deadline:
    """A point in time every operation of one probe must finish by."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self._clock = clock
        self.end = clock() + seconds

    def remaining(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.end - self._clock())

