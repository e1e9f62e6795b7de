"""``dkim.record``: the DKIM key at ``<selector>._domainkey.<domain>`` (CNAME or TXT) judged."""

from __future__ import annotations

from pydantic import Field

from wizard.dns.dkim_tags import DkimKey, TagListError, analyse_key_record
from wizard.dns.names import bare, same_name
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
from wizard.probes.support.dns_failures import (
    FAILURE_OUTCOMES,
    lookup_failure,
    no_response,
    zone_failure,
)
from wizard.probes.support.resolve import Lookup, NoResponse, lookup, txt_strings
from wizard.probes.support.zones import AuthoritativeServers, ZoneLookupFailed


class DkimRecordParams(TimedParams):
    """Where the DKIM key should be, and (optionally) where its CNAME should point."""

    domain: str = Field(min_length=1, description="The signing domain (d=)")
    selector: str = Field(min_length=1, description="The selector (s=)")
    expected_cname: str | list[str] | None = Field(
        None, description="The CNAME target the provider asked for (case and final dot "
        "ignored); empty means not asked; a list gives candidates in order of preference "
        "and the first non-empty one counts")

    def expected(self) -> str | None:
        """The expected CNAME target, bare, or None when none was given."""
        given = ([self.expected_cname] if isinstance(self.expected_cname, str)
                 else self.expected_cname or [])
        return next((bare(g) for g in given if bare(g)), None)


def dkim_name(selector: str, domain: str) -> str:
    """``<selector>._domainkey.<domain>`` (no trailing dot)."""
    return f"{bare(selector)}._domainkey.{bare(domain)}"


async def run_dkim_record(params: DkimRecordParams, ctx: ProbeContext) -> ProbeResult:
    """Look up the key's TXT record, following a CNAME, and judge what is there.

    With ``ctx.authoritative`` the zones' authoritative servers are asked, not the resolver.
    """
    name = dkim_name(params.selector, params.domain)
    expected = params.expected()
    facts: dict[str, FactValue] = {"name": name, "record_type": None, "cname_target": None,
                                   "cname_matches": None, "expected_cname": expected}
    deadline = ctx.deadline(params)
    chooser = AuthoritativeServers(ctx, deadline, (name, "TXT")) if ctx.authoritative else None
    try:
        found = await lookup(name, "TXT", ctx, deadline, chooser)
    except NoResponse as exc:
        return no_response(f"{name} TXT", exc, facts)
    except ZoneLookupFailed as exc:
        return zone_failure(exc, facts)
    if found.status in ("servfail", "refused"):
        return lookup_failure(f"{name} TXT", found, facts)
    evidence = [f"asked {found.server}", *found.describe_hops()]
    if found.hops:
        target = bare(found.hops[0].target)
        matches = None if expected is None else same_name(target, expected)
        facts.update({"record_type": "CNAME", "cname_target": target, "cname_matches": matches})
        if matches is False:
            evidence.append(f"expected CNAME target: {expected}")
            return ProbeResult("cname_wrong_target",
                               f"{name} is a CNAME to {target}, not to {expected}",
                               tuple(evidence), facts)
    if found.status != "answer":
        return _no_key(name, found, facts, evidence)
    if not found.hops:
        facts["record_type"] = "TXT"
    judged = _judge_key(name, found, facts, evidence)
    if judged.outcome != "txt_key" or expected is None:
        return judged
    return await _compare_with_target(judged, expected, ctx, deadline, chooser)


async def _compare_with_target(judged: ProbeResult, expected: str, ctx: ProbeContext,
                               deadline: Deadline,
                               chooser: AuthoritativeServers | None) -> ProbeResult:
    """A TXT key where a CNAME was asked for: is it the key published at the CNAME's target?"""
    facts = dict(judged.facts)
    evidence = list(judged.evidence)
    try:
        at_target = await lookup(expected, "TXT", ctx, deadline, chooser)
    except (NoResponse, ZoneLookupFailed) as exc:
        evidence.append(f"could not read the key at {expected}: {exc}")
        return ProbeResult("txt_key", judged.summary, tuple(evidence), facts)
    if at_target.status in ("servfail", "refused"):
        evidence.append(f"could not read the key at {expected}: {at_target.rcode}")
        return ProbeResult("txt_key", judged.summary, tuple(evidence), facts)
    texts = txt_strings(at_target.rrset) if at_target.status == "answer" else []
    theirs = next((t for t in texts if "p=" in t), None)
    facts["expected_txt"] = theirs
    mine = facts.get("tags")
    try:
        same = (theirs is not None and isinstance(mine, dict)
                and analyse_key_record(theirs).tags.get("p") == mine.get("p"))
    except TagListError:
        same = False
    facts["txt_matches"] = same
    if same:
        evidence.append(f"{expected} publishes the same key")
        return ProbeResult("txt_key", judged.summary + f", the same key as at {expected}",
                           tuple(evidence), facts)
    evidence.append(f"{expected}: " + (f"TXT {theirs}" if theirs else "no DKIM key"))
    return ProbeResult("txt_key_differs",
                       f"{facts['name']} publishes a key directly in TXT, but not the key at "
                       f"{expected}", tuple(evidence), facts)


