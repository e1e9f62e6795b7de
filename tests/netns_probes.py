"""``python -m tests.netns_probes JSON``: run probes and print their outcomes and facts.

The tests start it inside a network namespace they made (``ip netns exec``), where
the loopback world has a route that leads nowhere; the probe outcomes it produces are
recorded for the outcome-coverage check like those of the suite's own process.
"""

from __future__ import annotations

import asyncio
import json
import sys

from tests.outcome_recorder import install

install()

from wizard.probes.base import ProbeContext  # noqa: E402  (after the recorder)
from wizard.probes.runner import RegistryRunner  # noqa: E402


async def _run(calls: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    runner = RegistryRunner(ProbeContext(timeout=2.0))
    found = {}
    for probe, params in calls.items():
        result = await runner.run(probe, params)
        found[probe] = {"outcome": result.outcome, "facts": dict(result.facts)}
    return found


print(json.dumps(asyncio.run(_run(json.loads(sys.argv[1]))), default=str))
