"""``postconf -n``, ``postconf -d mail_version`` and the parameter names Postfix knows."""

from __future__ import annotations

from dataclasses import dataclass

from wizard.postfix.process import find_program, run_program, run_program_sync

_UNREADABLE_MARKS = (
    "No such file or directory",
    "Permission denied",
    "Not a directory",
    "Is a directory",
)


class PostconfNotFound(Exception):
    """No ``postconf`` program: Postfix is not installed here."""


class PostconfFailed(Exception):
    """``postconf`` exited with an error; ``kind`` is ``unreadable`` or ``invalid``."""

    def __init__(self, kind: str, reason: str, stderr: list[str]) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.stderr = stderr


@dataclass(frozen=True)
class PostconfOutput:
    """The explicitly set parameters (values as written) and the warnings postconf printed."""

    params: dict[str, str]
    warnings: list[str]


def parse_postconf_lines(text: str) -> dict[str, str]:
    """Turn ``name = value`` lines (``postconf -n`` output) into a mapping, in order."""
    params: dict[str, str] = {}
    for line in text.split("\n"):
        name, equals, value = line.partition("=")
        if equals and name.strip():
            params[name.strip()] = value.strip()
    return params


def _fatal_reason(stderr: list[str]) -> str:
    fatal = [line for line in stderr if ": fatal: " in line]
    return (fatal or stderr or ["postconf failed without a message"])[-1]


def postconf_program() -> str:
    """The ``postconf`` program's path; raise :class:`PostconfNotFound` when there is none."""
    path = find_program("postconf")
    if path is None:
        raise PostconfNotFound("postconf is not installed (not on PATH nor in sbin)")
    return path


async def postconf_non_default(config_directory: str | None, timeout: float) -> PostconfOutput:
    """Run ``postconf [-c DIR] -n``; raise :class:`PostconfFailed` or :class:`PostconfNotFound`.

    Raises :class:`~wizard.postfix.process.ProgramTimedOut` when it does not finish.
    """
    argv = [postconf_program()]
    if config_directory:
        argv += ["-c", config_directory]
    completed = await run_program([*argv, "-n"], timeout)
    stderr = completed.stderr_lines()
    if completed.returncode != 0:
        reason = _fatal_reason(stderr)
        kind = "unreadable" if any(mark in reason for mark in _UNREADABLE_MARKS) else "invalid"
        raise PostconfFailed(kind, reason, stderr)
    return PostconfOutput(parse_postconf_lines(completed.stdout), stderr)


async def mail_version(timeout: float) -> str:
    """The installed Postfix version (``postconf -d -h mail_version``; no main.cf needed)."""
    completed = await run_program([postconf_program(), "-d", "-h", "mail_version"], timeout)
    if completed.returncode != 0:
        raise PostconfFailed("invalid", _fatal_reason(completed.stderr_lines()),
                             completed.stderr_lines())
    return completed.stdout.strip()


_KNOWN_NAMES: dict[str, frozenset[str]] = {}


def known_parameter_names(timeout: float) -> frozenset[str]:
    """The parameters the installed Postfix knows (``postconf -d``), asked once per process.

    Raises :class:`PostconfNotFound`, :class:`PostconfFailed` or
    :class:`~wizard.postfix.process.ProgramTimedOut`.
    """
    program = postconf_program()
    if program not in _KNOWN_NAMES:
        completed = run_program_sync([program, "-d"], timeout)
        if completed.returncode != 0:
            raise PostconfFailed("invalid", _fatal_reason(completed.stderr_lines()),
                                 completed.stderr_lines())
        _KNOWN_NAMES[program] = frozenset(parse_postconf_lines(completed.stdout))
    return _KNOWN_NAMES[program]
