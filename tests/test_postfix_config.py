"""postfix.config reads the real ``postconf -n`` of a test config directory, or a main.cf."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.servers.postfix import write_config_dir
from wizard.postfix import process
from wizard.probes.base import ProbeContext, ProbeResult
from wizard.probes.runner import RegistryRunner

BROKEN_TLS = """\
# a relay set up from an old how-to
relayhost = smtp.email.us-ashburn-1.oci.oraclecloud.com:587
smtp_use_tls = yes
smtp_tls_security_level = may
smtp_tls_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1,
    !TLSv1.2
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = hash:${config_directory}/sasl_passwd
smtp_sasl_security_options = noanonymous
"""


async def probe(timeout: float = 5.0, **params: Any) -> ProbeResult:
    """Run postfix.config through the registry, as a flow would."""
    return await RegistryRunner(ProbeContext(timeout=timeout)).run("postfix.config", params)


@pytest.fixture
def no_postfix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A machine without Postfix: nothing on PATH, nothing in sbin."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(process, "SBIN_DIRS", ())


def installed_version() -> str:
    return subprocess.run(["postconf", "-d", "-h", "mail_version"], capture_output=True,
                          text=True, check=True, timeout=30).stdout.strip()


async def test_broken_tls_settings_are_read_from_postconf_with_flat_facts(tmp_path: Path) -> None:
    conf = write_config_dir(tmp_path / "conf", BROKEN_TLS)
    result = await probe(config_directory=str(conf))
    assert result.outcome == "read"
    facts = result.facts
    assert facts["source"] == "postconf"
    assert facts["mail_version"] == installed_version()
    assert facts["relayhost"] == "smtp.email.us-ashburn-1.oci.oraclecloud.com:587"
    assert facts["smtp_use_tls"] == "yes"
    assert facts["smtp_tls_security_level"] == "may"
    assert facts["smtp_tls_protocols"] == "!SSLv2, !SSLv3, !TLSv1, !TLSv1.1, !TLSv1.2"
    assert facts["smtp_sasl_password_maps"] == f"hash:{conf}/sasl_passwd"
    assert facts["smtp_enforce_tls"] == ""
    assert facts["smtp_sasl_mechanism_filter"] == ""
    assert facts["params"]["smtp_sasl_password_maps"] == "hash:${config_directory}/sasl_passwd"
    assert "config_directory" not in facts["params"]
    assert facts["param_lines"]["smtp_tls_protocols"] == 5
    assert facts["main_cf"] == str(conf / "main.cf")
    assert "smtp_use_tls = yes" in result.evidence


async def test_parameters_postfix_does_not_know_are_dropped_with_its_warning(
        tmp_path: Path) -> None:
    conf = write_config_dir(tmp_path / "conf", "relayhost = [r]:587\nrelay_host = [r]:587\n")
    result = await probe(config_directory=str(conf))
    assert result.outcome == "read"
    assert result.facts["params"] == {"relayhost": "[r]:587"}
    assert any("unused parameter: relay_host" in w for w in result.facts["warnings"])


async def test_a_main_cf_path_is_read_through_postconf_on_its_directory(tmp_path: Path) -> None:
    conf = write_config_dir(tmp_path / "conf", BROKEN_TLS)
    result = await probe(main_cf=str(conf / "main.cf"))
    assert (result.outcome, result.facts["source"]) == ("read", "postconf")
    assert result.facts["smtp_use_tls"] == "yes"


async def test_a_copy_with_another_name_is_parsed_directly(tmp_path: Path) -> None:
    copy = tmp_path / "main.cf.from-server"
    copy.write_text(BROKEN_TLS)
    result = await probe(main_cf=str(copy))
    assert (result.outcome, result.facts["source"]) == ("read", "main_cf")
    assert result.facts["mail_version"] == installed_version()
    assert result.facts["smtp_tls_security_level"] == "may"
    assert result.facts["smtp_sasl_password_maps"] == f"hash:{tmp_path}/sasl_passwd"


@pytest.mark.usefixtures("no_postfix")
async def test_without_postfix_the_config_directory_main_cf_is_parsed(tmp_path: Path) -> None:
    conf = write_config_dir(tmp_path / "conf", BROKEN_TLS)
    result = await probe(config_directory=str(conf))
    assert result.outcome == "read"
    assert result.facts["source"] == "main_cf"
    assert result.facts["mail_version"] == ""
    assert result.facts["relayhost"] == "smtp.email.us-ashburn-1.oci.oraclecloud.com:587"
    assert result.facts["param_lines"]["smtp_sasl_auth_enable"] == 7


@pytest.mark.usefixtures("no_postfix")
async def test_without_postfix_and_without_a_file_it_says_not_installed() -> None:
    result = await probe()
    assert result.outcome == "not_installed"
    assert result.facts["source"] == "none"


async def test_a_missing_config_directory_is_unreadable(tmp_path: Path) -> None:
    result = await probe(config_directory=str(tmp_path / "nowhere"))
    assert result.outcome == "unreadable"
    assert "No such file or directory" in str(result.facts["reason"])


async def test_a_file_given_as_config_directory_is_unreadable(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    result = await probe(config_directory=str(not_a_dir))
    assert result.outcome == "unreadable"
    assert "Not a directory" in str(result.facts["reason"])


@pytest.mark.usefixtures("no_postfix")
async def test_without_postfix_a_directory_given_as_main_cf_is_unreadable(tmp_path: Path) -> None:
    result = await probe(main_cf=str(tmp_path))
    assert result.outcome == "unreadable"
    assert result.facts["source"] == "main_cf"


async def test_a_line_postconf_rejects_is_invalid_with_postconfs_reason(tmp_path: Path) -> None:
    conf = write_config_dir(tmp_path / "conf", "relayhost = [r]:587\nthis is garbage\n")
    result = await probe(config_directory=str(conf))
    assert result.outcome == "invalid"
    assert "line 2: missing '=' after attribute name" in str(result.facts["reason"])


@pytest.mark.usefixtures("no_postfix")
async def test_without_postfix_the_parser_rejects_the_same_line(tmp_path: Path) -> None:
    conf = write_config_dir(tmp_path / "conf", "relayhost = [r]:587\nthis is garbage\n")
    result = await probe(config_directory=str(conf))
    assert (result.outcome, result.facts["source"]) == ("invalid", "main_cf")
    assert "line 2" in str(result.facts["reason"])


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmdline:
            found.append(cmdline)
    return found


async def test_a_postconf_that_blocks_is_killed_and_reported_as_timeout(tmp_path: Path) -> None:
    conf = tmp_path / "fifo-conf"
    conf.mkdir()
    os.mkfifo(conf / "main.cf")
    result = await probe(timeout=0.5, config_directory=str(conf))
    assert result.outcome == "timeout"
    assert _processes_mentioning(str(conf)) == []


@pytest.mark.usefixtures("no_postfix")
async def test_without_postfix_a_main_cf_nobody_writes_times_out(tmp_path: Path) -> None:
    fifo = tmp_path / "main.cf"
    os.mkfifo(fifo)
    result = await probe(timeout=0.5, main_cf=str(fifo))
    assert (result.outcome, result.facts["source"]) == ("timeout", "main_cf")


async def test_the_running_test_instance_is_read_like_any_installation(
        postfix_deferred: Any) -> None:
    result = await probe(config_directory=str(postfix_deferred.config_directory))
    assert result.outcome == "read"
    assert result.facts["relayhost"] == f"[127.0.0.1]:{postfix_deferred.relay_port}"
    assert result.facts["params"]["inet_interfaces"] == "loopback-only"


async def test_cancelling_a_blocked_postconf_kills_it(tmp_path: Path) -> None:
    conf = tmp_path / "fifo-conf"
    conf.mkdir()
    os.mkfifo(conf / "main.cf")
    task = asyncio.ensure_future(process.run_program(["postconf", "-c", str(conf), "-n"], 60))
    for _ in range(600):
        if _processes_mentioning(str(conf)):
            break
        await asyncio.sleep(0.05)
    assert _processes_mentioning(str(conf)), "postconf never started"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert _processes_mentioning(str(conf)) == []


@pytest.mark.parametrize("postfix_present", [True, False])
async def test_credentials_written_into_main_cf_never_leave_the_probe(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postfix_present: bool) -> None:
    conf = write_config_dir(tmp_path / "conf", (
        "relayhost = [smtp.example.com]:587\n"
        "smtp_sasl_password_maps = static:ocid1.user.oc1..apikey:S3cretPassw0rd\n"
        "smtp_sasl_pasword_maps = inline:{ [smtp.example.com]:587=user:S3cretPassw0rd }\n"))
    if not postfix_present:
        monkeypatch.setenv("PATH", str(tmp_path))
        monkeypatch.setattr(process, "SBIN_DIRS", ())
    result = await probe(config_directory=str(conf))
    assert result.outcome == "read"
    assert result.facts["smtp_sasl_password_maps"] == "static:<redacted>"
    everything = repr((result.summary, result.evidence, dict(result.facts)))
    assert "S3cretPassw0rd" not in everything


async def test_a_rejected_line_holding_credentials_is_quoted_without_them(tmp_path: Path) -> None:
    conf = write_config_dir(tmp_path / "conf", "smtp_sasl_password_maps static:u:S3cret\n")
    result = await probe(config_directory=str(conf))
    assert result.outcome == "invalid"
    assert "S3cret" not in repr((result.summary, result.evidence, dict(result.facts)))
