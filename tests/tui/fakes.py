"""A scripted probe runner and the flows and app settings the TUI tests share."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wizard.flow.loader import load_flow
from wizard.flow.model import Flow
from wizard.probes.base import ProbeResult
from wizard.tui.app import EmailWizardApp, make_app

DATA = Path(__file__).resolve().parent.parent / "data" / "tui"


def tui_flows() -> list[Flow]:
    """The frozen test flows, in the order the home screen shows them."""
    return [load_flow(DATA / "tcp-port.yaml"), load_flow(DATA / "submission-port.yaml")]


def refused(host: str = "mail.example.test", port: int = 587) -> ProbeResult:
    """What ``tcp.connect`` says about a closed port (documentation address, no real host)."""
    return ProbeResult(
        "refused",
        f"{host}:{port} refused the connection: something answered, nothing listens",
        (f"192.0.2.25 port {port}: connection refused (RST)",),
        {"host": host, "port": port, "address": "192.0.2.25", "connect_ms": None},
        elapsed_ms=3,
    )


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


def still_app(runner: Any, flows: list[Flow] | None = None) -> EmailWizardApp:
    """The app as the tests see it: fixed flows and clock, no blinking, no animation."""
    return make_app(flows if flows is not None else tui_flows(), runner, clock=lambda: 0.0,
                    cursor_blink=False, animation_level="none")


def screen_text(app: EmailWizardApp) -> str:
    """The text of every label and paragraph on the current screen, one per line."""
    from textual.widgets import Static

    return "\n".join(str(widget.content) for widget in app.screen.query(Static))
