"""Real SMTP peers on loopback: aiosmtpd for the honest servers, a scripted server for the rest.

Design: one private CA made with trustme signs every certificate (a good one
for ``mail.test``/``localhost``/``127.0.0.1``/``::1``, one for the wrong name,
one already expired); a second, untrusted trustme CA signs the "unknown CA"
certificate, and a CA certificate serving as its own leaf plays "self-signed".
The CA's PEM file is what tests pass as ``ctx.ca_file``. Two aiosmtpd servers
play a provider's submission endpoints — STARTTLS on "587" (AUTH only after
TLS, AUTH required before MAIL) and implicit TLS on "465" (AUTH offered, not
required) — with an authenticator and a handler whose refusals are the exact
replies of the OCI troubleshooting page, chosen by the envelope address.
Everything aiosmtpd will not do on purpose (a 421 greeting, silence, a hang-up
mid-EHLO, a refused STARTTLS, garbage instead of TLS, TLS 1.1 only, a server
echoing credentials) is a :class:`Script` run by a tiny asyncio server; all
scripted servers and a stub DNS server (``mail.test`` → 127.0.0.1, NXDOMAIN
otherwise, plus a nameserver that never answers) share one event loop in a
background thread. The fixtures in ``smtp_fixtures.py`` start all of this once
per session and stop it at the end; nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import json
import socket
import ssl
import threading
import warnings
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SmtpServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from tests.helpers import free_port

LOOPBACK = "127.0.0.1"
SERVER_NAME = "mail.test"
USER = "ocid1.user.oc1..aaaatestuser@ocid1.tenancy.oc1..aaaatest"
PASSWORD = "canary-P4ss-do-not-leak-9f2c"
"""The one valid password; tests search every result for it (and its base64)."""
THROTTLED_USER = "throttled-user"
"""A user name the authenticator answers with 421 Too many auth failures."""

MAIL_REPLIES: Mapping[str, str] = {
    "unapproved@example.com":
        "535 Authorization failed: address unapproved@example.com not authorized",
    "burst@example.com": "455 Maximum messages sent per minute reached : limit is 10",
    "daily@example.com": "455 Maximum messages sent per day reached : limit is 200",
    "busy@example.com": "421 4.4.0 Problem attempting to execute commands. Please try again later",
}
"""MAIL FROM refusals of the reference page, by sender."""

RCPT_REPLIES: Mapping[str, str] = {
    "bad@example.net": "553 <bad@example.net> Invalid email address",
}
"""RCPT TO refusals, by recipient."""

DATA_REPLIES: Mapping[str, str] = {
    "big@example.com": "552 Exceeds byte limit",
    "unparsable@example.com": "554 Message parse error",
    "glitch@example.com": "451 Error in Processing",
    "suppressed@example.com":
        "254 4.7.1 Suppression for user ocid1.user.oc1..aaaatestuser to <to@example.net>",
}
"""Replies at the end of DATA, by sender."""


def _server_context(chain: tuple[str, str], legacy_only: bool = False) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*chain)
    if legacy_only:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


class Pki:
    """The test certificates, and the CA file that makes the good ones trusted."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.ca = trustme.CA(organization_name="email-wizard test CA")
        self.ca_file = str(directory / "test-ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_file)
        names = (SERVER_NAME, "localhost", LOOPBACK, "::1")
        past = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
        foreign_ca = trustme.CA(organization_name="a CA nobody trusts")
        self_signed = trustme.CA(organization_name="self-signed server")
        self.chains = {
            "good": self._files("good", self.ca.issue_cert(*names)),
            "wrong_host": self._files("wrong-host", self.ca.issue_cert("other.test")),
            "expired": self._files("expired", self.ca.issue_cert(
                *names, not_before=past, not_after=past + datetime.timedelta(days=90))),
            "unknown_ca": self._files("unknown-ca", foreign_ca.issue_cert(*names)),
        }
        self_signed.cert_pem.write_to_path(directory / "self-signed.pem")
        self_signed.private_key_pem.write_to_path(directory / "self-signed.key")
        self.chains["self_signed"] = (str(directory / "self-signed.pem"),
                                      str(directory / "self-signed.key"))
        self.chains["tls1_1"] = self.chains["good"]

    def _files(self, stem: str, cert: trustme.LeafCert) -> tuple[str, str]:
        chain = self.directory / f"{stem}.pem"
        cert.private_key_and_cert_chain_pem.write_to_path(chain)
        return str(chain), str(chain)

    def context(self, variant: str) -> ssl.SSLContext:
        """The server TLS context of a certificate variant (see :data:`TLS_VARIANTS`)."""
        return _server_context(self.chains[variant], legacy_only=variant == "tls1_1")


TLS_VARIANTS = ("good", "wrong_host", "expired", "self_signed", "unknown_ca", "tls1_1")


# --- aiosmtpd: the honest submission servers -------------------------------------------


class Accounts:
    """aiosmtpd authenticator: one valid account, one throttled user, 535 for the rest."""

    def __call__(self, server: SmtpServer, session: Session, envelope: Envelope,
                 mechanism: str, auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        if login == THROTTLED_USER:
            return AuthResult(success=False, handled=False,
                              message="421 Too many auth failures, try again later")
        if (login, password) == (USER, PASSWORD):
            return AuthResult(success=True, auth_data=login)
        return AuthResult(success=False, handled=False,
                          message="535 Authentication credentials invalid")


@dataclass
class ReferenceHandler:
    """Accepts mail, except from/to the addresses that play the reference page's refusals."""

    received: list[bytes] = field(default_factory=list)

    async def handle_MAIL(self, server: SmtpServer, session: Session, envelope: Envelope,
                          address: str, mail_options: list[str]) -> str:
        if address in MAIL_REPLIES:
            return MAIL_REPLIES[address]
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server: SmtpServer, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        if address in RCPT_REPLIES:
            return RCPT_REPLIES[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SmtpServer, session: Session,
                          envelope: Envelope) -> str:
        reply = DATA_REPLIES.get(str(envelope.mail_from))
        if reply is not None:
            return reply
        content = envelope.original_content or b""
        self.received.append(content)
        return "250 2.0.0 OK queued"


def start_submission(handler: ReferenceHandler, context: ssl.SSLContext, *,
                     implicit: bool) -> Controller:
    """An aiosmtpd server: STARTTLS (or TLS from the first byte), AUTH after TLS, AUTH required."""
    # aiosmtpd only counts STARTTLS as TLS: on an implicit-TLS port it would hide AUTH (and
    # warns when AUTH is required without it), so that port neither hides nor requires AUTH.
    kwargs: dict[str, Any] = {
        "authenticator": Accounts(), "auth_require_tls": not implicit,
        "auth_required": not implicit,
    }
    if implicit:
        controller = Controller(handler, hostname=LOOPBACK, port=free_port(),
                                server_hostname=SERVER_NAME, ssl_context=context, **kwargs)
    else:
        controller = Controller(handler, hostname=LOOPBACK, port=free_port(),
                                server_hostname=SERVER_NAME, tls_context=context, **kwargs)
    controller.start()
    return controller


# --- aiosmtpd servers that misbehave on purpose -----------------------------------------

FORGED_AFTER_STARTTLS = "250-forged.test\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 1"
"""Plaintext slipped in after ``220 Ready to start TLS``: an EHLO reply offering AUTH."""


class InjectingSmtp(SmtpServer):
    """aiosmtpd whose 220 to STARTTLS carries forged plaintext lines in the same write.

    What a broken server or a middlebox does in a STARTTLS response injection:
    a client that keeps its read buffer across the handshake reads the forged
    lines as the first reply inside TLS (here: an EHLO offering AUTH that the
    server never offers over TLS, because it has no authenticator).
    """

    async def push(self, status: str | bytes) -> None:
        if isinstance(status, str) and status.startswith("250-AUTH"):
            return  # aiosmtpd announces AUTH even with every mechanism excluded
        if status == "220 Ready to start TLS":
            status = f"{status}\r\n{FORGED_AFTER_STARTTLS}"
        await super().push(status)


class Answers250ToAuth:
    """aiosmtpd authenticator that answers the credentials with 250 instead of 235."""

    def __call__(self, server: SmtpServer, session: Session, envelope: Envelope,
                 mechanism: str, auth_data: Any) -> AuthResult:
        return AuthResult(success=True, auth_data=auth_data,
                          message="250 2.0.0 OK (not an AUTH success reply)")


class _ServerClassController(Controller):
    """aiosmtpd's Controller, building its server from a given SMTP subclass."""

    def __init__(self, server_class: type[SmtpServer], *args: Any, **kwargs: Any):
        self.server_class = server_class
        super().__init__(*args, **kwargs)

    def factory(self) -> SmtpServer:
        return self.server_class(self.handler, **self.SMTP_kwargs)


def start_injecting(context: ssl.SSLContext, address: str = LOOPBACK,
                    port: int | None = None) -> Controller:
    """aiosmtpd with STARTTLS that injects :data:`FORGED_AFTER_STARTTLS`; no AUTH anywhere."""
    controller = _ServerClassController(
        InjectingSmtp, ReferenceHandler(), hostname=address, port=port or free_port(address),
        server_hostname=SERVER_NAME, tls_context=context,
        auth_exclude_mechanism=["LOGIN", "PLAIN"])
    controller.start()
    return controller


def start_auth_250(context: ssl.SSLContext) -> Controller:
    """aiosmtpd with STARTTLS whose AUTH (after TLS) answers the credentials with 250."""
    controller = Controller(ReferenceHandler(), hostname=LOOPBACK, port=free_port(),
                            server_hostname=SERVER_NAME, tls_context=context,
                            authenticator=Answers250ToAuth(), auth_require_tls=True)
    controller.start()
    return controller


# --- scripted servers -------------------------------------------------------------------


@dataclass(frozen=True)
class Script:
    """How a scripted server behaves; the defaults make a plain, polite server."""

    greeting: str | None = "220 scripted.test ESMTP ready"
    """None: accept the connection and never say a word."""
    hang_up_at_connect: bool = False
    ehlo: tuple[str, ...] = ("SIZE 10485760", "8BITMIME", "STARTTLS", "AUTH PLAIN LOGIN")
    replies: Mapping[str, str] = field(default_factory=dict)
    """Verb (MAIL, RCPT, DATA, STARTTLS, AUTH, …) → the reply to send instead of the default."""
    auth_reply: str = "535 Authentication credentials invalid"
    """The answer once credentials were sent."""
    echo_credentials: bool = False
    """Answer the credentials line by quoting it back (a leaky server)."""
    hang_up_on: str | None = None
    """The verb at which to close the connection without answering."""
    starttls: ssl.SSLContext | None = None
    garbage_instead_of_tls: bool = False
    implicit: ssl.SSLContext | None = None


class ScriptedSmtp:
    """The connection handler of one scripted server."""

    def __init__(self, script: Script):
        self.script = script

    async def __call__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
            await self._converse(reader, writer)
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()

    async def _converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        script = self.script
        if script.hang_up_at_connect:
            return
        if script.greeting is None:
            while await reader.read(4096):
                pass
            return
        await self._send(writer, script.greeting)
        secure = script.implicit is not None
        while line := await reader.readline():
            verb = line.decode("utf-8", "replace").strip().split(" ")[0].upper()
            if verb == script.hang_up_on:
                return
            if verb == "QUIT":
                await self._send(writer, "221 Bye")
                return
            if verb in script.replies and verb not in ("EHLO", "HELO"):
                await self._send(writer, script.replies[verb])
                if script.replies[verb].startswith("421"):
                    return
                continue
            if verb in ("EHLO", "HELO"):
                offered = [e for e in script.ehlo if not (secure and e == "STARTTLS")]
                await self._send(writer, "\n".join(["250 scripted.test", *offered]))
            elif verb == "STARTTLS" and "STARTTLS" in script.ehlo and not secure:
                await self._send(writer, "220 Ready to start TLS")
                if script.garbage_instead_of_tls:
                    writer.write(b"this is not a TLS handshake\r\n")
                    await writer.drain()
                    return
                if script.starttls is None:
                    return
                await writer.start_tls(script.starttls)
                secure = True
            elif verb == "AUTH":
                await self._auth(reader, writer)
            elif verb == "DATA":
                await self._send(writer, "354 End data with <CR><LF>.<CR><LF>")
                while await reader.readline() not in (b".\r\n", b".\n", b""):
                    pass
                await self._send(writer, "250 OK queued")
            else:
                await self._send(writer, "250 OK")

    async def _auth(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self._send(writer, "334 ")
        credentials = (await reader.readline()).decode("utf-8", "replace").strip()
        if self.script.echo_credentials:
            await self._send(writer, f"535 5.7.8 Credentials invalid: {credentials}")
        else:
            await self._send(writer, self.script.auth_reply)

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, reply: str) -> None:
        lines = reply.split("\n")
        code = lines[0][:3]
        out = [f"{code}-{text[4:] if i == 0 else text}" for i, text in enumerate(lines[:-1])]
        last = lines[-1] if len(lines) == 1 else f"{code} {lines[-1]}"
        writer.write(("\r\n".join([*out, last]) + "\r\n").encode("utf-8"))
        await writer.drain()


class StubDns(asyncio.DatagramProtocol):
    """A DNS server knowing a few A records; NXDOMAIN for other names, NODATA for other types."""

    def __init__(self, records: Mapping[str, str]):
        self.records = {name.rstrip(".").lower(): address for name, address in records.items()}
        self.transport: Any = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        query = dns.message.from_wire(data)
        response = dns.message.make_response(query)
        question = query.question[0]
        name = question.name.to_text().rstrip(".").lower()
        if name not in self.records:
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif question.rdtype == dns.rdatatype.A:
            response.answer.append(dns.rrset.from_text(question.name, 60, "IN", "A",
                                                       self.records[name]))
        self.transport.sendto(response.to_wire(), addr)


class ServerLoop:
    """One event loop in a daemon thread hosting the scripted servers and the stub DNS."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="smtp-test-servers",
                                       daemon=True)
        self.thread.start()
        self.servers: list[asyncio.AbstractServer] = []
        self.transports: list[asyncio.BaseTransport] = []
        self.sockets: list[socket.socket] = []

    def call(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run ``coro`` on the server loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def scripted(self, script: Script) -> int:
        """Start a scripted server; its port on 127.0.0.1."""
        async def start() -> asyncio.AbstractServer:
            return await asyncio.start_server(ScriptedSmtp(script), LOOPBACK, 0,
                                              ssl=script.implicit)

        server = self.call(start())
        self.servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    def stub_dns(self, records: Mapping[str, str]) -> int:
        """Start the stub DNS server; its UDP port on 127.0.0.1."""
        async def start() -> asyncio.BaseTransport:
            transport, _ = await self.loop.create_datagram_endpoint(
                lambda: StubDns(records), local_addr=(LOOPBACK, 0))
            return transport

        transport = self.call(start())
        self.transports.append(transport)
        return int(transport.get_extra_info("sockname")[1])

    def mute_dns(self) -> int:
        """A UDP port that takes queries and never answers."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((LOOPBACK, 0))
        self.sockets.append(sock)
        return int(sock.getsockname()[1])

    def stop(self) -> None:
        """Close every server and stop the loop."""
        async def close() -> None:
            for server in self.servers:
                server.close()
            for transport in self.transports:
                transport.close()

        self.call(close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        for sock in self.sockets:
            sock.close()


def secret_forms(username: str = USER, password: str = PASSWORD) -> list[str]:
    """Every form in which a password could leak: as is, base64 alone, and the AUTH PLAIN string."""
    def b64(text: str) -> str:
        return base64.b64encode(text.encode("utf-8")).decode("ascii")

    return [password, b64(password), b64(f"\0{username}\0{password}")]


def leaked(result: object, username: str = USER, password: str = PASSWORD) -> list[str]:
    """The secret forms found anywhere in ``result`` (its repr covers summary, evidence, facts)."""
    text = repr(result) + json.dumps(getattr(result, "facts", {}), default=str)
    return [form for form in secret_forms(username, password) if form in text]
