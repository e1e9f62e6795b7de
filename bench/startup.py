"""Start-up cost of the command line, beside plain Python, a bare Textual import and swaks.

Runs each command N times (default 5) after one warm-up (which also fills the
flow cache) and prints the median and best wall time, all in one run on this
machine. ``run tcp-port`` and ``run port-connectivity`` talk to a loopback
aiosmtpd relay (STARTTLS, AUTH after TLS, trustme certificate) the benchmark
starts itself; ``swaks --tls --quit-after AUTH`` talks to the same relay.
swaks is a Debian package (``apt-get install swaks``); without it its row is
skipped. Usage: ``python bench/startup.py [N]`` from the repository root.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable


def start_relay(directory: Path) -> tuple[int, str, object]:
    """A loopback submission relay: (port, CA file, controller to stop)."""
    from tests.servers.smtp import Pki, ReferenceHandler, start_submission

    pki = Pki(directory)
    controller = start_submission(ReferenceHandler(), pki.context("good"), implicit=False)
    return int(controller.port), pki.ca_file, controller


def commands(port: int, ca_file: str) -> list[tuple[str, list[str]]]:
    """The commands measured side by side (label, argv)."""
    wiz = [PY, "-m", "wizard"]
    rows = [
        ("python -c pass", [PY, "-c", "pass"]),
        ('python -c "import textual.app"', [PY, "-c", "import textual.app"]),
        ('python -c "import asyncio, ssl, dns.asyncresolver, yaml"',
         [PY, "-c", "import asyncio, ssl, dns.asyncresolver, yaml"]),
        ("email-wizard --help", [*wiz, "--help"]),
        ("email-wizard list", [*wiz, "list"]),
        ("email-wizard validate flows/*.yaml",
         [*wiz, "validate", *sorted(str(p) for p in (ROOT / "flows").glob("*.yaml"))]),
        ("email-wizard run tcp-port (loopback relay)",
         [*wiz, "run", "tcp-port", "--set", "host=127.0.0.1", "--set", f"port={port}"]),
        ("email-wizard run port-connectivity (loopback relay)",
         [*wiz, "run", "port-connectivity", "--set", "host=127.0.0.1", "--set",
          f"ports={port}", "--ca-file", ca_file, "--nameserver", "127.0.0.1:9"]),
    ]
    swaks = shutil.which("swaks")
    if swaks:
        rows.append(("swaks --tls --quit-after AUTH (same relay)",
                     [swaks, "--server", "127.0.0.1", "--port", str(port), "--tls",
                      "--quit-after", "AUTH", "--to", "a@mail.test", "--from", "b@mail.test",
                      "--helo", "bench.test"]))
    return rows


def measure(argv: list[str], runs: int, env: dict[str, str]) -> list[float]:
    """Wall times in milliseconds of ``runs`` runs (after one warm-up)."""
    subprocess.run(argv, cwd=ROOT, capture_output=True, check=False, env=env)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, capture_output=True, check=False, env=env)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    """Print a Markdown table of the figures, with each command's ratio to two references."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, EMAIL_WIZARD_CACHE_DIR=str(Path(tmp) / "cache"),
                   PYTHONPATH=str(ROOT))
        port, ca_file, relay = start_relay(Path(tmp))
        try:
            results = [(label, measure(argv, runs, env)) for label, argv in
                       commands(port, ca_file)]
        finally:
            relay.stop()  # type: ignore[attr-defined]
    medians = {label: statistics.median(t) for label, t in results}
    textual = medians['python -c "import textual.app"']
    swaks = next((v for k, v in medians.items() if k.startswith("swaks")), None)
    print(f"| command | median ms | best ms | × import textual.app | × swaks |  ({runs} runs)")
    print("|---|---:|---:|---:|---:|")
    for label, times in results:
        ratio_swaks = f"{medians[label] / swaks:.2f}" if swaks else "–"
        print(f"| `{label}` | {medians[label]:.0f} | {min(times):.0f} | "
              f"{medians[label] / textual:.2f} | {ratio_swaks} |")


if __name__ == "__main__":
    main()
