"""Open an SMTP session up to the point where commands may be sent: plain, STARTTLS or implicit TLS.

Used by every probe past the banner. What was offered before TLS and after
it are kept apart as facts, because a server that hides AUTH until STARTTLS
looks very different from one that never offers it.
"""

from __future__ import annotations

import ssl
from typing import Literal

import aiosmtplib

from wizard.probes.base import FactSpec, FactValue, always
from wizard.probes.support.smtp_session import (
    PLAINTEXT_KEPT,
    Reply,
    SmtpConversation,
    StartTlsFailed,
    Stop,
    auth_mechanisms,
    size_limit,
)
from wizard.probes.support.tls_inspect import empty_tls_facts, verify_problem

TlsMode = Literal["starttls", "implicit", "none"]

TLS_PROBLEMS = ("starttls_not_offered", "starttls_refused", "cert_untrusted", "handshake_failed")


class TlsFailed(Exception):
    """TLS could not be set up; ``kind`` is one of :data:`TLS_PROBLEMS`."""

    def __init__(self, kind: str, summary: str):
        super().__init__(kind)
        self.kind = kind
        self.summary = summary


def ehlo_facts() -> dict[str, FactSpec]:
    """What EHLO told, before and after TLS (empty lists when that step was not reached)."""
    return {
        "starttls_offered": always("STARTTLS was among the extensions before TLS"),
        "extensions_before_tls": always("EHLO keywords on the plain connection"),
        "auth_before_tls": always("AUTH mechanisms offered on the plain connection"),
        "extensions_after_tls": always("EHLO keywords once TLS is up"),
        "auth_after_tls": always("AUTH mechanisms offered once TLS is up"),
        "size_limit": always("SIZE limit in bytes from the last EHLO, if any"),
        "eightbitmime": always("8BITMIME offered in the last EHLO"),
        "smtputf8": always("SMTPUTF8 offered in the last EHLO"),
        "plaintext_after_starttls": always(
            "text the server (or something in between) sent after its 220 to STARTTLS and "
            "before the TLS handshake: discarded, never read as a reply (None: nothing sent)"),
    }


def empty_ehlo_facts() -> dict[str, FactValue]:
    """Every EHLO fact before EHLO was sent."""
    return {"starttls_offered": False, "extensions_before_tls": [], "auth_before_tls": [],
            "extensions_after_tls": [], "auth_after_tls": [], "size_limit": None,
            "eightbitmime": False, "smtputf8": False, "plaintext_after_starttls": None}


def _record_ehlo(session: SmtpConversation, extensions: dict[str, str], secure: bool) -> None:
    when = "after_tls" if secure else "before_tls"
    session.facts[f"extensions_{when}"] = sorted(extensions)
    session.facts[f"auth_{when}"] = auth_mechanisms(extensions)
    session.facts.update(size_limit=size_limit(extensions),
                         eightbitmime="8BITMIME" in extensions,
                         smtputf8="SMTPUTF8" in extensions)
    if not secure:
        session.facts["starttls_offered"] = "STARTTLS" in extensions


def _untrusted(session: SmtpConversation, exc: ssl.SSLCertVerificationError) -> TlsFailed:
    reason, text = verify_problem(exc)
    session.facts.update(cert_verified=False, cert_problem=reason, cert_problem_text=text)
    session.transcript.append(f"(TLS: certificate not trusted: {text})")
    return TlsFailed("cert_untrusted",
                     f"{session.target}: certificate not trusted for {session.server_name}: "
                     f"{text}")


def _handshake_failed(session: SmtpConversation, exc: BaseException) -> TlsFailed:
    detail = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
    session.transcript.append(f"(TLS handshake failed: {detail})")
    return TlsFailed("handshake_failed", f"{session.target}: TLS handshake failed ({detail})")


def _secured(session: SmtpConversation, context: ssl.SSLContext) -> None:
    session.record_tls()
    if session.tls is not None and context.verify_mode == ssl.CERT_REQUIRED:
        session.facts.update(cert_verified=True, cert_problem=None, cert_problem_text=None)


async def open_implicit(session: SmtpConversation, context: ssl.SSLContext) -> None:
    """TLS from the first byte, then the greeting (aiosmtplib's ``use_tls``)."""
    try:
        await session.greeting(implicit_tls=context)
    except ssl.SSLCertVerificationError as exc:
        raise _untrusted(session, exc) from exc
    except OSError as exc:
        raise _handshake_failed(session, exc) from exc
    if context.verify_mode == ssl.CERT_REQUIRED and session.tls is not None:
        session.facts.update(cert_verified=True, cert_problem=None, cert_problem_text=None)


async def starttls(session: SmtpConversation, context: ssl.SSLContext) -> None:
    """STARTTLS and the handshake; plaintext sent after the 220 is recorded, never read."""
    session.at("starttls")
    try:
        _, plaintext = await session.client.starttls_watched(
            context, session.server_name, session.left())
    except aiosmtplib.SMTPResponseException as exc:
        if exc.code < 0:
            session.hung_up(exc)
        reply = Reply.of(exc)
        session.note(reply)
        raise TlsFailed("starttls_refused",
                        f"{session.target} offers STARTTLS but answered {reply.code} "
                        f"{reply.text}") from exc
    except StartTlsFailed as failed:
        session.at("tls")
        cause = failed.__cause__ or failed
        if isinstance(cause, ssl.SSLCertVerificationError):
            raise _untrusted(session, cause) from cause
        if isinstance(cause, aiosmtplib.SMTPTimeoutError):
            session.transcript.append("(TLS: no handshake answer in time)")
            raise Stop("silent",
                       f"{session.target} never answered the TLS handshake") from cause
        raise _handshake_failed(session, cause.__cause__ or cause) from cause
    except aiosmtplib.SMTPTimeoutError as exc:
        session.went_silent(f"(no reply within {session.deadline.seconds:g}s)", "starttls", exc)
    except (aiosmtplib.SMTPServerDisconnected, ConnectionError, ssl.SSLError) as exc:
        session.hung_up(exc)
    session.at("tls")
    if plaintext:
        shown = repr(plaintext[:PLAINTEXT_KEPT].decode("utf-8", "replace"))[1:-1]
        more = " …" if len(plaintext) > PLAINTEXT_KEPT else ""
        session.facts["plaintext_after_starttls"] = shown + more
        session.transcript.append(
            f"(plaintext after 220, before the TLS handshake — discarded: {shown}{more})")
    _secured(session, context)


async def establish(session: SmtpConversation, mode: TlsMode,
                    context: ssl.SSLContext | None) -> None:
    """Connect, (TLS,) greeting, EHLO, (STARTTLS, EHLO again): ready for AUTH or MAIL.

    After STARTTLS, EHLO is sent again and only what it says over TLS counts.
    """
    session.facts.update(empty_ehlo_facts())
    session.facts.update(empty_tls_facts())
    await session.connect()
    if mode == "implicit" and context is not None:
        await open_implicit(session, context)
    else:
        await session.greeting()
    extensions = await session.ehlo()
    _record_ehlo(session, extensions, secure=mode == "implicit")
    if mode != "starttls" or context is None:
        return
    if "STARTTLS" not in extensions:
        raise TlsFailed("starttls_not_offered",
                        f"{session.target} does not offer STARTTLS before authentication")
    await starttls(session, context)
    _record_ehlo(session, await session.ehlo(), secure=True)
