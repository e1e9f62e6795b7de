"""A real HTTPS server on loopback that speaks the OCI Email Delivery REST API the wizard uses.

It serves the control plane (``/20170907``: configuration, emailDomains, dkims, senders,
suppressions) and the submission data plane (``/20220926/actions/submitEmail``) with JSON
shaped as the ``oci`` SDK's models expect, over TLS with a trustme certificate. Every request's
OCI HTTP signature (draft-cavage: ``keyId`` ``tenancy/user/fingerprint``, headers ``date
(request-target) host`` plus ``content-length content-type x-content-sha256`` for bodies) is
verified with the test key's public key, independently of the SDK's own code: a bad signature,
an unknown key id, a body that does not match its hash or a date more than five minutes off is
a 401, as at the real service.

Scenario knobs (:attr:`OciApiServer.mode`): ``no_policy`` (404 on every call, as for a user
without a policy), ``throttled`` (429), ``server_error`` (500), ``silent`` (accepts and never
answers); :attr:`OciApiServer.mode_from` lets the first requests pass before the mode bites
(a failure in the middle of a listing); :attr:`OciApiServer.failing` gives one resource a
mode's answer (every request naming its OCID in the path or the query: one email domain's
DKIM listing, one DKIM key; not ``silent``), the rest answering normally. State is kept, so
a DELETE or POST is visible to the next read; every request's method and path are
recorded in :attr:`OciApiServer.requests`.

The list calls of email domains and DKIMs are paginated as the service does: at most
``limit`` (else :attr:`OciApiServer.page_size`) items a page, the next page's token in the
``opc-next-page`` header, passed back as ``page``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import ssl
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import trustme
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

TENANCY = "ocid1.tenancy.oc1..aaaatesttenancy"
USER = "ocid1.user.oc1..aaaatestuser"
CONTROL = "/20170907"
DATA = "/20220926"
NOW = "2026-01-05T10:00:00.000Z"
_SIG_FIELD = re.compile(r'(\w+)="([^"]*)"')


def fingerprint(key: rsa.RSAPrivateKey) -> str:
    """The OCI fingerprint of a key: MD5 of the public key's DER, colon-separated hex."""
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashlib.md5(der, usedforsecurity=False).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))


def new_key() -> rsa.RSAPrivateKey:
    """A fresh 2048-bit RSA key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: rsa.RSAPrivateKey, passphrase: str | None = None) -> bytes:
    """The private key as PEM (PKCS#8), encrypted when ``passphrase`` is given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode()) if passphrase
        else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             encryption)


@dataclass
class ApiState:
    """What the tenancy holds: email domains, DKIMs, senders, suppressions."""

    domains: dict[str, dict[str, Any]] = field(default_factory=dict)
    dkims: dict[str, dict[str, Any]] = field(default_factory=dict)
    senders: dict[str, dict[str, Any]] = field(default_factory=dict)
    suppressions: dict[str, dict[str, Any]] = field(default_factory=dict)
    submitted: list[dict[str, Any]] = field(default_factory=list)
    smtp_endpoint: str = "smtp.email.us-ashburn-1.oci.oraclecloud.com"
    """What the email configuration names as the SMTP endpoint."""

    def add_domain(self, name: str, compartment: str = TENANCY, *, is_spf: bool = False,
                   state: str = "ACTIVE") -> str:
        """An email domain; returns its OCID."""
        ocid = f"ocid1.emaildomain.oc1..{name.replace('.', '-')}"
        self.domains[ocid] = {
            "name": name, "id": ocid, "compartmentId": compartment, "lifecycleState": state,
            "activeDkimId": None, "isSpf": is_spf, "description": None, "timeCreated": NOW,
            "freeformTags": {}, "definedTags": {}}
        return ocid

    def add_dkim(self, domain_id: str, selector: str, *, state: str = "ACTIVE",
                 details: str | None = None, cname: str | None = None,
                 active: bool = True) -> str:
        """A DKIM key of the email domain; returns its OCID."""
        domain = self.domains[domain_id]
        ocid = f"ocid1.emaildkim.oc1..{selector}"
        self.dkims[ocid] = {
            "name": selector, "id": ocid, "emailDomainId": domain_id,
            "compartmentId": domain["compartmentId"], "lifecycleState": state,
            "lifecycleDetails": details, "timeCreated": NOW, "timeUpdated": NOW,
            "dnsSubdomainName": f"{selector}._domainkey.{domain['name']}",
            "cnameRecordValue": cname or
            f"{selector}.{domain['name']}.dkim.iad1.oracleemaildelivery.com",
            "txtRecordValue": None, "isImported": False, "keyLength": 2048,
            "freeformTags": {}, "definedTags": {}}
        if active:
            domain["activeDkimId"] = ocid
        return ocid

    def add_sender(self, address: str, compartment: str = TENANCY,
                   state: str = "ACTIVE") -> str:
        """An approved sender; returns its OCID."""
        ocid = f"ocid1.emailsender.oc1..{uuid.uuid4().hex[:12]}"
        self.senders[ocid] = {"compartmentId": compartment, "emailAddress": address,
                              "id": ocid, "isSpf": False, "lifecycleState": state,
                              "timeCreated": NOW, "freeformTags": {}, "definedTags": {}}
        return ocid

    def add_suppression(self, address: str, reason: str = "HARDBOUNCE") -> str:
        """A recipient on the suppression list; returns its OCID."""
        ocid = f"ocid1.emailsuppression.oc1..{uuid.uuid4().hex[:12]}"
        self.suppressions[ocid] = {"compartmentId": TENANCY, "emailAddress": address,
                                   "id": ocid, "reason": reason, "timeCreated": NOW}
        return ocid


