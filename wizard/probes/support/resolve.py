"""One resolver for the whole diagnosis.

When the user names a nameserver (``--nameserver``), every lookup goes
through it — including the address of a host that a TCP or SMTP probe
connects to — so that a diagnosis never silently mixes two resolvers.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

import dns._features

# ruff: noqa: E402
# The wizard never sends DNS over HTTPS: tell dnspython so before dns.query is imported,
# which otherwise imports its HTTP client stack (~100 ms, a third of a `run`'s start-up).
dns._features.force("doh", False)

import dns.asyncquery
import dns.asyncresolver
import dns.exception
import dns.flags
import dns.inet
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.rrset

from wizard.probes.base import Deadline, Nameserver, ProbeContext
from wizard.probes.support.udp import EDNS, current_udp_endpoints


@functools.lru_cache(maxsize=4096)
def to_name(text: str) -> dns.name.Name:
    """``dns.name.from_text(text)``, remembered: the probes of a domain ask about the same
    few names many times, and parsing one costs more than the rest of a lookup's bookkeeping.

    ``dns.name.Name`` is immutable, so one parsed name can be shared. Raises what
    ``from_text`` raises for a bad name (not remembered).
    """
    return dns.name.from_text(text)


_T = TypeVar("_T")


async def together(awaitables: Iterable[Awaitable[_T]]) -> list[_T]:
    """``asyncio.gather`` of ``awaitables``, but a single one is awaited as it is: a task
    for it would cost a turn of the event loop (the usual case: one nameserver, one name)."""
    pending = list(awaitables)
    if len(pending) == 1:
        return [await pending[0]]
    return list(await asyncio.gather(*pending))


def make_resolver(ctx: ProbeContext) -> dns.asyncresolver.Resolver:
    """A resolver honouring ``ctx.nameservers`` (the system's when none are given)."""
    if ctx.nameservers:
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [ns.address for ns in ctx.nameservers]
        resolver.nameserver_ports = {ns.address: ns.port for ns in ctx.nameservers}
    else:
        resolver = dns.asyncresolver.Resolver()
    resolver.lifetime = ctx.timeout
    resolver.timeout = min(ctx.timeout, 2.0)
    resolver.cache = None
    return resolver


class NoResponse(Exception):
    """No DNS server gave any answer within the time allowed (silent, dropped, unreachable)."""

    def __init__(self, problems: Sequence[str]):
        super().__init__("; ".join(problems) or "no server to ask")
        self.problems = tuple(problems)



def resolver_servers(ctx: ProbeContext) -> tuple[Nameserver, ...]:
    """The servers plain lookups go to: ``ctx.nameservers``, else the system's resolvers."""
    if ctx.nameservers:
        return ctx.nameservers
    system = dns.resolver.Resolver()
    port = system.port
    return tuple(Nameserver(str(ns), port) for ns in system.nameservers)


@dataclass(frozen=True)
class Reply:
    """A DNS response and the server that sent it."""

    server: Nameserver
    message: dns.message.Message

    @functools.cached_property
    def code(self) -> dns.rcode.Rcode:
        """The response code (worked out once: dnspython derives it from the flags on every
        ``rcode()``)."""
        return self.message.rcode()

    @functools.cached_property
    def lookups(self) -> dict[tuple[str, str], Lookup]:
        """What :func:`lookup` made of this response for a name and type asked afresh: the
        same every time (a response kept for a scan is read by many domains). A
        :class:`Lookup` holds the message, never the reply: no reference cycle, so a reply
        no longer kept is freed at once, not by the cyclic collector."""
        return {}

    @functools.cached_property
    def rcode(self) -> str:
        """The response code as text (``NOERROR``, ``NXDOMAIN``, ``SERVFAIL``, ``REFUSED``…)."""
        return dns.rcode.to_text(self.code)


CacheKey = tuple[bytes, str, tuple[Nameserver, ...], bool]
"""The name (see :func:`name_key`), the type, the servers asked and whether recursion was."""


class ReplyCache:
    """DNS responses kept for one scan, so that domains share the answers they have in common.

    Keyed by (name, type, servers asked, recursion); only NOERROR and
    NXDOMAIN responses are kept, each no longer than the smallest TTL it
    carries (a negative one: its SOA minimum), never when that TTL is 0 or
    unknown. At most ``size`` entries, the least recently used dropped first.
    A response is handed out as it arrived: TTLs in it are not counted down.
    Concurrent askers of the same question share one query.

    What a kept response of a resolver (a recursive question) says about zones is kept
    too (:meth:`zone_of`), for as long:
    a negative answer's authority SOA puts the name asked, and each name between it and
    that zone, in the zone (none of them can be an apex, or the name would be in that
    zone), and the zone's own name is an apex; so does an SOA answer at the name asked.
    """

    def __init__(self, size: int = 2048, clock: Callable[[], float] = time.monotonic):
        self.size = size
        self._clock = clock
        self._entries: OrderedDict[CacheKey, tuple[float, Reply]] = OrderedDict()
        self._zones: OrderedDict[bytes, tuple[float, dns.name.Name, int]] = OrderedDict()
        self.pending: dict[CacheKey, asyncio.Future[Reply]] = {}
        """Questions on their way: a second asker waits for the first one's answer."""
        self.soa_pending: dict[CacheKey, set[asyncio.Future[Reply]]] = {}
        """SOA questions on their way, by their name's parent (as a key for an SOA question
        at the parent): the walk up from a name may wait for them to learn its zone."""
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: CacheKey) -> Reply | None:
        """The kept response for ``key``, if it has not expired."""
        entry = self._entries.get(key)
        if entry is not None and entry[0] > self._clock():
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[1]
        if entry is not None:
            del self._entries[key]
        self.misses += 1
        return None

    def settle(self, key: CacheKey, done: asyncio.Future[Reply]) -> None:
        """A question on its way was answered (kept), failed or was cancelled (forgotten)."""
        self.pending.pop(key, None)
        waiting = self.soa_pending.get(_parent_key(key)) if key[1] == "SOA" else None
        if waiting is not None:
            waiting.discard(done)
            if not waiting:
                del self.soa_pending[_parent_key(key)]
        if not done.cancelled() and done.exception() is None:
            self.put(key, done.result())

    def put(self, key: CacheKey, reply: Reply) -> None:
        """Keep ``reply`` for as long as its TTLs allow (not at all for a failure or TTL 0)."""
        ttl = cacheable_ttl(reply.message)
        if not ttl:
            return
        self._entries[key] = (self._clock() + ttl, reply)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        if key[3]:  # what the resolver says, as the SOA walk up would ask it
            self._learn_zone(reply.message, self._clock() + ttl)

    def _learn_zone(self, message: dns.message.Message, until: float) -> None:
        if not message.question:
            return
        asked = message.question[0].name
        if message.answer:
            soa = message.get_rrset(message.answer, asked, dns.rdataclass.IN,
                                    dns.rdatatype.SOA)
            if soa is not None:
                self._know(name_key(asked), asked, int(soa[0].serial), until)
            return
        for rrset in message.authority:
            if rrset.rdtype != dns.rdatatype.SOA:
                continue
            name, zone = name_key(asked), name_key(rrset.name)
            names = [name]  # the asked name, each parent, down to the apex
            while len(name) > len(zone):
                name = name[name[0] + 1:]
                names.append(name)
            if name == zone:  # the asked name is in the zone
                for each in names:
                    self._know(each, rrset.name, int(rrset[0].serial), until)
            return

    def _know(self, name: bytes, zone: dns.name.Name, serial: int, until: float) -> None:
        self._zones[name] = (until, zone, serial)
        self._zones.move_to_end(name)
        while len(self._zones) > self.size:
            self._zones.popitem(last=False)

    def zone_of(self, name: dns.name.Name) -> tuple[dns.name.Name, int] | None:
        """The zone ``name`` is in and its SOA serial, if a kept response said so."""
        key = name_key(name)
        entry = self._zones.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._zones[key]
            return None
        return entry[1], entry[2]


