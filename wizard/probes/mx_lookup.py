"""``mx.lookup``: where mail for a domain goes: MX hosts by preference with their addresses."""

from __future__ import annotations

import asyncio

from pydantic import Field

from wizard.dns.names import bare
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
from wizard.probes.support.dns_failures import FAILURE_OUTCOMES, lookup_failure, no_response
from wizard.probes.support.resolve import NoResponse, lookup


class MxLookupParams(TimedParams):
    """The domain mail is sent to."""

    domain: str = Field(min_length=1, description="The recipient domain")


async def _addresses(host: str, ctx: ProbeContext, deadline: Deadline) -> list[str]:
    found = await asyncio.gather(lookup(host, "A", ctx, deadline),
                                 lookup(host, "AAAA", ctx, deadline))
    return [address for result in found for address in result.records]


async def run_mx_lookup(params: MxLookupParams, ctx: ProbeContext) -> ProbeResult:
    """Look up the MX records, then each host's A and AAAA (or the domain's own, with no MX)."""
    deadline = ctx.deadline(params)
    domain = bare(params.domain)
    facts: dict[str, FactValue] = {"domain": domain, "mx": []}
    try:
        found = await lookup(domain, "MX", ctx, deadline)
        if found.status in ("servfail", "refused"):
            return lookup_failure(f"{domain} MX", found, facts)
        if found.status == "nxdomain":
            return ProbeResult("nxdomain", f"{domain} does not exist (NXDOMAIN)",
                               (f"{domain}: NXDOMAIN",), facts)
        if found.status != "answer":
            return await _no_mx(domain, ctx, deadline, facts)
        pairs = sorted((int(rr.split()[0]), bare(rr.split()[1])) for rr in found.records)
        if len(pairs) == 1 and pairs[0][1] == "":
            return ProbeResult("null_mx", f"{domain} publishes a null MX: it accepts no mail",
                               (f"{domain} MX 0 .",), facts)
        hosts = await asyncio.gather(*(_addresses(host, ctx, deadline) for _, host in pairs))
    except NoResponse as exc:
        return no_response(f"the MX of {domain}", exc, facts)
    mx: list[FactValue] = [{"preference": pref, "host": host, "addresses": addresses}
                           for (pref, host), addresses in zip(pairs, hosts, strict=True)]
    evidence = [f"{domain} MX {pref} {host}: " + (", ".join(addresses) or "no address")
                for (pref, host), addresses in zip(pairs, hosts, strict=True)]
    facts.update({"mx": mx, "hosts": [host for _, host in pairs],
                  "unresolvable": [host for (_, host), a in zip(pairs, hosts, strict=True)
                                   if not a]})
    if not any(hosts):
        return ProbeResult("mx_unresolvable", f"no MX host of {domain} has an address",
                           tuple(evidence), facts)
    return ProbeResult("mx_found", f"mail for {domain} goes to {pairs[0][1]} "
                       f"(preference {pairs[0][0]}), {len(pairs)} MX host(s)",
                       tuple(evidence), facts)


async def _no_mx(domain: str, ctx: ProbeContext, deadline: Deadline,
                 facts: dict[str, FactValue]) -> ProbeResult:
    addresses = await _addresses(domain, ctx, deadline)
    facts["implicit_addresses"] = addresses
    if addresses:
        return ProbeResult("no_mx_implicit_a",
                           f"{domain} has no MX: senders fall back to its own address",
                           (f"{domain}: no MX; A/AAAA {', '.join(addresses)}",), facts)
    return ProbeResult("no_mx_no_address", f"{domain} has neither MX nor an address: "
                       "mail to it cannot be delivered", (f"{domain}: no MX, no A, no AAAA",),
                       facts)


SPEC = ProbeSpec(
    name="mx.lookup",
    description="Find a domain's mail servers (MX, by preference) and their addresses",
    params=MxLookupParams,
    outcomes={
        "mx_found": "MX hosts found, at least one with an address",
        "mx_unresolvable": "MX records exist but no MX host has an address",
        "null_mx": "a null MX (MX 0 .): the domain accepts no mail",
        "no_mx_implicit_a": "no MX: senders use the domain's own A/AAAA (implicit MX)",
        "no_mx_no_address": "no MX and no address: no mail can be delivered",
        "nxdomain": "the domain does not exist",
        **FAILURE_OUTCOMES,
    },
    run=run_mx_lookup,
    facts={
        "domain": always("the domain"),
        "mx": always("MX hosts by preference: preference, host, addresses"),
        "hosts": on("MX host names by preference", "mx_found", "mx_unresolvable"),
        "unresolvable": on("MX hosts without an address", "mx_found", "mx_unresolvable"),
        "implicit_addresses": on("the domain's own addresses", "no_mx_implicit_a",
                                 "no_mx_no_address"),
    },
)
