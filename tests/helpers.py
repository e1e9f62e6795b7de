"""Small helpers shared by the tests (no fixtures here: see conftest.py and tests/servers/)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"


def free_port(host: str = "127.0.0.1", kind: int = socket.SOCK_STREAM) -> int:
    """A port that was free a moment ago on ``host``."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, kind) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def cli(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``email-wizard ARGS`` in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "wizard", *args], capture_output=True,
                          text=True, env=env, input=stdin, cwd=cwd or ROOT, timeout=120)
