"""Issue 16's stories, counted in keystrokes: from a bare ``email-wizard`` to the right fix.

The app is built as the program builds it (:func:`make_app` with the installed flows,
tour and the real probe runner made from the settings; run to the end by default), only
the settings name the suite's loopback servers: Knot as the DNS server, the test CA for
the relays. :class:`Keys` counts every key the user presses that is not part of a value
typed (a filter word, a domain, a path, a paste): each story must reach its fix in ten
or fewer, at 80×24 and at 100×30, and the fix must show without scrolling further.

Keys per story: DKIM misplaced 3 · port blocked 7 · Postfix ``smtp_use_tls`` 2 · a pasted
535 (a Postfix log) 0–1 (a PageDown at 80×24) · a 535 typed on home 1–2 · a live send
test to a suppressed recipient 10 (13 before the relay's inputs followed sender and
recipient in undelivered-mail's form) · the onboarding tour of a new domain 10.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from textual import events

from tests.servers.dns_fixtures import DnsServers
from tests.servers.port_fixtures import EXTERNAL, port_free_on
from tests.servers.relay_fixtures import TlsRelays
from tests.servers.smtp import LOOPBACK, PASSWORD, USER
from tests.servers.smtp_fixtures import SmtpServers
from tests.test_flow_postfix_tls import MakePostfix, healthy_settings, write_config
from tests.tui.fakes import FIXED_TIME, passing_check, screen_text
from wizard.probes.runner import RegistryRunner
from wizard.settings import Settings
from wizard.tui.app import EmailWizardApp, make_app
from wizard.tui.screens.explain import ExplainScreen
from wizard.tui.screens.tour import TourScreen

SIZES = [(80, 24), (100, 30)]
MOST_KEYS = 10


class Keys:
    """Presses keys through the Pilot and counts those that are not part of a typed value."""

    def __init__(self, pilot: Any) -> None:
        self.pilot = pilot
        self.count = 0
        """Keys pressed so far, values typed not included."""

    @property
    def app(self) -> EmailWizardApp:
        return self.pilot.app  # type: ignore[no-any-return]

    async def press(self, *keys: str) -> None:
        """Press each key (each one counts)."""
        for key in keys:
            self.count += 1
            await self.pilot.press(key)
            await self.pilot.pause()

    async def type(self, text: str) -> None:
        """Type a value (no key of it counts)."""
        await self.pilot.press(*text)
        await self.pilot.pause()

    def visible(self) -> str:
        """What the terminal shows now (whitespace dropped: lines wrap anywhere)."""
        svg = self.app.export_screenshot()
        text = html.unescape("".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg)))
        return "".join(text.split())

    def shows(self, *needles: str) -> bool:
        """True when every needle is in the visible part of the screen (no scrolling)."""
        seen = self.visible()
        return all("".join(needle.split()) in seen for needle in needles)

    async def paste(self, text: str) -> None:
        """Paste ``text`` into the focused widget, as a terminal does (one value, no key)."""
        focused = self.app.focused
        assert focused is not None
        focused.post_message(events.Paste(text))
        await self.pilot.pause()

    async def settle(self) -> str:
        """Wait for every probe, then return the screen's text."""
        await self.app.workers.wait_for_complete()
        await self.pilot.pause()
        await self.app.workers.wait_for_complete()
        await self.pilot.pause()
        return screen_text(self.app)


def real_app(settings: Settings, tmp_path: Path,
             authoritative_port: int | None = None) -> EmailWizardApp:
    """The app a bare ``email-wizard`` runs: shipped flows and tour, probes from the settings.

    ``authoritative_port``: the port of the zones' own name servers (the test Knot
    servers' port; the program asks port 53), given to a runner built from ``settings``.
    """
    runner = None
    if authoritative_port is not None:
        runner = RegistryRunner(settings.probe_context(authoritative_port=authoritative_port))
    return make_app(runner=runner, settings=settings, cursor_blink=False,
                    animation_level="none",
                    sessions_folder=tmp_path / "sessions", wall_clock=lambda: FIXED_TIME,
                    postfix_check=passing_check)


def dns_settings(dns: DnsServers) -> Settings:
    return Settings(nameservers=(str(dns.resolver),), timeout=3)


