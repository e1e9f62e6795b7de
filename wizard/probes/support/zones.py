"""Which zone a name lives in, and which servers are authoritative for it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype

from wizard.probes.base import Deadline, Nameserver, ProbeContext
from wizard.probes.support.resolve import (
    exchange,
    known_zone,
    lookup,
    resolver_servers,
    to_name,
    together,
)


class ZoneLookupFailed(Exception):
    """The resolver would not say which zone a name is in (``status``: servfail or refused)."""

    def __init__(self, status: str, message: str, evidence: tuple[str, ...] = ()):
        super().__init__(message)
        self.status = status
        self.evidence = evidence


@dataclass(frozen=True)
class Zone:
    """A zone found by walking up from a name: its apex (no trailing dot) and SOA serial."""

    name: str
    serial: int | None
    walk: tuple[str, ...]


async def find_zone(name: str, ctx: ProbeContext, deadline: Deadline,
                    hint: dns.message.Message | None = None) -> Zone:
    """Walk up from ``name`` with SOA queries until a zone apex answers.

    A negative answer's authority SOA names the zone at once; a CNAME at a
    name means it is not an apex, so the walk goes on to the parent. Raises
    :class:`ZoneLookupFailed` on SERVFAIL or REFUSED and
    :class:`~wizard.probes.support.resolve.NoResponse` when the resolver is silent.

    In a scan, a zone the reply cache already knows (see
    :func:`~wizard.probes.support.resolve.known_zone`) ends the walk without a query.

    ``hint`` is a response of the resolver the caller already has, to a question about
    ``name`` or a name below it (see :func:`zone_from_hint`): when it already says what an
    SOA query would, that query is not asked.
    """
    current = to_name(name)
    walk: list[str] = []
    if hint is not None:
        hinted = zone_from_hint(current, hint, walk)
        if isinstance(hinted, Zone):
            return hinted
        if hinted:
            current = current.parent()
    servers = resolver_servers(ctx)
    while True:
        known = await known_zone(current, servers, deadline.remaining() / 2)
        if known is not None:
            walk.append(f"{current}: in zone {known[0]} (an answer kept in this scan)")
            return Zone(known[0].to_text(omit_final_dot=True).lower(), known[1], tuple(walk))
        reply = await exchange(current, "SOA", servers, deadline.remaining())
        message = reply.message
        if reply.code not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            walk.append(f"{current} SOA: {reply.rcode} from {reply.server}")
            status = "refused" if reply.code == dns.rcode.REFUSED else "servfail"
            raise ZoneLookupFailed(status, f"{reply.server} answered {reply.rcode} for "
                                   f"{current} SOA", tuple(walk))
        soa = message.get_rrset(message.answer, current, dns.rdataclass.IN, dns.rdatatype.SOA)
        if soa is not None:
            walk.append(f"{current} SOA serial {soa[0].serial}: the zone apex")
            return Zone(current.to_text(omit_final_dot=True).lower(), int(soa[0].serial),
                        tuple(walk))
        aliased = message.get_rrset(message.answer, current, dns.rdataclass.IN,
                                    dns.rdatatype.CNAME) is not None
        for rrset in message.authority if not aliased else []:
            if rrset.rdtype == dns.rdatatype.SOA and current.is_subdomain(rrset.name):
                walk.append(f"{current} SOA: {reply.rcode}, authority names zone {rrset.name}")
                return Zone(rrset.name.to_text(omit_final_dot=True).lower(),
                            int(rrset[0].serial), tuple(walk))
        walk.append(f"{current} SOA: not a zone apex" + (" (a CNAME)" if aliased else ""))
        if current == dns.name.root:
            raise ZoneLookupFailed("servfail", f"no zone apex above {name}", tuple(walk))
        current = current.parent()


def zone_from_hint(name: dns.name.Name, hint: dns.message.Message,
                   walk: list[str]) -> Zone | bool:
    """What ``hint`` (the resolver's response to a question about ``name`` or a name below
    it) tells about the zone of ``name``, as an SOA query at ``name`` would have.

    The zone, when the response is negative (NXDOMAIN or no data, no CNAME in it) and its
    authority SOA names a zone that holds both the name asked and ``name``: nothing
    between them can be an apex, or the asked name would be in that zone. True when the
    asked name is ``name`` and holds a CNAME (so it is no apex: the walk goes on at the
    parent). False when the response cannot tell (an answer, a failure, another shape):
    then the SOA query is asked as usual. What is learnt is added to ``walk``.
    """
    message = hint
    code = message.rcode()
    if not message.question or code not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        return False
    question = message.question[0]
    asked = question.name
    if not asked.is_subdomain(name):
        return False
    what = f"{asked} {dns.rdatatype.to_text(question.rdtype)}"
    if any(rrset.rdtype == dns.rdatatype.CNAME for rrset in message.answer):
        aliased = message.get_rrset(message.answer, name, dns.rdataclass.IN,
                                    dns.rdatatype.CNAME) is not None
        if asked == name and aliased and name != dns.name.root:
            walk.append(f"{what}: a CNAME, not a zone apex")
            return True
        return False
    if message.answer:
        return False
    for rrset in message.authority:
        if rrset.rdtype == dns.rdatatype.SOA and asked.is_subdomain(rrset.name) \
                and name.is_subdomain(rrset.name):
            walk.append(f"{what}: {dns.rcode.to_text(code)}, authority names zone "
                        f"{rrset.name}")
            return Zone(rrset.name.to_text(omit_final_dot=True).lower(), int(rrset[0].serial),
                        tuple(walk))
    return False


@dataclass(frozen=True)
class NsHost:
    """One NS target of a zone and the addresses it resolves to."""

    name: str
    addresses: tuple[str, ...]


async def zone_nameservers(zone: str, ctx: ProbeContext, deadline: Deadline) -> list[NsHost]:
    """The zone's NS names (sorted) with their A and AAAA addresses, through the resolver."""
    answer = await lookup(zone, "NS", ctx, deadline)
    if answer.status != "answer":
        return []
    names = sorted({rr.split()[-1].rstrip(".").lower() for rr in answer.records})

    async def addresses(host: str) -> NsHost:
        found = await asyncio.gather(lookup(host, "A", ctx, deadline),
                                     lookup(host, "AAAA", ctx, deadline))
        return NsHost(host, tuple(a for result in found for a in result.records))

    return await together(addresses(host) for host in names)


