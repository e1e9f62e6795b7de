"""Postconf fixes applied to a real Postfix configuration: named target, checked, atomic, safe.

Each fault is injected for real: a tiny tmpfs (disk full before and during the
check), a read-only bind mount, a concurrent writer, SIGINT/SIGTERM during
``postfix check`` (a slow fake ``postfix`` first in ``PATH``), a symlinked
main.cf, an owner and mode that must survive.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT
from wizard.fixes import apply_postconf
from wizard.fixes.apply_postconf import (
    ApplyError,
    CheckResult,
    apply_plan,
    plan_postconf,
    postfix_check,
)
from wizard.fixes.maincf_edit import edit_main_cf
from wizard.fixes.vocabulary import PostconfAction

MAIN_CF = """\
# Relaying through the provider
compatibility_level = 3.6
myhostname = test.example.com
smtp_use_tls = yes
relayhost = smtp.example.com:587
smtpd_banner = $myhostname ESMTP
    (test)

# SASL
smtp_sasl_auth_enable = yes
"""


def setting(param: str, value: str) -> PostconfAction:
    return PostconfAction(type="postconf", op="set", param=param, value=value)


def removal(param: str) -> PostconfAction:
    return PostconfAction(type="postconf", op="remove", param=param)


def plan_for(main_cf: Path, *actions: PostconfAction) -> apply_postconf.Plan:
    """A plan for a main.cf whose folder the user named."""
    return plan_postconf(main_cf, list(actions), named=[str(main_cf.parent)])


def write_config(directory: Path) -> Path:
    (directory / "queue").mkdir(parents=True)
    (directory / "data").mkdir()
    shutil.copy("/usr/share/postfix/master.cf.dist", directory / "master.cf")
    (directory / "main.cf").write_text(
        MAIN_CF + f"queue_directory = {directory / 'queue'}\n"
        f"data_directory = {directory / 'data'}\n")
    return directory


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A Postfix configuration directory of its own, as `postconf -c` and `postfix -c` use."""
    return write_config(tmp_path / "postfix")


