"""``smtp.envelope``: would the server take mail from this sender to these recipients?

STARTTLS (by default), AUTH when credentials are given, MAIL FROM, RCPT TO,
and DATA with a generated test message only when asked. The reply that
decides the outcome is published as ``reply_code``, ``enhanced_code``,
``reply_text`` and ``stage`` for the error catalog to explain.
"""

from __future__ import annotations

import email.utils
import re
from typing import Any

import aiosmtplib
from pydantic import Field, SecretStr, field_validator, model_validator

from wizard.probes.base import ProbeContext, ProbeResult, ProbeSpec, always
from wizard.probes.smtp_auth import Mechanism, auth_facts, authenticate, protect
from wizard.probes.support.smtp_secure import TlsFailed, TlsMode, ehlo_facts, establish
from wizard.probes.support.smtp_session import (
    CONNECTION_OUTCOMES,
    Reply,
    SmtpConversation,
    SmtpTarget,
    Stage,
    connection_facts,
    run_session,
)
from wizard.probes.support.tls_inspect import tls_facts, verifying_context

ADDRESS = r"^[^<>\s\x00-\x1f\x7f]*$"
"""A bare address: no angle brackets, no white space, no control characters."""


class EnvelopeParams(SmtpTarget):
    """Who sends to whom, through which server, with which credentials."""

    mail_from: str = Field(pattern=ADDRESS, description="Envelope sender (MAIL FROM), may be empty")
    rcpt_to: list[str] = Field(min_length=1, description="Envelope recipients (RCPT TO)")
    username: str | None = Field(default=None, min_length=1, description="SMTP user name")
    password: SecretStr | None = Field(default=None, description="SMTP password (never shown)")
    mechanism: Mechanism = "PLAIN"
    tls: TlsMode = Field(
        default="starttls",
        description="starttls, implicit (465), or none (credentials then go in clear)")
    send_data: bool = Field(default=False, description="Also send a generated test message")

    @field_validator("rcpt_to", mode="before")
    @classmethod
    def _split_recipients(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part for part in value.replace(",", " ").split() if part]
        return value

    @field_validator("rcpt_to")
    @classmethod
    def _plain_addresses(cls, value: list[str]) -> list[str]:
        for address in value:
            if not re.fullmatch(ADDRESS, address) or not address:
                raise ValueError(f"not a bare address: {address!r}")
        return value

    @model_validator(mode="after")
    def _credentials_together(self) -> EnvelopeParams:
        if (self.username is None) != (self.password is None):
            raise ValueError("username and password go together")
        return self


def build_test_message(params: EnvelopeParams) -> bytes:
    """A small, well-formed test message whose header From equals the envelope sender.

    aiosmtplib dot-stuffs it and adds the final ``.`` line.
    """
    domain = params.mail_from.rpartition("@")[2] or "email-wizard.invalid"
    lines = [
        f"From: <{params.mail_from}>",
        f"To: {', '.join(f'<{rcpt}>' for rcpt in params.rcpt_to)}",
        "Subject: email-wizard delivery test",
        f"Date: {email.utils.formatdate(usegmt=True)}",
        f"Message-ID: {email.utils.make_msgid('email-wizard', domain=domain)}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "This message was sent by email-wizard to test delivery. It can be deleted.",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _refusal(session: SmtpConversation, reply: Reply, stage: Stage,
             authenticated: bool) -> str | None:
    """The outcome a non-2xx reply at ``stage`` means, or None when the step succeeded."""
    session.note(reply)
    if 200 <= reply.code < 400:
        return None
    if 400 <= reply.code < 500:
        return "temporary_failure"
    if stage in ("mail", "rcpt") and not authenticated and reply.code in (530, 535):
        return "auth_required"
    return {"mail": "rejected_sender", "rcpt": "rejected_recipient"}.get(stage, "rejected_data")


SUMMARIES = {
    "temporary_failure": "{target} deferred at {stage}: {said}",
    "auth_required": "{target} wants authentication before {stage}: {said}",
    "rejected_sender": "{target} rejected the sender {mail_from}: {said}",
    "rejected_recipient": "{target} rejected a recipient: {said}",
    "rejected_data": "{target} rejected the message: {said}",
}


