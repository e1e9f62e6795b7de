"""Tours: a guided sequence of flows with shared inputs (``flows/tours/*.yaml``).

Loaded by the same strict loader as flows, catalogs and profiles, so a
defect is a ``FILE:LINE:COL`` message; a check naming a flow that is not
installed is a defect too when validating (the TUI skips it with a note).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from wizard.data.diagnostics import DataFileError, Diagnostic, did_you_mean
from wizard.data.strict import Strict
from wizard.data.strict_load import load_model, read_located
from wizard.flow.model import InputSpec
from wizard.paths import bundled_data_dir

ONBOARDING = "onboarding.yaml"


class TourCheck(Strict):
    """One check of the tour: a label and the flow that does it."""

    label: str
    flow: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    why: str = ""


class Tour(Strict):
    """A guided sequence of flows with inputs shared between them."""

    kind: Literal["tour"] = Field("tour", description="What this file is")
    version: Literal[1] = 1
    title: str
    description: str = ""
    inputs: dict[str, InputSpec] = Field({})
    checks: list[TourCheck] = Field(min_length=1)


def tour_path(name: str = ONBOARDING) -> Path:
    """A bundled tour file."""
    return bundled_data_dir() / "tours" / name


def load_tour(path: Path, display: str | None = None) -> Tour:
    """Load a tour file; defects raise :class:`DataFileError` (FILE:LINE:COL)."""
    name = display or str(path)
    return load_model(Tour, read_located(path, name), name)


def check_tour_flows(path: Path, installed: set[str], display: str | None = None) -> list[
        Diagnostic]:
    """A defect for each check whose flow is not among ``installed``."""
    name = display or str(path)
    located = read_located(path, name)
    tour = load_model(Tour, located, name)
    found = []
    for index, check in enumerate(tour.checks):
        if check.flow not in installed:
            pos = located.pos(("checks", index, "flow"))
            found.append(Diagnostic(name, pos.line, pos.col, f"no installed flow "
                                    f"{check.flow!r}{did_you_mean(check.flow, installed)}"))
    return found


__all__ = ["DataFileError", "Tour", "TourCheck", "check_tour_flows", "load_tour", "tour_path"]
