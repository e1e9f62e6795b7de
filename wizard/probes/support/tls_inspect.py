"""TLS for the probes: the verifying context, the inspecting one, and a certificate told in words.

Verification is on by default against the system's trust store, plus the
context's ``ca_file``. When it fails, a second, inspecting handshake (no
verification, legacy protocol versions allowed) tells what the server
actually offers: its TLS version, cipher and certificate.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import os
import ssl
import warnings
from datetime import UTC, datetime
from typing import Any

from wizard.probes.base import FactSpec, FactValue, ProbeContext, always

MODERN_VERSIONS = ("TLSv1.2", "TLSv1.3")

VERIFY_REASONS: dict[int, str] = {
    62: "hostname_mismatch",  # X509_V_ERR_HOSTNAME_MISMATCH
    64: "hostname_mismatch",  # X509_V_ERR_IP_ADDRESS_MISMATCH
    10: "expired",  # X509_V_ERR_CERT_HAS_EXPIRED
    9: "not_yet_valid",  # X509_V_ERR_CERT_NOT_YET_VALID
    18: "self_signed",  # X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
    19: "self_signed",  # X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
    20: "unknown_ca",  # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    2: "unknown_ca",  # X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT
    21: "unknown_ca",  # X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE
}

REASON_WORDS: dict[str, str] = {
    "hostname_mismatch": "the certificate is for another name",
    "expired": "the certificate has expired",
    "not_yet_valid": "the certificate is not valid yet",
    "self_signed": "the certificate is self-signed",
    "unknown_ca": "the certificate is signed by an authority this machine does not trust",
    "other": "the certificate could not be verified",
}


def tls_facts() -> dict[str, FactSpec]:
    """The TLS facts the TLS-capable probes publish (None until a handshake tells them)."""
    return {
        "tls_version": always("negotiated protocol version, e.g. TLSv1.3"),
        "tls_cipher": always("negotiated cipher suite"),
        "cert_subject": always("the server certificate's subject (RFC 4514)"),
        "cert_issuer": always("its issuer"),
        "cert_sans": always("its DNS names and IP addresses"),
        "cert_not_after": always("its expiry, ISO 8601 UTC"),
        "cert_verified": always("True: trusted and matching the name; False: not; None: unchecked"),
        "cert_problem": always("hostname_mismatch, expired, not_yet_valid, self_signed, "
                               "unknown_ca, other — or None"),
        "cert_problem_text": always("the verifier's own words"),
    }


def empty_tls_facts() -> dict[str, FactValue]:
    """Every TLS fact, unknown."""
    return dict.fromkeys(tls_facts())


STORE_DEPENDENT = frozenset({"unknown_ca", "self_signed", "other"})
"""Certificate problems another set of trusted roots could decide differently; a verdict
reached with the quick store (:func:`verifying_context`) is confirmed with the whole one."""


def verifying_context(ctx: ProbeContext, *, quick: bool = False) -> ssl.SSLContext:
    """TLS 1.2 or later, certificate and name checked, system trust plus ``ctx.ca_file``.

    Built once per CA file (and system trust location) and shared. ``quick``
    asks for the system trust store as its hashed folder (``/etc/ssl/certs``),
    whose certificates OpenSSL reads one by one as a chain needs them, instead
    of parsing the whole bundle file (about 140 certificates; the largest
    single cost of a ``run`` that checks TLS). The two hold the same roots only
    where the bundle file lives in that folder (Debian, Ubuntu, Alpine:
    ``update-ca-certificates`` writes both); elsewhere — or with
    ``SSL_CERT_FILE``/``SSL_CERT_DIR`` pointing apart — the quick context is the
    whole one. A failure the store decides (:data:`STORE_DEPENDENT`) must be
    confirmed with the whole store (``quick=False``): see :func:`is_quick`.
    """
    paths = ssl.get_default_verify_paths()
    quick = quick and _hashed_folder_holds_the_bundle(paths)
    ca = ctx.ca_file
    try:
        stamp = os.stat(ca) if ca else None
    except OSError:
        stamp = None
    version = (stamp.st_mtime_ns, stamp.st_size) if stamp is not None else None
    return _context(ca, version, paths.cafile, paths.capath, quick,
                    os.environ.get("SSLKEYLOGFILE"))


def is_quick(context: ssl.SSLContext) -> bool:
    """True for a context made with ``quick=True`` that does not hold the whole store."""
    return getattr(context, "_wizard_quick", False) is True


def _hashed_folder_holds_the_bundle(paths: ssl.DefaultVerifyPaths) -> bool:
    """The bundle file lives in the hashed folder, as ``update-ca-certificates`` writes them."""
    if not paths.cafile or not paths.capath or not os.path.isdir(paths.capath):
        return False
    return os.path.realpath(os.path.dirname(paths.cafile)) == os.path.realpath(paths.capath)


@functools.lru_cache(maxsize=16)
def _context(ca_file: str | None, ca_version: tuple[int, int] | None, cafile: str | None,
             capath: str | None, quick: bool, keylog: str | None) -> ssl.SSLContext:
    del ca_version, cafile, keylog  # part of the cache key only
    if quick:  # the default context's settings, with the hashed folder as its only roots
        context = ssl.create_default_context(capath=capath)
        context._wizard_quick = True  # type: ignore[attr-defined]
    else:
        context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


def inspecting_context() -> ssl.SSLContext:
    """No verification, any protocol version down to TLS 1.0: only to see what a server offers."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("ALL:@SECLEVEL=0")
    return context


