"""``dns.authority``: do the zone's authoritative servers agree, and does the resolver see it yet?

Each NS address is asked directly (at ``ctx.authoritative_port``, no
recursion) for the records at the name itself (of the asked type, or a
CNAME) and for the zone's SOA serial; the resolver is asked the same
question. A resolver that still serves an older answer is stale for at most
the TTL it reports.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
from pydantic import Field, field_validator

from wizard.dns.names import bare, relative_to
from wizard.probes.base import (
    Deadline,
    FactValue,
    Nameserver,
    ProbeContext,
    ProbeResult,
    ProbeSpec,
    TimedParams,
    always,
    on,
)
from wizard.probes.dns_query import check_rtype
from wizard.probes.support.dns_failures import FAILURE_OUTCOMES, no_response, zone_failure
from wizard.probes.support.resolve import (
    NoResponse,
    Reply,
    exchange,
    negative_ttl,
    resolver_servers,
    to_name,
    together,
)
from wizard.probes.support.zones import ZoneLookupFailed, find_zone, zone_nameservers


class DnsAuthorityParams(TimedParams):
    """The name and type to compare across the authoritative servers and the resolver."""

    name: str = Field(min_length=1, description="The domain name")
    rtype: str = Field("A", description="Record type (a CNAME at the name is compared too)")

    @field_validator("rtype")
    @classmethod
    def _known_type(cls, value: str) -> str:
        return check_rtype(value)


def answer_view(message: dns.message.Message, name: str, rtype: str) -> str:
    """What a response says about ``name`` itself: its records, ``NXDOMAIN`` or ``NODATA``."""
    if message.rcode() == dns.rcode.NXDOMAIN:
        return "NXDOMAIN"
    owner = to_name(name)
    lines = sorted(
        f"{dns.rdatatype.to_text(rrset.rdtype)} {rr.to_text()}"
        for rrset in message.answer
        if rrset.name == owner and rrset.rdtype in (dns.rdatatype.from_text(rtype),
                                                    dns.rdatatype.CNAME)
        for rr in rrset)
    return "; ".join(lines) if lines else "NODATA"


def answer_ttl(message: dns.message.Message, name: str) -> int | None:
    """The TTL the response gives the answer at ``name`` (or its negative-caching time)."""
    owner = to_name(name)
    ttls = [int(rrset.ttl) for rrset in message.answer if rrset.name == owner]
    return min(ttls) if ttls else negative_ttl(message)


@dataclass(frozen=True)
class ServerView:
    """What one authoritative server said."""

    host: str
    address: str
    status: str
    answer: str | None
    serial: int | None

    def fact(self) -> dict[str, FactValue]:
        """The view as a fact entry."""
        return {"host": self.host, "address": self.address, "status": self.status,
                "answer": self.answer, "serial": self.serial}


async def _ask_server(host: str, server: Nameserver, name: str, rtype: str, zone: str,
                      deadline: Deadline) -> ServerView:
    """Ask one authoritative server for the name and the zone's serial."""
    address = str(server)
    try:
        replies: list[Reply] = list(await asyncio.gather(
            exchange(name, rtype, [server], deadline.remaining(), recursion=False),
            exchange(zone, "SOA", [server], deadline.remaining(), recursion=False)))
    except NoResponse:
        return ServerView(host, address, "unreachable", None, None)
    answer, soa = replies
    if answer.rcode not in ("NOERROR", "NXDOMAIN") or not answer.message.flags & dns.flags.AA:
        return ServerView(host, address, f"lame ({answer.rcode}, not authoritative)"
                          if answer.rcode == "NOERROR" else f"lame ({answer.rcode})", None, None)
    soa_rrset = soa.message.get_rrset(soa.message.answer, to_name(zone),
                                      dns.rdataclass.IN, dns.rdatatype.SOA)
    serial = int(soa_rrset[0].serial) if soa_rrset is not None else None
    return ServerView(host, address, "ok", answer_view(answer.message, name, rtype), serial)


