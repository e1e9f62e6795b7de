"""One resolver for the whole diagnosis.

When the user names a nameserver (``--nameserver``), every lookup goes
through it — including the address of a host that a TCP or SMTP probe
connects to — so that a diagnosis never silently mixes two resolvers.
"""

from __future__ import annotations

import ipaddress

import dns.asyncresolver
import dns.exception
import dns.inet
import dns.resolver

from wizard.probes.base import ProbeContext


class NameNotFound(Exception):
    """The host name has no address (NXDOMAIN, no A/AAAA, or no answer)."""


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


def is_ip_address(host: str) -> bool:
    """True when ``host`` is a literal IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


async def resolve_host(host: str, ctx: ProbeContext) -> list[str]:
    """The addresses of ``host`` (A first, then AAAA), through the context's resolver.

    A literal address is returned as it is. Raises :class:`NameNotFound`
    when the name has no address, and ``dns.exception.Timeout`` when the
    resolver does not answer.
    """
    if is_ip_address(host):
        return [host.strip("[]")]
    resolver = make_resolver(ctx)
    addresses: list[str] = []
    errors: list[str] = []
    for rdtype in ("A", "AAAA"):
        try:
            answer = await resolver.resolve(host, rdtype, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN as exc:
            raise NameNotFound(f"{host}: no such name (NXDOMAIN)") from exc
        except dns.resolver.NoNameservers as exc:
            errors.append(f"{rdtype}: {exc}")
            continue
        if answer.rrset is not None:
            addresses.extend(rr.to_text() for rr in answer.rrset)
    if not addresses:
        detail = "; ".join(errors) if errors else "no A or AAAA record"
        raise NameNotFound(f"{host}: {detail}")
    return addresses
