"""Records which outcome each probe run produced, for the outcome-coverage check.

Test code only: :func:`install` wraps every registered probe's ``run``, in the
registry and in its module. The log's path travels to ``email-wizard``
subprocesses in :data:`LOG_ENV`; ``python -m tests.recording_cli`` installs
the recorder there before the command line runs. No pytest import here, so a
subprocess starts as fast as the real entry point.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from wizard.probes import registry
from wizard.probes.base import ProbeResult

LOG_ENV = "EMAIL_WIZARD_TEST_OUTCOME_LOG"
"""The environment variable that names the log file (set by the test session)."""

LOG = Path(os.environ.get(LOG_ENV) or Path(tempfile.mkdtemp(prefix="ew-outcomes-"))
           / "outcomes.tsv")
os.environ[LOG_ENV] = str(LOG)


def _wrap(name: str, run: Callable[..., Awaitable[ProbeResult]]) -> Callable[..., Any]:
    @functools.wraps(run)
    async def recording(*args: Any, **kwargs: Any) -> ProbeResult:
        result = await run(*args, **kwargs)
        with LOG.open("a", encoding="utf-8") as log:
            log.write(f"{name}\t{result.outcome}\n")
        return result

    recording.__wrapped_probe__ = True  # type: ignore[attr-defined]
    return recording


def install() -> None:
    """Wrap every registered probe's run function, in the registry and in its module."""
    table = dict(registry.PROBES)
    for name, spec in table.items():
        if getattr(spec.run, "__wrapped_probe__", False):
            continue
        wrapped = _wrap(name, spec.run)
        module = sys.modules.get(spec.run.__module__)
        if module is not None and getattr(module, spec.run.__name__, None) is spec.run:
            setattr(module, spec.run.__name__, wrapped)
        new_spec = replace(spec, run=wrapped)
        if module is not None:
            for attr, value in list(vars(module).items()):
                if value is spec:
                    setattr(module, attr, new_spec)
        table[name] = new_spec
    registry.PROBES = table  # type: ignore[misc]
