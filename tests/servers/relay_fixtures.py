"""Relays on port 587 for the postfix-tls flow, each on its own loopback address.

Why port 587 on 127.x.y.z: a Postfix relayhost is checked against the ports the
provider profile serves (587 and 25 for any relay), so a relay on a random
high port could never be healthy. Every relay gets its own address in
127.0.0.0/8 (a random /24 per session, so parallel runs do not collide) and
listens on 587 there — still loopback only. The good relay is aiosmtpd
(STARTTLS, AUTH only after TLS), the others are scripted servers of
tests/servers/smtp.py: TLS 1.1 only, no AUTH after TLS, no STARTTLS; an aiosmtpd
relay injects plaintext after its 220 to STARTTLS; one address has nothing
listening. One trustme CA signs a certificate for all the
addresses; its PEM file is what the tests give as ``--ca-file``.
"""

from __future__ import annotations

import asyncio
import random
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller

from tests.servers.smtp import (
    Accounts,
    Pki,
    ReferenceHandler,
    Script,
    ScriptedSmtp,
    ServerLoop,
    _server_context,
    start_injecting,
)

PORT = 587
ROLES = ("good", "tls1_1", "no_auth", "no_starttls", "closed", "injecting")


@dataclass(frozen=True)
class TlsRelays:
    """The relays' addresses (all on port 587) and the CA file that makes them trusted."""

    ca_file: str
    good: str
    tls1_1: str
    no_auth: str
    no_starttls: str
    closed: str
    injecting: str
    """aiosmtpd whose 220 to STARTTLS carries forged plaintext lines; no AUTH over TLS."""

    def relayhost(self, role: str) -> str:
        """``[address]:587`` of a relay."""
        return f"[{getattr(self, role)}]:{PORT}"


def _free_block() -> list[str]:
    """One loopback address per role, where nothing listens on 587 yet."""
    for _ in range(50):
        prefix = f"127.{random.randint(100, 250)}.{random.randint(0, 255)}"
        addresses = [f"{prefix}.{i}" for i in range(1, len(ROLES) + 1)]
        try:
            for address in addresses:
                with socket.socket() as probe:
                    probe.bind((address, PORT))
        except OSError:
            continue
        return addresses
    raise RuntimeError("no free loopback /24 with port 587 unused")


@pytest.fixture(scope="session")
def tls_relays(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsRelays]:
    """Start the relays once per session; stop them at the end."""
    addresses = dict(zip(ROLES, _free_block(), strict=True))
    pki = Pki(tmp_path_factory.mktemp("relay-pki"))
    chain = tmp_path_factory.mktemp("relay-cert") / "relays.pem"
    pki.ca.issue_cert(*addresses.values()).private_key_and_cert_chain_pem.write_to_path(chain)
    good = _server_context((str(chain), str(chain)))
    legacy = _server_context((str(chain), str(chain)), legacy_only=True)
    controller = Controller(ReferenceHandler(), hostname=addresses["good"], port=PORT,
                            server_hostname="relay.test", tls_context=good,
                            authenticator=Accounts(), auth_require_tls=True,
                            auth_required=True)
    controller.start()
    try:
        injecting = start_injecting(good, addresses["injecting"], PORT)
    except BaseException:
        controller.stop()
        raise
    loop = ServerLoop()
    scripts = {
        "tls1_1": Script(starttls=legacy),
        "no_auth": Script(starttls=good, ehlo=("SIZE 10485760", "STARTTLS")),
        "no_starttls": Script(ehlo=("SIZE 10485760", "AUTH PLAIN LOGIN")),
    }
    try:
        for role, script in scripts.items():
            async def start(script: Script = script, role: str = role) -> asyncio.AbstractServer:
                return await asyncio.start_server(ScriptedSmtp(script), addresses[role], PORT)

            loop.servers.append(loop.call(start()))
        yield TlsRelays(ca_file=pki.ca_file, **addresses)
    finally:
        controller.stop()
        injecting.stop()
        loop.stop()
