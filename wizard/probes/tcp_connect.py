"""``tcp.connect``: can a TCP connection to host:port be opened?"""

from __future__ import annotations

import asyncio

import dns.exception
from pydantic import Field

from wizard.probes.base import (
    Deadline,
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


class TcpConnectParams(TimedParams):
    """Where to connect."""

    host: str = Field(min_length=1, description="Host name or IP address")
    port: int = Field(ge=1, le=65535, description="TCP port")


async def run_tcp_connect(params: TcpConnectParams, ctx: ProbeContext) -> ProbeResult:
    """Resolve ``host`` through the context's resolver, then connect to each address in turn."""
    timeout = ctx.seconds(params)
    target = f"{params.host}:{params.port}"
    facts: dict[str, FactValue] = {"host": params.host, "port": params.port}
    try:
        addresses = await asyncio.wait_for(resolve_host(params.host, ctx), timeout)
    except NameNotFound as exc:
        return ProbeResult("name_not_found", f"{params.host} does not resolve", (str(exc),),
                           {**facts, "address": None, "connect_ms": None})
    except (TimeoutError, dns.exception.Timeout):
        return ProbeResult("lookup_timeout",
                           f"looking up {params.host} got no DNS answer within {timeout:g}s",
                           (f"no DNS answer for {params.host}",),
                           {**facts, "address": None, "connect_ms": None})
    result, evidence = await try_port(addresses, params.port, Deadline(timeout))
    fate = str(result["outcome"])
    if fate == "open":
        return ProbeResult("open", f"{target} accepts connections", tuple(evidence),
                           {**facts, "address": result["address"],
                            "connect_ms": result["connect_ms"]})
    last = "timeout" if fate == "dropped" else fate
    summaries = {
        "refused": f"{target} refused the connection: something answered, nothing listens",
        "timeout": f"{target} did not answer: packets are silently dropped",
        "unreachable": f"{target} is unreachable from here",
    }
    return ProbeResult(last, summaries[last], tuple(evidence),
                       {**facts, "address": addresses[0], "connect_ms": None})


SPEC = ProbeSpec(
    name="tcp.connect",
    description="Open a TCP connection to host:port",
    params=TcpConnectParams,
    outcomes={
        "open": "the connection was accepted",
        "refused": "the host answered with a reset: nothing listens on that port",
        "timeout": "no answer at all: a firewall drops the packets, or the host is down",
        "unreachable": "no route to the host (network or host unreachable)",
        "name_not_found": "the host name does not resolve",
        "lookup_timeout": "the DNS lookup of the host name got no answer in time: no "
                          "connection was tried",
    },
    run=run_tcp_connect,
    facts={
        "host": always("the host as given"),
        "port": always("the port"),
        "address": on("the address connected to", "open", "refused", "timeout", "unreachable"),
        "connect_ms": on("milliseconds to connect", "open"),
    },
)
