"""The TUI driven like a user would: keys in, what is on screen out."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from tests.tui.fakes import ScriptedRunner, open_entry, refused, screen_text, settle, still_app
from wizard.probes.base import ProbeContext, ProbeResult
from wizard.probes.runner import RegistryRunner
from wizard.settings import Settings
from wizard.tui.app import EmailWizardApp, make_app
from wizard.tui.screens.home import HomeScreen
from wizard.tui.screens.inputs import Field, InputsScreen
from wizard.tui.screens.walk import WalkScreen

SIZE = (80, 24)


async def open_tcp_port(pilot: Pilot, host: str = "mail.example.test",
                        port: str | None = None) -> None:
    await open_entry(pilot, "tcp")
    await pilot.press(*host)
    if port is not None:
        field = pilot.app.screen.query(Field).last()
        field.editor.value = ""
        await pilot.press("tab", *port)
    await settle(pilot)


def walk(app: EmailWizardApp) -> WalkScreen:
    assert isinstance(app.screen, WalkScreen), app.screen
    return app.screen


async def test_ctrl_q_on_the_home_screen_quits() -> None:
    app = still_app(ScriptedRunner({}))
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code in (None, 0)
    assert not app.is_running


async def test_q_typed_into_a_field_is_a_letter_not_quit() -> None:
    app = still_app(ScriptedRunner({}))
    async with app.run_test(size=SIZE) as pilot:
        await open_tcp_port(pilot, host="qq.example")
        assert app.is_running
        assert app.screen.query(Input).first().value == "qq.example"


async def test_a_bad_port_is_explained_under_its_field_and_nothing_runs() -> None:
    runner = ScriptedRunner({"tcp.connect": refused()})
    app = still_app(runner)
    async with app.run_test(size=SIZE) as pilot:
        await open_tcp_port(pilot, port="99999")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, InputsScreen)
        port_field = app.screen.query(Field).last()
        assert port_field.has_class("-invalid")
        assert "port: 99999 is out of range (1-65535)" in screen_text(app)
        assert port_field.editor.has_focus
        assert runner.calls == []


async def test_a_missing_required_host_is_named() -> None:
    app = still_app(ScriptedRunner({}))
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(pilot, "tcp")
        await pilot.click("#start")
        await pilot.pause()
        assert isinstance(app.screen, InputsScreen)
        assert "host: required" in screen_text(app)


async def test_a_fixed_bad_field_lets_the_walk_start() -> None:
    runner = ScriptedRunner({"tcp.connect": refused()})
    app = still_app(runner)
    async with app.run_test(size=SIZE) as pilot:
        await open_tcp_port(pilot, host="not a host")
        await pilot.press("enter")
        await pilot.pause()
        assert "is not a valid domain name" in screen_text(app)
        app.screen.query(Input).first().value = "mail.example.test"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, WalkScreen)
        assert runner.calls == [("tcp.connect", {"host": "mail.example.test", "port": 587})]


async def test_walk_to_the_fix_and_escape_back_step_by_step() -> None:
    app = still_app(ScriptedRunner({"tcp.connect": refused()}))
    async with app.run_test(size=SIZE) as pilot:
        await open_tcp_port(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        page = screen_text(app)
        assert "mail.example.test:587 refused the connection" in page
        assert "refused:" not in page and "— refused" not in page, "no raw outcome ids"
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Problem found: 192.0.2.25 answered port 587 with a reset" in text
        assert "Fix: Use the port the service listens on" in text
        assert walk(app).session.status == "problem"

        await pilot.press("escape")
        await settle(pilot)
        assert walk(app).walk.page == "result"
        assert [e.step for e in walk(app).session.trail] == ["connect"]
        assert "Problem found" not in screen_text(app)

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, InputsScreen)
        assert app.screen.query(Input).first().value == "mail.example.test"

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_a_question_is_answered_from_its_choices_and_back_returns_to_it() -> None:
    runner = ScriptedRunner({"tcp.connect": refused(port=465)})
    app = still_app(runner)
    async with app.run_test(size=SIZE) as pilot:
        await open_entry(pilot, "submission")
        await pilot.press(*"mail.example.test", "enter", *"s3cret", "enter")
        await settle(pilot)
        assert walk(app).walk.page == "ask"
        await pilot.press("down", "enter")
        await settle(pilot)
        assert runner.calls == [("tcp.connect", {"host": "mail.example.test", "port": "465"})]
        assert "Which port does your application send to? → 465" in screen_text(app)

        await pilot.press("escape")
        await settle(pilot)
        assert walk(app).walk.page == "ask"
        assert walk(app).session.trail == []
        assert app.screen.query_one("#answer-choices", OptionList).highlighted == 1
        assert len(runner.calls) == 1


async def test_a_crashing_probe_shows_its_reason_and_can_run_again() -> None:
    runner = ScriptedRunner({"tcp.connect": RuntimeError("socket exploded")})
    app = still_app(runner)
    async with app.run_test(size=SIZE) as pilot:
        await open_tcp_port(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert app.is_running
        assert "This step could not run: RuntimeError: socket exploded" in screen_text(app)
        assert walk(app).session.trail == []
        assert not walk(app).session.can_go_back()

        runner.results["tcp.connect"] = refused()
        await pilot.press("r")
        await settle(pilot)
        assert "mail.example.test:587 refused the connection" in screen_text(app)
        assert len(runner.calls) == 2


async def test_a_probe_result_can_be_run_again() -> None:
    runner = ScriptedRunner({"tcp.connect": refused()})
    app = still_app(runner)
    async with app.run_test(size=SIZE) as pilot:
        await open_tcp_port(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        runner.results["tcp.connect"] = ProbeResult(
            "open", "mail.example.test:587 accepts connections", (),
            {"host": "mail.example.test", "port": 587, "address": "192.0.2.25",
             "connect_ms": 1.0})
        await pilot.press("r")
        await settle(pilot)
        assert [e.outcome for e in walk(app).session.trail] == ["open"]
        await pilot.press("enter")
        await settle(pilot)
        assert "Nothing wrong found: Port 587 is reachable" in screen_text(app)


async def test_escape_cancels_a_running_probe_and_leaves_the_session_as_it_was() -> None:
    gate = asyncio.Event()
    runner = ScriptedRunner({"tcp.connect": refused()}, gate=gate)
    app = still_app(runner)
    async with app.run_test(size=SIZE) as pilot:
        await open_tcp_port(pilot)
        await pilot.press("enter", "enter")
        await pilot.pause()
        screen = walk(app)
        assert screen.running
        assert "running tcp.connect…  0.0 s" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, InputsScreen)
        assert screen.session.trail == [] and not screen.session.can_go_back()
        assert screen.session.current == "connect"


async def test_home_goes_back_to_the_list_of_flows() -> None:
    app = still_app(ScriptedRunner({"tcp.connect": refused()}))
    async with app.run_test(size=SIZE) as pilot:
        await open_tcp_port(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_make_app_lists_the_installed_flows_by_default() -> None:
    app = make_app()
    assert "tcp-port" in [flow.id for flow in app.flows]
    assert isinstance(app.runner, RegistryRunner)


async def real_walk(port: int) -> tuple[str, str]:
    app = make_app(runner=RegistryRunner(ProbeContext(timeout=3.0)), cursor_blink=False,
                   animation_level="none", settings=Settings(walk="step_by_step"))
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, HomeScreen)
        await open_entry(pilot, "tcp-port")
        await open_tcp_port_form(pilot, "127.0.0.1", str(port))
        await pilot.press("ctrl+r")
        await settle(pilot)
        result_page = screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        return result_page, screen_text(app)


async def open_tcp_port_form(pilot: Pilot, host: str, port: str) -> None:
    fields = list(pilot.app.screen.query(Field))
    fields[0].editor.value = host
    fields[1].editor.value = port
    await pilot.pause()


async def test_real_loopback_listener_is_reachable(listening_port: int) -> None:
    result_page, end_page = await real_walk(listening_port)
    assert f"127.0.0.1:{listening_port} accepts connections" in result_page
    assert "open:" not in result_page
    assert f"127.0.0.1 port {listening_port}: connected" in result_page
    assert f"Nothing wrong found: Port {listening_port} is reachable" in end_page


async def test_real_closed_port_is_refused_and_explained(closed_port: int) -> None:
    result_page, fix_page = await real_walk(closed_port)
    assert f"127.0.0.1:{closed_port} refused the connection" in result_page
    assert f"Problem found: 127.0.0.1 answered port {closed_port} with a reset" in fix_page
    assert "Fix: Use the port the service listens on" in fix_page
