"""Apply ``postconf`` fixes to a main.cf: backup, atomic replace, ``postfix check``, rollback.

Nothing is written unless asked. The order is fixed: read the file, compute
the new text and its diff, refuse early without write permission, copy the
original to a timestamped backup beside it, replace main.cf atomically (write
a temporary file in the same folder, fsync, rename), run ``postfix -c DIR
check`` when Postfix is installed, and on failure put the original bytes back
— byte-identical — the same atomic way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from wizard.fixes.maincf_edit import edit_main_cf, unified_diff
from wizard.flow.model import PostconfAction

CHECK_TIMEOUT_SECONDS = 60


class ApplyError(Exception):
    """The fix cannot be applied (no permission, file missing); nothing was changed."""


@dataclass(frozen=True)
class Plan:
    """What applying would do: the file, its bytes now, the new text and the diff."""

    main_cf: Path
    before: bytes
    after: str
    diff: str

    @property
    def changes(self) -> bool:
        """True when applying would change the file."""
        return self.before.decode("utf-8") != self.after


@dataclass(frozen=True)
class CheckResult:
    """The outcome of ``postfix check`` (``ran`` is False when Postfix is not installed)."""

    ran: bool
    ok: bool
    output: str


@dataclass(frozen=True)
class ApplyResult:
    """What happened."""

    applied: bool
    rolled_back: bool
    backup: Path | None
    diff: str
    check: CheckResult


def plan_postconf(main_cf: Path, actions: Sequence[PostconfAction]) -> Plan:
    """Compute the edit without writing anything."""
    try:
        before = main_cf.read_bytes()
    except OSError as exc:
        raise ApplyError(f"cannot read {main_cf}: {exc.strerror}") from None
    try:
        text = before.decode("utf-8")
    except UnicodeDecodeError:
        raise ApplyError(f"{main_cf} is not UTF-8 text; refusing to edit it") from None
    after = edit_main_cf(text, actions)
    return Plan(main_cf, before, after, unified_diff(text, after, str(main_cf)))


def postfix_check(config_dir: Path) -> CheckResult:
    """Run ``postfix -c DIR check`` (under ``script``: it explains only to a terminal)."""
    postfix = shutil.which("postfix") or ("/usr/sbin/postfix"
                                          if os.path.exists("/usr/sbin/postfix") else None)
    if postfix is None:
        return CheckResult(False, True, "Postfix is not installed here: not checked")
    command = f"{postfix} -c {_shell_quote(str(config_dir))} check"
    argv = (["script", "-qec", command, "/dev/null"] if shutil.which("script")
            else [postfix, "-c", str(config_dir), "check"])
    try:
        done = subprocess.run(argv, capture_output=True, text=True,
                              timeout=CHECK_TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return CheckResult(True, False, "postfix check did not finish")
    output = (done.stdout + done.stderr).replace("\r\n", "\n").strip()
    return CheckResult(True, done.returncode == 0, output)


def _shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _atomic_write(path: Path, data: bytes, mode: int) -> None:
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def apply_plan(plan: Plan, check: Callable[[Path], CheckResult] = postfix_check,
               now: Callable[[], float] = time.time) -> ApplyResult:
    """Write the planned main.cf with a backup, check it, and roll back if the check fails."""
    if not plan.changes:
        return ApplyResult(False, False, None, "", CheckResult(False, True, "nothing to change"))
    path = plan.main_cf
    if not _writable(path):
        raise ApplyError(f"no permission to write {path} (and its folder): run as a user who "
                         "may edit the Postfix configuration")
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now()))
    backup = path.with_name(f"{path.name}.email-wizard-{stamp}.bak")
    counter = 1
    while backup.exists():
        backup = path.with_name(f"{path.name}.email-wizard-{stamp}-{counter}.bak")
        counter += 1
    mode = path.stat().st_mode & 0o7777
    try:
        shutil.copy2(path, backup)
        _atomic_write(path, plan.after.encode("utf-8"), mode)
    except OSError as exc:
        raise ApplyError(f"cannot write {path}: {exc.strerror}") from None
    result = check(path.parent)
    if result.ok:
        return ApplyResult(True, False, backup, plan.diff, result)
    _atomic_write(path, plan.before, mode)
    return ApplyResult(False, True, backup, plan.diff, result)
