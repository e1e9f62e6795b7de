"""The last values typed into each flow's form, offered again next time (never secrets).

Plain Python — no Textual. One small JSON file in the user config folder,
``forms.json``: ``{flow id: {input: value}}``. A file that cannot be read or
does not fit is ignored (and rewritten on the next start of a walk): it is a
convenience, never a reason to fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from wizard.flow.model import Flow

FILE_NAME = "forms.json"
MAX_BYTES = 256 * 1024
MAX_VALUE = 4096
"""Longer values (a pasted message) are not worth offering again."""


def _load(folder: Path) -> dict[str, dict[str, str]]:
    path = folder / FILE_NAME
    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {flow: {k: v for k, v in values.items() if isinstance(v, str)}
            for flow, values in data.items()
            if isinstance(flow, str) and isinstance(values, dict)}


def remembered_values(flow: Flow, folder: Path) -> dict[str, str]:
    """What was last typed into ``flow``'s form (only inputs it still has, never secrets)."""
    values = _load(folder).get(flow.id, {})
    return {name: value for name, value in values.items()
            if name in flow.inputs and flow.inputs[name].type != "secret"}


def remember_values(flow: Flow, values: Mapping[str, object], folder: Path) -> None:
    """Keep ``values`` of ``flow``'s form for next time (secrets and long values left out)."""
    kept = {name: str(value) for name, value in values.items()
            if name in flow.inputs and flow.inputs[name].type != "secret"
            and value not in (None, "") and len(str(value)) <= MAX_VALUE}
    data = _load(folder)
    data[flow.id] = kept
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".forms.", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump(data, file, indent=1, sort_keys=True)
            os.replace(temporary, folder / FILE_NAME)
        finally:
            Path(temporary).unlink(missing_ok=True)
