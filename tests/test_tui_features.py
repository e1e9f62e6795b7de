"""The TUI's features as a user meets them: filter, explain, by hand, cancel, evidence, copy,
apply, save, saved sessions, the tour, the command palette — and no secret on screen."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from tests.tui.fakes import (
    DATA,
    ScriptedRunner,
    all_tui_flows,
    open_entry,
    screen_text,
    settle,
    still_app,
)
from tests.tui.scenes import (
    CANARY,
    EXPLAINED,
    dns_fix,
    network_fix,
    postconf_fix,
    put_main_cf,
    results,
)
from wizard.tui.app import EmailWizardApp
from wizard.tui.screens.dialogs import ApplyConfirmScreen, SaveScreen, StepDetailScreen
from wizard.tui.screens.home import HomeScreen
from wizard.tui.screens.inputs import Field, InputsScreen
from wizard.tui.screens.saved import SavedScreen
from wizard.tui.screens.tour import TourScreen
from wizard.tui.screens.walk import WalkScreen

SIZE = (100, 30)


def app_with(tmp_path: Path, gate: asyncio.Event | None = None) -> EmailWizardApp:
    return still_app(ScriptedRunner(results(), gate=gate), all_tui_flows(),
                     sessions_folder=tmp_path / "sessions")


@pytest.fixture
def scene_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    put_main_cf(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def walk(app: EmailWizardApp) -> WalkScreen:
    assert isinstance(app.screen, WalkScreen), app.screen
    return app.screen


async def test_typing_on_home_filters_the_flows_and_escape_clears(tmp_path: Path) -> None:
    app = app_with(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"dkim")
        await pilot.pause()
        text = screen_text(app)
        assert "Is the DKIM CNAME in the right place?" in text
        assert "Is a TCP port reachable?" not in text
        await pilot.press("escape")
        await pilot.pause()
        assert "Is a TCP port reachable?" in screen_text(app)


async def test_explain_shows_the_entry_and_continues_with_the_address_filled_in(
        tmp_path: Path) -> None:
    app = app_with(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(pilot, "explain")
        await pilot.press(*EXPLAINED)
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        text = screen_text(app)
        assert "Authorization failed: address <address> not authorized" in text
        assert "address: app@example.com" in text
        assert "Retrying does not help" in text
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, InputsScreen)
        assert app.screen.flow.id == "undelivered-mail"
        values = {f.input_name: f.raw() for f in app.screen.query(Field)}
        assert values == {"sender": "app@example.com", "domain": "example.com"}


async def test_a_running_probe_is_answered_by_hand(tmp_path: Path) -> None:
    gate = asyncio.Event()
    app = app_with(tmp_path, gate)
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(pilot, "tcp")
        await pilot.press(*"mail.example.test", "ctrl+r")
        await pilot.pause()
        assert walk(app).running
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        session = walk(app).session
        assert [(e.step, e.outcome) for e in session.trail] == [("connect", "timeout")]
        assert "answered by hand: timeout" in session.trail[0].summary
        await pilot.press("enter")
        await settle(pilot)
        assert "does not answer" in screen_text(app)
        assert "(not measured)" not in session.trail[0].summary


async def test_x_cancels_the_probe_and_r_runs_it_again(tmp_path: Path) -> None:
    gate = asyncio.Event()
    app = app_with(tmp_path, gate)
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(pilot, "tcp")
        await pilot.press(*"mail.example.test", "ctrl+r")
        await pilot.pause()
        await pilot.press("x")
        await settle(pilot)
        assert "You cancelled this check." in screen_text(app)
        assert walk(app).session.trail == []
        gate.set()
        await pilot.press("r")
        await settle(pilot)
        assert [e.outcome for e in walk(app).session.trail] == ["refused"]


async def test_a_step_of_the_trail_opens_with_its_evidence_and_facts(tmp_path: Path) -> None:
    app = app_with(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await network_fix(pilot)
        app.screen.query_one("#trail").focus()
        await pilot.press("up", "enter")
        await settle(pilot)
        assert isinstance(app.screen, StepDetailScreen)
        text = screen_text(app)
        assert "192.0.2.25 port 587: connection refused (RST)" in text
        assert "connect.address = 192.0.2.25" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WalkScreen)


async def test_y_copies_the_dns_records_and_postconf_lines(tmp_path: Path) -> None:
    app = app_with(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await dns_fix(pilot)
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard.splitlines() == [
            "; delete; in the zone example.com.: sel1._domainkey.example.com",
            "sel1._domainkey.example.com.example.com. IN CNAME "
            "sel1.example-com._domainkey.iad1.oracleemaildelivery.com.",
            "; add; in the zone example.com.: sel1._domainkey",
            "sel1._domainkey.example.com. IN CNAME "
            "sel1.example-com._domainkey.iad1.oracleemaildelivery.com.",
        ]


async def test_apply_shows_the_diff_asks_and_names_the_backup(scene_folder: Path) -> None:
    app = app_with(scene_folder)
    before = (scene_folder / "main.cf").read_text()
    async with app.run_test(size=(120, 40)) as pilot:
        await postconf_fix(pilot)
        assert "+relayhost = [smtp.example.test]:587" in screen_text(app)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ApplyConfirmScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert (scene_folder / "main.cf").read_text() == before
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("ctrl+a")
        await settle(pilot)
        await settle(pilot)
        backups = list(scene_folder.glob("main.cf.email-wizard-*.bak"))
        assert len(backups) == 1 and backups[0].read_text() == before
        after = (scene_folder / "main.cf").read_text()
        assert "relayhost = [smtp.example.test]:587" in after and "smtp_use_tls" not in after
        text = screen_text(app)
        assert f"Backup of the old file: {backups[0].name}" in text
        assert "Not checked: postfix check:" in text, "a main.cf alone: says what was not checked"
        assert "Apply…" not in text


async def test_save_writes_markdown_and_json_that_home_then_lists(tmp_path: Path) -> None:
    app = app_with(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await dns_fix(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SaveScreen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        folder = tmp_path / "sessions"
        assert sorted(p.suffix for p in folder.iterdir()) == [".json", ".md"]
        report = json.loads(next(folder.glob("*.json")).read_text())
        assert report["status"] == "problem" and report["flow"] == "dkim-record"
        markdown = next(folder.glob("*.md")).read_text()
        assert "| delete | `sel1._domainkey.example.com.example.com.` |" in markdown
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "Saved sessions" in screen_text(app)
        await pilot.press("escape", *"saved dkim", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SavedScreen)


async def test_the_password_is_never_on_screen_nor_in_the_saved_report(tmp_path: Path) -> None:
    app = app_with(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        pictures = []
        await network_fix(pilot)
        pictures.append(app.export_screenshot())
        assert "password = ********" in screen_text(app)
        app.screen.query_one("#trail").focus()
        await pilot.press("up", "enter")
        await settle(pilot)
        pictures.append(app.export_screenshot())
        await pilot.press("escape", "s")
        await settle(pilot)
        pictures.append(app.export_screenshot())
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await pilot.pause()
        pictures.append(app.clipboard)
        for picture in pictures:
            assert CANARY not in picture
        for path in (tmp_path / "sessions").iterdir():
            text = path.read_text()
            assert CANARY not in text
            assert "********" in text


async def test_the_tour_runs_each_check_and_ends_with_a_checklist(tmp_path: Path) -> None:
    app = app_with(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(pilot, "tour")
        assert isinstance(app.screen, TourScreen)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"example.com", "enter")
        await pilot.pause()
        await pilot.press(*"sel1", "enter")
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TourScreen)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TourScreen)
        run = app.screen.run
        assert [item.state for item in run.items] == ["problem", "missing", "pending"]
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"mail.example.test", "enter", "enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert [item.state for item in run.items] == ["problem", "missing", "skipped"]
        assert "Tour finished, 2 to fix: 0 done · 2 to fix · 1 skipped" in screen_text(app)


async def test_the_command_palette_lists_flows_and_opens_one(tmp_path: Path) -> None:
    app = app_with(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Run: Is the DKIM")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InputsScreen)
        assert app.screen.flow.id == "dkim-record"


def test_the_bundled_tour_file_loads() -> None:
    from wizard.tours import load_tour, tour_path

    tour = load_tour(tour_path())
    assert tour.checks[0].flow == "dkim-needs-attention"
    assert load_tour(DATA / "tour.yaml").checks[1].flow == "spf-dmarc"



def test_alternative_fixes_say_they_are_a_choice_and_one_applied_retires_the_other(
        scene_folder: Path) -> None:
    """postfix-tls offers may or encrypt: each says it is a choice, and once one is
    applied the other shows which was chosen and offers no Apply."""
    from tests.tui.readme_scenes import SHOTS

    shot = SHOTS["postfix-fix"]
    app = shot.app()
    asyncio.run(_choose_may(app, shot.steps, scene_folder))


async def _choose_may(app: EmailWizardApp, steps: Any, scene_folder: Path) -> None:
    from wizard.tui.widgets import FixView

    async with app.run_test(size=(120, 40)) as pilot:
        await steps(pilot)
        choices = [v for v in app.screen.query(FixView) if v.choice]
        assert [v.fix.id for v in choices] == ["postfix.tls-level-may",
                                               "postfix.tls-level-encrypt"]
        may, encrypt = choices
        assert f"apply this or “{encrypt.fix.title}”, not both" in may.choice
        assert f"apply this or “{may.fix.title}”, not both" in encrypt.choice
        assert may.can_apply and encrypt.can_apply
        may.post_message(FixView.ApplyRequested(may))
        await settle(pilot)
        assert isinstance(app.screen, ApplyConfirmScreen)
        await pilot.press("ctrl+a")
        await settle(pilot)
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert "smtp_tls_security_level = may" in (scene_folder / "main.cf").read_text()
        encrypt = next(v for v in app.screen.query(FixView)
                       if v.fix.id == "postfix.tls-level-encrypt")
        assert not encrypt.can_apply
        assert not encrypt.query(".apply")
        assert f"Not chosen: “{may.fix.title}” was applied instead" in screen_text(app)
