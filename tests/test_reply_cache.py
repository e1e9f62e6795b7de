"""The per-scan DNS reply cache: TTLs respected, failures never kept, bounded, one query shared;
and questions the DKIM probes need not ask.

A small counting DNS server on loopback answers; it records every question it gets.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from wizard.probes.base import Deadline, Nameserver, ProbeContext
from wizard.probes.dkim_misplaced import DkimMisplacedParams, run_dkim_misplaced
from wizard.probes.support.resolve import (
    Reply,
    ReplyCache,
    exchange,
    known_zone,
    lookup,
    to_name,
    use_reply_cache,
)
from wizard.probes.support.zones import find_zone


class _Counting(asyncio.DatagramProtocol):
    """Answers ``a.test`` (TTL 300), ``zero.test`` (TTL 0), ``fail.test`` (SERVFAIL) and
    anything else with NXDOMAIN and an SOA (TTL 300, minimum 60); counts the questions."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.types: list[str] = []
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        query = dns.message.from_wire(data)
        name = query.question[0].name.to_text()
        self.asked.append(name)
        self.types.append(dns.rdatatype.to_text(query.question[0].rdtype))
        response = dns.message.make_response(query)
        if name == "a.test.":
            response.answer.append(dns.rrset.from_text(name, 300, "IN", "A", "192.0.2.1"))
        elif name == "zero.test.":
            response.answer.append(dns.rrset.from_text(name, 0, "IN", "A", "192.0.2.2"))
        elif name == "fail.test.":
            response.set_rcode(dns.rcode.SERVFAIL)
        else:
            response.set_rcode(dns.rcode.NXDOMAIN)
            response.authority.append(dns.rrset.from_text(
                "test.", 300, "IN", "SOA", "ns.test. host.test. 1 3600 600 86400 60"))
        assert self.transport is not None
        self.transport.sendto(response.to_wire(), addr)


@pytest.fixture
async def counting() -> AsyncIterator[tuple[_Counting, Nameserver]]:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        _Counting, local_addr=("127.0.0.1", 0))
    port = transport.get_extra_info("sockname")[1]
    yield protocol, Nameserver("127.0.0.1", port)
    transport.close()


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _with(cache: ReplyCache, work: Callable[[], Awaitable[Any]]) -> Any:
    """Run ``work`` in a context sharing ``cache`` (as ``scan`` runs its workers)."""
    shared = contextvars.copy_context()
    shared.run(use_reply_cache, cache)
    return await asyncio.create_task(work(), context=shared)  # type: ignore[arg-type]


async def test_without_a_cache_every_question_is_sent(
        counting: tuple[_Counting, Nameserver]) -> None:
    server, ns = counting
    await exchange("a.test", "A", [ns], 2.0)
    await exchange("a.test", "A", [ns], 2.0)
    assert server.asked == ["a.test.", "a.test."]


async def test_a_kept_answer_is_reused_until_its_ttl_runs_out(
        counting: tuple[_Counting, Nameserver]) -> None:
    server, ns = counting
    clock = _Clock()
    cache = ReplyCache(clock=clock)

    async def twice() -> tuple[Reply, Reply]:
        return await exchange("a.test", "A", [ns], 2.0), await exchange("A.TEST.", "A", [ns], 2.0)

    first, second = await _with(cache, twice)
    assert server.asked == ["a.test."]
    assert second.message.answer == first.message.answer
    clock.now += 299
    await _with(cache, lambda: exchange("a.test", "A", [ns], 2.0))
    assert server.asked == ["a.test."]
    clock.now += 2
    await _with(cache, lambda: exchange("a.test", "A", [ns], 2.0))
    assert server.asked == ["a.test.", "a.test."]


async def test_a_negative_answer_is_kept_for_the_soa_minimum(
        counting: tuple[_Counting, Nameserver]) -> None:
    server, ns = counting
    clock = _Clock()
    cache = ReplyCache(clock=clock)
    reply = await _with(cache, lambda: exchange("nosuch.test", "A", [ns], 2.0))
    assert reply.rcode == "NXDOMAIN"
    clock.now += 59
    await _with(cache, lambda: exchange("nosuch.test", "A", [ns], 2.0))
    assert server.asked == ["nosuch.test."]
    clock.now += 2
    await _with(cache, lambda: exchange("nosuch.test", "A", [ns], 2.0))
    assert server.asked == ["nosuch.test.", "nosuch.test."]


async def test_a_failure_and_a_ttl_of_zero_are_never_kept(
        counting: tuple[_Counting, Nameserver]) -> None:
    server, ns = counting
    cache = ReplyCache()

    async def each_twice() -> None:
        for name in ("fail.test", "zero.test"):
            await exchange(name, "A", [ns], 2.0)
            await exchange(name, "A", [ns], 2.0)

    await _with(cache, each_twice)
    assert server.asked == ["fail.test.", "fail.test.", "zero.test.", "zero.test."]
    assert len(cache) == 0