def name_key(name: dns.name.Name) -> bytes:
    """``name``'s wire form in lower case: equal for equal names, and cheap to hash (a
    ``Name`` hashes byte by byte in Python). Dropping the first ``key[0] + 1`` bytes gives
    the parent's key; a length byte (below 64) is never changed by ``lower``."""
    return (name.to_wire() or b"").lower()


def cacheable_ttl(message: dns.message.Message) -> int | None:
    """How long ``message`` may be reused: its smallest TTL (None for a failure or no TTL)."""
    if message.rcode() not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return None
    ttls = [int(rrset.ttl) for section in (message.answer, message.authority)
            for rrset in section]
    ttls += [int(rrset[0].minimum) for rrset in message.authority
             if rrset.rdtype == dns.rdatatype.SOA]
    return min(ttls) if ttls else None


_REPLY_CACHE: ContextVar[ReplyCache | None] = ContextVar("wizard_reply_cache", default=None)


def use_reply_cache(cache: ReplyCache | None) -> None:
    """Let every :func:`exchange` in the current context (and tasks it starts) share ``cache``.

    Call it inside a copied context (``contextvars.copy_context().run``). Only
    ``scan`` uses one: a single-domain ``run`` or the TUI asks afresh every
    time, so a re-check after a fix never sees an old answer.
    """
    _REPLY_CACHE.set(cache)


