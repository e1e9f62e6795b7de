"""``provider.profile``: what the provider's profile says for this region, host and domain.

No network: it reads ``flows/providers/<id>.yaml`` so that flows get the
endpoint, the ports, the SPF include and the DKIM target from data, never
from code.
"""

from __future__ import annotations

import asyncio

from pydantic import Field

from wizard.data.diagnostics import DataFileError, did_you_mean
from wizard.probes.base import (
    FactValue,
    ProbeContext,
    ProbeResult,
    ProbeSpec,
    TimedParams,
    on,
)
from wizard.providers.loader import bundled_provider_ids, load_provider


class ProviderProfileParams(TimedParams):
    """Which profile, and what to look up in it."""

    provider: str = Field("oci", description="Profile id (flows/providers/<id>.yaml)")
    region: str = Field("", description="Region id, e.g. us-ashburn-1")
    host: str = Field("", description="SMTP host; when given it is the endpoint, even with a "
                      "region (whose own endpoint is then region_smtp_host)")
    selector: str = Field("", description="DKIM selector, for the expected CNAME target")
    domain: str = Field("", description="Sending domain, for the expected CNAME target")


async def run_provider_profile(params: ProviderProfileParams, ctx: ProbeContext) -> ProbeResult:
    """Load the profile (in a thread, bounded) and resolve region → endpoint, SPF, DKIM."""
    timeout = ctx.seconds(params)
    try:
        result = await asyncio.wait_for(asyncio.to_thread(_lookup, params), timeout)
    except TimeoutError:
        return ProbeResult("timeout", f"reading the {params.provider} profile took more than "
                           f"{timeout:g}s")
    return result


def _lookup(params: ProviderProfileParams) -> ProbeResult:
    try:
        provider = load_provider(params.provider)
    except DataFileError as exc:
        known = bundled_provider_ids()
        return ProbeResult("unknown_provider",
                           f"no usable provider profile {params.provider!r}"
                           f"{did_you_mean(params.provider, known)}",
                           tuple(str(d) for d in exc.diagnostics[:5]))
    facts: dict[str, FactValue] = {
        "provider_id": provider.id, "provider_name": provider.name,
        "api_name": provider.api_name, "support_where": provider.support_where,
        "endpoint_where": provider.smtp.endpoint_where,
        "egress_where": provider.smtp.egress_where,
        "ports": [p.port for p in provider.smtp.ports],
        "ports_text": ", ".join(str(p.port) for p in provider.smtp.ports),
        "starttls_ports": ",".join(str(p.port) for p in provider.smtp.ports
                                   if p.tls == "starttls"),
        "implicit_tls_ports": ",".join(str(p.port) for p in provider.smtp.ports
                                       if p.tls == "implicit"),
        "tls_min_version": provider.smtp.tls_min_version,
        "auth_mechanisms": ", ".join(provider.smtp.auth.mechanisms),
        "max_recipients": provider.limits.max_recipients or 0,
        "max_header_kb": provider.limits.max_header_kb or 0,
        "regions": [r.id for r in provider.regions],
        "region": params.region, "region_name": "", "smtp_host": "", "region_smtp_host": "",
        "spf_include": "", "spf_includes": [], "dkim_cname_target": "",
    }
    evidence = [f"profile {provider.id}: {provider.name}"]
    if params.region:
        try:
            region = provider.region(params.region)
        except KeyError:
            hint = did_you_mean(params.region, [r.id for r in provider.regions])
            return ProbeResult("unknown_region",
                               f"{provider.name} has no region {params.region!r}{hint}",
                               (f"known regions: {', '.join(r.id for r in provider.regions)}",),
                               facts)
        facts["region_name"] = region.name
        facts["region_smtp_host"] = provider.smtp_host(region_id=region.id)
        facts["smtp_host"] = params.host or facts["region_smtp_host"]
        includes = provider.spf_includes(region.id)
        facts["spf_includes"] = includes
        facts["spf_include"] = includes[0]
        if params.selector and params.domain and provider.dkim and provider.dkim.cname_target:
            facts["dkim_cname_target"] = provider.dkim_cname_target(
                params.selector, params.domain, region.id)
        evidence.append(f"region {region.id} ({region.name}): endpoint "
                        f"{facts['region_smtp_host']}")
    elif params.host:
        facts["smtp_host"] = params.host
    else:
        return ProbeResult("no_endpoint", f"{provider.name}: no region or host was given",
                           tuple(evidence), facts)
    return ProbeResult("found", f"{provider.name}: {facts['smtp_host']} on ports "
                       f"{facts['ports_text']}", tuple(evidence), facts)


SPEC = ProbeSpec(
    name="provider.profile",
    description="Read the provider profile: endpoint, ports, SPF include, DKIM target, limits",
    params=ProviderProfileParams,
    outcomes={
        "found": "the profile gives the endpoint for this region or host",
        "unknown_region": "the profile lists no such region",
        "no_endpoint": "neither a region nor a host was given",
        "unknown_provider": "no such provider profile (or it has defects)",
        "timeout": "reading the profile took too long",
    },
    run=run_provider_profile,
    facts={
        "provider_id": on("the profile's id", "found", "unknown_region", "no_endpoint"),
        "provider_name": on("the provider's name", "found", "unknown_region", "no_endpoint"),
        "api_name": on("how texts name the provider's API (e.g. 'the OCI Email Delivery API')",
                       "found", "unknown_region", "no_endpoint"),
        "support_where": on("where a support request goes", "found", "unknown_region",
                            "no_endpoint"),
        "endpoint_where": on("where the provider shows its SMTP endpoint", "found",
                             "unknown_region", "no_endpoint"),
        "egress_where": on("where outgoing SMTP may be blocked (firewalls, security lists)",
                           "found", "unknown_region", "no_endpoint"),
        "ports": on("submission ports", "found", "unknown_region", "no_endpoint"),
        "ports_text": on("submission ports, comma-separated", "found", "unknown_region",
                         "no_endpoint"),
        "starttls_ports": on("ports with STARTTLS", "found", "unknown_region", "no_endpoint"),
        "implicit_tls_ports": on("ports with TLS from the first byte (465), comma-separated",
                                 "found", "unknown_region", "no_endpoint"),
        "tls_min_version": on("lowest TLS version accepted", "found", "unknown_region",
                              "no_endpoint"),
        "auth_mechanisms": on("AUTH mechanisms", "found", "unknown_region", "no_endpoint"),
        "max_recipients": on("recipients per message (0: none documented)", "found",
                             "unknown_region", "no_endpoint"),
        "max_header_kb": on("header size limit in KB (0: none documented)", "found",
                            "unknown_region", "no_endpoint"),
        "regions": on("the profile's region ids", "found", "unknown_region", "no_endpoint"),
        "region": on("the region asked for", "found", "unknown_region", "no_endpoint"),
        "region_name": on("the region's display name", "found"),
        "smtp_host": on("the SMTP endpoint to connect to: host when given, else the region's",
                        "found"),
        "region_smtp_host": on("the region's endpoint from the profile (empty without a region)",
                               "found"),
        "spf_include": on("the SPF include to publish (first of spf_includes)", "found"),
        "spf_includes": on("every SPF include for the region", "found"),
        "dkim_cname_target": on("expected DKIM CNAME target (empty when unknown: no region, "
                                "or the profile does not say)", "found", "unknown_region",
                                "no_endpoint"),
    },
)
