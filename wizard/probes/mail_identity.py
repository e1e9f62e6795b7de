"""``mail.identity``: who sends to whom, from whatever the user has.

The undelivered-mail flow gets a message file, or a sender and a recipient,
or both. This probe works out — once, in code rather than in flow logic — the
envelope From (given, else the message's Return-Path), the header From, the
domain whose DNS to check, the DKIM selector (given, else the message's
DKIM-Signature s=) and whether the envelope From equals the header From.
Every fact exists whatever the outcome (empty when unknown), so later steps
can use them on every path.
"""

from __future__ import annotations

import asyncio

from pydantic import Field

from wizard.data.bounded_read import TooLarge, read_bounded
from wizard.message.isolated import Unusable, analyse_isolated
from wizard.message.summary import MessageSummary
from wizard.probes.base import (
    FactValue,
    ProbeContext,
    ProbeResult,
    ProbeSpec,
    TimedParams,
    always,
)
from wizard.probes.message_parse import DEFAULT_MAX_FILE_BYTES

_TIMED_OUT = "reading"


class MailIdentityParams(TimedParams):
    """What the user gave: any of a message file, a sender, a recipient, a selector."""

    message: str = Field("", description="A message file (.eml); empty when there is none")
    sender: str = Field("", description="The envelope From (MAIL FROM) the application uses")
    recipient: str = Field("", description="The recipient that did not get the mail")
    selector: str = Field("", description="DKIM selector (default: s= of the DKIM-Signature)")
    max_file_bytes: int = Field(DEFAULT_MAX_FILE_BYTES, gt=0,
                                description="Message files larger than this are not read")


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower() if "@" in address else ""


def _same(a: str, b: str) -> bool:
    return a.strip("<>").lower() == b.strip("<>").lower()


async def _read(params: MailIdentityParams, timeout: float) -> MessageSummary | str:
    """The message's summary (parsed in a child process within the deadline), or why it
    cannot be used."""
    deadline = asyncio.get_running_loop().time() + timeout
    try:
        async with asyncio.timeout_at(deadline):
            data = await read_bounded(params.message, params.max_file_bytes)
    except TimeoutError:
        return f"{_TIMED_OUT} {params.message} did not finish within {timeout:g}s"
    except TooLarge as exc:
        return f"{params.message} is too large to be a message file: {exc}"
    except OSError as exc:
        return f"{params.message} cannot be read: {exc.strerror or exc}"
    left = max(0.05, deadline - asyncio.get_running_loop().time())
    message = await analyse_isolated(data, left)
    if not isinstance(message, Unusable):
        return message
    if message.kind == "binary":
        return f"{params.message} is binary data, not a message"
    if message.kind in ("empty", "no_fields"):
        return f"{params.message} has no header fields"
    if message.kind == "timeout":
        return f"{_TIMED_OUT} {params.message} did not finish within {timeout:g}s (parsing)"
    return f"{params.message} cannot be parsed as a message: {message.detail}"


def identity_facts(params: MailIdentityParams,
                   message: MessageSummary | None) -> dict[str, FactValue]:
    """The derived facts: given values first, the message's where nothing was given."""
    header_from = message.from_addresses[0] if message and message.from_addresses else ""
    header_from_source = "message" if header_from else ""
    if params.sender:
        envelope_from, envelope_source = params.sender, "given"
    elif message and message.return_path:
        envelope_from, envelope_source = message.return_path, "return_path"
    elif header_from:
        envelope_from, envelope_source = header_from, "header_from"
    else:
        envelope_from, envelope_source = "", ""
    if not header_from and params.sender:
        header_from, header_from_source = params.sender, "assumed_from_sender"
    if envelope_source in ("given", "return_path") and header_from_source == "message":
        relation = "same" if _same(envelope_from, header_from) else "different"
    else:
        relation = "unknown"
    signature = message.dkim[0] if message and message.dkim else None
    if params.selector:
        selector, selector_source = params.selector, "given"
    elif signature and signature.selector:
        selector, selector_source = signature.selector, "dkim_signature"
    else:
        selector, selector_source = "", ""
    recipients = list(message.recipients) if message else []
    recipient = params.recipient or (recipients[0] if recipients else "")
    from_domain = _domain(header_from)
    return {
        "envelope_from": envelope_from,
        "envelope_from_source": envelope_source,
        "envelope_domain": _domain(envelope_from),
        "header_from": header_from,
        "header_from_source": header_from_source,
        "from_domain": from_domain,
        "from_addresses": list(message.from_addresses) if message else [],
        "envelope_vs_header": relation,
        "recipient": recipient,
        "recipients": recipients or ([recipient] if recipient else []),
        "selector": selector,
        "selector_source": selector_source,
        "dkim_signed": signature is not None,
        "dkim_domain": (signature.domain.lower() if signature and signature.domain
                        else from_domain),
        "signature_domain": signature.domain.lower() if signature else "",
        "can_test_relay": bool(envelope_from and recipient),
    }


