"""Entries of the user's cache folder: JSON objects stamped with the wizard's version.

The folder is ``$EMAIL_WIZARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/email-wizard/flows``
(``~/.cache`` by default). The flow cache (:mod:`wizard.flow.cache`) and the provider
profile cache (:mod:`wizard.providers.loader`) keep their entries here; an entry
written by another version is never returned, and a corrupt one is ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from wizard import __version__


def cache_dir() -> Path:
    """Where cached flows live: ``$EMAIL_WIZARD_CACHE_DIR``, else XDG's ``email-wizard/flows``."""
    explicit = os.environ.get("EMAIL_WIZARD_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "email-wizard" / "flows"


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
