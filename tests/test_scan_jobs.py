"""``scan --jobs``: domains spread over worker processes give the same rows as one process.

Against the loopback Knot servers (tests/servers/dns_fixtures.py), and with
fake runners for what a real server cannot do (a worker that dies).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import cli
from tests.servers.dns_fixtures import DnsServers
from tests.test_scan import ROWS
from wizard.probes.base import ProbeResult
from wizard.scan import ScanInputError, ScanTarget, load_scan_flows
from wizard.scan_jobs import scan_with_jobs


def _scan(servers: DnsServers, jobs: str, stdin: str) -> tuple[int, list[dict[str, Any]]]:
    result = cli("scan", "--jobs", jobs, "--concurrency", "5", "--nameserver",
                 str(servers.resolver), "--authoritative-port", str(servers.authoritative_port),
                 "--timeout", "3", stdin=stdin)
    assert "Traceback" not in result.stderr, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    for row in rows:
        row.pop("elapsed_ms")
    return result.returncode, sorted(rows, key=lambda r: r["line"])


def test_rows_from_several_processes_equal_rows_from_one(dns_servers: DnsServers) -> None:
    one = _scan(dns_servers, "1", ROWS)
    three = _scan(dns_servers, "3", ROWS)
    assert len(one[1]) == ROWS.count("\n") - 1
    assert three == one


def test_an_unreadable_line_stops_a_multi_process_scan_after_the_domains_before_it(
        dns_servers: DnsServers) -> None:
    result = cli("scan", "--jobs", "2", "--nameserver", str(dns_servers.resolver),
                 "--spf-include", "rp.oracleemaildelivery.com", "--timeout", "3",
                 stdin="good.onboard.test\nmonitor.onboard.test\nbad line\n")
    assert result.returncode == 2
    assert "stdin:3: expected one domain per line" in result.stderr
    assert sorted(json.loads(line)["domain"] for line in result.stdout.splitlines()) == [
        "good.onboard.test", "monitor.onboard.test"]


@pytest.mark.parametrize("jobs", ["-1", "65"])
def test_a_bad_jobs_value_is_exit_2(jobs: str) -> None:
    result = cli("scan", "--jobs", jobs, stdin="example.com\n")
    assert result.returncode == 2 and "--jobs" in result.stderr
    assert "Traceback" not in result.stderr


class _DiesOn:
    """A runner whose process exits on one domain; every other probe times out."""

    async def run(self, name: str, params: Mapping[str, Any]) -> ProbeResult:
        if str(params.get("domain", "")).startswith("die."):
            os._exit(9)
        return ProbeResult("timeout", f"{name} timed out")


async def test_a_worker_that_dies_leaves_an_error_row_not_a_hang() -> None:
    targets = [ScanTarget(domain=f"{name}.example.com", line=k)
               for k, name in enumerate(["a", "b", "die", "c", "d", "e", "f"], 1)]
    rows = [row async for row in scan_with_jobs(targets, load_scan_flows(), _DiesOn(),
                                                concurrency=2, timeout=1, jobs=2)]
    assert sorted(r.line for r in rows) == list(range(1, 8)), "one row per domain"
    by_domain = {r.domain: r for r in rows}
    assert by_domain["die.example.com"].status == "error"
    assert "ended unexpectedly" in by_domain["die.example.com"].error
    assert {r.status for r in rows if r.domain != "die.example.com"} == {"inconclusive"}


class _Unreadable:
    """Targets whose third line cannot be read."""

    def __iter__(self) -> Any:
        yield ScanTarget(domain="a.example.com", line=1)
        yield ScanTarget(domain="b.example.com", line=2)
        raise ScanInputError("list:3: not UTF-8 text")


async def test_an_input_error_is_raised_after_the_rows_in_flight() -> None:
    rows = []
    with pytest.raises(ScanInputError, match="list:3"):
        async for row in scan_with_jobs(_Unreadable(), load_scan_flows(), _DiesOn(),
                                        concurrency=4, timeout=1, jobs=2):
            rows.append(row)
    assert sorted(r.domain for r in rows) == ["a.example.com", "b.example.com"]


async def test_when_no_worker_can_be_forked_the_scan_runs_in_this_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    targets = [ScanTarget(domain=f"d{k}.example.com", line=k) for k in range(1, 5)]
    rows = [row async for row in scan_with_jobs(targets, load_scan_flows(), _DiesOn(),
                                                concurrency=2, timeout=1, jobs=2)]
    assert sorted(r.line for r in rows) == [1, 2, 3, 4]
    assert {r.status for r in rows} == {"inconclusive"}


class _AlwaysDies:
    """A runner whose process exits on any probe: every worker dies."""

    async def run(self, name: str, params: Mapping[str, Any]) -> ProbeResult:
        os._exit(9)


@pytest.mark.parametrize("domains", [3, 6, 40])
async def test_when_every_worker_dies_each_domain_still_gets_a_row_and_the_scan_ends(
        domains: int) -> None:
    """Every worker killed (the OOM killer, a crash): the domains no worker is left for
    get an error row each — before, rows were lost once the workers were gone and the
    scan hung as soon as more were waiting than the row queue holds."""
    targets = [ScanTarget(domain=f"d{k}.example.com", line=k) for k in range(1, domains + 1)]
    async with asyncio.timeout(60):
        rows = [row async for row in scan_with_jobs(targets, load_scan_flows(), _AlwaysDies(),
                                                    concurrency=4, timeout=1, jobs=2)]
    assert sorted(r.line for r in rows) == list(range(1, domains + 1))
    assert {r.status for r in rows} == {"error"}


def test_a_multi_process_scan_on_a_terminal_shows_progress_and_its_rows(
        dns_servers: DnsServers, tmp_path: Path) -> None:
    """stderr a terminal (the progress bar's path, untested before): the bar is drawn,
    and rows, summary and exit code are as without a terminal. (The bar is now redrawn
    from the scan's own thread — rich's refresh thread would be running while --jobs
    forks its workers; that a thread is not there at the fork is not observed here.)"""
    import pty
    import subprocess
    import sys

    listing = tmp_path / "domains.txt"
    listing.write_text("good.onboard.test\nnothing.onboard.test\nmonitor.onboard.test\n")
    primary, secondary = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "wizard", "scan", str(listing), "--jobs", "2",
             "--region", "us-ashburn-1", "--nameserver", str(dns_servers.resolver),
             "--authoritative-port", str(dns_servers.authoritative_port), "--timeout", "3"],
            stdout=subprocess.PIPE, stderr=secondary, timeout=120,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
        os.close(secondary)
        secondary = -1
        drawn = b""
        with contextlib.suppress(OSError):
            while chunk := os.read(primary, 65536):
                drawn += chunk
    finally:
        os.close(primary)
        if secondary != -1:
            os.close(secondary)
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert sorted(r["domain"] for r in rows) == [
        "good.onboard.test", "monitor.onboard.test", "nothing.onboard.test"]
    assert done.returncode == 1
    assert b"scanning" in drawn and b"3 domains" in drawn
