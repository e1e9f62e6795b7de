"""``scan`` over several worker processes: one per core, so a scan is not bound to one CPU.

Checking a domain is CPU work in Python (building and parsing DNS messages,
walking the flows), so one process uses one core however many domains are in
flight. :func:`scan_in_processes` forks ``jobs`` workers (they inherit the
loaded flows and probes, so no start-up is paid again), hands each target to
the worker with the fewest domains in flight, and yields rows as workers
finish them. Each worker runs :func:`wizard.scan.scan_rows` (its own reply
cache and UDP sockets) on the targets it is given.

Parent and worker talk over a socket pair: length-prefixed pickles of
``(sequence, ScanTarget)`` one way and ``(sequence, ScanRow)`` the other.
At most ``concurrency`` domains are in flight in all, so memory stays flat.
The list is read only here, so an unreadable line stops the scan exactly as in
one process (the domains in flight finish first). A worker that dies leaves an
``error`` row for each domain it had, never a hang; when the scan ends early
(the consumer stops, Ctrl-C) the workers are terminated and reaped.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import pickle
import signal
import socket
import struct
import sys
from collections.abc import AsyncGenerator, AsyncIterable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard.flow.model import ProbeStep
from wizard.probes.runner import ProbeRunner
from wizard.scan import (
    Pull,
    ScanFlows,
    ScanInputError,
    ScanRow,
    ScanTarget,
    error_row,
    make_pull,
    scan,
    scan_rows,
    until_all_end,
)

_FRAME = struct.Struct("!I")


CGROUP_ROOT = Path("/sys/fs/cgroup")
"""Where the kernel shows this process's control groups (a container's own, with cgroupns)."""


def usable_cores(cgroup_root: Path = CGROUP_ROOT) -> int:
    """The cores this process can keep busy: those it may run on, capped by a CPU quota.

    The cores it may run on are its CPU affinity (``os.sched_getaffinity``; else
    ``os.cpu_count()``). A container's quota: cgroup v2 ``cpu.max`` (``max 100000``: none;
    ``200000 100000``: 200 ms of CPU per 100 ms, two cores), else cgroup v1's
    ``cpu.cfs_quota_us`` (-1: none) over ``cpu.cfs_period_us`` (in ``cpu/`` or
    ``cpu,cpuacct/``), rounded up: 1.5 cores of quota keep two workers busy part-time.
    A file that is missing, unreadable or malformed is ignored. At least 1.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1

    def read(path: Path) -> list[str]:
        try:
            with path.open("rb") as handle:
                return handle.read(256).decode("ascii").split()
        except (OSError, UnicodeDecodeError):
            return []

    found = [read(cgroup_root / "cpu.max")]
    for folder in ("cpu", "cpu,cpuacct"):
        quota = read(cgroup_root / folder / "cpu.cfs_quota_us")
        period = read(cgroup_root / folder / "cpu.cfs_period_us")
        found.append(quota + period if len(quota) == len(period) == 1 else [])
    for quota_us, period_us in (pair for pair in found if len(pair) == 2):
        if not period_us.isdigit() or int(period_us) == 0:
            continue
        if quota_us in ("max", "-1"):
            break
        if quota_us.isdigit() and int(quota_us) > 0:
            cores = min(cores, -(-int(quota_us) // int(period_us)))
            break
    return max(1, cores)


def default_jobs(cgroup_root: Path = CGROUP_ROOT) -> int:
    """How many worker processes a scan uses by default: one per usable core
    (:func:`usable_cores`: CPU affinity capped by a container's CPU quota).

    One (the scan runs in this process) except on Linux: elsewhere processes either
    cannot be forked or forking one that has loaded system libraries is not safe
    (macOS); ``--jobs N`` still asks for workers there.
    """
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return 1
    return usable_cores(cgroup_root)


async def scan_with_jobs(targets: Iterable[ScanTarget] | AsyncIterable[ScanTarget],
                         flows: ScanFlows, runner: ProbeRunner,
                         *, concurrency: int, timeout: float, mx: bool = False,
                         slow_source: bool = False, jobs: int = 1
                         ) -> AsyncGenerator[ScanRow, None]:
    """:func:`wizard.scan.scan`, over ``jobs`` worker processes when that is more than one
    (and processes can be forked): the same rows, ``concurrency`` in flight in all.

    An asynchronous ``targets`` (a compartment's listing, whose API calls run in
    threads) is scanned in this process: forking a process that has threads running
    could leave a lock held in the child.
    """
    if jobs > 1 and hasattr(os, "fork") and not isinstance(targets, AsyncIterable):
        rows = scan_in_processes(make_pull(targets, slow_source), flows, runner,
                                 concurrency=concurrency, timeout=timeout, mx=mx,
                                 jobs=min(jobs, concurrency))
    else:
        rows = scan(targets, flows, runner, concurrency=concurrency, timeout=timeout, mx=mx,
                    slow_source=slow_source)
    try:
        async for row in rows:
            yield row
    finally:
        await rows.aclose()


async def _send(writer: asyncio.StreamWriter, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    writer.write(_FRAME.pack(len(data)) + data)
    await writer.drain()


async def _receive(reader: asyncio.StreamReader) -> Any:
    """The next message, or None when the other side has closed the connection."""
    try:
        size = _FRAME.unpack(await reader.readexactly(_FRAME.size))[0]
        return pickle.loads(await reader.readexactly(size))
    except asyncio.IncompleteReadError:
        return None


async def _serve(sock: socket.socket, flows: ScanFlows, runner: ProbeRunner, concurrency: int,
                 timeout: float, mx: bool) -> None:
    """A worker: check the targets the parent sends until it closes its side; send back rows."""
    reader, writer = await asyncio.open_connection(sock=sock)
    reading = asyncio.Lock()
    sequence: dict[int, int] = {}

    async def pull() -> ScanTarget | None:
        async with reading:
            message = await _receive(reader)
        if message is None:
            return None
        number, target = message
        assert isinstance(target, ScanTarget)
        sequence[id(target)] = number
        return target

    async for target, row in scan_rows(pull, flows, runner, concurrency=concurrency,
                                       timeout=timeout, mx=mx):
        await _send(writer, (sequence.pop(id(target)), row))
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()


def _fork(flows: ScanFlows, runner: ProbeRunner, concurrency: int, timeout: float, mx: bool,
          inherited: list[socket.socket]) -> tuple[int, socket.socket]:
    """Start one worker; its pid and the parent's end of the socket pair."""
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # the worker: never returns into the parent's code
        code = 1
        try:
            ours.close()
            for other in inherited:
                other.close()
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent ends the workers
            asyncio.run(_serve(theirs, flows, runner, concurrency, timeout, mx))
            code = 0
        except BaseException:  # the parent reports the domains this worker had
            pass
        finally:
            os._exit(code)
    theirs.close()
    return pid, ours


@dataclass
class _Worker:
    pid: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    inflight: dict[int, ScanTarget] = field(default_factory=dict)
    alive: bool = True


async def scan_in_processes(pull: Pull, flows: ScanFlows, runner: ProbeRunner, *,
                            concurrency: int, timeout: float, mx: bool, jobs: int
                            ) -> AsyncGenerator[ScanRow, None]:
    """Rows as the ``jobs`` workers finish domains; at most ``concurrency`` in flight in all."""
    each = -(-concurrency // jobs)
    workers: list[_Worker] = []
    ends: list[socket.socket] = []
    results: asyncio.Queue[ScanRow | None] = asyncio.Queue(maxsize=concurrency)
    slots = asyncio.Semaphore(concurrency)
    failure: list[ScanInputError] = []
    numbers = itertools.count()
    finished = False

    async def feed() -> None:
        """Hand targets to the least busy worker while there are free places; then close."""
        try:
            while True:
                await slots.acquire()
                target = await pull()
                if target is None:
                    break
                alive = [w for w in workers if w.alive]
                if not alive:
                    slots.release()
                    await results.put(error_row(target, "no scan worker process is left"))
                    continue
                worker = min(alive, key=lambda w: len(w.inflight))
                number = next(numbers)
                worker.inflight[number] = target
                with contextlib.suppress(OSError):
                    await _send(worker.writer, (number, target))
        except ScanInputError as exc:
            failure.append(exc)
        except (ValueError, OSError) as exc:  # the stream itself failed (a pipe, a disk)
            failure.append(ScanInputError(f"cannot read the list: {exc}"))
        except Exception as exc:  # a source's bug ends the scan, never leaves it waiting
            failure.append(ScanInputError(f"cannot read the list: {type(exc).__name__}: "
                                          f"{exc}"))
        finally:
            for worker in workers:
                with contextlib.suppress(OSError):
                    worker.writer.write_eof()
        await results.put(None)  # the feeder's rows (for domains no worker was left for) end

    async def collect(worker: _Worker) -> None:
        """Pass on the worker's rows; when it ends, an error row for each domain it still had."""
        with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, ValueError):
            while (message := await _receive(worker.reader)) is not None:
                number, row = message
                worker.inflight.pop(number, None)
                slots.release()
                await results.put(row)
        worker.alive = False
        for number, target in list(worker.inflight.items()):
            del worker.inflight[number]
            slots.release()
            await results.put(error_row(target, "the scan worker process checking it ended "
                                                "unexpectedly"))
        await results.put(None)

    _preload(flows, runner)
    try:
        for _ in range(jobs):
            try:
                pid, end = _fork(flows, runner, each, timeout, mx, ends)
            except OSError:  # no more processes allowed: go on with those there are
                break
            ends.append(end)
            reader, writer = await asyncio.open_connection(sock=end)
            workers.append(_Worker(pid, reader, writer))
        if not workers:
            checked = scan_rows(pull, flows, runner, concurrency=concurrency, timeout=timeout,
                                mx=mx)
            try:
                async for _, row in checked:
                    yield row
            finally:
                await checked.aclose()
            return
        feeder = asyncio.create_task(feed())
        collectors = [asyncio.create_task(collect(w)) for w in workers]
        try:  # each collector and the feeder end with a None
            async for done in until_all_end(results, len(collectors) + 1):
                yield done
            await feeder
            finished = True
        finally:
            feeder.cancel()
            for task in collectors:
                task.cancel()
            await asyncio.gather(feeder, *collectors, return_exceptions=True)
    finally:
        for worker in workers:
            worker.writer.close()
        _reap([w.pid for w in workers], terminate=not finished)
    if failure:
        raise failure[0]


def _preload(flows: ScanFlows, runner: ProbeRunner) -> None:
    """Import what every worker needs before forking (the flows' probes, the DNS support),
    so that the workers share those pages and do not each import them again."""
    import wizard.probes.support.resolve
    import wizard.probes.support.udp  # noqa: F401

    probes = getattr(runner, "probes", None)
    if probes is None:
        return
    for flow in (flows.dkim, flows.spf_dmarc):
        for step_id, step in flow.steps.items():
            if isinstance(step, ProbeStep):
                for call in step.calls(step_id).values():
                    with contextlib.suppress(Exception):  # the walk reports a broken probe
                        probes.get(call.probe)


def _reap(pids: list[int], terminate: bool) -> None:
    """Wait for the workers to exit (terminating them first when the scan ended early)."""
    for pid in pids:
        if terminate:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
