"""smtp.starttls and smtp.implicit_tls: TLS version, certificate trust in words, EHLO offers."""

from __future__ import annotations

import sys

import pytest

from tests.servers.smtp_fixtures import SmtpServers

BOTH = pytest.mark.parametrize("probe", ["smtp.starttls", "smtp.implicit_tls"])


def variant_port(servers: SmtpServers, probe: str, variant: str) -> int:
    ports = servers.implicit_variants if probe == "smtp.implicit_tls" else servers.starttls_variants
    return ports[variant]


async def test_starttls_to_a_good_server_is_ok_and_auth_appears_only_after_tls(
        smtp_servers: SmtpServers) -> None:
    result = await smtp_servers.run("smtp.starttls", host="mail.test",
                                    port=smtp_servers.submission)
    assert result.outcome == "tls_ok"
    facts = result.facts
    assert facts["tls_version"] in ("TLSv1.2", "TLSv1.3")
    assert facts["tls_cipher"]
    assert facts["cert_verified"] is True
    assert facts["cert_problem"] is None
    assert facts["tls_server_name"] == "mail.test"
    assert "mail.test" in facts["cert_sans"]
    assert "email-wizard test CA" in facts["cert_issuer"]
    assert facts["cert_not_after"].startswith("3000-")
    assert facts["starttls_offered"] is True
    assert facts["auth_before_tls"] == []
    assert facts["auth_after_tls"] == ["LOGIN", "PLAIN"]
    assert "STARTTLS" in facts["extensions_before_tls"]
    assert "STARTTLS" not in facts["extensions_after_tls"]
    assert facts["smtputf8"] is True and facts["eightbitmime"] is True
    assert facts["size_limit"] == 33554432


async def test_implicit_tls_to_a_good_server_is_ok(smtp_servers: SmtpServers) -> None:
    result = await smtp_servers.run("smtp.implicit_tls", host="127.0.0.1",
                                    port=smtp_servers.smtps)
    assert result.outcome == "tls_ok"
    assert result.facts["cert_verified"] is True
    assert result.facts["starttls_offered"] is False
    assert result.facts["auth_after_tls"] == ["LOGIN", "PLAIN"]
    assert result.facts["greeting_code"] == 220


@BOTH
async def test_a_server_stuck_at_tls_1_1_is_below_1_2(smtp_servers: SmtpServers,
                                                      probe: str) -> None:
    result = await smtp_servers.run(probe, host="127.0.0.1",
                                    port=variant_port(smtp_servers, probe, "tls1_1"))
    assert result.outcome == "tls_below_1_2"
    assert result.facts["tls_version"] in ("TLSv1", "TLSv1.1")
    assert "TLS 1.2" in result.summary
    assert result.facts["cert_sans"] == ["mail.test", "localhost", "127.0.0.1", "::1"]


@BOTH
@pytest.mark.parametrize(("variant", "reason", "words"), [
    ("wrong_host", "hostname_mismatch", "for another name"),
    ("expired", "expired", "has expired"),
    ("self_signed", "self_signed", "self-signed"),
    ("unknown_ca", "unknown_ca", "does not trust"),
])
async def test_an_untrusted_certificate_says_why(smtp_servers: SmtpServers, probe: str,
                                                 variant: str, reason: str, words: str) -> None:
    result = await smtp_servers.run(probe, host="127.0.0.1",
                                    port=variant_port(smtp_servers, probe, variant))
    assert result.outcome == "cert_untrusted"
    assert result.facts["cert_verified"] is False
    assert result.facts["cert_problem"] == reason
    assert result.facts["cert_problem_text"]
    assert words in result.summary
    assert result.facts["tls_version"] in ("TLSv1.2", "TLSv1.3")
    assert result.facts["cert_subject"]


async def test_the_expired_certificate_tells_when_it_expired(smtp_servers: SmtpServers) -> None:
    result = await smtp_servers.run("smtp.starttls", host="127.0.0.1",
                                    port=smtp_servers.starttls_variants["expired"])
    assert result.facts["cert_not_after"] == "2020-03-31T00:00:00+00:00"


