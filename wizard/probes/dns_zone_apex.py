"""``dns.zone_apex``: which zone holds a name, and the name as written inside that zone."""

from __future__ import annotations

from pydantic import Field

from wizard.dns.names import bare, relative_to
from wizard.probes.base import (
    FactValue,
    ProbeContext,
    ProbeResult,
    ProbeSpec,
    TimedParams,
    always,
    on,
)
from wizard.probes.support.dns_failures import FAILURE_OUTCOMES, no_response, zone_failure
from wizard.probes.support.resolve import NoResponse
from wizard.probes.support.zones import ZoneLookupFailed, find_zone


class ZoneApexParams(TimedParams):
    """The name whose zone is wanted."""

    name: str = Field(min_length=1, description="A domain name")


async def run_zone_apex(params: ZoneApexParams, ctx: ProbeContext) -> ProbeResult:
    """Walk up from ``name`` with SOA queries until a zone apex answers."""
    deadline = ctx.deadline(params)
    facts: dict[str, FactValue] = {"name": bare(params.name)}
    try:
        zone = await find_zone(params.name, ctx, deadline)
    except NoResponse as exc:
        return no_response(f"the zone of {params.name}", exc, facts)
    except ZoneLookupFailed as exc:
        return zone_failure(exc, facts)
    relative = relative_to(params.name, zone.name)
    facts.update({"zone": zone.name, "relative_name": relative, "serial": zone.serial})
    return ProbeResult("found", f"{facts['name']} is in zone {zone.name} (as {relative!r})",
                       zone.walk, facts)


SPEC = ProbeSpec(
    name="dns.zone_apex",
    description="Find the zone a name belongs to (walking up with SOA queries)",
    params=ZoneApexParams,
    outcomes={"found": "the zone apex was found", **FAILURE_OUTCOMES},
    run=run_zone_apex,
    facts={
        "name": always("the name, lower-case, without trailing dot"),
        "zone": on("the zone apex, without trailing dot", "found"),
        "relative_name": on("the name relative to the zone ('@' at the apex)", "found"),
        "serial": on("the zone's SOA serial", "found"),
    },
)
