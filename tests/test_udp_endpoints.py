"""The scan's UDP adapter on dnspython: one socket per server, replies matched to their queries.

Against small loopback servers written here (to lose, garble or truncate
replies on purpose) and against the loopback Knot resolver.
"""

from __future__ import annotations

import asyncio
import contextvars
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any, cast

import dns.exception
import dns.flags
import dns.message
import dns.rdatatype
import dns.rrset
import pytest

from tests.servers.dns_fixtures import DnsServers
from wizard.probes.base import Nameserver
from wizard.probes.support.resolve import exchange, make_query
from wizard.probes.support.udp import UdpEndpoints, query_wire, use_udp_endpoints

Reply = Callable[[dns.message.Message], list[bytes]]
"""What a test server sends back for one query: zero or more datagrams."""


def answer(query: dns.message.Message, text: str = "192.0.2.1") -> dns.message.Message:
    response = dns.message.make_response(query)
    response.answer.append(dns.rrset.from_text(query.question[0].name, 300, "IN", "A", text))
    return response


class _Scripted(asyncio.DatagramProtocol):
    """Answers each query with whatever ``reply`` returns; records the source ports seen."""

    def __init__(self, reply: Reply):
        self.reply = reply
        self.sources: set[int] = set()
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self.sources.add(addr[1])
        assert self.transport is not None
        for datagram in self.reply(dns.message.from_wire(data)):
            self.transport.sendto(datagram, addr)


async def _serve(reply: Reply) -> tuple[asyncio.DatagramTransport, _Scripted, Nameserver]:
    transport, protocol = await asyncio.get_running_loop().create_datagram_endpoint(
        lambda: _Scripted(reply), local_addr=("127.0.0.1", 0))
    return transport, protocol, Nameserver("127.0.0.1", transport.get_extra_info("sockname")[1])


@pytest.fixture
async def endpoints() -> AsyncIterator[UdpEndpoints]:
    shared = UdpEndpoints()
    yield shared
    shared.close()


async def test_a_lost_reply_is_a_timeout(endpoints: UdpEndpoints) -> None:
    transport, _, server = await _serve(lambda query: [])
    try:
        with pytest.raises(dns.exception.Timeout):
            await endpoints.query(make_query("lost.test.", "A"), server, 0.3)
    finally:
        transport.close()


async def test_a_reply_with_another_id_or_question_is_ignored(endpoints: UdpEndpoints) -> None:
    def reply(query: dns.message.Message) -> list[bytes]:
        wrong_id = answer(query, "192.0.2.66")
        wrong_id.id = (query.id + 1) % 65536
        other = dns.message.make_query("other.test.", "A")
        other.id = query.id
        wrong_question = answer(other, "192.0.2.77")
        return [b"\x00", wrong_id.to_wire(), wrong_question.to_wire(), b"garbage-garbage",
                answer(query).to_wire()]

    transport, _, server = await _serve(reply)
    try:
        message = await endpoints.query(make_query("right.test.", "A"), server, 2)
    finally:
        transport.close()
    assert [rr.to_text() for rr in message.answer[0]] == ["192.0.2.1"]


async def test_only_wrong_replies_are_still_a_timeout(endpoints: UdpEndpoints) -> None:
    def reply(query: dns.message.Message) -> list[bytes]:
        wrong = answer(query)
        wrong.id = (query.id + 1) % 65536
        return [wrong.to_wire()]

    transport, _, server = await _serve(reply)
    try:
        with pytest.raises(dns.exception.Timeout):
            await endpoints.query(make_query("wrong.test.", "A"), server, 0.3)
    finally:
        transport.close()


async def test_queries_in_flight_share_one_socket_and_each_gets_its_own_answer(
        endpoints: UdpEndpoints) -> None:
    held: list[tuple[dns.message.Message]] = []

    def reply(query: dns.message.Message) -> list[bytes]:
        held.append((query,))
        if len(held) < 40:
            return []
        out = [answer(q, f"192.0.2.{int(q.question[0].name.labels[0][1:])}").to_wire()
               for (q,) in reversed(held)]
        held.clear()
        return out

    transport, protocol, server = await _serve(reply)
    try:
        queries = [make_query(f"h{k}.test.", "A") for k in range(40)]
        for query in queries:
            query.id = 4242  # the adapter gives each one a free id
        messages = await asyncio.gather(*(endpoints.query(q, server, 3) for q in queries))
    finally:
        transport.close()
    assert [m.answer[0][0].to_text() for m in messages] == [f"192.0.2.{k}" for k in range(40)]
    assert len({q.id for q in queries}) == 40
    assert len(protocol.sources) == 1, "one source port: one socket for all the queries"


async def test_the_source_port_changes_after_so_many_queries() -> None:
    endpoints = UdpEndpoints(queries_per_socket=5)
    transport, protocol, server = await _serve(lambda query: [answer(query).to_wire()])
    try:
        for k in range(12):
            await endpoints.query(make_query(f"p{k}.test.", "A"), server, 2)
        still_open = endpoints.open_sockets
    finally:
        endpoints.close()
        transport.close()
    assert len(protocol.sources) == 3, "a new socket after every 5 queries"
    assert still_open == 1, "a retired socket is closed once its replies are in"


async def test_a_truncated_reply_is_asked_again_over_tcp(endpoints: UdpEndpoints) -> None:
    async def tcp_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        size = int.from_bytes(await reader.readexactly(2), "big")
        query = dns.message.from_wire(await reader.readexactly(size))
        wire = answer(query, "192.0.2.53").to_wire()
        writer.write(len(wire).to_bytes(2, "big") + wire)
        await writer.drain()
        writer.close()

    def truncated(query: dns.message.Message) -> list[bytes]:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.TC
        return [response.to_wire()]

    transport, _, server = await _serve(truncated)
    tcp = await asyncio.start_server(tcp_answer, "127.0.0.1", server.port)
    try:
        message = await endpoints.query(make_query("big.test.", "A"), server, 3)
    finally:
        transport.close()
        tcp.close()
    assert message.answer[0][0].to_text() == "192.0.2.53"


