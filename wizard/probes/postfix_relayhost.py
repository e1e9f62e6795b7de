"""``postfix.relayhost``: is ``relayhost`` in ``[host]:port`` form, on a port the provider serves?

No network. The provider is the bundled profile (flows/providers/*.yaml) one of
whose endpoints is the relay's host — OCI's ``smtp.email.<region>.oci.oraclecloud.com``
— or the generic profile for any other relay; its STARTTLS ports are the ones
a Postfix relay configuration may use (port 465 wants ``smtp_tls_wrappermode``).
"""

from __future__ import annotations

import asyncio

from pydantic import Field

from wizard.data.diagnostics import DataFileError
from wizard.postfix.relayhost import Relayhost, RelayhostError, parse_relayhost
from wizard.probes.base import (
    FactValue,
    ProbeContext,
    ProbeResult,
    ProbeSpec,
    TimedParams,
    on,
)
from wizard.providers.loader import bundled_provider_ids, load_provider
from wizard.providers.model import Provider

GENERIC = "generic"


class PostfixRelayhostParams(TimedParams):
    """The configured relayhost, an optional override, and optionally the provider."""

    relayhost: str = Field("", description="relayhost as configured (postfix.config's fact)")
    override: str = Field("", description="A relayhost to check instead of the configured one")
    provider: str = Field("", description="Provider profile id; empty: the profile whose "
                          "endpoint is the relay's host, else generic")


def _endpoints(provider: Provider) -> set[str]:
    hosts = {provider.smtp_host(region_id=region.id).lower() for region in provider.regions}
    if provider.smtp.endpoint and "{" not in provider.smtp.endpoint:
        hosts.add(provider.smtp.endpoint.lower())
    return hosts


def provider_for_host(host: str) -> Provider:
    """The bundled profile one of whose endpoints is ``host``; the generic profile otherwise."""
    wanted = host.lower().rstrip(".")
    for provider_id in bundled_provider_ids():
        if provider_id == GENERIC:
            continue
        try:
            provider = load_provider(provider_id)
        except DataFileError:
            continue
        if wanted in _endpoints(provider):
            return provider
    return load_provider(GENERIC)


def _problems(relay: Relayhost, served: list[int]) -> list[str]:
    problems = []
    if not relay.bracketed:
        problems.append(f"{relay.host} is not in brackets: Postfix looks up its MX records "
                        "and may relay somewhere else")
    if not relay.port_given:
        problems.append(f"no port: Postfix uses port {relay.port}, which many networks block")
    elif relay.port not in served:
        problems.append(f"port {relay.port} is not one the provider serves with STARTTLS "
                        f"({', '.join(map(str, served))})")
    return problems


def _check(params: PostfixRelayhostParams) -> ProbeResult:
    value = (params.override or params.relayhost).strip()
    facts: dict[str, FactValue] = {
        "relayhost": value, "source": "override" if params.override.strip() else "main.cf",
        "host": "", "port": 0, "bracketed": False, "problems": [], "problems_text": "",
        "suggested": "", "target_host": "", "target_port": 0,
    }
    error = ""
    try:
        relay = parse_relayhost(value)
    except RelayhostError as exc:
        relay, error = None, str(exc)
    try:
        provider = load_provider(params.provider) if params.provider else \
            provider_for_host(relay.host if relay else "")
    except DataFileError as exc:
        return ProbeResult("unknown_provider", f"no usable provider profile {params.provider!r}",
                           tuple(str(d) for d in exc.diagnostics[:5]), facts)
    served = [p.port for p in provider.smtp.ports if p.tls == "starttls"]
    facts.update({
        "provider_id": provider.id, "provider_name": provider.name,
        "starttls_ports": served, "starttls_ports_text": ", ".join(map(str, served)),
        "tls_min_version": provider.smtp.tls_min_version,
        "auth_mechanisms": ", ".join(provider.smtp.auth.mechanisms),
        "endpoint_where": provider.smtp.endpoint_where,
        "egress_where": provider.smtp.egress_where,
    })
    if error:
        facts["problems"] = [error]
        facts["problems_text"] = error
        return ProbeResult("invalid", f"relayhost {value} cannot be read: {error}",
                           (f"relayhost = {value}",), facts)
    if relay is None:
        return ProbeResult("unset", "relayhost is not set: Postfix delivers straight to each "
                           "recipient's mail servers, not through a relay", (), facts)
    port = relay.port if relay.port_given and relay.port in served else served[0]
    problems = _problems(relay, served)
    facts.update({
        "host": relay.host, "port": relay.port, "bracketed": relay.bracketed,
        "problems": problems, "problems_text": "; ".join(problems),
        "suggested": relay.bracketed_form(port), "target_host": relay.host,
        "target_port": port,
    })
    evidence = [f"relayhost = {value} ({facts['source']})",
                f"profile {provider.id}: STARTTLS on {facts['starttls_ports_text']}"]
    if relay.others:
        evidence.append(f"further relays, tried after the first: {', '.join(relay.others)}")
    if not relay.bracketed:
        outcome = "no_brackets"
    elif not relay.port_given:
        outcome = "no_port"
    elif relay.port not in served:
        outcome = "port_not_served"
    else:
        return ProbeResult("ok", f"relayhost {value}: {provider.name} on port {relay.port}",
                           tuple(evidence), facts)
    return ProbeResult(outcome, f"relayhost {value}: should be {facts['suggested']}",
                       tuple(evidence + problems), facts)


