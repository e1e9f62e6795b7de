"""What every SMTP probe shares: target parameters, connecting, greeting, EHLO, transcript.

The SMTP client is aiosmtplib; this module is the thin layer a diagnosis
needs on top of it:

* a C:/S: transcript of every command and reply (around ``execute_command``);
* one :class:`~wizard.probes.base.Deadline` for the whole conversation: each
  aiosmtplib call gets the time left, and ``asyncio.timeout`` is the hard stop;
* the line between "nothing listens" (refused), "no answer" (timeout),
  "connected but the server never speaks" (silent), "it hung up" (closed) and
  "it greeted with 4xx/5xx" (rejected): the socket is connected here and handed
  to aiosmtplib with ``sock=``, and its exceptions are read for their cause;
* never a silent upgrade (``start_tls=False``; STARTTLS only when a probe asks),
  and the plaintext a server or a middlebox slips in after ``220 Ready to start
  TLS`` — which aiosmtplib rightly throws away — kept as evidence.

A probe body drives a :class:`SmtpConversation` and returns a result; anything that
ends the conversation early raises :class:`Stop`, which :func:`run_session`
turns into a :class:`~wizard.probes.base.ProbeResult` carrying the facts
gathered so far.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, NoReturn, cast

import aiosmtplib
import dns.exception
from aiosmtplib.protocol import SMTPProtocol
from aiosmtplib.typing import Default
from pydantic import Field

from wizard.probes.base import (
    Deadline,
    FactSpec,
    FactValue,
    ProbeContext,
    ProbeResult,
    TimedParams,
    always,
)
from wizard.probes.support.hosts import NameNotFound, resolve_host

Stage = Literal["connect", "greeting", "ehlo", "starttls", "tls", "auth", "mail", "rcpt", "data"]

CONNECTION_OUTCOMES: dict[str, str] = {
    "name_not_found": "the host name does not resolve",
    "refused": "nothing listens on that port (connection refused)",
    "unreachable": "no route to the host from here",
    "timeout": "the name lookup or the TCP connection did not complete in time",
    "silent": "connected, but the server never answered (no greeting or no reply in time)",
    "closed": "the server hung up without an answer",
    "rejected": "the server greeted with a 4xx/5xx reply (e.g. 421 Too many connections)",
}

ENHANCED_CODE = re.compile(r"^([245]\.\d{1,3}\.\d{1,3})(?=\s|$)")
PLAINTEXT_KEPT = 512
"""Bytes of injected plaintext kept as evidence (the rest is only counted)."""


class SmtpTarget(TimedParams):
    """The SMTP server to talk to."""

    host: str = Field(min_length=1, description="Host name or IP address of the SMTP server")
    port: int = Field(default=587, ge=1, le=65535, description="TCP port")
    tls_server_name: str | None = Field(
        default=None, min_length=1,
        description="Name the certificate must match (default: host)")
    helo_name: str = Field(default="localhost", pattern=r"^[A-Za-z0-9.\[\]:-]+$",
                           description="Name this client gives in EHLO")


def connection_facts() -> dict[str, FactSpec]:
    """The facts every SMTP probe publishes (None when the conversation did not get that far)."""
    return {
        "host": always("the host as given"),
        "port": always("the port"),
        "address": always("the address connected to (None if no connection was made)"),
        "tls_server_name": always("the name the certificate was checked against"),
        "stage": always("the last step reached: connect, greeting, ehlo, starttls, tls, auth, "
                        "mail, rcpt, data"),
        "greeting_code": always("the greeting's reply code"),
        "greeting_text": always("the greeting's text"),
        "reply_code": always("the reply code that decided the outcome"),
        "enhanced_code": always("its enhanced status code (e.g. 5.7.8), if any"),
        "reply_text": always("its text"),
    }


@dataclass(frozen=True)
class Reply:
    """One SMTP reply: its code and its text lines (without the code prefix)."""

    code: int
    lines: tuple[str, ...]

    @classmethod
    def of(cls, response: aiosmtplib.SMTPResponse | aiosmtplib.SMTPResponseException) -> Reply:
        """The reply aiosmtplib returned (or raised), its lines split again."""
        return cls(response.code, tuple(response.message.split("\n")))

    @property
    def text(self) -> str:
        """The reply's text, lines joined by a space."""
        return " ".join(line for line in self.lines if line)

    @property
    def enhanced_code(self) -> str | None:
        """The RFC 3463 enhanced status code at the start of the text (e.g. ``5.7.8``), if any."""
        match = ENHANCED_CODE.match(self.lines[0] if self.lines else "")
        return match.group(1) if match else None

    def transcript(self) -> list[str]:
        """The reply as the server sent it, each line prefixed with ``S:``."""
        last = len(self.lines) - 1
        return [f"S: {self.code}{' ' if i == last else '-'}{line}"
                for i, line in enumerate(self.lines)]


