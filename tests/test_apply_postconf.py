"""Postconf fixes applied to a real Postfix configuration: diff, backup, atomic, check, rollback."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from wizard.fixes.apply_postconf import ApplyError, apply_plan, plan_postconf, postfix_check
from wizard.fixes.maincf_edit import edit_main_cf
from wizard.flow.model import PostconfAction

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


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A Postfix configuration directory of its own, as `postconf -c` and `postfix -c` use."""
    directory = tmp_path / "postfix"
    (directory / "queue").mkdir(parents=True)
    (directory / "data").mkdir()
    shutil.copy("/usr/share/postfix/master.cf.dist", directory / "master.cf")
    (directory / "main.cf").write_text(
        MAIN_CF + f"queue_directory = {directory / 'queue'}\n"
        f"data_directory = {directory / 'data'}\n")
    return directory


def postconf_n(directory: Path) -> dict[str, str]:
    out = subprocess.run(["postconf", "-c", str(directory), "-n"], capture_output=True,
                         text=True, check=True).stdout
    return dict(line.split(" = ", 1) for line in out.splitlines())


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
    plan = plan_postconf(main_cf, [removal("smtp_use_tls"),
                                   setting("smtp_tls_security_level", "may")])
    assert main_cf.read_bytes() == before
    assert "-smtp_use_tls = yes" in plan.diff
    assert "+smtp_tls_security_level = may" in plan.diff
    assert list(config_dir.glob("main.cf.*.bak")) == []


def test_apply_backs_up_replaces_and_postconf_sees_the_new_values(config_dir: Path) -> None:
    main_cf = config_dir / "main.cf"
    before = main_cf.read_bytes()
    result = apply_plan(plan_postconf(main_cf, [removal("smtp_use_tls"),
                                                setting("smtp_tls_security_level", "may"),
                                                setting("relayhost", "[smtp.example.com]:587")]),
                        now=lambda: 1_800_000_000)
    assert result.applied and not result.rolled_back
    assert result.check.ran and result.check.ok
    assert result.backup is not None and result.backup.read_bytes() == before
    assert "email-wizard-" in result.backup.name
    values = postconf_n(config_dir)
    assert values["smtp_tls_security_level"] == "may"
    assert values["relayhost"] == "[smtp.example.com]:587"
    assert "smtp_use_tls" not in values
    assert "# Relaying through the provider" in main_cf.read_text()


def test_a_change_that_fails_postfix_check_is_rolled_back_byte_identical(
        config_dir: Path) -> None:
    main_cf = config_dir / "main.cf"
    before = main_cf.read_bytes()
    result = apply_plan(plan_postconf(main_cf, [setting("queue_directory",
                                                        "/nonexistent/queue")]))
    assert not result.applied and result.rolled_back
    assert not result.check.ok and "/nonexistent/queue" in result.check.output
    assert main_cf.read_bytes() == before
    assert result.backup is not None and result.backup.read_bytes() == before


def test_postfix_check_reports_a_fatal_reason(config_dir: Path) -> None:
    (config_dir / "main.cf").write_text("this line has no equals sign\n")
    check = postfix_check(config_dir)
    assert check.ran and not check.ok
    assert "missing '='" in check.output


def test_nothing_to_change_writes_nothing(config_dir: Path) -> None:
    main_cf = config_dir / "main.cf"
    result = apply_plan(plan_postconf(main_cf, [setting("myhostname", "test.example.com")]))
    assert not result.applied and result.backup is None
    assert list(config_dir.glob("main.cf.*.bak")) == []


def test_a_file_that_cannot_be_read_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ApplyError, match="cannot read"):
        plan_postconf(tmp_path / "missing" / "main.cf", [setting("a", "b")])


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
            apply_plan(plan_postconf(main_cf, [setting("smtp_tls_security_level", "may")]))
        assert main_cf.read_bytes() == before
        assert list(config_dir.glob("main.cf.*.bak")) == []
    finally:
        subprocess.run(["umount", str(mount)], check=False)
