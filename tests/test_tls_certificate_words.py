"""A verified session's certificate is told without ``cryptography``, exactly as with it.

``session_facts`` reads a verified certificate from what the ssl module decoded
(sparing the ``cryptography`` import at start-up); these handshakes — in memory,
with certificates made here — check that subject, issuer, names and expiry come
out character for character as ``describe_der`` (``cryptography``) writes them,
escaping included, and that what the decoded form cannot tell exactly falls
back to ``describe_der``.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from wizard.probes.support.tls_inspect import describe_der, describe_verified, session_facts

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def _name(*attributes: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes])


def _handshake(tmp_path: Path, subject: x509.Name, issuer: x509.Name,
               sans: list[x509.GeneralName]) -> ssl.SSLObject:
    """A verified TLS session (memory BIOs) with a server certificate of these names."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(issuer).issuer_name(issuer)
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(NOW).not_valid_after(NOW + datetime.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(key.public_key()).serial_number(2)
            .not_valid_before(NOW).not_valid_after(NOW + datetime.timedelta(days=800, seconds=7))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(pem))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client_ctx.check_hostname = False
    client_ctx.load_verify_locations(cadata=ca.public_bytes(pem).decode())
    to_server, to_client = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_ctx.wrap_bio(to_client, to_server)
    server = server_ctx.wrap_bio(to_server, to_client, server_side=True)
    for _ in range(10):
        done = 0
        for end in (client, server):
            try:
                end.do_handshake()
                done += 1
            except ssl.SSLWantReadError:
                pass
        if done == 2:
            return client
    raise AssertionError("no handshake")


PLAIN_ISSUER = _name((NameOID.ORGANIZATION_NAME, "trustme v1.2.1"),
                     (NameOID.ORGANIZATIONAL_UNIT_NAME, "Testing CA #xY"))
EVERY_KEY = _name(
    (NameOID.DOMAIN_COMPONENT, "test"), (NameOID.COUNTRY_NAME, "DE"),
    (NameOID.STATE_OR_PROVINCE_NAME, "Bayern, Süd"), (NameOID.LOCALITY_NAME, "#München"),
    (NameOID.STREET_ADDRESS, " Weg 1 "), (NameOID.ORGANIZATION_NAME, 'A+B "C" <D>; E\\F'),
    (NameOID.ORGANIZATIONAL_UNIT_NAME, "Ops"), (NameOID.USER_ID, "u1"),
    (NameOID.SERIAL_NUMBER, "42"), (NameOID.EMAIL_ADDRESS, "pki@mail.test"),
    (NameOID.COMMON_NAME, "mail.test"))
SANS: list[x509.GeneralName] = [
    x509.RFC822Name("a@mail.test"), x509.IPAddress(ipaddress.ip_address("2001:db8::1")),
    x509.DNSName("mail.test"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    x509.UniformResourceIdentifier("https://mail.test/"), x509.DNSName("*.mail.test")]


@pytest.mark.parametrize("subject", [
    pytest.param(_name((NameOID.COMMON_NAME, "mail.test")), id="cn-only"),
    pytest.param(EVERY_KEY, id="every-key-and-escapes"),
    pytest.param(_name((NameOID.ORGANIZATION_NAME, " "), (NameOID.COMMON_NAME, "x ")),
                 id="blank-and-trailing-space"),
])
def test_a_verified_certificate_is_told_as_cryptography_tells_it(
        tmp_path: Path, subject: x509.Name) -> None:
    tls = _handshake(tmp_path, subject, PLAIN_ISSUER, SANS)
    der = tls.getpeercert(binary_form=True)
    assert der is not None
    expected = describe_der(der)
    assert describe_verified(tls.getpeercert()) == expected
    assert {k: v for k, v in session_facts(tls).items() if k.startswith("cert_")} == expected


@pytest.mark.parametrize("subject", [
    pytest.param(_name((NameOID.TITLE, "Postmaster"), (NameOID.COMMON_NAME, "mail.test")),
                 id="attribute-without-rfc4514-key"),
    pytest.param(x509.Name([x509.RelativeDistinguishedName([
        x509.NameAttribute(NameOID.COMMON_NAME, "mail.test"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Multi")])]), id="multi-valued-rdn"),
])
def test_what_the_decoded_form_cannot_tell_exactly_goes_through_cryptography(
        tmp_path: Path, subject: x509.Name) -> None:
    tls = _handshake(tmp_path, subject, PLAIN_ISSUER, SANS)
    assert describe_verified(tls.getpeercert()) is None
    der = tls.getpeercert(binary_form=True)
    assert der is not None
    facts = session_facts(tls)
    assert {k: v for k, v in facts.items() if k.startswith("cert_")} == describe_der(der)


def test_a_verified_session_is_described_without_importing_cryptography(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tls = _handshake(tmp_path, EVERY_KEY, PLAIN_ISSUER, SANS)
    for name in [m for m in sys.modules if m == "cryptography" or m.startswith("cryptography.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "cryptography", None)  # any import of it fails
    facts = session_facts(tls)
    assert str(facts["cert_subject"]).startswith("CN=mail.test,1.2.840.113549.1.9.1=")