async def test_without_the_ca_file_the_test_ca_is_unknown(smtp_servers: SmtpServers) -> None:
    result = await smtp_servers.run("smtp.starttls", smtp_servers.ctx(trust=False),
                                    host="mail.test", port=smtp_servers.submission)
    assert result.outcome == "cert_untrusted"
    assert result.facts["cert_problem"] == "unknown_ca"
    assert result.facts["auth_after_tls"] == ["LOGIN", "PLAIN"]


async def test_the_certificate_is_checked_against_tls_server_name_not_the_address(
        smtp_servers: SmtpServers) -> None:
    wrong_host = smtp_servers.starttls_variants["wrong_host"]
    matching = await smtp_servers.run("smtp.starttls", host="127.0.0.1", port=wrong_host,
                                      tls_server_name="other.test")
    assert matching.outcome == "tls_ok"
    assert matching.facts["tls_server_name"] == "other.test"
    mismatching = await smtp_servers.run("smtp.starttls", host="127.0.0.1",
                                         port=smtp_servers.submission,
                                         tls_server_name="smtp.elsewhere.test")
    assert mismatching.outcome == "cert_untrusted"
    assert mismatching.facts["cert_problem"] == "hostname_mismatch"


async def test_a_server_without_starttls_says_so(smtp_servers: SmtpServers) -> None:
    result = await smtp_servers.run("smtp.starttls", host="127.0.0.1",
                                    port=smtp_servers.scripted["plain"])
    assert result.outcome == "starttls_not_offered"
    assert result.facts["starttls_offered"] is False
    assert result.facts["auth_before_tls"] == ["PLAIN", "LOGIN"]
    assert result.facts["tls_version"] is None


async def test_a_refused_starttls_keeps_the_servers_reply(smtp_servers: SmtpServers) -> None:
    result = await smtp_servers.run("smtp.starttls", host="127.0.0.1",
                                    port=smtp_servers.scripted["starttls_refused"])
    assert result.outcome == "starttls_refused"
    assert result.facts["reply_code"] == 454
    assert result.facts["enhanced_code"] == "4.7.0"
    assert result.facts["reply_text"] == "4.7.0 TLS not available due to temporary reason"


async def test_garbage_after_starttls_is_a_failed_handshake(smtp_servers: SmtpServers) -> None:
    result = await smtp_servers.run("smtp.starttls", host="127.0.0.1",
                                    port=smtp_servers.scripted["not_tls"])
    assert result.outcome == "handshake_failed"
    assert result.facts["stage"] == "tls"
    assert result.facts["cert_verified"] is None


async def test_implicit_tls_against_a_plain_text_port_is_a_failed_handshake(
        smtp_servers: SmtpServers) -> None:
    result = await smtp_servers.run("smtp.implicit_tls", host="127.0.0.1",
                                    port=smtp_servers.scripted["plain"])
    assert result.outcome == "handshake_failed"
    assert result.facts["greeting_code"] is None


async def test_without_cryptography_a_verified_certificate_is_still_described(
        smtp_servers: SmtpServers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cryptography", None)
    result = await smtp_servers.run("smtp.starttls", host="mail.test",
                                    port=smtp_servers.submission)
    assert result.outcome == "tls_ok"
    assert result.facts["cert_sans"] == ["mail.test", "localhost", "127.0.0.1", "::1"]
    assert result.facts["cert_not_after"] == "3000-01-01T00:00:00+00:00"
    assert "email-wizard test CA" in str(result.facts["cert_issuer"])


async def test_a_server_that_hangs_up_at_starttls_is_closed(smtp_servers: SmtpServers) -> None:
    result = await smtp_servers.run("smtp.starttls", host="127.0.0.1",
                                    port=smtp_servers.scripted["drop_at_starttls"])
    assert result.outcome == "closed"
    assert result.facts["stage"] == "starttls"
    assert "C: STARTTLS" in result.evidence
