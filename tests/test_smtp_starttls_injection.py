"""STARTTLS response injection: plaintext after ``220 Ready to start TLS`` is never a TLS reply.

The injecting server is aiosmtpd (tests/servers/smtp.py, ``InjectingSmtp``):
its 220 to STARTTLS carries, in the same write, a forged EHLO reply offering
``AUTH PLAIN LOGIN``; over TLS the server offers no AUTH at all. A client
that keeps the plaintext across the handshake takes the forgery for the
server's EHLO over TLS and reports AUTH offered and a healthy relay. The
wizard must report what the server says over TLS and flag the injection —
in the probes, and as a finding in the port-connectivity and postfix-tls flows.
"""

from __future__ import annotations

from tests.servers.relay_fixtures import TlsRelays
from tests.servers.smtp import PASSWORD, USER
from tests.servers.smtp_fixtures import SmtpServers
from tests.test_flow_port_connectivity import endpoint, facts, finding_ids, run, steps
from tests.test_flow_postfix_tls import MakePostfix, healthy_settings, last_step, run_flow
from tests.test_flow_postfix_tls import write_config as write_postfix_config

FORGED = "AUTH PLAIN LOGIN"


async def test_starttls_reports_the_injected_plaintext_and_what_tls_says(
        smtp_servers: SmtpServers) -> None:
    result = await smtp_servers.run("smtp.starttls", host="mail.test",
                                    port=smtp_servers.injecting)
    assert result.outcome == "starttls_injection"
    assert FORGED in str(result.facts["plaintext_after_starttls"])
    assert result.facts["auth_after_tls"] == []
    assert "AUTH" not in result.facts["extensions_after_tls"]
    assert result.facts["cert_verified"] is True
    assert result.facts["tls_version"] in ("TLSv1.2", "TLSv1.3")
    assert "middlebox or a broken server" in result.summary
    assert "offers no AUTH" in result.summary
    after_tls = result.evidence[next(i for i, line in enumerate(result.evidence)
                                     if line.startswith("(TLS: TLSv")):]
    assert not any(FORGED in line for line in after_tls)


async def test_submission_is_not_ready_when_the_auth_offer_was_injected(
        smtp_servers: SmtpServers) -> None:
    result = await smtp_servers.run("smtp.submission", host="mail.test",
                                    port=smtp_servers.injecting)
    assert result.outcome == "starttls_injection"
    assert result.facts["auth_after_tls"] == []


async def test_auth_after_an_injection_goes_by_what_the_server_says_over_tls(
        smtp_servers: SmtpServers) -> None:
    result = await smtp_servers.run("smtp.auth", host="mail.test", port=smtp_servers.injecting,
                                    username=USER, password=PASSWORD)
    assert result.outcome == "mechanism_not_offered"
    assert result.facts["auth_after_tls"] == []
    assert result.facts["reply_code"] == 504
    assert FORGED in str(result.facts["plaintext_after_starttls"])


async def test_an_honest_server_sends_no_plaintext_after_starttls(
        smtp_servers: SmtpServers) -> None:
    result = await smtp_servers.run("smtp.starttls", host="mail.test",
                                    port=smtp_servers.submission)
    assert result.outcome == "tls_ok"
    assert result.facts["plaintext_after_starttls"] is None


def test_port_connectivity_flags_the_injection_instead_of_a_healthy_endpoint(
        smtp_servers: SmtpServers) -> None:
    out = run(*endpoint(smtp_servers.injecting, "--ca-file", smtp_servers.ca_file))
    assert out["status"] == "problem"
    assert steps(out) == ["endpoint", "connect", "smtp", "starttls_injected"]
    assert finding_ids(out) == ["smtp.starttls-injection"]
    message = out["findings"][0]["message"]
    assert "250-AUTH PLAIN LOGIN\\r\\n" in message
    assert message.endswith("the server offers: 8BITMIME, HELP, SIZE, SMTPUTF8.")
    assert facts(out, "smtp")["smtp.auth_after_tls"] == []


def test_postfix_tls_flags_a_relay_path_that_injects_plaintext(
        make_postfix: MakePostfix, tls_relays: TlsRelays) -> None:
    settings = {**healthy_settings(tls_relays), "relayhost": tls_relays.relayhost("injecting")}
    conf = write_postfix_config(make_postfix, tls_relays, settings)
    code, out = run_flow(conf, ca_file=tls_relays.ca_file)
    assert last_step(out) == "relay_starttls_injected"
    assert code == 1
    finding = next(f for f in out["findings"] if f["id"] == "postfix.relay-starttls-injection")
    assert FORGED in finding["message"]
    assert finding["message"].endswith("the relay offers: 8BITMIME, HELP, SIZE, SMTPUTF8.")
