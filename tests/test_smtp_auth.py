"""smtp.auth: the credentials are tried only where it is safe, and every refusal is named."""

from __future__ import annotations

import pytest

from tests.servers.smtp import PASSWORD, THROTTLED_USER, USER, leaked
from tests.servers.smtp_fixtures import SmtpServers
from wizard.probes.base import ProbeResult
from wizard.probes.runner import ProbeFailed


async def auth(servers: SmtpServers, port: int, username: str = USER,
               password: str = PASSWORD, **params: object) -> ProbeResult:
    result = await servers.run("smtp.auth", host="127.0.0.1", port=port, username=username,
                               password=password, **params)
    assert leaked(result, username, password) == []
    return result


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
async def test_good_credentials_after_starttls_are_ok(smtp_servers: SmtpServers,
                                                      mechanism: str) -> None:
    result = await auth(smtp_servers, smtp_servers.submission, mechanism=mechanism)
    assert result.outcome == "ok"
    assert result.facts["reply_code"] == 235
    assert result.facts["enhanced_code"] == "2.7.0"
    assert result.facts["tls_version"] in ("TLSv1.2", "TLSv1.3")
    assert result.facts["mechanism_offered"] is True
    assert result.facts["username"] == USER


async def test_good_credentials_over_implicit_tls_are_ok(smtp_servers: SmtpServers) -> None:
    result = await auth(smtp_servers, smtp_servers.smtps, tls="implicit")
    assert result.outcome == "ok"
    assert result.facts["cert_verified"] is True


async def test_a_wrong_password_is_invalid_credentials(smtp_servers: SmtpServers) -> None:
    result = await auth(smtp_servers, smtp_servers.submission, password="not-the-password")
    assert result.outcome == "invalid_credentials"
    assert result.facts["reply_code"] == 535
    assert result.facts["reply_text"] == "Authentication credentials invalid"
    assert result.facts["credentials_sent"] is True
    assert result.facts["stage"] == "auth"


async def test_repeated_failures_are_throttled(smtp_servers: SmtpServers) -> None:
    result = await auth(smtp_servers, smtp_servers.submission, username=THROTTLED_USER)
    assert result.outcome == "throttled"
    assert result.facts["reply_code"] == 421
    assert result.facts["reply_text"] == "Too many auth failures, try again later"


async def test_auth_on_the_plain_connection_is_tls_required_and_no_password_is_sent(
        smtp_servers: SmtpServers) -> None:
    result = await auth(smtp_servers, smtp_servers.submission, tls="none")
    assert result.outcome == "tls_required"
    assert result.facts["reply_code"] == 538
    assert result.facts["credentials_sent"] is False
    assert result.facts["auth_before_tls"] == []


@pytest.mark.parametrize(("server", "code"), [("auth_needs_tls_530", 530),
                                              ("auth_needs_tls_535", 535)])
async def test_530_or_535_before_any_credentials_on_plain_text_is_tls_required(
        smtp_servers: SmtpServers, server: str, code: int) -> None:
    result = await auth(smtp_servers, smtp_servers.scripted[server], tls="none")
    assert result.outcome == "tls_required"
    assert result.facts["reply_code"] == code
    assert result.facts["credentials_sent"] is False


async def test_a_mechanism_missing_from_ehlo_is_not_offered_and_not_tried(
        smtp_servers: SmtpServers) -> None:
    result = await auth(smtp_servers, smtp_servers.scripted["auth_plain_only"], tls="none",
                        mechanism="LOGIN")
    assert result.outcome == "mechanism_not_offered"
    assert result.facts["mechanism_offered"] is False
    assert result.facts["credentials_sent"] is False
    assert "C: AUTH LOGIN" not in result.evidence


async def test_504_method_not_supported_is_mechanism_not_offered(
        smtp_servers: SmtpServers) -> None:
    result = await auth(smtp_servers, smtp_servers.scripted["auth_method_not_supported"],
                        tls="none")
    assert result.outcome == "mechanism_not_offered"
    assert result.facts["reply_code"] == 504
    assert result.facts["reply_text"] == "Method not supported"


async def test_a_server_without_auth_says_auth_not_offered(smtp_servers: SmtpServers) -> None:
    result = await auth(smtp_servers, smtp_servers.scripted["no_auth"], tls="none")
    assert result.outcome == "auth_not_offered"
    assert result.facts["reply_code"] == 503


async def test_any_other_reply_is_kept_as_unexpected(smtp_servers: SmtpServers) -> None:
    result = await auth(smtp_servers, smtp_servers.scripted["auth_bad_base64"], tls="none")
    assert result.outcome == "auth_unexpected_reply"
    assert result.facts["reply_code"] == 501
    assert result.facts["reply_text"] == "Invalid command argument, not a valid Base64 string"


async def test_421_after_the_credentials_is_throttled(smtp_servers: SmtpServers) -> None:
    result = await auth(smtp_servers, smtp_servers.scripted["auth_throttled"], tls="none")
    assert result.outcome == "throttled"
    assert result.facts["credentials_sent"] is True


async def test_no_starttls_means_tls_failed_and_no_credentials_sent(
        smtp_servers: SmtpServers) -> None:
    result = await auth(smtp_servers, smtp_servers.scripted["plain"])
    assert result.outcome == "tls_failed"
    assert result.facts["tls_problem"] == "starttls_not_offered"
    assert result.facts["credentials_sent"] is False


async def test_an_expired_certificate_stops_before_the_credentials(
        smtp_servers: SmtpServers) -> None:
    result = await auth(smtp_servers, smtp_servers.starttls_variants["expired"])
    assert result.outcome == "tls_failed"
    assert result.facts["tls_problem"] == "cert_untrusted"
    assert result.facts["cert_problem"] == "expired"
    assert result.facts["credentials_sent"] is False
    assert not any(line.startswith("C: AUTH") for line in result.evidence)


async def test_a_server_echoing_the_credentials_cannot_make_them_leak(
        smtp_servers: SmtpServers) -> None:
    result = await auth(smtp_servers, smtp_servers.scripted["echoes_credentials"], tls="none")
    assert result.outcome == "invalid_credentials"
    assert "<secret removed>" in str(result.facts["reply_text"])


async def test_the_password_is_hidden_in_the_parameters(smtp_servers: SmtpServers) -> None:
    with pytest.raises(ProbeFailed) as failure:
        await smtp_servers.run("smtp.auth", host="127.0.0.1", port=smtp_servers.submission,
                               password=PASSWORD, mechanism="CRAM-MD5")
    assert PASSWORD not in str(failure.value)
    assert "username" in str(failure.value)


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
async def test_a_250_after_the_credentials_is_not_success(smtp_servers: SmtpServers,
                                                          mechanism: str) -> None:
    result = await auth(smtp_servers, smtp_servers.auth_250, mechanism=mechanism)
    assert result.outcome == "auth_unexpected_reply"
    assert result.facts["credentials_sent"] is True
    assert result.facts["reply_code"] == 250
    assert "250" in result.summary


async def test_an_envelope_does_not_count_a_250_to_auth_as_authenticated(
        smtp_servers: SmtpServers) -> None:
    result = await smtp_servers.run("smtp.envelope", host="127.0.0.1",
                                    port=smtp_servers.auth_250, username=USER, password=PASSWORD,
                                    mail_from="app@example.com", rcpt_to="to@example.net")
    assert result.outcome == "auth_failed"
    assert result.facts["auth_outcome"] == "auth_unexpected_reply"
    assert result.facts["authenticated"] is False
    assert not any(line.startswith("C: MAIL") for line in result.evidence)