async def test_a_closed_port_fails_at_once_not_after_the_timeout(
        endpoints: UdpEndpoints) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = asyncio.get_running_loop().time()
    with pytest.raises(OSError):
        await endpoints.query(make_query("closed.test.", "A"), Nameserver("127.0.0.1", port), 5)
    assert asyncio.get_running_loop().time() - started < 4


async def test_the_resolver_uses_the_endpoints_against_knot(dns_servers: DnsServers) -> None:
    endpoints = UdpEndpoints()
    shared = contextvars.copy_context()
    shared.run(use_udp_endpoints, endpoints)
    names = ["good.onboard.test.", "_dmarc.good.onboard.test.", "monitor.onboard.test.",
             "nothing.onboard.test.", "noinclude.onboard.test."] * 4

    async def ask_all() -> list[Any]:
        return list(await asyncio.gather(*(exchange(n, "TXT", [dns_servers.resolver], 3)
                                           for n in names)))

    try:
        replies = await asyncio.create_task(ask_all(), context=shared)
    finally:
        endpoints.close()
    assert endpoints.sent == len(names)
    for name, reply in zip(names, replies, strict=True):
        assert reply.message.question[0].name.to_text() == name
        assert reply.rcode in ("NOERROR", "NXDOMAIN")
    texts = {n: [rr.to_text() for rrset in r.message.answer for rr in rrset
                 if rrset.rdtype == dns.rdatatype.TXT] for n, r in zip(names, replies, strict=True)}
    assert texts["good.onboard.test."] == [
        '"v=spf1 include:rp.oracleemaildelivery.com ~all"']
    assert texts["_dmarc.good.onboard.test."][0].startswith('"v=DMARC1; p=reject')


async def test_sockets_stay_few_however_many_servers_are_asked() -> None:
    """A scan asks each domain's own authoritative servers: thousands of addresses. Only
    the most recently asked keep a socket (found by review: one socket per server ever
    asked ran out of file descriptors at 1,024)."""
    transport, _, server = await _serve(lambda q: [answer(q).to_wire()])
    endpoints = UdpEndpoints(max_endpoints=8)
    try:
        for n in range(40):  # 40 'servers': 127.0.0.n, the same port (nothing listens there)
            with pytest.raises((dns.exception.Timeout, OSError)):
                await endpoints.query(make_query(f"n{n}.test.", "A"),
                                      Nameserver(f"127.0.1.{n + 1}", server.port), 0.05)
            assert endpoints.open_sockets <= 8
        message = await endpoints.query(make_query("alive.test.", "A"), server, 3)
    finally:
        transport.close()
        endpoints.close()
    assert message.answer[0][0].to_text() == "192.0.2.1"


async def test_an_icmp_error_does_not_fail_queries_the_server_then_answers() -> None:
    """The server's socket is gone for a moment (a restart) while queries are in flight:
    the ICMP error one of them causes does not fail the others, which the server answers
    when it is back (found by review: every query in flight failed with it)."""
    import threading
    import time

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    received: list[tuple[bytes, Any]] = []
    first_batch = threading.Event()

    def restarting_server() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", port))
            while len(received) < 10:
                received.append(sock.recvfrom(65535))
        first_batch.set()
        time.sleep(0.3)  # no socket: a query now gets ICMP port unreachable
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind(("127.0.0.1", port))
            for data, peer in received:
                sock.sendto(answer(dns.message.from_wire(data)).to_wire(), peer)
            time.sleep(1)

    thread = threading.Thread(target=restarting_server, daemon=True)
    thread.start()
    await asyncio.sleep(0.1)
    endpoints = UdpEndpoints()
    server = Nameserver("127.0.0.1", port)

    async def ask(name: str) -> str:
        try:
            await endpoints.query(make_query(name, "A"), server, 3)
        except (dns.exception.Timeout, OSError) as exc:
            return type(exc).__name__
        return "answer"

    try:
        batch = [asyncio.create_task(ask(f"q{n}.test.")) for n in range(10)]
        await asyncio.to_thread(first_batch.wait, 3)
        late = await ask("late.test.")
        results = await asyncio.gather(*batch)
    finally:
        endpoints.close()
        thread.join(3)
    assert results == ["answer"] * 10
    assert late in ("Timeout", "answer")


@pytest.mark.parametrize("name", ["s1._domainkey.d0.bench.test", ".", "Mixed.CASE.example",
                                  f"{'x' * 63}.test", "xn--bcher-kva.example"])
@pytest.mark.parametrize("rdtype", ["TXT", "SOA", "A", "AAAA", "CNAME", "NS", "MX"])
@pytest.mark.parametrize("recursion", [True, False])
def test_a_querys_wire_is_the_bytes_dnspython_renders(name: str, rdtype: str,
                                                       recursion: bool) -> None:
    query = make_query(name, rdtype, recursion)
    assert query_wire(query) == query.to_wire()
    query.id = 0xBEEF
    assert query_wire(query) == query.to_wire()


def test_a_query_of_another_shape_is_rendered_by_dnspython() -> None:
    query = dns.message.make_query("example.com", "TXT", use_edns=0, payload=4096,
                                   want_dnssec=True)
    assert query_wire(query) == query.to_wire()
    plain = dns.message.make_query("example.com", "TXT")
    assert query_wire(plain) == plain.to_wire()
