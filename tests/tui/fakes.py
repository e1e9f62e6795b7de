"""A scripted probe runner and the flows and app settings the TUI tests share."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wizard.fixes.apply_postconf import CheckResult
from wizard.flow.loader import load_flow
from wizard.flow.model import Flow
from wizard.postfix.check import POSTFIX_CHECK
from wizard.probes.base import ProbeResult
from wizard.settings import Settings
from wizard.tui.app import EmailWizardApp, make_app

DATA = Path(__file__).resolve().parent.parent / "data" / "tui"
FIXED_TIME = 1767268800.0
"""2026-01-01 12:00:00 UTC: the wall clock of every picture (names of saved files)."""
SESSIONS = Path("/home/user/.config/email-wizard/sessions")
"""A sessions folder that does not exist: pictures show no saved session and no real path."""


def tui_flows() -> list[Flow]:
    """The frozen test flows, in the order the home screen shows them."""
    return [load_flow(DATA / "tcp-port.yaml"), load_flow(DATA / "submission-port.yaml")]


def all_tui_flows() -> list[Flow]:
    """The test flows plus those with DNS and postconf fixes (for the fix pictures)."""
    return [*tui_flows(), load_flow(DATA / "dkim-record.yaml"),
            load_flow(DATA / "relay-tls.yaml"), load_flow(DATA / "undelivered-mail.yaml")]


def refused(host: str = "mail.example.test", port: int = 587) -> ProbeResult:
    """What ``tcp.connect`` says about a closed port (documentation address, no real host)."""
    return ProbeResult(
        "refused",
        f"{host}:{port} refused the connection: something answered, nothing listens",
        (f"192.0.2.25 port {port}: connection refused (RST)",),
        {"host": host, "port": port, "address": "192.0.2.25", "connect_ms": None},
        elapsed_ms=3,
    )


def passing_check(config_dir: Path) -> CheckResult:
    """A ``postfix check`` stand-in that passes (the real one needs Postfix)."""
    return CheckResult(True, True, "", checked=(POSTFIX_CHECK,))


class ScriptedRunner:
    """Answers each probe from a script; a result can be an exception to raise.

    ``gate``, when given, holds every probe until it is set (to see the running state).
    """

    def __init__(self, results: Mapping[str, ProbeResult | BaseException],
                 gate: asyncio.Event | None = None) -> None:
        self.results = dict(results)
        self.gate = gate
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def run(self, name: str, params: Mapping[str, Any]) -> ProbeResult:
        """The scripted result for ``name``."""
        self.calls.append((name, dict(params)))
        if self.gate is not None:
            await self.gate.wait()
        result = self.results[name]
        if isinstance(result, BaseException):
            raise result
        return result


def still_app(runner: Any, flows: list[Flow] | None = None, *,
              sessions_folder: Path | None = None, theme: str | None = None,
              tour: Path | None = None, to_end: bool = False) -> EmailWizardApp:
    """The app as the tests see it: fixed flows, clocks and tour, no blinking, no animation.

    Walks go step by step unless ``to_end`` (the default of a real start), so a
    test can look at each step's page.
    """
    return make_app(flows if flows is not None else tui_flows(), runner, clock=lambda: 0.0,
                    cursor_blink=False, animation_level="none",
                    sessions_folder=sessions_folder or SESSIONS,
                    wall_clock=lambda: FIXED_TIME, postfix_check=passing_check,
                    tour=tour or DATA / "tour.yaml", theme=theme,
                    settings=Settings(walk="to_end" if to_end else "step_by_step"))


def screen_text(app: EmailWizardApp) -> str:
    """The text of every label, paragraph and list option on the current screen."""
    from textual.widgets import OptionList, Static

    parts = [str(widget.content) for widget in app.screen.query(Static)]
    for listing in app.screen.query(OptionList):
        parts += [str(option.prompt) for option in listing.options]
    return "\n".join(parts)


async def settle(pilot: Any) -> None:
    """Wait for every worker, then for the screen to catch up."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_entry(pilot: Any, words: str) -> None:
    """On the home screen: type ``words`` into the filter and open the first entry."""
    await pilot.press(*words, "enter")
    await pilot.pause()
