"""Real Knot DNS servers for the tests, each in its own temporary directory.

Design: a :class:`KnotServer` is one ``knotd`` process started with its own
configuration file, rundir, database and zone storage under a pytest tmp
directory (never the system's knot service), listening on one or more
loopback addresses at one free port. Zone files are copied from
``tests/data/zones/<set>/`` (one set per server role) and knot is told to
never write them back. "Broken" zones are configured but given an
unparsable file, so knot answers SERVFAIL for them; any name outside the
configured zones gets REFUSED. :meth:`KnotServer.start` waits until every
listener answers a SOA query for a loaded zone before returning, and
:meth:`KnotServer.stop` terminates the process by its pid. Knot is purely
authoritative, so the "resolver" the probes are pointed at is a knot server
serving every test zone at once; a stale resolver is simulated by giving it
an older copy of a zone than the authoritative servers have. The
authoritative servers run as separate processes on 127.0.0.2, 127.0.0.3 …
sharing one port (the probes' ``authoritative_port``), each with its own
copy of the zones so that they can disagree. :class:`SilentServer` is a
bound UDP socket plus a listening TCP socket that read and never answer.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rcode

from wizard.probes.base import Nameserver

ZONES = Path(__file__).resolve().parent.parent / "data" / "zones"
KNOTD = shutil.which("knotd") or "/usr/sbin/knotd"
BROKEN_ZONE_TEXT = "this line is not a resource record !!!\n"


class KnotServer:
    """One knotd process serving ``zones`` (name → zone file text) on ``addresses`` at ``port``."""

    def __init__(self, workdir: Path, addresses: Iterable[str], port: int,
                 zones: Mapping[str, str], broken: Iterable[str] = ()):
        self.workdir = workdir
        self.addresses = tuple(addresses)
        self.port = port
        self.zones = dict(zones)
        self.broken = tuple(broken)
        self.process: subprocess.Popen[bytes] | None = None

    def nameserver(self, address: str | None = None) -> Nameserver:
        """The :class:`Nameserver` of one of the listeners (the first by default)."""
        return Nameserver(address or self.addresses[0], self.port)

    def _write_config(self) -> Path:
        storage = self.workdir / "zones"
        for directory in (storage, self.workdir / "run", self.workdir / "db"):
            directory.mkdir(parents=True, exist_ok=True)
        for name, text in self.zones.items():
            (storage / f"{name}.zone").write_text(text)
        for name in self.broken:
            (storage / f"{name}.zone").write_text(BROKEN_ZONE_TEXT)
        listen = "".join(f"    listen: {a}@{self.port}\n" for a in self.addresses)
        zones = "".join(f"  - domain: {name}\n" for name in [*self.zones, *self.broken])
        config = self.workdir / "knot.conf"
        config.write_text(
            "server:\n"
            f"    rundir: \"{self.workdir / 'run'}\"\n"
            f"{listen}"
            "    udp-workers: 1\n    tcp-workers: 1\n    background-workers: 1\n"
            "log:\n  - target: stderr\n    any: info\n"
            f"database:\n    storage: \"{self.workdir / 'db'}\"\n"
            "template:\n  - id: default\n"
            f"    storage: \"{storage}\"\n"
            "    file: \"%s.zone\"\n    zonefile-sync: -1\n    journal-content: none\n"
            f"zone:\n{zones}"
        )
        return config

    def start(self, ready_within: float = 15.0) -> None:
        """Start knotd and return once every listener answers for a loaded zone."""
        config = self._write_config()
        log = (self.workdir / "knotd.log").open("wb")
        self.process = subprocess.Popen([KNOTD, "-c", str(config)], stdout=log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        probe_zone = next(iter(self.zones))
        deadline = time.monotonic() + ready_within
        pending = list(self.addresses)
        while pending:
            if self.process.poll() is not None:
                raise RuntimeError(f"knotd exited {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"knotd did not answer within {ready_within}s:\n{self.log()}")
            query = dns.message.make_query(probe_zone, "SOA")
            with contextlib.suppress(OSError, dns.exception.DNSException):
                reply = dns.query.udp(query, pending[0], timeout=0.2, port=self.port)
                if reply.rcode() == dns.rcode.NOERROR and reply.answer:
                    pending.pop(0)
                    continue
            time.sleep(0.05)

    def log(self) -> str:
        """What knotd wrote so far."""
        path = self.workdir / "knotd.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Terminate knotd (by its pid) and wait for it."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def zone_set(name: str) -> dict[str, str]:
    """The zone files of ``tests/data/zones/<name>/``: zone name → text."""
    return {path.name.removesuffix(".zone"): path.read_text()
            for path in sorted((ZONES / name).glob("*.zone"))}


class SilentServer:
    """A DNS "server" that takes queries over UDP and TCP and never answers."""

    def __init__(self, address: str = "127.0.0.1"):
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((address, 0))
        self.port = int(self.udp.getsockname()[1])
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind((address, self.port))
        self.tcp.listen(16)
        self.address = address
        self.udp.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                self.udp.recvfrom(4096)

    @property
    def nameserver(self) -> Nameserver:
        """Where to send the queries that will never be answered."""
        return Nameserver(self.address, self.port)

    def close(self) -> None:
        """Stop reading and close both sockets."""
        self._stop.set()
        self._thread.join(timeout=2)
        self.udp.close()
        self.tcp.close()
