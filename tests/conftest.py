"""Shared test set-up: a clean environment and the real loopback servers' fixtures."""

from __future__ import annotations

import os
import signal

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

for _signum in (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP):
    if signal.getsignal(_signum) == signal.SIG_IGN:
        # Started in the background by a shell without job control (`cmd &`), the suite
        # inherits SIGINT/SIGQUIT ignored (and SIGHUP under nohup), and so would every
        # program it starts: the tests of what Ctrl-C and signals do would then test the
        # shell, not the wizard (a `postfix check` under `script` that ignores SIGHUP
        # outlives its pseudo-terminal).
        signal.signal(_signum, signal.default_int_handler if _signum == signal.SIGINT
                      else signal.SIG_DFL)


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path_factory: pytest.TempPathFactory,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's config or cache folder."""
    monkeypatch.setenv("EMAIL_WIZARD_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setenv("EMAIL_WIZARD_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
