"""``spf.check``: the domain's SPF record, its includes expanded, counted against RFC 7208's limits.

Every mechanism that needs DNS is counted, whether or not an evaluation
would reach it (what a receiver's worst case costs): include, a, mx, ptr,
exists and redirect= each cost one lookup; more than 10 is a permerror.
Lookups that find nothing (NXDOMAIN or no records) are void; more than 2
is a permerror too. Macros (``%{i}``) are counted but not expanded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import Field

from wizard.dns.names import bare
from wizard.dns.spf_parse import (
    LOOKUP_LIMIT,
    VOID_LOOKUP_LIMIT,
    Mechanism,
    SpfRecord,
    is_spf,
    parse_spf,
)
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
from wizard.probes.support.resolve import Lookup, NoResponse, lookup, txt_strings

EXPANSION_CAP = 30
"""Stop expanding after this many lookups: the verdict is already known."""


class SpfCheckParams(TimedParams):
    """The domain whose SPF to check, and an include the sender's provider requires."""

    domain: str = Field(min_length=1, description="The envelope-from (MAIL FROM) domain")
    required_include: str | None = Field(
        None, description="An include the provider requires, e.g. spf.example-provider.com")


class _DnsFailed(Exception):
    def __init__(self, subject: str, found: Lookup):
        super().__init__(subject)
        self.subject = subject
        self.found = found


@dataclass
class _Expansion:
    """The running count of one SPF evaluation's lookups."""

    ctx: ProbeContext
    deadline: Deadline
    lookups: int = 0
    voids: int = 0
    includes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)

    async def query(self, name: str, rtype: str) -> Lookup:
        found = await lookup(name, rtype, self.ctx, self.deadline)
        if found.status in ("servfail", "refused"):
            raise _DnsFailed(f"{name} {rtype}", found)
        return found

    async def spf_texts(self, domain: str) -> tuple[Lookup, list[str]]:
        found = await self.query(domain, "TXT")
        return found, [t for t in txt_strings(found.rrset) if is_spf(t)]

    async def expand(self, domain: str, record: SpfRecord, depth: int) -> None:
        for mech in record.lookup_mechanisms:
            if self.lookups >= EXPANSION_CAP:
                self.evidence.append(f"{'  ' * depth}… stopped after {self.lookups} lookups")
                return
            self.lookups += 1
            await self.mechanism(domain, mech, depth)
        if record.redirect is not None and self.lookups < EXPANSION_CAP:
            self.lookups += 1
            await self.follow(record.redirect, depth + 1, "redirect=")

    async def mechanism(self, domain: str, mech: Mechanism, depth: int) -> None:
        target = bare(mech.value or domain)
        indent = "  " * (depth + 1)
        if "%" in target or mech.name == "ptr":
            self.evidence.append(f"{indent}{mech}: counted, not looked up")
            return
        if mech.name == "include":
            await self.follow(target, depth + 1, "include:")
            return
        rtypes = {"a": ("A", "AAAA"), "mx": ("MX",), "exists": ("A",)}[mech.name]
        found = [await self.query(target, rtype) for rtype in rtypes]
        records = [r for f in found for r in f.records]
        if not records:
            self.voids += 1
        self.evidence.append(f"{indent}{mech}: " + (", ".join(records) or "void (no records)"))

    async def follow(self, target: str, depth: int, kind: str) -> None:
        indent = "  " * depth
        self.includes.append(target)
        if target in self.visited:
            self.problems.append(f"{kind}{target} loops back to a record already expanded")
            return
        self.visited.add(target)
        found, texts = await self.spf_texts(target)
        if not texts:
            if found.status != "answer":
                self.voids += 1
            self.problems.append(f"{kind}{target}: no SPF record there (permerror)")
            self.evidence.append(f"{indent}{kind}{target}: no SPF record")
            return
        if len(texts) > 1:
            self.problems.append(f"{kind}{target}: {len(texts)} SPF records (permerror)")
        self.evidence.append(f"{indent}{kind}{target}: {texts[0]}")
        record = parse_spf(texts[0])
        self.problems += [f"{target}: {p}" for p in record.problems]
        await self.expand(target, record, depth)


