"""Proves that every outcome every probe declares is produced by at least one test.

Probe runs are recorded wherever they happen: in-process (each registered
probe's ``run`` is wrapped at start-up, before test modules import it) and in
``email-wizard`` subprocesses (through the runner's ``EMAIL_WIZARD_OUTCOME_LOG``
file). When the whole suite ran, an outcome no test produced fails the run.
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

import pytest

from wizard.probes import registry
from wizard.probes.base import ProbeResult
from wizard.probes.runner import OUTCOME_LOG_ENV

_LOG = Path(tempfile.mkdtemp(prefix="ew-outcomes-")) / "outcomes.tsv"
os.environ[OUTCOME_LOG_ENV] = str(_LOG)


def _wrap(name: str, run: Callable[..., Awaitable[ProbeResult]]) -> Callable[..., Any]:
    @functools.wraps(run)
    async def recording(*args: Any, **kwargs: Any) -> ProbeResult:
        result = await run(*args, **kwargs)
        with _LOG.open("a", encoding="utf-8") as log:
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


install()


def produced() -> set[tuple[str, str]]:
    """Every (probe, outcome) recorded so far."""
    if not _LOG.exists():
        return set()
    pairs = set()
    for line in _LOG.read_text(encoding="utf-8").splitlines():
        name, _, outcome = line.partition("\t")
        pairs.add((name, outcome))
    return pairs


def _whole_suite(session: pytest.Session) -> bool:
    config = session.config
    if config.getoption("keyword") or config.getoption("markexpr"):
        return False
    args = [Path(a).resolve() for a in config.args]
    tests_dir = Path(__file__).resolve().parent
    return all(a in (tests_dir, tests_dir.parent) for a in args)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail a whole-suite run when a declared outcome was never produced."""
    if not _whole_suite(session) or exitstatus != 0:
        return
    seen = produced()
    missing = sorted(f"{name}: {outcome}" for name, spec in registry.PROBES.items()
                     for outcome in spec.outcomes if (name, outcome) not in seen)
    if missing:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        text = ("probe outcomes no test produced:\n  " + "\n  ".join(missing))
        if reporter is not None:
            reporter.write_line(text, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