async def run_envelope(params: EnvelopeParams, ctx: ProbeContext) -> ProbeResult:
    """Secure, authenticate if asked, then MAIL, RCPT and (optionally) DATA."""
    session = SmtpConversation(params, ctx)
    session.facts.update(mail_from=params.mail_from, rcpt_to=list(params.rcpt_to),
                         authenticated=False, auth_outcome=None, tls_problem=None,
                         mechanism=params.mechanism, mechanism_offered=None,
                         credentials_sent=False, message_sent=False)
    if params.username and params.password:
        protect(session, params.username, params.password.get_secret_value())

    async def step(line: str, stage: Stage) -> str | None:
        session.at(stage)
        reply = await session.command(line)
        return _refusal(session, reply, stage, bool(session.facts["authenticated"]))

    def stop(outcome: str) -> ProbeResult:
        said = f"{session.facts['reply_code']} {session.facts['reply_text']}"
        return session.result(outcome, SUMMARIES[outcome].format(
            target=session.target, stage=session.facts["stage"], said=said,
            mail_from=params.mail_from or "<>"))

    async def body(session: SmtpConversation) -> ProbeResult:
        context = verifying_context(ctx) if params.tls != "none" else None
        try:
            await establish(session, params.tls, context)
        except TlsFailed as failure:
            session.facts["tls_problem"] = failure.kind
            return session.result("tls_failed", failure.summary)
        if params.username and params.password:
            verdict = await authenticate(session, params.mechanism, params.username,
                                         params.password)
            session.facts["auth_outcome"] = verdict.outcome
            if verdict.outcome != "ok":
                return session.result("auth_failed", verdict.summary)
            session.facts["authenticated"] = True
        if outcome := await step(f"MAIL FROM:<{params.mail_from}>", "mail"):
            return stop(outcome)
        for rcpt in params.rcpt_to:
            if outcome := await step(f"RCPT TO:<{rcpt}>", "rcpt"):
                return stop(outcome)
        if not params.send_data:
            return session.result("accepted", f"{session.target} accepts mail from "
                                              f"{params.mail_from or '<>'} to "
                                              f"{', '.join(params.rcpt_to)} (no message sent)")
        session.at("data")
        session.transcript.extend(["C: DATA",
                                   "C: <test message, sent once the server answers 354>"])
        try:
            reply = await session.talk(session.client.data(build_test_message(params),
                                                           timeout=session.left()))
            session.transcript.extend(reply.transcript())
        except aiosmtplib.SMTPDataError as refused:
            reply = Reply.of(refused)
            session.transcript.extend(reply.transcript())
        if outcome := _refusal(session, reply, "data", True):
            return stop(outcome)
        session.facts["message_sent"] = True
        return session.result("accepted", f"{session.target} accepted the test message: "
                                          f"{reply.code} {reply.text}")

    return await run_session(params, ctx, body, session)


SPEC = ProbeSpec(
    name="smtp.envelope",
    description="Try MAIL FROM / RCPT TO (and optionally DATA) and capture the server's reply",
    params=EnvelopeParams,
    outcomes={
        "accepted": "sender and recipients accepted (and the test message, if sent)",
        "rejected_sender": "MAIL FROM was refused with 5xx (e.g. 535 Authorization failed)",
        "rejected_recipient": "RCPT TO was refused with 5xx",
        "rejected_data": "DATA or the message was refused with 5xx (e.g. 552, 554)",
        "temporary_failure": "a 4xx reply at some step (e.g. 421, 451, 455)",
        "auth_required": "MAIL or RCPT refused because the session is not authenticated",
        "auth_failed": "the credentials did not authenticate (see auth_outcome)",
        "tls_failed": "TLS could not be set up (see tls_problem)",
        **CONNECTION_OUTCOMES,
    },
    run=run_envelope,
    facts={
        **connection_facts(),
        **ehlo_facts(),
        **tls_facts(),
        **auth_facts(),
        "mail_from": always("the envelope sender"),
        "rcpt_to": always("the envelope recipients"),
        "authenticated": always("AUTH succeeded in this session"),
        "auth_outcome": always("the smtp.auth outcome of the AUTH step, if one was made"),
        "message_sent": always("the test message was accepted"),
    },
)