def leftovers(folder: Path) -> list[str]:
    """Backups and temporary files the wizard left in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if "email-wizard" in p.name)


def postconf_n(directory: Path) -> dict[str, str]:
    out = subprocess.run(["postconf", "-c", str(directory), "-n"], capture_output=True,
                         text=True, check=True).stdout
    return dict(line.split(" = ", 1) for line in out.splitlines())


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs holding a config directory (we run as root); unmounted afterwards."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], check=True)
    try:
        write_config(mount / "postfix")
        yield mount / "postfix"
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Fill the file system of ``disk`` to the last byte; the filler file."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


def test_edit_replaces_in_place_appends_and_removes_keeping_comments() -> None:
    after = edit_main_cf(MAIN_CF, [removal("smtp_use_tls"),
                                   setting("smtp_tls_security_level", "may"),
                                   setting("relayhost", "[smtp.example.com]:587"),
                                   setting("smtpd_banner", "$myhostname ESMTP")])
    assert after == MAIN_CF.replace("smtp_use_tls = yes\n", "").replace(
        "relayhost = smtp.example.com:587", "relayhost = [smtp.example.com]:587").replace(
        "smtpd_banner = $myhostname ESMTP\n    (test)\n", "smtpd_banner = $myhostname ESMTP\n"
    ) + "smtp_tls_security_level = may\n"


def test_edit_of_a_repeated_parameter_keeps_one_assignment() -> None:
    after = edit_main_cf("a = 1\nb = 2\na = 3\n", [setting("a", "4")])
    assert after == "b = 2\na = 4\n"


def test_plan_writes_nothing_and_shows_a_diff(config_dir: Path) -> None:
    main_cf = config_dir / "main.cf"
    before = main_cf.read_bytes()
    plan = plan_for(main_cf, removal("smtp_use_tls"), setting("smtp_tls_security_level", "may"))
    assert main_cf.read_bytes() == before
    assert "-smtp_use_tls = yes" in plan.diff
    assert "+smtp_tls_security_level = may" in plan.diff
    assert leftovers(config_dir) == []


def test_apply_backs_up_replaces_and_postconf_sees_the_new_values(config_dir: Path) -> None:
    main_cf = config_dir / "main.cf"
    before = main_cf.read_bytes()
    result = apply_plan(plan_for(main_cf, removal("smtp_use_tls"),
                                 setting("smtp_tls_security_level", "may"),
                                 setting("relayhost", "[smtp.example.com]:587")),
                        now=lambda: 1_800_000_000)
    assert (result.outcome, result.applied, result.rolled_back) == ("applied", True, False)
    assert result.check.ran and result.check.ok
    assert result.check.checked == ("parameter names (postconf -d)", "postconf -n",
                                    "postfix check")
    assert result.check.not_checked == ()
    assert result.backup is not None and result.backup.read_bytes() == before
    assert "email-wizard-" in result.backup.name
    assert f"backup: {result.backup}" in result.message
    values = postconf_n(config_dir)
    assert values["smtp_tls_security_level"] == "may"
    assert values["relayhost"] == "[smtp.example.com]:587"
    assert "smtp_use_tls" not in values
    assert "# Relaying through the provider" in main_cf.read_text()
    assert leftovers(config_dir) == [result.backup.name]


def test_owner_group_and_mode_are_kept(config_dir: Path) -> None:
    """The old code wrote a new root-owned file: owner and group were lost."""
    main_cf = config_dir / "main.cf"
    os.chown(main_cf, 4321, 8765)
    os.chmod(main_cf, 0o640)
    result = apply_plan(plan_for(main_cf, setting("smtp_tls_security_level", "may")))
    assert result.applied
    info = main_cf.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o7777) == (4321, 8765, 0o640)


def test_a_symlinked_main_cf_stays_a_symlink_and_its_target_is_replaced(
        config_dir: Path, tmp_path: Path) -> None:
    """The old code turned the link into a regular file."""
    elsewhere = tmp_path / "real"
    elsewhere.mkdir()
    real = elsewhere / "postfix-main.conf"
    shutil.move(config_dir / "main.cf", real)
    os.chown(real, 4321, 8765)
    os.chmod(real, 0o600)
    (config_dir / "main.cf").symlink_to(real)
    before = real.read_bytes()
    result = apply_plan(plan_for(config_dir / "main.cf",
                                 setting("smtp_tls_security_level", "may")))
    assert result.applied
    assert (config_dir / "main.cf").is_symlink()
    assert os.readlink(config_dir / "main.cf") == str(real)
    assert "smtp_tls_security_level = may" in real.read_text()
    info = real.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o7777) == (4321, 8765, 0o600)
    assert result.backup is not None and result.backup.parent == elsewhere
    assert result.backup.read_bytes() == before
    assert postconf_n(config_dir)["smtp_tls_security_level"] == "may"


def test_a_change_that_fails_postfix_check_is_rolled_back_byte_identical(
        config_dir: Path) -> None:
    main_cf = config_dir / "main.cf"
    before = main_cf.read_bytes()
    inode = main_cf.stat().st_ino
    result = apply_plan(plan_for(main_cf, setting("queue_directory", "/nonexistent/queue")))
    assert (result.outcome, result.applied, result.rolled_back) == ("rolled_back", False, True)
    assert not result.check.ok and "/nonexistent/queue" in result.check.output
    assert "put back" in result.message
    assert main_cf.read_bytes() == before
    assert main_cf.stat().st_ino == inode, "the original file itself is back"
    assert result.backup is None and leftovers(config_dir) == []


def test_a_symlinked_main_cf_stays_a_symlink_after_a_rollback(config_dir: Path,
                                                              tmp_path: Path) -> None:
    real = tmp_path / "main.cf.real"
    shutil.move(config_dir / "main.cf", real)
    (config_dir / "main.cf").symlink_to(real)
    before = real.read_bytes()
    result = apply_plan(plan_for(config_dir / "main.cf",
                                 setting("queue_directory", "/nonexistent/queue")))
    assert result.outcome == "rolled_back"
    assert (config_dir / "main.cf").is_symlink() and real.read_bytes() == before


def test_postfix_check_reports_a_fatal_reason(config_dir: Path) -> None:
    (config_dir / "main.cf").write_text("this line has no equals sign\n")
    check = postfix_check(config_dir)
    assert check.ran and not check.ok
    assert "missing '='" in check.output


def test_postfix_check_quotes_a_folder_name_with_shell_characters(tmp_path: Path) -> None:
    """Postfix's own script refuses such a folder, naming it: the shell did not touch it."""
    directory = write_config(tmp_path / "it's; `odd` folder")
    check = postfix_check(directory)
    assert check.ran
    assert "`odd` folder" in check.output, "the folder reached postfix intact"


