"""``catalog.explain``: what a pasted error (and each queued message's reason) means.

No network: the text goes through the error catalog (:func:`wizard.catalog.explain`).
The outcome is the *topic* of the best match — suppressed, sender_not_approved,
auth_failed, … — taken from the catalog entry's ``topic`` (data, not code), so
a flow branches on what the error is about while the facts carry the details:
the entry, its codes, what the reply captured (``address``, ``limit``, …), the
meaning, the fix and whether retrying helps.
"""

from __future__ import annotations

import asyncio
import re
from functools import lru_cache
from typing import Any

from pydantic import Field, field_validator

from wizard.catalog import ErrorCatalog, Explanation, Match, explain, load_error_catalog
from wizard.catalog.loader import DEFAULT_CATALOG
from wizard.catalog.model import TOPICS
from wizard.catalog.pasted import input_problem
from wizard.data.diagnostics import DataFileError
from wizard.fixes.vocabulary import CATALOG_FIX, CATALOG_FIX_PREFIX
from wizard.probes.base import (
    FactValue,
    ProbeContext,
    ProbeResult,
    ProbeSpec,
    TimedParams,
    always,
    on,
)

CAPTURES = ("address", "limit", "header", "user", "host", "port", "ip")
"""The captures of the bundled catalogs, published flat (a test keeps them in step; an
``endpoint`` capture fills host and port)."""
OTHER_TOPIC = "other"
_PLACEHOLDER = re.compile(r"<([^<>]*)>")


def topic_outcome(topic: str) -> str:
    """The outcome a topic gives: its own name, except ``other`` → ``other_match``."""
    return "other_match" if topic == OTHER_TOPIC else topic


