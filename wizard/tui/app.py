"""The Textual app behind a bare ``email-wizard``: built by :func:`make_app`, run by
:func:`run_app`.

One factory builds the app for the command line and for the tests (posting's
pattern), so the tests exercise the real wiring with an injected probe runner,
flow set and clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.constants import AnimationLevel
from textual.screen import Screen

from wizard.engine import Session
from wizard.flow.model import Flow
from wizard.probes.runner import ProbeRunner
from wizard.tui.screens.home import HomeScreen
from wizard.tui.screens.inputs import InputsScreen
from wizard.tui.screens.walk import WalkScreen


class EmailWizardApp(App[int]):
    """Home (the flows) → a flow's form → the walk, step by step, to a fix or an all-clear."""

    CSS_PATH = "app.tcss"
    TITLE = "email-wizard"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def __init__(self, flows: Sequence[Flow], runner: ProbeRunner, *,
                 clock: Callable[[], float] = time.monotonic, broken: Sequence[str] = (),
                 cursor_blink: bool = True, animation_level: AnimationLevel = "full") -> None:
        super().__init__()
        self.flows = list(flows)
        """The flows on the home screen, in order."""
        self.runner = runner
        """Runs every probe of every walk."""
        self.clock = clock
        """Seconds, monotonic: the running probe's elapsed time."""
        self.broken = list(broken)
        """Flow files that did not load, one line each."""
        self.cursor_blink = cursor_blink
        """Whether text cursors blink (off for snapshots)."""
        self.animation_level = animation_level

    def get_default_screen(self) -> Screen[None]:
        """The home screen."""
        return HomeScreen(self.flows, self.broken)

    def open_flow(self, flow: Flow) -> None:
        """The flow's form, or straight to the walk when it needs no input."""
        if flow.inputs:
            self.push_screen(InputsScreen(flow))
        else:
            self.start_walk(flow, {})

    def start_walk(self, flow: Flow, values: dict[str, object]) -> None:
        """Start a walk through ``flow`` with checked input ``values``."""
        self.push_screen(WalkScreen(Session.start(flow, values, self.runner)))

    def go_home(self) -> None:
        """Close every screen above the home screen."""
        while len(self.screen_stack) > 1:
            self.pop_screen()


def make_app(flows: Sequence[Flow] | None = None, runner: ProbeRunner | None = None, *,
             clock: Callable[[], float] | None = None, cursor_blink: bool = True,
             animation_level: AnimationLevel = "full") -> EmailWizardApp:
    """Build the app; ``None`` means the installed flows and the real probe runner.

    Tests pass an explicit flow list, a fake or loopback runner, a fixed clock,
    ``cursor_blink=False`` and ``animation_level="none"`` for pictures that do
    not move.
    """
    broken: list[str] = []
    if flows is None:
        from wizard.flow.loader import discover

        catalogue = discover()
        flows = [flow for _, (flow, _) in sorted(catalogue.flows.items())]
        broken = [str(diag) for diag in catalogue.broken]
    if runner is None:
        from wizard.probes.base import ProbeContext
        from wizard.probes.runner import RegistryRunner

        runner = RegistryRunner(ProbeContext())
    return EmailWizardApp(flows, runner, clock=clock or time.monotonic, broken=broken,
                          cursor_blink=cursor_blink, animation_level=animation_level)


def run_app() -> int:
    """Run the TUI on the installed flows with real probes; the exit code (0 unless it failed)."""
    app = make_app()
    app.run()
    return app.return_code or 0