class OciApiServer:
    """The HTTPS server, its certificate authority, the accepted key and the scenario."""

    def __init__(self, key: rsa.RSAPrivateKey, ca: trustme.CA | None = None) -> None:
        self.ca = ca or trustme.CA()
        self.key_ids = {f"{TENANCY}/{USER}/{fingerprint(key)}": key.public_key()}
        self.state = ApiState()
        self.mode: str | None = None
        self.mode_from = 0
        """How many requests are answered normally before :attr:`mode` applies."""
        self.failing: dict[str, str] = {}
        """OCID -> mode (as :attr:`mode`) for the requests that name that resource."""
        self.page_size = 100
        """Items a page of a paginated list holds when the request gives no ``limit``."""
        self.requests: list[tuple[str, str]] = []
        self.rejections: list[str] = []
        self._release = threading.Event()
        cert = self.ca.issue_cert("127.0.0.1", "localhost")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.httpd.daemon_threads = True
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL (no version path)."""
        return f"https://127.0.0.1:{self.httpd.server_address[1]}"

    def write_ca(self, path: Path) -> Path:
        """Write the CA certificate a client must trust to ``path``."""
        self.ca.cert_pem.write_to_path(str(path))
        return path

    def start(self) -> OciApiServer:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release requests held by the silent mode."""
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def methods(self) -> set[str]:
        """The HTTP methods received so far."""
        return {method for method, _ in self.requests}

    # --- signature ------------------------------------------------------------------------

    def verify(self, method: str, target: str, headers: dict[str, str], body: bytes) -> str:
        """Why the request's signature is not acceptable ("" when it is)."""
        auth = headers.get("authorization", "")
        if not auth.startswith("Signature "):
            return "no Signature authorization"
        fields = dict(_SIG_FIELD.findall(auth))
        public = self.key_ids.get(fields.get("keyId", ""))
        if public is None:
            return f"unknown keyId {fields.get('keyId')}"
        if fields.get("algorithm") != "rsa-sha256" or fields.get("version") != "1":
            return "unsupported algorithm or version"
        signed = fields.get("headers", "").split()
        needed = ["date", "(request-target)", "host"]
        if method in ("POST", "PUT", "PATCH"):
            needed += ["content-length", "content-type", "x-content-sha256"]
            digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
            if headers.get("x-content-sha256") != digest:
                return "x-content-sha256 does not match the body"
            if headers.get("content-length") != str(len(body)):
                return "content-length does not match the body"
        if any(name not in signed for name in needed):
            return f"signed headers {signed} lack some of {needed}"
        lines = []
        for name in signed:
            if name == "(request-target)":
                lines.append(f"(request-target): {method.lower()} {target}")
            elif name in headers:
                lines.append(f"{name}: {headers[name]}")
            else:
                return f"signed header {name} missing"
        try:
            date = parsedate_to_datetime(headers["date"])
        except (KeyError, TypeError, ValueError):
            return "no valid date header"
        if abs((datetime.now(UTC) - date).total_seconds()) > 300:
            return "date more than 5 minutes off"
        try:
            public.verify(base64.b64decode(fields.get("signature", "")),
                          "\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
        except Exception:
            return "signature does not verify"
        return ""

    # --- the API --------------------------------------------------------------------------

    def mode_now(self) -> str | None:
        """The scenario for the request just recorded (None before :attr:`mode_from`)."""
        return self.mode if len(self.requests) > self.mode_from else None

    def _paged(self, items: list[dict[str, Any]], query: dict[str, str]) -> tuple[int, Any]:
        """The page of ``items`` the query's ``page`` and ``limit`` ask for."""
        try:
            start = int(query.get("page", "p0").removeprefix("p"))
            size = int(query.get("limit", self.page_size))
        except ValueError:
            return 400, _error("InvalidParameter", "bad page or limit")
        end = start + max(size, 1)
        return 200, Paged(items[start:end], f"p{end}" if end < len(items) else None)

    def answer(self, method: str, path: str, query: dict[str, str],
               body: bytes) -> tuple[int, Any]:
        """Status and JSON for one verified request (a :class:`Paged` for a list's page)."""
        mode = self.mode_now() or next(
            (failing for ocid, failing in self.failing.items()
             if ocid in path.split("/") or ocid in query.values()), None)
        if mode == "no_policy":
            return 404, _error("NotAuthorizedOrNotFound",
                               "Authorization failed or requested resource not found.")
        if mode == "throttled":
            return 429, _error("TooManyRequests", "Too many requests for the user")
        if mode == "server_error":
            return 500, _error("InternalServerError", "Internal error")
        state = self.state
        if method == "GET" and path == f"{CONTROL}/configuration":
            return 200, {"compartmentId": query.get("compartmentId"),
                         "httpSubmitEndpoint": "https://cell0.submit.email.us-ashburn-1"
                                               ".oci.oraclecloud.com",
                         "smtpSubmitEndpoint": state.smtp_endpoint}
        if method == "GET" and path == f"{CONTROL}/emailDomains":
            items = [d for d in state.domains.values()
                     if d["compartmentId"] == query.get("compartmentId")
                     and d["name"] == query.get("name", d["name"])]
            return self._paged([_summary(d, "isSpf") for d in items], query)
        match = re.fullmatch(rf"{CONTROL}/(emailDomains|dkims|senders|suppressions)/([^/]+)",
                             path)
        table = {"emailDomains": state.domains, "dkims": state.dkims, "senders": state.senders,
                 "suppressions": state.suppressions}
        if match and method == "GET":
            item = table[match.group(1)].get(match.group(2))
            if item is None:
                return 404, _error("NotAuthorizedOrNotFound", "not found")
            return 200, item
        if match and method == "DELETE":
            if table[match.group(1)].pop(match.group(2), None) is None:
                return 404, _error("NotAuthorizedOrNotFound", "not found")
            return 204, None
        if method == "GET" and path == f"{CONTROL}/dkims":
            items = [k for k in state.dkims.values()
                     if k["emailDomainId"] == query.get("emailDomainId")
                     and k["name"] == query.get("name", k["name"])]
            return self._paged([_summary(k, "lifecycleDetails", "dnsSubdomainName",
                                         "cnameRecordValue", "txtRecordValue")
                                for k in items], query)
        if method == "GET" and path == f"{CONTROL}/senders":
            return 200, [_summary(s, "isSpf") for s in state.senders.values()
                         if s["compartmentId"] == query.get("compartmentId")
                         and s["emailAddress"].lower()
                         == query.get("emailAddress", s["emailAddress"]).lower()]
        if method == "POST" and path == f"{CONTROL}/senders":
            details = json.loads(body)
            ocid = state.add_sender(details["emailAddress"], details["compartmentId"])
            return 200, state.senders[ocid]
        if method == "GET" and path == f"{CONTROL}/suppressions":
            if query.get("compartmentId") != TENANCY:
                return 400, _error("InvalidParameter", "compartmentId must be a tenancy")
            address = query.get("emailAddress", "").lower()
            return 200, [s for s in state.suppressions.values()
                         if not address or s["emailAddress"].lower() == address]
        if method == "POST" and path == f"{DATA}/actions/submitEmail":
            details = json.loads(body)
            sender = details["sender"]
            to = [a["email"] for a in details["recipients"].get("to") or []]
            bad = [a for a in to if "@" not in a or a.endswith(("@", ".invalid"))]
            if bad:
                return 400, _error("InvalidParameter", f"Invalid Internet Address : {bad[0]}")
            if not any(s["emailAddress"].lower() == sender["senderAddress"]["email"].lower()
                       and s["compartmentId"] == sender["compartmentId"]
                       for s in state.senders.values()):
                return 404, _error("NotAuthorizedOrNotFound", "sender not approved")
            state.submitted.append(details)
            listed = {s["emailAddress"].lower() for s in state.suppressions.values()}
            return 200, {"messageId": f"<{uuid.uuid4().hex}@test>", "envelopeId": "env1",
                         "suppressedRecipients": [{"email": a} for a in to
                                                  if a.lower() in listed]}
        return 404, _error("NotAuthorizedOrNotFound", f"no route {method} {path}")


@dataclass(frozen=True)
class Paged:
    """One page of a list: its items, and the token of the next page (None: the last)."""

    items: list[dict[str, Any]]
    next_page: str | None


def _summary(item: dict[str, Any], *drop: str) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in drop}


def _error(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def _handler_for(server: OciApiServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read :attr:`OciApiServer.requests` instead."""

        def _handle(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            split = urlsplit(self.path)
            server.requests.append((self.command, split.path))
            if server.mode_now() == "silent":
                server._release.wait(30)
                self.close_connection = True
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            problem = server.verify(self.command, self.path, headers, body)
            if problem:
                server.rejections.append(problem)
                status, payload = 401, _error("NotAuthenticated",
                                              "The required information to complete "
                                              "authentication was not provided or was "
                                              "incorrect.")
            else:
                query = {k: v[0] for k, v in parse_qs(split.query).items()}
                status, payload = server.answer(self.command, split.path, query, body)
            extra: dict[str, str] = {}
            if isinstance(payload, Paged):
                if payload.next_page:
                    extra["opc-next-page"] = payload.next_page
                payload = {"items": payload.items}
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.send_header("opc-request-id", uuid.uuid4().hex.upper())
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = do_PUT = _handle

    return Handler
