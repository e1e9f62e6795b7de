"""The home screen: explain an error, the onboarding tour, every flow, the sessions saved before.

Typing filters the list (every word must appear); arrows move; Enter opens.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from wizard.flow.model import Flow
from wizard.tui.host import WizardHost, wizard_host
from wizard.tui.sessions import SavedSession, list_saved
from wizard.tui.widgets import STATUS_MARKS

EXPLAIN = "explain"
TOUR = "tour"


def flow_option(flow: Flow) -> Option:
    """A flow as a two-line option: title and id, then its purpose."""
    prompt = Content.assemble((flow.title, "bold"), "  ", (flow.id, "$text-muted"))
    if flow.description:
        prompt = Content("\n").join([prompt, Content.styled(flow.description, "$text-muted")])
    return Option(prompt, id=f"flow:{flow.id}")


def special_option(key: str, title: str, purpose: str) -> Option:
    """An entry that is not a flow: explain an error, the tour."""
    prompt = Content.assemble(("» ", "bold $text-accent"), (title, "bold $text-accent"))
    return Option(Content("\n").join([prompt, Content.styled("  " + purpose, "$text-muted")]),
                  id=key)


def broken_option(defect: str) -> Option:
    """A flow or tour file that did not load: greyed (disabled), with ``FILE:LINE:COL: why``."""
    shown = defect if len(defect) <= 300 else defect[:300] + "…"
    return Option(Content.styled(shown, "$text-muted"), disabled=True)


def saved_option(saved: SavedSession) -> Option:
    """A saved report: status mark, title, when."""
    mark, colour = STATUS_MARKS.get(saved.status, STATUS_MARKS["running"])
    prompt = Content.assemble((mark, f"bold {colour}"), " ", saved.title, "  ",
                              (f"{saved.saved_at} · {saved.path.name}", "$text-muted"))
    return Option(prompt, id=f"saved:{saved.path.name}")


def matches(words: Sequence[str], *texts: str) -> bool:
    """True when every word is in one of ``texts`` (case-insensitive)."""
    haystack = " ".join(texts).lower()
    return all(word in haystack for word in words)


class HomeScreen(Screen[None]):
    """Lists what can be done; choosing a flow opens its form (or its walk, if it needs none)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Down", show=False),
        Binding("up", "move(-1)", "Up", show=False),
        Binding("escape", "clear", "Clear filter", show=False),
        Binding("ctrl+t", "app.tour", "Tour"),
        Binding("ctrl+s", "app.settings", "Settings"),
        Binding("ctrl+q", "app.quit", "Quit", priority=True),
    ]
    """``ctrl+q`` is a priority binding so the footer shows it: the app's own ``ctrl+q``
    (Textual's, hidden) would otherwise take its place. ``q`` cannot quit here, it types."""

    def __init__(self, flows: Sequence[Flow], broken: Sequence[str] = (),
                 tour_title: str | None = None) -> None:
        super().__init__()
        self.flows = {flow.id: flow for flow in flows}
        self.broken = list(broken)
        self.tour_title = tour_title
        self.saved: dict[str, SavedSession] = {}

    @property
    def wizard(self) -> WizardHost:
        """The app, typed."""
        return wizard_host(self.app)

    def compose(self) -> ComposeResult:
        """Filter field, the list, and a note on flow files that did not load."""
        yield Header()
        yield Static("What do you want to find out? Type to filter, ↑↓ to choose, "
                     "Enter to open.", id="home-intro")
        search = Input(placeholder="filter: e.g. dkim, port, 535…", id="filter")
        search.cursor_blink = self.wizard.cursor_blink
        yield search
        yield OptionList(id="flows")
        if not self.flows:
            yield Static("No flows are installed.", id="no-flows")
        if self.broken:
            count = len(self.broken)
            yield Static(f"{count} flow file{'s' if count > 1 else ''} could not be loaded: "
                         "run `email-wizard list` to see why.", id="broken", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        """Fill the list and put the cursor in the filter."""
        self.query_one("#filter", Input).focus()

    def on_screen_resume(self) -> None:
        """Saved sessions may have changed while another screen was on top."""
        self.refresh_list()
        self.query_one("#filter", Input).focus()

    def refresh_list(self) -> None:
        """Rebuild the list for the current filter."""
        words = self.query_one("#filter", Input).value.lower().split()
        options: list[Option | None] = []
        if matches(words, "explain an error smtp reply https log paste"):
            options.append(special_option(EXPLAIN, "Explain an error",
                                          "Paste an SMTP reply, a log line or an exception"))
        if self.tour_title and matches(words, self.tour_title, "tour onboarding new domain"):
            options.append(special_option(TOUR, self.tour_title,
                                          "A guided tour: DKIM, SPF/DMARC, connectivity"))
        shown = [f for f in self.flows.values()
                 if matches(words, f.id, f.title, f.description)]
        if shown:
            options.append(Option(Content.styled("Checks", "bold $text-secondary"),
                                  disabled=True))
            options.extend(flow_option(flow) for flow in shown)
        broken = [b for b in self.broken if matches(words, "broken could not load", b)]
        if broken:
            options.append(Option(Content.styled("Could not load", "bold $text-secondary"),
                                  disabled=True))
            options.extend(broken_option(b) for b in broken)
        saved = [s for s in list_saved(self.wizard.sessions_folder)
                 if matches(words, "saved session", s.title, s.flow, s.status,
                            s.saved_at)]
        self.saved = {s.path.name: s for s in saved}
        if saved:
            options.append(Option(Content.styled("Saved sessions", "bold $text-secondary"),
                                  disabled=True))
            options.extend(saved_option(s) for s in saved)
        if not options:
            options.append(Option(Content.styled("Nothing matches the filter (escape clears "
                                                 "it).", "$text-muted"), disabled=True))
        listing = self.query_one("#flows", OptionList)
        listing.set_options(options)
        first = next((i for i, o in enumerate(options) if o is not None and not o.disabled),
                     None)
        listing.highlighted = first

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.refresh_list()

    def action_move(self, step: int) -> None:
        """Move the highlight in the list while typing in the filter."""
        listing = self.query_one("#flows", OptionList)
        if step > 0:
            listing.action_cursor_down()
        else:
            listing.action_cursor_up()

    def action_clear(self) -> None:
        """Empty the filter."""
        search = self.query_one("#filter", Input)
        search.value = ""
        search.focus()

    @on(Input.Submitted, "#filter")
    def _submitted(self) -> None:
        listing = self.query_one("#flows", OptionList)
        if listing.highlighted is not None:
            self.open(listing.get_option_at_index(listing.highlighted).id)

    @on(OptionList.OptionSelected, "#flows")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.open(event.option.id)

    def open(self, key: str | None) -> None:
        """Open the entry with id ``key``."""
        if key is None:
            return
        if key == EXPLAIN:
            self.wizard.action_explain()
        elif key == TOUR:
            self.wizard.action_tour()
        elif key.startswith("flow:"):
            self.wizard.open_flow(self.flows[key.removeprefix("flow:")])
        elif key.startswith("saved:"):
            saved = self.saved.get(key.removeprefix("saved:"))
            if saved is not None:
                self.wizard.open_saved(saved)