def test_nothing_to_change_writes_nothing(config_dir: Path) -> None:
    main_cf = config_dir / "main.cf"
    result = apply_plan(plan_for(main_cf, setting("myhostname", "test.example.com")))
    assert result.outcome == "unchanged" and not result.applied and result.backup is None
    assert leftovers(config_dir) == []


def test_a_file_that_cannot_be_read_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ApplyError, match="cannot read"):
        plan_for(tmp_path / "missing" / "main.cf", setting("relayhost", "b"))


def test_no_write_permission_is_a_clear_error_and_changes_nothing(config_dir: Path,
                                                                  tmp_path: Path) -> None:
    """A read-only bind mount: even root cannot write there."""
    mount = tmp_path / "ro"
    mount.mkdir()
    subprocess.run(["mount", "--bind", str(config_dir), str(mount)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(mount)], check=True)
        main_cf = mount / "main.cf"
        before = main_cf.read_bytes()
        with pytest.raises(ApplyError, match=r"no permission to write|cannot write"):
            apply_plan(plan_for(main_cf, setting("smtp_tls_security_level", "may")))
        assert main_cf.read_bytes() == before
        assert leftovers(config_dir) == []
    finally:
        subprocess.run(["umount", str(mount)], check=False)


# -- what may be written ------------------------------------------------------------------


def test_only_a_main_cf_may_be_edited(tmp_path: Path) -> None:
    """A third-party flow once made --apply append a line to ~/.bashrc."""
    bashrc = tmp_path / ".bashrc"
    bashrc.write_text("alias ll='ls -l'\n")
    with pytest.raises(ApplyError, match=r"is not a main\.cf"):
        plan_postconf(bashrc, [setting("smtp_tls_security_level", "may")],
                      named=[str(tmp_path), str(bashrc)])
    assert bashrc.read_text() == "alias ll='ls -l'\n"


def test_a_main_cf_in_a_folder_the_user_did_not_name_is_refused(config_dir: Path,
                                                                  tmp_path: Path) -> None:
    with pytest.raises(ApplyError, match="not in a config directory you named"):
        plan_postconf(config_dir / "main.cf", [setting("smtp_tls_security_level", "may")],
                      named=[str(tmp_path), "smtp.example.com", ""])


def test_the_named_main_cf_itself_is_accepted(config_dir: Path) -> None:
    plan = plan_postconf(config_dir / "main.cf", [setting("smtp_tls_security_level", "may")],
                         named=[str(config_dir / "main.cf")])
    assert plan.changes


