"""``run``'s OCI options: bad input exits 2 naming the file or profile; the help says how."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import cli
from tests.servers.oci_fixtures import OciLab


def env_without_oci(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCI_CLI_")}
    env.update(extra)
    return env


TCP = ["run", "tcp-port", "--set", "host=127.0.0.1", "--set", "port=1", "--timeout", "1"]


@pytest.mark.parametrize(("options", "expected"), [
    (["--oci-config", "{dir}/nonexistent"], "{dir}/nonexistent: no such file"),
    (["--oci-config", "{dir}"], "cannot read"),
    (["--oci-config", "{config}", "--oci-profile", "NOPE"], "OCI profile NOPE: not in"),
    (["--oci-endpoint", "ftp://x"], "expected an https:// URL"),
    (["--oci-auth", "password"], "invalid choice"),
])
def test_a_named_config_or_profile_that_cannot_be_used_is_bad_input(
        oci_lab: OciLab, options: list[str], expected: str) -> None:
    names = {"dir": str(oci_lab.directory), "config": str(oci_lab.config)}
    result = cli(*TCP, *(o.format(**names) for o in options), env=env_without_oci())
    assert result.returncode == 2, result.stderr
    assert expected.format(**names) in result.stderr
    assert "Traceback" not in result.stderr


def test_the_environment_names_the_config_and_profile_like_the_oci_cli(
        oci_lab: OciLab, tmp_path: Path) -> None:
    missing = cli(*TCP, env=env_without_oci(OCI_CLI_CONFIG_FILE=str(tmp_path / "gone")))
    assert missing.returncode == 2 and "$OCI_CLI_CONFIG_FILE file" in missing.stderr
    profile = cli(*TCP, env=env_without_oci(OCI_CLI_CONFIG_FILE=str(oci_lab.config),
                                            OCI_CLI_PROFILE="ELSEWHERE"))
    assert profile.returncode == 2 and "OCI profile ELSEWHERE" in profile.stderr


def test_without_any_oci_config_a_run_works_as_before(tmp_path: Path) -> None:
    result = cli(*TCP, env=env_without_oci(HOME=str(tmp_path)))
    assert result.returncode in (0, 1), result.stderr


def test_run_help_names_the_extra_and_the_passphrase_variable() -> None:
    out = cli("run", "--help").stdout
    assert "email-wizard[oci]" in out and "EMAIL_WIZARD_OCI_PASSPHRASE" in out


def test_without_a_profile_the_trail_says_what_the_api_would_add(tmp_path: Path) -> None:
    result = cli("run", "undelivered-mail", "--set", "error=554 rejected", "--timeout", "2",
                 env=env_without_oci(HOME=str(tmp_path)))
    assert result.returncode == 1, result.stderr
    assert "not read from OCI (no OCI profile)" in result.stdout
    assert "pip install 'email-wizard[oci]'" in result.stdout
    assert "whether each recipient is on the suppression list" in result.stdout
