"""smtp.submission_ports: the submission checks on every port at once — real servers on loopback.

The STARTTLS port is the reference aiosmtpd submission server, the implicit-TLS one
its smtps twin; the failures are the scripted servers of tests/servers/smtp.py.
"""

from __future__ import annotations

import ssl
import time
from pathlib import Path
from typing import Any

import pytest
import trustme

from tests.helpers import probes_in_netns
from tests.servers.port_fixtures import Peers, PortServers, port_free_on
from tests.servers.smtp import LOOPBACK, Script
from tests.servers.smtp_fixtures import SmtpServers
from wizard.probes.base import ProbeContext, ProbeResult


async def ports(smtp_servers: SmtpServers, *checked: int, ctx: ProbeContext | None = None,
                **params: Any) -> ProbeResult:
    return await smtp_servers.run("smtp.submission_ports", ctx, host="127.0.0.1",
                                  ports=",".join(map(str, checked)), **params)


async def test_a_starttls_port_and_an_implicit_tls_port_are_both_ready(
        smtp_servers: SmtpServers) -> None:
    sub, smtps = smtp_servers.submission, smtp_servers.smtps
    result = await ports(smtp_servers, sub, smtps, implicit_tls_ports=f"465,{smtps}")
    assert result.outcome == "ready"
    assert result.facts["ready_ports"] == [sub, smtps]
    assert result.facts["implicit_tls_ports"] == [smtps]
    assert [(r["port"], r["tls_mode"], r["outcome"]) for r in result.facts["results"]] == [
        (sub, "STARTTLS", "ready"), (smtps, "implicit TLS", "ready")]
    assert result.facts["port"] == sub


async def test_an_implicit_tls_port_checked_with_starttls_is_not_ready(
        smtp_servers: SmtpServers) -> None:
    """Without being told, 465-style TLS from the first byte looks silent to STARTTLS."""
    result = await ports(smtp_servers, smtp_servers.smtps, ctx=smtp_servers.ctx(timeout=1.0))
    assert result.outcome == "silent"
    assert result.facts["tls_mode"] == "STARTTLS"


async def test_the_first_port_that_is_not_ready_decides_and_the_others_are_reported(
        smtp_servers: SmtpServers) -> None:
    sub = smtp_servers.submission
    plain, refused = smtp_servers.scripted["plain"], smtp_servers.scripted["starttls_refused"]
    result = await ports(smtp_servers, sub, plain, refused)
    assert result.outcome == "starttls_not_offered"
    assert (result.facts["port"], result.facts["ready_ports"]) == (plain, [sub])
    report = result.facts["report"]
    assert report.startswith(f"{sub} (STARTTLS) ready: TLSv1.")
    assert report.endswith(f", AUTH LOGIN PLAIN; {plain} (STARTTLS) starttls_not_offered; "
                           f"{refused} (STARTTLS) starttls_refused")
    assert f"(other ports: {sub} (STARTTLS) ready" in result.summary
    assert f"{refused} (STARTTLS) starttls_refused)" in result.summary


async def test_an_implicit_port_without_auth_is_auth_not_offered(
        smtp_servers: SmtpServers, port_servers: PortServers, tmp_path: Path) -> None:
    """TLS from the first byte but no AUTH in EHLO: the same rule as after STARTTLS."""
    ca = trustme.CA()
    ca_file = str(tmp_path / "ca.pem")
    ca.cert_pem.write_to_path(ca_file)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert(LOOPBACK).configure_cert(context)
    port = port_free_on(LOOPBACK)
    peers = Peers(port_servers.loop)
    peers.smtp(LOOPBACK, port, Script(implicit=context, ehlo=("SIZE 10485760", "8BITMIME")))
    try:
        result = await ports(smtp_servers, port, implicit_tls_ports=port,
                             ctx=ProbeContext(timeout=3.0, ca_file=ca_file))
    finally:
        peers.close()
    assert result.outcome == "auth_not_offered"
    assert (result.facts["tls_mode"], result.facts["auth_after_tls"]) == ("implicit TLS", [])
    assert result.facts["tls_version"] in ("TLSv1.2", "TLSv1.3")
    assert "no AUTH is offered" in result.summary


async def test_a_scripted_implicit_tls_server_with_auth_is_ready(
        smtp_servers: SmtpServers) -> None:
    port = smtp_servers.implicit_variants["good"]
    result = await ports(smtp_servers, port, implicit_tls_ports=port)
    assert result.outcome == "ready"
    assert (result.facts["tls_mode"], result.facts["auth_after_tls"]) == (
        "implicit TLS", ["PLAIN", "LOGIN"])


async def test_slow_ports_are_checked_at_once_not_one_after_the_other(
        smtp_servers: SmtpServers) -> None:
    silent = smtp_servers.scripted["silent"]
    started = time.monotonic()
    result = await ports(smtp_servers, silent, smtp_servers.submission,
                         ctx=smtp_servers.ctx(timeout=1.0))
    assert result.outcome == "silent"
    assert time.monotonic() - started < 1.9


async def test_a_name_that_does_not_exist_is_name_not_found(smtp_servers: SmtpServers) -> None:
    result = await smtp_servers.run("smtp.submission_ports", host="nosuch.test", ports="587")
    assert result.outcome == "name_not_found"


async def test_a_resolver_that_never_answers_is_a_timeout(smtp_servers: SmtpServers) -> None:
    ctx = ProbeContext(timeout=1.0, nameservers=(smtp_servers.mute_dns,))
    result = await smtp_servers.run("smtp.submission_ports", ctx, host="mail.test",
                                    ports="587,465")
    assert result.outcome == "timeout"


@pytest.mark.parametrize("bad", ["0", "587,70000", ""])
async def test_ports_out_of_range_or_none_are_refused_by_the_parameters(
        smtp_servers: SmtpServers, bad: str) -> None:
    from wizard.probes.runner import ProbeFailed

    with pytest.raises(ProbeFailed):
        await smtp_servers.run("smtp.submission_ports", host="127.0.0.1", ports=bad)




def test_no_route_to_the_host_is_unreachable(unreachable_netns: tuple[str, str]) -> None:
    namespace, address = unreachable_netns
    found = probes_in_netns(namespace, {"smtp.submission_ports": {"host": address,
                                                                  "ports": "587,465"}})
    assert found["smtp.submission_ports"]["outcome"] == "unreachable"


async def test_every_result_carries_exactly_the_facts_the_spec_promises(
        smtp_servers: SmtpServers) -> None:
    from wizard.probes.registry import PROBES

    promised = set(PROBES["smtp.submission_ports"].facts)
    for checked in ((smtp_servers.submission,), (smtp_servers.closed,),
                    (smtp_servers.submission, smtp_servers.scripted["plain"])):
        result = await ports(smtp_servers, *checked)
        assert set(result.facts) == promised, result.outcome
