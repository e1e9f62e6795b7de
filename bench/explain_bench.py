"""How long ``explain`` takes on pasted logs of 1, 2 and 4 MB, and on adversarial text.

Plain Python, no test runner: ``.venv/bin/python bench/explain_bench.py``.
Matching is meant to be linear in the input, so the time per MB should stay
about the same as the input doubles. Figures go to stdout; nothing asserts.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.explain_pastes import paste_forms
from wizard.catalog import explain, load_error_catalog

MB = 1 << 20
NOISE = [
    "Mar  3 10:15:{s:02d} app postfix/qmgr[2210]: 4XyZ{n}: from=<app@example.com>, size={n}, "
    "nrcpt=1 (queue active)",
    "Mar  3 10:15:{s:02d} app postfix/smtp[2211]: 4XyZ{n}: to=<user{n}@example.net>, "
    "relay=smtp.example.net[192.0.2.{s}]:587, delay=0.4, delays=0.01/0/0.2/0.2, dsn=2.0.0, "
    "status=sent (250 OK id={n})",
    "Mar  3 10:15:{s:02d} app postfix/smtpd[2212]: connect from unknown[198.51.100.{s}]",
    "2025-03-03T10:15:{s:02d}Z INFO worker-{n} sent message {n} in 120 ms",
]


def realistic_log(size: int, seed: int = 7) -> str:
    """Mostly ordinary log lines, with one catalog error in about fifty lines."""
    rng = random.Random(seed)
    catalog = load_error_catalog()
    errors = [form for entry in catalog.catalog.entries
              for form in paste_forms(entry).values() if len(form) < 600]
    lines: list[str] = []
    total = 0
    while total < size:
        if rng.random() < 0.02:
            line = rng.choice(errors)
        else:
            line = rng.choice(NOISE).format(s=rng.randrange(60), n=rng.randrange(10**6))
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines)[:size]


def adversarial(size: int) -> str:
    """Text built to hurt a backtracking regex: anchors repeated with no way to finish."""
    unit = ("Invalid command argument, does not contain the second "
            "Maximum messages sent per minute reached : limit is limit is 535-535-5.7.8 "
            '"code": "InvalidParameter" ')
    return (unit * (size // len(unit) + 1))[:size]


def one_line(size: int) -> str:
    """A single line without newlines (a minified JSON dump)."""
    unit = '{"code": "InvalidParameter", "message": "Invalid Internet Address : a@b"},'
    return (unit * (size // len(unit) + 1))[:size]


def timed(make: Callable[[int], str], size: int, repeat: int = 3) -> float:
    catalog = load_error_catalog()
    text = make(size)
    explain("warm up", catalog)
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        explain(text, catalog)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    print(f"{'input':<14}{'size':>6}{'seconds':>10}{'s per MB':>10}")
    for name, make in (("realistic log", realistic_log), ("adversarial", adversarial),
                       ("one long line", one_line)):
        for megabytes in (1, 2, 4):
            seconds = timed(make, megabytes * MB)
            print(f"{name:<14}{megabytes:>4} MB{seconds:>10.3f}{seconds / megabytes:>10.3f}")


if __name__ == "__main__":
    main()