async def run_postfix_relayhost(params: PostfixRelayhostParams,
                                ctx: ProbeContext) -> ProbeResult:
    """Read the profiles in a thread, bounded by the timeout."""
    timeout = ctx.seconds(params)
    try:
        return await asyncio.wait_for(asyncio.to_thread(_check, params), timeout)
    except TimeoutError:
        return ProbeResult("timeout", f"reading the provider profiles took more than "
                           f"{timeout:g}s")


_CHECKED = ("ok", "no_brackets", "no_port", "port_not_served", "unset", "invalid")
_READ = (*_CHECKED, "unknown_provider")

SPEC = ProbeSpec(
    name="postfix.relayhost",
    description="Check relayhost: the [host]:port form, on a port the provider serves",
    params=PostfixRelayhostParams,
    outcomes={
        "ok": "[host]:port, on a port the provider serves with STARTTLS",
        "no_brackets": "the host is not in brackets: Postfix looks up its MX records first",
        "no_port": "[host] without a port: Postfix uses port 25",
        "port_not_served": "[host]:port, but the provider serves no STARTTLS on that port",
        "unset": "relayhost is empty: mail goes straight to the recipients' servers",
        "invalid": "the value cannot be read as [host]:port",
        "unknown_provider": "the provider profile asked for does not exist (or has defects)",
        "timeout": "reading the provider profiles took too long",
    },
    run=run_postfix_relayhost,
    facts={
        "relayhost": on("the value checked", *_READ),
        "source": on("main.cf, or override when the override was checked", *_READ),
        "host": on("the relay's host (first relay; empty when unset)", *_READ),
        "port": on("the port Postfix connects to (25 when none is written; 0 when unset)",
                   *_READ),
        "bracketed": on("the host is in [brackets]", *_READ),
        "problems": on("what is wrong with the form or the port", *_READ),
        "problems_text": on("the problems in one line", *_READ),
        "suggested": on("the relayhost to set: [host]:port on a served port (empty when unset)",
                        *_READ),
        "target_host": on("the host a live check should connect to (empty when unset)", *_READ),
        "target_port": on("the port a live check should use: the suggested one", *_READ),
        "provider_id": on("the provider profile used (generic for an unknown or unreadable relay)",
                          *_CHECKED),
        "provider_name": on("its name", *_CHECKED),
        "starttls_ports": on("ports the provider serves with STARTTLS", *_CHECKED),
        "starttls_ports_text": on("those ports, comma-separated", *_CHECKED),
        "tls_min_version": on("the lowest TLS version the provider accepts", *_CHECKED),
        "auth_mechanisms": on("the AUTH mechanisms the provider offers", *_CHECKED),
        "endpoint_where": on("where the provider shows its SMTP endpoint (a console page)",
                             *_CHECKED),
        "egress_where": on("where outgoing SMTP to the relay may be blocked", *_CHECKED),
    },
)
