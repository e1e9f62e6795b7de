"""The onboarding tour: a list of flows run one after another, ending in a checklist.

Plain Python — no Textual. The tour is data (``flows/tours/onboarding.yaml``):
its title, shared inputs and the checks to run, each naming a flow id. A
check whose flow is not installed is skipped with a note, so the tour works
while flows are still being written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from wizard.flow.model import Flow
from wizard.tours import Tour, TourCheck

CheckState = str
"""``pending``, ``healthy``, ``problem``, ``inconclusive``, ``error``, ``skipped`` or
``missing`` (the flow is not installed)."""


@dataclass
class TourItem:
    """A check and where it stands."""

    check: TourCheck
    flow: Flow | None
    state: CheckState = "pending"
    remaining: list[str] = field(default_factory=list)
    """What is left to do: the fix titles of a problem, or why it did not finish."""


@dataclass
class TourRun:
    """The tour's progress: values shared by the checks and the state of each check."""

    tour: Tour
    items: list[TourItem]
    values: dict[str, object] = field(default_factory=dict)

    @classmethod
    def plan(cls, tour: Tour, flows: Mapping[str, Flow]) -> TourRun:
        """Pair each check with its flow; a check without one is ``missing``."""
        items = [TourItem(check, flows.get(check.flow),
                          "pending" if check.flow in flows else "missing")
                 for check in tour.checks]
        return cls(tour, items)

    def next_item(self) -> TourItem | None:
        """The first check still pending."""
        return next((item for item in self.items if item.state == "pending"), None)

    @property
    def finished(self) -> bool:
        """True when no check is pending."""
        return self.next_item() is None

    def inputs_for(self, flow: Flow) -> dict[str, object]:
        """The tour's values that ``flow`` takes as inputs."""
        return {name: value for name, value in self.values.items()
                if name in flow.inputs and value not in ("", None)}
