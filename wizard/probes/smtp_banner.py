"""``smtp.banner``: does the server greet, and what does its EHLO offer before any TLS?"""

from __future__ import annotations

from wizard.probes.base import ProbeContext, ProbeResult, ProbeSpec, always
from wizard.probes.support.smtp_session import (
    CONNECTION_OUTCOMES,
    SmtpConversation,
    SmtpTarget,
    auth_mechanisms,
    connection_facts,
    run_session,
    size_limit,
)


class BannerParams(SmtpTarget):
    """The server whose greeting to read."""


async def run_banner(params: BannerParams, ctx: ProbeContext) -> ProbeResult:
    """Connect, read the greeting, send EHLO and record the extensions offered."""
    session = SmtpConversation(params, ctx)
    session.facts.update(extensions=[], auth_mechanisms=[], starttls_offered=False,
                         size_limit=None, eightbitmime=False, smtputf8=False)

    async def body(session: SmtpConversation) -> ProbeResult:
        await session.connect()
        greeting = await session.greeting()
        extensions = await session.ehlo()
        session.facts.update(extensions=sorted(extensions),
                             auth_mechanisms=auth_mechanisms(extensions),
                             starttls_offered="STARTTLS" in extensions,
                             size_limit=size_limit(extensions),
                             eightbitmime="8BITMIME" in extensions,
                             smtputf8="SMTPUTF8" in extensions)
        offered = ", ".join(sorted(extensions)) or "no extensions (EHLO refused)"
        return session.result("greeting", f"{session.target} greets: {greeting.code} "
                                          f"{greeting.text}; offers {offered}")

    return await run_session(params, ctx, body, session)


SPEC = ProbeSpec(
    name="smtp.banner",
    description="Read an SMTP server's greeting and what its EHLO offers before TLS",
    params=BannerParams,
    outcomes={
        "greeting": "the server greeted with 220 (its EHLO extensions are in the facts)",
        **CONNECTION_OUTCOMES,
    },
    run=run_banner,
    facts={
        **connection_facts(),
        "extensions": always("EHLO keywords offered on the plain connection"),
        "auth_mechanisms": always("AUTH mechanisms offered on the plain connection"),
        "starttls_offered": always("STARTTLS is offered"),
        "size_limit": always("SIZE limit in bytes, if announced"),
        "eightbitmime": always("8BITMIME is offered"),
        "smtputf8": always("SMTPUTF8 is offered"),
    },
)
