"""The system trust store is read lazily, and a verdict the store decides is confirmed whole.

``verifying_context(quick=True)`` reads the system roots from the hashed folder
(``/etc/ssl/certs``, certificate by certificate as a chain needs them) instead of
parsing the whole bundle file; a certificate it does not trust for a reason the
store decides (unknown CA, self-signed) is verified again against the whole store
before the wizard says so. Here ``SSL_CERT_FILE``/``SSL_CERT_DIR`` point at a
system store made for the test: a hashed folder holding the bundle file.
"""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import pytest
import trustme

from tests.servers.smtp_fixtures import SmtpServers
from wizard.probes.base import ProbeContext
from wizard.probes.support.tls_inspect import is_quick, verifying_context

AGAIN = "-- again, against every certificate of the system trust store"


def _hash_link(folder: Path, pem: Path) -> None:
    digest = subprocess.run(["openssl", "x509", "-subject_hash", "-noout", "-in", str(pem)],
                            capture_output=True, text=True, check=True).stdout.strip()
    (folder / f"{digest}.0").symlink_to(pem)


def system_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, hashed: list[Path],
                 bundle: list[Path]) -> None:
    """A Debian-like system store: ``hashed`` linked by subject hash, ``bundle`` in one file."""
    folder = tmp_path / "certs"
    folder.mkdir()
    for pem in hashed:
        _hash_link(folder, pem)
    (folder / "ca-certificates.crt").write_text("".join(p.read_text() for p in bundle))
    monkeypatch.setenv("SSL_CERT_DIR", str(folder))
    monkeypatch.setenv("SSL_CERT_FILE", str(folder / "ca-certificates.crt"))


@pytest.fixture
def other_ca(tmp_path: Path) -> Path:
    pem = tmp_path / "other-ca.pem"
    trustme.CA(organization_name="another root").cert_pem.write_to_path(str(pem))
    return pem


async def test_a_root_only_in_the_bundle_file_is_still_trusted(
        smtp_servers: SmtpServers, tmp_path: Path, other_ca: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The quick store misses the test CA (not in the hashed folder); the whole store has it
    (in the bundle): the verdict is the whole store's — trusted."""
    system_store(tmp_path, monkeypatch, hashed=[other_ca],
                 bundle=[other_ca, Path(smtp_servers.ca_file)])
    result = await smtp_servers.run("smtp.starttls", ctx=smtp_servers.ctx(trust=False),
                                    host="127.0.0.1", port=smtp_servers.submission)
    assert result.outcome == "tls_ok", result.evidence
    assert result.facts["cert_verified"] is True
    assert AGAIN in result.evidence


async def test_a_root_in_the_hashed_folder_is_trusted_without_reading_the_bundle(
        smtp_servers: SmtpServers, tmp_path: Path, other_ca: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    system_store(tmp_path, monkeypatch, hashed=[other_ca, Path(smtp_servers.ca_file)],
                 bundle=[other_ca, Path(smtp_servers.ca_file)])
    quick = verifying_context(ProbeContext(), quick=True)
    assert is_quick(quick)
    assert quick.cert_store_stats()["x509_ca"] == 0, "the bundle file was parsed"
    whole = verifying_context(ProbeContext())
    assert not is_quick(whole) and whole.cert_store_stats()["x509_ca"] == 2
    result = await smtp_servers.run("smtp.starttls", ctx=smtp_servers.ctx(trust=False),
                                    host="127.0.0.1", port=smtp_servers.submission)
    assert result.outcome == "tls_ok", result.evidence
    assert AGAIN not in result.evidence


async def test_a_root_nowhere_is_unknown_after_asking_the_whole_store(
        smtp_servers: SmtpServers, tmp_path: Path, other_ca: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    system_store(tmp_path, monkeypatch, hashed=[other_ca], bundle=[other_ca])
    result = await smtp_servers.run("smtp.starttls", ctx=smtp_servers.ctx(trust=False),
                                    host="127.0.0.1", port=smtp_servers.submission)
    assert result.outcome == "cert_untrusted"
    assert result.facts["cert_problem"] == "unknown_ca"
    assert AGAIN in result.evidence
    assert result.evidence.index(AGAIN) < result.evidence.index(
        "-- again without verification, to see what is offered")


async def test_a_name_mismatch_is_told_from_the_quick_store_alone(
        smtp_servers: SmtpServers, tmp_path: Path, other_ca: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a chain reaches a trusted root, the store has spoken: no second verification."""
    system_store(tmp_path, monkeypatch, hashed=[Path(smtp_servers.ca_file)],
                 bundle=[Path(smtp_servers.ca_file)])
    result = await smtp_servers.run(
        "smtp.starttls", ctx=smtp_servers.ctx(trust=False), host="127.0.0.1",
        port=smtp_servers.starttls_variants["wrong_host"])
    assert result.outcome == "cert_untrusted"
    assert result.facts["cert_problem"] == "hostname_mismatch"
    assert AGAIN not in result.evidence


def test_without_the_bundle_in_the_hashed_folder_the_quick_context_is_the_whole_one(
        tmp_path: Path, other_ca: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A layout where the two may hold different roots (bundle elsewhere, as on Fedora)."""
    folder = tmp_path / "certs"
    folder.mkdir()
    _hash_link(folder, other_ca)
    monkeypatch.setenv("SSL_CERT_DIR", str(folder))
    monkeypatch.setenv("SSL_CERT_FILE", str(other_ca))
    context = verifying_context(ProbeContext(), quick=True)
    assert not is_quick(context)
    assert context.cert_store_stats()["x509_ca"] == 1
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2


async def test_a_recheck_that_the_server_hangs_up_on_keeps_the_first_verdict(
        tmp_path: Path, other_ca: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A relay with a certificate from an unknown CA that serves one conversation and then
    hangs up on the next ones (a connection limit, a greet-pause tarpit): the re-check with
    the whole store gets nowhere, and the verdict stays the quick store's — unknown CA —
    instead of becoming the re-check's 'closed' (found by review)."""
    import asyncio

    system_store(tmp_path, monkeypatch, hashed=[other_ca], bundle=[other_ca])
    ca = trustme.CA(organization_name="nobody trusts this one")
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        if connections > 1:
            writer.close()
            return
        writer.write(b"220 relay.test ESMTP\r\n")
        while line := await reader.readline():
            if line.upper().startswith(b"EHLO"):
                writer.write(b"250-relay.test\r\n250 STARTTLS\r\n")
            elif line.upper().startswith(b"STARTTLS"):
                writer.write(b"220 go ahead\r\n")
                await writer.drain()
                try:
                    await writer.start_tls(server_tls)
                except (ssl.SSLError, OSError):
                    break
                continue
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        from wizard.probes.runner import RegistryRunner

        result = await RegistryRunner(ProbeContext(timeout=5)).run(
            "smtp.starttls", {"host": "127.0.0.1", "port": port})
    finally:
        server.close()
    assert connections >= 2, "the quick store's verdict was re-checked"
    assert result.outcome == "cert_untrusted", (result.outcome, result.evidence)
    assert result.facts["cert_problem"] == "unknown_ca"
