"""``smtp.starttls`` and ``smtp.implicit_tls``: is the TLS modern and the certificate trusted?

The first handshake verifies (TLS ≥ 1.2, trusted chain, matching name). When
it fails, a second, inspecting handshake within the same deadline learns
what the server really offers, so the result can say *why*: an old protocol
version, or which certificate problem.
"""

from __future__ import annotations

from wizard.probes.base import ProbeContext, ProbeResult, ProbeSpec
from wizard.probes.support.smtp_secure import TlsFailed, TlsMode, ehlo_facts, establish
from wizard.probes.support.smtp_session import (
    CONNECTION_OUTCOMES,
    SmtpConversation,
    SmtpTarget,
    Stop,
    connection_facts,
)
from wizard.probes.support.tls_inspect import (
    MODERN_VERSIONS,
    REASON_WORDS,
    STORE_DEPENDENT,
    inspecting_context,
    is_quick,
    tls_facts,
    verifying_context,
)


class StartTlsParams(SmtpTarget):
    """A submission server upgraded with STARTTLS (port 587 or 25)."""


class ImplicitTlsParams(SmtpTarget):
    """A server that speaks TLS from the first byte (port 465)."""

    port: int = 465


async def run_starttls(params: StartTlsParams, ctx: ProbeContext) -> ProbeResult:
    """EHLO, STARTTLS, handshake with verification; on failure, inspect and explain."""
    return await _probe_tls(params, ctx, implicit=False)


async def run_implicit_tls(params: ImplicitTlsParams, ctx: ProbeContext) -> ProbeResult:
    """TLS handshake with verification on connect, then greeting and EHLO."""
    return await _probe_tls(params, ctx, implicit=True)


async def _probe_tls(params: SmtpTarget, ctx: ProbeContext, implicit: bool) -> ProbeResult:
    """One conversation verifying with the quick trust store; a certificate it does not
    trust for a reason the store decides is verified again, in a second conversation within
    the same deadline, with the whole system store (see ``verifying_context``). A re-check
    that does not get as far as the handshake (the server went silent or hung up) keeps
    the quick store's verdict: the full store holds every certificate the quick one does.
    """
    mode: TlsMode = "implicit" if implicit else "starttls"
    context = verifying_context(ctx, quick=True)
    session = SmtpConversation(params, ctx)
    quick_verdict: tuple[SmtpConversation, TlsFailed] | None = None
    while True:
        try:
            async with session.bounded():
                await establish(session, mode, context)
        except Stop as stop:
            if quick_verdict is not None:  # the re-check did not get as far: keep the verdict
                return await _inspect(*quick_verdict, mode)
            return session.result(stop.outcome, stop.summary)
        except TlsFailed as failure:
            if failure.kind in ("starttls_not_offered", "starttls_refused"):
                return session.result(failure.kind, failure.summary)
            if failure.kind == "cert_untrusted" and is_quick(context) \
                    and session.facts.get("cert_problem") in STORE_DEPENDENT:
                context = verifying_context(ctx)
                quick_verdict = (session, failure)
                again = SmtpConversation(params, ctx, session.deadline)
                again.transcript = [*session.transcript, "-- again, against every certificate "
                                    "of the system trust store"]
                session = again
                continue
            return await _inspect(session, failure, mode)
        break
    facts = session.facts
    if facts["plaintext_after_starttls"] is not None:
        auth = facts["auth_after_tls"]
        offered = f"AUTH {' '.join(map(str, auth))}" if isinstance(auth, list) and auth \
            else "no AUTH"
        return session.result(
            "starttls_injection",
            f"{session.target} sent plaintext after its 220 to STARTTLS, before the TLS "
            f"handshake ({facts['plaintext_after_starttls']}): a middlebox or a broken server "
            f"injects it; it was discarded. Over TLS ({facts['tls_version']}, certificate "
            f"trusted for {session.server_name}) the server offers {offered}")
    return session.result("tls_ok", f"{session.target}: {facts['tls_version']}, "
                                    f"certificate trusted for {session.server_name}")


async def _inspect(first: SmtpConversation, failure: TlsFailed, mode: TlsMode) -> ProbeResult:
    """Second handshake without verification, within the first one's deadline."""
    verdict = {key: first.facts.get(key) for key in
               ("cert_verified", "cert_problem", "cert_problem_text")}
    second = SmtpConversation(first.params, first.ctx, first.deadline)
    second.transcript = [*first.transcript, "-- again without verification, to see what is offered"]
    try:
        async with second.bounded():
            await establish(second, mode, inspecting_context())
    except (Stop, TlsFailed):
        tried = second.transcript[len(first.transcript):]
        return first.result(failure.kind, failure.summary, tried)
    second.facts.update(verdict)
    second.at("tls")
    version = str(second.facts["tls_version"])
    if version not in MODERN_VERSIONS:
        return second.result("tls_below_1_2",
                             f"{second.target} only negotiates {version}; TLS 1.2 or later "
                             "is required")
    if failure.kind == "cert_untrusted":
        reason = str(verdict["cert_problem"])
        return second.result("cert_untrusted",
                             f"{second.target}: {REASON_WORDS.get(reason, reason)} "
                             f"({second.facts['cert_problem_text']})")
    return second.result("handshake_failed",
                         f"{failure.summary}; without verification it negotiates {version}")


_TLS_OUTCOMES = {
    "tls_ok": "TLS 1.2 or later with a certificate trusted for the name",
    "tls_below_1_2": "the server only negotiates TLS 1.0/1.1",
    "cert_untrusted": "the certificate is not trusted: see cert_problem (hostname_mismatch, "
                      "expired, self_signed, unknown_ca)",
    "handshake_failed": "the TLS handshake failed for another reason",
}

STARTTLS_SPEC = ProbeSpec(
    name="smtp.starttls",
    description="Upgrade an SMTP session with STARTTLS and check the TLS version and certificate",
    params=StartTlsParams,
    outcomes={
        **_TLS_OUTCOMES,
        "starttls_not_offered": "EHLO on the plain connection does not offer STARTTLS",
        "starttls_refused": "STARTTLS is offered but the server answered it with an error",
        "starttls_injection": "TLS is fine, but plaintext arrived after the 220 to STARTTLS "
                              "and before the handshake (see plaintext_after_starttls): a "
                              "middlebox or a broken server injects it (STARTTLS response "
                              "injection); it was discarded, the facts are what TLS said",
        **CONNECTION_OUTCOMES,
    },
    run=run_starttls,
    facts={**connection_facts(), **ehlo_facts(), **tls_facts()},
)

IMPLICIT_TLS_SPEC = ProbeSpec(
    name="smtp.implicit_tls",
    description="Connect with TLS from the first byte (port 465) and check version and certificate",
    params=ImplicitTlsParams,
    outcomes={**_TLS_OUTCOMES, **CONNECTION_OUTCOMES},
    run=run_implicit_tls,
    facts={**connection_facts(), **ehlo_facts(), **tls_facts()},
)
