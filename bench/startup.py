"""Start-up cost of the command line, beside plain Python and a bare Textual import.

Runs each command N times (default 10) and prints the median and best wall
time. `--help`, `list` and `validate` must stay free of Textual; this shows
what that buys. Usage: ``python bench/startup.py [N]``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

COMMANDS: list[tuple[str, list[str]]] = [
    ("python -c pass", [PY, "-c", "pass"]),
    ('python -c "import textual.app"', [PY, "-c", "import textual.app"]),
    ("email-wizard --help", [PY, "-m", "wizard", "--help"]),
    ("email-wizard list", [PY, "-m", "wizard", "list"]),
    ("email-wizard validate flows/*.yaml",
     [PY, "-m", "wizard", "validate", *sorted(str(p) for p in (ROOT / "flows").glob("*.yaml"))]),
]


def measure(argv: list[str], runs: int) -> list[float]:
    """Wall times in milliseconds of ``runs`` runs (after one warm-up)."""
    subprocess.run(argv, cwd=ROOT, capture_output=True, check=False)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, capture_output=True, check=False)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    """Print a Markdown table of the figures."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    print(f"| command | median ms | best ms |  ({runs} runs each)")
    print("|---|---:|---:|")
    for label, argv in COMMANDS:
        times = measure(argv, runs)
        print(f"| `{label}` | {statistics.median(times):.0f} | {min(times):.0f} |")


if __name__ == "__main__":
    main()
