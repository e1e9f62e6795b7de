"""``dmarc.check``: the DMARC policy that applies to a domain, and whether mail would align.

The organizational domain is the apex of the zone the name lives in (found
with SOA queries), not a public-suffix list: that needs no download and is
right for ``example.co.uk``. It is wrong only when a subdomain is delegated
to its own zone (then that zone is taken for the organizational domain). If
the zone cannot be found, the last two labels stand in for it.
"""

from __future__ import annotations

import dns.message
from pydantic import Field

from wizard.dns.dmarc_tags import DmarcRecord, aligned, is_dmarc, parse_dmarc
from wizard.dns.names import domain_of, last_two_labels
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
from wizard.probes.support.dns_failures import FAILURE_OUTCOMES, lookup_failure, no_response
from wizard.probes.support.resolve import Lookup, NoResponse, lookup, together, txt_strings
from wizard.probes.support.zones import ZoneLookupFailed, find_zone


class DmarcCheckParams(TimedParams):
    """The header From domain, and the identifiers whose alignment to predict."""

    domain: str = Field(min_length=1, description="The header From domain (or address)")
    header_from: str | None = Field(None, description="Header From address; default: domain")
    envelope_from: str | None = Field(None, description="Envelope From (MAIL FROM) address")
    dkim_domain: str | None = Field(None, description="The d= of the message's DKIM signature")


async def _org_domain(domain: str, ctx: ProbeContext, deadline: Deadline,
                      notes: list[str], hint: dns.message.Message | None = None) -> str:
    try:
        return (await find_zone(domain, ctx, deadline, hint)).name
    except ZoneLookupFailed as exc:
        notes.append(f"zone of {domain} unknown ({exc}); taking {last_two_labels(domain)}")
        return last_two_labels(domain)


async def _dmarc_at(domain: str, ctx: ProbeContext, deadline: Deadline) -> tuple[Lookup, list[str]]:
    found = await lookup(f"_dmarc.{domain}", "TXT", ctx, deadline)
    return found, [t for t in txt_strings(found.rrset) if is_dmarc(t)]


async def run_dmarc_check(params: DmarcCheckParams, ctx: ProbeContext) -> ProbeResult:
    """Find the DMARC record (falling back to the organizational domain) and predict alignment."""
    deadline = ctx.deadline(params)
    domain = domain_of(params.domain)
    header = domain_of(params.header_from) if params.header_from else domain
    others = {"envelope_from": params.envelope_from, "dkim_domain": params.dkim_domain}
    identifiers = {k: domain_of(v) for k, v in others.items() if v}
    facts: dict[str, FactValue] = {"domain": domain}
    notes: list[str] = []
    names = sorted({domain, header, *identifiers.values()})

    async def organizational(hint: dns.message.Message | None) -> dict[str, str]:
        return dict(zip(names, await together(
            _org_domain(n, ctx, deadline, notes, hint if n == domain else None)
            for n in names), strict=True))

    try:
        try:
            found, texts = await _dmarc_at(domain, ctx, deadline)
        except NoResponse:
            facts["org_domain"] = (await organizational(None))[domain]
            raise
        # A negative answer at _dmarc.<domain> names the domain's zone: no SOA query then.
        orgs = await organizational(found.message if not found.hops else None)
        facts["org_domain"] = orgs[domain]
        where = domain
        failed = found.status in ("servfail", "refused")
        if not texts and not failed and orgs[domain] != domain:
            notes.append(f"_dmarc.{domain}: no DMARC record; trying _dmarc.{orgs[domain]}")
            found, texts = await _dmarc_at(orgs[domain], ctx, deadline)
            where = orgs[domain]
    except NoResponse as exc:
        return no_response(f"the DMARC record of {domain}", exc, facts)
    if found.status in ("servfail", "refused"):
        return lookup_failure(f"_dmarc.{where} TXT", found, facts)
    evidence = [*notes, *(f"_dmarc.{where} TXT {t}" for t in texts)]
    if not texts:
        evidence.append(f"_dmarc.{where}: no DMARC record")
        return ProbeResult("missing", f"no DMARC record for {domain}", tuple(evidence), facts)
    facts["record_name"] = f"_dmarc.{where}"
    if len(texts) > 1:
        facts["problems"] = [f"{len(texts)} DMARC records at _dmarc.{where}"]
        return ProbeResult("malformed", f"_dmarc.{where} holds {len(texts)} DMARC records: "
                           "receivers ignore them all", tuple(evidence), facts)
    record = parse_dmarc(texts[0])
    facts.update(_record_facts(record, texts[0], inherited=where != domain))
    if record.problems:
        return ProbeResult("malformed", f"the DMARC record _dmarc.{where} is invalid: "
                           + "; ".join(record.problems), tuple(evidence), facts)
    return _verdict(domain, header, identifiers, orgs, record, facts, evidence)


