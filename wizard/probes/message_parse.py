"""``message.parse``: read a message file and check it against a provider's header limits."""

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
    on,
)

DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024
PARSED = ("parsed", "exceeds_limits")


class MessageParseParams(TimedParams):
    """The message file and the provider's limits (the provider profile supplies them)."""

    path: str = Field(min_length=1, description="The message file (RFC 5322, e.g. a .eml)")
    max_header_bytes: int = Field(default=0, ge=0,
                                  description="Largest header section the provider accepts, in "
                                  "bytes (0: no limit documented)")
    max_header_kb: int | None = Field(
        default=None, ge=0, description="The header limit in KB, as provider profiles give it; "
        "when given (and not 0: none documented) it replaces max_header_bytes")
    max_recipients: int = Field(default=0, ge=0,
                                description="Most recipients across To, Cc and Bcc (0: no "
                                "limit documented)")
    max_file_bytes: int = Field(default=DEFAULT_MAX_FILE_BYTES, gt=0,
                                description="Files larger than this are not read")

    @property
    def header_limit(self) -> int:
        """The header section limit in bytes: max_header_kb when given, else max_header_bytes."""
        return self.max_header_kb * 1024 if self.max_header_kb else self.max_header_bytes


def _facts(summary: MessageSummary, params: MessageParseParams,
           size: int) -> dict[str, FactValue]:
    first_from = summary.from_addresses[0] if summary.from_addresses else ""
    first_dkim = summary.dkim[0] if summary.dkim else None
    return {
        "path": params.path,
        "size_bytes": size,
        "from_addresses": list(summary.from_addresses),
        "from_count": len(summary.from_addresses),
        "from_address": first_from,
        "from_domain": first_from.rpartition("@")[2].lower(),
        "sender": summary.sender,
        "return_path": summary.return_path or "",
        "return_path_present": summary.return_path is not None,
        "return_path_matches_from": summary.return_path_matches_from,
        "header_bytes": summary.header_bytes,
        "max_header_bytes": params.header_limit,
        "header_too_large": 0 < params.header_limit < summary.header_bytes,
        "recipients": list(summary.recipients),
        "recipient_count": summary.recipient_count,
        "recipient_counts": dict(summary.recipient_counts),
        "max_recipients": params.max_recipients,
        "too_many_recipients": 0 < params.max_recipients < summary.recipient_count,
        "message_id": summary.message_id or "",
        "message_id_present": summary.message_id is not None,
        "message_id_valid": summary.message_id_valid,
        "non_ascii_header_names": list(summary.non_ascii_header_names),
        "dkim_signed": bool(summary.dkim),
        "dkim_domain": first_dkim.domain if first_dkim else "",
        "dkim_selector": first_dkim.selector if first_dkim else "",
        "dkim_signatures": [{"d": sig.domain, "s": sig.selector} for sig in summary.dkim],
        "subject": summary.subject,
        "defects": list(summary.defects),
    }


def _evidence(summary: MessageSummary, params: MessageParseParams) -> list[str]:
    lines = [
        f"From: {', '.join(summary.from_addresses) or '(none)'}"
        f" ({len(summary.from_addresses)} address(es))",
        f"Return-Path: {summary.return_path if summary.return_path is not None else '(none)'}",
        f"header section: {summary.header_bytes} bytes (limit {params.header_limit})",
        f"recipients in To/Cc/Bcc: {summary.recipient_count} (limit {params.max_recipients})",
        f"Message-ID: {summary.message_id or '(none)'}"
        + ("" if summary.message_id_valid else " (not an RFC 5322 msg-id)"),
    ]
    if summary.non_ascii_header_names:
        lines.append(f"non-ASCII header names: {', '.join(summary.non_ascii_header_names)}")
    lines += [f"DKIM-Signature d={sig.domain} s={sig.selector}" for sig in summary.dkim]
    return lines + [f"defect: {defect}" for defect in summary.defects]


def _failure(outcome: str, summary: str, evidence: str, path: str) -> ProbeResult:
    return ProbeResult(outcome, summary, (evidence,), {"path": path, "reason": summary})


def _unusable(why: Unusable, path: str, timeout: float) -> ProbeResult:
    if why.kind == "binary":
        return _failure("binary", f"{path} is binary data, not a message",
                        f"{path}: NUL or control bytes in the first bytes", path)
    if why.kind == "empty":
        return _failure("not_a_message", f"{path} is empty: not an RFC 5322 message",
                        f"{path}: 0 bytes of content", path)
    if why.kind == "no_fields":
        return _failure("not_a_message", f"{path} has no header fields: not an RFC 5322 "
                        "message", f"{path}: first line {why.detail}", path)
    if why.kind == "timeout":
        return _failure("timeout", f"parsing {path} did not finish within {timeout:g}s",
                        f"{path}: {why.detail}", path)
    return _failure("too_large", f"{path} cannot be parsed as a message: {why.detail}",
                    f"{path}: {why.detail}", path)


