"""Peers for the port-connectivity tests: provider endpoints and external MTAs on loopback.

Design: the provider's endpoint lives on 127.0.0.1 and the "external MTA" on
:data:`EXTERNAL` (127.0.0.25), so both can be tried on *the same port
numbers*, as the flow does. :class:`Peers` puts on either address, at a
given port, a scripted SMTP server (tests/servers/smtp.py), a socket whose
full accept queue makes the kernel drop new SYNs (a silent firewall), or
nothing at all (refused); everything it started is closed at teardown.
``one_shot_port`` accepts exactly one connection and then stops listening:
the TCP check sees it open, the SMTP conversation that follows is refused.
Two scripted servers exist only here — one whose EHLO shows STARTTLS masked
as ``XXXXXXXA`` (what an inspecting firewall does to it) and one that offers
no AUTH after a good STARTTLS — with certificates from their own trustme CA.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.servers.smtp import LOOPBACK, Pki, Script, ScriptedSmtp, ServerLoop

EXTERNAL = "127.0.0.25"
"""Where the external MTAs listen (the provider endpoint is on 127.0.0.1)."""
MASKED_EHLO = ("SIZE 10485760", "8BITMIME", "XXXXXXXA", "AUTH PLAIN LOGIN")


@dataclass(frozen=True)
class PortServers:
    """The session's scripted servers for this flow, and the CA that signs their certificates."""

    ca_file: str
    loop: ServerLoop
    starttls_masked: int
    no_auth_after_tls: int


@pytest.fixture(scope="session")
def port_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortServers]:
    """Start the two scripted servers once per session."""
    pki = Pki(tmp_path_factory.mktemp("port-pki"))
    loop = ServerLoop()
    try:
        yield PortServers(
            ca_file=pki.ca_file,
            loop=loop,
            starttls_masked=loop.scripted(Script(ehlo=MASKED_EHLO)),
            no_auth_after_tls=loop.scripted(Script(ehlo=("SIZE 10485760", "STARTTLS"),
                                                   starttls=pki.context("good"))),
        )
    finally:
        loop.stop()


def port_free_on(*addresses: str) -> int:
    """A TCP port free on every one of ``addresses`` a moment ago."""
    for _ in range(50):
        probe = socket.socket()
        probe.bind((addresses[0], 0))
        port = int(probe.getsockname()[1])
        taken = [probe]
        try:
            for address in addresses[1:]:
                sock = socket.socket()
                taken.append(sock)
                sock.bind((address, port))
            return port
        except OSError:
            continue
        finally:
            for sock in taken:
                sock.close()
    raise RuntimeError("no port free on all of " + ", ".join(addresses))


@dataclass
class Peers:
    """Starts peers at chosen addresses and ports; :meth:`close` stops them all."""

    loop: ServerLoop
    servers: list[asyncio.AbstractServer] = field(default_factory=list)
    sockets: list[socket.socket] = field(default_factory=list)

    def smtp(self, address: str, port: int, script: Script | None = None) -> None:
        """A scripted SMTP server (a polite plain one by default) at ``address:port``."""
        chosen = script or Script()

        async def start() -> asyncio.AbstractServer:
            return await asyncio.start_server(ScriptedSmtp(chosen), address, port,
                                              ssl=chosen.implicit)

        self.servers.append(self.loop.call(start()))

    def drop(self, address: str, port: int) -> None:
        """A listener at ``address:port`` whose full accept queue silently drops new SYNs."""
        server = socket.socket()
        server.bind((address, port))
        server.listen(0)
        self.sockets.append(server)
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect((address, port))
            self.sockets.append(filler)

    def close(self) -> None:
        """Stop every server and close every socket."""
        async def stop() -> None:
            for server in self.servers:
                server.close()

        self.loop.call(stop())
        for sock in self.sockets:
            sock.close()


@pytest.fixture
def peers(port_servers: PortServers) -> Iterator[Peers]:
    """A :class:`Peers` whose servers are stopped after the test."""
    started = Peers(port_servers.loop)
    yield started
    started.close()


@pytest.fixture
def shared_port() -> int:
    """A port free on both 127.0.0.1 (the endpoint) and :data:`EXTERNAL` (the external MTA)."""
    return port_free_on(LOOPBACK, EXTERNAL)


ONE_SHOT = """\
import os, select, socket, sys
server = socket.socket(fileno=int(sys.argv[1]))
os.write(1, b"ready")
select.select([server], [], [])
server.close()
"""
"""The one-shot listener's program: once a connection waits, stop listening."""


@pytest.fixture
def one_shot_port() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts one connection, then stops listening (later: refused).

    The listening socket has room for one connection in its accept queue and the
    listener never accepts: the first connection completes and fills the queue, so the
    kernel drops the SYN of any connection after it (the client retries after a second)
    until the listener, woken by the first, closes the socket — then the next try is
    refused. So the second connection is refused however late the listener runs; it
    runs in its own process, which holds the only copy of the socket. (Before, a thread
    accepted and then closed: a connection made meanwhile sat in the queue and was reset,
    not refused — about one run in six on a loaded machine.)
    """
    server = socket.socket()
    server.bind((LOOPBACK, 0))
    server.listen(0)
    port = int(server.getsockname()[1])
    listener = subprocess.Popen([sys.executable, "-c", ONE_SHOT, str(server.fileno())],
                                pass_fds=(server.fileno(),), stdout=subprocess.PIPE)
    server.close()
    try:
        assert listener.stdout is not None and listener.stdout.read(5) == b"ready"
        yield port
    finally:
        listener.kill()
        listener.wait(5)
