"""What a screen may ask of the app: :class:`WizardHost`, a small typed interface.

Screens never import the app class (that made a cycle: the app imports every
screen). They ask :func:`wizard_host` for the running app seen through this
protocol, and the app satisfies it structurally.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from textual.app import App

from wizard.fixes.apply_postconf import CheckResult
from wizard.flow.model import Flow
from wizard.probes.runner import ProbeRunner
from wizard.settings import Settings
from wizard.tui.sessions import SavedSession

if TYPE_CHECKING:
    from wizard.catalog import ErrorCatalog

AnimationLevel = Literal["none", "basic", "full"]
"""Textual's animation levels (its own alias is not exported)."""


@runtime_checkable
class WizardHost(Protocol):
    """The app as the screens see it: the flows, clocks and folders, and where to go next."""

    flows: list[Flow]
    runner: ProbeRunner
    clock: Callable[[], float]
    wall_clock: Callable[[], float]
    cursor_blink: bool
    sessions_folder: Path
    postfix_check: Callable[[Path], CheckResult]
    error_catalog: ErrorCatalog | None
    settings: Settings

    @property
    def tour_available(self) -> bool:
        """True when there is a tour to offer."""

    def open_flow(self, flow: Flow, prefill: Mapping[str, object] | None = None, *,
                  always_form: bool = False) -> None:
        """The flow's form, or straight to the walk when it needs no input."""

    def start_walk(self, flow: Flow, values: dict[str, object]) -> None:
        """Start a walk through ``flow`` with checked input ``values``."""

    def go_home(self) -> None:
        """Close every screen above the home screen."""

    def action_explain(self, text: str = "") -> None:
        """Open "Explain an error"."""

    def action_tour(self) -> None:
        """Start the onboarding tour."""

    def action_settings(self) -> None:
        """Open the settings."""

    def open_saved(self, saved: SavedSession) -> None:
        """Show a saved report."""


def wizard_host(app: App[object] | App[int]) -> WizardHost:
    """``app`` seen through :class:`WizardHost`; a TypeError names a test app that is not one."""
    if not isinstance(app, WizardHost):
        raise TypeError(f"{type(app).__name__} is not an email-wizard app")
    return app
