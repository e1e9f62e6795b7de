"""A cache of flows already loaded and checked, in the user's cache folder.

Loading a flow parses its YAML with positions and checks it against the probe
registry; the result depends only on the file's bytes, the wizard's version and
the probe manifest, so it is stored under a hash of the three (see
:mod:`wizard.data.user_cache` for the entries' format and how they are read) in
``$XDG_CACHE_HOME/email-wizard/flows`` (``~/.cache`` by default;
``EMAIL_WIZARD_CACHE_DIR`` overrides). Safe to delete at any time; an entry
written by another version is never found (the version is in the key), and an
unreadable or corrupt entry is ignored and rewritten. Provider profiles are
cached in the same folder the same way (``provider-*.json``, see
:func:`wizard.providers.loader.load_provider`).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard import __version__
from wizard.data.user_cache import (
    cache_dir,
    code_digest,
    model_blob,
    model_from_blob,
    read_entry,
    write_entry,
)

if TYPE_CHECKING:
    from wizard.flow.model import Flow

__all__ = ["cache_dir", "cache_key", "cached_flow", "cached_listing", "entry_path",
           "key_content", "store_flow"]


FLOW_MODULES = frozenset({"wizard.flow.model", "wizard.fixes.vocabulary"})
"""The modules whose classes a flow is built of: all a cached flow may name."""
_BUILT_ON = frozenset({"wizard.data.strict", "wizard.data.template"})
"""What those classes are built on: with them, the code a cached flow's key covers."""


@cache
def _manifest_digest() -> bytes:
    """The probe manifest and the code a cached flow is made of (the flow and fix models,
    their base; see :func:`~wizard.data.user_cache.code_digest`): a change to any (even
    within one version, as in a development tree) makes every cached flow stale."""
    from wizard.probes.manifest import MANIFEST_PATH

    wizard = Path(__file__).parent.parent
    files = [wizard.joinpath(*name.split(".")[1:]).with_suffix(".py")
             for name in sorted(FLOW_MODULES | _BUILT_ON)]
    return hashlib.sha256(MANIFEST_PATH.read_bytes() + b"\0" + code_digest(*files)).digest()


def cache_key(content: bytes) -> str:
    """The entry name for a flow file's bytes under this version, manifest and language."""
    digest = hashlib.sha256(__version__.encode() + b"\0" + _manifest_digest() + b"\0")
    digest.update(content)
    return digest.hexdigest()


def key_content(path: Path) -> bytes | None:
    """What a flow file's cache entry is keyed by: its bytes, then every fix library and
    every flow file it may use (a change to any makes the entry stale); None when the file
    cannot be read safely (the loader then reports why)."""
    from wizard.data.bounded_read import MAX_DATA_FILE_BYTES, FileRefused, read_regular_file
    from wizard.flow.sources import library_bytes, subflow_bytes

    try:
        content = read_regular_file(path, MAX_DATA_FILE_BYTES)
    except FileRefused:
        return None
    return content + b"\0" + library_bytes(path) + b"\0" + subflow_bytes(path)


def _entry_name(content: bytes) -> str:
    return f"{cache_key(content)}.flow"


def entry_path(content: bytes) -> Path:
    """Where the entry for ``content`` lives (it may not exist)."""
    return cache_dir() / _entry_name(content)


def cached_flow(content: bytes) -> Flow | None:
    """The flow stored for ``content``, or None (absent, corrupt or from another version)."""
    from wizard.flow.model import Flow

    data = read_entry(_entry_name(content))
    return model_from_blob(data.get("flow"), Flow, FLOW_MODULES) if data is not None else None


def cached_listing(content: bytes) -> dict[str, Any] | None:
    """What ``list`` shows of the flow stored for ``content`` (read without building the
    flow's models), or None."""
    data = read_entry(_entry_name(content))
    listing = data.get("listing") if data is not None else None
    return listing if isinstance(listing, dict) and isinstance(listing.get("id"), str) \
        else None


def store_flow(content: bytes, flow: Flow) -> None:
    """Remember a checked flow and its listing; a cache folder that cannot be written is
    silently skipped."""
    write_entry(_entry_name(content), {"flow": model_blob(flow), "listing": flow.listing()})
