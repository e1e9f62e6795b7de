"""Read a Postfix ``relayhost`` value: host, port, and whether it has the ``[host]:port`` form.

Pure. Postfix's rules: ``[host]`` means "this host itself" (no MX lookup);
a bare ``host`` makes Postfix look up the host's MX records first; a missing
``:port`` means the ``smtp`` service, port 25. ``relayhost`` may list several
relays (Postfix 3.5+); the first one is what a message tries first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SERVICE_PORTS = {"smtp": 25, "submission": 587, "submissions": 465, "smtps": 465}
"""Service names Postfix accepts after the colon, as numbers."""

DEFAULT_PORT = 25

_SPLIT = re.compile(r"[\s,]+")


class RelayhostError(ValueError):
    """The value cannot be read as a relay destination."""


@dataclass(frozen=True)
class Relayhost:
    """The first relay of a ``relayhost`` value."""

    host: str
    port: int
    """The port Postfix connects to (25 when none is written)."""
    bracketed: bool
    port_given: bool
    others: tuple[str, ...] = ()
    """Further relays listed after the first."""

    def bracketed_form(self, port: int) -> str:
        """``[host]:port`` (``[ipv6:…]`` for an IPv6 address, as Postfix writes it)."""
        host = f"ipv6:{self.host}" if ":" in self.host else self.host
        return f"[{host}]:{port}"


def _port(text: str, value: str) -> int:
    text = text.strip()
    if text.isdigit() and 0 < int(text) < 65536:
        return int(text)
    if text.lower() in SERVICE_PORTS:
        return SERVICE_PORTS[text.lower()]
    raise RelayhostError(f"{value!r}: {text!r} is not a port")


def parse_relayhost(value: str) -> Relayhost | None:
    """The first relay of ``value``; None when empty; :class:`RelayhostError` when unreadable."""
    items = [item for item in _SPLIT.split(value.strip()) if item]
    if not items:
        return None
    first, others = items[0], tuple(items[1:])
    if first.startswith("["):
        host, closing, rest = first[1:].partition("]")
        if not closing or not host:
            raise RelayhostError(f"{first!r}: a '[' without its ']'")
        if host.lower().startswith("ipv6:"):
            host = host[5:]
        if rest and not rest.startswith(":"):
            raise RelayhostError(f"{first!r}: unexpected text after ']'")
        port_given = bool(rest)
        port = _port(rest[1:], first) if port_given else DEFAULT_PORT
        return Relayhost(host, port, True, port_given, others)
    if "[" in first or "]" in first:
        raise RelayhostError(f"{first!r}: a ']' without its '['")
    host, colon, port_text = first.partition(":")
    if not host:
        raise RelayhostError(f"{first!r}: no host name")
    port = _port(port_text, first) if colon else DEFAULT_PORT
    return Relayhost(host, port, False, bool(colon), others)