class Stop(Exception):
    """End the conversation now with ``outcome``."""

    def __init__(self, outcome: str, summary: str):
        super().__init__(outcome)
        self.outcome = outcome
        self.summary = summary


class StartTlsFailed(Exception):
    """The STARTTLS upgrade failed after the server's 220; ``__cause__`` says how."""


def ehlo_extensions(reply: Reply) -> dict[str, str]:
    """EHLO keywords (upper case) mapped to their parameters; the first line is the greeting."""
    extensions: dict[str, str] = {}
    for line in reply.lines[1:]:
        keyword, _, rest = line.strip().partition(" ")
        if keyword:
            extensions[keyword.upper()] = rest.strip()
    return extensions


def auth_mechanisms(extensions: dict[str, str]) -> list[str]:
    """The SASL mechanisms an EHLO reply offers (``AUTH`` and the old ``AUTH=`` form)."""
    mechanisms: list[str] = []
    for keyword, rest in extensions.items():
        if keyword == "AUTH" or keyword.startswith("AUTH="):
            words = rest.split() + ([keyword[5:]] if keyword.startswith("AUTH=") else [])
            mechanisms.extend(w.upper() for w in words if w.upper() not in mechanisms)
    return mechanisms


def size_limit(extensions: dict[str, str]) -> int | None:
    """The SIZE limit in bytes, if the server announces one."""
    value = extensions.get("SIZE", "")
    return int(value) if value.isdigit() else None


class _WatchedProtocol(SMTPProtocol):
    """aiosmtplib's protocol, also keeping what it discards around STARTTLS, and its end.

    aiosmtplib builds its protocol itself; :func:`_watch` switches that
    instance to this subclass, which changes no behaviour. Around STARTTLS it
    remembers the reply, the bytes left in the buffer after it and any
    plaintext arriving before the handshake — all of which aiosmtplib drops
    (RFC 3207 section 4.2), so an injection is never read as a reply inside
    TLS, but the diagnosis can still say it happened. ``gone`` completes when
    the connection is lost, so closing a TLS session can wait for it.
    """

    watching: bool
    starttls_reply: aiosmtplib.SMTPResponse | None
    plaintext: bytes
    gone: asyncio.Future[None]

    def data_received(self, data: bytes) -> None:
        waiter = self._response_waiter
        expected = self._response_pending and waiter is not None and not waiter.done()
        if self.watching and not self._over_ssl and not expected:
            self.plaintext = (self.plaintext + data)[:PLAINTEXT_KEPT + 1]
        super().data_received(data)

    async def read_response(self, timeout: float | None = None) -> aiosmtplib.SMTPResponse:
        response = await super().read_response(timeout)
        if self.watching and not self._over_ssl:
            self.starttls_reply = response
            self.plaintext = bytes(self._buffer[:PLAINTEXT_KEPT + 1])
        return response

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if not self.gone.done():
            self.gone.set_result(None)


def _watch(protocol: SMTPProtocol) -> _WatchedProtocol:
    """Switch aiosmtplib's protocol instance to :class:`_WatchedProtocol`."""
    protocol.__class__ = _WatchedProtocol
    assert isinstance(protocol, _WatchedProtocol)
    protocol.watching = False
    protocol.starttls_reply = None
    protocol.plaintext = b""
    protocol.gone = asyncio.get_running_loop().create_future()
    return protocol