def _parent_key(key: CacheKey) -> CacheKey:
    """The key of the same question as ``key``'s, at its name's parent."""
    return (key[0][key[0][0] + 1:] if key[0] != b"\x00" else key[0], *key[1:])


async def known_zone(name: dns.name.Name, servers: Sequence[Nameserver],
                     timeout: float) -> tuple[dns.name.Name, int] | None:
    """The zone of ``name`` and its serial, when the reply cache of this context knows it
    from a response it keeps (see :class:`ReplyCache`); None without a cache.

    When SOA questions at names just below ``name`` are on their way (another probe's
    walk up), their answers are waited for (at most ``timeout`` seconds, never
    cancelled): they often tell the zone of ``name`` too.
    """
    cache = _REPLY_CACHE.get()
    if cache is None:
        return None
    known = cache.zone_of(name)
    if known is not None:
        return known
    waiting = cache.soa_pending.get((name_key(name), "SOA", tuple(servers), True))
    if not waiting or timeout <= 0:
        return None
    await asyncio.wait(set(waiting), timeout=timeout)
    return cache.zone_of(name)


async def exchange(name: str | dns.name.Name, rdtype: str, servers: Sequence[Nameserver],
                   timeout: float, *, recursion: bool = True) -> Reply:
    """Ask ``servers`` in turn for ``name``/``rdtype`` (UDP, TCP when truncated).

    The first NOERROR or NXDOMAIN response wins; a SERVFAIL or REFUSED one is
    returned only when no server does better. Each server gets an equal share
    of what is left of ``timeout``. Raises :class:`NoResponse` when nobody answers.
    """
    cache = _REPLY_CACHE.get()
    if cache is None:
        return await _exchange(name, rdtype, servers, timeout, recursion=recursion)
    owner = name if isinstance(name, dns.name.Name) else to_name(name)
    key = (name_key(owner), rdtype.upper(), tuple(servers), recursion)
    kept = cache.get(key)
    if kept is not None:
        return kept
    pending = cache.pending.get(key)
    if pending is None:
        pending = asyncio.ensure_future(_exchange(owner, rdtype, servers, timeout,
                                                  recursion=recursion))
        cache.pending[key] = pending
        if key[1] == "SOA" and owner != dns.name.root:
            cache.soa_pending.setdefault(_parent_key(key), set()).add(pending)
        pending.add_done_callback(functools.partial(cache.settle, key))
    try:
        async with asyncio.timeout(timeout):
            return await asyncio.shield(pending)
    except TimeoutError:
        raise NoResponse([f"{', '.join(map(str, servers))}: no answer within "
                          f"{timeout:.1f}s"]) from None


def make_query(name: str | dns.name.Name, rdtype: str, recursion: bool = True
               ) -> dns.message.QueryMessage:
    """A query for ``name``/``rdtype`` with EDNS0 (payload 1,232), RD unless not ``recursion``.

    The same as ``dns.message.make_query(name, rdtype, use_edns=0, payload=1232)``,
    but the EDNS record (which nothing changes) is built once, not for every query.
    """
    query = dns.message.make_query(name, rdtype)
    query.opt = EDNS.opt
    query.request_payload = EDNS.request_payload
    if not recursion:
        query.flags &= ~dns.flags.RD
    return query


async def _exchange(name: str | dns.name.Name, rdtype: str, servers: Sequence[Nameserver],
                    timeout: float, *, recursion: bool) -> Reply:
    """:func:`exchange` without the cache."""
    query = make_query(name, rdtype, recursion)
    endpoints = current_udp_endpoints()
    deadline = Deadline(timeout)
    fallback: Reply | None = None
    problems: list[str] = []
    for index, server in enumerate(servers):
        share = deadline.remaining() / (len(servers) - index)
        if share <= 0:
            problems.append(f"{server}: not asked, no time left")
            continue
        try:
            if endpoints is not None:
                message = await endpoints.query(query, server, share)
            else:
                message, _ = await dns.asyncquery.udp_with_fallback(
                    query, server.address, timeout=share, port=server.port)
        except (dns.exception.Timeout, TimeoutError):
            problems.append(f"{server}: no answer within {share:.1f}s")
            continue
        except (OSError, dns.exception.DNSException) as exc:
            problems.append(f"{server}: {exc}")
            continue
        reply = Reply(server, message)
        if reply.code in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            return reply
        fallback = fallback or reply
    if fallback is not None:
        return fallback
    raise NoResponse(problems)


