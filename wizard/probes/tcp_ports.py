"""``tcp.ports``: which of several ports of one host accept a TCP connection?

The ports are tried concurrently, each against the host's addresses in turn,
all within one deadline. The outcome sums them up — every port open, some,
or none — and, when none is open, says *how* they failed, because a reset
(something answered) and silence (something dropped the packets) call for
different explanations. The host may be given directly, or as a domain whose
best mail exchanger (MX) is used: the way to find "an external MTA" to
compare with.
"""

from __future__ import annotations

import asyncio
from typing import Any

import dns.exception
from pydantic import Field, field_validator, model_validator

from wizard.probes.base import (
    FactValue,
    ProbeContext,
    ProbeResult,
    ProbeSpec,
    TimedParams,
    always,
    on,
)
from wizard.probes.support.hosts import NameNotFound, resolve_host
from wizard.probes.support.tcp_attempt import try_port

PORT_WORDS = {
    "open": "open",
    "refused": "refused (reset)",
    "dropped": "no answer (dropped)",
    "unreachable": "no route",
}
"""How each port's fate reads in the ``report`` fact."""

CONNECTED = ("all_open", "some_open", "all_refused", "all_dropped", "none_open", "unreachable")
"""Outcomes after which every port was tried."""


class TcpPortsParams(TimedParams):
    """The host (or the domain whose MX to use) and the ports to try."""

    host: str = Field("", description="Host name or IP address (empty: use mx_domain)")
    mx_domain: str = Field("", description="When host is empty: connect to this domain's best "
                           "MX host (or its own address when it has no MX)")
    ports: list[int] = Field(min_length=1, description="Ports to try: a list or a "
                             "comma-separated string such as 587,25")

    @field_validator("ports", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("ports")
    @classmethod
    def _in_range(cls, value: list[int]) -> list[int]:
        for port in value:
            if not 1 <= port <= 65535:
                raise ValueError(f"port {port} is out of range (1-65535)")
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _has_a_target(self) -> TcpPortsParams:
        if not self.host.strip() and not self.mx_domain.strip():
            raise ValueError("give host or mx_domain")
        return self


def _strings(value: FactValue) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def _entries(value: FactValue) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


async def _target(params: TcpPortsParams, ctx: ProbeContext,
                  facts: dict[str, FactValue]) -> tuple[str, list[str]] | ProbeResult:
    """The host to connect to and its addresses, or the result that ends the probe early."""
    if params.host.strip():
        host = params.host.strip()
        facts["target_host"] = host
        try:
            return host, await asyncio.wait_for(resolve_host(host, ctx),
                                                ctx.seconds(params))
        except NameNotFound as exc:
            return ProbeResult("name_not_found", f"{host} does not resolve", (str(exc),), facts)
        except (TimeoutError, dns.exception.Timeout):
            return ProbeResult("timeout", f"looking up {host} got no answer in time",
                               (f"no DNS answer for {host}",), facts)
    from wizard.probes.mx_lookup import MxLookupParams, run_mx_lookup

    domain = params.mx_domain.strip()
    found = await run_mx_lookup(MxLookupParams(domain=domain, timeout=params.timeout), ctx)
    facts["mx_hosts"] = _strings(found.facts.get("hosts"))
    if found.outcome == "mx_found":
        for entry in _entries(found.facts.get("mx")):
            addresses = _strings(entry.get("addresses"))
            if addresses:
                facts["target_host"] = str(entry["host"])
                return str(entry["host"]), addresses
    if found.outcome == "no_mx_implicit_a":
        facts["target_host"] = domain
        return domain, _strings(found.facts.get("implicit_addresses"))
    if found.outcome == "timeout":
        return ProbeResult("timeout", f"looking up the MX of {domain} got no answer in time",
                           found.evidence, facts)
    facts["reason"] = found.summary
    return ProbeResult("no_mx", f"no mail server to try for {domain}: {found.summary}",
                       found.evidence, facts)


def _summary(outcome: str, target: str, ports: dict[str, list[int]]) -> str:
    def listed(fate: str) -> str:
        return ", ".join(str(p) for p in ports[fate])

    blocked = ", ".join(f"{listed(f)} {PORT_WORDS[f]}" for f in ("refused", "dropped",
                                                                 "unreachable") if ports[f])
    return {
        "all_open": f"{target} accepts connections on {listed('open')}",
        "some_open": f"{target} accepts connections on {listed('open')}; {blocked}",
        "all_refused": f"{target} refused {listed('refused')}: something answered with a reset",
        "all_dropped": f"{target} did not answer on {listed('dropped')}: the packets are dropped",
        "none_open": f"{target} accepts no connection: {blocked}",
        "unreachable": f"{target} is unreachable from here: no route",
    }[outcome]


def _aggregate(fates: list[str]) -> str:
    if all(f == "open" for f in fates):
        return "all_open"
    if "open" in fates:
        return "some_open"
    for fate, outcome in (("refused", "all_refused"), ("dropped", "all_dropped"),
                          ("unreachable", "unreachable")):
        if all(f == fate for f in fates):
            return outcome
    return "none_open"


async def run_tcp_ports(params: TcpPortsParams, ctx: ProbeContext) -> ProbeResult:
    """Find the host (directly or by MX), then connect to every port concurrently."""
    deadline = ctx.deadline(params)
    facts: dict[str, FactValue] = {"host": params.host, "mx_domain": params.mx_domain,
                                   "ports": list(params.ports),
                                   "ports_text": ", ".join(str(p) for p in params.ports),
                                   "target_host": "", "mx_hosts": []}
    found = await _target(params, ctx, facts)
    if isinstance(found, ProbeResult):
        return found
    target, addresses = found
    tried = await asyncio.gather(*(try_port(addresses, port, deadline)
                                   for port in params.ports))
    results = [result for result, _ in tried]
    evidence = [line for _, lines in tried for line in lines]
    by_fate: dict[str, list[int]] = {fate: [] for fate in PORT_WORDS}
    for result in results:
        by_fate[str(result["outcome"])].append(int(str(result["port"])))
    outcome = _aggregate([str(r["outcome"]) for r in results])
    open_ports = by_fate["open"]
    facts.update(
        address=addresses[0], addresses=addresses, results=list(results),
        open_ports=open_ports, refused_ports=by_fate["refused"],
        dropped_ports=by_fate["dropped"], unreachable_ports=by_fate["unreachable"],
        blocked_ports_text=", ".join(str(p) for p in params.ports if p not in open_ports),
        first_open_port=open_ports[0] if open_ports else None,
        report="; ".join(f"{r['port']} {PORT_WORDS[str(r['outcome'])]}" for r in results),
    )
    label = target if target == addresses[0] else f"{target} ({addresses[0]})"
    return ProbeResult(outcome, _summary(outcome, label, by_fate),
                       tuple(evidence), facts)


SPEC = ProbeSpec(
    name="tcp.ports",
    description="Try several TCP ports of a host (or of a domain's MX) at once",
    params=TcpPortsParams,
    outcomes={
        "all_open": "every port accepted a connection",
        "some_open": "some ports accepted a connection, the others did not",
        "all_refused": "no port accepted; every one was refused with a reset (something "
                       "answered: the host, or a firewall that rejects)",
        "all_dropped": "no port answered at all: the packets are silently dropped",
        "none_open": "no port accepted; some were refused, others dropped or without a route",
        "unreachable": "no route to the host from here",
        "name_not_found": "the host name does not resolve",
        "no_mx": "the domain has no mail server with an address (no MX, null MX, no such domain, "
                 "or its DNS fails)",
        "timeout": "the name or MX lookup got no answer in time",
    },
    run=run_tcp_ports,
    facts={
        "host": always("the host as given (empty when mx_domain is used)"),
        "mx_domain": always("the domain whose MX is used, as given"),
        "ports": always("the ports tried, in order"),
        "ports_text": always("the ports tried, comma-separated"),
        "target_host": always("the host connected to: host, or the chosen MX host (empty when "
                              "none was found)"),
        "mx_hosts": always("the MX hosts of mx_domain by preference (empty when not used)"),
        "reason": on("why no mail server was found", "no_mx"),
        "address": on("the first address of the host", *CONNECTED),
        "addresses": on("every address of the host", *CONNECTED),
        "results": on("per port: port, outcome (open, refused, dropped, unreachable), address, "
                      "connect_ms", *CONNECTED),
        "open_ports": on("ports that accepted a connection", *CONNECTED),
        "refused_ports": on("ports refused with a reset", *CONNECTED),
        "dropped_ports": on("ports that did not answer", *CONNECTED),
        "unreachable_ports": on("ports without a route", *CONNECTED),
        "blocked_ports_text": on("the ports that did not accept, comma-separated", *CONNECTED),
        "first_open_port": on("the first port of the list that accepted", "all_open",
                              "some_open"),
        "report": on("one line: each port and what happened", *CONNECTED),
    },
)
