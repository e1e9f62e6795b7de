"""Nothing a person did is lost: quitting asks, forms remember, Copy never overclaims."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TextArea

from tests.tui.fakes import (
    FIXED_TIME,
    ScriptedRunner,
    all_tui_flows,
    open_entry,
    passing_check,
    refused,
    screen_text,
    settle,
    still_app,
    tui_flows,
)
from tests.tui.scenes import dns_fix, results
from wizard.tui.app import EmailWizardApp, make_app
from wizard.tui.screens.dialogs import CopyScreen, QuitScreen
from wizard.tui.screens.inputs import Field, InputsScreen
from wizard.tui.screens.walk import WalkScreen

SIZE = (100, 30)


async def finished_walk(pilot: object, host: str = "mail.example.test") -> None:
    """From home: the tcp-port check on ``host``, run to its end."""
    await open_entry(pilot, "tcp")
    await pilot.press(*host, "ctrl+r")  # type: ignore[attr-defined]
    await settle(pilot)
    app = pilot.app  # type: ignore[attr-defined]
    assert isinstance(app.screen, WalkScreen) and app.screen.session.finished


def to_end_app(tmp_path: Path) -> EmailWizardApp:
    return still_app(ScriptedRunner({"tcp.connect": refused()}),
                     sessions_folder=tmp_path / "sessions", to_end=True)


async def test_quitting_with_an_unsaved_result_asks_and_escape_stays(tmp_path: Path) -> None:
    app = to_end_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await finished_walk(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, QuitScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WalkScreen) and app.is_running


async def test_save_and_quit_writes_the_report_then_quits(tmp_path: Path) -> None:
    app = to_end_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await finished_walk(pilot)
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("enter")  # "Save and quit" has the focus
        await pilot.pause()
    assert not app.is_running
    written = sorted(p.suffix for p in (tmp_path / "sessions").iterdir())
    assert written == [".json", ".md"]


async def test_a_saved_result_quits_without_asking(tmp_path: Path) -> None:
    app = to_end_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await finished_walk(pilot)
        screen = app.screen
        assert isinstance(screen, WalkScreen) and screen.save_report()
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running


async def test_quit_without_saving_quits(tmp_path: Path) -> None:
    app = to_end_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await finished_walk(pilot)
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running
    assert not (tmp_path / "sessions").exists()


async def test_copy_shows_the_text_selected_and_writes_it_to_a_file(tmp_path: Path) -> None:
    app = still_app(ScriptedRunner(results()), all_tui_flows(),
                    sessions_folder=tmp_path / "sessions")
    async with app.run_test(size=SIZE) as pilot:
        await dns_fix(pilot)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, CopyScreen)
        area = app.screen.query_one(TextArea)
        assert area.selected_text == app.clipboard != ""
        assert "Copied" not in screen_text(app), "no claim of success it cannot know"
        assert "if your terminal allows it" in screen_text(app)
        await pilot.press("w")
        await pilot.pause()
        written = list((tmp_path / "sessions").glob("copied-*.txt"))
        assert [p.read_text() for p in written] == [app.clipboard]
        assert f"Written to {written[0]}" in screen_text(app)


def real_app() -> EmailWizardApp:
    """Settings and form memory from the (isolated) user config folder, as a real start."""
    return make_app(tui_flows(), ScriptedRunner({"tcp.connect": refused()}),
                    clock=lambda: 0.0, cursor_blink=False, animation_level="none",
                    wall_clock=lambda: FIXED_TIME, postfix_check=passing_check)


async def test_a_form_offers_the_values_typed_last_time() -> None:
    first = real_app()
    async with first.run_test(size=SIZE) as pilot:
        await open_entry(pilot, "tcp")
        fields = list(first.screen.query(Field))
        fields[0].editor.value = "relay.example.test"
        fields[1].editor.value = "2525"
        await pilot.press("ctrl+r")
        await settle(pilot)
    again = real_app()
    async with again.run_test(size=SIZE) as pilot:
        await open_entry(pilot, "tcp")
        assert isinstance(again.screen, InputsScreen)
        assert [f.raw() for f in again.screen.query(Field)] == ["relay.example.test", "2525"]
