"""The command line reads the same settings file as the TUI; its flags override it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.helpers import cli
from tests.servers.dns_fixtures import DnsServers


def env_with_settings(tmp_path: Path, text: str) -> dict[str, str]:
    """An environment whose user config folder holds ``config.toml`` with ``text``."""
    (tmp_path / "config.toml").write_text(text)
    return {**os.environ, "EMAIL_WIZARD_CONFIG_DIR": str(tmp_path)}


def test_the_settings_file_gives_the_dns_server_and_the_region(dns_servers: DnsServers,
                                                               tmp_path: Path) -> None:
    ns = dns_servers.resolver
    env = env_with_settings(tmp_path, f'nameservers = ["{ns.address}:{ns.port}"]\n'
                                      'region = "us-ashburn-1"\ntimeout = 3\n')
    result = cli("run", "spf-dmarc", "--json", "--set", "domain=good.onboard.test", env=env)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["status"] == "healthy"
    assert out["inputs"]["region"] == "us-ashburn-1"


def test_flags_override_the_settings_file(dns_servers: DnsServers, tmp_path: Path) -> None:
    ns = dns_servers.resolver
    env = env_with_settings(tmp_path, 'nameservers = ["127.0.0.1:9"]\ntimeout = 0.5\n')
    result = cli("run", "spf-dmarc", "--json", "--set", "domain=good.onboard.test",
                 "--set", "region=us-ashburn-1", "--nameserver", f"{ns.address}:{ns.port}",
                 "--timeout", "3", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "healthy"


def test_a_settings_file_that_does_not_fit_is_bad_input(tmp_path: Path) -> None:
    env = env_with_settings(tmp_path, "timeout = 'soon'\n")
    result = cli("run", "tcp-port", "--set", "host=127.0.0.1", env=env)
    assert result.returncode == 2
    assert str(tmp_path / "config.toml") in result.stderr and "timeout" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_ca_file_in_the_settings_is_refused_before_anything_runs(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("not a certificate\n")
    env = env_with_settings(tmp_path, f'ca_file = "{tmp_path / "ca.pem"}"\n')
    result = cli("run", "tcp-port", "--set", "host=127.0.0.1", env=env)
    assert result.returncode == 2
    assert "ca.pem" in result.stderr and "Traceback" not in result.stderr