class AuthoritativeServers:
    """For each name, the authoritative servers of its zone (at ``ctx.authoritative_port``).

    Pass an instance as ``servers_for`` to :func:`~wizard.probes.support.resolve.lookup`.
    Raises :class:`ZoneLookupFailed` when the zone or an address of its
    nameservers cannot be found. With ``first`` (a name and a record type) the zone of
    that name is found starting from the resolver's answer to that question (see
    :func:`find_zone`'s hint) instead of an SOA query at it: the question a caller about to
    look the name up asks anyway.
    """

    def __init__(self, ctx: ProbeContext, deadline: Deadline,
                 first: tuple[str, str] | None = None):
        self.ctx = ctx
        self.deadline = deadline
        self.first = (to_name(first[0]), first[1]) if first else None
        self.by_zone: dict[str, tuple[Nameserver, ...]] = {}

    async def __call__(self, name: dns.name.Name) -> tuple[Nameserver, ...]:
        """The servers to ask about ``name``."""
        hint = None
        if self.first is not None and self.first[0] == name:
            hint = (await exchange(name, self.first[1], resolver_servers(self.ctx),
                                   self.deadline.remaining())).message
        zone = await find_zone(name.to_text(), self.ctx, self.deadline, hint)
        if zone.name not in self.by_zone:
            hosts = await zone_nameservers(zone.name, self.ctx, self.deadline)
            servers = tuple(Nameserver(address, self.ctx.authoritative_port)
                            for host in hosts for address in host.addresses)
            if not servers:
                raise ZoneLookupFailed("servfail", f"no nameserver of {zone.name} has an "
                                       "address", zone.walk)
            self.by_zone[zone.name] = servers
        return self.by_zone[zone.name]
