"""Check a main.cf with the real Postfix: ``postfix -c DIR check`` and ``postconf -c DIR -n``.

Both run through :func:`wizard.postfix.process.run_program_sync` (own process
group, killed on a timeout, an interruption or any exception). ``postfix
check`` explains a fatal error only to a terminal or syslog, so it runs under
``script``, which gives it one. A result names what was checked and what was
not, so that a front-end can say so.
"""

from __future__ import annotations

import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

from wizard.postfix.postconf import PostconfNotFound, postconf_program
from wizard.postfix.process import ProgramTimedOut, find_program, run_program_sync

CHECK_TIMEOUT_SECONDS = 60.0

POSTFIX_CHECK = "postfix check"
"""``postfix -c DIR check``: paths, ownership, master.cf services, every line read."""

POSTCONF_READ = "postconf -n"
"""``postconf -c DIR -n``: Postfix reads every line of main.cf."""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking a configuration (``ran`` is False when nothing could run).

    ``checked`` names the checks that ran, ``not_checked`` says what could not
    be checked and why (one sentence each).
    """

    ran: bool
    ok: bool
    output: str
    checked: tuple[str, ...] = ()
    not_checked: tuple[str, ...] = ()


def postfix_check(config_dir: Path, timeout: float = CHECK_TIMEOUT_SECONDS) -> CheckResult:
    """Run ``postfix -c DIR check`` (under ``script``, so that it says why it fails)."""
    postfix = find_program("postfix")
    if postfix is None:
        return CheckResult(False, False, "Postfix is not installed here: not checked",
                           not_checked=(f"{POSTFIX_CHECK}: Postfix is not installed here",))
    argv = [postfix, "-c", str(config_dir), "check"]
    script = shutil.which("script")
    if script is not None:
        argv = [script, "-qec", shlex.join(argv), "/dev/null"]
    try:
        done = run_program_sync(argv, timeout)
    except ProgramTimedOut:
        return CheckResult(True, False, f"postfix check did not finish within {timeout:g}s",
                           checked=(POSTFIX_CHECK,))
    output = (done.stdout + done.stderr).replace("\r\n", "\n").strip()
    return CheckResult(True, done.returncode == 0, output, checked=(POSTFIX_CHECK,))


def postconf_read(config_dir: Path, timeout: float = CHECK_TIMEOUT_SECONDS) -> CheckResult:
    """Have Postfix read every line of ``DIR/main.cf`` (``postconf -c DIR -n``)."""
    try:
        argv = [postconf_program(), "-c", str(config_dir), "-n"]
    except PostconfNotFound:
        return CheckResult(False, False, "Postfix is not installed here: not checked",
                           not_checked=(f"{POSTCONF_READ}: Postfix is not installed here",))
    try:
        done = run_program_sync(argv, timeout)
    except ProgramTimedOut:
        return CheckResult(True, False, f"postconf did not finish within {timeout:g}s",
                           checked=(POSTCONF_READ,))
    return CheckResult(True, done.returncode == 0, "\n".join(done.stderr_lines()),
                       checked=(POSTCONF_READ,))
