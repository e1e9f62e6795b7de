"""The home screen's list as data (``flows/home/home.yaml``): what comes first, and the words
people type for each entry.

Loaded by the same strict loader as flows, tours and catalogs, so a defect is a
``FILE:LINE:COL`` message. ``explain``, ``tour`` and ``scan`` name the entries that are
not flows; any other id is a flow's. Installed flows the file does not name come after
those it ranks; a named flow that is not installed is skipped (``validate`` reports it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from pydantic import Field, model_validator

from wizard.data.diagnostics import DataFileError, Diagnostic, did_you_mean
from wizard.data.strict import Strict
from wizard.data.strict_load import load_model, read_located
from wizard.paths import bundled_data_dir

EXPLAIN = "explain"
"""The id of "Explain an error"."""
TOUR = "tour"
"""The id of the onboarding tour."""
SCAN = "scan"
"""The id of "Check many domains" (the scan screen)."""
SPECIAL = (EXPLAIN, TOUR, SCAN)
ERROR_WORDS = 5
"""Text of this many words or more is a pasted message, not a filter."""

_ERROR_SHAPES = re.compile(
    r"^\s*[2-5][0-5]\d(?:[\s-]|$)"                 # a reply code (not port 587): 535
    r"|\b[245]\.\d{1,3}\.\d{1,3}\b"                # an enhanced status code: 5.7.1
    r"|\b\w*(?:Error|Exception|Failure)\b"        # TimeoutError, SMTPAuthenticationError
    r"|\b(?:E[A-Z]{4,}|[A-Z]+_[A-Z_]{3,})\b"       # ETIMEDOUT, CERTIFICATE_VERIFY_FAILED
    r"|^\s*Traceback\b|\bstatus=(?:bounced|deferred)\b")


def looks_like_error(text: str) -> bool:
    """True when ``text`` reads as an error to explain rather than words to filter by: a reply
    code, an enhanced status code, an exception's name, or a sentence of several words."""
    return bool(_ERROR_SHAPES.search(text)) or len(text.split()) >= ERROR_WORDS


class HomeEntry(Strict):
    """One entry of the home screen: a flow, ``explain``, ``tour`` or ``scan``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str | None = Field(None, description="Shown instead of the flow's own title")
    purpose: str | None = Field(None, description="Shown instead of the flow's description")
    words: list[str] = Field([], description="What people type when they "
                             "look for it: symptoms, codes, protocol names")


class HomeMenu(Strict):
    """The home screen's order: ``start`` on top, then the ranked ``checks``; and the checks
    "Explain an error" offers when it knows no error in the text."""

    start: list[HomeEntry] = Field(min_length=1, description="The commonest jobs, on top")
    checks: list[HomeEntry] = Field([],
                                    description="The other checks, in this order")
    unexplained: list[HomeEntry] = Field(
        [], description="The checks that usually find the cause of an error "
        "the catalog does not know (title: the button's label)")

    @model_validator(mode="after")
    def _unique(self) -> HomeMenu:
        seen: set[str] = set()
        for entry in self.entries:
            if entry.id in seen:
                raise ValueError(f"{entry.id!r} is listed twice")
            seen.add(entry.id)
        return self

    @property
    def entries(self) -> list[HomeEntry]:
        """Every entry, in order."""
        return [*self.start, *self.checks]

    def entry(self, entry_id: str) -> HomeEntry | None:
        """The entry ``entry_id``, if the file names it."""
        return next((e for e in self.entries if e.id == entry_id), None)

    def rank(self, flow_ids: Iterable[str]) -> list[str]:
        """``flow_ids`` of the checks in this file's order, the unnamed ones after, as given."""
        given = list(flow_ids)
        named = [e.id for e in self.checks if e.id in given]
        return named + [i for i in given if i not in named and self.entry(i) is None]


def home_menu_path() -> Path:
    """The bundled home file."""
    return bundled_data_dir() / "home" / "home.yaml"


def load_home_menu(path: Path | None = None, display: str | None = None) -> HomeMenu:
    """Load the home file; defects raise :class:`DataFileError` (FILE:LINE:COL)."""
    path = path or home_menu_path()
    name = display or str(path)
    return load_model(HomeMenu, read_located(path, name), name)


def check_home_flows(path: Path, installed: set[str], display: str | None = None) -> list[
        Diagnostic]:
    """Every defect of the home file, and one for each id that is no installed flow."""
    name = display or str(path)
    located = read_located(path, name)
    menu = load_model(HomeMenu, located, name)
    known = installed | set(SPECIAL)
    found = []
    for group in ("start", "checks", "unexplained"):
        for index, entry in enumerate(getattr(menu, group)):
            if entry.id not in known:
                pos = located.pos((group, index, "id"))
                found.append(Diagnostic(name, pos.line, pos.col, f"no installed flow "
                                        f"{entry.id!r}{did_you_mean(entry.id, known)}"))
    return found


__all__ = ["EXPLAIN", "SCAN", "TOUR", "DataFileError", "HomeEntry", "HomeMenu", "check_home_flows",
           "home_menu_path", "load_home_menu", "looks_like_error"]