def verify_problem(exc: ssl.SSLCertVerificationError) -> tuple[str, str]:
    """``(reason, verifier's message)`` of a failed certificate verification."""
    code = int(exc.verify_code or 0)
    return VERIFY_REASONS.get(code, "other"), str(exc.verify_message or exc.reason or exc)


def session_facts(tls: ssl.SSLObject) -> dict[str, FactValue]:
    """Version, cipher and certificate of an established TLS session.

    A verified session's certificate is told from what the ssl module already
    decoded (:func:`describe_verified`), which spares importing ``cryptography``
    (tens of milliseconds); a certificate it cannot tell exactly as
    :func:`describe_der` would, and an unverified session's, go through
    :func:`describe_der`.
    """
    cipher = tls.cipher()
    facts: dict[str, FactValue] = {
        "tls_version": tls.version(),
        "tls_cipher": cipher[0] if cipher else None,
    }
    decoded = tls.getpeercert()
    described = describe_verified(decoded) if decoded else None
    if described is None:
        der = tls.getpeercert(binary_form=True)
        described = describe_der(der) if der else None
    facts.update(described if described is not None else describe_decoded(decoded))
    return facts


RFC4514_KEYS: dict[str, str] = {
    "commonName": "CN", "localityName": "L", "stateOrProvinceName": "ST",
    "organizationName": "O", "organizationalUnitName": "OU", "countryName": "C",
    "streetAddress": "STREET", "domainComponent": "DC", "userId": "UID",
    "emailAddress": "1.2.840.113549.1.9.1", "serialNumber": "2.5.4.5",
}
"""OpenSSL's long attribute names and their RFC 4514 keys as ``cryptography`` writes them
(short names for the nine it knows, the dotted OID for others)."""


def _rfc4514_value(value: str) -> str:
    """An attribute value escaped as RFC 4514 section 2.4 (and ``cryptography``) do."""
    if not value:
        return ""
    for char in ("\\", '"', "+", ",", ";", "<", ">"):
        value = value.replace(char, "\\" + char)
    value = value.replace("\0", "\\00")
    if value[0] == "#" or (value[0] == " " and len(value) > 1):
        value = "\\" + value
    if value[-1] == " ":
        value = value[:-1] + "\\ "
    return value


def _rfc4514(rdns: Any) -> str | None:
    """The name in RFC 4514 form, last RDN first; None for what only ``cryptography`` tells."""
    parts: list[str] = []
    for rdn in reversed(rdns):
        if len(rdn) != 1:
            return None
        ((name, value),) = rdn
        key = RFC4514_KEYS.get(name)
        if key is None or not isinstance(value, str):
            return None
        parts.append(f"{key}={_rfc4514_value(value)}")
    return ",".join(parts)


def describe_verified(cert: dict[str, Any]) -> dict[str, FactValue] | None:
    """:func:`describe_der`'s facts from a verified session's decoded certificate.

    None when the certificate holds anything this cannot tell exactly as
    :func:`describe_der` does (another attribute, a multi-valued RDN, an
    address that does not parse, no expiry).
    """
    subject = _rfc4514(cert.get("subject", ()))
    issuer = _rfc4514(cert.get("issuer", ()))
    expiry = cert.get("notAfter")
    if subject is None or issuer is None or not isinstance(expiry, str):
        return None
    names: list[str] = []
    addresses: list[str] = []
    for kind, value in cert.get("subjectAltName", ()):
        if kind == "DNS":
            names.append(value)
        elif kind == "IP Address":
            try:
                addresses.append(str(ipaddress.ip_address(value.strip())))
            except ValueError:
                return None
    return {"cert_subject": subject, "cert_issuer": issuer, "cert_sans": names + addresses,
            "cert_not_after": _iso(ssl.cert_time_to_seconds(expiry))}


def describe_der(der: bytes) -> dict[str, FactValue] | None:
    """Subject, issuer, SANs and expiry of a DER certificate (None without ``cryptography``)."""
    try:
        from cryptography import x509
    except ImportError:
        return None
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return None
    sans: list[str] = []
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        pass
    else:
        sans.extend(ext.get_values_for_type(x509.DNSName))
        sans.extend(str(ip) for ip in ext.get_values_for_type(x509.IPAddress))
    return {
        "cert_subject": cert.subject.rfc4514_string(),
        "cert_issuer": cert.issuer.rfc4514_string(),
        "cert_sans": sans,
        "cert_not_after": cert.not_valid_after_utc.isoformat(),
    }


def describe_decoded(cert: dict[str, Any] | None) -> dict[str, FactValue]:
    """The same facts from :meth:`ssl.SSLObject.getpeercert` (only filled after verification)."""
    if not cert:
        return {"cert_subject": None, "cert_issuer": None, "cert_sans": None,
                "cert_not_after": None}

    def name(rdns: Any) -> str:
        return ",".join(f"{k}={v}" for rdn in reversed(rdns) for k, v in rdn)

    expiry = cert.get("notAfter")
    return {
        "cert_subject": name(cert.get("subject", ())),
        "cert_issuer": name(cert.get("issuer", ())),
        "cert_sans": [_san(kind, value) for kind, value in cert.get("subjectAltName", ())],
        "cert_not_after": (
            _iso(ssl.cert_time_to_seconds(expiry)) if isinstance(expiry, str) else None),
    }


def _san(kind: str, value: str) -> str:
    if kind == "IP Address":
        with contextlib.suppress(ValueError):
            return str(ipaddress.ip_address(value.strip()))
    return value


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()
