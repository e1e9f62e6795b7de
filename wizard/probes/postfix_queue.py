"""``postfix.queue``: what is stuck in the Postfix queue, and why (``postqueue -j``)."""

from __future__ import annotations

from pydantic import Field

from wizard.postfix.postqueue import (
    PostqueueFailed,
    PostqueueNotFound,
    QueuedMessage,
    list_queue,
)
from wizard.postfix.process import ProgramTimedOut
from wizard.probes.base import (
    FactValue,
    ProbeContext,
    ProbeResult,
    ProbeSpec,
    TimedParams,
    on,
)

IN_FLIGHT_QUEUES = frozenset({"maildrop", "incoming", "active"})
LISTED = ("empty", "has_deferred", "on_hold", "in_flight")
FAILED = ("unavailable", "not_installed", "timeout")
MAX_LISTED = 1000
"""Recipients listed in facts; a queue of millions is summarised by its counts."""
MAX_EVIDENCE = 50


class PostfixQueueParams(TimedParams):
    """Which Postfix instance to ask."""

    config_directory: str | None = Field(
        default=None, description="Postfix config directory (postqueue -c); default /etc/postfix")


def _rows(messages: list[QueuedMessage]) -> list[dict[str, str]]:
    return [
        {"queue_name": m.queue_name, "queue_id": m.queue_id, "sender": m.sender,
         "recipient": r.address, "reason": r.delay_reason}
        for m in messages
        for r in m.recipients or ()
    ]


def _outcome(deferred: list[QueuedMessage], held: list[QueuedMessage],
             in_flight: list[QueuedMessage]) -> str:
    if deferred:
        return "has_deferred"
    if held:
        return "on_hold"
    return "in_flight" if in_flight else "empty"


async def run_postfix_queue(params: PostfixQueueParams, ctx: ProbeContext) -> ProbeResult:
    """List the queue and publish the deferred messages with their delay reasons."""
    timeout = ctx.seconds(params)
    directory = params.config_directory or None
    shown = directory or "the default config directory"
    try:
        listing = await list_queue(directory, timeout)
    except PostqueueNotFound as exc:
        return ProbeResult("not_installed", "Postfix is not installed here (no postqueue)",
                           (str(exc),), {"reason": str(exc)})
    except PostqueueFailed as exc:
        return ProbeResult("unavailable", f"the queue of {shown} cannot be listed: {exc.reason}",
                           tuple(exc.stderr), {"reason": exc.reason})
    except ProgramTimedOut as exc:
        return ProbeResult("timeout", f"postqueue did not answer within {timeout:g}s",
                           (str(exc),), {"reason": str(exc)})
    messages = listing.messages
    deferred = [m for m in messages if m.queue_name == "deferred"]
    held = [m for m in messages if m.queue_name == "hold"]
    in_flight = [m for m in messages if m.queue_name in IN_FLIGHT_QUEUES]
    outcome = _outcome(deferred, held, in_flight)
    deferred_rows = _rows(deferred)
    reasons = [row["reason"] for row in deferred_rows if row["reason"]]
    facts: dict[str, FactValue] = {
        "total": len(messages),
        "count": len(deferred),
        "held_count": len(held),
        "in_flight_count": len(in_flight),
        "messages": _rows(messages)[:MAX_LISTED],
        "mail_system_running": listing.mail_system_running,
    }
    if outcome == "has_deferred":
        facts.update({
            "deferred": deferred_rows[:MAX_LISTED],
            "first_reason": reasons[0] if reasons else "",
            "first_queue_id": deferred[0].queue_id,
            "first_recipient": deferred_rows[0]["recipient"] if deferred_rows else "",
        })
    summaries = {
        "has_deferred": f"{len(deferred)} deferred message(s) in {shown}"
                        + (f": {reasons[0]}" if reasons else ""),
        "on_hold": f"{len(held)} message(s) on hold in {shown}, none deferred",
        "in_flight": f"{len(in_flight)} message(s) being delivered in {shown}, none deferred",
        "empty": f"the queue of {shown} is empty",
    }
    rows = _rows(messages)
    evidence = [
        f"{row['queue_id']} {row['queue_name']} from <{row['sender']}> to <{row['recipient']}>"
        + (f": {row['reason']}" if row["reason"] else "")
        for row in rows[:MAX_EVIDENCE]
    ]
    if len(rows) > MAX_EVIDENCE:
        evidence.append(f"... and {len(rows) - MAX_EVIDENCE} more recipients")
    evidence += listing.warnings
    return ProbeResult(outcome, summaries[outcome], tuple(evidence), facts)


SPEC = ProbeSpec(
    name="postfix.queue",
    description="List Postfix's queue (postqueue -j) and why messages are deferred",
    params=PostfixQueueParams,
    outcomes={
        "empty": "no message is queued",
        "has_deferred": "at least one message is deferred; the delay reasons say why",
        "on_hold": "messages are on hold (postsuper -h), none deferred",
        "in_flight": "messages are queued and being delivered, none deferred or held",
        "unavailable": "the queue cannot be listed (mail system down for this user, bad config)",
        "not_installed": "Postfix is not installed here",
        "timeout": "postqueue did not answer in time",
    },
    run=run_postfix_queue,
    facts={
        "total": on("number of queued messages", *LISTED),
        "count": on("number of deferred messages", *LISTED),
        "held_count": on("number of messages on hold", *LISTED),
        "in_flight_count": on("number of messages in maildrop, incoming or active", *LISTED),
        "messages": on("every queued recipient: queue_name, queue_id, sender, recipient, reason",
                       *LISTED),
        "mail_system_running": on("false when postqueue had to read the queue directly",
                                  *LISTED),
        "deferred": on("deferred recipients: queue_id, sender, recipient, reason",
                       "has_deferred"),
        "first_reason": on("the first delay reason", "has_deferred"),
        "first_queue_id": on("the queue id of the first deferred message", "has_deferred"),
        "first_recipient": on("the first deferred recipient", "has_deferred"),
        "reason": on("why the queue could not be listed", *FAILED),
    },
)
