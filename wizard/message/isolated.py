"""Read a message's header section in a child process, bounded in time, CPU and memory.

The parse is pure CPU work on hostile bytes: run on the event loop it would
block ``--timeout``, Ctrl-C and the TUI. Here it runs in ``python -m
wizard.message.isolated``, which gets the bytes on stdin and prints the
:class:`MessageSummary` as JSON, under ``RLIMIT_CPU`` and ``RLIMIT_AS``.
The parent waits for it at most until the probe's deadline and kills it
when the deadline passes or the probe is cancelled (Ctrl-C, escape).

:func:`analyse` is the same work in-process (pure), for tests and fuzzing.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import math
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from wizard.message.headers import looks_binary, split_header_section
from wizard.message.summary import DkimSignature, MessageSummary, summarise

MEMORY_LIMIT = 512 * 1024 * 1024
"""Address space the child may use (bytes); a parse needing more is refused, not run."""


@dataclass(frozen=True)
class Unusable:
    """Why the bytes are not a message (or could not be parsed in time or memory)."""

    kind: Literal["binary", "empty", "no_fields", "timeout", "too_large", "failed"]
    detail: str = ""


def analyse(data: bytes) -> MessageSummary | Unusable:
    """The header facts of ``data``, or why it is not a message (pure, in-process)."""
    if looks_binary(data):
        return Unusable("binary")
    if not data.strip():
        return Unusable("empty")
    section = split_header_section(data)
    if not section.fields:
        first = data.lstrip().splitlines()[0][:80] if data.strip() else b""
        return Unusable("no_fields", repr(first))
    return summarise(section)


def _to_json(result: MessageSummary | Unusable) -> dict[str, Any]:
    if isinstance(result, Unusable):
        return {"unusable": dataclasses.asdict(result)}
    return {"summary": dataclasses.asdict(result)}


def _from_json(payload: dict[str, Any]) -> MessageSummary | Unusable:
    if "unusable" in payload:
        return Unusable(**payload["unusable"])
    fields = dict(payload["summary"])
    fields["dkim"] = [DkimSignature(**sig) for sig in fields["dkim"]]
    return MessageSummary(**fields)


def _child_env() -> dict[str, str]:
    root = str(Path(__file__).resolve().parent.parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


async def analyse_isolated(data: bytes, timeout: float) -> MessageSummary | Unusable:
    """:func:`analyse` in a child process that is killed after ``timeout`` seconds (or when
    the caller is cancelled); a child that runs out of CPU or memory is an :class:`Unusable`."""
    cpu = max(1, math.ceil(timeout))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "wizard.message.isolated", str(cpu),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env=_child_env())
    try:
        async with asyncio.timeout(timeout):
            out, err = await proc.communicate(data)
    except TimeoutError:
        return Unusable("timeout", f"parsing did not finish within {timeout:g}s")
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
    if proc.returncode == -signal.SIGXCPU or proc.returncode == -signal.SIGKILL:
        return Unusable("timeout", f"parsing used more than {cpu}s of CPU time")
    if proc.returncode != 0:
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        if "MemoryError" in last[0]:
            return Unusable("too_large", f"parsing needed more than "
                            f"{MEMORY_LIMIT // 2**20} MB of memory")
        return Unusable("failed", f"the parser stopped: {last[0][:200]}")
    return _from_json(json.loads(out))


def _limit(cpu_seconds: int) -> None:
    import resource

    for which, value in ((resource.RLIMIT_CPU, cpu_seconds),
                         (resource.RLIMIT_AS, MEMORY_LIMIT)):
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        if soft == resource.RLIM_INFINITY or soft > value:
            resource.setrlimit(which, (value, hard))


def main(argv: list[str]) -> int:
    """The child: limits, bytes from stdin, one JSON object on stdout."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _limit(int(argv[0]) if argv else 10)
    data = sys.stdin.buffer.read()
    json.dump(_to_json(analyse(data)), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
