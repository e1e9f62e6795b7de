"""Probe concurrency: N probes in one flow step against a server that answers after D.

A loopback SMTP server waits D seconds before each greeting and EHLO reply.
One flow step holds N ``smtp.banner`` probes; the engine runs them together,
so the step takes about D-per-conversation, not N times that. For contrast
the same N probes run one after another. Usage:
``python bench/concurrency.py [N] [DELAY_SECONDS]`` (defaults 20 and 0.5).
Talks only to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from wizard.engine import Session, run_to_end
from wizard.flow.loader import load_flow
from wizard.probes.base import ProbeContext
from wizard.probes.runner import RegistryRunner


async def slow_smtp_server(delay: float) -> asyncio.Server:
    """An SMTP server that delays its greeting and every reply by ``delay`` seconds."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await asyncio.sleep(delay)
            writer.write(b"220 slow.example ESMTP\r\n")
            await writer.drain()
            while line := await reader.readline():
                await asyncio.sleep(delay)
                if line.upper().startswith((b"EHLO", b"HELO")):
                    writer.write(b"250-slow.example\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n")
                elif line.upper().startswith(b"QUIT"):
                    writer.write(b"221 bye\r\n")
                    await writer.drain()
                    break
                else:
                    writer.write(b"502 not here\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)


def flow_text(n: int, port: int) -> str:
    """A flow whose one step runs ``n`` banner probes concurrently."""
    call = f"{{probe: smtp.banner, with: {{host: 127.0.0.1, port: {port}}}}}"
    probes = "\n".join(f"      p{i}: {call}" for i in range(n))
    return (f"id: bench\ntitle: bench\nstart: all\nsteps:\n  all:\n    kind: probe\n"
            f"    probes:\n{probes}\n    on: {{default: done}}\n    branch_on: p0\n"
            f"  done: {{kind: end}}\n")


async def main(n: int, delay: float) -> None:
    """Print the concurrent and sequential timings."""
    server = await slow_smtp_server(delay)
    port = server.sockets[0].getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.yaml"
        path.write_text(flow_text(n, port))
        flow = load_flow(path)
    runner = RegistryRunner(ProbeContext(timeout=30))

    started = time.perf_counter()
    session = await run_to_end(Session.start(flow, {}, runner))
    concurrent = time.perf_counter() - started
    outcomes = {r.outcome for r in session.trail[0].probes}

    started = time.perf_counter()
    for _ in range(n):
        await runner.run("smtp.banner", {"host": "127.0.0.1", "port": port})
    sequential = time.perf_counter() - started
    server.close()

    print(f"{n} smtp.banner probes, server delay {delay:g}s per reply "
          f"({sequential / n:.2f}s per conversation alone), outcomes {sorted(outcomes)}")
    print(f"  concurrent (one flow step): {concurrent:.2f}s")
    print(f"  sequential (one by one):    {sequential:.2f}s")
    print(f"  speed-up: {sequential / concurrent:.1f}x")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
    asyncio.run(main(count, seconds))