@pytest.mark.parametrize("size", SIZES)
async def test_a_misplaced_dkim_record_is_moved(dns_servers: DnsServers, tmp_path: Path,
                                               size: tuple[int, int]) -> None:
    app = real_app(dns_settings(dns_servers), tmp_path, dns_servers.authoritative_port)
    async with app.run_test(size=size) as pilot:
        keys = Keys(pilot)
        await keys.type("dkim")
        await keys.press("enter")
        await keys.type("dkimflow.test")
        await keys.press("enter")
        await keys.type("pasted")
        await keys.press("ctrl+r")
        text = await keys.settle()
        assert keys.shows("Problem found: The DKIM record is misplaced",
                          "Fix: Delete the misplaced record")
    assert "Problem found: The DKIM record is misplaced" in text
    assert ("Fix: Delete the misplaced record and add it at pasted._domainkey.dkimflow.test."
            in text)
    assert "pasted._domainkey.dkimflow.test.dkimflow.test." in text
    assert keys.count == 3 <= MOST_KEYS


@pytest.mark.parametrize("size", SIZES)
async def test_a_blocked_port_is_an_egress_rule_to_open(dns_servers: DnsServers, tmp_path: Path,
                                                       size: tuple[int, int]) -> None:
    """Nothing listens on the port at the endpoint nor at the external server: egress."""
    port = port_free_on(LOOPBACK, EXTERNAL)
    app = real_app(dns_settings(dns_servers), tmp_path)
    async with app.run_test(size=size) as pilot:
        keys = Keys(pilot)
        await keys.type("port")
        await keys.press("enter")
        await keys.type(LOOPBACK)
        await keys.press("enter", "enter")
        await keys.type(str(port))
        await keys.press("enter", "enter", "enter")
        await keys.type(EXTERNAL)
        await keys.press("ctrl+r")
        text = await keys.settle()
        assert keys.shows(f"Problem found: On TCP {port}", f"Fix: Allow outgoing TCP {port}")
    assert (f"Problem found: On TCP {port} both {LOOPBACK} and the external mail server "
            f"{EXTERNAL} fail") in text
    assert f"Fix: Allow outgoing TCP {port}" in text
    assert f"allow egress tcp/{port} to {LOOPBACK}" in text
    assert keys.count == 7 <= MOST_KEYS


@pytest.mark.parametrize("size", SIZES)
async def test_postfix_smtp_use_tls_is_removed(make_postfix: MakePostfix, tls_relays: TlsRelays,
                                              tmp_path: Path, size: tuple[int, int]) -> None:
    """A private CA given in the settings: the relay is trusted and smtp_use_tls is the fix."""
    conf = write_config(make_postfix, tls_relays,
                        {**healthy_settings(tls_relays), "smtp_use_tls": "yes"})
    app = real_app(Settings(ca_file=tls_relays.ca_file, timeout=5), tmp_path)
    async with app.run_test(size=size) as pilot:
        keys = Keys(pilot)
        await keys.type("smtp_use_tls")
        await keys.press("enter")
        await keys.type(str(conf))
        await keys.press("ctrl+r")
        text = await keys.settle()
        assert keys.shows("Problem found", "smtp_use_tls")
    assert "smtp_use_tls = yes: deprecated" in text, text
    assert "Fix: Remove" in text, text
    assert "not trusted" not in text
    assert keys.count == 2 <= MOST_KEYS


POSTFIX_LOG = (
    "Dec  1 10:02:11 mail postfix/smtp[311]: 1A2B3C4D: SASL authentication failed; server "
    "smtp.email.us-ashburn-1.oci.oraclecloud.com[192.0.2.1] said: 535 5.7.8 Authentication "
    "credentials invalid\n"
    "Dec  1 10:02:11 mail postfix/smtp[311]: 1A2B3C4D: to=<to@example.net>, relay=none, "
    "delay=0.2, status=deferred\n")
"""Two lines of a Postfix log pasted on home: they go to Explain whole."""


async def scroll_to(keys: Keys, fix: str) -> None:
    """Page down the explanation (at most twice) until ``fix`` shows, as a reader would."""
    for _ in range(2):
        if keys.shows(fix):
            return
        await keys.press("pagedown")
    assert keys.shows(fix), keys.visible()


