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
    from wizard.probes.support.resolve import resolve_name

    return await resolve_name(host, ctx)
