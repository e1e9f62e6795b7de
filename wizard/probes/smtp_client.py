"""A small SMTP client for diagnosis: every reply kept, nothing done behind the caller's back.

General-purpose clients upgrade to TLS on their own and turn replies into
exception types; a diagnosis needs the opposite — the exact reply of each
step, what was offered before TLS, and a clear line between "the peer went
quiet", "the peer hung up" and "the peer said no". Every read is bounded by a
:class:`Deadline`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import ssl
from dataclasses import dataclass

from wizard.probes.base import Deadline

ENHANCED_CODE = re.compile(r"^([245]\.\d{1,3}\.\d{1,3})(?=\s|$)")
MAX_REPLY_LINES = 100
READ_LIMIT = 64 * 1024



class PeerSilent(Exception):
    """The peer sent no (complete) reply before the deadline."""


class PeerClosed(Exception):
    """The peer closed the connection (or reset it) instead of replying."""



@dataclass(frozen=True)
class Reply:
    """One SMTP reply: its code and its text lines (without the code prefix)."""

    code: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """The reply's text, lines joined by a space."""
        return " ".join(line for line in self.lines if line)

    @property
    def enhanced_code(self) -> str | None:
        """The RFC 3463 enhanced status code at the start of the text (e.g. ``5.7.8``), if any."""
        match = ENHANCED_CODE.match(self.lines[0] if self.lines else "")
        return match.group(1) if match else None

    @property
    def text_without_enhanced(self) -> str:
        """The text with a leading enhanced status code removed."""
        code = self.enhanced_code
        return self.text[len(code):].strip() if code else self.text

    def transcript(self) -> list[str]:
        """The reply as the server sent it, each line prefixed with ``S:``."""
        last = len(self.lines) - 1
        return [f"S: {self.code}{' ' if i == last else '-'}{line}"
                for i, line in enumerate(self.lines)]


def parse_reply_line(raw: bytes) -> tuple[int, bool, str] | None:
    """``(code, is_last, text)`` of one reply line, or None when it is not an SMTP reply line."""
    line = raw.decode("utf-8", "replace").rstrip("\r\n")
    if len(line) < 3 or not line[:3].isdigit() or (len(line) > 3 and line[3] not in " -"):
        return None
    return int(line[:3]), len(line) == 3 or line[3] == " ", line[4:]


class SmtpConnection:
    """An open TCP (possibly TLS) connection speaking SMTP, bounded by a :class:`Deadline`."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 deadline: Deadline):
        self.reader = reader
        self.writer = writer
        self.deadline = deadline

    @classmethod
    async def open(cls, address: str, port: int, deadline: Deadline) -> SmtpConnection:
        """Connect to ``address:port``; OSError and TimeoutError propagate to the caller."""
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(address, port, limit=READ_LIMIT), deadline.remaining())
        return cls(reader, writer, deadline)

    @property
    def tls(self) -> ssl.SSLObject | None:
        """The TLS session once one is established."""
        obj = self.writer.get_extra_info("ssl_object")
        return obj if isinstance(obj, ssl.SSLObject) else None

    async def read_reply(self) -> Reply:
        """The next complete reply; raises :class:`PeerSilent` or :class:`PeerClosed`."""
        code = 0
        lines: list[str] = []
        while True:
            try:
                raw = await asyncio.wait_for(self.reader.readline(), self.deadline.remaining())
            except TimeoutError as exc:
                raise PeerSilent("no reply before the deadline") from exc
            except (ConnectionError, ssl.SSLError, asyncio.LimitOverrunError, ValueError) as exc:
                raise PeerClosed(f"connection lost: {exc}") from exc
            if not raw:
                raise PeerClosed("the server closed the connection")
            parsed = parse_reply_line(raw)
            if parsed is None:
                raise PeerClosed(f"not an SMTP reply: {raw[:80]!r}")
            code, is_last, text = parsed
            lines.append(text)
            if is_last or len(lines) >= MAX_REPLY_LINES:
                return Reply(code, tuple(lines))

    async def send(self, line: str) -> None:
        """Send one command line (CRLF added); a broken pipe becomes :class:`PeerClosed`."""
        try:
            self.writer.write(line.encode("utf-8") + b"\r\n")
            await asyncio.wait_for(self.writer.drain(), self.deadline.remaining())
        except TimeoutError as exc:
            raise PeerSilent("the server stopped reading") from exc
        except (ConnectionError, ssl.SSLError) as exc:
            raise PeerClosed(f"connection lost: {exc}") from exc

    async def send_data(self, data: bytes) -> None:
        """Send raw bytes (a dot-stuffed message body ending in ``.\\r\\n``)."""
        try:
            self.writer.write(data)
            await asyncio.wait_for(self.writer.drain(), self.deadline.remaining())
        except TimeoutError as exc:
            raise PeerSilent("the server stopped reading") from exc
        except (ConnectionError, ssl.SSLError) as exc:
            raise PeerClosed(f"connection lost: {exc}") from exc

    async def start_tls(self, context: ssl.SSLContext, server_name: str) -> None:
        """Upgrade to TLS; ``ssl.SSLError``, ``ConnectionError`` and ``TimeoutError`` propagate."""
        left = max(self.deadline.remaining(), 0.001)
        await asyncio.wait_for(
            self.writer.start_tls(context, server_hostname=server_name,
                                  ssl_handshake_timeout=left),
            left)

    async def close(self, polite: bool = True) -> None:
        """Send QUIT (without waiting for its answer) and close, bounded by a second."""
        with contextlib.suppress(Exception):
            if polite and not self.writer.is_closing():
                self.writer.write(b"QUIT\r\n")
        self.writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.writer.wait_closed(),
                                   max(0.05, min(1.0, self.deadline.remaining())))
