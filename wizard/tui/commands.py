"""The command palette's own commands: every flow, explain an error, the tour, the scan, save,
home."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import partial

from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider

from wizard.tui.host import wizard_host


class WizardCommandPalette(CommandPalette):
    """Textual's palette, safe to page before its list is laid out.

    Textual 8.2.8 (pinned exactly) raises ``KeyError`` in ``OptionList._move_page``
    when PageUp/PageDown reach the list after new results replaced its options
    but before the next layout (``ctrl+p`` then PageDown at once). Paging is then
    retried once after the next refresh, and dropped if it still cannot run.
    """

    def _action_command_list(self, action: str) -> None:
        if action not in ("page_up", "page_down"):
            super()._action_command_list(action)
            return
        try:
            super()._action_command_list(action)
        except KeyError:
            self.call_after_refresh(self._page_after_layout, action)

    def _page_after_layout(self, action: str) -> None:
        with contextlib.suppress(KeyError):
            super()._action_command_list(action)


class WizardCommands(Provider):
    """Flows and the app's actions, searchable from ``ctrl+p``."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = wizard_host(self.app)
        commands: list[tuple[str, str, Callable[[], object]]] = [
            ("Explain an error", "Paste an SMTP reply, a log line or an exception",
             app.action_explain),
        ]
        if app.tour_available:
            commands.append(("Onboarding tour", "Check a new sending domain step by step",
                             app.action_tour))
        commands.append(("Scan many domains", "A file or a pasted list: DKIM, SPF, DMARC each",
                         self._open_scan))
        commands += [(f"Run: {flow.title}", flow.description or flow.id,
                      partial(app.open_flow, flow)) for flow in app.flows]
        commands.append(("Settings", "CA file, DNS servers, timeout, provider, OCI profile",
                         app.action_settings))
        commands.append(("Home", "Back to the list of checks", app.go_home))
        screen = self.app.screen
        for action, title, help_text in (("save", "Save report", "Markdown and JSON, redacted"),
                                         ("copy", "Copy the fix commands", "To the clipboard"),
                                         ("rerun", "Re-run the probe", "Run the check again"),
                                         ("by_hand", "Answer the probe by hand",
                                          "Skip it: pick what it would find")):
            if hasattr(screen, f"action_{action}") and screen.check_action(action, ()):
                commands.append((title, help_text,
                                 partial(screen.run_action, action)))
        return commands

    def _open_scan(self) -> None:
        from wizard.tui.screens.scan import ScanScreen

        self.app.push_screen(ScanScreen())

    async def discover(self) -> Hits:
        """Everything, before the user types."""
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        """The commands whose title matches ``query``."""
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
