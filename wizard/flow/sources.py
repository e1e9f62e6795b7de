"""Where flow files are: the bundled folder, then the user's (a user flow may shadow a
bundled id)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from wizard.paths import bundled_data_dir, user_flows_dir

FLOW_SUFFIXES = (".yaml", ".yml")
FIXES_FOLDER = "fixes"
"""The folder of shared fix libraries (bundled, the user's, or beside a flow file)."""


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


def library_dirs(near: Path | None = None) -> list[Path]:
    """Where shared fixes files are: bundled, the user's, and ``fixes/`` beside a flow file
    (or, for a fixes file, its own folder)."""
    dirs = [bundled_data_dir() / FIXES_FOLDER, user_flows_dir() / FIXES_FOLDER]
    if near is not None:
        dirs.append(near.parent / FIXES_FOLDER)
        if near.parent.name == FIXES_FOLDER:
            dirs.append(near.parent)
    seen: set[Path] = set()
    out: list[Path] = []
    for folder in dirs:
        key = folder.resolve()
        if key not in seen and folder.is_dir():
            seen.add(key)
            out.append(folder)
    return out


def _named_bytes(paths: list[Path]) -> bytes:
    """Each file's name and the SHA-256 of its bytes (read bounded, one file at a time;
    an unreadable one as a marker): what a cache key needs, in memory that does not grow
    with the files."""
    import hashlib

    from wizard.data.bounded_read import MAX_DATA_FILE_BYTES, FileRefused, read_regular_file

    out = bytearray()
    for path in paths:
        try:
            digest = hashlib.sha256(read_regular_file(path, MAX_DATA_FILE_BYTES)).digest()
        except FileRefused:
            digest = b"(unreadable)"
        out += str(path).encode() + b"\0" + digest + b"\0"
    return bytes(out)


def library_bytes(near: Path | None = None) -> bytes:
    """The names and digests of every fix library a flow at ``near`` may use: part of a
    cached flow's key, so a changed library makes the cached flow stale."""
    return _named_bytes([path for folder in library_dirs(near)
                         for path in sorted(folder.iterdir()) if path.suffix in FLOW_SUFFIXES])


def subflow_candidates(near: Path | None = None) -> list[Path]:
    """The flow files a flow at ``near`` may run as sub-flows, in shadowing order: the
    installed ones, then those beside ``near`` (a later file with the same id wins)."""
    paths = [s.path for s in flow_sources()]
    if near is not None and near.parent.is_dir():
        paths += [p for p in sorted(near.parent.iterdir())
                  if p.suffix in FLOW_SUFFIXES and p.is_file()]
    return paths


def subflow_bytes(near: Path | None = None) -> bytes:
    """The names and digests of every flow file a flow at ``near`` may run: part of a
    cached flow's key, so a changed sub-flow makes the flows that run it stale."""
    return _named_bytes(subflow_candidates(near))


ID_LINE = re.compile(rb"""^id:[ \t]*["']?([A-Za-z0-9_.-]+)["']?[ \t]*(?:#.*)?$""", re.M)
"""A flow file's top-level ``id:`` line (a text scan, not a parse)."""


def declared_ids(data: bytes) -> set[str]:
    """The ids a flow file's top-level ``id:`` lines declare."""
    return {m.group(1).decode() for m in ID_LINE.finditer(data)}
