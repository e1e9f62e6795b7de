"""The wizard's exit statuses, its one root exception, and the one place mapping one to the other.

Headless and tiny: the CLI (and anything else that ends the program) asks
:func:`exit_status_for` what an exception means, instead of each command
choosing its own numbers.
"""

from __future__ import annotations

import enum

MAX_SHOWN = 200
"""A value quoted in a message is cut to this many characters."""


class ExitStatus(enum.IntEnum):
    """What the process's exit code says (the CLI contract)."""

    OK = 0
    """Nothing wrong was found (``explain``: a catalog entry matched)."""
    PROBLEM = 1
    """A problem was diagnosed (``explain``: only a generic explanation)."""
    BAD_INPUT = 2
    """Bad input or usage: nothing was run."""
    COULD_NOT_FINISH = 3
    """The run could not finish (a probe failed, an unexpected error, output lost)."""
    INTERRUPTED = 130
    """Ctrl-C (128 + SIGINT), as shells report it."""


class WizardError(Exception):
    """The wizard could not do what was asked."""

    exit_status: ExitStatus = ExitStatus.COULD_NOT_FINISH
    """The exit status this error ends the program with."""

    def __init__(self, *args: object) -> None:
        """With no arguments, the message is the first line of the class's docstring."""
        if not args:
            doc = next((c.__doc__ for c in type(self).__mro__ if c.__doc__), "")
            args = (next(iter(doc.strip().splitlines()), ""),)
        super().__init__(*args)


class BadUsage(WizardError):
    """Bad input or usage."""

    exit_status = ExitStatus.BAD_INPUT


def shorten(value: object, limit: int = MAX_SHOWN) -> str:
    """``repr(value)``, cut to ``limit`` characters with the full length said, for messages."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(str(value))} characters)"


def exit_status_for(exc: BaseException) -> ExitStatus:
    """The exit status an exception that reached the top ends the program with."""
    if isinstance(exc, KeyboardInterrupt):
        return ExitStatus.INTERRUPTED
    if isinstance(exc, WizardError):
        return exc.exit_status
    return ExitStatus.COULD_NOT_FINISH
