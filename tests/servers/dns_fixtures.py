"""Fixtures for the real DNS test servers (Knot DNS on loopback; see tests/servers/knot.py)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.helpers import free_port
from tests.servers.knot import KnotServer, SilentServer, zone_set
from wizard.probes.base import Nameserver, ProbeContext

AUTHORITATIVE_ADDRESSES = ("127.0.0.2", "127.0.0.3")
"""Where the authoritative servers listen, all at one shared port (the zones' NS glue)."""
UNREACHABLE_NS = "127.0.0.4"
"""Listed as a nameserver of dead.test; nothing listens there."""
BROKEN_ZONES = ("broken.test",)
"""Zones the resolver is configured for whose file does not load: it answers SERVFAIL."""
PROBE_TIMEOUT = 3.0


def _port_free_everywhere(addresses: tuple[str, ...]) -> int:
    """A port free for both UDP and TCP on every address in ``addresses``."""
    for _ in range(50):
        port = free_port(addresses[0])
        sockets: list[socket.socket] = []
        try:
            for address in addresses:
                for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                    sock = socket.socket(socket.AF_INET, kind)
                    sockets.append(sock)
                    sock.bind((address, port))
            return port
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no port free on all of " + ", ".join(addresses))


@dataclass(frozen=True)
class DnsServers:
    """The running test DNS servers."""

    resolver: Nameserver
    authoritative_port: int
    silent: Nameserver

    def ctx(self, timeout: float = PROBE_TIMEOUT, authoritative: bool = False) -> ProbeContext:
        """A probe context that sends every lookup to the test resolver."""
        return ProbeContext(timeout=timeout, nameservers=(self.resolver,),
                            authoritative_port=self.authoritative_port,
                            authoritative=authoritative)

    def silent_ctx(self, timeout: float = 1.0) -> ProbeContext:
        """A probe context whose only nameserver never answers."""
        return ProbeContext(timeout=timeout, nameservers=(self.silent,),
                            authoritative_port=self.authoritative_port)


@pytest.fixture(scope="session")
def knot_resolver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnotServer]:
    """The knot server playing the resolver: every test zone, some of them stale."""
    zones = {**zone_set("common"), **zone_set("resolver")}
    server = KnotServer(tmp_path_factory.mktemp("knot-resolver"), ["127.0.0.1"],
                        _port_free_everywhere(("127.0.0.1",)), zones, BROKEN_ZONES)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def knot_authoritative(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[KnotServer]]:
    """The zones' authoritative servers, one knotd per address, sharing one port."""
    port = _port_free_everywhere(AUTHORITATIVE_ADDRESSES)
    servers = [
        KnotServer(tmp_path_factory.mktemp(f"knot-auth{n}"), [address], port,
                   {**zone_set("common"), **zone_set(f"auth{n}")})
        for n, address in enumerate(AUTHORITATIVE_ADDRESSES, start=1)
    ]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="session")
def silent_nameserver() -> Iterator[Nameserver]:
    """A nameserver that reads every query and never answers."""
    server = SilentServer()
    yield server.nameserver
    server.close()


@pytest.fixture(scope="session")
def dns_servers(knot_resolver: KnotServer, knot_authoritative: list[KnotServer],
                silent_nameserver: Nameserver) -> DnsServers:
    """All the test DNS servers, running."""
    return DnsServers(knot_resolver.nameserver(), knot_authoritative[0].port, silent_nameserver)
