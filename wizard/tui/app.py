"""The Textual app behind a bare ``email-wizard``: built by :func:`make_app`, run by
:func:`run_app`.

One factory builds the app for the command line and for the tests (posting's
pattern), so the tests exercise the real wiring with an injected probe runner,
flow set, clocks and folders.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from wizard.data.diagnostics import DataFileError
from wizard.engine import Session
from wizard.fixes.apply_postconf import CheckResult
from wizard.fixes.apply_postconf import postfix_check as real_postfix_check
from wizard.flow.model import Flow
from wizard.probes.runner import ProbeRunner
from wizard.settings import Settings, SettingsError, load_settings, save_settings, settings_path
from wizard.tours import Tour, load_tour, tour_path
from wizard.tui.commands import WizardCommandPalette, WizardCommands
from wizard.tui.host import AnimationLevel
from wizard.tui.remembered import remember_values, remembered_values
from wizard.tui.screens.home import HomeScreen
from wizard.tui.screens.inputs import InputsScreen
from wizard.tui.screens.walk import WalkScreen
from wizard.tui.sessions import SavedSession, sessions_dir
from wizard.tui.tour import TourRun

if TYPE_CHECKING:
    from wizard.catalog import ErrorCatalog


class EmailWizardApp(App[int]):
    """Home (the flows) → a flow's form → the walk, step by step, to a fix or an all-clear."""

    CSS_PATH = "app.tcss"
    TITLE = "email-wizard"
    COMMANDS: ClassVar = App.COMMANDS | {WizardCommands}
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def __init__(self, flows: Sequence[Flow], runner: ProbeRunner, *,
                 clock: Callable[[], float] = time.monotonic, broken: Sequence[str] = (),
                 cursor_blink: bool = True, animation_level: AnimationLevel = "full",
                 sessions_folder: Path | None = None,
                 wall_clock: Callable[[], float] = time.time,
                 postfix_check: Callable[[Path], CheckResult] = real_postfix_check,
                 tour: Tour | None = None, error_catalog: ErrorCatalog | None = None,
                 theme: str | None = None, settings: Settings | None = None,
                 settings_file: Path | None = None, runner_from_settings: bool = False) -> None:
        super().__init__()
        self.settings = settings or Settings()
        """The user's settings (CA file, DNS servers, timeout, …), shared with the CLI."""
        self.settings_file = settings_file
        """Where Settings are saved; None: not saved (tests)."""
        self.runner_from_settings = runner_from_settings
        """The runner was built from the settings, so new settings rebuild it."""
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
        self.sessions_folder = sessions_folder or sessions_dir()
        """Where reports are saved by default and listed from."""
        self.wall_clock = wall_clock
        """Seconds since the epoch: names of saved reports and backups."""
        self.postfix_check = postfix_check
        """Checks a main.cf after an apply (``postfix -c DIR check``)."""
        self.tour = tour
        """The onboarding tour, when its file is installed."""
        self.error_catalog = error_catalog
        """The error catalog ("Explain an error"); loaded on first use when None."""
        if theme or self.settings.theme:
            self.theme = theme or self.settings.theme or self.theme

    def watch_theme(self, theme: str) -> None:
        """Remember the theme the user picked (ctrl+p → theme) in the settings."""
        if self.settings_file is not None and self.is_running and theme != self.settings.theme:
            self._store(self.settings.model_copy(update={"theme": theme}), quiet=True)

    async def action_quit(self) -> None:
        """Quit; with a finished walk not saved, ask first (save and quit, quit, stay)."""
        walks = [s for s in self.screen_stack if isinstance(s, WalkScreen) and s.unsaved_result]
        if not walks:
            self.exit()
            return
        from wizard.tui.screens.dialogs import QuitChoice, QuitScreen

        def chosen(choice: QuitChoice | None) -> None:
            if choice == "save" and not all(walk.save_report() for walk in walks):
                return
            if choice is not None:
                self.exit()

        self.push_screen(QuitScreen(walks[-1].session.flow.title), chosen)

    def action_settings(self) -> None:
        """Open the settings; saved settings apply to the next check at once."""
        from wizard.tui.screens.settings import SettingsScreen

        def saved(settings: Settings | None) -> None:
            if settings is not None:
                self._store(settings)

        self.push_screen(SettingsScreen(self.settings, self.cursor_blink), saved)

    def _store(self, settings: Settings, quiet: bool = False) -> None:
        self.settings = settings
        if self.runner_from_settings:
            from wizard.probes.runner import RegistryRunner

            try:
                self.runner = RegistryRunner(settings.probe_context())
            except SettingsError as exc:
                self.notify(str(exc), severity="error", timeout=10)
        if self.settings_file is None:
            return
        try:
            path = save_settings(settings, self.settings_file)
        except OSError as exc:
            self.notify(f"Settings not saved: {exc}", severity="error", timeout=10)
            return
        if not quiet:
            self.notify(f"Settings saved to {path}.")

    @property
    def tour_available(self) -> bool:
        """True when there is a tour to offer."""
        return self.tour is not None

    def get_default_screen(self) -> Screen[None]:
        """The home screen."""
        return HomeScreen(self.flows, self.broken, self.tour.title if self.tour else None)

    def open_flow(self, flow: Flow, prefill: Mapping[str, object] | None = None, *,
                  always_form: bool = False) -> None:
        """The flow's form, or straight to the walk when it needs no input."""
        if flow.inputs or always_form:
            values: dict[str, object] = {}
            if self.settings_file is not None:
                values.update(remembered_values(flow, self.settings_file.parent))
            values.update({k: v for k, v in (prefill or {}).items() if v not in (None, "")})
            values = {**self.settings.input_defaults(flow.inputs, values), **values}
            self.push_screen(InputsScreen(flow, values))
        else:
            self.start_walk(flow, {})

    def start_walk(self, flow: Flow, values: dict[str, object]) -> None:
        """Start a walk through ``flow`` with checked input ``values`` (kept for next time)."""
        if self.settings_file is not None and flow.inputs:
            remember_values(flow, values, self.settings_file.parent)
        self.push_screen(WalkScreen(Session.start(flow, values, self.runner),
                                    to_end=self.settings.walk == "to_end"))

    def go_home(self) -> None:
        """Close every screen above the home screen."""
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_command_palette(self) -> None:
        """Show the command palette (:class:`WizardCommandPalette`: paging cannot crash it)."""
        if self.use_command_palette and not isinstance(self.screen, WizardCommandPalette):
            self.push_screen(WizardCommandPalette(id="--command-palette"))

    def action_explain(self, text: str = "") -> None:
        """Open "Explain an error"."""
        from wizard.tui.screens.explain import ExplainScreen

        self.push_screen(ExplainScreen(text))

    def action_tour(self) -> None:
        """Start the onboarding tour."""
        from wizard.tui.screens.tour import TourScreen

        if self.tour is None:
            self.notify("No tour is installed.", severity="warning")
            return
        self.push_screen(TourScreen(TourRun.plan(self.tour, {f.id: f for f in self.flows})))

    def open_saved(self, saved: SavedSession) -> None:
        """Show a saved report."""
        from wizard.tui.screens.saved import SavedScreen

        self.push_screen(SavedScreen(saved))


