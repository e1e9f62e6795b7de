"""One UDP endpoint per DNS server for a whole scan: a thin adapter on dnspython.

``dns.asyncquery.udp`` opens, registers and closes a socket for every query;
over thousands of domains that bookkeeping costs as much CPU as the DNS
messages themselves. :class:`UdpEndpoints` keeps one connected UDP socket per
server for as long as a scan runs, sends each
query's wire (built by dnspython) on it, and hands every datagram that comes
back to the query it answers: same message id and ``query.is_response(reply)``
(dnspython's check of id, opcode and question). A datagram that answers no
query in flight (an unknown id, another question, not DNS at all) is ignored,
so a lost reply is a timeout, as with dnspython. A truncated reply is asked
again over TCP with ``dns.asyncquery.tcp``. An ICMP error on the socket (port
unreachable) cannot be told apart by query: it fails the queries in flight to that
server only when nothing at all arrives from it within :data:`ICMP_GRACE` seconds
after (a dead server fails fast; one restarting answers what it received, and a query
lost meanwhile is a timeout).

Message ids are random (dnspython's) and never reused while in flight on one
endpoint; the socket is connected, so the kernel drops datagrams from any
other address; and each socket serves at most ``queries_per_socket`` queries
before a new one (a new source port) takes over. At most ``max_endpoints`` sockets
stay open: the server asked least recently gives its socket up (once its last reply
is in), so a scan that asks thousands of authoritative servers never runs out of
file descriptors. Only ``scan`` uses endpoints
(through :func:`use_udp_endpoints`); a single-domain ``run`` asks with a fresh
socket per query.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
from collections import OrderedDict
from contextvars import ContextVar

import dns.asyncquery
import dns.exception
import dns.flags
import dns.inet
import dns.message
import dns.name

from wizard.probes.base import Nameserver

EDNS = dns.message.make_query(dns.name.root, "SOA", use_edns=0, payload=1232)
"""A query whose EDNS record (version 0, 1,232-byte payload) every query of the wizard shares."""

_TEMPLATES: dict[tuple[int, int, int], tuple[bytes, bytes]] = {}


def query_wire(query: dns.message.Message) -> bytes:
    """``query.to_wire()``, the same bytes, for less: a query shaped as the wizard's are
    (one question, no other records, :data:`EDNS`'s record) is dnspython's wire of the same
    query for the root name, with the id and the name (``Name.to_wire``) put in.

    Nothing in such a query can point back at the name (the EDNS record's owner is the
    root), so the name is never compressed and the splice is exact; any other query is
    rendered by ``to_wire``.
    """
    if (query.opt is not EDNS.opt or len(query.question) != 1 or query.answer
            or query.authority or query.additional or query.tsig is not None or query.pad):
        return query.to_wire()
    question = query.question[0]
    key = (int(question.rdtype), int(question.rdclass), int(query.flags))
    template = _TEMPLATES.get(key)
    if template is None:
        root = dns.message.make_query(dns.name.root, question.rdtype, question.rdclass)
        root.flags = query.flags
        root.opt = EDNS.opt
        root.request_payload = EDNS.request_payload
        wire = root.to_wire()
        template = _TEMPLATES[key] = (wire[2:12], wire[13:])
    name = question.name.to_wire() or b""
    return query.id.to_bytes(2, "big") + template[0] + name + template[1]

ICMP_GRACE = 0.5
"""Seconds after an ICMP error in which any datagram from the server shows it is alive."""

RECEIVE_BUFFER = 1 << 20
"""Bytes of socket receive buffer asked for (the kernel may cap it): replies to many queries
in flight can arrive while the event loop is busy."""


class _Endpoint:
    """One connected, non-blocking UDP socket to one server, and the queries waiting on it.

    Whenever the socket is readable every datagram queued on it is read (not one per
    turn of the event loop), so that a busy loop does not let the kernel drop replies.
    """

    def __init__(self, server: Nameserver, loop: asyncio.AbstractEventLoop):
        family = dns.inet.af_for_address(server.address)
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            self.sock.setblocking(False)
            with contextlib.suppress(OSError):
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
            self.sock.connect((server.address, server.port))
        except OSError:
            self.sock.close()
            raise
        self.loop = loop
        self.sent = 0
        self.received = 0
        """Datagrams read (any, answering a query or not): a sign of life after an error."""
        self.error: OSError | None = None
        """The socket's last ICMP error, while its grace period runs."""
        self.waiting: dict[int, tuple[dns.message.Message, asyncio.Future[dns.message.Message]]]
        self.waiting = {}
        loop.add_reader(self.sock.fileno(), self._readable)

    def _readable(self) -> None:
        while True:
            try:
                data = self.sock.recv(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # an ICMP error (port unreachable), for some query
                if self.error is None:
                    self.loop.call_later(ICMP_GRACE, self._after_error, self.received)
                self.error = exc
                return
            self.received += 1
            self._received(data)

    def _after_error(self, received_before: int) -> None:
        """Nothing came from the server since its ICMP error: fail what waits on it."""
        error, self.error = self.error, None
        if error is None or self.received != received_before or self.sock.fileno() == -1:
            return
        for query_id in list(self.waiting):
            self._settle(query_id, error)

    def _received(self, data: bytes) -> None:
        if len(data) < 2:
            return
        entry = self.waiting.get(int.from_bytes(data[:2], "big"))
        if entry is None:
            return
        query = entry[0]
        try:
            reply = dns.message.from_wire(data, raise_on_truncation=True)
        except dns.message.Truncated as exc:
            partial: dns.message.Message | None = exc.kwargs.get("message")
            if partial is not None and query.is_response(partial):
                self._settle(query.id, exc)
            return
        except Exception:  # not a DNS reply to this query: wait on
            return
        if query.is_response(reply):
            self._settle(query.id, reply)

    def _settle(self, query_id: int, outcome: dns.message.Message | Exception) -> None:
        _, future = self.waiting.pop(query_id)
        if future.done():
            return
        if isinstance(outcome, Exception):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)

    async def send(self, wire: bytes) -> None:
        """Send one datagram (waiting for room when the send buffer is full)."""
        try:
            self.sock.send(wire)
        except (BlockingIOError, InterruptedError):
            await self.loop.sock_sendall(self.sock, wire)

    def close(self) -> None:
        """Stop reading, close the socket, fail the queries still waiting (once)."""
        if self.sock.fileno() == -1:
            return
        self.loop.remove_reader(self.sock.fileno())
        self.sock.close()
        for query_id in list(self.waiting):
            self._settle(query_id, ConnectionResetError("the UDP endpoint was closed"))


class UdpEndpoints:
    """One UDP endpoint per server (opened on first use, in one event loop) until :meth:`close`.

    :meth:`query` has the contract of ``dns.asyncquery.udp_with_fallback`` as
    the resolver uses it: the reply, or ``dns.exception.Timeout`` when none
    answers in time, or the ``OSError`` the socket reported.
    """

    def __init__(self, queries_per_socket: int = 1000, max_endpoints: int = 128) -> None:
        self.queries_per_socket = queries_per_socket
        """After this many queries a server's socket is retired (closed once its last reply
        is in) and the next query opens a new one, so the source port changes now and then."""
        self.max_endpoints = max_endpoints
        """Servers with a socket of their own at once; the least recently asked gives way."""
        self._endpoints: OrderedDict[Nameserver, _Endpoint] = OrderedDict()
        self._retired: set[_Endpoint] = set()
        self.sent = 0

    def _retire(self, endpoint: _Endpoint) -> None:
        """Close ``endpoint`` now, or once the replies it waits for are in."""
        if endpoint.waiting:
            self._retired.add(endpoint)
        else:
            endpoint.close()

    def _endpoint(self, server: Nameserver) -> _Endpoint:
        endpoint = self._endpoints.get(server)
        if endpoint is not None and endpoint.sent >= self.queries_per_socket:
            del self._endpoints[server]
            self._retire(endpoint)
            endpoint = None
        if endpoint is None:
            while len(self._endpoints) >= self.max_endpoints:
                _, oldest = self._endpoints.popitem(last=False)
                self._retire(oldest)
            endpoint = _Endpoint(server, asyncio.get_running_loop())
            self._endpoints[server] = endpoint
        else:
            self._endpoints.move_to_end(server)
        return endpoint

    @property
    def open_sockets(self) -> int:
        """How many sockets are open: one per server asked, and retired ones still waiting."""
        return len(self._endpoints) + len(self._retired)

    async def query(self, query: dns.message.Message, server: Nameserver,
                    timeout: float) -> dns.message.Message:
        """Send ``query`` to ``server`` and wait at most ``timeout`` seconds for its reply."""
        endpoint = self._endpoint(server)
        while query.id in endpoint.waiting:
            query.id = random.getrandbits(16)
        future: asyncio.Future[dns.message.Message] = endpoint.loop.create_future()
        endpoint.waiting[query.id] = (query, future)
        try:
            async with asyncio.timeout(timeout):
                try:
                    endpoint.sent += 1
                    await endpoint.send(query_wire(query))
                    self.sent += 1
                    return await future
                except dns.message.Truncated:
                    pass
                finally:
                    if endpoint.waiting.get(query.id, (None, None))[1] is future:
                        del endpoint.waiting[query.id]
                    if not endpoint.waiting and endpoint in self._retired:
                        self._retired.discard(endpoint)
                        endpoint.close()
                return await dns.asyncquery.tcp(query, server.address, timeout=None,
                                                port=server.port)
        except TimeoutError:
            raise dns.exception.Timeout from None

    def close(self) -> None:
        """Close every endpoint (queries still waiting fail)."""
        for endpoint in [*self._endpoints.values(), *self._retired]:
            endpoint.close()
        self._endpoints.clear()
        self._retired.clear()


_ENDPOINTS: ContextVar[UdpEndpoints | None] = ContextVar("wizard_udp_endpoints", default=None)


def use_udp_endpoints(endpoints: UdpEndpoints | None) -> None:
    """Let every DNS exchange in the current context share ``endpoints`` (as ``scan`` does)."""
    _ENDPOINTS.set(endpoints)


def current_udp_endpoints() -> UdpEndpoints | None:
    """The endpoints installed for this context, if any."""
    return _ENDPOINTS.get()
