"""Explain an error: paste what the server or the library said, see what it means and what
to do, and continue with the suggested flow, its inputs filled in from the text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static, TextArea
from textual.worker import Worker, WorkerState

from wizard.action_text import action_lines
from wizard.flow.model import Flow
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
        code = f"{entry.code} {entry.error_code}" if entry.error_code else str(entry.code)
        yield Static(Content.assemble((code, "bold $text-accent"), " ", (entry.reply, "bold"),
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
            yield Static(f"The flow to continue with, {entry.flow}, is not installed yet.",
                         classes="match-note", markup=False)
        if not match.confirmed:
            yield Static("Matched on the text alone: no reply code or designation beside it.",
                         classes="match-note", markup=False)


class ExplainScreen(Screen[None]):
    """A paste box; ``ctrl+r`` explains it with the error catalog."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+r", "explain", "Explain"),
        Binding("ctrl+o", "continue_flow", "Continue with the flow"),
        Binding("ctrl+l", "clear", "Clear"),
    ]

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.text = text
        self.sub_title = "Explain an error"
        self.explanation: Explanation | None = None

    @property
    def wizard(self) -> WizardHost:
        """The app, typed."""
        return wizard_host(self.app)

    def compose(self) -> ComposeResult:
        """Paste box, button and the results pane."""
        yield Header()
        yield Static("Paste the error: an SMTP reply, a Postfix log line, an exception, an "
                     "HTTPS error body. Then ctrl+r.", id="explain-intro")
        paste = TextArea(self.text, id="paste", soft_wrap=True, show_line_numbers=False)
        paste.cursor_blink = self.wizard.cursor_blink
        yield paste
        yield Button("Explain", id="explain", variant="primary", compact=True)
        yield VerticalScroll(id="explained")
        yield Footer()

    def on_mount(self) -> None:
        """Focus the paste box and start loading the catalog."""
        self.query_one("#paste", TextArea).focus()
        if self.wizard.error_catalog is None:
            self.load_catalog()

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
        if problem:
            await pane.mount(Static(problem, classes="explain-note", markup=False))
            return
        self.explanation = explanation = explain(self.text, catalog)
        if explanation.matches:
            count = len(explanation.matches)
            widgets: list[Any] = [Static(f"{count} known error{'s' if count > 1 else ''} found "
                                         "(best first):", classes="explain-note")]
            flows = {flow.id: flow for flow in self.wizard.flows}
            for index, match in enumerate(explanation.matches):
                flow = flows.get(match.entry.flow)
                widgets.append(MatchView(match, index, flow.title if flow else None))
        else:
            widgets = [Static(explanation_text(explanation).rstrip(), classes="explain-generic",
                              markup=False)]
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
        wanted = self.explanation.matches[index].entry.flow
        return next((f for f in self.wizard.flows if f.id == wanted), None)

    def action_continue_flow(self, index: int = 0) -> None:
        """Open the flow the match at ``index`` suggests, its inputs filled from the text."""
        flow = self._flow_of(index)
        if flow is None or self.explanation is None:
            return
        prefill = inputs_from_captures(flow, self.explanation.matches[index].captures)
        self.wizard.open_flow(flow, prefill, always_form=True)

    @on(Button.Pressed, "#explained Button")
    def _start_flow(self, event: Button.Pressed) -> None:
        event.stop()
        if (event.button.id or "").startswith("start-"):
            self.action_continue_flow(int((event.button.id or "").split("-")[1]))
