"""The one explicit table of probes: name → :class:`~wizard.probes.base.ProbeSpec`.

No import-time magic: a probe exists when its spec is listed here. The flow
loader checks every ``probe:`` name and outcome against this table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wizard.probes import dns_query, message_file, postfix_config, postfix_queue, tcp, zone_apex
from wizard.probes.base import ProbeSpec


def _table(specs: Iterable[ProbeSpec[Any]]) -> dict[str, ProbeSpec[Any]]:
    table: dict[str, ProbeSpec[Any]] = {}
    for spec in specs:
        if spec.name in table:
            raise ValueError(f"probe {spec.name} registered twice")
        table[spec.name] = spec
    return table


PROBES: Mapping[str, ProbeSpec[Any]] = _table(
    [
        tcp.SPEC,
        dns_query.SPEC,
        zone_apex.SPEC,
        postfix_config.SPEC,
        postfix_queue.SPEC,
        message_file.SPEC,
    ]
)
