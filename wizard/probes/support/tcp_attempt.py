"""Opening TCP connections under one deadline: the part tcp.connect and tcp.ports share."""

from __future__ import annotations

import asyncio
import contextlib
import time

from wizard.probes.base import Deadline, FactValue


async def connect_once(address: str, port: int,
                       deadline: Deadline) -> tuple[str, float | None, str]:
    """One attempt: (fate, milliseconds when open, evidence line).

    A reset or abort while connecting comes only after the handshake completed (a
    refused SYN is ``ConnectionRefusedError``): the port is open, whatever the other end
    then does with the connection — it is not a missing route.
    """
    left = deadline.remaining()
    if left <= 0:
        return "dropped", None, f"{address} port {port}: no time left to try"
    started = time.monotonic()
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(address, port), left)
    except TimeoutError:
        return "dropped", None, f"{address} port {port}: no answer within {left:.1f}s"
    except ConnectionRefusedError:
        return "refused", None, f"{address} port {port}: connection refused (reset)"
    except (ConnectionResetError, ConnectionAbortedError):
        connect_ms = round((time.monotonic() - started) * 1000, 1)
        return "open", connect_ms, (f"{address} port {port}: connected, then reset at once "
                                    "by the other end")
    except OSError as exc:
        return "unreachable", None, f"{address} port {port}: {exc.strerror or exc}"
    connect_ms = round((time.monotonic() - started) * 1000, 1)
    writer.close()
    with contextlib.suppress(OSError, TimeoutError):
        await asyncio.wait_for(writer.wait_closed(), 0.5)
    return "open", connect_ms, f"{address} port {port}: connected"


async def try_port(addresses: list[str], port: int,
                    deadline: Deadline) -> tuple[dict[str, FactValue], list[str]]:
    """Each address in turn until one accepts; the port's fate is the last failure otherwise."""
    evidence: list[str] = []
    fate, address = "unreachable", addresses[0]
    for address in addresses:
        fate, connect_ms, line = await connect_once(address, port, deadline)
        evidence.append(line)
        if fate == "open":
            return {"port": port, "outcome": fate, "address": address,
                    "connect_ms": connect_ms}, evidence
    return {"port": port, "outcome": fate, "address": address, "connect_ms": None}, evidence
