"""Real TCP peers on loopback: a listening port, a closed port, a port that drops SYNs.

The "drops SYNs" peer is a listening socket with a backlog of 0 whose accept
queue the fixture fills: Linux then silently ignores new SYNs, exactly as a
filtering firewall would, without any packet leaving loopback.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import uuid
from collections.abc import Iterator

import pytest

from tests.helpers import free_port


@pytest.fixture
def listening_port() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts connections."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield int(server.getsockname()[1])


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    return free_port()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port on 127.0.0.1 whose full accept queue makes the kernel drop new SYNs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = int(server.getsockname()[1])
    fillers = []
    for _ in range(4):
        client = socket.socket()
        client.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            client.connect(("127.0.0.1", port))
        fillers.append(client)
    yield port
    for client in fillers:
        client.close()
    server.close()


@pytest.fixture
def unreachable_netns() -> Iterator[tuple[str, str]]:
    """A network namespace where 127.77.0.1 has an 'unreachable' route: (namespace, address).

    Only loopback exists inside it, so nothing can leave the machine.
    """
    name = f"ew-{uuid.uuid4().hex[:8]}"
    address = "127.77.0.1"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
        subprocess.run(["ip", "-n", name, "route", "add", "unreachable", f"{address}/32",
                        "table", "local"], check=True)
        yield name, address
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)
