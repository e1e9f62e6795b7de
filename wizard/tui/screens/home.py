"""The home screen: the commonest job first, explain an error, the tour, every other check, the
sessions saved before.

The order and the words each entry answers to are data (``flows/home/home.yaml``);
the error catalog adds the reply codes that lead to each flow. Typing filters the
list (every word must appear); arrows move; Enter opens. A reply code, an
exception or a pasted error puts "Explain" first, and Enter explains that text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from wizard.data.diagnostics import DataFileError
from wizard.flow.model import Flow
from wizard.home_menu import (
    EXPLAIN,
    SCAN,
    TOUR,
    HomeEntry,
    HomeMenu,
    load_home_menu,
    looks_like_error,
)
from wizard.tui.host import WizardHost, wizard_host
from wizard.tui.sessions import SavedSession, list_saved
from wizard.tui.widgets import STATUS_MARKS

if TYPE_CHECKING:
    from wizard.catalog import ErrorCatalog

CATALOG_GROUP = "catalog"
EXPLAIN_TITLE = "Explain an error"
EXPLAIN_PURPOSE = "Paste an SMTP reply, a log line or an exception"
TOUR_PURPOSE = "A guided tour: DKIM, SPF/DMARC, connectivity"
SCAN_TITLE = "Check many domains at once"
SCAN_PURPOSE = "A file or a pasted list; DKIM, SPF and DMARC for each domain"
FALLBACK_MENU = HomeMenu(start=[HomeEntry(id=EXPLAIN), HomeEntry(id=TOUR)])
"""The order when the home file cannot be loaded: explain, the tour, then every flow."""


def flow_option(flow: Flow, entry: HomeEntry | None = None) -> Option:
    """A flow as a two-line option: title and id, then its purpose."""
    title = entry.title if entry and entry.title else flow.title
    purpose = entry.purpose if entry and entry.purpose else flow.description
    prompt = Content.assemble((title, "bold"), "  ", (flow.id, "$text-muted"))
    if purpose:
        prompt = Content("\n").join([prompt, Content.styled(purpose, "$text-muted")])
    return Option(prompt, id=f"flow:{flow.id}")


def special_option(key: str, title: str, purpose: str) -> Option:
    """An entry on top: the commonest job, explain an error, the tour."""
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


def catalog_words(catalog: ErrorCatalog) -> dict[str, list[str]]:
    """For each flow, the codes and topics of the catalog entries that continue with it."""
    found: dict[str, list[str]] = {}
    for entry in catalog.catalog.entries:
        words = found.setdefault(entry.flow, [])
        words += [str(c) for c in (entry.code, entry.enhanced_code, entry.error_code) if c]
        words.append(entry.topic.replace("_", " "))
    return found


class FilterInput(Input):
    """The filter; a paste of several lines (a traceback, a log) goes to Explain whole."""

    class PastedError(Message):
        """Text of several lines was pasted."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def _on_paste(self, event: events.Paste) -> None:
        if "\n" in event.text.strip():
            event.stop()
            event.prevent_default()
            self.post_message(self.PastedError(event.text))
            return
        super()._on_paste(event)


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
                 tour_title: str | None = None, menu: HomeMenu | None = None) -> None:
        super().__init__()
        self.flows = {flow.id: flow for flow in flows}
        self.broken = list(broken)
        self.tour_title = tour_title
        self.saved: dict[str, SavedSession] = {}
        self.menu_problem = ""
        if menu is None:
            try:
                menu = load_home_menu()
            except DataFileError as exc:
                self.menu_problem = str(exc.diagnostics[0]) if exc.diagnostics else str(exc)
                menu = FALLBACK_MENU
        self.menu = menu
        """The order of the entries and the words each answers to."""
        self.codes: dict[str, list[str]] = {}
        """Per flow, the catalog's codes and topics that lead to it (once the catalog loaded)."""

    @property
    def wizard(self) -> WizardHost:
        """The app, typed."""
        return wizard_host(self.app)

    def compose(self) -> ComposeResult:
        """Filter field, the list, and a note on flow files that did not load."""
        yield Header()
        yield Static("What do you want to find out? Type to filter or paste an error, ↑↓ "
                     "Enter.", id="home-intro")
        search = FilterInput(placeholder="filter: e.g. bounce, dkim, port, 535…", id="filter")
        search.cursor_blink = self.wizard.cursor_blink
        yield search
        yield OptionList(id="flows")
        if not self.flows:
            yield Static("No flows are installed.", id="no-flows")
        if self.broken:
            count = len(self.broken)
            yield Static(f"{count} flow file{'s' if count > 1 else ''} could not be loaded: "
                         "run `email-wizard list` to see why.", id="broken", markup=False)
        if self.menu_problem:
            yield Static(f"The home list's order could not be loaded: {self.menu_problem}",
                         id="menu-broken", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        """Fill the list and put the cursor in the filter."""
        self.query_one("#filter", Input).focus()

    def on_screen_resume(self) -> None:
        """Saved sessions may have changed while another screen was on top."""
        self.refresh_list()
        self.query_one("#filter", Input).focus()

    def _words(self, entry_id: str) -> list[str]:
        entry = self.menu.entry(entry_id)
        return [*(entry.words if entry else []), *self.codes.get(entry_id, [])]

    def _flow_matches(self, flow: Flow, words: Sequence[str]) -> bool:
        entry = self.menu.entry(flow.id)
        return matches(words, flow.id, flow.title, flow.description,
                       entry.title or "" if entry else "", entry.purpose or "" if entry else "",
                       *self._words(flow.id))

    def _start_option(self, entry: HomeEntry, words: Sequence[str]) -> tuple[int, Option] | None:
        """The option for an entry on top and how well it matches (0: by its title), or None
        when the filter hides it."""
        if entry.id == EXPLAIN:
            title, purpose = entry.title or EXPLAIN_TITLE, entry.purpose or EXPLAIN_PURPOSE
            if not matches(words, title, purpose, *entry.words):
                return None
            return int(not matches(words, title, EXPLAIN)), special_option(EXPLAIN, title,
                                                                            purpose)
        if entry.id == TOUR:
            if not self.tour_title or not matches(words, self.tour_title, *entry.words):
                return None
            title = entry.title or self.tour_title
            return int(not matches(words, title, TOUR)), special_option(
                TOUR, title, entry.purpose or TOUR_PURPOSE)
        if entry.id == SCAN:
            title, purpose = entry.title or SCAN_TITLE, entry.purpose or SCAN_PURPOSE
            if not matches(words, title, purpose, *entry.words):
                return None
            return int(not matches(words, title, SCAN)), special_option(SCAN, title, purpose)
        flow = self.flows.get(entry.id)
        if flow is None or not self._flow_matches(flow, words):
            return None
        title = entry.title or flow.title
        return int(not matches(words, title, flow.title, flow.id)), special_option(
            f"flow:{flow.id}", title, entry.purpose or flow.description)

    def refresh_list(self) -> None:
        """Rebuild the list for the current filter.

        Unfiltered: the entries on top, then the checks under their heading. Filtered: one
        list, those whose title matches first, each group in the file's order.
        """
        text = self.query_one("#filter", Input).value
        words = text.lower().split()
        options: list[Option | None] = []
        error = looks_like_error(text)
        if error:
            shown_text = " ".join(text.split())
            if len(shown_text) > 60:
                shown_text = shown_text[:59] + "…"
            options.append(special_option(EXPLAIN, f"Explain “{shown_text}”",
                                          "Enter: what it means and what to do next"))
        on_top = [found for entry in self.menu.start
                  if not (entry.id == EXPLAIN and error)
                  and (found := self._start_option(entry, words)) is not None]
        shown = [self.flows[i] for i in self.menu.rank(self.flows)
                 if i not in {e.id for e in self.menu.start}
                 and self._flow_matches(self.flows[i], words)]
        checks = [(int(not matches(words, flow.title, flow.id)),
                   flow_option(flow, self.menu.entry(flow.id))) for flow in shown]
        if words:
            options += [option for _, option in sorted([*on_top, *checks],
                                                       key=lambda found: found[0])]
        else:
            options += [option for _, option in on_top]
            if checks:
                options.append(Option(Content.styled("Checks", "bold $text-secondary"),
                                      disabled=True))
                options += [option for _, option in checks]
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
        if not self.codes and self.wizard.error_catalog is None:
            self.load_catalog()
        elif not self.codes and self.wizard.error_catalog is not None:
            self.codes = catalog_words(self.wizard.error_catalog)
        self.refresh_list()

    @work(thread=True, group=CATALOG_GROUP, exclusive=True, exit_on_error=False,
          description="load catalog")
    def load_catalog(self) -> ErrorCatalog:
        """Load the error catalog (for its codes, and for Explain) off the event loop."""
        from wizard.catalog import load_error_catalog

        return load_error_catalog()

    @on(Worker.StateChanged)
    def _catalog_loaded(self, event: Worker.StateChanged) -> None:
        """The codes join the filter; a catalog that cannot load leaves the words alone (Explain
        says why when opened)."""
        if event.worker.group != CATALOG_GROUP or event.state != WorkerState.SUCCESS:
            return
        catalog = event.worker.result
        if catalog is None:
            return
        if self.wizard.error_catalog is None:
            self.wizard.error_catalog = catalog
        self.codes = catalog_words(catalog)
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

    @on(FilterInput.PastedError)
    def _pasted(self, event: FilterInput.PastedError) -> None:
        self.wizard.action_explain(event.text.strip())

    @on(OptionList.OptionSelected, "#flows")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.open(event.option.id)

    def open(self, key: str | None) -> None:
        """Open the entry with id ``key``; Explain takes the filter's text when it is an error."""
        if key is None:
            return
        if key == EXPLAIN:
            text = self.query_one("#filter", Input).value.strip()
            self.wizard.action_explain(text if looks_like_error(text) else "")
        elif key == TOUR:
            self.wizard.action_tour()
        elif key == SCAN:
            from wizard.tui.screens.scan import ScanScreen

            self.app.push_screen(ScanScreen())
        elif key.startswith("flow:"):
            self.wizard.open_flow(self.flows[key.removeprefix("flow:")])
        elif key.startswith("saved:"):
            saved = self.saved.get(key.removeprefix("saved:"))
            if saved is not None:
                self.wizard.open_saved(saved)
