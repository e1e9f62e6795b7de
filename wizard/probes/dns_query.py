"""``dns.query``: one lookup, CNAMEs followed hop by hop, the answer or why there is none."""

from __future__ import annotations

import dns.rdatatype
from pydantic import Field, field_validator

from wizard.probes.base import (
    Deadline,
    FactValue,
    ProbeContext,
    ProbeResult,
    ProbeSpec,
    TimedParams,
    always,
    on,
)
from wizard.probes.support.dns_failures import FAILURE_OUTCOMES, no_response, zone_failure
from wizard.probes.support.resolve import Lookup, NoResponse, lookup
from wizard.probes.support.zones import AuthoritativeServers, ZoneLookupFailed

UNSUPPORTED_TYPES = {"ANY", "AXFR", "IXFR", "OPT"}


class DnsQueryParams(TimedParams):
    """What to look up."""

    name: str = Field(min_length=1, description="The domain name to look up")
    rtype: str = Field("A", description="Record type: A, AAAA, CNAME, MX, TXT, NS, SOA…")
    authoritative: bool | None = Field(
        None, description="Ask the zone's authoritative servers (default: the run's setting)")

    @field_validator("rtype")
    @classmethod
    def _known_type(cls, value: str) -> str:
        return check_rtype(value)


def check_rtype(value: str) -> str:
    """``value`` as an upper-case record type a probe can ask for; ValueError if it is not one."""
    rtype = value.strip().upper()
    try:
        dns.rdatatype.from_text(rtype)
    except dns.rdatatype.UnknownRdatatype:
        raise ValueError(f"unknown record type {value!r}") from None
    if rtype in UNSUPPORTED_TYPES:
        raise ValueError(f"{rtype} queries are not supported")
    return rtype


async def run_dns_query(params: DnsQueryParams, ctx: ProbeContext) -> ProbeResult:
    """Look ``name`` up through the resolver, or its authoritative servers when asked to."""
    timeout = ctx.seconds(params)
    deadline = Deadline(timeout)
    direct = ctx.authoritative if params.authoritative is None else params.authoritative
    facts: dict[str, FactValue] = {"name": params.name, "rtype": params.rtype,
                                   "authoritative": direct}
    subject = f"{params.name} {params.rtype}"
    chooser = AuthoritativeServers(ctx, deadline) if direct else None
    try:
        found = await lookup(params.name, params.rtype, ctx, deadline, chooser)
    except NoResponse as exc:
        return no_response(subject, exc, facts)
    except ZoneLookupFailed as exc:
        return zone_failure(exc, facts)
    return describe(found, facts, direct)


def describe(found: Lookup, facts: dict[str, FactValue], direct: bool) -> ProbeResult:
    """Turn a finished lookup into the probe's result."""
    who = "authoritative server" if direct else "resolver"
    evidence = [f"asked {who} {found.server}", *found.describe_hops()]
    facts.update({
        "server": found.server,
        "records": found.records,
        "ttl": found.ttl,
        "final_name": found.final_name,
        "cname_chain": [{"name": h.name, "target": h.target, "ttl": h.ttl} for h in found.hops],
    })
    subject = f"{found.name} {found.rdtype}"
    via = f" (via {len(found.hops)} CNAME)" if found.hops else ""
    if found.status == "answer":
        evidence += [f"{found.final_name} {found.ttl} IN {found.rdtype} {r}" for r in found.records]
        summary = f"{subject}: {len(found.records)} record(s){via}, TTL {found.ttl}s"
    elif found.status == "nxdomain":
        evidence.append(f"{found.final_name}: NXDOMAIN")
        summary = (f"{found.final_name} does not exist (NXDOMAIN)" if not found.hops else
                   f"{found.name} is a CNAME to {found.final_name}, which does not exist")
    elif found.status == "nodata":
        evidence.append(f"{found.final_name}: exists, no {found.rdtype} record")
        summary = f"{found.final_name} exists but has no {found.rdtype} record{via}"
    elif found.status == "cname_loop":
        summary = f"{found.name}: the CNAME chain loops or is longer than allowed"
    else:
        evidence.append(f"{subject}: {found.rcode} from {found.server}")
        summary = f"{found.server} answered {found.rcode} for {subject}"
    return ProbeResult(found.status, summary, tuple(evidence), facts)


_ANSWERED = ("answer", "nxdomain", "nodata", "cname_loop")

SPEC = ProbeSpec(
    name="dns.query",
    description="Look up a DNS name and type, following CNAMEs",
    params=DnsQueryParams,
    outcomes={
        "answer": "records of the asked type exist (perhaps behind CNAMEs)",
        "nxdomain": "the name (or the end of its CNAME chain) does not exist",
        "nodata": "the name exists but has no record of that type",
        "cname_loop": "the CNAME chain loops or is too long",
        **FAILURE_OUTCOMES,
    },
    run=run_dns_query,
    facts={
        "name": always("the name asked"),
        "rtype": always("the record type asked"),
        "authoritative": always("true when the authoritative servers were asked directly"),
        "server": on("the server that answered", *_ANSWERED),
        "records": on("the records, presentation format", *_ANSWERED),
        "ttl": on("TTL of the answer, or how long a negative answer is cached", *_ANSWERED),
        "final_name": on("where the CNAME chain ended", *_ANSWERED),
        "cname_chain": on("the CNAME hops: name, target, ttl", *_ANSWERED),
    },
)
