"""A saved session, shown as the Markdown report that was written for it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown

from wizard.report import REDACTED, report_markdown
from wizard.tui.host import wizard_host
from wizard.tui.sessions import SavedSession


class SavedScreen(Screen[None]):
    """The report of a session saved before; ``o`` runs its flow again with the same inputs."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("o", "open_flow", "Run again"),
    ]

    def __init__(self, saved: SavedSession) -> None:
        super().__init__()
        self.saved = saved
        self.sub_title = f"Saved: {saved.path.name}"

    def compose(self) -> ComposeResult:
        """The report as Markdown."""
        yield Header()
        with VerticalScroll(id="saved-report"):
            yield Markdown(report_markdown(self.saved.report))
        yield Footer()

    def on_mount(self) -> None:
        """Focus the report so the arrows scroll it."""
        self.query_one("#saved-report").focus()

    def action_open_flow(self) -> None:
        """Open the flow's form with the saved inputs (secrets must be typed again)."""
        wizard = wizard_host(self.app)
        flow = next((f for f in wizard.flows if f.id == self.saved.flow), None)
        if flow is None:
            self.notify(f"The flow {self.saved.flow} is not installed.", severity="warning")
            return
        inputs = self.saved.report.get("inputs") or {}
        prefill = {k: v for k, v in inputs.items() if v not in (None, "", REDACTED)}
        wizard.open_flow(flow, prefill, always_form=True)
