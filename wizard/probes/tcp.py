"""``tcp.connect``: can a TCP connection to host:port be opened?"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import time

import dns.exception
from pydantic import Field

from wizard.probes.base import (
    FactValue,
    ProbeContext,
    ProbeParams,
    ProbeResult,
    ProbeSpec,
    always,
    on,
)
from wizard.probes.resolve import NameNotFound, resolve_host

UNREACHABLE_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.EACCES,
                      errno.EPERM}


class TcpConnectParams(ProbeParams):
    """Where to connect."""

    host: str = Field(min_length=1, description="Host name or IP address")
    port: int = Field(ge=1, le=65535, description="TCP port")
    timeout: float | None = Field(default=None, gt=0, description="Seconds; default the run's")


async def run_tcp_connect(params: TcpConnectParams, ctx: ProbeContext) -> ProbeResult:
    """Resolve ``host`` through the context's resolver, then connect to each address in turn."""
    timeout = params.timeout or ctx.timeout
    target = f"{params.host}:{params.port}"
    facts: dict[str, FactValue] = {"host": params.host, "port": params.port}
    try:
        addresses = await asyncio.wait_for(resolve_host(params.host, ctx), timeout)
    except NameNotFound as exc:
        return ProbeResult("name_not_found", f"{params.host} does not resolve", (str(exc),),
                           {**facts, "address": None, "connect_ms": None})
    except (TimeoutError, dns.exception.Timeout):
        return ProbeResult("timeout", f"looking up {params.host} timed out after {timeout:g}s",
                           (f"no DNS answer for {params.host}",),
                           {**facts, "address": None, "connect_ms": None})
    evidence: list[str] = []
    last = "unreachable"
    for address in addresses:
        started = time.monotonic()
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(address, params.port),
                                               timeout)
        except TimeoutError:
            evidence.append(f"{address} port {params.port}: no answer within {timeout:g}s")
            last = "timeout"
            continue
        except ConnectionRefusedError:
            evidence.append(f"{address} port {params.port}: connection refused (RST)")
            last = "refused"
            continue
        except OSError as exc:
            evidence.append(f"{address} port {params.port}: {exc.strerror or exc}")
            last = "unreachable"
            continue
        connect_ms = round((time.monotonic() - started) * 1000, 1)
        writer.close()
        with contextlib.suppress(OSError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), 1.0)
        evidence.append(f"{address} port {params.port}: connected")
        return ProbeResult("open", f"{target} accepts connections", tuple(evidence),
                           {**facts, "address": address, "connect_ms": connect_ms})
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
    },
    run=run_tcp_connect,
    facts={
        "host": always("the host as given"),
        "port": always("the port"),
        "address": on("the address connected to", "open", "refused", "timeout", "unreachable"),
        "connect_ms": on("milliseconds to connect", "open"),
    },
)
