"""Pictures of a flow's terminal states in the TUI, from replayed probe results.

A flow's headless tests prove each terminal state against real servers; its
picture needs the same path with fixed, documentation-only values (no
loopback ports, no timings). :class:`ReplayRunner` answers probes in call
order from a list, and :func:`walk_to_end` drives the real walk screen —
Continue on each result page, answers from a dict on each question — until
the flow finishes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from textual.pilot import Pilot

from wizard.flow.model import Flow
from wizard.probes.base import ProbeResult
from wizard.tui.app import EmailWizardApp, make_app

SIZE = (100, 34)


class ReplayRunner:
    """Answers probe calls with ``results`` in order (keyed by probe name, FIFO each)."""

    def __init__(self, results: Sequence[tuple[str, ProbeResult]]) -> None:
        self.queues: dict[str, list[ProbeResult]] = {}
        for name, result in results:
            self.queues.setdefault(name, []).append(result)

    async def run(self, name: str, params: Mapping[str, Any]) -> ProbeResult:
        """The next scripted result for ``name``."""
        queue = self.queues.get(name)
        if not queue:
            raise AssertionError(f"no scripted result left for {name} ({dict(params)})")
        return queue.pop(0)


def result(outcome: str, summary: str, facts: Mapping[str, Any] | None = None,
           evidence: Sequence[str] = ()) -> ProbeResult:
    """A probe result with a fixed elapsed time."""
    return ProbeResult(outcome, summary, tuple(evidence), dict(facts or {}), elapsed_ms=12)


def still_app(flow: Flow, runner: ReplayRunner) -> EmailWizardApp:
    """The app with one flow, a fixed clock, no blinking, no animation."""
    return make_app([flow], runner, clock=lambda: 0.0, cursor_blink=False,
                    animation_level="none")


def walk_to_end(flow: Flow, values: Mapping[str, Any],
                answers: Mapping[str, str] | None = None) -> Callable[[Pilot], Awaitable[None]]:
    """A ``run_before`` that walks ``flow`` with ``values`` until it finishes."""
    answers = dict(answers or {})

    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        assert isinstance(app, EmailWizardApp)
        app.start_walk(flow, dict(values))
        for _ in range(60):
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen: Any = app.screen
            session = screen.session
            if session.finished and screen.walk.page == "result":
                break
            if screen.walk.page == "ask":
                step = session.question()
                await screen._answer(step, answers[step.var])
            elif screen.walk.page == "result":
                await screen.action_go_on()
        else:
            raise AssertionError("the walk did not finish")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen.query_one("#step").scroll_home(animate=False)
        await pilot.pause()

    return run_before
