"""Where flow files are: the bundled folder, then the user's (a user flow may shadow a
bundled id)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wizard.paths import bundled_data_dir, user_flows_dir

FLOW_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class FlowSource:
    """A flow file found on disk and where it came from (``bundled`` or ``user``)."""

    path: Path
    origin: str


def flow_sources(extra_dirs: tuple[Path, ...] = ()) -> list[FlowSource]:
    """Flow files, bundled first, then the user's folder (a user flow may shadow a bundled id).

    Anything with a flow suffix that is not a folder is listed, so a pipe or a
    device in the folder is reported as broken rather than silently left out.
    """
    found: list[FlowSource] = []
    for folder, origin in ((bundled_data_dir(), "bundled"), (user_flows_dir(), "user"),
                           *((d, "user") for d in extra_dirs)):
        if folder.is_dir():
            found.extend(FlowSource(p, origin) for p in sorted(folder.iterdir())
                         if p.suffix in FLOW_SUFFIXES and not p.is_dir())
    return found