@pytest.mark.parametrize("size", SIZES)
async def test_a_pasted_535_is_explained_with_its_fix(tmp_path: Path,
                                                     size: tuple[int, int]) -> None:
    app = real_app(Settings(), tmp_path)
    async with app.run_test(size=size) as pilot:
        keys = Keys(pilot)
        await keys.paste(POSTFIX_LOG)
        text = await keys.settle()
        assert isinstance(app.screen, ExplainScreen)
        await scroll_to(keys, "Fix: Check Postfix's SASL settings and password map")
    assert "535 Authentication credentials invalid" in text
    assert keys.count <= 1


@pytest.mark.parametrize("size", SIZES)
async def test_a_535_typed_on_home_is_explained_with_its_fix(tmp_path: Path,
                                                            size: tuple[int, int]) -> None:
    app = real_app(Settings(), tmp_path)
    async with app.run_test(size=size) as pilot:
        keys = Keys(pilot)
        await keys.type("535 5.7.8 Authentication credentials invalid")
        await keys.press("enter")
        await keys.settle()
        assert isinstance(app.screen, ExplainScreen)
        assert keys.shows("535 Authentication credentials invalid")
        await scroll_to(keys, "Fix: Use a valid SMTP credential")
    assert keys.count <= 2


@pytest.mark.parametrize("size", SIZES)
async def test_a_live_send_test_finds_the_suppressed_recipient(
        smtp_servers: SmtpServers, dns_servers: DnsServers, tmp_path: Path,
        size: tuple[int, int]) -> None:
    """The commonest job is first on home; the relay's inputs follow sender and recipient."""
    settings = Settings(nameservers=(str(dns_servers.resolver),), ca_file=smtp_servers.ca_file,
                        region="us-ashburn-1", timeout=5)
    app = real_app(settings, tmp_path)
    async with app.run_test(size=size) as pilot:
        keys = Keys(pilot)
        await keys.press("enter")
        for value in ("suppressed@example.com", "to@example.net", LOOPBACK,
                      str(smtp_servers.submission), USER, PASSWORD):
            await keys.type(value)
            await keys.press("enter")
        await keys.press("down", "enter")
        await keys.press("ctrl+r")
        text = await keys.settle()
        assert keys.shows("Problem found: The relay took the test message",
                          "Fix: Find out why to@example.net is suppressed")
    assert "Problem found: The relay took the test message but will not deliver it" in text
    assert "Fix: Find out why to@example.net is suppressed, then remove the entry" in text
    assert PASSWORD not in text
    assert keys.count == 10 <= MOST_KEYS


@pytest.mark.parametrize("size", SIZES)
async def test_the_onboarding_tour_of_a_new_domain(dns_servers: DnsServers, tmp_path: Path,
                                                  size: tuple[int, int]) -> None:
    """dkimflow.test has no DKIM record under the new selector, no SPF and no DMARC."""
    app = real_app(dns_settings(dns_servers), tmp_path, dns_servers.authoritative_port)
    async with app.run_test(size=size) as pilot:
        keys = Keys(pilot)
        await keys.press("ctrl+t", "enter")
        await keys.type("dkimflow.test")
        await keys.press("enter")
        await keys.type("us-ashburn-1")
        await keys.press("ctrl+r")  # Run: the optional SMTP host stays empty
        await keys.settle()
        await keys.type("new")
        await keys.press("enter")
        dkim = await keys.settle()
        assert keys.shows("Fix: Add a CNAME at new._domainkey.dkimflow.test.")
        await keys.press("enter", "enter")
        spf = await keys.settle()
        assert keys.shows("Fix: Publish an SPF record")
        await keys.press("enter", "enter")
        await keys.settle()
        await keys.press("enter")
        checklist = await keys.settle()
        assert isinstance(app.screen, TourScreen)
    assert "Fix: Add a CNAME at new._domainkey.dkimflow.test." in dkim
    assert "new.dkimflow.test.dkim.iad1.oracleemaildelivery.com." in dkim
    assert "Fix: Publish an SPF record that includes rp.oracleemaildelivery.com" in spf
    assert "Fix: Publish a DMARC record, starting with monitoring" in spf
    assert "Tour finished, 3 to fix: 0 done · 3 to fix · 0 skipped" in checklist
    assert keys.count == 10 <= MOST_KEYS
