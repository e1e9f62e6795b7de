"""Small helpers shared by the tests (no fixtures here: see conftest.py and tests/servers/)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"
CLI = (sys.executable, "-m", "tests.recording_cli")
"""The command line as the tests start it: ``email-wizard`` with probe outcomes recorded."""


def free_port(host: str = "127.0.0.1", kind: int = socket.SOCK_STREAM) -> int:
    """A port that was free a moment ago on ``host``."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, kind) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


IN_PROCESS = frozenset({"list", "validate", "explain", "schema", "probes", "graph"})
"""Commands the tests run in-process through ``main(argv, stdout=, stderr=, environ=)``:
quick, no event loop of their own, no signals. ``run`` and ``scan`` (and anything with
stdin or another folder) run as a real subprocess."""


def cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``email-wizard ARGS`` as a user would (probe outcomes recorded): in-process for
    the quick read-only commands, else in a subprocess."""
    from tests.outcome_recorder import LOG, LOG_ENV

    env = dict(os.environ if env is None else env)
    env.setdefault(LOG_ENV, str(LOG))
    if args and args[0] in IN_PROCESS and stdin is None and cwd is None:
        return in_process(*args, env=env)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return subprocess.run([*CLI, *args], capture_output=True,
                          text=True, env=env, input=stdin, cwd=cwd or ROOT, timeout=120)


def in_process(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``email-wizard ARGS`` in this process, its output captured, from the repository root."""
    import io

    from wizard.cli import main

    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        code = main(list(args), stdout=out, stderr=err, environ=env)
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(["email-wizard", *args], code, out.getvalue(),
                                       err.getvalue())


def probes_in_netns(namespace: str, calls: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Run each probe of ``calls`` (name → parameters) inside network namespace
    ``namespace``: ``{name: {"outcome": …, "facts": {…}}}``."""
    import json

    from tests.outcome_recorder import LOG, LOG_ENV

    env = {**os.environ, LOG_ENV: str(LOG),
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH"))
                                         if p)}
    result = subprocess.run(["ip", "netns", "exec", namespace, sys.executable, "-m",
                             "tests.netns_probes", json.dumps(calls)],
                            capture_output=True, text=True, cwd=ROOT, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)
    return found
