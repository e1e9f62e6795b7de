"""Fixtures for the real SMTP test servers (see tests/servers/smtp.py for their design)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from tests.helpers import free_port
from tests.servers.smtp import (
    LOOPBACK,
    TLS_VARIANTS,
    Pki,
    ReferenceHandler,
    Script,
    ServerLoop,
    start_auth_250,
    start_injecting,
    start_submission,
)
from wizard.probes.base import Nameserver, ProbeContext, ProbeResult
from wizard.probes.runner import RegistryRunner

PROBE_TIMEOUT = 3.0
PLAIN_EHLO = ("SIZE 10485760", "8BITMIME", "SMTPUTF8", "AUTH PLAIN LOGIN")

SCRIPTS: Mapping[str, Script] = {
    "plain": Script(ehlo=PLAIN_EHLO),
    "silent": Script(greeting=None),
    "hang_up": Script(hang_up_at_connect=True),
    "drop_at_ehlo": Script(hang_up_on="EHLO"),
    "drop_at_starttls": Script(hang_up_on="STARTTLS"),
    "too_many_connections": Script(greeting="421 Too many connections, try again later"),
    "starttls_refused": Script(
        replies={"STARTTLS": "454 4.7.0 TLS not available due to temporary reason"}),
    "not_tls": Script(garbage_instead_of_tls=True),
    "auth_method_not_supported": Script(ehlo=PLAIN_EHLO,
                                        replies={"AUTH": "504 Method not supported"}),
    "auth_plain_only": Script(ehlo=("SIZE 10485760", "AUTH PLAIN")),
    "auth_needs_tls_530": Script(ehlo=("SIZE 10485760",), replies={
        "AUTH": "530 5.7.0 Must issue a STARTTLS command first"}),
    "auth_needs_tls_535": Script(ehlo=("SIZE 10485760",),
                                 replies={"AUTH": "535 Authentication required"}),
    "no_auth": Script(ehlo=("SIZE 10485760", "8BITMIME"),
                      replies={"AUTH": "503 5.5.1 Error: authentication not enabled"}),
    "auth_bad_base64": Script(ehlo=PLAIN_EHLO, replies={
        "AUTH": "501 Invalid command argument, not a valid Base64 string"}),
    "auth_throttled": Script(ehlo=PLAIN_EHLO,
                             auth_reply="421 Too many auth failures, try again later"),
    "echoes_credentials": Script(ehlo=PLAIN_EHLO, echo_credentials=True),
    "mail_needs_auth": Script(ehlo=PLAIN_EHLO, replies={"MAIL": "535 Authentication required"}),
    "mail_server_error": Script(ehlo=PLAIN_EHLO, replies={"MAIL": "451 Server error"}),
    "no_rcpt_yet": Script(ehlo=PLAIN_EHLO, replies={"RCPT": "250 OK",
                                                    "DATA": "503 Need RCPT command"}),
}
"""Scripted plain-text servers by name (the TLS ones are made from the certificates)."""


@dataclass(frozen=True)
class SmtpServers:
    """Every running SMTP test server, and how to reach it."""

    ca_file: str
    submission: int
    """aiosmtpd, STARTTLS with the good certificate; AUTH only after TLS; AUTH before MAIL."""
    smtps: int
    """aiosmtpd, TLS from the first byte with the good certificate; same accounts, AUTH optional."""
    handler: ReferenceHandler
    scripted: Mapping[str, int]
    starttls_variants: Mapping[str, int]
    implicit_variants: Mapping[str, int]
    implicit_rejected: int
    implicit_hang_up: int
    closed: int
    dns: Nameserver
    mute_dns: Nameserver
    injecting: int
    """aiosmtpd, STARTTLS whose 220 carries forged plaintext (a fake EHLO with AUTH); no AUTH."""
    auth_250: int
    """aiosmtpd, STARTTLS, AUTH after TLS answered with 250 instead of 235."""

    def ctx(self, timeout: float = PROBE_TIMEOUT, trust: bool = True) -> ProbeContext:
        """A context resolving through the stub DNS, trusting the test CA unless told not to."""
        return ProbeContext(timeout=timeout, nameservers=(self.dns,),
                            ca_file=self.ca_file if trust else None)

    async def run(self, probe: str, ctx: ProbeContext | None = None,
                  **params: Any) -> ProbeResult:
        """Run ``probe`` through the real runner (parameter validation, timeout, outcome check)."""
        return await RegistryRunner(ctx or self.ctx()).run(probe, params)


@pytest.fixture(scope="session")
def smtp_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpServers]:
    """Start every SMTP test server once per session; stop them all at the end."""
    pki = Pki(tmp_path_factory.mktemp("smtp-pki"))
    handler = ReferenceHandler()
    loop = ServerLoop()
    controllers = []
    try:
        controllers.append(start_submission(handler, pki.context("good"), implicit=False))
        controllers.append(start_submission(handler, pki.context("good"), implicit=True))
        controllers.append(start_injecting(pki.context("good")))
        controllers.append(start_auth_250(pki.context("good")))
        scripted = {name: loop.scripted(script) for name, script in SCRIPTS.items()}
        starttls_variants = {v: loop.scripted(Script(starttls=pki.context(v)))
                             for v in TLS_VARIANTS}
        implicit_variants = {v: loop.scripted(Script(implicit=pki.context(v)))
                             for v in TLS_VARIANTS}
        yield SmtpServers(
            ca_file=pki.ca_file,
            submission=controllers[0].port,
            smtps=controllers[1].port,
            handler=handler,
            scripted=scripted,
            starttls_variants=starttls_variants,
            implicit_variants=implicit_variants,
            implicit_rejected=loop.scripted(Script(
                implicit=pki.context("good"),
                greeting="421 Too many connections, try again later")),
            implicit_hang_up=loop.scripted(Script(implicit=pki.context("good"),
                                                  hang_up_at_connect=True)),
            closed=free_port(LOOPBACK),
            dns=Nameserver(LOOPBACK, loop.stub_dns({"mail.test": LOOPBACK})),
            mute_dns=Nameserver(LOOPBACK, loop.mute_dns()),
            injecting=controllers[2].port,
            auth_250=controllers[3].port,
        )
    finally:
        for controller in controllers:
            controller.stop()
        loop.stop()