async def test_other_servers_types_or_recursion_are_other_questions(
        counting: tuple[_Counting, Nameserver]) -> None:
    server, ns = counting
    cache = ReplyCache()

    async def variants() -> None:
        await exchange("a.test", "A", [ns], 2.0)
        await exchange("a.test", "AAAA", [ns], 2.0)
        await exchange("a.test", "A", [ns], 2.0, recursion=False)
        await exchange("a.test", "A", [ns, Nameserver("127.0.0.1", 9)], 2.0)

    await _with(cache, variants)
    assert len(server.asked) == 4


async def test_the_cache_is_bounded_and_drops_the_least_recently_used(
        counting: tuple[_Counting, Nameserver]) -> None:
    server, ns = counting
    cache = ReplyCache(size=2)

    async def three() -> None:
        for name in ("x1.test", "x2.test", "x1.test", "x3.test", "x1.test", "x2.test"):
            await exchange(name, "A", [ns], 2.0)

    await _with(cache, three)
    assert len(cache) == 2
    assert server.asked == ["x1.test.", "x2.test.", "x3.test.", "x2.test."]


async def test_concurrent_askers_of_one_question_share_one_query(
        counting: tuple[_Counting, Nameserver]) -> None:
    server, ns = counting
    cache = ReplyCache()

    async def many() -> list[Reply]:
        return list(await asyncio.gather(*(exchange("a.test", "A", [ns], 2.0)
                                           for _ in range(20))))

    replies = await _with(cache, many)
    assert server.asked == ["a.test."]
    assert {r.message.answer[0][0].to_text() for r in replies} == {"192.0.2.1"}
    assert not cache.pending


async def test_the_misplaced_search_asks_one_question_at_names_that_do_not_exist(
        counting: tuple[_Counting, Nameserver]) -> None:
    """The TXT answer shows a CNAME too: no CNAME question at a name without either."""
    server, ns = counting
    result = await run_dkim_misplaced(
        DkimMisplacedParams(selector="s1", domain="d.example.test"),
        ProbeContext(timeout=2.0, nameservers=(ns,)))
    assert result.outcome == "none_found"
    assert "TXT" in server.types and "CNAME" not in server.types
    dkim_names = [name for name in server.asked if "_domainkey" in name]
    assert len(dkim_names) == len(set(dkim_names))


async def test_a_kept_negative_answer_tells_the_zone_of_the_names_above_it(
        counting: tuple[_Counting, Nameserver]) -> None:
    _, ns = counting
    clock = _Clock()
    cache = ReplyCache(clock=clock)

    async def work() -> list[Any]:
        await exchange("x.y.test", "TXT", [ns], 2.0)
        return [await known_zone(to_name(n), [ns], 1.0) for n in
                ("x.y.test", "y.test", "test", "z.test")]

    found = await _with(cache, work)
    assert found == [(to_name("test"), 1)] * 3 + [None]
    clock.now += 61  # the SOA minimum (60) bounds how long the answer is kept
    assert await _with(cache, lambda: known_zone(to_name("y.test"), [ns], 1.0)) is None


async def test_the_walk_up_waits_for_an_soa_question_below_on_its_way(
        counting: tuple[_Counting, Nameserver]) -> None:
    server, ns = counting
    ctx = ProbeContext(timeout=2.0, nameservers=(ns,))

    async def work() -> list[Any]:
        below = asyncio.ensure_future(exchange("_domainkey.y.test", "SOA", [ns], 2.0))
        await asyncio.sleep(0)  # the question below is on its way
        zone = await find_zone("y.test", ctx, Deadline(2.0))
        await below
        return [zone.name, zone.serial]

    assert await _with(ReplyCache(), work) == ["test", 1]
    assert server.asked == ["_domainkey.y.test."]


async def test_without_a_cache_nothing_is_known() -> None:
    assert await known_zone(to_name("y.test"), [], 1.0) is None


async def test_a_kept_response_is_read_once_per_name_and_type(
        counting: tuple[_Counting, Nameserver]) -> None:
    server, ns = counting
    ctx = ProbeContext(timeout=2.0, nameservers=(ns,))

    async def work() -> list[Any]:
        return [await lookup(name, "A", ctx, Deadline(2.0))
                for name in ("a.test", "a.test", "a.test.")]

    first, again, dotted = await _with(ReplyCache(), work)
    assert again is first and first.records == ["192.0.2.1"]
    assert dotted is not first and dotted.name == "a.test." and dotted.records == first.records
    assert server.asked == ["a.test."]
