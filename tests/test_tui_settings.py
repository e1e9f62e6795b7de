"""The TUI's settings screen: the same file the CLI reads, applied to the next check at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers.oci_fixtures import OciLab
from tests.servers.relay_fixtures import TlsRelays
from tests.tui.fakes import FIXED_TIME, SESSIONS, passing_check, settle, tui_flows
from wizard.probes.runner import RegistryRunner
from wizard.settings import Settings, load_settings, save_settings, settings_path
from wizard.tui.app import EmailWizardApp, make_app
from wizard.tui.screens.settings import SettingsScreen

SENDER = "app@example.com"

SIZE = (100, 30)


def real_app(settings: Settings | None = None) -> EmailWizardApp:
    """The app with real probes built from the settings file (as a bare email-wizard)."""
    return make_app(tui_flows(), None, clock=lambda: 0.0, cursor_blink=False,
                    animation_level="none", sessions_folder=SESSIONS,
                    wall_clock=lambda: FIXED_TIME, postfix_check=passing_check,
                    settings=settings)


async def fill(pilot: object, selector: str, text: str) -> None:
    """Replace the text of one field of the settings screen."""
    app = pilot.app  # type: ignore[attr-defined]
    field = app.screen.query_one(selector)
    field.value = text
    await pilot.pause()  # type: ignore[attr-defined]


async def test_settings_typed_in_the_tui_are_saved_and_used_by_the_next_probe(
        tls_relays: TlsRelays) -> None:
    app = real_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SettingsScreen)
        await fill(pilot, "#ca_file", tls_relays.ca_file)
        await fill(pilot, "#nameservers", "127.0.0.1:5353")
        await fill(pilot, "#timeout", "4")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, SettingsScreen)
        saved = load_settings(settings_path())
        assert (saved.ca_file, saved.nameservers, saved.timeout) == (
            tls_relays.ca_file, ("127.0.0.1:5353",), 4.0)
        assert isinstance(app.runner, RegistryRunner)
        assert app.runner.ctx.ca_file == tls_relays.ca_file
        result = await app.runner.run("smtp.starttls", {"host": tls_relays.good, "port": 587})
    assert result.outcome == "tls_ok", result.summary


async def test_without_the_ca_file_the_private_relay_is_untrusted(
        tls_relays: TlsRelays) -> None:
    """The control for the test above: the CA file is what makes the difference."""
    app = real_app()
    async with app.run_test(size=SIZE):
        assert isinstance(app.runner, RegistryRunner)
        result = await app.runner.run("smtp.starttls", {"host": tls_relays.good, "port": 587})
    assert result.outcome == "cert_untrusted"


async def test_a_saved_oci_profile_reaches_the_probes_context(oci_lab: OciLab) -> None:
    """Config, profile, auth mode and endpoint typed in the TUI sign the next API read."""
    oci_lab.server.state.add_sender(SENDER)
    app = real_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await fill(pilot, "#ca_file", str(oci_lab.ca_file))
        await fill(pilot, "#oci-config", str(oci_lab.config))
        await fill(pilot, "#oci-profile", "TOKEN")
        await fill(pilot, "#oci-auth", "security_token")
        await fill(pilot, "#oci-endpoint", oci_lab.server.url)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, SettingsScreen)
        saved = load_settings(settings_path()).oci
        assert (saved.profile, saved.auth, saved.endpoint) == (
            "TOKEN", "security_token", oci_lab.server.url)
        assert isinstance(app.runner, RegistryRunner)
        oci = app.runner.ctx.oci
        assert oci is not None and oci.enabled
        assert (oci.config_file, oci.profile, oci.auth, oci.endpoint) == (
            str(oci_lab.config), "TOKEN", "security_token", oci_lab.server.url)
        result = await app.runner.run("oci.sender", {"address": SENDER})
    assert result.outcome == "approved", result.summary
    assert oci_lab.server.requests and oci_lab.server.rejections == []


async def test_an_endpoint_that_is_not_a_url_is_not_saved() -> None:
    app = real_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await fill(pilot, "#oci-endpoint", "ctrl.example")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        assert "expected an https:// URL" in str(app.screen.query_one("#settings-error").content)
    assert not settings_path().exists()


@pytest.mark.parametrize(("selector", "text", "message"), [
    ("#nameservers", "resolver.example", "DNS servers: 'resolver.example' is not an IP"),
    ("#timeout", "0", "Timeout (seconds): Input should be greater than 0"),
    ("#ca_file", "/nonexistent/ca.pem", "CA file: /nonexistent/ca.pem: no such file"),
])
async def test_a_bad_value_is_named_and_nothing_is_saved(selector: str, text: str,
                                                        message: str) -> None:
    app = real_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await fill(pilot, selector, text)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        assert message in str(app.screen.query_one("#settings-error").content)
    assert not settings_path().exists()


async def test_escape_leaves_the_settings_unchanged() -> None:
    save_settings(Settings(timeout=7))
    app = real_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await fill(pilot, "#timeout", "3")
        await pilot.press("escape")
        await pilot.pause()
        assert app.settings.timeout == 7
    assert load_settings().timeout == 7


async def test_the_theme_picked_is_remembered_for_the_next_start() -> None:
    app = real_app()
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "textual-light"
        await pilot.pause()
    assert load_settings().theme == "textual-light"
    again = real_app()
    async with again.run_test(size=SIZE):
        assert again.theme == "textual-light"


async def test_a_broken_settings_file_is_reported_and_the_defaults_used() -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("timeout = 'soon'\n")
    app = real_app()
    assert app.settings == Settings()
    assert any(str(path) in line and "timeout" in line for line in app.broken)


def test_the_settings_screen(snap_compare: object, tmp_path: Path) -> None:
    settings = Settings(ca_file="/etc/ssl/certs/corp-ca.pem", nameservers=("192.0.2.53",),
                        timeout=5, region="us-ashburn-1")

    async def open_settings(pilot: object) -> None:
        await pilot.press("ctrl+s")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]

    assert snap_compare(real_app(settings), terminal_size=(80, 24),  # type: ignore[operator]
                        run_before=open_settings)


async def test_stopping_at_each_step_is_a_setting_the_next_walk_follows() -> None:
    app = real_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        app.screen.query_one("#step-by-step").value = True
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.settings.walk == "step_by_step"
    assert load_settings().walk == "step_by_step"