async def run_dns_authority(params: DnsAuthorityParams, ctx: ProbeContext) -> ProbeResult:
    """Ask the resolver, find the zone and its servers, ask each of them, and compare.

    The resolver's answer comes first: it often tells the zone already (a CNAME at the
    name, or a negative answer's authority SOA), so no SOA query is needed at the name.
    """
    deadline = ctx.deadline(params)
    name = bare(params.name)
    facts: dict[str, FactValue] = {"name": name, "rtype": params.rtype}
    try:
        resolver = await exchange(name, params.rtype, resolver_servers(ctx), deadline.remaining())
        zone = await find_zone(name, ctx, deadline, resolver.message)
        hosts = await zone_nameservers(zone.name, ctx, deadline)
        facts["zone"] = zone.name
        facts["relative_name"] = relative_to(name, zone.name)
        servers = [(h.name, Nameserver(a, ctx.authoritative_port))
                   for h in hosts for a in h.addresses]
        if not servers:
            facts["nameservers"] = [{"host": h.name, "address": None, "status": "no address",
                                     "answer": None, "serial": None} for h in hosts]
            return ProbeResult("no_nameservers", f"no nameserver of {zone.name} has an address",
                               (*zone.walk, *(f"NS {h.name}: no address" for h in hosts)),
                               facts)
        views = await together(_ask_server(host, server, name, params.rtype, zone.name,
                                           deadline) for host, server in servers)
    except NoResponse as exc:
        return no_response(f"{name} {params.rtype}", exc, facts)
    except ZoneLookupFailed as exc:
        return zone_failure(exc, facts)
    if resolver.rcode not in ("NOERROR", "NXDOMAIN"):
        status = "refused" if resolver.rcode == "REFUSED" else "servfail"
        return ProbeResult(status, f"the resolver answered {resolver.rcode} for {name}",
                           (f"resolver {resolver.server}: {resolver.rcode}",), facts)
    return _compare(name, list(views), resolver, params.rtype, facts)


def _compare(name: str, views: list[ServerView], resolver: Reply, rtype: str,
             facts: dict[str, FactValue]) -> ProbeResult:
    answering = [v for v in views if v.status == "ok"]
    answers = sorted({v.answer or "" for v in answering})
    seen = answer_view(resolver.message, name, rtype)
    ttl = answer_ttl(resolver.message, name)
    facts.update({
        "nameservers": [v.fact() for v in views],
        "serials": sorted({v.serial for v in answering if v.serial is not None}),
        "authoritative_answers": answers,
        "resolver_answer": seen,
        "resolver_ttl": ttl,
        "agree": len(answers) == 1,
    })
    evidence = [f"{v.host} ({v.address}): {v.status}"
                + (f", serial {v.serial}: {v.answer}" if v.status == "ok" else "") for v in views]
    evidence.append(f"resolver {resolver.server}: {seen} (TTL {ttl})")
    lame = [v for v in views if v.status.startswith("lame")]
    silent = [v for v in views if v.status == "unreachable"]
    if len(answers) > 1:
        return ProbeResult("servers_disagree", f"the authoritative servers of {facts['zone']} "
                           f"give {len(answers)} different answers for {name}",
                           tuple(evidence), facts)
    if answers and seen != answers[0]:
        facts["authoritative_answer"] = answers[0]
        return ProbeResult("resolver_stale", f"the resolver still has an old answer for {name}; "
                           f"it may keep it for up to {ttl}s", tuple(evidence), facts)
    if answers:
        facts["authoritative_answer"] = answers[0]
    if lame:
        return ProbeResult("lame_servers", f"{len(lame)} listed nameserver(s) of "
                           f"{facts['zone']} do not serve the zone", tuple(evidence), facts)
    if silent:
        return ProbeResult("unreachable_servers", f"{len(silent)} listed nameserver(s) of "
                           f"{facts['zone']} do not answer", tuple(evidence), facts)
    return ProbeResult("consistent", f"all {len(views)} authoritative servers and the resolver "
                       f"agree on {name}", tuple(evidence), facts)


_COMPARED = ("consistent", "servers_disagree", "resolver_stale", "lame_servers",
             "unreachable_servers")

SPEC = ProbeSpec(
    name="dns.authority",
    description="Ask a zone's authoritative servers directly and compare with the resolver",
    params=DnsAuthorityParams,
    outcomes={
        "consistent": "every authoritative server and the resolver give the same answer",
        "servers_disagree": "the authoritative servers give different answers (a secondary "
                            "has not picked up the change)",
        "resolver_stale": "the servers agree but the resolver still serves an older answer "
                          "until its TTL runs out",
        "lame_servers": "some listed nameservers answer but do not serve the zone",
        "unreachable_servers": "some listed nameservers do not answer at all",
        "no_nameservers": "the zone's nameservers have no address",
        **FAILURE_OUTCOMES,
    },
    run=run_dns_authority,
    facts={
        "name": always("the name compared"),
        "rtype": always("the record type compared"),
        "zone": on("the zone", "no_nameservers", *_COMPARED),
        "relative_name": on("the name relative to the zone ('@' at the apex), as a "
                            "zone-relative DNS console wants it", "no_nameservers", *_COMPARED),
        "nameservers": on("per server: host, address, status, answer, serial",
                          "no_nameservers", *_COMPARED),
        "serials": on("the SOA serials the answering servers have", *_COMPARED),
        "authoritative_answers": on("the distinct answers of the authoritative servers",
                                    *_COMPARED),
        "authoritative_answer": on("the answer the servers agree on", "consistent",
                                   "resolver_stale"),
        "resolver_answer": on("the resolver's answer", *_COMPARED),
        "resolver_ttl": on("seconds the resolver may keep its answer (remaining TTL)",
                           *_COMPARED),
        "agree": on("whether the answering authoritative servers agree", *_COMPARED),
    },
)
