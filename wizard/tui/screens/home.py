"""The home screen: every installed flow with its one-line purpose."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from wizard.flow.model import Flow

if TYPE_CHECKING:
    from wizard.tui.app import EmailWizardApp


def flow_option(flow: Flow) -> Option:
    """A flow as a two-line option: title and id, then its purpose."""
    prompt = Content.assemble((flow.title, "bold"), "  ", (flow.id, "$text-muted"))
    if flow.description:
        prompt = Content("\n").join([prompt, Content.styled(flow.description, "$text-muted")])
    return Option(prompt, id=flow.id)


class HomeScreen(Screen[None]):
    """Lists the flows; choosing one opens its form (or its walk, if it needs no input)."""

    def __init__(self, flows: Sequence[Flow], broken: Sequence[str] = ()) -> None:
        super().__init__()
        self.flows = {flow.id: flow for flow in flows}
        self.broken = list(broken)

    def compose(self) -> ComposeResult:
        """Intro, the list of flows, and a note on flow files that did not load."""
        yield Header()
        yield Static("What do you want to find out? Choose a check and press Enter.",
                     id="home-intro")
        options: list[Option | None] = []
        for flow in self.flows.values():
            if options:
                options.append(None)
            options.append(flow_option(flow))
        yield OptionList(*options, id="flows")
        if not self.flows:
            yield Static("No flows are installed.", id="no-flows")
        if self.broken:
            count = len(self.broken)
            yield Static(f"{count} flow file{'s' if count > 1 else ''} could not be loaded: "
                         "run `email-wizard list` to see why.", id="broken", markup=False)
        yield Footer()

    @on(OptionList.OptionSelected, "#flows")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        flow = self.flows[str(event.option.id)]
        cast("EmailWizardApp", self.app).open_flow(flow)
