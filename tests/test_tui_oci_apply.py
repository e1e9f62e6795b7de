"""The TUI's Apply for ``oci`` fixes: a confirmation that shows every change, nothing sent
without it, then the API call and a re-read in a worker, and the result dialog.

The walk reads the suppression list and the approved senders from the loopback API
server (tests/servers/oci_api.py, which verifies every request's signature) through the
real SDK; the fixes it ends with are the ``oci`` actions the Apply sends there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.servers.oci_api import TENANCY
from tests.servers.oci_fixtures import PROFILE, OciLab
from tests.tui.fakes import (
    FIXED_TIME,
    ScriptedRunner,
    open_entry,
    passing_check,
    screen_text,
    settle,
)
from wizard.flow.loader import load_flow
from wizard.ociapi.settings import resolve_settings
from wizard.probes.base import ProbeContext, ProbeResult
from wizard.probes.runner import RegistryRunner
from wizard.settings import Settings
from wizard.tui.app import EmailWizardApp, make_app
from wizard.tui.screens.dialogs import ApplyResultScreen, OciApplyConfirmScreen
from wizard.tui.screens.walk import WalkScreen
from wizard.tui.widgets import FixView

SENDER = "app@example.com"
RECIPIENT = "to@example.net"
SIZE = (110, 40)

FLOW = f"""\
id: oci-lists
title: OCI lists
start: lists
steps:
  lists:
    kind: probe
    title: Read the approved senders and the suppression list
    probes:
      api_sender:
        probe: oci.sender
        with: {{address: "{SENDER}"}}
      api_suppression:
        probe: oci.suppression
        with: {{address: "{RECIPIENT}"}}
    branch_on: api_suppression
    on:
      suppressed: suppressed
      default: sender
  suppressed:
    kind: fix
    title: "{{api_suppression.address}} is on the suppression list"
    findings:
      - id: demo.suppressed
        message: "OCI Email Delivery says: {{api_suppression.summary}}."
    fixes:
      - id: demo.remove-suppression
        title: Remove {{api_suppression.address}} from the suppression list
        applicable: true
        text: "Reason: {{api_suppression.reason}}. {{api_suppression.warning}}"
        actions:
          - type: oci
            op: delete_suppression
            address: "{{api_suppression.address}}"
            resource: "{{api_suppression.suppression_id}}"
            compartment: "{{api_suppression.compartment}}"
            warning: "{{api_suppression.warning}}"
    next: sender
  sender:
    kind: switch
    title: Is the sender approved?
    value: "{{api_sender.outcome}}"
    cases:
      not_approved: not_approved
    default: done
  not_approved:
    kind: fix
    title: "{SENDER} is not an approved sender"
    findings:
      - id: demo.not-approved
        message: "{{api_sender.summary}}"
    fixes:
      - id: demo.create-sender
        title: Add {SENDER} as an approved sender
        applicable: true
        actions:
          - type: oci
            op: create_sender
            address: "{SENDER}"
            compartment: "{{api_sender.compartment}}"
    next: done
  done:
    kind: end
    title: Checked
    status: healthy
    message: Checked the lists.
