"""The onboarding tour: the checks a new sending domain needs, run in turn, then a checklist."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from wizard.engine import Session
from wizard.flow.model import EndStep, Flow
from wizard.redaction import session_view
from wizard.tui.host import WizardHost, wizard_host
from wizard.tui.screens.inputs import InputsScreen
from wizard.tui.screens.walk import WalkScreen
from wizard.tui.tour import TourItem, TourRun

STATE_MARKS: dict[str, tuple[str, str, str]] = {
    "pending": ("·", "$text-muted", "to do"),
    "healthy": ("✔", "$text-success", "done"),
    "problem": ("✘", "$text-error", "remaining"),
    "inconclusive": ("?", "$text-warning", "remaining: inconclusive"),
    "error": ("!", "$text-error", "remaining: could not finish"),
    "skipped": ("–", "$text-warning", "remaining: you skipped it"),
    "missing": ("–", "$text-muted", "skipped: the flow is not installed yet"),
}


def item_line(item: TourItem, current: bool) -> Content:
    """One line of the checklist."""
    glyph, colour, word = STATE_MARKS.get(item.state, STATE_MARKS["pending"])
    if current:
        glyph, colour = "▸", "$text-accent"
    parts: list[Any] = [(glyph, f"bold {colour}"), " ", (item.check.label, "bold"), "  ",
                        (word, colour)]
    if item.state == "missing":
        parts += ["  ", (f"({item.check.flow})", "$text-muted")]
    line = Content.assemble(*parts)
    extra = list(item.remaining)
    if item.state == "pending" and item.check.why:
        extra = [item.check.why]
    for text in extra:
        line = Content.assemble(line, "\n    ", (text, "$text-muted"))
    return line


class TourScreen(Screen[None]):
    """Runs the tour's checks one after another; ends with what is done and what remains."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Leave the tour"),
        Binding("enter", "next", "Next check"),
    ]

    def __init__(self, run: TourRun) -> None:
        super().__init__()
        self.run = run
        self.sub_title = run.tour.title

    @property
    def wizard(self) -> WizardHost:
        """The app, typed."""
        return wizard_host(self.app)

    def compose(self) -> ComposeResult:
        """Title, purpose, the checklist and the button."""
        yield Header()
        with VerticalScroll(id="tour"):
            yield Static(self.run.tour.title, id="tour-title", markup=False)
            if self.run.tour.description:
                yield Static(self.run.tour.description, id="tour-purpose", markup=False)
            yield Static(id="checklist")
            yield Static(id="tour-summary")
            yield Button("Start", id="tour-next", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        """Draw the checklist."""
        self.refresh_checklist()
        self.query_one("#tour-next", Button).focus()

    def refresh_checklist(self) -> None:
        """Redraw the checklist, the summary and the button."""
        upcoming = self.run.next_item()
        self.query_one("#checklist", Static).update(Content("\n").join(
            item_line(item, item is upcoming) for item in self.run.items))
        button = self.query_one("#tour-next", Button)
        summary = self.query_one("#tour-summary", Static)
        if upcoming is None:
            done = sum(item.state == "healthy" for item in self.run.items)
            skipped = sum(item.state == "missing" for item in self.run.items)
            remaining = len(self.run.items) - done - skipped
            headline = ("All checks passed: " if not remaining
                        else f"Tour finished, {remaining} to fix: ")
            summary.update(Content.assemble(
                (headline, "bold"), (f"{done} done", "$text-success"), " · ",
                (f"{remaining} to fix", "$text-error" if remaining else "$text-muted"),
                " · ", (f"{skipped} skipped", "$text-muted")))
            button.label = "Back home"
        else:
            started = any(item.state not in ("pending", "missing") for item in self.run.items)
            summary.update("")
            button.label = f"{'Next' if started else 'Start'}: {upcoming.check.label}"
        self.refresh_bindings()

    @on(Button.Pressed, "#tour-next")
    def _pressed(self) -> None:
        self.action_next()

    def action_next(self) -> None:
        """Ask for the tour's inputs first, then run the next check."""
        run = self.run
        if run.tour.inputs and not run.values:
            form = Flow(id="tour", title=run.tour.title, description=run.tour.description,
                        inputs=run.tour.inputs, start="end",
                        steps={"end": EndStep(kind="end")})
            self.app.push_screen(InputsScreen(form, returns_values=True), self._got_values)
            return
        item = run.next_item()
        if item is None:
            self.wizard.go_home()
            return
        assert item.flow is not None
        flow = item.flow
        values = run.inputs_for(flow)
        missing = [n for n, s in flow.inputs.items()
                   if s.required and s.default is None and n not in values]
        if missing:
            position = run.items.index(item) + 1
            note = f"Tour check {position} of {len(run.items)}: {item.check.label}"
            self.app.push_screen(InputsScreen(flow, values, returns_values=True, note=note),
                                 lambda given: self._start(item, given))
        else:
            self._start(item, values)

    def _got_values(self, values: dict[str, Any] | None) -> None:
        if values is None:
            return
        self.run.values.update(values)
        self.action_next()

    def _start(self, item: TourItem, values: dict[str, Any] | None) -> None:
        if values is None or item.flow is None:
            return
        self.run.values.update({k: v for k, v in values.items()
                                if k not in item.flow.secret_names})
        session = Session.start(item.flow, values, self.wizard.runner)
        self.app.push_screen(WalkScreen(session, in_tour=True,
                                        to_end=self.wizard.settings.walk == "to_end"),
                             lambda result: self._walk_done(item, result))

    def _walk_done(self, item: TourItem, session: Session | None) -> None:
        if session is None:
            item.state = "skipped"
        else:
            item.state = session.status
            if session.status == "error":
                item.remaining = [session.error or "could not finish"]
            elif session.status != "healthy":
                view = session_view(session)
                item.remaining = [f"to do: {fix.title}" for fix in view.fixes] or [
                    finding.message for finding in view.findings]
        self.refresh_checklist()
