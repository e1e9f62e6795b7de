"""Where data lives: the flows bundled in the package and the user's own folder."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_data_dir() -> Path:
    """The shipped ``flows/`` folder (inside the wheel; the source tree's when run from it)."""
    installed = _PACKAGE / "_bundled_flows"
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / "flows"


def config_dir() -> Path:
    """The user's config folder: ``$EMAIL_WIZARD_CONFIG_DIR``, else XDG's ``email-wizard``."""
    explicit = os.environ.get("EMAIL_WIZARD_CONFIG_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "email-wizard"


def user_flows_dir() -> Path:
    """Where a user's own flows go (listed beside the bundled ones)."""
    return config_dir() / "flows"
