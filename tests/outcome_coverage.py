"""Proves that every outcome every probe declares is produced by at least one test.

Probe runs are recorded wherever they happen: in-process (each registered
probe's ``run`` is wrapped at start-up, before test modules import it) and in
``email-wizard`` subprocesses started through ``python -m tests.recording_cli``
(which installs the same recorder). When the whole suite ran, an outcome no
test produced fails the run. Production code knows nothing of this.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.outcome_recorder import LOG, install
from wizard.probes import registry

install()


def produced() -> set[tuple[str, str]]:
    """Every (probe, outcome) recorded so far."""
    if not LOG.exists():
        return set()
    pairs = set()
    for line in LOG.read_text(encoding="utf-8").splitlines():
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