@dataclass(frozen=True)
class Hop:
    """One CNAME link: ``name`` is an alias of ``target``."""

    name: str
    target: str
    ttl: int


@dataclass(frozen=True)
class Lookup:
    """The end of a lookup after following CNAMEs.

    ``status`` is ``answer``, ``nxdomain``, ``nodata``, ``servfail``, ``refused``
    or ``cname_loop``; ``final_name`` is where the chain ended; ``records`` the
    answer's records as text; ``ttl`` the answer's TTL (or, for a negative
    answer, how long it may be cached); ``message`` the last response (the only one
    when there are no ``hops``).
    """

    name: str
    rdtype: str
    status: str
    hops: tuple[Hop, ...]
    final_name: str
    rrset: dns.rrset.RRset | None
    ttl: int | None
    server: str
    rcode: str
    message: dns.message.Message | None = None

    @property
    def records(self) -> list[str]:
        """The answer's records in presentation format (empty unless ``answer``)."""
        return [rr.to_text() for rr in self.rrset] if self.rrset is not None else []

    def describe_hops(self) -> list[str]:
        """One evidence line per CNAME hop."""
        return [f"{h.name} CNAME {h.target} (TTL {h.ttl})" for h in self.hops]


ServerChooser = Callable[[dns.name.Name], Awaitable[Sequence[Nameserver]]]
MAX_CHAIN = 10


async def lookup(name: str, rdtype: str, ctx: ProbeContext, deadline: Deadline,
                 servers_for: ServerChooser | None = None) -> Lookup:
    """Look up ``name``/``rdtype``, following CNAMEs across zones, hop by hop.

    Asks the context's resolver, or the servers ``servers_for`` picks for each
    name (the authoritative ones, say). Raises :class:`NoResponse` when no
    server answers.
    """
    chain = _Chain(name, rdtype)
    while True:
        servers = await servers_for(chain.current) if servers_for else resolver_servers(ctx)
        reply = await exchange(chain.current, rdtype, servers, deadline.remaining(),
                               recursion=servers_for is None)
        fresh = not chain.hops
        if fresh and (name, rdtype) in reply.lookups:
            return reply.lookups[(name, rdtype)]
        result = chain.absorb(reply)
        if result is not None:
            if fresh:
                reply.lookups[(name, rdtype)] = result
            return result


class _Chain:
    """The state of a lookup that follows CNAMEs, one response at a time."""

    def __init__(self, name: str, rdtype: str):
        self.name = name
        self.rdtype = rdtype
        self.current = to_name(name)
        self.hops: list[Hop] = []
        self.seen = {self.current}

    def absorb(self, reply: Reply) -> Lookup | None:
        """Follow the chain through ``reply``; a :class:`Lookup` when done, None to ask again."""
        message, asked = reply.message, self.current

        def done(status: str, rrset: dns.rrset.RRset | None = None,
                 ttl: int | None = None) -> Lookup:
            return Lookup(self.name, self.rdtype, status, tuple(self.hops),
                          self.current.to_text(), rrset, ttl, str(reply.server), reply.rcode,
                          message)

        code = reply.code
        if code == dns.rcode.REFUSED:
            return done("refused")
        if code not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            return done("servfail")
        wanted = dns.rdatatype.from_text(self.rdtype)
        while True:
            rrset = message.get_rrset(message.answer, self.current, dns.rdataclass.IN, wanted)
            if rrset is not None:
                return done("answer", rrset, rrset.ttl)
            cname = message.get_rrset(message.answer, self.current, dns.rdataclass.IN,
                                      dns.rdatatype.CNAME)
            if cname is None:
                break
            target = cname[0].target
            self.hops.append(Hop(self.current.to_text(), target.to_text(), cname.ttl))
            if target in self.seen or len(self.hops) > MAX_CHAIN:
                return done("cname_loop")
            self.seen.add(target)
            self.current = target
        if code == dns.rcode.NXDOMAIN:
            return done("nxdomain", ttl=negative_ttl(message))
        if self.current == asked:
            return done("nodata", ttl=negative_ttl(message))
        return None


def negative_ttl(message: dns.message.Message) -> int | None:
    """How long a negative answer may be cached: min(SOA TTL, SOA minimum) from the authority."""
    for rrset in message.authority:
        if rrset.rdtype == dns.rdatatype.SOA:
            return min(int(rrset.ttl), int(rrset[0].minimum))
    return None


def txt_strings(rrset: dns.rrset.RRset | None) -> list[str]:
    """Each TXT record of ``rrset`` with its character-strings joined (RFC 7208 §3.3)."""
    if rrset is None:
        return []
    return [b"".join(rr.strings).decode("utf-8", "replace") for rr in rrset]
