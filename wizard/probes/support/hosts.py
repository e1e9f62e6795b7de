"""A host's addresses: a literal address as it is, a name through the diagnosis's resolver.

Kept apart from :mod:`wizard.probes.support.resolve` so that a probe
connecting to a literal address (``--set host=192.0.2.1``) never imports
dnspython's resolver (tens of milliseconds of start-up); a name imports it
on its first lookup.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wizard.probes.base import ProbeContext


class NameNotFound(Exception):
    """The host name has no address (NXDOMAIN, no A/AAAA, or no answer)."""


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
    import dns.resolver

    from wizard.probes.support.resolve import make_resolver

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
