"""The walk's end page in the TUI (issue 16.8, 16.5, 16.6): "Copy as command" (the
``email-wizard run`` line and the checks by hand), the DNS re-check against the loopback
Knot servers, and the walk's texts naming fields instead of command-line options."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from textual.widgets import Button, Input, TextArea

from tests.servers.dns_fixtures import DnsServers
from tests.tui.fakes import ScriptedRunner, refused, screen_text, settle, still_app
from wizard.flow.loader import find_flow
from wizard.probes.base import ProbeContext
from wizard.probes.runner import RegistryRunner
from wizard.settings import Settings
from wizard.tui.app import EmailWizardApp
from wizard.tui.field_text import walk_text
from wizard.tui.screens.dialogs import CopyScreen, DnsRecheckScreen
from wizard.tui.screens.walk import WalkScreen

SIZE = (100, 30)
PROVIDER_KEY = "sel1.keys.provider.test"
DKIM = "dkim-needs-attention"


def dns_app(servers: DnsServers, tmp_path: Path) -> EmailWizardApp:
    app = still_app(RegistryRunner(servers.ctx()), [find_flow(DKIM)],
                    sessions_folder=tmp_path / "sessions", to_end=True)
    app.settings = Settings(walk="to_end", nameservers=(str(servers.resolver),))
    return app


async def walk_to_end(pilot: Any, flow: str, values: dict[str, object]) -> WalkScreen:
    app = pilot.app
    app.start_walk(find_flow(flow), values)
    await settle(pilot)
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, WalkScreen)
    return screen


def step_text(app: EmailWizardApp) -> str:
    """The current step's pane (the summary), without the trail and the facts panel."""
    return "\n".join(str(w.content) for w in app.screen.query("#step Static"))


async def wait_for_answer(pilot: Any) -> None:
    """Until the DNS re-check dialog shows its first answer (a few seconds at most)."""
    for _ in range(100):
        await pilot.pause(0.05)
        if "Check 1 of" in screen_text(pilot.app) or "in place" in screen_text(pilot.app):
            return


def copied(app: EmailWizardApp) -> str:
    assert isinstance(app.screen, CopyScreen)
    return app.screen.query_one(TextArea).text


async def test_copy_as_command_gives_the_run_line_and_the_dig_of_the_record(
        dns_servers: DnsServers, tmp_path: Path) -> None:
    app = dns_app(dns_servers, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await walk_to_end(pilot, DKIM, {"domain": "mail.dkimflow.test",
                                                 "selector": "none",
                                                 "expected_cname": PROVIDER_KEY})
        assert screen.session.finished and screen.session.status == "problem"
        assert "c copies the walk as a command line" in screen_text(app)
        await pilot.press("c")
        await pilot.pause()
        text = copied(app)
        run = next(line for line in text.splitlines() if line.startswith("email-wizard run"))
        words = shlex.split(run)
        assert words[:3] == ["email-wizard", "run", DKIM]
        assert {"domain=mail.dkimflow.test", "selector=none",
                f"expected_cname={PROVIDER_KEY}"} <= set(words)
        assert words[words.index("--nameserver") + 1] == str(dns_servers.resolver)
        host, port = str(dns_servers.resolver).split(":")
        assert (f"dig @{host} -p {port} +short CNAME none._domainkey.mail.dkimflow.test."
                in text.splitlines())


async def test_copy_as_command_never_shows_a_secret(tmp_path: Path) -> None:
    app = still_app(ScriptedRunner({"tcp.connect": refused()}), [find_flow("tcp-port")],
                    sessions_folder=tmp_path / "sessions", to_end=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await walk_to_end(pilot, "tcp-port", {"host": "mail.example.test",
                                                       "port": 2525})
        assert screen.session.finished
        await pilot.press("d")  # no DNS fix: no re-check
        await pilot.pause()
        assert app.screen is screen
        screen.query_one("#copy-command", Button).press()
        await pilot.pause()
        assert copied(app).splitlines()[1] == (
            "email-wizard run tcp-port --set host=mail.example.test --set port=2525")


async def test_the_dns_recheck_shows_the_missing_record_and_its_ttl_then_stops(
        dns_servers: DnsServers, tmp_path: Path) -> None:
    app = dns_app(dns_servers, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await walk_to_end(pilot, DKIM, {"domain": "mail.dkimflow.test", "selector": "none",
                                        "expected_cname": PROVIDER_KEY})
        await pilot.press("d")
        await wait_for_answer(pilot)
        assert isinstance(app.screen, DnsRecheckScreen)
        text = screen_text(app)
        assert "none._domainkey.mail.dkimflow.test. CNAME: not yet" in text
        assert "resolvers may keep the old answer up to" in text
        assert "Check 1 of 20" in text
        await pilot.press("x")
        await pilot.pause()
        assert "Stopped" in screen_text(app) and not app.screen.polling
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WalkScreen)


async def test_the_walk_names_fields_not_options_and_shows_examples(
        dns_servers: DnsServers, tmp_path: Path) -> None:
    app = still_app(RegistryRunner(ProbeContext(timeout=2, nameservers=(dns_servers.resolver,),
                                                authoritative_port=dns_servers.authoritative_port)),
                    [find_flow("port-connectivity"), find_flow(DKIM)],
                    sessions_folder=tmp_path / "sessions", to_end=True)
    async with app.run_test(size=SIZE) as pilot:
        await walk_to_end(pilot, "port-connectivity", {})
        text = step_text(app)
        assert "give the SMTP host (the “SMTP endpoint” field) or the region" in text
        assert "--set" not in text and "no_endpoint" not in text
        app.go_home()
        await walk_to_end(pilot, DKIM, {"domain": "dkimflow.test", "selector": "none"})
        answer = app.screen.query_one("#answer", Input)
        assert answer.placeholder.startswith("e.g. prod-2024.example-com._domainkey.")


def test_picture_copy_as_command(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Any) -> None:
        await walk_to_end(pilot, "tcp-port", {"host": "mail.example.test", "port": 2525})
        await pilot.press("c")
        await pilot.pause()

    app = still_app(ScriptedRunner({"tcp.connect": refused()}), [find_flow("tcp-port")],
                    to_end=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_picture_dns_recheck(snap_compare: Any, dns_servers: DnsServers,
                             tmp_path: Path) -> None:
    async def run_before(pilot: Any) -> None:
        await walk_to_end(pilot, DKIM, {"domain": "mail.dkimflow.test", "selector": "none",
                                        "expected_cname": PROVIDER_KEY})
        await pilot.press("d")
        await wait_for_answer(pilot)
        await pilot.press("x")
        await pilot.pause()

    assert snap_compare(dns_app(dns_servers, tmp_path), terminal_size=(80, 24),
                        run_before=run_before)


def test_walk_text_names_fields_keeps_commands_and_the_sentence() -> None:
    inputs = find_flow("port-connectivity").inputs
    assert walk_text("Run again with --set external_mta_host=<a host>, or --set "
                     "external_mta_domain=<a domain>.", inputs) == (
        "Go back to the form and fill in the “External MTA host” field, or the "
        "“External mail domain” field.")
    command = "Run email-wizard run dkim-needs-attention --set domain=a.test for the change."
    assert walk_text(command, inputs) == command
    assert walk_text("give it with --set region=eu-1... Otherwise", inputs) == (
        "give it with the “Region” field. Otherwise")