def _record_facts(record: DmarcRecord, text: str, inherited: bool) -> dict[str, FactValue]:
    effective = (record.subdomain_policy or record.policy) if inherited else record.policy
    return {"record": text, "policy": record.policy, "subdomain_policy": record.subdomain_policy,
            "effective_policy": effective, "pct": record.pct, "adkim": record.adkim,
            "aspf": record.aspf, "rua": list(record.rua), "ruf": list(record.ruf),
            "problems": list(record.problems)}


def _verdict(domain: str, header: str, identifiers: dict[str, str], orgs: dict[str, str],
             record: DmarcRecord, facts: dict[str, FactValue],
             evidence: list[str]) -> ProbeResult:
    modes = {"envelope_from": record.aspf, "dkim_domain": record.adkim}
    verdicts = {key: aligned(value, header, modes[key], orgs.__getitem__)
                for key, value in identifiers.items()}
    facts["header_from_domain"] = header
    facts["spf_aligned"] = verdicts.get("envelope_from")
    facts["dkim_aligned"] = verdicts.get("dkim_domain")
    facts["aligned"] = any(verdicts.values()) if verdicts else None
    for key, ok in verdicts.items():
        mode = "strict" if modes[key] == "s" else "relaxed"
        evidence.append(f"{key} {identifiers[key]} vs header From {header} ({mode}): "
                        + ("aligned" if ok else "not aligned"))
    policy = facts["effective_policy"]
    if facts["aligned"] is False:
        return ProbeResult("not_aligned", f"neither SPF nor DKIM would align with {header}; "
                           f"the policy is p={policy}", tuple(evidence), facts)
    if policy == "none":
        return ProbeResult("policy_none", f"{domain} has DMARC with p=none: monitoring only",
                           tuple(evidence), facts)
    return ProbeResult("policy_enforced", f"{domain} has DMARC with p={policy} "
                       f"(pct={facts['pct']})", tuple(evidence), facts)


_PARSED = ("policy_none", "policy_enforced", "not_aligned")

SPEC = ProbeSpec(
    name="dmarc.check",
    description="Find the DMARC policy of a domain and predict SPF/DKIM alignment",
    params=DmarcCheckParams,
    outcomes={
        "policy_enforced": "a valid record with p=quarantine or reject (and alignment holds, "
                           "if it was asked)",
        "policy_none": "a valid record with p=none: reports only (alignment holds, if asked)",
        "not_aligned": "a valid record, but neither the envelope From nor the DKIM d= "
                       "would align with the header From",
        "malformed": "a record is there but receivers would ignore it",
        "missing": "no DMARC record at the domain nor its organizational domain",
        **FAILURE_OUTCOMES,
    },
    run=run_dmarc_check,
    facts={
        "domain": always("the header From domain checked"),
        "org_domain": on("the organizational domain (zone apex)", "missing", "malformed",
                         *_PARSED),
        "record_name": on("where the record was found", "malformed", *_PARSED),
        "record": on("the DMARC record", *_PARSED),
        "problems": on("what makes the record invalid", "malformed", *_PARSED),
        "policy": on("p=", *_PARSED),
        "subdomain_policy": on("sp= (null when absent)", *_PARSED),
        "effective_policy": on("the policy that applies to this domain", *_PARSED),
        "pct": on("pct=", *_PARSED),
        "adkim": on("DKIM alignment mode: r or s", *_PARSED),
        "aspf": on("SPF alignment mode: r or s", *_PARSED),
        "rua": on("aggregate report addresses", *_PARSED),
        "ruf": on("failure report addresses", *_PARSED),
        "header_from_domain": on("the header From domain compared", *_PARSED),
        "spf_aligned": on("envelope From aligned (null: not given)", *_PARSED),
        "dkim_aligned": on("DKIM d= aligned (null: not given)", *_PARSED),
        "aligned": on("either aligned (null: nothing to compare)", *_PARSED),
    },
)
