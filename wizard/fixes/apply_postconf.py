"""Apply ``postconf`` fixes to a main.cf the user named: checked, atomic, never half-done.

What may be written: only the ``main.cf`` of a folder the user named (or that
file itself) — never a path a flow made up (:func:`named_main_cf`); only
parameters the installed Postfix knows (``postconf -d``), with single-line
values free of control characters (:func:`check_actions`).

The order, and what each fault leaves behind:

1. Plan (nothing written): read the file, edit the text, read the edit back
   (it must give exactly the intended values), diff.
2. Pre-check: Postfix reads the new text in a temporary folder (``postconf -n``
   with the folder's master.cf, or the system's for a main.cf copied alone).
3. Re-check the file: if its bytes are not those the diff was made from,
   someone else changed it — refuse, change nothing.
4. Write the new text to a temporary file beside the real file (symlinks
   followed), with the real file's owner, group and mode; fsync; read it back.
5. Backup: a hard link to the original (no space needed), or a copy where
   links are impossible. Then atomically swap the new file in: an exchange of
   names where Linux allows it, so that a version someone else renamed into
   place meanwhile is noticed and kept (a plain rename elsewhere).
6. ``postfix -c DIR check`` (a full config folder only); on failure, or on
   SIGINT/SIGTERM at any moment before it passed, the backup is renamed back
   over the real file — a rename, so a full disk cannot stop it.

So the file is always either the original or the complete, checked new text;
temporary files and backups that are not needed are removed; the result's
``message`` says which happened and where the backup is.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from wizard.fixes.maincf_edit import EditMismatch, check_edit, edit_main_cf, unified_diff
from wizard.fixes.vocabulary import PostconfAction
from wizard.postfix.check import (
    CHECK_TIMEOUT_SECONDS,
    POSTFIX_CHECK,
    CheckResult,
    postconf_read,
    postfix_check,
)
from wizard.postfix.maincf import MAX_MAIN_CF_BYTES, MainCfError
from wizard.postfix.postconf import PostconfFailed, PostconfNotFound, known_parameter_names
from wizard.postfix.process import ProgramTimedOut, find_program

__all__ = ["ApplyError", "ApplyResult", "CheckResult", "Plan", "apply_plan", "check_actions",
           "named_main_cf", "plan_postconf", "postfix_check"]

SYSTEM_MASTER_CF = ("/etc/postfix/master.cf", "/usr/share/postfix/master.cf.dist")
"""The master.cf a main.cf copied alone is checked with (the first that exists)."""

PARAMETER_NAMES = "parameter names (postconf -d)"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class ApplyError(Exception):
    """The fix cannot be applied (not a named main.cf, no permission, changed underneath…).

    Nothing was changed.
    """


@dataclass(frozen=True)
class Plan:
    """What applying would do: the file (as named), its bytes now, the new text and the diff."""

    main_cf: Path
    before: bytes
    after: str
    diff: str
    actions: tuple[PostconfAction, ...] = ()

    @property
    def changes(self) -> bool:
        """True when applying would change the file."""
        return self.before.decode("utf-8") != self.after


@dataclass(frozen=True)
class ApplyResult:
    """What happened: ``outcome`` is one of ``applied``, ``unchanged`` (nothing to change),
    ``rejected`` (the pre-check failed; nothing written), ``rolled_back`` (``postfix check``
    failed; the original is back), ``interrupted`` (a signal; the original is back or was
    never replaced) or ``not_restored`` (the original could not be put back; it is in
    ``backup``). ``message`` says it in one sentence, naming the backup.
    """

    applied: bool
    rolled_back: bool
    backup: Path | None
    diff: str
    check: CheckResult
    outcome: str = "applied"
    message: str = ""
    signal: str = ""
    file: Path | None = None

    @property
    def failed(self) -> bool:
        """True when the fix was meant to be applied but was not."""
        return self.outcome not in ("applied", "unchanged")


def _shown(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


def named_main_cf(applies_to: str, named: Iterable[str]) -> Path:
    """``applies_to`` if it is the ``main.cf`` of a folder in ``named`` (or that file itself).

    ``named`` are the values the user gave (inputs, answers); a flow's own
    text never counts. Raises :class:`ApplyError` otherwise.
    """
    path = Path(applies_to).expanduser()
    if not applies_to or path.name != "main.cf":
        raise ApplyError(f"{_shown(applies_to)} is not a main.cf: --apply edits only the "
                         "main.cf of a Postfix config directory you named")
    real_dir = os.path.realpath(path.parent)
    real_file = os.path.realpath(path)
    for value in named:
        if not value.strip() or "\0" in value:
            continue
        candidate = Path(value.strip()).expanduser()
        real = os.path.realpath(candidate)
        if real == real_dir or (candidate.name == "main.cf" and real == real_file):
            return path
    raise ApplyError(f"{_shown(applies_to)} is not in a config directory you named: --apply "
                     "edits only the main.cf of a folder given as an input (e.g. --set "
                     "config_directory=/etc/postfix)")


def check_actions(actions: Sequence[PostconfAction], known: frozenset[str] | None) -> None:
    """Raise :class:`ApplyError` unless every parameter is known and every value one clean line.

    ``known`` is None where Postfix is not installed: the diff can still be
    shown, but :func:`apply_plan` refuses to write what it cannot check.
    """
    for action in actions:
        if known is not None and action.param not in known:
            raise ApplyError(f"{_shown(action.param)} is not a parameter this Postfix knows "
                             "(postconf -d): refusing to write it")
        if action.op == "set" and _CONTROL.search(action.value):
            raise ApplyError(f"the value for {action.param} has a line break or a control "
                             "character: refusing to write it")


def _known_names() -> frozenset[str] | None:
    try:
        return known_parameter_names(CHECK_TIMEOUT_SECONDS)
    except PostconfNotFound:
        return None
    except (PostconfFailed, ProgramTimedOut) as exc:
        raise ApplyError(f"postconf -d failed ({exc}): the parameter names cannot be "
                         "checked, so nothing is applied") from None


def _read_main_cf(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a FIFO must not block
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise ApplyError(f"{path} is not a regular file; refusing to edit it")
            data = handle.read(MAX_MAIN_CF_BYTES + 1)
    except OSError as exc:
        raise ApplyError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_MAIN_CF_BYTES:
        raise ApplyError(f"{path} is larger than {MAX_MAIN_CF_BYTES} bytes: not a main.cf")
    return data


def plan_postconf(main_cf: Path, actions: Sequence[PostconfAction], *,
                  named: Iterable[str]) -> Plan:
    """Compute the edit without writing anything; raise :class:`ApplyError` when it may not be."""
    target = named_main_cf(str(main_cf), named)
    check_actions(actions, _known_names())
    before = _read_main_cf(target)
    try:
        text = before.decode("utf-8")
    except UnicodeDecodeError:
        raise ApplyError(f"{target} is not UTF-8 text; refusing to edit it") from None
    try:
        after = edit_main_cf(text, actions)
        check_edit(text, after, actions)
    except MainCfError as exc:
        raise ApplyError(f"{target} has a line Postfix refuses ({exc}); fix it first") from None
    except EditMismatch as exc:
        raise ApplyError(f"{exc}; refusing to write it") from None
    return Plan(target, before, after, unified_diff(text, after, str(target)), tuple(actions))


class _Interrupted(BaseException):
    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass
class _SignalGuard:
    """SIGINT and SIGTERM, while applying, are recorded instead of ending the process.

    Inside :meth:`interruptible` (a running check) a signal stops the check at
    once; elsewhere it takes effect at the next :meth:`checkpoint`. Only the
    main thread can handle signals; in other threads (the TUI's worker) the
    guard does nothing.
    """

    received: int | None = None
    _interruptible: bool = False
    _previous: dict[int, object] = field(default_factory=dict)

    def __enter__(self) -> _SignalGuard:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is None:
            self.received = signum
        if self._interruptible:
            self._interruptible = False
            raise _Interrupted(signum)

    def checkpoint(self) -> None:
        """Raise :class:`_Interrupted` if a signal came."""
        if self.received is not None:
            raise _Interrupted(self.received)

    @contextlib.contextmanager
    def interruptible(self) -> Iterator[None]:
        """A section a signal ends at once (it must clean up after itself)."""
        self.checkpoint()
        self._interruptible = True
        try:
            yield
        finally:
            self._interruptible = False


def _system_master_cf() -> Path | None:
    return next((Path(p) for p in SYSTEM_MASTER_CF if os.path.isfile(p)), None)


def _pre_check(after: str, config_dir: Path, full: bool) -> CheckResult:
    """Postfix reads the new text in a temporary folder, beside a master.cf."""
    master = config_dir / "master.cf" if full else _system_master_cf()
    with tempfile.TemporaryDirectory(prefix="email-wizard-check-") as folder:
        stage = Path(folder)
        (stage / "main.cf").write_text(after, encoding="utf-8")
        past = time.time() - 60
        os.utime(stage / "main.cf", (past, past))  # Postfix re-reads a file under 1 s old
        try:
            if master is None:
                raise FileNotFoundError(errno.ENOENT, "no master.cf")
            shutil.copyfile(master, stage / "master.cf")
        except OSError:
            (stage / "master.cf").write_text("")
        result = postconf_read(stage)
    output = result.output.replace(str(stage), str(config_dir))
    return CheckResult(result.ran, result.ok, output, (PARAMETER_NAMES, *result.checked),
                       result.not_checked)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_temp(real: Path, data: bytes, info: os.stat_result) -> Path:
    """The new text in a temporary file beside ``real``, with its owner, group and mode."""
    fd, name = tempfile.mkstemp(prefix=f".{real.name}.email-wizard-", suffix=".tmp",
                                dir=real.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchown(handle.fileno(), info.st_uid, info.st_gid)
            os.fchmod(handle.fileno(), stat.S_IMODE(info.st_mode))
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if temp.read_bytes() != data:
            raise OSError(errno.EIO, "the temporary file does not read back as written")
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return temp


def _backup_name(path: Path, stamp: str) -> Path:
    backup = path.with_name(f"{path.name}.email-wizard-{stamp}.bak")
    counter = 1
    while os.path.lexists(backup):
        backup = path.with_name(f"{path.name}.email-wizard-{stamp}-{counter}.bak")
        counter += 1
    return backup


def _make_backup(real: Path, backup: Path, info: os.stat_result) -> bool:
    """The original kept as ``backup``: a hard link (True) or, where impossible, a copy."""
    try:
        os.link(real, backup)
        return True
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EMLINK,
                             errno.EOPNOTSUPP):
            raise
    try:
        with open(real, "rb") as source, open(backup, "xb") as target:
            shutil.copyfileobj(source, target)
            target.flush()
            os.fchown(target.fileno(), info.st_uid, info.st_gid)
            os.fsync(target.fileno())
        shutil.copystat(real, backup)
    except BaseException:
        with contextlib.suppress(OSError):
            backup.unlink()
        raise
    return False


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two names atomically (Linux ``renameat2(RENAME_EXCHANGE)``).

    False where the C library or the file system cannot; other errors raise.
    """
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                 _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _swap_in(temp: Path, real: Path, expected_inode: int) -> None:
    """Replace ``real`` by ``temp`` atomically, unless ``real`` is no longer the file we checked.

    Where names can be exchanged, the file that was in place comes out under
    ``temp``'s name: if it is not ``expected_inode`` (someone renamed their own
    version in meanwhile), the names are swapped back and :class:`ApplyError`
    raised — their version stays, ours is removed with ``temp``. Elsewhere it
    is a plain rename.
    """
    if _exchange(temp, real):
        if os.stat(temp).st_ino != expected_inode:
            _exchange(temp, real)
            raise ApplyError(f"{real} was replaced by someone else while applying: their "
                             "version was kept, nothing was applied")
        temp.unlink()
    else:
        os.replace(temp, real)
    _fsync_dir(real.parent)


def _put_back(backup: Path, real: Path) -> None:
    """The original back in place: a rename, which needs no free space."""
    os.replace(backup, real)
    _fsync_dir(real.parent)


def _remove(*paths: Path | None) -> list[Path]:
    """Remove these files; the ones that could not be removed."""
    stray: list[Path] = []
    for path in paths:
        if path is not None:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                stray.append(path)
    return stray


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _changed(real: Path, before: bytes) -> bool:
    try:
        return _read_main_cf(real) != before
    except ApplyError:
        return True


def apply_plan(plan: Plan, check: Callable[[Path], CheckResult] = postfix_check,
               now: Callable[[], float] = time.time) -> ApplyResult:
    """Apply ``plan`` (see the module's docstring for the order and what each fault leaves).

    Raises :class:`ApplyError` when nothing could be applied and nothing was changed.
    """
    named = plan.main_cf
    if not plan.changes:
        return ApplyResult(False, False, None, "", CheckResult(False, True, "nothing to change"),
                           "unchanged", f"{named} already has these settings", file=named)
    real = Path(os.path.realpath(named))
    # The backup is named after the path the user knows, unless a symlink leads elsewhere.
    shown = named if os.path.realpath(named.parent) == str(real.parent) else real
    config_dir = named.parent
    full = (config_dir / "master.cf").is_file()
    if not _writable(real):
        raise ApplyError(f"no permission to write {real} (and its folder): run as a user who "
                         "may edit the Postfix configuration")
    try:
        info = os.stat(real)
    except OSError as exc:
        raise ApplyError(f"cannot read {real}: {exc.strerror}") from None
    if find_program("postconf") is None:
        raise ApplyError("Postfix is not installed here: the new main.cf cannot be checked, "
                         "so nothing is applied")
    data = plan.after.encode("utf-8")
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now()))
    temp: Path | None = None
    backup: Path | None = None
    replaced = False
    phase = "the check before writing"

    def result(outcome: str, message: str, checked: CheckResult, *, applied: bool = False,
               kept: Path | None = None, signame: str = "") -> ApplyResult:
        return ApplyResult(applied, outcome in ("rolled_back", "interrupted") and replaced,
                           kept, plan.diff, checked, outcome, message, signame, real)

    with _SignalGuard() as guard:
        try:
            with guard.interruptible():
                pre = _pre_check(plan.after, config_dir, full)
            if not pre.ok:
                reason = pre.output.splitlines()[-1] if pre.output else "no reason given"
                return result("rejected", f"Not applied: Postfix rejects the new main.cf "
                              f"({reason}); {real} is unchanged", pre)
            if _changed(real, plan.before):
                raise ApplyError(f"{real} changed since the diff was made (someone else edited "
                                 "it): nothing was applied; run again to see the new diff")
            phase = "writing the new file"
            temp = _write_temp(real, data, info)
            guard.checkpoint()
            backup = _backup_name(shown, stamp)
            linked = _make_backup(real, backup, info)
            if (linked and os.stat(real).st_ino != os.stat(backup).st_ino) or \
                    backup.read_bytes() != plan.before:
                raise ApplyError(f"{real} changed while the backup was made (someone else "
                                 "edited it): nothing was applied")
            guard.checkpoint()
            if not linked and _changed(real, plan.before):
                raise ApplyError(f"{real} changed while applying (someone else edited it): "
                                 "nothing was applied")
            _swap_in(temp, real, os.stat(backup).st_ino if linked else info.st_ino)
            temp, replaced = None, True
            if linked and backup.read_bytes() != plan.before:
                _put_back(backup, real)
                replaced, backup = False, None
                raise ApplyError(f"{real} was changed by someone else while applying: their "
                                 "version was put back, nothing was applied")
            phase = POSTFIX_CHECK
            if full:
                with guard.interruptible():
                    after_check = check(config_dir)
                checked = CheckResult(after_check.ran, after_check.ok, after_check.output,
                                      (*pre.checked, *after_check.checked),
                                      (*pre.not_checked, *after_check.not_checked))
            else:
                checked = CheckResult(pre.ran, pre.ok, pre.output, pre.checked, (
                    *pre.not_checked,
                    f"{POSTFIX_CHECK}: {config_dir} is not a full Postfix config directory (no "
                    "master.cf beside main.cf), so paths, ownership and services were not "
                    "checked; main.cf was read with this system's master.cf"))
            if checked.ok:
                done = "; ".join(checked.checked)
                late = guard.received
                then = "postfix reload" if full else \
                    "put it in place on the server and run postfix check there"
                return result("applied", f"Applied to {real} (backup: {backup}); checked: "
                              f"{done}. Then: {then}", checked, applied=True,
                              kept=backup, signame=signal.Signals(late).name if late else "")
            try:
                _put_back(backup, real)
            except OSError as exc:
                return result("not_restored", f"postfix check failed, and the original could "
                              f"not be put back ({exc.strerror or exc}): it is in {backup}; "
                              f"restore it with: mv {backup} {real}", checked, kept=backup)
            backup = None
            return result("rolled_back", f"postfix check failed; the original {real} was put "
                          "back unchanged (no backup needed)", checked)
        except _Interrupted as stop:
            name = signal.Signals(stop.signum).name
            if replaced and backup is not None:
                try:
                    _put_back(backup, real)
                except OSError as again:
                    return result("not_restored", f"Interrupted by {name}, and the original "
                                  f"could not be put back ({again.strerror}): it is in {backup};"
                                  f" restore it with: mv {backup} {real}",
                                  CheckResult(False, False, f"interrupted by {name}"),
                                  kept=backup, signame=name)
                backup = None
                what = f"the original {real} was put back unchanged"
            else:
                what = f"{real} was not replaced and is unchanged"
            return result("interrupted", f"Interrupted by {name} during {phase}: {what}",
                          CheckResult(False, False, f"interrupted by {name}"), signame=name)
        except OSError as exc:
            if not replaced:
                stray = _remove(temp, backup)
                temp = backup = None
                left = f" (could not remove {', '.join(map(str, stray))})" if stray else ""
                raise ApplyError(f"cannot write {real}: {exc.strerror or exc}; nothing was "
                                 f"changed{left}") from None
            assert backup is not None
            try:
                _put_back(backup, real)
            except OSError as again:
                return result("not_restored", f"{exc.strerror or exc} after replacing {real}, "
                              f"and the original could not be put back ({again.strerror}): it "
                              f"is in {backup}; restore it with: mv {backup} {real}",
                              CheckResult(False, False, str(exc)), kept=backup)
            backup = None
            return result("rolled_back", f"{exc.strerror or exc} after replacing {real}: the "
                          "original was put back unchanged", CheckResult(False, False, str(exc)))
        finally:
            if temp is not None:
                with contextlib.suppress(OSError):
                    temp.unlink()
            if backup is not None and not replaced:
                with contextlib.suppress(OSError):
                    backup.unlink()