def _no_key(name: str, found: Lookup, facts: dict[str, FactValue],
            evidence: list[str]) -> ProbeResult:
    what = "does not exist" if found.status == "nxdomain" else "has no TXT record"
    if found.status == "cname_loop":
        what = "is part of a CNAME loop"
    evidence.append(f"{found.final_name} {what}")
    if found.hops:
        return ProbeResult("no_key_at_target",
                           f"{name} points to {facts['cname_target']}, which {what}",
                           tuple(evidence), facts)
    return ProbeResult("missing", f"no DKIM record at {name}: the name {what}",
                       tuple(evidence), facts)


def _judge_key(name: str, found: Lookup, facts: dict[str, FactValue],
               evidence: list[str]) -> ProbeResult:
    texts = txt_strings(found.rrset)
    evidence += [f"{found.final_name} TXT {text}" for text in texts]
    facts["ttl"] = found.ttl
    keys = [t for t in texts if "p=" in t or t.strip().startswith("v=DKIM1")] or texts
    if len(keys) > 1:
        facts["problems"] = [f"{len(keys)} DKIM records at one name: verifiers pick any"]
        return ProbeResult("malformed", f"{name} holds {len(keys)} DKIM records, not one",
                           tuple(evidence), facts)
    facts["txt"] = keys[0]
    try:
        key = analyse_key_record(keys[0])
    except TagListError as exc:
        facts["problems"] = [str(exc)]
        return ProbeResult("malformed", f"the DKIM record at {name} is not a tag list: {exc}",
                           tuple(evidence), facts)
    _key_facts(key, facts)
    where = f"{name} (via CNAME)" if found.hops else name
    if key.problems:
        return ProbeResult("malformed", f"the DKIM key at {where} is unusable: "
                           + "; ".join(key.problems), tuple(evidence), facts)
    if key.revoked:
        return ProbeResult("revoked", f"the DKIM key at {where} is revoked (empty p=)",
                           tuple(evidence), facts)
    size = f"{key.key_bits}-bit {key.key_type}"
    if found.hops:
        return ProbeResult("cname_ok", f"{name} is a CNAME to {facts['cname_target']}, "
                           f"which publishes a {size} key", tuple(evidence), facts)
    return ProbeResult("txt_key", f"{name} publishes a {size} key directly in TXT",
                       tuple(evidence), facts)


def _key_facts(key: DkimKey, facts: dict[str, FactValue]) -> None:
    facts.update({
        "tags": dict(key.tags),
        "key_type": key.key_type,
        "key_bits": key.key_bits,
        "problems": list(key.problems),
        "warnings": list(key.warnings),
    })


_WITH_TXT = ("cname_ok", "txt_key", "txt_key_differs", "revoked", "malformed")
_USABLE = ("cname_ok", "txt_key", "txt_key_differs")

SPEC = ProbeSpec(
    name="dkim.record",
    description="Check the DKIM key record at <selector>._domainkey.<domain>",
    params=DkimRecordParams,
    outcomes={
        "cname_ok": "a CNAME (to the expected target, if given) leads to a usable key",
        "cname_wrong_target": "a CNAME is there but points somewhere else than expected",
        "no_key_at_target": "a CNAME is there but its target has no TXT record",
        "txt_key": "a usable key is published directly as TXT (no CNAME); the same key as "
                   "at the expected CNAME target, if one was given",
        "txt_key_differs": "a usable key is published directly as TXT, but not the key at "
                           "the expected CNAME target",
        "revoked": "the key record has an empty p=: the key is revoked",
        "malformed": "a record is there but is not a usable DKIM key",
        "missing": "nothing at the name: no CNAME and no TXT",
        **FAILURE_OUTCOMES,
    },
    run=run_dkim_record,
    facts={
        "name": always("<selector>._domainkey.<domain>"),
        "record_type": always("CNAME, TXT, or null when nothing is there"),
        "cname_target": always("the CNAME's target, or null"),
        "cname_matches": always("whether the CNAME target is the expected one (null: not asked)"),
        "expected_cname": always("the expected CNAME target (the first non-empty one given), "
                                 "or null"),
        "ttl": on("TTL of the key record", *_WITH_TXT),
        "problems": on("what makes the record unusable", *_WITH_TXT),
        "txt": on("the key record, its strings joined", *_USABLE, "revoked"),
        "tags": on("the record's tags", *_USABLE, "revoked"),
        "key_type": on("rsa or ed25519", *_USABLE, "revoked"),
        "key_bits": on("key size in bits (RSA modulus; ed25519 is 256)", *_USABLE),
        "warnings": on("what is odd but not fatal (t=y, sha1, short key)", *_USABLE, "revoked"),
        "expected_txt": on("the key at the expected CNAME target (null: none there)",
                           "txt_key_differs"),
        "txt_matches": on("whether the TXT key is the one at the expected target",
                          "txt_key_differs"),
    },
)