def _summary(outcome: str, facts: dict[str, FactValue]) -> str:
    sender = facts["envelope_from"] or "(unknown sender)"
    recipient = facts["recipient"] or "(unknown recipient)"
    relation = {"same": "envelope From = header From",
                "different": f"envelope From differs from header From {facts['header_from']}",
                "unknown": "header From not compared"}[str(facts["envelope_vs_header"])]
    head = {"from_message": "from the message", "given_only": "as given",
            "message_unusable": "as given (the message file is unusable)",
            "nothing_known": "no sender known",
            "timeout": "as given (the message file gave no data in time)"}[outcome]
    return f"{head}: {sender} → {recipient}; {relation}"


async def run_mail_identity(params: MailIdentityParams, ctx: ProbeContext) -> ProbeResult:
    """Read the message if there is one, then derive the addresses, domains and selector."""
    timeout = ctx.seconds(params)
    message: MessageSummary | None = None
    evidence: list[str] = []
    problem = ""
    if params.message:
        read = await _read(params, timeout)
        if isinstance(read, str):
            problem = read
            evidence.append(read)
        else:
            message = read
    facts = identity_facts(params, message)
    facts["problem"] = problem
    if params.message and problem.startswith(_TIMED_OUT):
        outcome = "timeout"
    elif params.message and problem:
        outcome = "message_unusable"
    elif not facts["envelope_from"]:
        outcome = "nothing_known"
    elif message is not None:
        outcome = "from_message"
    else:
        outcome = "given_only"
    evidence += [f"envelope From: {facts['envelope_from'] or '(unknown)'} "
                 f"({facts['envelope_from_source'] or 'not given'})",
                 f"header From: {facts['header_from'] or '(unknown)'} "
                 f"({facts['header_from_source'] or 'no message'})",
                 f"DKIM selector: {facts['selector'] or '(unknown)'} "
                 f"({facts['selector_source'] or 'not given, no DKIM-Signature'})"]
    return ProbeResult(outcome, _summary(outcome, facts), tuple(evidence), facts)


SPEC = ProbeSpec(
    name="mail.identity",
    description="Who sends to whom: envelope and header From, domains and DKIM selector, "
                "from a message file and/or what was given",
    params=MailIdentityParams,
    outcomes={
        "from_message": "the message file was read; given values take precedence over it",
        "given_only": "no message file: the given sender and recipient are used",
        "message_unusable": "the message file cannot be read or has no header fields: only "
                            "the given values are used",
        "nothing_known": "no sender given and no From in a message: no domain to check",
        "timeout": "the message file gave no data in time (e.g. a pipe nobody writes to)",
    },
    run=run_mail_identity,
    facts={
        "envelope_from": always("the envelope From: given, else the Return-Path, else the "
                                "header From (empty: unknown)"),
        "envelope_from_source": always("given, return_path, header_from, or empty"),
        "envelope_domain": always("the envelope From's domain (SPF is checked there)"),
        "header_from": always("the header From: the message's first, else the sender given"),
        "header_from_source": always("message, assumed_from_sender, or empty"),
        "from_domain": always("the header From's domain (DMARC and DKIM are checked there)"),
        "from_addresses": always("every address in the message's From field(s)"),
        "envelope_vs_header": always("same, different, or unknown (not both known)"),
        "recipient": always("the recipient: given, else the message's first"),
        "recipients": always("the message's recipients (or the one given)"),
        "selector": always("the DKIM selector: given, else the DKIM-Signature's s="),
        "selector_source": always("given, dkim_signature, or empty"),
        "dkim_signed": always("the message carries a DKIM-Signature"),
        "dkim_domain": always("the signature's d=, else the header From's domain"),
        "signature_domain": always("the DKIM-Signature's d= (empty: the message is not signed "
                                   "or there is no message)"),
        "can_test_relay": always("both an envelope From and a recipient are known"),
        "problem": always("why the message file could not be used (empty: it could)"),
    },
)
