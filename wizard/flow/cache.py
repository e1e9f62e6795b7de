"""A cache of flows already loaded and checked, in the user's cache folder.

Loading a flow parses its YAML with positions and checks it against the probe
registry; the result depends only on the file's bytes, the wizard's version and
the probe manifest, so it is stored under a hash of the three, as JSON, in
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

from pydantic import ValidationError

from wizard import __version__
from wizard.data.user_cache import cache_dir, read_entry, write_entry
from wizard.flow.model import Flow

__all__ = ["cache_dir", "cache_key", "cached_flow", "store_flow"]


@cache
def _manifest_digest() -> bytes:
    """The probe manifest and the flow language's own source: a change to either (even
    within one version, as in a development tree) makes every cached flow stale."""
    from wizard.probes.manifest import MANIFEST_PATH

    language = Path(__file__).with_name("model.py").read_bytes()
    return hashlib.sha256(MANIFEST_PATH.read_bytes() + b"\0" + language).digest()


def cache_key(content: bytes) -> str:
    """The entry name for a flow file's bytes under this version, manifest and language."""
    digest = hashlib.sha256(__version__.encode() + b"\0" + _manifest_digest() + b"\0")
    digest.update(content)
    return digest.hexdigest()


def cached_flow(content: bytes) -> Flow | None:
    """The flow stored for ``content``, or None (absent, corrupt or from another version)."""
    data = read_entry(f"{cache_key(content)}.json")
    try:
        return Flow.model_validate(data["flow"]) if data is not None else None
    except (ValueError, TypeError, KeyError, AttributeError, ValidationError):
        return None


def store_flow(content: bytes, flow: Flow) -> None:
    """Remember a checked flow; a cache folder that cannot be written is silently skipped."""
    write_entry(f"{cache_key(content)}.json",
                {"flow": flow.model_dump(mode="json", by_alias=True, exclude_unset=True)})
