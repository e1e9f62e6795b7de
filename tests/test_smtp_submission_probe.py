"""smtp.submission: STARTTLS, TLS 1.2+, a trusted certificate and AUTH after TLS — real servers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import probes_in_netns
from tests.servers.port_fixtures import PortServers
from tests.servers.smtp_fixtures import SmtpServers
from wizard.probes.base import ProbeContext, ProbeResult


async def submission(smtp_servers: SmtpServers, port: int, ctx: ProbeContext | None = None,
                     **params: Any) -> ProbeResult:
    return await smtp_servers.run("smtp.submission", ctx, host="127.0.0.1", port=port, **params)


async def test_the_reference_submission_server_is_ready(smtp_servers: SmtpServers) -> None:
    result = await submission(smtp_servers, smtp_servers.submission)
    assert result.outcome == "ready"
    assert result.facts["tls_version"] in ("TLSv1.2", "TLSv1.3")
    assert result.facts["auth_after_tls"] == ["LOGIN", "PLAIN"]
    assert result.facts["cert_problem_words"] == ""
    assert "offered after TLS" in result.summary


async def test_no_auth_after_starttls_is_auth_not_offered(smtp_servers: SmtpServers,
                                                          port_servers: PortServers) -> None:
    ctx = ProbeContext(timeout=3.0, ca_file=port_servers.ca_file)
    result = await submission(smtp_servers, port_servers.no_auth_after_tls, ctx)
    assert result.outcome == "auth_not_offered"
    assert result.facts["auth_after_tls"] == []
    assert result.facts["cert_verified"] is True


async def test_starttls_masked_by_a_firewall_is_stripped(smtp_servers: SmtpServers,
                                                         port_servers: PortServers) -> None:
    result = await submission(smtp_servers, port_servers.starttls_masked)
    assert result.outcome == "starttls_stripped"
    assert result.facts["masked_extensions"] == ["XXXXXXXA"]
    assert result.facts["starttls_offered"] is False


async def test_no_starttls_and_no_trace_of_it_is_not_offered(smtp_servers: SmtpServers) -> None:
    result = await submission(smtp_servers, smtp_servers.scripted["plain"])
    assert result.outcome == "starttls_not_offered"
    assert result.facts["masked_extensions"] == []


@pytest.mark.parametrize(("server", "outcome"), [
    ("starttls_refused", "starttls_refused"),
    ("not_tls", "handshake_failed"),
    ("too_many_connections", "rejected"),
    ("hang_up", "closed"),
])
async def test_scripted_failures_keep_the_starttls_outcome(smtp_servers: SmtpServers,
                                                           server: str, outcome: str) -> None:
    result = await submission(smtp_servers, smtp_servers.scripted[server])
    assert result.outcome == outcome


async def test_tls_1_1_only_is_below_1_2(smtp_servers: SmtpServers) -> None:
    result = await submission(smtp_servers, smtp_servers.starttls_variants["tls1_1"])
    assert result.outcome == "tls_below_1_2"
    assert result.facts["tls_version"] == "TLSv1.1"


@pytest.mark.parametrize(("variant", "words"), [
    ("expired", "the certificate has expired"),
    ("wrong_host", "the certificate is for another name"),
    ("self_signed", "the certificate is self-signed"),
    ("unknown_ca", "the certificate is signed by an authority this machine does not trust"),
])
async def test_an_untrusted_certificate_says_why_in_words(smtp_servers: SmtpServers,
                                                          variant: str, words: str) -> None:
    result = await submission(smtp_servers, smtp_servers.starttls_variants[variant])
    assert result.outcome == "cert_untrusted"
    assert result.facts["cert_problem_words"] == words


async def test_a_silent_server_is_silent(smtp_servers: SmtpServers) -> None:
    result = await submission(smtp_servers, smtp_servers.scripted["silent"],
                              smtp_servers.ctx(timeout=1.0))
    assert result.outcome == "silent"


async def test_a_closed_port_is_refused(smtp_servers: SmtpServers) -> None:
    result = await submission(smtp_servers, smtp_servers.closed)
    assert result.outcome == "refused"


async def test_a_name_that_does_not_exist_is_name_not_found(smtp_servers: SmtpServers) -> None:
    result = await smtp_servers.run("smtp.submission", host="nosuch.test", port=587)
    assert result.outcome == "name_not_found"


async def test_a_resolver_that_never_answers_is_a_timeout(smtp_servers: SmtpServers) -> None:
    ctx = ProbeContext(timeout=1.0, nameservers=(smtp_servers.mute_dns,))
    result = await smtp_servers.run("smtp.submission", ctx, host="mail.test", port=587)
    assert result.outcome == "timeout"




def test_no_route_to_the_host_is_unreachable(unreachable_netns: tuple[str, str]) -> None:
    namespace, address = unreachable_netns
    found = probes_in_netns(namespace, {"smtp.submission": {"host": address, "port": 587}})
    assert found["smtp.submission"]["outcome"] == "unreachable"


async def test_every_result_carries_exactly_the_facts_the_spec_promises(
        smtp_servers: SmtpServers) -> None:
    from wizard.probes.registry import PROBES

    promised = set(PROBES["smtp.submission"].facts)
    for port in (smtp_servers.submission, smtp_servers.closed, smtp_servers.scripted["plain"]):
        result = await submission(smtp_servers, port)
        assert set(result.facts) == promised, result.outcome
