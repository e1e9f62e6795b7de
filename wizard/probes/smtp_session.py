"""What every SMTP probe shares: target parameters, connecting, greeting, EHLO, transcript.

A probe body drives a :class:`Session` and returns a result; anything that
ends the conversation early (no such name, refused, silence, a hang-up, a
4xx/5xx greeting) raises :class:`Stop`, which :func:`run_session` turns into
a :class:`~wizard.probes.base.ProbeResult` carrying the facts gathered so far.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Literal

import dns.exception
from pydantic import Field

from wizard.probes.base import (
    Deadline,
    FactSpec,
    FactValue,
    ProbeContext,
    ProbeParams,
    ProbeResult,
    always,
)
from wizard.probes.resolve import NameNotFound, resolve_host
from wizard.probes.smtp_client import PeerClosed, PeerSilent, Reply, SmtpConnection

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


class SmtpTarget(ProbeParams):
    """The SMTP server to talk to."""

    host: str = Field(min_length=1, description="Host name or IP address of the SMTP server")
    port: int = Field(default=587, ge=1, le=65535, description="TCP port")
    tls_server_name: str | None = Field(
        default=None, min_length=1,
        description="Name the certificate must match (default: host)")
    helo_name: str = Field(default="localhost", pattern=r"^[A-Za-z0-9.\[\]:-]+$",
                           description="Name this client gives in EHLO")
    timeout: float | None = Field(default=None, gt=0, description="Seconds; default the run's")


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


class Stop(Exception):
    """End the conversation now with ``outcome``."""

    def __init__(self, outcome: str, summary: str):
        super().__init__(outcome)
        self.outcome = outcome
        self.summary = summary


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


class Session:
    """One SMTP conversation of a probe: connection, transcript and facts."""

    def __init__(self, params: SmtpTarget, ctx: ProbeContext, deadline: Deadline | None = None):
        self.params = params
        self.ctx = ctx
        self.deadline = deadline or Deadline(params.timeout or ctx.timeout)
        self.server_name = params.tls_server_name or params.host.strip("[]")
        self.conn: SmtpConnection | None = None
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

    @property
    def connection(self) -> SmtpConnection:
        """The open connection (a programming error to ask before :meth:`connect`)."""
        if self.conn is None:
            raise RuntimeError("not connected")
        return self.conn

    async def connect(self) -> None:
        """Resolve the host through the context's resolver; connect to its first willing address."""
        try:
            addresses = await _bounded(resolve_host(self.params.host, self.ctx), self.deadline)
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
                self.conn = await SmtpConnection.open(address, self.params.port, self.deadline)
            except TimeoutError:
                self.transcript.append(f"{address} port {self.params.port}: no answer in time")
                last = Stop("timeout", f"{self.target} did not answer: packets are dropped")
                continue
            except ConnectionRefusedError:
                self.transcript.append(f"{address} port {self.params.port}: connection refused")
                last = Stop("refused", f"{self.target} refused the connection: nothing listens")
                continue
            except OSError as exc:
                self.transcript.append(f"{address} port {self.params.port}: "
                                       f"{exc.strerror or exc}")
                continue
            self.transcript.append(f"connected to {address} port {self.params.port}")
            return
        raise last

    async def greeting(self) -> Reply:
        """Read the server's greeting; a 4xx/5xx greeting is :class:`Stop` ``rejected``."""
        self.at("greeting")
        reply = await self.read()
        self.facts.update(greeting_code=reply.code, greeting_text=reply.text)
        self.note(reply)
        if reply.code != 220:
            raise Stop("rejected", f"{self.target} refused to talk: {reply.code} {reply.text}")
        return reply

    async def read(self) -> Reply:
        """Read one reply into the transcript; silence and hang-ups become :class:`Stop`."""
        try:
            reply = await self.connection.read_reply()
        except PeerSilent as exc:
            self.transcript.append(f"(no reply within {self.deadline.seconds:g}s)")
            raise Stop("silent", f"{self.target} went silent at {self.facts['stage']}: "
                                 f"no reply within {self.deadline.seconds:g}s") from exc
        except PeerClosed as exc:
            self.transcript.append(f"({exc})")
            raise Stop("closed", f"{self.target} hung up at {self.facts['stage']} "
                                 "without an answer") from exc
        self.transcript.extend(reply.transcript())
        return reply

    async def command(self, line: str, shown: str | None = None) -> Reply:
        """Send ``line`` and read its reply; ``shown`` replaces the line in the transcript."""
        self.transcript.append(f"C: {shown if shown is not None else line}")
        try:
            await self.connection.send(line)
        except PeerSilent as exc:
            raise Stop("silent", f"{self.target} stopped reading at {self.facts['stage']}") from exc
        except PeerClosed as exc:
            self.transcript.append(f"({exc})")
            raise Stop("closed", f"{self.target} hung up at {self.facts['stage']}") from exc
        return await self.read()

    async def ehlo(self) -> dict[str, str]:
        """Send EHLO; the extensions offered (empty when EHLO is refused)."""
        self.at("ehlo")
        reply = await self.command(f"EHLO {self.params.helo_name}")
        if reply.code != 250:
            self.note(reply)
            return {}
        return ehlo_extensions(reply)

    async def close(self) -> None:
        """Say QUIT and close the connection, if one is open."""
        if self.conn is not None:
            await self.conn.close()
            self.conn = None

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


async def _bounded(awaitable: Awaitable[list[str]], deadline: Deadline) -> list[str]:
    return await asyncio.wait_for(awaitable, deadline.remaining())


async def run_session(params: SmtpTarget, ctx: ProbeContext,
                      body: Callable[[Session], Awaitable[ProbeResult]],
                      session: Session | None = None) -> ProbeResult:
    """Run ``body`` on a session; a :class:`Stop` becomes the result; the connection is closed."""
    session = session or Session(params, ctx)
    try:
        return await body(session)
    except Stop as stop:
        return session.result(stop.outcome, stop.summary)
    finally:
        await session.close()
