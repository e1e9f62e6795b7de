"""Run registered probes: validate parameters, bound by a timeout, never hang, never raise."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any, Protocol

from pydantic import ValidationError

from wizard.probes.base import ProbeContext, ProbeResult, ProbeSpec

GRACE_SECONDS = 1.0
"""How long past the context's timeout a probe may run before it is cancelled."""


class ProbeFailed(Exception):
    """The probe could not run at all (bad parameters or a bug): the run cannot finish."""


class ProbeRunner(Protocol):
    """Anything the engine can ask to run a probe (the real runner, or a fake in unit tests)."""

    async def run(self, name: str, params: Mapping[str, Any]) -> ProbeResult:
        """Run probe ``name`` with raw ``params``; raise :class:`ProbeFailed` if it cannot."""
        ...


class RegistryRunner:
    """Runs probes from a registry table with a shared :class:`ProbeContext`."""

    def __init__(self, ctx: ProbeContext, probes: Mapping[str, ProbeSpec[Any]] | None = None):
        if probes is None:
            from wizard.probes.manifest import LazyProbes

            probes = LazyProbes()
        self.ctx = ctx
        self.probes = probes

    async def run(self, name: str, params: Mapping[str, Any]) -> ProbeResult:
        """Validate ``params`` against the probe's model and run it within the timeout."""
        spec = self.probes.get(name)
        if spec is None:
            raise ProbeFailed(f"no probe named {name!r}")
        try:
            typed = spec.params.model_validate(dict(params))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'params'}: {err['msg']}"
                for err in exc.errors()
            )
            raise ProbeFailed(f"{name}: bad parameters: {problems}") from exc
        limit = self.ctx.seconds(typed) + GRACE_SECONDS
        started = time.monotonic()
        try:
            async with asyncio.timeout(limit):
                result = await spec.run(typed, self.ctx)
        except TimeoutError:
            result = ProbeResult(
                "timeout",
                f"{name} gave no result within {limit - GRACE_SECONDS:g}s",
                (f"cancelled after {limit:g}s",),
                dict.fromkeys(spec.facts_for("timeout")),
            )
        except ProbeFailed:
            raise
        except Exception as exc:  # a probe bug must not crash the front-end
            raise ProbeFailed(f"{name} failed: {type(exc).__name__}: {exc}") from exc
        if result.outcome not in spec.outcomes:
            raise ProbeFailed(f"{name} returned undeclared outcome {result.outcome!r}")
        elapsed = round((time.monotonic() - started) * 1000)
        return ProbeResult(result.outcome, result.summary, tuple(result.evidence),
                           dict(result.facts), elapsed)
