"""Pictures of the TUI: the home screen and one walk of tcp-port to its fix, at 80×24.

Deterministic by construction: frozen test flows (tests/data/tui), a scripted
probe runner with a documentation address, a fixed clock, no cursor blink, no
animation. Update on purpose with ``pytest --snapshot-update`` and look at
every changed picture before committing it.
"""

from __future__ import annotations

from textual.pilot import Pilot

from tests.tui.fakes import ScriptedRunner, refused, still_app

SIZE = (80, 24)


def tcp_app() -> object:
    return still_app(ScriptedRunner({"tcp.connect": refused()}))


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def fill_tcp_form(pilot: Pilot) -> None:
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*"mail.example.test")
    await settle(pilot)


async def to_probe_result(pilot: Pilot) -> None:
    await fill_tcp_form(pilot)
    await pilot.press("enter", "enter")
    await settle(pilot)


async def to_fix(pilot: Pilot) -> None:
    await to_probe_result(pilot)
    await pilot.press("enter")
    await settle(pilot)


def test_home_lists_each_flow_with_its_purpose(snap_compare) -> None:
    assert snap_compare(tcp_app(), terminal_size=SIZE, run_before=settle)


def test_tcp_port_form_filled_in(snap_compare) -> None:
    assert snap_compare(tcp_app(), terminal_size=SIZE, run_before=fill_tcp_form)


def test_tcp_port_probe_result_refused(snap_compare) -> None:
    assert snap_compare(tcp_app(), terminal_size=SIZE, run_before=to_probe_result)


def test_tcp_port_fix_for_refused(snap_compare) -> None:
    assert snap_compare(tcp_app(), terminal_size=SIZE, run_before=to_fix)


async def to_question(pilot: Pilot) -> None:
    await pilot.press("down", "enter")
    await pilot.pause()
    await pilot.press(*"mail.example.test", "enter", *"s3cret", "enter")
    await settle(pilot)


async def to_fix_with_actions(pilot: Pilot) -> None:
    await to_question(pilot)
    await pilot.press("down", "down", "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def submission_app() -> object:
    return still_app(ScriptedRunner({"tcp.connect": refused(port=25)}))


def test_question_offers_its_choices(snap_compare) -> None:
    assert snap_compare(submission_app(), terminal_size=SIZE, run_before=to_question)


def test_fix_shows_findings_by_severity_and_actions_to_type(snap_compare) -> None:
    assert snap_compare(submission_app(), terminal_size=SIZE, run_before=to_fix_with_actions)