@pytest.mark.parametrize(("action", "reason"), [
    (setting("no_such_postfix_parameter", "x"), "not a parameter this Postfix knows"),
    (setting("smtp_tls_security_level", "may\ntouch /tmp/owned"), "line break"),
    (setting("smtp_tls_security_level", "may\rx"), "line break"),
    (setting("smtp_tls_security_level", "may\x1b[2J"), "control character"),
    (setting("smtp_tls_security_level", "may\u2028x"), "line break"),
    (removal("not_a_parameter"), "not a parameter this Postfix knows"),
])
def test_unknown_parameters_and_multi_line_or_control_values_are_refused(
        config_dir: Path, action: PostconfAction, reason: str) -> None:
    before = (config_dir / "main.cf").read_bytes()
    with pytest.raises(ApplyError, match=reason):
        plan_for(config_dir / "main.cf", action)
    assert (config_dir / "main.cf").read_bytes() == before


@pytest.fixture
def bind_mount(config_dir: Path, tmp_path: Path) -> Iterator[Path]:
    """The config directory seen through a bind mount that a test may make read-only."""
    mount = tmp_path / "bound"
    mount.mkdir()
    subprocess.run(["mount", "--bind", str(config_dir), str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def read_only(mount: Path) -> None:
    subprocess.run(["mount", "-o", "remount,bind,ro", str(mount)], check=True)


def test_permission_lost_before_the_replace_changes_nothing_and_says_what_is_left(
        bind_mount: Path, config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    main_cf = bind_mount / "main.cf"
    before = main_cf.read_bytes()
    make_backup = apply_postconf._make_backup

    def lose_permission(real: Path, backup: Path, info: os.stat_result) -> bool:
        read_only(bind_mount)
        return make_backup(real, backup, info)

    monkeypatch.setattr(apply_postconf, "_make_backup", lose_permission)
    with pytest.raises(ApplyError) as caught:
        apply_plan(plan_for(main_cf, setting("smtp_tls_security_level", "may")))
    assert "Read-only file system; nothing was changed" in str(caught.value)
    assert main_cf.read_bytes() == before
    stray = leftovers(config_dir)
    assert [name for name in stray if name.endswith(".bak")] == []
    assert all(name in str(caught.value) for name in stray), "a file left behind is named"


def test_permission_lost_during_the_check_names_the_backup_to_restore(
        bind_mount: Path) -> None:
    main_cf = bind_mount / "main.cf"
    before = main_cf.read_bytes()

    def failing_after_remount(config_dir: Path) -> CheckResult:
        read_only(bind_mount)
        return CheckResult(True, False, "postfix: fatal: something is wrong")

    result = apply_plan(plan_for(main_cf, setting("smtp_tls_security_level", "may")),
                        check=failing_after_remount)
    assert result.outcome == "not_restored" and not result.applied
    assert result.message.startswith("postfix check failed, and the original could not")
    assert result.backup is not None and result.backup.read_bytes() == before
    assert f"it is in {result.backup}; restore it with: mv {result.backup}" in result.message


# -- someone else edits main.cf ----------------------------------------------------------


def test_an_edit_made_after_the_diff_is_kept_and_nothing_applied(config_dir: Path) -> None:
    """The old code silently overwrote it and said 'postfix check: ok'."""
    main_cf = config_dir / "main.cf"
    plan = plan_for(main_cf, setting("smtp_tls_security_level", "may"))
    theirs = main_cf.read_text() + "mynetworks = 127.0.0.0/8\n"
    main_cf.write_text(theirs)
    with pytest.raises(ApplyError, match="changed since the diff was made"):
        apply_plan(plan)
    assert main_cf.read_text() == theirs
    assert leftovers(config_dir) == []


def test_an_edit_made_into_the_file_during_the_replace_is_kept(
        config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer that appends in place just before the rename: detected after it, put back."""
    main_cf = config_dir / "main.cf"
    plan = plan_for(main_cf, setting("smtp_tls_security_level", "may"))
    theirs = main_cf.read_text() + "mynetworks = 127.0.0.0/8\n"
    swap = apply_postconf._swap_in

    def writer_first(temp: Path, real: Path, expected_inode: int) -> None:
        with open(real, "a") as handle:
            handle.write("mynetworks = 127.0.0.0/8\n")
        swap(temp, real, expected_inode)

    monkeypatch.setattr(apply_postconf, "_swap_in", writer_first)
    with pytest.raises(ApplyError, match="changed by someone else while applying"):
        apply_plan(plan)
    assert main_cf.read_text() == theirs
    assert leftovers(config_dir) == []


def test_a_version_renamed_into_place_during_the_replace_is_kept(
        config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer like ``postconf -e`` (write a copy, rename it over main.cf) just before ours."""
    main_cf = config_dir / "main.cf"
    plan = plan_for(main_cf, setting("smtp_tls_security_level", "may"))
    theirs = main_cf.read_text() + "mynetworks = 127.0.0.0/8\n"
    swap = apply_postconf._swap_in

    def writer_first(temp: Path, real: Path, expected_inode: int) -> None:
        (config_dir / "theirs.tmp").write_text(theirs)
        os.replace(config_dir / "theirs.tmp", real)
        swap(temp, real, expected_inode)

    monkeypatch.setattr(apply_postconf, "_swap_in", writer_first)
    with pytest.raises(ApplyError, match="replaced by someone else while applying"):
        apply_plan(plan)
    assert main_cf.read_text() == theirs
    assert leftovers(config_dir) == []


# -- disk full ---------------------------------------------------------------------------


def test_a_full_disk_before_writing_changes_nothing_and_leaves_no_empty_backup(
        tiny_disk: Path) -> None:
    main_cf = tiny_disk / "main.cf"
    before = main_cf.read_bytes()
    plan = plan_for(main_cf, setting("smtpd_banner", "x" * 3000))
    fill(tiny_disk.parent)
    with pytest.raises(ApplyError, match=r"No space left on device.*nothing was changed"):
        apply_plan(plan)
    assert main_cf.read_bytes() == before
    assert leftovers(tiny_disk) == []


def test_a_disk_that_fills_during_the_check_still_gets_the_original_back(
        tiny_disk: Path) -> None:
    """The old rollback wrote a new file, failed with a traceback and kept the bad config."""
    main_cf = tiny_disk / "main.cf"
    before = main_cf.read_bytes()

    def filling_check(config_dir: Path) -> CheckResult:
        fill(tiny_disk.parent)
        return CheckResult(True, False, "postfix: fatal: something is wrong")

    result = apply_plan(plan_for(main_cf, setting("smtp_tls_security_level", "may")),
                        check=filling_check)
    assert result.outcome == "rolled_back"
    assert main_cf.read_bytes() == before
    assert leftovers(tiny_disk) == []


def test_a_new_text_postfix_rejects_is_never_written(config_dir: Path) -> None:
    main_cf = config_dir / "main.cf"
    before = main_cf.read_bytes()
    result = apply_plan(plan_for(main_cf, setting("relayhost", "${broken")))
    assert (result.outcome, result.applied, result.rolled_back) == ("rejected", False, False)
    assert "macro" in result.message and "is unchanged" in result.message
    assert main_cf.read_bytes() == before
    assert leftovers(config_dir) == []


# -- a main.cf copied alone -----------------------------------------------------------------


def test_a_main_cf_alone_in_a_folder_is_read_by_postfix_and_says_what_was_not_checked(
        tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "main.cf").write_text(MAIN_CF)
    result = apply_plan(plan_for(copy / "main.cf", setting("smtp_tls_security_level", "may")))
    assert result.applied
    assert result.check.checked == ("parameter names (postconf -d)", "postconf -n")
    [missing] = result.check.not_checked
    assert missing.startswith("postfix check: ") and "not a full Postfix config" in missing
    assert "smtp_tls_security_level = may" in (copy / "main.cf").read_text()
    assert "postfix reload" not in result.message and "postfix check there" in result.message
    assert sorted(p.name for p in copy.iterdir()) == ["main.cf", result.backup.name]


# -- signals -----------------------------------------------------------------------------

CHILD = """
import json, sys
from pathlib import Path
from wizard.fixes.apply_postconf import apply_plan, plan_postconf
from wizard.fixes.vocabulary import PostconfAction
main_cf = Path(sys.argv[1])
action = PostconfAction(type="postconf", op="set", param="smtp_tls_security_level", value="may")
plan = plan_postconf(main_cf, [action], named=[str(main_cf.parent)])
result = apply_plan(plan)
print(json.dumps({"outcome": result.outcome, "message": result.message,
                  "signal": result.signal}))
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_postfix_check_puts_the_original_back(
        config_dir: Path, tmp_path: Path, signum: int) -> None:
    """The old code left the new, unchecked main.cf in place."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = tmp_path / "check-started"
    fake = bin_dir / "postfix"
    fake.write_text(f"#!/bin/sh\necho $$ > {marker}\nexec sleep 30\n")
    fake.chmod(0o755)
    main_cf = config_dir / "main.cf"
    before = main_cf.read_bytes()
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(main_cf)], env=env, cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not marker.exists() or not marker.read_text().strip():
            assert time.monotonic() < deadline, "postfix check never started"
            assert child.poll() is None, child.communicate()
            time.sleep(0.05)
        assert main_cf.read_bytes() != before, "the new file is in place during the check"
        child.send_signal(signum)
        out, err = child.communicate(timeout=20)
    finally:
        child.kill()
    assert "Traceback" not in err, err
    report = json.loads(out)
    assert report["outcome"] == "interrupted"
    assert report["signal"] == signal.Signals(signum).name
    assert "was put back unchanged" in report["message"]
    assert main_cf.read_bytes() == before
    assert leftovers(config_dir) == []
    pid = int(marker.read_text())
    status = Path(f"/proc/{pid}/status")
    assert not status.exists() or "State:\tZ" in status.read_text(), "the check was killed"


def test_a_postfix_check_that_hangs_is_killed_at_its_deadline(
        config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``postfix check`` runs through the one runner that kills the program's whole group."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = tmp_path / "pid"
    fake = bin_dir / "postfix"
    fake.write_text(f"#!/bin/sh\necho $$ > {marker}\nexec sleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    started = time.monotonic()
    check = postfix_check(config_dir, timeout=1.0)
    assert time.monotonic() - started < 10
    assert check.ran and not check.ok and "did not finish within 1s" in check.output
    time.sleep(0.5)
    status = Path(f"/proc/{int(marker.read_text())}/status")
    assert not status.exists() or "State:\tZ" in status.read_text(), "no postfix left behind"


def test_without_postfix_the_diff_is_shown_but_nothing_is_applied(
        config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Names and the new text cannot be checked without Postfix: never write unchecked."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr("wizard.postfix.process.SBIN_DIRS", ())
    main_cf = config_dir / "main.cf"
    before = main_cf.read_bytes()
    plan = plan_for(main_cf, setting("smtp_tls_security_level", "may"))
    assert "+smtp_tls_security_level = may" in plan.diff
    with pytest.raises(ApplyError, match="Postfix is not installed here"):
        apply_plan(plan)
    assert main_cf.read_bytes() == before and leftovers(config_dir) == []


def test_a_fifo_or_a_huge_file_named_main_cf_is_refused_at_once(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "main.cf")
    with pytest.raises(ApplyError, match="not a regular file"):
        plan_for(tmp_path / "main.cf", setting("relayhost", "x"))
    huge = tmp_path / "huge"
    huge.mkdir()
    with open(huge / "main.cf", "wb") as handle:
        handle.truncate(5 * 1024 * 1024)
    with pytest.raises(ApplyError, match="larger than"):
        plan_for(huge / "main.cf", setting("relayhost", "x"))