async def run_spf_check(params: SpfCheckParams, ctx: ProbeContext) -> ProbeResult:
    """Fetch the SPF record, expand it, and judge it."""
    domain = bare(params.domain)
    walk = _Expansion(ctx, ctx.deadline(params))
    wanted = bare(params.required_include) if params.required_include else ""
    facts: dict[str, FactValue] = {
        "domain": domain, "records": [], "required_include": wanted,
        "new_record": f"v=spf1 include:{wanted} ~all" if wanted else "v=spf1 mx ~all",
    }
    try:
        _, texts = await walk.spf_texts(domain)
        facts["records"] = list(texts)
        if len(texts) != 1:
            return _not_one(domain, texts, facts)
        walk.visited.add(domain)
        walk.evidence.append(f"{domain}: {texts[0]}")
        record = parse_spf(texts[0])
        walk.problems += list(record.problems)
        await walk.expand(domain, record, 0)
    except NoResponse as exc:
        return no_response(f"the SPF record of {domain}", exc, facts)
    except _DnsFailed as exc:
        return lookup_failure(exc.subject, exc.found, facts)
    required = bare(params.required_include) if params.required_include else None
    facts.update({
        "record": texts[0],
        "lookup_count": walk.lookups,
        "void_lookups": walk.voids,
        "includes": list(walk.includes),
        "include_present": None if required is None else required in walk.includes,
        "problems": list(walk.problems),
        "record_with_include": with_include(texts[0], required, walk.includes),
    })
    outcome, summary = _verdict(domain, walk, required)
    return ProbeResult(outcome, summary, tuple(walk.evidence), facts)


def with_include(record: str, required: str | None, includes: list[str]) -> str:
    """``record`` with ``include:required`` right after ``v=spf1`` when it is not there yet."""
    if not required or required in includes:
        return record
    version, _, rest = record.partition(" ")
    return f"{version} include:{required} {rest}".rstrip()


def _not_one(domain: str, texts: list[str], facts: dict[str, FactValue]) -> ProbeResult:
    if not texts:
        return ProbeResult("missing", f"{domain} publishes no SPF record",
                           (f"{domain}: no TXT record starting with v=spf1",), facts)
    return ProbeResult("multiple_records",
                       f"{domain} publishes {len(texts)} SPF records: receivers give permerror",
                       tuple(f"{domain}: {t}" for t in texts), facts)


def _verdict(domain: str, walk: _Expansion, required: str | None) -> tuple[str, str]:
    if walk.problems:
        return "invalid", f"the SPF record of {domain} is invalid: {walk.problems[0]}"
    if walk.lookups > LOOKUP_LIMIT:
        return ("too_many_lookups", f"the SPF record of {domain} needs {walk.lookups} DNS "
                f"lookups, more than the limit of {LOOKUP_LIMIT}")
    if walk.voids > VOID_LOOKUP_LIMIT:
        return ("too_many_void_lookups", f"the SPF record of {domain} has {walk.voids} lookups "
                f"that find nothing, more than the limit of {VOID_LOOKUP_LIMIT}")
    if required is not None and required not in walk.includes:
        return "include_missing", f"the SPF record of {domain} does not include {required}"
    return "valid", f"the SPF record of {domain} is valid ({walk.lookups} DNS lookup(s))"


_CHECKED = ("valid", "invalid", "too_many_lookups", "too_many_void_lookups", "include_missing")

SPEC = ProbeSpec(
    name="spf.check",
    description="Check a domain's SPF record: syntax, includes, lookup limits",
    params=SpfCheckParams,
    outcomes={
        "valid": "one valid SPF record within the limits (with the required include, if given)",
        "missing": "no SPF record",
        "multiple_records": "more than one SPF record: a permerror",
        "invalid": "a syntax error, or an include/redirect without an SPF record: a permerror",
        "too_many_lookups": "more than 10 DNS lookups once includes are expanded: a permerror",
        "too_many_void_lookups": "more than 2 lookups that find nothing: a permerror",
        "include_missing": "valid, but the required include is not there, directly or nested",
        **FAILURE_OUTCOMES,
    },
    run=run_spf_check,
    facts={
        "domain": always("the domain checked"),
        "records": always("the SPF records found (TXT strings joined)"),
        "required_include": always("the include asked for (empty when none)"),
        "new_record": always("a record to publish when there is none: the required include "
                             "with ~all, else 'v=spf1 mx ~all'"),
        "record": on("the SPF record", *_CHECKED),
        "lookup_count": on("DNS lookups the record costs, includes expanded", *_CHECKED),
        "void_lookups": on("lookups that found nothing", *_CHECKED),
        "includes": on("every include/redirect domain, nested ones too", *_CHECKED),
        "include_present": on("whether the required include is there (null: none required)",
                              *_CHECKED),
        "problems": on("what makes the record a permerror", *_CHECKED),
        "record_with_include": on("the record with the required include added (unchanged "
                                  "when it is there or none is required)", *_CHECKED),
    },
)