class TranscribingSmtp(aiosmtplib.SMTP):
    """aiosmtplib's client writing every command and its reply into ``transcript``."""

    def __init__(self, transcript: list[str], **kwargs: Any):
        super().__init__(**kwargs)
        self.transcript = transcript
        self.shown: str | None = None
        """Replaces the next command in the transcript (a credential, for instance)."""

    async def execute_command(
            self, *args: bytes,
            timeout: float | Literal[Default.token] | None = Default.token,
    ) -> aiosmtplib.SMTPResponse:
        """aiosmtplib's ``execute_command``, with ``C:`` and ``S:`` lines in the transcript."""
        shown, self.shown = self.shown, None
        line = shown if shown is not None else b" ".join(args).decode("utf-8", "replace")
        self.transcript.append(f"C: {line}")
        response = await super().execute_command(*args, timeout=timeout)
        self.transcript.extend(Reply.of(response).transcript())
        return response

    async def starttls_watched(self, context: ssl.SSLContext, server_name: str,
                               timeout: float) -> tuple[Reply, bytes]:
        """STARTTLS and the handshake; the reply and the plaintext that followed it.

        A non-220 reply raises ``SMTPResponseException`` (nothing was upgraded);
        a failure after the 220 raises :class:`StartTlsFailed` from its cause.
        """
        protocol = self.protocol
        if not isinstance(protocol, _WatchedProtocol):
            raise aiosmtplib.SMTPServerDisconnected("Server not connected")
        protocol.watching = True
        self.transcript.append("C: STARTTLS")
        try:
            await self.starttls(server_hostname=server_name, tls_context=context,
                                timeout=timeout)
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code >= 0:
                self.transcript.extend(Reply.of(exc).transcript())
            raise
        except (OSError, aiosmtplib.SMTPException) as exc:
            reply = protocol.starttls_reply
            if reply is None:
                raise
            self.transcript.extend(Reply.of(reply).transcript())
            raise StartTlsFailed(str(exc)) from exc
        finally:
            protocol.watching = False
        reply = protocol.starttls_reply
        assert reply is not None
        self.transcript.extend(Reply.of(reply).transcript())
        return Reply.of(reply), protocol.plaintext

    def quit_without_waiting(self) -> None:
        """Send QUIT (its answer is not awaited) and close."""
        protocol = self.protocol
        with contextlib.suppress(Exception):
            if protocol is not None and protocol.is_connected:
                protocol.write(b"QUIT\r\n")
        self.close()


