"""Explain an error: paste what the server or the library said, see what it means and what
to do, and continue with the suggested flow, its inputs filled in from the text.

There is always a next step: each match continues with its flow (a server reply with
the flow of the client error on the same topic in the same paste); when nothing in
the catalog matched, the checks that usually find the cause are offered instead
(``unexplained`` in ``flows/home/home.yaml``). PageDown and PageUp scroll the results
wherever the focus is.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static, TextArea
from textual.worker import Worker, WorkerState

from wizard.data.diagnostics import DataFileError
from wizard.fixes.render import action_lines
from wizard.flow.model import Flow
from wizard.home_menu import HomeEntry, load_home_menu
from wizard.tui.codes import explain_code
from wizard.tui.host import WizardHost, wizard_host
from wizard.tui.prefill import inputs_from_captures
from wizard.tui.widgets import reflow

if TYPE_CHECKING:
    from wizard.catalog import ErrorCatalog, Explanation, Match

CATALOG_GROUP = "catalog"


class MatchView(Vertical):
    """One catalog entry found in the text: meaning, captures, causes, fix, retry, next flow."""

    DEFAULT_CSS = """
    MatchView {
        height: auto;
        border-left: thick $accent;
        padding: 0 1;
        margin-bottom: 1;
        & > .match-head { text-style: bold; }
        & > .match-label { text-style: bold; color: $text-secondary; margin-top: 1; }
        & > .match-body { padding-left: 2; }
        & > .match-actions { padding: 0 1; margin-left: 2; background: $boost; }
        & > .match-note { color: $text-muted; margin-top: 1; }
        & > Button { margin-top: 1; }
    }
    """

    def __init__(self, match: Match, index: int, flow_title: str | None) -> None:
        super().__init__()
        self.match = match
        self.index = index
        self.flow_title = flow_title

    def compose(self) -> ComposeResult:
        """The entry, laid out top to bottom."""
        match = self.match
        entry = match.entry
        head = entry.label
        if entry.enhanced_code and not entry.reply.startswith(entry.enhanced_code):
            head += f" {entry.enhanced_code}"
        yield Static(Content.assemble((head, "bold $text-accent"), " ", (entry.reply, "bold"),
                                      "  ", (entry.id, "$text-muted")), classes="match-head")
        yield Static(reflow(match.meaning), classes="match-body", markup=False)
        if match.captures:
            yield Static("\n".join(f"{k}: {v}" for k, v in match.captures.items()),
                         classes="match-body", markup=False)
        yield Static("Likely causes", classes="match-label")
        yield Static("\n".join(f"• {reflow(c)}" for c in match.causes), classes="match-body",
                     markup=False)
        yield Static(f"Fix: {match.fix.title}", classes="match-label", markup=False)
        if match.fix.text:
            yield Static(reflow(match.fix.text), classes="match-body", markup=False)
        lines = [line for action in match.fix.actions for line in action_lines(action)]
        if lines:
            yield Static("\n".join(lines), classes="match-actions", markup=False)
        retry = entry.retry
        verdict = ("↻ Retrying helps", "$text-success") if retry.helps else (
            "✘ Retrying does not help", "$text-error")
        yield Static(Content.assemble((verdict[0], f"bold {verdict[1]}"),
                                      f" ({retry.kind.replace('_', ' ')}): ",
                                      reflow(retry.advice)), classes="match-label")
        if self.flow_title is not None:
            yield Button(f"Continue with “{self.flow_title}”", id=f"start-{self.index}",
                         variant="primary", compact=True)
        else:
            yield Static(f"The flow to continue with, {match.flow}, is not installed.",
                         classes="match-note", markup=False)
        if not match.confirmed:
            yield Static("Matched on the text alone: no reply code or designation beside it.",
                         classes="match-note", markup=False)


class NextSteps(Vertical):
    """The checks that usually find the cause, as buttons (when no known error matched)."""

    DEFAULT_CSS = """
    NextSteps {
        height: auto;
        border-left: thick $secondary;
        padding: 0 1;
        margin-bottom: 1;
        & > .next-head { text-style: bold; color: $text-secondary; }
        & > .next-purpose { color: $text-muted; padding-left: 2; }
        & > Button { margin-top: 1; }
    }
    """

    def __init__(self, steps: list[tuple[HomeEntry, Flow]]) -> None:
        super().__init__()
        self.steps = steps

    def compose(self) -> ComposeResult:
        """A heading, then a button and a line of purpose per check."""
        yield Static("Next step: the checks that usually find the cause", classes="next-head")
        for entry, flow in self.steps:
            yield Button(entry.title or flow.title, id=f"next-{flow.id}", compact=True,
                         variant="primary")
            yield Static(entry.purpose or flow.description, classes="next-purpose",
                         markup=False)


class ExplainScreen(Screen[None]):
    """A paste box; ``ctrl+r`` explains it with the error catalog."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+r", "explain", "Explain"),
        Binding("ctrl+o", "continue_flow", "Continue with the flow"),
        Binding("ctrl+l", "clear", "Clear"),
        Binding("pagedown", "scroll_results('page_down')", "Scroll", show=False, priority=True),
        Binding("pageup", "scroll_results('page_up')", "Scroll", show=False, priority=True),
    ]
    """PageDown/PageUp are priority bindings: they scroll the results even from the paste box
    (whose own paging is of little use in six lines)."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.text = text
        self.sub_title = "Explain an error"
        self.explanation: Explanation | None = None
        self.unexplained: list[HomeEntry] = []
        """The checks offered when no known error matched (none when the home file is bad)."""
        with contextlib.suppress(DataFileError):
            self.unexplained = load_home_menu().unexplained

    @property
    def wizard(self) -> WizardHost:
        """The app, typed."""
        return wizard_host(self.app)

    def compose(self) -> ComposeResult:
        """Paste box, button and the results pane."""
        yield Header()
        yield Static("Paste an SMTP reply, a log line, an exception or an HTTPS error body; "
                     "ctrl+r.", id="explain-intro")
        paste = TextArea(self.text, id="paste", soft_wrap=True, show_line_numbers=False)
        paste.cursor_blink = self.wizard.cursor_blink
        yield paste
        yield Button("Explain", id="explain", variant="primary", compact=True)
        yield VerticalScroll(id="explained")
        yield Footer()

    async def on_mount(self) -> None:
        """Focus the paste box; explain the text given at once, or when the catalog loaded."""
        self.query_one("#paste", TextArea).focus()
        if self.wizard.error_catalog is None:
            self.load_catalog()
        elif self.text.strip():
            await self.action_explain()

    def action_scroll_results(self, how: str) -> None:
        """Scroll the results a page (``page_down`` or ``page_up``)."""
        pane = self.query_one("#explained", VerticalScroll)
        if how == "page_down":
            pane.scroll_page_down(animate=False)
        else:
            pane.scroll_page_up(animate=False)

    @work(thread=True, group=CATALOG_GROUP, exit_on_error=False, description="load catalog")
    def load_catalog(self) -> ErrorCatalog:
        """Load the error catalog (a fraction of a second) off the event loop."""
        from wizard.catalog import load_error_catalog

        return load_error_catalog()

    @on(Worker.StateChanged)
    async def _catalog_loaded(self, event: Worker.StateChanged) -> None:
        if event.worker.group != CATALOG_GROUP:
            return
        if event.state == WorkerState.SUCCESS:
            self.wizard.error_catalog = event.worker.result
            if self.text.strip():
                await self.action_explain()
        elif event.state == WorkerState.ERROR:
            pane = self.query_one("#explained", VerticalScroll)
            await pane.remove_children()
            await pane.mount(Static(f"The error catalog could not be loaded: "
                                    f"{event.worker.error}", classes="explain-error",
                                    markup=False))

    def action_clear(self) -> None:
        """Empty the paste box."""
        paste = self.query_one("#paste", TextArea)
        paste.text = ""
        paste.focus()

    @on(Button.Pressed, "#explain")
    async def _pressed(self) -> None:
        await self.action_explain()

    async def action_explain(self) -> None:
        """Explain the pasted text and show the result."""
        from wizard.catalog import explain, explanation_text, input_problem

        self.text = self.query_one("#paste", TextArea).text
        catalog = self.wizard.error_catalog
        pane = self.query_one("#explained", VerticalScroll)
        await pane.remove_children()
        if catalog is None:
            await pane.mount(Static("Loading the error catalog…", classes="explain-note"))
            return
        problem = input_problem(self.text)
        self.explanation = None
        widgets: list[Any] = []
        flows = {flow.id: flow for flow in self.wizard.flows}
        if problem:
            widgets.append(Static(problem, classes="explain-note", markup=False))
        else:
            explanation = explain(self.text, catalog)
            by_code = None if explanation.matches else explain_code(self.text, catalog)
            self.explanation = explanation = by_code or explanation
            count = len(explanation.matches)
            if count and by_code:
                widgets.append(Static(f"{count} known error{'s' if count > 1 else ''} with "
                                      f"the code {self.text.strip()}; paste the whole reply to "
                                      "tell which:", classes="explain-note", markup=False))
            elif count:
                widgets.append(Static(f"{count} known error{'s' if count > 1 else ''} found "
                                      "(best first):", classes="explain-note"))
            else:
                widgets.append(Static(explanation_text(explanation).rstrip(),
                                      classes="explain-generic", markup=False))
            for index, match in enumerate(explanation.matches):
                flow = flows.get(match.flow)
                widgets.append(MatchView(match, index, flow.title if flow else None))
        if self._flow_of(0) is None:
            steps = [(entry, flows[entry.id]) for entry in self.unexplained
                     if entry.id in flows]
            if steps:
                widgets.append(NextSteps(steps))
        await pane.mount_all(widgets)
        pane.scroll_home(animate=False)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``Continue with the flow`` only when the best match's flow is installed."""
        if action == "continue_flow":
            return self._flow_of(0) is not None
        return True

    def _flow_of(self, index: int) -> Flow | None:
        if self.explanation is None or index >= len(self.explanation.matches):
            return None
        wanted = self.explanation.matches[index].flow
        return next((f for f in self.wizard.flows if f.id == wanted), None)

    def action_continue_flow(self, index: int = 0) -> None:
        """Open the flow the match at ``index`` continues with (its route: a server reply may
        take the client error's), its inputs filled from the text."""
        flow = self._flow_of(index)
        if flow is None or self.explanation is None:
            return
        match = self.explanation.matches[index]
        prefill = inputs_from_captures(flow, match.captures, match.inputs)
        self.wizard.open_flow(flow, prefill, always_form=True)

    @on(Button.Pressed, "#explained Button")
    def _start_flow(self, event: Button.Pressed) -> None:
        event.stop()
        button = event.button.id or ""
        if button.startswith("start-"):
            self.action_continue_flow(int(button.split("-")[1]))
        elif button.startswith("next-"):
            flow = next((f for f in self.wizard.flows if f.id == button.removeprefix("next-")),
                        None)
            if flow is not None:
                self.wizard.open_flow(flow, always_form=True)
