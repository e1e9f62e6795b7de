"""Every SMTP probe result carries the facts its spec promises, whatever the outcome."""

from __future__ import annotations

from typing import Any

import pytest

from tests.servers.smtp import PASSWORD, USER
from tests.servers.smtp_fixtures import SmtpServers
from wizard.probes.registry import PROBES

CREDS = {"username": USER, "password": PASSWORD}
ENVELOPE = {**CREDS, "mail_from": "app@example.com", "rcpt_to": "to@example.net"}
SERVERS = ["submission", "smtps", "closed", "silent", "too_many_connections", "plain",
           "tls1_1", "expired"]
PROBE_PARAMS: dict[str, dict[str, Any]] = {
    "smtp.banner": {}, "smtp.starttls": {}, "smtp.implicit_tls": {},
    "smtp.auth": CREDS, "smtp.envelope": ENVELOPE,
}


def port_of(servers: SmtpServers, name: str, probe: str) -> int:
    implicit = probe == "smtp.implicit_tls"
    if name in ("submission", "smtps", "closed"):
        return int(getattr(servers, name))
    if name in ("tls1_1", "expired"):
        return (servers.implicit_variants if implicit else servers.starttls_variants)[name]
    return servers.scripted[name]


@pytest.mark.parametrize("probe", list(PROBE_PARAMS))
async def test_the_promised_facts_are_there_for_every_outcome(smtp_servers: SmtpServers,
                                                             probe: str) -> None:
    spec = PROBES[probe]
    for name in SERVERS:
        result = await smtp_servers.run(probe, smtp_servers.ctx(timeout=0.5), host="127.0.0.1",
                                        port=port_of(smtp_servers, name, probe),
                                        **PROBE_PARAMS[probe])
        missing = spec.facts_for(result.outcome) - set(result.facts)
        assert not missing, (name, result.outcome, missing)
        assert set(result.facts) <= set(spec.facts), (name, set(result.facts) - set(spec.facts))