class SmtpConversation:
    """One SMTP conversation of a probe: connection, transcript and facts."""

    def __init__(self, params: SmtpTarget, ctx: ProbeContext, deadline: Deadline | None = None):
        self.params = params
        self.ctx = ctx
        self.deadline = deadline or ctx.deadline(params)
        self.server_name = params.tls_server_name or params.host.strip("[]")
        self.sock: socket.socket | None = None
        self.smtp: TranscribingSmtp | None = None
        self.protocol: _WatchedProtocol | None = None
        self.transcript: list[str] = []
        self.secrets: set[str] = set()
        self.facts: dict[str, FactValue] = {
            "host": params.host, "port": params.port, "address": None,
            "tls_server_name": self.server_name, "stage": "connect", "greeting_code": None,
            "greeting_text": None, "reply_code": None, "enhanced_code": None, "reply_text": None,
        }

    @property
    def target(self) -> str:
        """``host:port`` for summaries."""
        return f"{self.params.host}:{self.params.port}"

    def at(self, stage: Stage) -> None:
        """Record the step the conversation has reached."""
        self.facts["stage"] = stage

    def note(self, reply: Reply) -> None:
        """Make ``reply`` the one that decides the outcome."""
        self.facts.update(reply_code=reply.code, enhanced_code=reply.enhanced_code,
                          reply_text=reply.text)

    def left(self) -> float:
        """Seconds left for the next step (a tiny positive number once the time is up)."""
        return max(self.deadline.remaining(), 0.001)

    @property
    def client(self) -> TranscribingSmtp:
        """The aiosmtplib client (a programming error to ask before :meth:`greeting`)."""
        if self.smtp is None:
            raise RuntimeError("not connected")
        return self.smtp

    @property
    def tls(self) -> ssl.SSLObject | None:
        """The TLS session once one is established."""
        if self.smtp is None or not self.smtp.is_connected:
            return None
        obj = self.smtp.get_transport_info("ssl_object")
        return obj if isinstance(obj, ssl.SSLObject) else None

    @contextlib.asynccontextmanager
    async def bounded(self) -> AsyncIterator[None]:
        """The whole conversation under one hard stop; the connection is closed at the end."""
        try:
            async with asyncio.timeout(self.deadline.remaining() + 0.1):
                yield
        except TimeoutError as exc:
            self.transcript.append(f"(no answer within {self.deadline.seconds:g}s)")
            if self.facts["stage"] == "connect":
                raise Stop("timeout", f"{self.target} did not answer in time") from exc
            raise Stop("silent", f"{self.target} went silent at {self.facts['stage']}: "
                                 f"no reply within {self.deadline.seconds:g}s") from exc
        finally:
            await self.close()

    async def connect(self) -> None:
        """Resolve the host through the context's resolver; connect to its first willing address."""
        try:
            async with asyncio.timeout(self.deadline.remaining()):
                addresses = await resolve_host(self.params.host, self.ctx)
        except NameNotFound as exc:
            self.transcript.append(str(exc))
            raise Stop("name_not_found", f"{self.params.host} does not resolve") from exc
        except (TimeoutError, dns.exception.Timeout) as exc:
            self.transcript.append(f"no DNS answer for {self.params.host}")
            raise Stop("timeout", f"looking up {self.params.host} timed out") from exc
        last = Stop("unreachable", f"{self.target} is unreachable from here")
        for address in addresses:
            self.facts["address"] = address
            try:
                self.sock = await _open_socket(address, self.params.port, self.deadline)
            except TimeoutError:
                self.transcript.append(f"{address} port {self.params.port}: no answer in time")
                last = Stop("timeout", f"{self.target} did not answer: packets are dropped")
                continue
            except ConnectionRefusedError:
                self.transcript.append(f"{address} port {self.params.port}: connection refused")
                last = Stop("refused", f"{self.target} refused the connection: nothing listens")
                continue
            except (ConnectionResetError, ConnectionAbortedError) as exc:
                self.transcript.append(f"{address} port {self.params.port}: connected, then "
                                       "reset at once by the other end")
                raise Stop("closed", f"{self.target} hung up at connect, before any "
                                     "greeting (connection reset)") from exc
            except OSError as exc:
                self.transcript.append(f"{address} port {self.params.port}: "
                                       f"{exc.strerror or exc}")
                continue
            self.transcript.append(f"connected to {address} port {self.params.port}")
            return
        raise last

    async def greeting(self, implicit_tls: ssl.SSLContext | None = None) -> Reply:
        """Hand the socket to aiosmtplib and read the greeting (after a TLS handshake if asked).

        A 4xx/5xx greeting is :class:`Stop` ``rejected``; a failed implicit-TLS
        handshake raises the ``ssl``/``OSError`` that caused it, at stage ``tls``.
        """
        if self.sock is None:
            raise RuntimeError("connect() first")
        sock, self.sock = self.sock, None
        self.at("tls" if implicit_tls else "greeting")
        self.smtp = TranscribingSmtp(
            self.transcript, sock=sock, hostname=self.server_name if implicit_tls else None,
            local_hostname=self.params.helo_name, start_tls=False,
            use_tls=implicit_tls is not None, tls_context=implicit_tls)
        try:
            response = await self.smtp.connect(timeout=self.left())
        except aiosmtplib.SMTPConnectResponseError as exc:
            reply = Reply.of(exc)
            self.transcript.extend(reply.transcript())
            self.facts.update(greeting_code=reply.code, greeting_text=reply.text)
            self.note(reply)
            self.at("greeting")
            raise Stop("rejected",
                       f"{self.target} refused to talk: {reply.code} {reply.text}") from exc
        except aiosmtplib.SMTPConnectError as exc:
            cause = exc.__cause__
            if implicit_tls is not None and isinstance(cause, OSError) and not isinstance(
                    cause, aiosmtplib.SMTPException):
                if isinstance(cause, TimeoutError):
                    self.went_silent("(TLS: no handshake answer in time)", "the TLS handshake", exc)
                raise cause from exc
            self.at("greeting")
            if isinstance(exc, aiosmtplib.SMTPTimeoutError):
                self.went_silent(f"(no reply within {self.deadline.seconds:g}s)", "greeting", exc)
            self.hung_up(exc)
        except aiosmtplib.SMTPResponseException as exc:
            self.at("greeting")
            self.hung_up(exc)
        if self.smtp.protocol is not None:
            self.protocol = _watch(self.smtp.protocol)
        reply = Reply.of(response)
        self.at("greeting")
        self.facts.update(greeting_code=reply.code, greeting_text=reply.text)
        self.note(reply)
        if implicit_tls is not None:
            self.record_tls()
        self.transcript.extend(reply.transcript())
        return reply

    def record_tls(self) -> None:
        """Publish the version, cipher and certificate of the TLS session just set up."""
        from wizard.probes.support.tls_inspect import session_facts

        tls = self.tls
        if tls is not None:
            self.facts.update(session_facts(tls))
            self.transcript.append(f"(TLS: {tls.version()} {self.facts['tls_cipher']})")

    def went_silent(self, line: str, what: str, exc: BaseException) -> NoReturn:
        """Stop with ``silent``: nothing came back from the server in time."""
        self.transcript.append(line)
        raise Stop("silent", f"{self.target} went silent at {what}: "
                             f"no reply within {self.deadline.seconds:g}s") from exc

    def hung_up(self, exc: BaseException) -> NoReturn:
        """Stop with ``closed``: the connection was lost, or what came was no SMTP reply."""
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        self.transcript.append(f"(connection lost: {cause})")
        raise Stop("closed", f"{self.target} hung up at {self.facts['stage']} "
                             "without an answer") from exc

    async def talk(self, call: Awaitable[aiosmtplib.SMTPResponse]) -> Reply:
        """Await one aiosmtplib call; silence and hang-ups become :class:`Stop`."""
        try:
            return Reply.of(await call)
        except aiosmtplib.SMTPTimeoutError as exc:
            self.went_silent(f"(no reply within {self.deadline.seconds:g}s)",
                         str(self.facts["stage"]), exc)
        except (aiosmtplib.SMTPServerDisconnected, ConnectionError, ssl.SSLError) as exc:
            self.hung_up(exc)
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code >= 0:
                raise
            self.hung_up(exc)

    async def command(self, line: str, shown: str | None = None) -> Reply:
        """Send ``line`` and read its reply; ``shown`` replaces the line in the transcript."""
        client = self.client
        if not client.is_connected:
            self.hung_up(aiosmtplib.SMTPServerDisconnected("the server closed the connection"))
        client.shown = shown
        return await self.talk(client.execute_command(line.encode("utf-8"), timeout=self.left()))

    async def ehlo(self) -> dict[str, str]:
        """Send EHLO; the extensions offered (empty when EHLO is refused)."""
        self.at("ehlo")
        try:
            reply = await self.talk(self.client.ehlo(timeout=self.left()))
        except aiosmtplib.SMTPHeloError as exc:
            self.note(Reply.of(exc))
            return {}
        return ehlo_extensions(reply)

    async def close(self) -> None:
        """Say QUIT (without waiting for its answer) and close the connection, if one is open.

        A TLS session ends with an exchange of close_notify alerts: that is
        waited for (at most a second, within the deadline), then the
        connection is cut, so no socket outlives the probe.
        """
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.smtp is not None:
            self.smtp.quit_without_waiting()
            self.smtp = None
        protocol, self.protocol = self.protocol, None
        transport = protocol.transport if protocol is not None else None
        if protocol is None or transport is None or protocol.gone.done() \
                or transport.get_extra_info("sslcontext") is None:
            return
        if not transport.is_closing():
            transport.close()
        try:
            await asyncio.wait_for(asyncio.shield(protocol.gone),
                                   max(0.05, min(1.0, self.deadline.remaining())))
        except TimeoutError:
            cast(asyncio.WriteTransport, transport).abort()

    def keep_secret(self, *secrets: str) -> None:
        """Never let these strings out, even if a server echoes them back."""
        self.secrets.update(s for s in secrets if len(s) >= 3)

    def result(self, outcome: str, summary: str, extra: Iterable[str] = ()) -> ProbeResult:
        """The probe's result from the transcript and facts gathered so far, secrets scrubbed."""
        scrub = _Scrubber(self.secrets)
        return ProbeResult(outcome, scrub.text(summary),
                           tuple(scrub.text(line) for line in (*self.transcript, *extra)),
                           {key: scrub.value(value) for key, value in self.facts.items()})


class _Scrubber:
    def __init__(self, secrets: Iterable[str]):
        self.secrets = sorted(secrets, key=len, reverse=True)

    def text(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<secret removed>")
        return text

    def value(self, value: FactValue) -> FactValue:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {key: self.value(item) for key, item in value.items()}
        return value


async def _open_socket(address: str, port: int, deadline: Deadline) -> socket.socket:
    """A TCP socket connected to ``address:port`` (OSError and TimeoutError propagate)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        async with asyncio.timeout(deadline.remaining()):
            await asyncio.get_running_loop().sock_connect(sock, (address, port))
    except BaseException:
        sock.close()
        raise
    return sock


async def run_session(params: SmtpTarget, ctx: ProbeContext,
                      body: Callable[[SmtpConversation], Awaitable[ProbeResult]],
                      session: SmtpConversation | None = None) -> ProbeResult:
    """Run ``body`` on a session within its deadline; a :class:`Stop` becomes the result."""
    session = session or SmtpConversation(params, ctx)
    try:
        async with session.bounded():
            return await body(session)
    except Stop as stop:
        return session.result(stop.outcome, stop.summary)
