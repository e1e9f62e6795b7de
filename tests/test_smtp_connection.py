"""What every SMTP probe does when the conversation never really starts.

Each networked SMTP probe meets the same peers: a closed port, a port that
accepts and never speaks, a server that hangs up, one that drops the line
mid-EHLO, one that greets with 421, a name that does not exist, a resolver
that never answers, and (in a namespace of its own) an unreachable route.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.helpers import probes_in_netns
from tests.servers.smtp import PASSWORD, USER
from tests.servers.smtp_fixtures import SmtpServers
from wizard.probes.base import ProbeContext

CREDENTIALS = {"username": USER, "password": PASSWORD}
PROBES: dict[str, dict[str, Any]] = {
    "smtp.banner": {},
    "smtp.starttls": {},
    "smtp.implicit_tls": {},
    "smtp.auth": CREDENTIALS,
    "smtp.envelope": {**CREDENTIALS, "mail_from": "app@example.com", "rcpt_to": "to@example.net"},
}
every_probe = pytest.mark.parametrize("probe", list(PROBES))


def implicit(probe: str) -> bool:
    return probe == "smtp.implicit_tls"


@every_probe
async def test_a_closed_port_is_refused(smtp_servers: SmtpServers, probe: str) -> None:
    result = await smtp_servers.run(probe, host="127.0.0.1", port=smtp_servers.closed,
                                    **PROBES[probe])
    assert result.outcome == "refused"
    assert result.facts["address"] == "127.0.0.1"
    assert result.facts["stage"] == "connect"


@every_probe
async def test_a_port_that_never_speaks_is_silent_and_returns_within_its_timeout(
        smtp_servers: SmtpServers, probe: str) -> None:
    started = time.monotonic()
    result = await smtp_servers.run(probe, smtp_servers.ctx(timeout=1.0), host="127.0.0.1",
                                    port=smtp_servers.scripted["silent"], **PROBES[probe])
    assert time.monotonic() - started < 1.0 + 1.0
    assert result.outcome == "silent"
    assert result.facts["stage"] == ("tls" if implicit(probe) else "greeting")


@every_probe
async def test_a_server_that_hangs_up_at_once_is_closed(smtp_servers: SmtpServers,
                                                       probe: str) -> None:
    port = (smtp_servers.implicit_hang_up if implicit(probe)
            else smtp_servers.scripted["hang_up"])
    result = await smtp_servers.run(probe, host="127.0.0.1", port=port, **PROBES[probe])
    assert result.outcome == "closed"
    assert result.facts["stage"] == "greeting"
    assert result.facts["greeting_code"] is None


@pytest.mark.parametrize("probe", [p for p in PROBES if not implicit(p)])
async def test_a_connection_dropped_mid_ehlo_is_closed(smtp_servers: SmtpServers,
                                                       probe: str) -> None:
    result = await smtp_servers.run(probe, host="127.0.0.1",
                                    port=smtp_servers.scripted["drop_at_ehlo"], **PROBES[probe])
    assert result.outcome == "closed"
    assert result.facts["stage"] == "ehlo"
    assert result.facts["greeting_code"] == 220
    assert "C: EHLO localhost" in result.evidence


@every_probe
async def test_a_421_greeting_is_rejected_with_the_servers_words(smtp_servers: SmtpServers,
                                                                 probe: str) -> None:
    port = (smtp_servers.implicit_rejected if implicit(probe)
            else smtp_servers.scripted["too_many_connections"])
    result = await smtp_servers.run(probe, host="127.0.0.1", port=port, **PROBES[probe])
    assert result.outcome == "rejected"
    assert result.facts["greeting_code"] == 421
    assert result.facts["reply_code"] == 421
    assert result.facts["reply_text"] == "Too many connections, try again later"
    assert "Too many connections" in result.summary


@every_probe
async def test_a_name_that_does_not_resolve_is_name_not_found(smtp_servers: SmtpServers,
                                                              probe: str) -> None:
    result = await smtp_servers.run(probe, host="nosuch.test", port=smtp_servers.submission,
                                    **PROBES[probe])
    assert result.outcome == "name_not_found"
    assert result.facts["address"] is None


@every_probe
async def test_a_resolver_that_never_answers_is_a_timeout(smtp_servers: SmtpServers,
                                                          probe: str) -> None:
    ctx = ProbeContext(timeout=1.0, nameservers=(smtp_servers.mute_dns,))
    started = time.monotonic()
    result = await smtp_servers.run(probe, ctx, host="mail.test", port=smtp_servers.submission,
                                    **PROBES[probe])
    assert time.monotonic() - started < 1.0 + 1.0
    assert result.outcome == "timeout"
    assert result.facts["stage"] == "connect"


@every_probe
async def test_the_host_name_is_resolved_through_the_contexts_resolver(
        smtp_servers: SmtpServers, probe: str) -> None:
    port = smtp_servers.smtps if implicit(probe) else smtp_servers.submission
    result = await smtp_servers.run(probe, host="mail.test", port=port, **PROBES[probe])
    assert result.facts["address"] == "127.0.0.1"
    assert result.facts["greeting_code"] == 220




def test_no_route_to_the_host_is_unreachable_for_every_probe(
        unreachable_netns: tuple[str, str]) -> None:
    namespace, address = unreachable_netns
    params = {probe: {"host": address, "port": 587, **extra} for probe, extra in PROBES.items()}
    found = probes_in_netns(namespace, params)
    assert {probe: r["outcome"] for probe, r in found.items()} == dict.fromkeys(
        PROBES, "unreachable")


@pytest.mark.parametrize("error", [ConnectionResetError, ConnectionAbortedError])
async def test_a_reset_right_after_the_handshake_is_a_hang_up_not_a_missing_route(
        monkeypatch: pytest.MonkeyPatch, error: type[OSError]) -> None:
    """A server (or a middlebox) that resets the connection as soon as it is made hung up:
    'closed', not 'unreachable: no route' as before. (A fake socket opener: a real peer
    cannot time its reset between the kernel and the event loop.)"""
    from wizard.probes.runner import RegistryRunner
    from wizard.probes.support import smtp_session

    async def reset(*_: Any) -> Any:
        raise error(104, "Connection reset by peer")

    monkeypatch.setattr(smtp_session, "_open_socket", reset)
    found = await RegistryRunner(ProbeContext(timeout=2)).run(
        "smtp.banner", {"host": "127.0.0.1", "port": 2525})
    assert found.outcome == "closed"
    assert "connected, then reset at once by the other end" in "\n".join(found.evidence)
