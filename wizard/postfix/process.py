"""Find and run Postfix's programs (``postfix``, ``postconf``, ``postqueue``) with a deadline.

The one way the wizard runs them: :func:`find_program` looks in ``PATH`` and
then in sbin; :func:`run_program` (async, for probes) and
:func:`run_program_sync` (for ``--apply``, which runs outside an event loop)
give the program its own process group, so that anything it forks
(``postqueue`` runs ``showq`` itself when the mail system is down, ``script``
runs ``postfix check``) is killed with it on a timeout, a cancellation or an
exception such as ``KeyboardInterrupt``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

SBIN_DIRS: tuple[str, ...] = ("/usr/sbin", "/usr/local/sbin", "/sbin")
"""Searched after ``PATH``: Postfix lives in sbin, which a user's ``PATH`` often lacks."""


class ProgramTimedOut(Exception):
    """The program did not finish within its deadline and was killed."""


@dataclass(frozen=True)
class Completed:
    """A finished program: exit status and its decoded output."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def stderr_lines(self) -> list[str]:
        """Non-empty lines of standard error."""
        return [line for line in self.stderr.splitlines() if line.strip()]


def find_program(name: str) -> str | None:
    """The path of Postfix program ``name`` (``PATH`` first, then the sbin directories)."""
    search = os.pathsep.join([os.environ.get("PATH", os.defpath), *SBIN_DIRS])
    return shutil.which(name, path=search)


def _kill_pid_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _kill_group(process: asyncio.subprocess.Process) -> None:
    _kill_pid_group(process.pid)


async def run_program(argv: Sequence[str], timeout: float) -> Completed:
    """Run ``argv`` with no input; raise :class:`ProgramTimedOut` after ``timeout`` seconds."""
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        async with asyncio.timeout(timeout):
            stdout, stderr = await process.communicate()
    except TimeoutError:
        _kill_group(process)
        await process.wait()
        raise ProgramTimedOut(f"{argv[0]} did not finish within {timeout:g}s") from None
    except BaseException:
        _kill_group(process)
        with contextlib.suppress(BaseException):
            await asyncio.shield(process.wait())
        raise
    return Completed(tuple(argv), process.returncode or 0,
                     stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"))


def run_program_sync(argv: Sequence[str], timeout: float) -> Completed:
    """:func:`run_program` for code without an event loop; same deadline and group kill."""
    process = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_pid_group(process.pid)
        process.communicate()
        raise ProgramTimedOut(f"{argv[0]} did not finish within {timeout:g}s") from None
    except BaseException:
        _kill_pid_group(process.pid)
        with contextlib.suppress(BaseException):
            process.communicate()
        raise
    return Completed(tuple(argv), process.returncode or 0,
                     stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"))
