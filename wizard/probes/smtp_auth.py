"""``smtp.auth``: do these SMTP credentials authenticate, and if not, what did the server say?

``AUTH <mechanism>`` is sent first without the credentials: a server that
would refuse anyway (TLS required, mechanism unknown, throttled) says so
before it has seen the password. The password, and every encoding of it,
is scrubbed from everything the probe returns.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, SecretStr

from wizard.probes.base import FactSpec, ProbeContext, ProbeResult, ProbeSpec, always
from wizard.probes.support.smtp_secure import TlsFailed, TlsMode, ehlo_facts, establish
from wizard.probes.support.smtp_session import (
    CONNECTION_OUTCOMES,
    Reply,
    SmtpConversation,
    SmtpTarget,
    connection_facts,
    run_session,
)
from wizard.probes.support.tls_inspect import tls_facts, verifying_context

Mechanism = Literal["PLAIN", "LOGIN"]

AUTH_OUTCOMES: dict[str, str] = {
    "ok": "the credentials were accepted (235)",
    "invalid_credentials": "the server rejected the credentials (535)",
    "mechanism_not_offered": "the mechanism is not offered in EHLO, or the server answered 504",
    "tls_required": "the server wants TLS before AUTH (530/538, or 535 before any credentials)",
    "throttled": "the server refuses AUTH for now (421 Too many auth failures)",
    "auth_not_offered": "the server offers no AUTH at all on this connection",
    "auth_unexpected_reply": "the server answered AUTH with another reply (see reply_code); "
                             "only 235 means authenticated, so e.g. a 250 is not success",
}


class AuthParams(SmtpTarget):
    """SMTP credentials to try against a server."""

    username: str = Field(min_length=1, description="SMTP user name")
    password: SecretStr = Field(description="SMTP password (never shown)")
    mechanism: Mechanism = Field(default="PLAIN", description="SASL mechanism")
    tls: TlsMode = Field(
        default="starttls",
        description="starttls, implicit (465), or none (credentials then go in clear)")


@dataclass(frozen=True)
class AuthVerdict:
    """How an AUTH exchange ended."""

    outcome: str
    summary: str


def b64(data: str) -> str:
    """Base64 of the UTF-8 bytes of ``data``."""
    return base64.b64encode(data.encode("utf-8")).decode("ascii")


def plain_response(username: str, password: str) -> str:
    """The AUTH PLAIN initial response: base64 of ``\\0user\\0password`` (RFC 4616)."""
    return b64(f"\0{username}\0{password}")


def protect(session: SmtpConversation, username: str, password: str) -> None:
    """Register the password and each encoding of it as secrets of ``session``."""
    session.keep_secret(password, b64(password), plain_response(username, password))


async def authenticate(session: SmtpConversation, mechanism: Mechanism, username: str,
                       password: SecretStr) -> AuthVerdict:
    """Run one AUTH exchange on an established session and classify the answer."""
    secret = password.get_secret_value()
    protect(session, username, secret)
    secure = session.tls is not None
    offered = session.facts["auth_after_tls" if secure else "auth_before_tls"]
    offered = offered if isinstance(offered, list) else []
    session.facts.update(mechanism=mechanism, mechanism_offered=mechanism in offered,
                         credentials_sent=False)
    session.at("auth")
    if offered and mechanism not in offered:
        return AuthVerdict("mechanism_not_offered",
                           f"{session.target} offers AUTH {' '.join(offered)}, not {mechanism}")
    reply = await session.command(f"AUTH {mechanism}")
    if reply.code == 334:
        session.facts["credentials_sent"] = True
        if mechanism == "PLAIN":
            reply = await session.command(plain_response(username, secret),
                                          shown="<user name and password, not shown>")
        else:
            reply = await session.command(b64(username), shown=f"<user name {username}>")
            if reply.code == 334:
                reply = await session.command(b64(secret), shown="<password, not shown>")
    session.note(reply)
    return _classify(session, reply, secure, bool(offered), mechanism)


def _classify(session: SmtpConversation, reply: Reply, secure: bool, offered: bool,
              mechanism: str) -> AuthVerdict:
    said = f"{reply.code} {reply.text}"
    sent = bool(session.facts["credentials_sent"])
    if reply.code == 235:
        return AuthVerdict("ok", f"{session.target} accepted the credentials: {said}")
    if reply.code == 421:
        return AuthVerdict("throttled", f"{session.target} throttles AUTH: {said}")
    if reply.code == 504:
        return AuthVerdict("mechanism_not_offered",
                           f"{session.target} does not support AUTH {mechanism}: {said}")
    if not secure and (reply.code in (530, 538) or (reply.code == 535 and not sent)):
        return AuthVerdict("tls_required",
                           f"{session.target} requires TLS before AUTH: {said}")
    if reply.code == 535 and sent:
        return AuthVerdict("invalid_credentials",
                           f"{session.target} rejected the credentials: {said}")
    if not offered and reply.code in (500, 502, 503):
        return AuthVerdict("auth_not_offered",
                           f"{session.target} does not offer AUTH here: {said}")
    return AuthVerdict("auth_unexpected_reply", f"{session.target} answered AUTH with {said}")


async def run_auth(params: AuthParams, ctx: ProbeContext) -> ProbeResult:
    """Connect, secure the session as asked, then try the credentials."""
    session = SmtpConversation(params, ctx)
    session.facts.update(username=params.username, mechanism=params.mechanism,
                         mechanism_offered=None, credentials_sent=False, tls_problem=None)
    protect(session, params.username, params.password.get_secret_value())

    async def body(session: SmtpConversation) -> ProbeResult:
        context = verifying_context(ctx) if params.tls != "none" else None
        try:
            await establish(session, params.tls, context)
        except TlsFailed as failure:
            session.facts["tls_problem"] = failure.kind
            return session.result("tls_failed", failure.summary)
        verdict = await authenticate(session, params.mechanism, params.username,
                                     params.password)
        return session.result(verdict.outcome, verdict.summary)

    return await run_session(params, ctx, body, session)


def auth_facts() -> dict[str, FactSpec]:
    """Facts of an AUTH exchange (shared with ``smtp.envelope``)."""
    return {
        "mechanism": always("the SASL mechanism tried"),
        "mechanism_offered": always("the mechanism was in EHLO's AUTH list (None: not reached)"),
        "credentials_sent": always("the credentials were sent (the server asked for them)"),
        "tls_problem": always("when TLS failed: starttls_not_offered, starttls_refused, "
                              "cert_untrusted or handshake_failed"),
    }


SPEC = ProbeSpec(
    name="smtp.auth",
    description="Try SMTP credentials (after STARTTLS by default) and classify the reply",
    params=AuthParams,
    outcomes={
        **AUTH_OUTCOMES,
        "tls_failed": "TLS could not be set up before AUTH (see tls_problem)",
        **CONNECTION_OUTCOMES,
    },
    run=run_auth,
    facts={
        **connection_facts(),
        **ehlo_facts(),
        **tls_facts(),
        **auth_facts(),
        "username": always("the user name tried"),
    },
)
