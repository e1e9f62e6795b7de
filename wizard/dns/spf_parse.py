"""SPF records (RFC 7208): recognise, split into terms, and say which terms cost a DNS lookup."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
LOOKUP_MECHANISMS = ("include", "a", "mx", "ptr", "exists")
"""Mechanisms that count towards the limit of 10 DNS lookups (RFC 7208 §4.6.4)."""
LOOKUP_LIMIT = 10
VOID_LOOKUP_LIMIT = 2
_MODIFIER = re.compile(r"([A-Za-z][A-Za-z0-9._-]*)=(.*)\Z", re.DOTALL)
_MECHANISM = re.compile(r"([+\-~?]?)([A-Za-z][A-Za-z0-9._-]*)(?::([^/]*))?(/.*)?\Z", re.DOTALL)


def is_spf(text: str) -> bool:
    """True when a TXT string is an SPF record (starts with the ``v=spf1`` version term)."""
    lowered = text.strip().lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


@dataclass(frozen=True)
class Mechanism:
    """One mechanism: ``qualifier`` (+ - ~ ?), lower-case ``name``, its domain or network."""

    qualifier: str
    name: str
    value: str | None
    cidr: str | None = None

    def __str__(self) -> str:
        text = ("" if self.qualifier == "+" else self.qualifier) + self.name
        if self.value is not None:
            text += f":{self.value}"
        return text + (self.cidr or "")


@dataclass(frozen=True)
class SpfRecord:
    """A parsed SPF record; ``problems`` are syntax errors that make it a permerror."""

    text: str
    mechanisms: tuple[Mechanism, ...]
    modifiers: tuple[tuple[str, str], ...]
    problems: tuple[str, ...]

    @property
    def redirect(self) -> str | None:
        """The ``redirect=`` domain, if any."""
        return next((v for k, v in self.modifiers if k == "redirect"), None)

    @property
    def lookup_mechanisms(self) -> tuple[Mechanism, ...]:
        """The mechanisms that each cost one DNS lookup."""
        return tuple(m for m in self.mechanisms if m.name in LOOKUP_MECHANISMS)


def parse_spf(text: str) -> SpfRecord:
    """Split an SPF record into mechanisms and modifiers and check their syntax."""
    tokens = text.split()
    problems: list[str] = []
    mechanisms: list[Mechanism] = []
    modifiers: list[tuple[str, str]] = []
    if not tokens or tokens[0].lower() != "v=spf1":
        problems.append("the record does not start with v=spf1")
    for token in tokens[1:]:
        modifier = _MODIFIER.match(token)
        if modifier and ":" not in modifier.group(1) and "/" not in modifier.group(1):
            name = modifier.group(1).lower()
            if name in ("redirect", "exp") and any(k == name for k, _ in modifiers):
                problems.append(f"{name}= appears more than once")
            if name in ("redirect", "exp") and not modifier.group(2):
                problems.append(f"{name}= has no domain")
            modifiers.append((name, modifier.group(2)))
            continue
        match = _MECHANISM.match(token)
        if not match:
            problems.append(f"{token!r} is not a mechanism or a modifier")
            continue
        qualifier, name, value, cidr = match.groups()
        mechanism = Mechanism(qualifier or "+", name.lower(), value, cidr)
        problem = _check_mechanism(mechanism)
        if problem:
            problems.append(f"{token!r}: {problem}")
        mechanisms.append(mechanism)
    return SpfRecord(text, tuple(mechanisms), tuple(modifiers), tuple(problems))


def _check_mechanism(mech: Mechanism) -> str | None:
    if mech.name not in MECHANISMS:
        return f"unknown mechanism {mech.name!r}"
    if mech.name == "all" and (mech.value is not None or mech.cidr):
        return "'all' takes no argument"
    if mech.name in ("include", "exists") and not mech.value:
        return f"'{mech.name}' needs a domain"
    if mech.name in ("include", "exists", "ptr") and mech.cidr:
        return f"'{mech.name}' takes no prefix length"
    if mech.name in ("ip4", "ip6"):
        if not mech.value:
            return f"'{mech.name}' needs an address"
        try:
            network = ipaddress.ip_network(mech.value + (mech.cidr or ""), strict=False)
        except ValueError:
            return f"{mech.value}{mech.cidr or ''} is not a valid network"
        if network.version != int(mech.name[-1]):
            return f"{mech.value} is not an IPv{mech.name[-1]} address"
    if mech.name in ("a", "mx") and mech.cidr and not re.fullmatch(r"(/\d{1,2})?(//\d{1,3})?",
                                                                    mech.cidr):
        return f"bad prefix length {mech.cidr}"
    return None