async def run_message_parse(params: MessageParseParams, ctx: ProbeContext) -> ProbeResult:
    """Read the file (bounded in size and time), then find the header section and collect the
    facts in a child process bounded by what is left of the timeout."""
    timeout = ctx.seconds(params)
    deadline = asyncio.get_running_loop().time() + timeout
    path = params.path
    try:
        async with asyncio.timeout_at(deadline):
            data = await read_bounded(path, params.max_file_bytes)
    except TimeoutError:
        return _failure("timeout", f"reading {path} did not finish within {timeout:g}s",
                        f"{path}: no data (a pipe nobody writes to?)", path)
    except TooLarge as exc:
        return _failure("too_large", f"{path} is too large to be a message file: {exc}",
                        str(exc), path)
    except OSError as exc:
        return _failure("unreadable", f"{path} cannot be read: {exc.strerror or exc}",
                        str(exc), path)
    left = max(0.05, deadline - asyncio.get_running_loop().time())
    message = await analyse_isolated(data, left)
    if isinstance(message, Unusable):
        return _unusable(message, path, timeout)
    facts = _facts(message, params, len(data))
    exceeded = [what for what, flag in (("header section", facts["header_too_large"]),
                                         ("recipients", facts["too_many_recipients"])) if flag]
    outcome = "exceeds_limits" if exceeded else "parsed"
    summary = (f"{path}: {' and '.join(exceeded)} over the provider's limit" if exceeded
               else f"{path}: a message from {facts['from_address'] or '(no From)'}")
    return ProbeResult(outcome, summary, tuple(_evidence(message, params)), facts)


SPEC = ProbeSpec(
    name="message.parse",
    description="Parse a message file: From, Return-Path, recipients, header size, DKIM",
    params=MessageParseParams,
    outcomes={
        "parsed": "a message within the provider's header and recipient limits",
        "exceeds_limits": "a message whose header section or recipient count is over the limit",
        "not_a_message": "the file is empty or has no header fields",
        "binary": "the file is binary data",
        "too_large": "the file is larger than a message file can sensibly be, or parsing it "
                     "needs more memory than allowed",
        "unreadable": "the file does not exist, is a directory, or cannot be opened",
        "timeout": "the file gave no data in time (e.g. a pipe nobody writes to), or parsing "
                   "its header section did not finish in time",
    },
    run=run_message_parse,
    facts={
        "path": always("the file as given"),
        "reason": on("why the file could not be used as a message",
                     "not_a_message", "binary", "too_large", "unreadable", "timeout"),
        "size_bytes": on("bytes in the file", *PARSED),
        "from_addresses": on("addresses in the From field(s)", *PARSED),
        "from_count": on("how many From addresses (one is expected)", *PARSED),
        "from_address": on("the first From address; empty when none", *PARSED),
        "from_domain": on("domain of the first From address", *PARSED),
        "sender": on("the Sender address; empty when none", *PARSED),
        "return_path": on("the Return-Path (envelope sender) address; empty if none/null",
                          *PARSED),
        "return_path_present": on("whether a Return-Path field exists", *PARSED),
        "return_path_matches_from": on(
            "Return-Path equals the only From address; null when either is missing", *PARSED),
        "header_bytes": on("size of the header section in bytes", *PARSED),
        "max_header_bytes": on("the header size limit applied", *PARSED),
        "header_too_large": on("header section over the limit", *PARSED),
        "recipients": on("addresses in To, Cc and Bcc", *PARSED),
        "recipient_count": on("number of addresses in To, Cc and Bcc", *PARSED),
        "recipient_counts": on("per field: to, cc, bcc", *PARSED),
        "max_recipients": on("the recipient limit applied", *PARSED),
        "too_many_recipients": on("recipient count over the limit", *PARSED),
        "message_id": on("the Message-ID as written; empty when none", *PARSED),
        "message_id_present": on("whether a Message-ID field exists", *PARSED),
        "message_id_valid": on("Message-ID is one RFC 5322 <left@right>", *PARSED),
        "non_ascii_header_names": on("header field names with non-ASCII bytes", *PARSED),
        "dkim_signed": on("at least one DKIM-Signature field", *PARSED),
        "dkim_domain": on("d= of the first DKIM-Signature; empty when none", *PARSED),
        "dkim_selector": on("s= of the first DKIM-Signature; empty when none", *PARSED),
        "dkim_signatures": on("every DKIM-Signature's d= and s=", *PARSED),
        "subject": on("the decoded Subject", *PARSED),
        "defects": on("what is malformed in the header section", *PARSED),
    },
)
