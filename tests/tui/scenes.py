"""The pictures of the TUI: each scene is an app with fixed data and the keys that reach a state.

The recipes of the TUI's own snapshot tests (tests/test_tui_snapshots.py); the
README's pictures show the shipped flows instead (tests/tui/readme_scenes.py).
Every scene is deterministic: frozen test flows, scripted probe results with
documentation names and addresses, fixed clocks, no blinking, no animation, a
main.cf in the current folder (named relatively, so no machine's path is on
screen).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.tui.fakes import (
    DATA,
    ScriptedRunner,
    all_tui_flows,
    open_entry,
    refused,
    settle,
    still_app,
)
from wizard.probes.base import ProbeResult
from wizard.tui.app import EmailWizardApp

EXPLAINED = "535 Authorization failed: address app@example.com not authorized"
"""The error pasted into "Explain an error" in the scenes."""
CANARY = "canary-Pa55word!"
"""The password typed in the scenes: it must never be on screen."""


def dkim_misplaced() -> ProbeResult:
    """``dkim.misplaced`` finding the CNAME pasted with the zone name twice."""
    return ProbeResult(
        "misplaced_found",
        "the CNAME is at sel1._domainkey.example.com.example.com., not at "
        "sel1._domainkey.example.com.",
        ("sel1._domainkey.example.com.example.com. 3600 IN CNAME "
         "sel1.example-com._domainkey.iad1.oracleemaildelivery.com.",
         "sel1._domainkey.example.com.: NXDOMAIN"),
        {"correct_name": "sel1._domainkey.example.com.", "zone": "example.com.",
         "zone_relative_name": "sel1._domainkey", "correct_present": False,
         "misplaced": True, "misplaced_name": "sel1._domainkey.example.com.example.com.",
         "misplaced_rtype": "CNAME",
         "misplaced_value": "sel1.example-com._domainkey.iad1.oracleemaildelivery.com.",
         "misplaced_zone_relative_name": "sel1._domainkey.example.com"},
        elapsed_ms=12,
    )


def postfix_read() -> ProbeResult:
    """``postfix.config`` reading the test main.cf."""
    return ProbeResult(
        "read", "main.cf read: 4 parameters set",
        ("relayhost = smtp.example.test", "smtp_use_tls = yes"),
        {"source": "main.cf", "main_cf": "main.cf", "relayhost": "smtp.example.test",
         "smtp_use_tls": "yes", "smtp_tls_security_level": "", "params": {},
         "param_lines": {}, "warnings": [], "mail_version": "3.8.6",
         "smtp_enforce_tls": "", "smtp_tls_protocols": "", "smtp_tls_mandatory_protocols": ""},
        elapsed_ms=5,
    )


def results() -> dict[str, ProbeResult | BaseException]:
    """Every probe the scenes run, answered from fixed data."""
    return {"tcp.connect": refused(), "dkim.misplaced": dkim_misplaced(),
            "postfix.config": postfix_read()}


def put_main_cf(folder: Path) -> None:
    """The test main.cf, in ``folder`` (the scenes run with it as the current folder)."""
    shutil.copyfile(DATA / "main.cf", folder / "main.cf")


Steps = Callable[[Any], Awaitable[None]]


@dataclass(frozen=True)
class Scene:
    """One picture: how to build the app and which keys to press."""

    name: str
    steps: Steps
    gate: bool = False
    """Hold probes (to picture one running)."""
    theme: str | None = None

    def app(self) -> EmailWizardApp:
        """A fresh app for this scene."""
        gate = asyncio.Event() if self.gate else None
        return still_app(ScriptedRunner(results(), gate=gate), all_tui_flows(),
                         theme=self.theme)


async def home(pilot: Any) -> None:
    await settle(pilot)


async def home_filtered(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press(*"dkim")
    await settle(pilot)


async def home_error(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press(*"535")
    await settle(pilot)


async def question(pilot: Any) -> None:
    await open_entry(pilot, "submission")
    await pilot.press(*"mail.example.test", "enter", *CANARY, "enter")
    await settle(pilot)


async def tcp_form(pilot: Any) -> None:
    await open_entry(pilot, "tcp")
    await pilot.press(*"mail.example.test")
    await settle(pilot)


async def probe_running(pilot: Any) -> None:
    await tcp_form(pilot)
    await pilot.press("ctrl+r")
    await pilot.pause()


async def probe_result(pilot: Any) -> None:
    await tcp_form(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)


async def by_hand(pilot: Any) -> None:
    await probe_running(pilot)
    await pilot.press("a")
    await pilot.pause()


async def step_evidence(pilot: Any) -> None:
    await probe_result(pilot)
    await pilot.press("shift+tab")
    await pilot.press("enter")
    await settle(pilot)


async def network_fix(pilot: Any) -> None:
    await question(pilot)
    await pilot.press("down", "down", "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def dns_fix(pilot: Any) -> None:
    await open_entry(pilot, "dkim")
    await pilot.press(*"example.com", "enter", *"sel1", "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def postconf_fix(pilot: Any) -> None:
    await open_entry(pilot, "relay")
    await pilot.press(*"main.cf", "enter", *"smtp.example.test", "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def apply_confirm(pilot: Any) -> None:
    await postconf_fix(pilot)
    await pilot.press("p")
    await settle(pilot)


async def save_dialog(pilot: Any) -> None:
    await dns_fix(pilot)
    await pilot.press("s")
    await settle(pilot)


async def explain_results(pilot: Any) -> None:
    await open_entry(pilot, "explain")
    await pilot.press(*EXPLAINED)
    await settle(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)


async def explain_continue(pilot: Any) -> None:
    await explain_results(pilot)
    await pilot.press("ctrl+o")
    await settle(pilot)


async def explain_generic(pilot: Any) -> None:
    await open_entry(pilot, "explain")
    await pilot.press(*"550 5.1.1 mailbox unavailable")
    await settle(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)


async def explain_unknown(pilot: Any) -> None:
    await open_entry(pilot, "explain")
    await pilot.press(*"the mail never arrived")
    await settle(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)


async def tour_start(pilot: Any) -> None:
    await open_entry(pilot, "tour")
    await settle(pilot)


async def tour_checklist(pilot: Any) -> None:
    await tour_start(pilot)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*"example.com", "enter")
    await pilot.pause()
    await pilot.press(*"sel1", "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def tour_done(pilot: Any) -> None:
    await tour_checklist(pilot)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*"mail.example.test", "enter", "enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


SCENES: dict[str, Scene] = {scene.name: scene for scene in [
    Scene("home", home),
    Scene("home-filtered", home_filtered),
    Scene("home-error", home_error),
    Scene("question", question),
    Scene("form", tcp_form),
    Scene("probe-running", probe_running, gate=True),
    Scene("by-hand", by_hand, gate=True),
    Scene("probe-result", probe_result),
    Scene("step-evidence", step_evidence),
    Scene("fix-network", network_fix),
    Scene("fix-dns", dns_fix),
    Scene("fix-postconf", postconf_fix),
    Scene("apply-confirm", apply_confirm),
    Scene("save-dialog", save_dialog),
    Scene("explain", explain_results),
    Scene("explain-generic", explain_generic),
    Scene("explain-continue", explain_continue),
    Scene("explain-unknown", explain_unknown),
    Scene("tour", tour_start),
    Scene("tour-checklist", tour_checklist),
    Scene("tour-done", tour_done),
    Scene("fix-dns-light", dns_fix, theme="textual-light"),
]}
