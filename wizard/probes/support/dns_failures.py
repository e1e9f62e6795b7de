"""What every DNS probe says when the DNS itself fails: SERVFAIL, REFUSED, silence."""

from __future__ import annotations

from collections.abc import Mapping

from wizard.probes.base import FactValue, ProbeResult
from wizard.probes.support.resolve import Lookup, NoResponse
from wizard.probes.support.zones import ZoneLookupFailed

FAILURE_OUTCOMES: Mapping[str, str] = {
    "servfail": "the DNS server answered SERVFAIL: the zone is broken or its servers fail",
    "refused": "the DNS server refused the query: it does not serve or resolve that name",
    "timeout": "no DNS server answered in time",
}


def no_response(subject: str, exc: NoResponse, facts: Mapping[str, FactValue]) -> ProbeResult:
    """The ``timeout`` result: nobody answered a query about ``subject``."""
    return ProbeResult("timeout", f"no DNS answer about {subject}", exc.problems, dict(facts))


def zone_failure(exc: ZoneLookupFailed, facts: Mapping[str, FactValue]) -> ProbeResult:
    """The ``servfail``/``refused`` result of a zone walk that could not finish."""
    return ProbeResult(exc.status, str(exc), exc.evidence, dict(facts))


def lookup_failure(subject: str, found: Lookup, facts: Mapping[str, FactValue]) -> ProbeResult:
    """The ``servfail``/``refused`` result of a lookup whose server failed it."""
    return ProbeResult(found.status, f"{found.server} answered {found.rcode} for {subject}",
                       (f"{found.name} {found.rdtype}: {found.rcode} from {found.server}",),
                       dict(facts))
