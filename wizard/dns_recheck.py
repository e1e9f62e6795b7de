"""Re-check a DNS fix: is the record there now, and how long may the old answer be cached?

Plain Python — no Textual. One :func:`check_record` is one lookup with the run's
resolver settings (its DNS servers, authoritative mode, timeout); :func:`poll` asks a
bounded number of times, a few seconds apart, until every record is in place.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

from wizard.fixes.vocabulary import DnsAction
from wizard.probes.base import Deadline, ProbeContext
from wizard.probes.support.resolve import Lookup, NoResponse, lookup
from wizard.probes.support.zones import AuthoritativeServers, ZoneLookupFailed

TRIES = 20
"""Lookups per record at most (about a minute at the default interval)."""
INTERVAL = 3.0
"""Seconds between two rounds of lookups."""


@dataclass(frozen=True)
class RecordState:
    """What one lookup found for one DNS action."""

    action: DnsAction
    in_place: bool
    found: tuple[str, ...]
    """The records there now (presentation format), or a word for no answer."""
    ttl: int | None
    """How long the answer just seen may stay cached (a negative answer: its SOA minimum)."""
    problem: str = ""
    """Why there is no answer (no server answered, SERVFAIL …), empty when there is one."""

    def line(self) -> str:
        """One line a person reads: the record, in place or not, and the TTL left."""
        action = self.action
        subject = f"{action.name} {action.rtype}"
        if self.problem:
            return f"? {subject}: {self.problem}"
        now = ", ".join(self.found) if self.found else "nothing"
        if self.in_place:
            return f"✔ {subject}: in place ({now})"
        ttl = (f"; resolvers may keep the old answer up to {self.ttl} s more"
               if self.ttl is not None else "")
        want = "gone" if action.op == "delete" else action.value
        return f"… {subject}: not yet (want {want}; there now: {now}){ttl}"


def _norm(rtype: str, value: str) -> str:
    """``value`` compared without case, trailing dots or TXT string quoting."""
    text = value.strip()
    if rtype.upper() == "TXT":
        parts = text.split('" "')
        text = "".join(parts).strip('"')
        return text
    return text.rstrip(".").lower()


def _matches(action: DnsAction, records: Sequence[str]) -> bool:
    want = _norm(action.rtype, action.value)
    return any(_norm(action.rtype, record) == want for record in records)


async def check_record(action: DnsAction, ctx: ProbeContext) -> RecordState:
    """Look the action's name up once and say whether it is as the fix wants."""
    deadline = Deadline(ctx.timeout)
    chooser = AuthoritativeServers(ctx, deadline) if ctx.authoritative else None
    try:
        found: Lookup = await lookup(action.name, action.rtype, ctx, deadline, chooser)
    except NoResponse as exc:
        return RecordState(action, False, (), None, f"no DNS server answered ({exc})")
    except ZoneLookupFailed as exc:
        return RecordState(action, False, (), None, f"could not find the zone ({exc})")
    if found.status not in ("answer", "nxdomain", "nodata"):
        return RecordState(action, False, (), None,
                           f"{found.server} answered {found.rcode or found.status}")
    records = tuple(found.records) if found.status == "answer" else ()
    if action.rtype.upper() == "CNAME" and not records and found.hops:
        records = (found.hops[0].target,)
    present = _matches(action, records)
    in_place = not present if action.op == "delete" else present
    shown = records or (("no such name",) if found.status == "nxdomain"
                        else (f"no {action.rtype} record",))
    return RecordState(action, in_place, shown, found.ttl)


async def poll(actions: Sequence[DnsAction], ctx: ProbeContext, *, tries: int = TRIES,
               interval: float = INTERVAL,
               sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
               ) -> AsyncIterator[tuple[int, list[RecordState]]]:
    """Each round's states (round number from 1), until every record is in place or
    ``tries`` rounds were asked. Cancel the consuming task to stop early."""
    for round_no in range(1, max(tries, 1) + 1):
        states = [await check_record(action, ctx) for action in actions]
        yield round_no, states
        if all(state.in_place for state in states) or round_no >= tries:
            return
        await sleep(interval)
