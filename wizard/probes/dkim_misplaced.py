"""``dkim.misplaced``: find the DKIM record where a zone-relative DNS console put it by mistake.

A console that appends the zone to every name turns a pasted
``sel._domainkey.mail.example.com`` into ``sel._domainkey.mail.example.com.example.com``;
a user who trims it by hand may drop one label too many
(``sel._domainkey.example.com`` for the domain ``mail.example.com``).
"""

from __future__ import annotations

import asyncio

from pydantic import Field

from wizard.dns.names import absolute, ancestors, bare, relative_to
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
from wizard.probes.dkim_record import dkim_name
from wizard.probes.support.dns_failures import FAILURE_OUTCOMES, no_response, zone_failure
from wizard.probes.support.resolve import NoResponse, lookup, txt_strings
from wizard.probes.support.zones import ZoneLookupFailed, find_zone


class DkimMisplacedParams(TimedParams):
    """The domain and selector whose key may have landed at the wrong name."""

    domain: str = Field(min_length=1, description="The signing domain (d=)")
    selector: str = Field(min_length=1, description="The selector (s=)")


def misplaced_candidates(selector: str, domain: str, zone: str) -> list[tuple[str, str]]:
    """The wrong names a key is commonly put at, each with the mistake that makes it."""
    right = dkim_name(selector, domain)
    parents = ancestors(domain, zone)
    found = [(f"{right}.{parent}", f"the full name was typed into a console that appends "
              f"{parent}") for parent in parents]
    found += [(dkim_name(selector, parent), f"the label(s) of {bare(domain)} before {parent} "
               "were dropped") for parent in parents[1:]]
    return found


async def _record_at(name: str, ctx: ProbeContext,
                     deadline: Deadline) -> tuple[str, str] | None:
    """The CNAME or TXT record at ``name`` (rtype, value), if any.

    The TXT question comes first: its answer shows a CNAME at the name too (the first
    hop), and a name without either is done with it. Only when it fails (a resolver
    that cannot follow the CNAME answers SERVFAIL) is the CNAME asked for on its own;
    a name that question finds absent (NXDOMAIN) has no TXT either.
    """
    txt = await lookup(name, "TXT", ctx, deadline)
    if txt.hops:
        return "CNAME", txt.hops[0].target
    if txt.status == "answer":
        return "TXT", " ".join(txt_strings(txt.rrset))
    if txt.status in ("nxdomain", "nodata"):
        return None
    cname = await lookup(name, "CNAME", ctx, deadline)
    if cname.status == "answer":
        return "CNAME", cname.records[0]
    return None


async def run_dkim_misplaced(params: DkimMisplacedParams, ctx: ProbeContext) -> ProbeResult:
    """Find the domain's zone, then look for the key at each wrong name and at the right one."""
    deadline = ctx.deadline(params)
    right = dkim_name(params.selector, params.domain)
    facts: dict[str, FactValue] = {"correct_name": absolute(right)}
    try:
        zone = await find_zone(params.domain, ctx, deadline)
        candidates = misplaced_candidates(params.selector, params.domain, zone.name)
        records = await asyncio.gather(
            _record_at(right, ctx, deadline),
            *(_record_at(name, ctx, deadline) for name, _ in candidates))
    except NoResponse as exc:
        return no_response(f"the DKIM names of {bare(params.domain)}", exc, facts)
    except ZoneLookupFailed as exc:
        return zone_failure(exc, facts)
    at_right, *at_wrong = records
    facts.update({
        "zone": zone.name,
        "zone_relative_name": relative_to(right, zone.name),
        "correct_present": at_right is not None,
    })
    evidence = [*zone.walk, f"{absolute(right)}: "
                + (f"{at_right[0]} {at_right[1]}" if at_right else "nothing (the right name)")]
    misplaced: list[dict[str, FactValue]] = []
    for (name, mistake), record in zip(candidates, at_wrong, strict=True):
        evidence.append(f"{absolute(name)}: " + (f"{record[0]} {record[1]}" if record
                                                 else "nothing"))
        if record:
            misplaced.append({"name": absolute(name), "rtype": record[0], "value": record[1],
                              "zone_relative_name": relative_to(name, zone.name),
                              "mistake": mistake})
    facts["misplaced"] = list(misplaced)
    if not misplaced:
        return ProbeResult("none_found", f"no DKIM record at a misplaced name in {zone.name}",
                           tuple(evidence), facts)
    first = misplaced[0]
    facts.update({"misplaced_name": first["name"], "misplaced_rtype": first["rtype"],
                  "misplaced_value": first["value"],
                  "misplaced_zone_relative_name": first["zone_relative_name"]})
    return ProbeResult("misplaced_found",
                       f"the {first['rtype']} record is at {first['name']} instead of "
                       f"{absolute(right)}: {first['mistake']}", tuple(evidence), facts)


SPEC = ProbeSpec(
    name="dkim.misplaced",
    description="Look for a DKIM record put at a zone-relative paste mistake",
    params=DkimMisplacedParams,
    outcomes={
        "misplaced_found": "a CNAME or TXT was found at a wrong name",
        "none_found": "no record at any of the usual wrong names",
        **FAILURE_OUTCOMES,
    },
    run=run_dkim_misplaced,
    facts={
        "correct_name": always("<selector>._domainkey.<domain>. (absolute, trailing dot)"),
        "zone": on("the zone the domain is in", "misplaced_found", "none_found"),
        "zone_relative_name": on("the right name as a zone-relative console wants it",
                                 "misplaced_found", "none_found"),
        "correct_present": on("whether a CNAME or TXT is also at the right name",
                              "misplaced_found", "none_found"),
        "misplaced": on("every misplaced record: name, rtype, value, zone_relative_name, mistake",
                        "misplaced_found", "none_found"),
        "misplaced_name": on("the first misplaced name (absolute)", "misplaced_found"),
        "misplaced_rtype": on("its record type", "misplaced_found"),
        "misplaced_value": on("its value", "misplaced_found"),
        "misplaced_zone_relative_name": on("its zone-relative name", "misplaced_found"),
    },
)
