"""Nothing a person did is lost: quitting asks, forms remember, Copy never overclaims."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import TextArea

from tests.tui.fakes import (
    DATA,
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
from tests.tui.scenes import dns_fix, postconf_fix, put_main_cf, results
from wizard.fixes.apply_postconf import CheckResult
from wizard.settings import Settings
from wizard.tui.app import EmailWizardApp, make_app
from wizard.tui.screens.dialogs import ApplyResultScreen, CopyScreen, QuitScreen
from wizard.tui.screens.inputs import Field, InputsScreen
from wizard.tui.screens.walk import WalkScreen

SIZE = (100, 30)
SYSTEM_MASTER_CF = next(p for p in ("/etc/postfix/master.cf",
                                    "/usr/share/postfix/master.cf.dist") if Path(p).is_file())


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


def failing_check(config_dir: Path) -> CheckResult:
    """``postfix check`` as it fails on a copied main.cf without /etc/mailname."""
    return CheckResult(True, False, "postfix: fatal: open /etc/mailname: No such file or "
                                    "directory")


def apply_app(folder: Path, check: Callable[[Path], CheckResult] = passing_check,
              runner: ScriptedRunner | None = None) -> EmailWizardApp:
    return make_app(all_tui_flows(), runner or ScriptedRunner(results()), clock=lambda: 0.0,
                    cursor_blink=False, animation_level="none",
                    sessions_folder=folder / "sessions", wall_clock=lambda: FIXED_TIME,
                    postfix_check=check, tour=DATA / "tour.yaml",
                    settings=Settings(walk="step_by_step"))


@pytest.fixture
def scene_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A main.cf copied alone into a folder (the current folder)."""
    put_main_cf(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def full_folder(scene_folder: Path) -> Path:
    """The same main.cf in a full Postfix config folder (with a master.cf)."""
    (scene_folder / "master.cf").write_text(Path(SYSTEM_MASTER_CF).read_text())
    return scene_folder


@pytest.fixture
def picture_folder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A full config folder at a fixed path, so that messages naming it draw the same."""
    folder = Path(tempfile.gettempdir()) / "email-wizard-apply-picture"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    put_main_cf(folder)
    (folder / "master.cf").write_text(Path(SYSTEM_MASTER_CF).read_text())
    monkeypatch.chdir(folder)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


async def apply_fix(pilot: Any) -> None:
    await postconf_fix(pilot)
    await pilot.press("p")
    await settle(pilot)
    await pilot.press("ctrl+a")
    await settle(pilot)
    await settle(pilot)


async def test_an_applied_fix_is_reported_in_a_dialog_that_stays(full_folder: Path) -> None:
    app = apply_app(full_folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await apply_fix(pilot)
        await pilot.pause(0.5)
        assert isinstance(app.screen, ApplyResultScreen)
        text = screen_text(app)
        assert "Applied to main.cf; postfix check passed." in text
        assert f"postfix -c {full_folder.resolve()} reload" in text
        assert "Backup of the old file: " in text


async def test_a_main_cf_copied_alone_says_what_was_not_checked(scene_folder: Path) -> None:
    app = apply_app(scene_folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await apply_fix(pilot)
        assert isinstance(app.screen, ApplyResultScreen)
        text = screen_text(app)
        assert "Applied to main.cf; checked: parameter names (postconf -d), postconf -n." in text
        assert "Not checked: postfix check" in text
        assert "postfix reload" not in text


async def test_recheck_after_an_apply_runs_the_checks_again(full_folder: Path) -> None:
    runner = ScriptedRunner(results())
    app = apply_app(full_folder, runner=runner)
    async with app.run_test(size=(120, 40)) as pilot:
        await apply_fix(pilot)
        before = len(runner.calls)
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WalkScreen)
        assert len(runner.calls) > before, "the flow's probes ran again"
        assert screen.session.finished and screen.applied == {}


async def test_a_failed_check_shows_postfix_s_own_message_first(full_folder: Path) -> None:
    before = (full_folder / "main.cf").read_bytes()
    app = apply_app(full_folder, failing_check)
    async with app.run_test(size=(120, 40)) as pilot:
        await apply_fix(pilot)
        assert isinstance(app.screen, ApplyResultScreen)
        lines = [line for line in screen_text(app).splitlines() if line.strip()]
        assert lines[0] == ("✘ postfix: fatal: open /etc/mailname: No such file or "
                            "directory")
        assert "was put back unchanged" in screen_text(app)
        await pilot.pause(10)
        assert isinstance(app.screen, ApplyResultScreen), "it stays until dismissed"
    assert (full_folder / "main.cf").read_bytes() == before


def test_picture_quit_confirmation(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Any) -> None:
        await finished_walk(pilot)
        await pilot.press("q")
        await pilot.pause()

    assert snap_compare(to_end_app(tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_picture_run_to_end_summary(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(to_end_app(tmp_path), terminal_size=(80, 24),
                        run_before=finished_walk)


def test_picture_apply_succeeded(snap_compare: Any, picture_folder: Path) -> None:
    assert snap_compare(apply_app(picture_folder), terminal_size=(100, 30),
                        run_before=apply_fix)


def test_picture_apply_failed(snap_compare: Any, picture_folder: Path) -> None:
    assert snap_compare(apply_app(picture_folder, failing_check), terminal_size=(100, 30),
                        run_before=apply_fix)
