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

import contextlib
import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wizard import __version__
from wizard.flow.model import Flow


def cache_dir() -> Path:
    """Where cached flows live: ``$EMAIL_WIZARD_CACHE_DIR``, else XDG's ``email-wizard/flows``."""
    explicit = os.environ.get("EMAIL_WIZARD_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "email-wizard" / "flows"


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


def read_entry(name: str) -> dict[str, Any] | None:
    """The JSON object stored as ``name`` by this version, or None (absent, corrupt, foreign)."""
    try:
        data = json.loads((cache_dir() / name).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != __version__:
        return None
    return data


def write_entry(name: str, payload: dict[str, Any]) -> None:
    """Store ``payload`` (with this version) as ``name``, atomically; an unwritable cache
    folder is silently skipped."""
    folder = cache_dir()
    entry = json.dumps({"version": __version__, **payload})
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(entry)
            os.replace(tmp, folder / name)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
