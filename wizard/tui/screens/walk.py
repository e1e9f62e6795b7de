"""The walk: the steps taken so far, and the current step — a question, a running probe,
a probe's result, or the fixes."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Input, OptionList, Static
from textual.worker import Worker, WorkerState

from wizard.engine import Session, TrailEntry
from wizard.flow.model import AskStep, InputSpec, ProbeStep
from wizard.inputs import BadInput, check_input
from wizard.tui.navigation import Walk
from wizard.tui.widgets import (
    Banner,
    FindingsView,
    FixView,
    RunningIndicator,
    TrailView,
    entry_mark,
    marked,
)

if TYPE_CHECKING:
    from wizard.tui.app import EmailWizardApp

PROBE_GROUP = "probe"


class WalkScreen(Screen[None]):
    """One flow, step by step. ``escape`` steps back; at the first step it leaves the walk."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("enter", "go_on", "Continue"),
        Binding("r", "rerun", "Re-run"),
        Binding("h", "home", "Home"),
    ]

    class StepDone(Message):
        """A probe step finished (its outcome may still be ``error``)."""

        def __init__(self, entry: TrailEntry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.walk = Walk(session)
        self.sub_title = session.flow.title
        self.failure: str | None = None
        """Why the current step failed outright (a bug or a crash, not an outcome)."""
        self.running = False
        self._leave_after_cancel = False

    @property
    def session(self) -> Session:
        """The engine session this screen shows."""
        return self.walk.session

    @property
    def wizard(self) -> EmailWizardApp:
        """The app, typed."""
        return cast("EmailWizardApp", self.app)

    def compose(self) -> ComposeResult:
        """Trail on top, the current step below."""
        yield Header()
        trail = TrailView(id="trail")
        trail.border_title = "Steps"
        yield trail
        yield VerticalScroll(id="step")
        yield Footer()

    async def on_mount(self) -> None:
        """Show (and, for a probe, start) the first step."""
        await self.show_page()

    # -- pages ---------------------------------------------------------------------------

    async def show_page(self) -> None:
        """Rebuild the current-step pane from the walk's state."""
        walk = self.walk
        if walk.page == "run" and self.failure is None:
            step = self.session.step
            if not isinstance(step, ProbeStep):
                try:
                    await self.session.advance()
                except Exception as exc:  # a bug in a step must not take the app down
                    self.session.back()
                    self.failure = f"{type(exc).__name__}: {exc}"
                else:
                    walk.ran()
        page = walk.page
        step = self.session.step
        upcoming = None
        if page in ("ask", "run") and step is not None:
            upcoming = self.session.render(step.title or getattr(step, "question", ""))
        self.query_one(TrailView).show(self.session.flow, self.session.trail, upcoming)
        pane = self.query_one("#step", VerticalScroll)
        await pane.remove_children()
        if page == "ask":
            assert isinstance(step, AskStep)
            await pane.mount_all(self._ask_widgets(step))
            pane.query_one("Input, OptionList").focus()
        elif page == "run" and self.failure is not None:
            await pane.mount_all(self._failure_widgets())
            pane.focus()
        elif page == "run":
            assert isinstance(step, ProbeStep)
            title = self.session.render(step.title) if step.title else self.session.current
            probes = ", ".join(call.probe for call in step.calls(self.session.current or "")
                               .values())
            await pane.mount_all([
                Static(title or "", classes="step-title", markup=False),
                RunningIndicator(f"running {probes}…", self.wizard.clock,
                                 animate=self.wizard.animation_level != "none"),
                Static("escape cancels", classes="hint", markup=False),
            ])
            pane.focus()
            self.running = True
            self.run_probe()
        else:
            await pane.mount_all(self._result_widgets())
            pane.focus()
        pane.scroll_home(animate=False)
        self.refresh_bindings()

    def _ask_widgets(self, step: AskStep) -> list[Widget]:
        widgets: list[Widget] = [Static(self.session.render(step.question),
                                        classes="step-title", markup=False)]
        if step.help:
            widgets.append(Static(self.session.render(step.help), classes="help", markup=False))
        if step.type == "choice":
            choices = OptionList(*step.choices, id="answer-choices")
            if self.walk.prefill in step.choices:
                choices.highlighted = step.choices.index(self.walk.prefill)
            widgets.append(choices)
        else:
            known = self.session.values.get(step.var)
            value = self.walk.prefill or ("" if known in (None, "") else str(known))
            answer = Input(value=value, password=step.type == "secret", placeholder=step.type,
                           id="answer")
            answer.cursor_blink = self.wizard.cursor_blink
            widgets.append(answer)
        widgets.append(Static("", id="answer-error", markup=False))
        return widgets

    def _failure_widgets(self) -> list[Widget]:
        step = self.session.step
        title = self.session.render(step.title) if step is not None and step.title else ""
        return [
            Static(title or (self.session.current or ""), classes="step-title", markup=False),
            Static(marked(("!", "$text-error"), f"This step could not run: {self.failure}")),
            Static("r runs it again · escape goes back", classes="hint", markup=False),
        ]

    def _result_widgets(self) -> list[Widget]:
        session = self.session
        entry = session.trail[-1]
        widgets: list[Widget] = []
        if session.finished:
            detail = session.error if session.status == "error" else entry.title
            widgets.append(Banner(session.status, detail or ""))
            if session.end_message:
                widgets.append(Static(session.end_message, classes="end-message", markup=False))
        if entry.kind == "probe":
            widgets.append(Static(entry.title, classes="step-title", markup=False))
            outcome = entry.outcome or ""
            if outcome != "error":
                widgets.append(Static(marked(entry_mark(session.flow, entry),
                                             f"{outcome}: {entry.summary}"),
                                      classes="outcome"))
            if entry.evidence:
                widgets.append(Static("\n".join(entry.evidence), classes="evidence",
                                      markup=False))
        elif entry.kind == "fix" and not session.finished:
            widgets.append(Static(entry.title, classes="step-title", markup=False))
        if entry.kind in ("fix", "end") or session.finished:
            if session.findings:
                widgets.append(FindingsView(session.findings))
            widgets.extend(FixView(fix) for fix in session.fixes)
        if not session.finished:
            widgets.append(Button("Continue", id="continue", variant="primary"))
        return widgets

    # -- the probe worker ------------------------------------------------------------------

    @work(exclusive=True, group=PROBE_GROUP, exit_on_error=False, description="run probe step")
    async def run_probe(self) -> None:
        """Run the current probe step; a crash or a cancel leaves the session as it was."""
        try:
            entry = await self.session.advance()
        except BaseException:
            self.session.back()
            raise
        self.post_message(self.StepDone(entry))

    @on(StepDone)
    async def _step_done(self, message: StepDone) -> None:
        self.running = False
        self.walk.ran()
        await self.show_page()

    @on(Worker.StateChanged)
    async def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != PROBE_GROUP:
            return
        if event.state == WorkerState.ERROR:
            self.running = False
            error = event.worker.error
            self.failure = f"{type(error).__name__}: {error}" if error else "unknown error"
            await self.show_page()
        elif event.state == WorkerState.CANCELLED:
            self.running = False
            if self._leave_after_cancel:
                self._leave_after_cancel = False
                await self._back_from_here()

    # -- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show ``Continue`` and ``Re-run`` only where they apply."""
        if action == "go_on":
            return self.walk.page == "result" and not self.session.finished
        if action == "rerun":
            return self.failure is not None or (self.walk.can_rerun() and not self.running)
        return True

    async def action_back(self) -> None:
        """One page back: cancel a running probe, undo the last step, or leave the walk."""
        if self.running:
            self._leave_after_cancel = True
            self.workers.cancel_group(self, PROBE_GROUP)
            return
        await self._back_from_here()

    async def _back_from_here(self) -> None:
        self.failure = None
        if self.walk.back():
            await self.show_page()
        else:
            self.dismiss()

    async def action_go_on(self) -> None:
        """Leave a result page for the next step."""
        if self.walk.page == "result" and not self.session.finished:
            self.walk.go_on()
            await self.show_page()

    async def action_rerun(self) -> None:
        """Run the probe on show (or the one that failed) again."""
        if self.failure is not None:
            self.failure = None
        elif self.walk.can_rerun() and not self.running:
            self.walk.rerun()
        else:
            return
        await self.show_page()

    def action_home(self) -> None:
        """Back to the list of flows (a running probe is cancelled with the screen)."""
        self.wizard.go_home()

    @on(Button.Pressed, "#continue")
    async def _continue_pressed(self) -> None:
        await self.action_go_on()

    @on(OptionList.OptionSelected, "#answer-choices")
    async def _choice_made(self, event: OptionList.OptionSelected) -> None:
        step = self.session.question()
        if step is not None:
            await self._answer(step, step.choices[event.option_index])

    @on(Input.Submitted, "#answer")
    async def _answer_typed(self, event: Input.Submitted) -> None:
        step = self.session.question()
        if step is None:
            return
        raw = event.value if step.type == "secret" else event.value.strip()
        if raw == "":
            self.query_one("#answer-error", Static).update("An answer is needed.")
            return
        try:
            value = check_input(step.var, InputSpec(type=step.type, choices=step.choices), raw)
        except BadInput as exc:
            self.query_one("#answer-error", Static).update(str(exc))
            return
        await self._answer(step, str(value))

    async def _answer(self, step: AskStep, answer: str) -> None:
        try:
            await self.session.advance(answer)
        except ValueError as exc:
            self.query_one("#answer-error", Static).update(str(exc))
            return
        self.walk.answered()
        await self.show_page()
