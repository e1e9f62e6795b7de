"""smtp.auth_plain_lint: the three 501s of the reference page, and the quieter mistakes, offline."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.servers.smtp import leaked
from wizard.probes.base import ProbeContext, ProbeResult
from wizard.probes.registry import PROBES
from wizard.probes.runner import ProbeFailed, RegistryRunner

USER = "ocid1.user.oc1..aaaalintuser"
PASSWORD = "canary-L1nt-secret-77"


def b64(data: str | bytes) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return base64.b64encode(raw).decode("ascii")


async def lint(**params: Any) -> ProbeResult:
    result = await RegistryRunner(ProbeContext(timeout=2.0)).run("smtp.auth_plain_lint", params)
    assert leaked(result, USER, PASSWORD) == []
    assert set(result.facts) == set(PROBES["smtp.auth_plain_lint"].facts)
    if "auth_string" in params:
        assert params["auth_string"].strip() not in repr(result)
    return result


async def test_a_correct_string_for_the_given_credentials_is_well_formed() -> None:
    result = await lint(username=USER, password=PASSWORD, auth_string=b64(f"\0{USER}\0{PASSWORD}"))
    assert result.outcome == "well_formed"
    assert result.facts["nul_count"] == 2
    assert result.facts["username_matches"] is True
    assert result.facts["password_matches"] is True
    assert result.facts["decoded_username"] == USER


async def test_credentials_alone_are_checked_too() -> None:
    result = await lint(username=USER, password=PASSWORD)
    assert result.outcome == "well_formed"
    assert result.facts["checked"] == "credentials"


async def test_text_that_is_not_base64_is_named_as_the_501_does() -> None:
    result = await lint(auth_string="this is not base64!")
    assert result.outcome == "not_base64"
    assert "not a valid Base64 string" in result.summary


async def test_a_string_without_nul_is_no_nul() -> None:
    result = await lint(auth_string=b64(f"{USER}{PASSWORD}"))
    assert result.outcome == "no_nul"
    assert result.facts["nul_count"] == 0


async def test_a_literal_backslash_zero_from_echo_is_explained() -> None:
    result = await lint(auth_string=b64(f"\\0{USER}\\0{PASSWORD}\n"))
    assert result.outcome == "no_nul"
    assert result.facts["literal_backslash_zero"] is True
    assert any("printf" in line for line in result.evidence)


async def test_a_string_with_one_nul_is_no_second_nul() -> None:
    result = await lint(auth_string=b64(f"{USER}\0{PASSWORD}"))
    assert result.outcome == "no_second_nul"
    assert result.facts["nul_count"] == 1
    assert result.facts["decoded_username"] is None


async def test_a_third_nul_is_extra_nul() -> None:
    result = await lint(auth_string=b64(f"\0{USER}\0{PASSWORD}\0"))
    assert result.outcome == "extra_nul"
    assert result.facts["nul_count"] == 3


async def test_a_nul_inside_the_credentials_is_extra_nul() -> None:
    result = await lint(username=USER, password=f"pass\0{PASSWORD}")
    assert result.outcome == "extra_nul"


async def test_the_newline_echo_adds_is_found() -> None:
    result = await lint(auth_string=b64(f"\0{USER}\0{PASSWORD}\n") + "\n")
    assert result.outcome == "trailing_newline"
    assert result.facts["trailing_newline"] is True
    assert result.facts["whitespace_stripped"] is True
    assert "echo" in result.summary


async def test_a_password_read_with_its_line_break_is_found() -> None:
    result = await lint(username=USER, password=PASSWORD + "\n")
    assert result.outcome == "trailing_newline"


async def test_a_string_for_other_credentials_is_a_mismatch_without_showing_them() -> None:
    result = await lint(username=USER, password=PASSWORD,
                        auth_string=b64(f"\0{USER}\0an-older-password"))
    assert result.outcome == "mismatch"
    assert result.facts["username_matches"] is True
    assert result.facts["password_matches"] is False
    assert "an-older-password" not in repr(result)


async def test_non_ascii_credentials_are_flagged() -> None:
    result = await lint(auth_string=b64("\0usér\0pässwörd"))
    assert result.outcome == "non_ascii"
    assert result.facts["non_ascii_fields"] == ["username", "password"]
    assert result.facts["utf8_valid"] is True
    assert "pässwörd" not in repr(result)


async def test_latin1_encoded_credentials_are_not_utf8() -> None:
    result = await lint(auth_string=b64("\0user\0pässwörd".encode("latin-1")))
    assert result.outcome == "non_ascii"
    assert result.facts["utf8_valid"] is False


async def test_non_ascii_credentials_alone_are_flagged() -> None:
    result = await lint(username="usér", password=PASSWORD)
    assert result.outcome == "non_ascii"
    assert result.facts["non_ascii_fields"] == ["username"]


async def test_a_pasted_auth_plain_command_is_understood() -> None:
    result = await lint(auth_string="AUTH PLAIN " + b64(f"\0{USER}\0{PASSWORD}"))
    assert result.outcome == "well_formed"
    assert result.facts["command_prefix_removed"] is True


async def test_a_check_that_cannot_finish_in_time_is_a_timeout() -> None:
    result = await lint(auth_string=b64(f"\0{USER}\0{PASSWORD}"), timeout=1e-9)
    assert result.outcome == "timeout"


async def test_nothing_to_check_is_a_usage_error() -> None:
    with pytest.raises(ProbeFailed, match="give auth_string, or username and password"):
        await lint(username=USER)
