"""Fixtures for the OCI Email Delivery API test server (see tests/servers/oci_api.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers.oci_api import TENANCY, USER, OciApiServer, fingerprint, new_key, pem

PROFILE = "P"
PASSPHRASE = "Canary-Key-Pass-4d1c"
SESSION_TOKEN = "header.payload.signature"


@dataclass(frozen=True)
class OciLab:
    """A running API server, a config file whose profiles sign with the accepted key."""

    server: OciApiServer
    config: Path
    ca_file: Path
    directory: Path

    def options(self, profile: str = PROFILE) -> list[str]:
        """The ``run`` options that point the wizard at this server."""
        return ["--oci-config", str(self.config), "--oci-profile", profile,
                "--oci-endpoint", self.server.url, "--oci-submit-endpoint", self.server.url,
                "--ca-file", str(self.ca_file)]


_KEY = new_key()
_OTHER_KEY = new_key()


def write_config(directory: Path) -> Path:
    """A config file with profiles: P (the accepted key), WRONG (an unknown key), LOCKED
    (the accepted key, encrypted), NOKEY (a key file that does not exist), TOKEN
    (a session-token profile)."""
    key_file = directory / "key.pem"
    key_file.write_bytes(pem(_KEY))
    wrong_file = directory / "wrong.pem"
    wrong_file.write_bytes(pem(_OTHER_KEY))
    locked_file = directory / "locked.pem"
    locked_file.write_bytes(pem(_KEY, PASSPHRASE))
    token_file = directory / "token"
    token_file.write_text(f"{SESSION_TOKEN}\n", encoding="utf-8")
    for path in (key_file, wrong_file, locked_file, token_file):
        path.chmod(0o600)
    base = (f"user={USER}\nfingerprint={fingerprint(_KEY)}\ntenancy={TENANCY}\n"
            "region=us-ashburn-1\n")
    config = directory / "config"
    config.write_text(
        f"[{PROFILE}]\n{base}key_file={key_file}\n\n"
        f"[WRONG]\nuser={USER}\nfingerprint={fingerprint(_OTHER_KEY)}\ntenancy={TENANCY}\n"
        f"region=us-ashburn-1\nkey_file={wrong_file}\n\n"
        f"[LOCKED]\n{base}key_file={locked_file}\n\n"
        f"[NOKEY]\n{base}key_file={directory / 'missing.pem'}\n\n"
        f"[TOKEN]\n{base}key_file={key_file}\nsecurity_token_file={token_file}\n",
        encoding="utf-8")
    config.chmod(0o600)
    return config


@pytest.fixture
def oci_lab(tmp_path: Path) -> Iterator[OciLab]:
    """A fresh API server (empty tenancy) and a config file pointing at it."""
    server = OciApiServer(_KEY)
    server.key_ids[f"ST${SESSION_TOKEN}"] = _KEY.public_key()
    server.start()
    try:
        yield OciLab(server, write_config(tmp_path), server.write_ca(tmp_path / "ca.pem"),
                     tmp_path)
    finally:
        server.stop()
