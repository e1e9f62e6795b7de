"""Three of issue 16's stories in the real program, in a real 80×24 terminal (tmux).

A dedicated tmux server runs the installed ``email-wizard`` with its config folder in
a temporary directory. The user first opens the settings (ctrl+s on home) and gives
the private CA of the suite's relays (one PEM file holding the TLS relays' CA and the
reference SMTP relay's CA), the Knot resolver as DNS server and a region; then walks
three stories against the suite's real servers — a Postfix config with
``smtp_use_tls``, a blocked port, a live send test to a suppressed recipient — and
quits with ctrl+q, answering the quit confirmation.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.dns_fixtures import DnsServers
from tests.servers.port_fixtures import EXTERNAL, port_free_on
from tests.servers.relay_fixtures import TlsRelays
from tests.servers.smtp import LOOPBACK, PASSWORD, USER
from tests.servers.smtp_fixtures import SmtpServers
from tests.test_flow_postfix_tls import MakePostfix, healthy_settings, write_config
from tests.test_tui_tmux import Terminal, program_in_tmux


def typed(term: Terminal, text: str) -> None:
    """Type ``text`` and wait until its end shows (keys sent before it lands can overtake it)."""
    term.type(text)
    term.wait_for(text[-12:])
    time.sleep(0.4)


def press(term: Terminal, *keys: str) -> None:
    """Press keys one by one, each after the last has moved the focus."""
    for key in keys:
        term.keys(key)
        time.sleep(0.3)


@pytest.fixture
def small_terminal(tmp_path: Path) -> Iterator[Terminal]:
    """The program in an 80×24 pane."""
    with program_in_tmux(tmp_path, "ew-stories", (80, 24)) as term:
        yield term


def test_three_stories_in_the_real_program_with_a_private_ca_from_the_settings(
        small_terminal: Terminal, tls_relays: TlsRelays, smtp_servers: SmtpServers,
        dns_servers: DnsServers, make_postfix: MakePostfix, tmp_path: Path) -> None:
    term = small_terminal
    bundle = tmp_path / "private-ca.pem"
    bundle.write_text(Path(tls_relays.ca_file).read_text() + Path(smtp_servers.ca_file).read_text())
    conf = write_config(make_postfix, tls_relays,
                        {**healthy_settings(tls_relays), "smtp_use_tls": "yes"})
    port = port_free_on(LOOPBACK, EXTERNAL)

    term.wait_for("What do you want to find out?")
    term.keys("C-s")
    term.wait_for("CA file")
    typed(term, str(bundle))
    press(term, "Tab")
    typed(term, str(dns_servers.resolver))
    press(term, "Tab")
    typed(term, "5")
    press(term, "Tab", "Tab")
    typed(term, "us-ashburn-1")
    term.keys("C-s")
    term.wait_for("Settings saved to")
    config = (tmp_path / "config" / "config.toml").read_text()
    assert str(bundle) in config and "us-ashburn-1" in config

    # Postfix with smtp_use_tls: the relay's private CA is trusted, the fix is to remove it.
    typed(term, "smtp_use_tls")
    term.wait_for("postfix-tls")
    term.keys("Enter")
    term.wait_for("^r Run")
    typed(term, str(conf))
    term.keys("C-r")
    screen = term.wait_for("Problem found", timeout=60)
    assert "smtp_use_tls" in screen, screen
    assert "not trusted" not in screen
    term.keys("h")
    term.wait_for("What do you want to find out?")
    term.keys("Escape")
    time.sleep(0.5)

    # A blocked port: neither the endpoint nor the external server answers.
    typed(term, "port")
    term.wait_for("port-connectivity")
    term.keys("Enter")
    term.wait_for("^r Run")
    typed(term, LOOPBACK)
    press(term, "Enter", "Enter")
    typed(term, str(port))
    press(term, "Enter", "Enter", "Enter")
    typed(term, EXTERNAL)
    term.keys("C-r")
    term.wait_for("Problem found", timeout=60)
    screen = term.wait_for(f"Fix: Allow outgoing TCP {port}")  # the fixes mount after the banner
    assert f"On TCP {port} both {LOOPBACK} and the external mail server" in screen, screen
    term.keys("h")
    term.wait_for("What do you want to find out?")
    term.keys("Escape")
    time.sleep(0.5)

    # A live send test: the relay took the message for a suppressed recipient.
    term.keys("Enter")
    term.wait_for("^r Run")
    for value in ("suppressed@example.com", "to@example.net", LOOPBACK,
                  str(smtp_servers.submission), USER):
        typed(term, value)
        press(term, "Enter")
    term.type(PASSWORD)
    time.sleep(0.5)
    press(term, "Enter")
    press(term, "Down", "Enter", "C-r")
    screen = term.wait_for("Problem found", timeout=60)
    assert "The relay took the test message but will not deliver it" in screen, screen
    assert "suppressed" in screen
    assert PASSWORD not in screen

    term.keys("C-q")
    term.wait_for("Save and quit")
    term.keys("q")
    deadline = time.monotonic() + 10
    while not term.dead():
        assert time.monotonic() < deadline, term.screen()
        time.sleep(0.1)
