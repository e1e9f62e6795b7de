"""DMARC records (RFC 7489): parse the policy and predict identifier alignment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wizard.dns.dkim_tags import TagListError, parse_tag_list
from wizard.dns.names import bare

POLICIES = ("none", "quarantine", "reject")


def is_dmarc(text: str) -> bool:
    """True when a TXT string claims to be a DMARC record (``v=DMARC1`` first)."""
    return text.strip().replace(" ", "").upper().startswith("V=DMARC1")


@dataclass(frozen=True)
class DmarcRecord:
    """A parsed DMARC record with defaults applied; ``problems`` make it unusable."""

    tags: dict[str, str]
    policy: str | None
    subdomain_policy: str | None
    pct: int
    adkim: str
    aspf: str
    rua: tuple[str, ...]
    ruf: tuple[str, ...]
    problems: tuple[str, ...]


def parse_dmarc(text: str) -> DmarcRecord:
    """Parse a DMARC record; syntax errors are listed in ``problems``, never raised."""
    problems: list[str] = []
    try:
        tags = {k.lower(): v for k, v in parse_tag_list(text).items()}
    except TagListError as exc:
        return DmarcRecord({}, None, None, 100, "r", "r", (), (), (str(exc),))
    if tags.get("v") != "DMARC1" or next(iter(tags), None) != "v":
        problems.append("the record must start with v=DMARC1")
    policy = tags.get("p", "").lower() or None
    if policy is None:
        problems.append("no p= tag: the record has no policy")
    elif policy not in POLICIES:
        problems.append(f"p={policy}: must be none, quarantine or reject")
    sub = tags.get("sp", "").lower() or None
    if sub is not None and sub not in POLICIES:
        problems.append(f"sp={sub}: must be none, quarantine or reject")
    pct = 100
    if "pct" in tags:
        try:
            pct = int(tags["pct"])
            if not 0 <= pct <= 100:
                raise ValueError
        except ValueError:
            problems.append(f"pct={tags['pct']}: must be a number from 0 to 100")
            pct = 100
    modes = {}
    for tag in ("adkim", "aspf"):
        modes[tag] = tags.get(tag, "r").lower()
        if modes[tag] not in ("r", "s"):
            problems.append(f"{tag}={tags[tag]}: must be r (relaxed) or s (strict)")
    return DmarcRecord(tags, policy, sub, pct, modes["adkim"], modes["aspf"],
                       _uris(tags.get("rua")), _uris(tags.get("ruf")), tuple(problems))


def _uris(value: str | None) -> tuple[str, ...]:
    return tuple(u.strip() for u in (value or "").split(",") if u.strip())


def aligned(identifier: str, header_from: str, mode: str,
            org_domain: Callable[[str], str]) -> bool:
    """DMARC identifier alignment: exact match (``s``) or same organizational domain (``r``)."""
    if bare(identifier) == bare(header_from):
        return True
    return mode == "r" and org_domain(identifier) == org_domain(header_from)