class CatalogExplainParams(TimedParams):
    """The text to explain, and queued messages whose reasons to explain one by one."""

    text: str = Field("", description="The pasted error: an SMTP reply, a log line, an "
                      "exception, an HTTPS error body (empty: only the queue is explained)")
    queue: list[dict[str, Any]] = Field(
        [], description="Queued messages (postfix.queue's deferred): each "
        "one's reason is explained with its recipient")
    catalog: str = Field(DEFAULT_CATALOG, description="Catalog file (flows/catalog/<name>)")

    @field_validator("queue")
    @classmethod
    def _has_reasons(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for item in value:
            if not isinstance(item.get("reason", ""), str):
                raise ValueError("each queued message's 'reason' must be text")
        return value


@lru_cache(maxsize=8)
def _catalog(name: str) -> ErrorCatalog:
    return load_error_catalog(name)


def _explain(text: str, catalog: ErrorCatalog) -> Explanation | None:
    return None if input_problem(text) else explain(text, catalog)


def _reply_as_seen(match: Match) -> str:
    """The documented reply with its placeholders filled in from what was captured."""
    entry = match.entry
    return _PLACEHOLDER.sub(lambda m: match.captures.get(entry.capture_name(m.group(1)),
                                                         m.group(0)), entry.reply)


def _headline(match: Match) -> str:
    return f"{match.entry.label} {_reply_as_seen(match)}: {match.meaning}"


def catalog_fix(match: Match) -> dict[str, FactValue]:
    """The match's fix as a fix (``fixes_from:`` offers it): id ``catalog.<entry id>``, the
    entry's title, its text followed by the retry advice, and its typed actions — rendered
    with what the reply captured and the provider's facts."""
    entry = match.entry
    text = " ".join(part for part in (match.fix.text.strip(),
                                      f"Retry: {entry.retry.advice.strip()}") if part)
    return {"id": f"{CATALOG_FIX_PREFIX}{entry.id}", "title": match.fix.title, "text": text,
            "actions": [action.model_dump() for action in match.fix.actions]}


def _match_facts(match: Match) -> dict[str, FactValue]:
    entry = match.entry
    return {
        "entry_id": entry.id, "topic": entry.topic, "protocol": entry.protocol,
        "code": entry.code if entry.code is not None else "",
        "enhanced_code": entry.enhanced_code or "",
        "error_code": entry.error_code or "", "reply": entry.reply,
        "captures": dict(match.captures),
        **{name: match.captures.get(name, "") for name in CAPTURES},
        "meaning": match.meaning, "causes": list(match.causes),
        "fix_title": match.fix.title, "fix_text": match.fix.text,
        CATALOG_FIX: catalog_fix(match),
        "retry_kind": entry.retry.kind, "retry_helps": entry.retry.helps,
        "retry_advice": entry.retry.advice, "flow": match.flow,
        "confirmed": match.confirmed, "headline": _headline(match),
    }


def _empty_facts() -> dict[str, FactValue]:
    return {
        "entry_id": "", "topic": "", "protocol": "", "code": "", "enhanced_code": "",
        "error_code": "", "reply": "", "captures": {}, **{name: "" for name in CAPTURES},
        "meaning": "", "causes": [], "fix_title": "", "fix_text": "", CATALOG_FIX: {},
        "retry_kind": "",
        "retry_helps": True, "retry_advice": "", "flow": "", "confirmed": False,
        "headline": "",
    }


def _generic_line(explanation: Explanation | None) -> str:
    generic = explanation.generic if explanation else None
    if generic is None or (not generic.code and not generic.enhanced_code):
        return ""
    parts = []
    if generic.code:
        parts.append(f"{generic.code}: {generic.reply_meaning or generic.reply_class or ''}"
                     .rstrip(":. "))
    if generic.enhanced_code:
        detail = " ".join(p for p in (generic.enhanced_class, generic.enhanced_subject,
                                      generic.enhanced_detail) if p)
        parts.append(f"{generic.enhanced_code}: {detail}".rstrip(":. "))
    return "; ".join(parts)


def _lookup(params: CatalogExplainParams) -> ProbeResult:
    try:
        catalog = _catalog(params.catalog)
    except (DataFileError, OSError) as exc:
        return ProbeResult("unknown_catalog", f"no usable error catalog {params.catalog!r}",
                           (str(exc).splitlines()[0],), {**_empty_facts(), **_list_facts()})
    pasted = _explain(params.text, catalog)
    matches: list[Match] = list(pasted.matches) if pasted else []
    items: list[dict[str, FactValue]] = []
    evidence: list[str] = []
    generics = [_generic_line(pasted)]
    for item in params.queue:
        reason = str(item.get("reason", ""))
        found = _explain(reason, catalog)
        best = found.matches[0] if found and found.matches else None
        if found:
            matches += found.matches
        generics.append(_generic_line(found))
        label = str(item.get("recipient", "")) or "(no recipient)"
        queue_id = str(item.get("queue_id", ""))
        meaning = best.meaning if best else (_generic_line(found) or "not in the catalog")
        items.append({"queue_id": queue_id, "recipient": label, "reason": reason,
                      "entry_id": best.entry.id if best else "",
                      "topic": best.entry.topic if best else "", "meaning": meaning})
        evidence.append(f"{queue_id} → {label}: {reason}")
    facts: dict[str, FactValue] = {**_empty_facts(), **_list_facts(matches, items)}
    evidence += [f"{m.entry.id} ({m.entry.topic}): {_headline(m)}" for m in matches]
    if matches:
        best = matches[0]
        facts.update(_match_facts(best))
        return ProbeResult(topic_outcome(best.entry.topic),
                           f"{_headline(best)} [{best.entry.id}]", tuple(evidence), facts)
    generic = next((line for line in generics if line), "")
    facts["generic"] = generic
    if generic:
        facts["headline"] = generic
        return ProbeResult("generic_only", f"no catalog entry; by the standards: {generic}",
                           tuple(evidence), facts)
    texts = [params.text, *(str(i.get("reason", "")) for i in params.queue)]
    if not any(t.strip() for t in texts):
        return ProbeResult("no_text", "nothing to explain: no error text and no queued reason",
                           tuple(evidence), facts)
    problem = input_problem(params.text) if params.text.strip() else None
    return ProbeResult("not_recognized", problem or "the text holds no catalog error and no "
                       "SMTP reply code", tuple(evidence), facts)


def _list_facts(matches: list[Match] | None = None,
                items: list[dict[str, FactValue]] | None = None) -> dict[str, FactValue]:
    matches = matches or []
    items = items or []
    topics: list[str] = []
    for match in matches:
        if match.entry.topic not in topics:
            topics.append(match.entry.topic)
    return {
        "matches": [{"id": m.entry.id, "topic": m.entry.topic,
                     "code": m.entry.code if m.entry.code is not None else "",
                     "captures": dict(m.captures)} for m in matches],
        "match_count": len(matches),
        "topics": topics,
        "items": list(items),
        "items_text": "; ".join(
            f"{i['recipient']} ({i['queue_id']}): {i['reason']} → {i['meaning']}"
            for i in items),
        "generic": "",
    }


async def run_catalog_explain(params: CatalogExplainParams, ctx: ProbeContext) -> ProbeResult:
    """Match the text and each queued reason against the catalog (in a thread, bounded)."""
    timeout = ctx.seconds(params)
    try:
        return await asyncio.wait_for(asyncio.to_thread(_lookup, params), timeout)
    except TimeoutError:
        return ProbeResult("timeout", f"explaining the text took more than {timeout:g}s",
                           (), {**_empty_facts(), **_list_facts()})


_TOPIC_OUTCOMES = {
    "suppressed": "the recipient is on the suppression list (254 4.7.1 Suppression…)",
    "sender_not_approved": "the sender is not an approved sender for these credentials",
    "auth_failed": "the SMTP credentials or the AUTH exchange failed (535, 501, 504, 421 "
                   "too many auth failures)",
    "rate_limited": "a send rate or connection limit was hit (455, 421 too many connections, "
                    "429)",
    "message_rejected": "the message was refused: size, headers, parse, recipients, addresses",
    "tls_or_connection": "the connection broke or stalled (421 timeout waiting for data)",
    "https_request": "the HTTPS send request is incomplete or malformed (400)",
    "service_error": "the service failed on its side (451, 452, 421 4.3.0, 500): retry",
}

SPEC = ProbeSpec(
    name="catalog.explain",
    description="Explain a pasted error (and queued messages' reasons) with the error catalog",
    params=CatalogExplainParams,
    outcomes={
        **{topic_outcome(t): _TOPIC_OUTCOMES[t] for t in TOPICS if t != OTHER_TOPIC},
        "other_match": "a catalog entry matched whose topic is none of the above",
        "generic_only": "no catalog entry; the reply code is explained by the RFCs",
        "not_recognized": "text was given, but it holds no catalog error and no reply code",
        "no_text": "nothing to explain: the text is empty and no queued reason was given",
        "unknown_catalog": "no such catalog (or it has defects)",
        "timeout": "explaining took too long",
    },
    run=run_catalog_explain,
    facts={
        "entry_id": always("the best match's catalog entry id (empty: none)"),
        "topic": always("its topic: what the error is about"),
        "protocol": always("smtp or https"),
        "code": always("its reply code or HTTP status"),
        "enhanced_code": always("its enhanced status code (empty: none)"),
        "error_code": always("its HTTPS designation (empty: none)"),
        "reply": always("the server's text as documented"),
        "captures": always("what the reply's placeholders captured"),
        "address": always("the address the reply named (empty: none)"),
        "limit": always("the limit the reply named (empty: none)"),
        "header": always("the header the reply named (empty: none)"),
        "user": always("the user (OCID) the reply named (empty: none)"),
        "host": always("the SMTP host a client error named (empty: none)"),
        "port": always("the port a client error named (empty: none)"),
        "ip": always("the IP address a client error named (empty: none)"),
        "meaning": always("what it means, in our words"),
        "causes": always("likely causes"),
        "fix_title": always("the catalog's fix, in one line"),
        "fix_text": always("the catalog's fix, explained"),
        CATALOG_FIX: on("the catalog's fix as a fix (id catalog.<entry id>, title, text "
                        "ending with the retry advice, typed actions): a fix step's "
                        "'fixes_from' offers it",
                        *(topic_outcome(t) for t in TOPICS)),
        "retry_kind": always("transient, rate_limit or permanent"),
        "retry_helps": always("whether sending again can help"),
        "retry_advice": always("when and how to retry"),
        "flow": always("the flow the catalog continues with (a client error's, when one on "
                       "the same topic is in the text)"),
        "confirmed": always("a reply code or designation stood beside the text"),
        "headline": always("one line: code, reply and meaning (or the generic meaning)"),
        "matches": always("every match, best first: id, topic, code, captures"),
        "match_count": always("how many catalog entries matched"),
        "topics": always("the distinct topics of every match, best first"),
        "items": always("per queued message: queue_id, recipient, reason, entry_id, topic, "
                        "meaning"),
        "items_text": always("the queued messages explained, one line"),
        "generic": always("the RFC meaning when no entry matched (empty otherwise)"),
    },
)