def make_app(flows: Sequence[Flow] | None = None, runner: ProbeRunner | None = None, *,
             clock: Callable[[], float] | None = None, cursor_blink: bool = True,
             animation_level: AnimationLevel = "full", sessions_folder: Path | None = None,
             wall_clock: Callable[[], float] | None = None,
             postfix_check: Callable[[Path], CheckResult] | None = None,
             tour: Tour | Path | None = None, theme: str | None = None,
             settings: Settings | None = None) -> EmailWizardApp:
    """Build the app; ``None`` means the installed flows and tour and the real probe runner.

    Tests pass an explicit flow list, a fake or loopback runner, fixed clocks,
    ``cursor_blink=False`` and ``animation_level="none"`` for pictures that do
    not move. ``settings`` None reads the user's settings file (and saves
    changes to it); a file that does not fit is reported and the defaults used.
    """
    broken: list[str] = []
    settings_file: Path | None = None
    if settings is None:
        settings_file = settings_path()
        try:
            settings = load_settings(settings_file)
        except SettingsError as exc:
            broken.append(f"{exc} (using the defaults)")
            settings = Settings()
    if flows is None:
        from wizard.flow.loader import discover

        catalogue = discover()
        flows = [flow for _, (flow, _) in sorted(catalogue.flows.items())]
        broken = [str(diag) for diag in catalogue.broken]
    runner_from_settings = runner is None
    if runner is None:
        from wizard.probes.runner import RegistryRunner

        try:
            context = settings.probe_context()
        except SettingsError as exc:
            broken.append(str(exc))
            context = settings.probe_context(with_oci=False)
        runner = RegistryRunner(context)
    if tour is None:
        tour = tour_path()
    if isinstance(tour, Path):
        try:
            tour = load_tour(tour) if tour.is_file() else None
        except DataFileError as exc:
            broken.extend(str(d) for d in exc.diagnostics)
            tour = None
    return EmailWizardApp(flows, runner, clock=clock or time.monotonic, broken=broken,
                          cursor_blink=cursor_blink, animation_level=animation_level,
                          sessions_folder=sessions_folder, wall_clock=wall_clock or time.time,
                          postfix_check=postfix_check or real_postfix_check,
                          tour=tour, theme=theme, settings=settings,
                          settings_file=settings_file,
                          runner_from_settings=runner_from_settings)


def run_app() -> int:
    """Run the TUI on the installed flows with real probes; the exit code (0 unless it failed)."""
    app = make_app()
    app.run()
    return app.return_code or 0
