"""Shared test set-up: a clean environment and the real loopback servers' fixtures."""

from __future__ import annotations

import os

import pytest

pytest_plugins = [
    "tests.outcome_coverage",
    "tests.servers.tcp_fixtures",
    "tests.servers.dns_fixtures",
    "tests.servers.smtp_fixtures",
    "tests.servers.port_fixtures",
    "tests.servers.postfix_fixtures",
    "tests.servers.relay_fixtures",
    "tests.servers.oci_fixtures",
]

for _name in list(os.environ):
    if _name.startswith("TEXTUAL_") or _name in ("NO_COLOR", "FORCE_COLOR"):
        del os.environ[_name]


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path_factory: pytest.TempPathFactory,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's config folder."""
    monkeypatch.setenv("EMAIL_WIZARD_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
