"""Start-up cost of the command line, beside plain Python, a bare Textual import and swaks.

Runs each command N times (default 5) after one warm-up (which also fills the
flow cache and compiles the bytecode, as installing the package would) and
prints the median and best wall time and the median CPU time (user + system),
all in one run on this machine. The runs are interleaved — round after round,
every command once per round — so a change in the machine's load falls on
every row alike. ``import asyncio, ssl, aiosmtplib, pydantic.fields`` is the
floor of the chosen stack under ``run port-connectivity``: what it imports
before any of the wizard's own code. ``run tcp-port`` and ``run port-connectivity`` talk to a
loopback aiosmtpd relay (STARTTLS, AUTH after TLS, trustme certificate) the
benchmark starts itself; ``swaks --tls --quit-after AUTH`` talks to the same
relay. swaks is a Debian package (``apt-get install swaks``); without it its
row is skipped.

Bytecode: the commands run with ``PYTHONDONTWRITEBYTECODE`` removed and
``PYTHONPYCACHEPREFIX`` in a temporary folder, so the wizard's modules are
compiled once (in the warm-up) and read from bytecode afterwards, as in an
installed wizard; with bytecode writing switched off, every run would compile
every module again (about 80 ms for ``run``).

Usage, from the repository root: ``python bench/startup.py [N] [--baseline DIR]
[--instructions]``; ``--baseline DIR`` also times the wizard rows of another
checkout (e.g. ``git worktree add /tmp/base main``) in the same rounds, for a
before/after. ``--instructions`` adds a column counting the instructions each
command executes (one run under ``valgrind --tool=callgrind``, Debian package
``valgrind``): unlike wall time on a shared machine, that count hardly moves
from run to run, so it tells a change's effect where wall times drown in noise
(it does not count waiting, cache misses or the kernel's work).
"""

from __future__ import annotations

import argparse
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


def wizard_rows(port: int, ca_file: str, tree: Path, tag: str = "") -> list[tuple[str, list[str],
                                                                                 Path]]:
    """The wizard's commands, run from ``tree`` (label, argv, working folder)."""
    wiz = [PY, "-m", "wizard"]
    return [
        (f"email-wizard --help{tag}", [*wiz, "--help"], tree),
        (f"email-wizard list{tag}", [*wiz, "list"], tree),
        (f"email-wizard validate flows/*.yaml{tag}",
         [*wiz, "validate", *sorted(str(p) for p in (tree / "flows").glob("*.yaml"))], tree),
        (f"email-wizard run tcp-port (loopback relay){tag}",
         [*wiz, "run", "tcp-port", "--set", "host=127.0.0.1", "--set", f"port={port}"], tree),
        (f"email-wizard run port-connectivity (loopback relay){tag}",
         [*wiz, "run", "port-connectivity", "--set", "host=127.0.0.1", "--set",
          f"ports={port}", "--ca-file", ca_file, "--nameserver", "127.0.0.1:9"], tree),
    ]


def commands(port: int, ca_file: str,
             baseline: Path | None = None) -> list[tuple[str, list[str], Path]]:
    """The commands measured side by side (label, argv, working folder)."""
    rows = [
        ("python -c pass", [PY, "-c", "pass"], ROOT),
        ('python -c "import textual.app"', [PY, "-c", "import textual.app"], ROOT),
        ('python -c "import asyncio, ssl, dns.asyncresolver, yaml"',
         [PY, "-c", "import asyncio, ssl, dns.asyncresolver, yaml"], ROOT),
        ('python -c "import asyncio, ssl, aiosmtplib, pydantic.fields"',
         [PY, "-c", "import asyncio, ssl, aiosmtplib, pydantic.fields"], ROOT),
        *wizard_rows(port, ca_file, ROOT),
    ]
    if baseline is not None:
        rows += wizard_rows(port, ca_file, baseline, f" [{baseline.name}]")
    swaks = shutil.which("swaks")
    if swaks:
        rows.append(("swaks --tls --quit-after AUTH (same relay)",
                     [swaks, "--server", "127.0.0.1", "--port", str(port), "--tls",
                      "--quit-after", "AUTH", "--to", "a@mail.test", "--from", "b@mail.test",
                      "--helo", "bench.test"], ROOT))
    return rows


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) milliseconds of one run of ``argv``."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    wall = (time.perf_counter() - started) * 1000
    child.returncode = 0
    return wall, (usage.ru_utime + usage.ru_stime) * 1000


def instructions(argv: list[str], cwd: Path, env: dict[str, str]) -> float | None:
    """Millions of instructions one run of ``argv`` executes (None without valgrind)."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    done = subprocess.run([valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
                          cwd=cwd, env=env, capture_output=True, text=True, check=False)
    for line in done.stderr.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1]) / 1e6
    return None


def child_env(tmp: Path, tree: Path) -> dict[str, str]:
    """The environment of a measured command: its own flow cache and bytecode folder."""
    env = dict(os.environ, EMAIL_WIZARD_CACHE_DIR=str(tmp / "cache" / tree.name),
               PYTHONPATH=str(tree), PYTHONPYCACHEPREFIX=str(tmp / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def main() -> None:
    """Print a Markdown table of the figures, with each command's ratio to two references."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="another checkout to time beside this one")
    parser.add_argument("--instructions", action="store_true",
                        help="also count each command's instructions (valgrind)")
    args = parser.parse_args()
    baseline = args.baseline.resolve() if args.baseline else None
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        port, ca_file, relay = start_relay(tmp)
        try:
            rows = commands(port, ca_file, baseline)
            envs = [child_env(tmp, cwd) for _, _, cwd in rows]
            for (_, argv, cwd), env in zip(rows, envs, strict=True):
                timed(argv, cwd, env)  # warm-up: flow cache, bytecode
            walls: dict[str, list[float]] = {label: [] for label, _, _ in rows}
            cpus: dict[str, list[float]] = {label: [] for label, _, _ in rows}
            for _ in range(args.runs):
                for (label, argv, cwd), env in zip(rows, envs, strict=True):
                    wall, cpu = timed(argv, cwd, env)
                    walls[label].append(wall)
                    cpus[label].append(cpu)
            counts = {label: instructions(argv, cwd, env) if args.instructions else None
                      for (label, argv, cwd), env in zip(rows, envs, strict=True)}
        finally:
            relay.stop()  # type: ignore[attr-defined]
    medians = {label: statistics.median(t) for label, t in walls.items()}
    textual = medians['python -c "import textual.app"']
    swaks = next((v for k, v in medians.items() if k.startswith("swaks")), None)
    swaks_count = next((v for k, v in counts.items() if k.startswith("swaks")), None)
    extra = " M instructions | × swaks (instructions) |" if args.instructions else ""
    print(f"| command | median ms | best ms | CPU ms | × import textual.app | × swaks |{extra}"
          f"  ({args.runs} runs)")
    print("|---|---:|---:|---:|---:|---:|" + ("---:|---:|" if args.instructions else ""))
    for label, times in walls.items():
        ratio_swaks = f"{medians[label] / swaks:.2f}" if swaks else "–"
        row = (f"| `{label}` | {medians[label]:.0f} | {min(times):.0f} | "
               f"{statistics.median(cpus[label]):.0f} | {medians[label] / textual:.2f} | "
               f"{ratio_swaks} |")
        if args.instructions:
            count = counts[label]
            row += (f" {count:.0f} | " if count is not None else " – | ") + (
                f"{count / swaks_count:.2f} |" if count is not None and swaks_count else "– |")
        print(row)

if __name__ == "__main__":
    main()