"""


def lab_context(lab: OciLab) -> ProbeContext:
    settings = resolve_settings(config=str(lab.config), profile=PROFILE, auth=None,
                                endpoint=lab.server.url, submit_endpoint=None, env={})
    return ProbeContext(timeout=3, ca_file=str(lab.ca_file), oci=settings)


def oci_app(tmp_path: Path, ctx: ProbeContext) -> EmailWizardApp:
    path = tmp_path / "oci-lists.yaml"
    path.write_text(FLOW, encoding="utf-8")
    return make_app([load_flow(path)], RegistryRunner(ctx), clock=lambda: 0.0,
                    cursor_blink=False, animation_level="none",
                    sessions_folder=tmp_path / "sessions", wall_clock=lambda: FIXED_TIME,
                    postfix_check=passing_check, tour=tmp_path / "no-tour.yaml",
                    settings=Settings())


async def summary(pilot: Any) -> WalkScreen:
    await open_entry(pilot, "OCI lists")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WalkScreen) and screen.session.finished
    return screen


async def open_confirmation(pilot: Any, title: str) -> OciApplyConfirmScreen:
    screen = await summary(pilot)
    [view] = [v for v in screen.query(FixView) if v.fix.title == title]
    assert view.can_apply
    view.query_one(".apply").press()
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, OciApplyConfirmScreen)
    return dialog


def non_reads(lab: OciLab) -> list[tuple[str, str]]:
    return [(m, p) for m, p in lab.server.requests if m != "GET"]


async def test_confirming_removes_the_suppression_and_proves_it_by_re_reading(
        tmp_path: Path, oci_lab: OciLab) -> None:
    oci_lab.server.state.add_sender(SENDER)
    resource = oci_lab.server.state.add_suppression(RECIPIENT, "HARDBOUNCE")
    app = oci_app(tmp_path, lab_context(oci_lab))
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_confirmation(pilot, f"Remove {RECIPIENT} from the suppression list")
        shown = screen_text(app)
        for field in ("Remove from the suppression list", RECIPIENT, TENANCY, resource):
            assert field in shown
        reads = len(oci_lab.server.requests)
        assert non_reads(oci_lab) == [], "nothing is sent before the confirmation"
        dialog.action_apply()
        await settle(pilot)
        await settle(pilot)
        result = app.screen
        assert isinstance(result, ApplyResultScreen) and result.report.ok
        assert "verified by re-reading" in screen_text(app)
        assert "no longer on the suppression list" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        walk = app.screen
        assert isinstance(walk, WalkScreen)
        [view] = [v for v in walk.query(FixView) if v.oci]
        assert not view.can_apply and not view.query(".apply"), "applied: nothing to apply"
    after = oci_lab.server.requests[reads:]
    assert after == [("DELETE", f"/20170907/suppressions/{resource}"),
                     ("GET", "/20170907/suppressions")]
    assert oci_lab.server.state.suppressions == {}
    assert oci_lab.server.rejections == []


async def test_confirming_adds_the_approved_sender_and_proves_it(tmp_path: Path,
                                                                 oci_lab: OciLab) -> None:
    app = oci_app(tmp_path, lab_context(oci_lab))
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_confirmation(pilot, f"Add {SENDER} as an approved sender")
        assert "Add an approved sender" in screen_text(app)
        reads = len(oci_lab.server.requests)
        dialog.action_apply()
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, ApplyResultScreen) and app.screen.report.ok
    assert oci_lab.server.requests[reads:] == [("POST", "/20170907/senders"),
                                               ("GET", "/20170907/senders")]
    assert [s["emailAddress"] for s in oci_lab.server.state.senders.values()] == [SENDER]


async def test_cancelling_sends_nothing_that_changes_anything(tmp_path: Path,
                                                              oci_lab: OciLab) -> None:
    oci_lab.server.state.add_suppression(RECIPIENT, "COMPLAINT")
    app = oci_app(tmp_path, lab_context(oci_lab))
    async with app.run_test(size=SIZE) as pilot:
        await open_confirmation(pilot, f"Remove {RECIPIENT} from the suppression list")
        assert "Warning" in screen_text(app) and "complained" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, WalkScreen)
        await open_confirmation_again(pilot)
        await pilot.press("enter")  # Cancel has the focus
        await settle(pilot)
        assert isinstance(app.screen, WalkScreen)
    assert oci_lab.server.requests and oci_lab.server.methods() == {"GET"}
    assert len(oci_lab.server.state.suppressions) == 1


async def open_confirmation_again(pilot: Any) -> None:
    await pilot.press("p")
    await pilot.pause()
    assert isinstance(pilot.app.screen, OciApplyConfirmScreen)


def test_picture_oci_apply_confirmation(snap_compare: Any, tmp_path: Path,
                                        oci_lab: OciLab) -> None:
    """A complaint's removal: every field of the change and the warning, Cancel focused."""
    resource = "ocid1.emailsuppression.oc1..picture"
    oci_lab.server.state.add_sender(SENDER)
    oci_lab.server.state.suppressions[resource] = {
        "compartmentId": TENANCY, "emailAddress": RECIPIENT, "id": resource,
        "reason": "COMPLAINT", "timeCreated": "2026-01-05T10:00:00Z"}

    async def run_before(pilot: Any) -> None:
        await summary(pilot)
        await open_confirmation_again(pilot)  # by key: a pressed button would still glow

    assert snap_compare(oci_app(tmp_path, lab_context(oci_lab)), terminal_size=(100, 32),
                        run_before=run_before)
    assert oci_lab.server.methods() == {"GET"}


async def test_without_an_oci_profile_apply_says_so_and_sends_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No profile (no ~/.oci/config, none named): no confirmation, a note what to set."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("OCI_CLI_CONFIG_FILE", raising=False)
    monkeypatch.delenv("OCI_CLI_PROFILE", raising=False)
    suppressed = ProbeResult("suppressed", f"{RECIPIENT} is suppressed", facts={
        "address": RECIPIENT, "suppression_id": "ocid1.emailsuppression.oc1..x",
        "reason": "HARDBOUNCE", "warning": "", "compartment": TENANCY})
    runner = ScriptedRunner({"oci.sender": ProbeResult("approved", "approved"),
                             "oci.suppression": suppressed})
    path = tmp_path / "oci-lists.yaml"
    path.write_text(FLOW, encoding="utf-8")
    app = make_app([load_flow(path)], runner, clock=lambda: 0.0, cursor_blink=False,
                   animation_level="none", sessions_folder=tmp_path / "sessions",
                   wall_clock=lambda: FIXED_TIME, postfix_check=passing_check,
                   tour=tmp_path / "no-tour.yaml", settings=Settings())
    async with app.run_test(size=SIZE) as pilot:
        await summary(pilot)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, WalkScreen)
        assert any("No OCI profile" in n.message for n in app._notifications)
