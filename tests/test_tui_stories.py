"""Issue 16's stories, counted in keystrokes: from a bare ``email-wizard`` to the right fix.

The app is built as the program builds it (:func:`make_app` with the installed flows,
tour and the real probe runner made from the settings; run to the end by default), only
the settings name the suite's loopback servers: Knot as the DNS server, the test CA for
the relays. :class:`Keys` counts every key the user presses that is not part of a value
typed (a filter word, a domain, a path): each story must reach its fix in ten or fewer,
at 80×24 and at 100×30.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.servers.dns_fixtures import DnsServers
from tests.tui.fakes import FIXED_TIME, passing_check, screen_text
from wizard.probes.runner import RegistryRunner
from wizard.settings import Settings
from wizard.tui.app import EmailWizardApp, make_app

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
        print(text)
        assert "pasted._domainkey.dkimflow.test.dkimflow.test" in text
    assert keys.count <= MOST_KEYS
