"""``email-wizard scan``: many domains in one process, verdicts equal to the single-domain flows.

Against the loopback Knot servers (tests/servers/dns_fixtures.py; zones in
tests/data/zones): dkimflow.test holds the DKIM cases, onboard.test the SPF and
DMARC ones, broken.test a zone that does not load.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import cli
from tests.servers.dns_fixtures import DnsServers
from wizard.cli import main
from wizard.probes.base import ProbeResult
from wizard.scan import ScanTarget, load_scan_flows, read_targets, scan

ROWS = """domain,selector,expected_cname,region,spf_include
dkimflow.test,ok,sel1.keys.provider.test,,
dkimflow.test,pasted,,,
mail.dkimflow.test,subpasted,,,
mail.dkimflow.test,dropped,,,
dkimflow.test,wrong,sel1.keys.provider.test,,
dkimflow.test,txt,,,
dkimflow.test,revoked,,,
dkimflow.test,dangling,,,
dkimflow.test,regional,,us-ashburn-1,
dkimflow.test,absent,sel1.keys.provider.test,,
good.onboard.test,,,us-ashburn-1,
noinclude.onboard.test,,,,rp.oracleemaildelivery.com
nothing.onboard.test,,,us-ashburn-1,
double.onboard.test,,,,
many.onboard.test,,,,
monitor.onboard.test,,,,rp.oracleemaildelivery.com
baddmarc.onboard.test,,,,rp.oracleemaildelivery.com
x.broken.test,sel1,,,
"""

SEVERITY = {"healthy": 0, "problem": 1, "inconclusive": 2, "error": 3}


def scan_cli(servers: DnsServers, *args: str, stdin: str | None = None,
             timeout: str = "3") -> tuple[int, list[dict[str, Any]], str]:
    result = cli("scan", *args, "--nameserver", str(servers.resolver),
                 "--authoritative-port", str(servers.authoritative_port),
                 "--timeout", timeout, stdin=stdin)
    assert "Traceback" not in result.stderr, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    return result.returncode, rows, result.stderr


def run_json(servers: DnsServers, capsys: pytest.CaptureFixture[str], flow: str,
             sets: Mapping[str, str]) -> dict[str, Any]:
    """``email-wizard run FLOW --json`` in-process, as a user runs it for one domain."""
    argv = ["run", flow, "--json", "--nameserver", str(servers.resolver),
            "--authoritative-port", str(servers.authoritative_port), "--timeout", "3"]
    for name, value in sets.items():
        if value:
            argv += ["--set", f"{name}={value}"]
    capsys.readouterr()
    main(argv)
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


def test_each_domains_verdict_equals_the_single_domain_flows(
        dns_servers: DnsServers, capsys: pytest.CaptureFixture[str]) -> None:
    code, rows, stderr = scan_cli(dns_servers, "--concurrency", "4", stdin=ROWS)
    assert len(rows) == ROWS.count("\n") - 1
    for cells in csv.DictReader(io.StringIO(ROWS)):
        row = next(r for r in rows if (r["domain"], r["selector"] or "")
                   == (cells["domain"], cells["selector"]))
        spf = run_json(dns_servers, capsys, "spf-dmarc", {
            k: cells[k] for k in ("domain", "region", "spf_include")})
        runs = [spf]
        if cells["selector"]:
            dkim = run_json(dns_servers, capsys, "dkim-needs-attention", {
                k: cells[k] for k in ("domain", "selector", "expected_cname", "region")})
            runs.append(dkim)
        worst = max((r["status"] for r in runs), key=SEVERITY.__getitem__)
        assert row["status"] == worst, (cells, row)
        assert row["findings"] == [f for r in runs for f in r["findings"]], cells
        assert row["fixes"] == [f for r in runs for f in r["fixes"]], cells
        assert row["flows"] == {r["flow"]: r["status"] for r in runs}
    assert code == 3, "x.broken.test could not be checked"
    assert "scanned 18 domains" in stderr


def test_the_paste_mistake_and_the_dropped_label_are_found_with_their_fixes(
        dns_servers: DnsServers) -> None:
    _, rows, _ = scan_cli(dns_servers, stdin=ROWS)
    by_selector = {r["selector"]: r for r in rows if r["selector"]}
    pasted = by_selector["pasted"]
    assert pasted["status"] == "problem"
    assert pasted["checks"]["dkim"] == "misplaced_found"
    move = next(f for f in pasted["fixes"] if f["id"] == "dkim.move-record")
    assert [(a["op"], a["name"]) for a in move["actions"]] == [
        ("delete", "pasted._domainkey.dkimflow.test.dkimflow.test."),
        ("add", "pasted._domainkey.dkimflow.test.")]
    assert by_selector["dropped"]["checks"]["dkim"] == "misplaced_found"
    assert by_selector["ok"]["checks"]["dkim"] == "cname_ok"
    assert by_selector["wrong"]["checks"]["dkim"] == "cname_wrong_target"


def test_a_healthy_list_exits_0_and_csv_has_one_row_per_domain(dns_servers: DnsServers,
                                                               tmp_path: Path) -> None:
    listing = tmp_path / "domains.txt"
    listing.write_text("# our domains\ngood.onboard.test\n\nmonitor.onboard.test\n")
    result = cli("scan", str(listing), "--format", "csv", "--spf-include",
                 "rp.oracleemaildelivery.com", "--nameserver", str(dns_servers.resolver))
    assert result.returncode == 0, result.stderr
    table = sorted(csv.DictReader(io.StringIO(result.stdout)), key=lambda r: r["domain"])
    assert [(r["domain"], r["status"], r["spf"], r["dmarc"], r["dkim"]) for r in table] == [
        ("good.onboard.test", "healthy", "valid", "policy_enforced", "skipped"),
        ("monitor.onboard.test", "healthy", "valid", "policy_none", "skipped")], (
        "rows come in the order domains finish")
    assert table[1]["findings"] == "dmarc.policy-none"
    assert "healthy" in result.stderr and "\x1b[" not in result.stderr, "no bar off a tty"


def test_a_problem_exits_1(dns_servers: DnsServers) -> None:
    code, rows, _ = scan_cli(dns_servers, "--spf-include", "rp.oracleemaildelivery.com",
                             stdin="good.onboard.test\nnoinclude.onboard.test\n")
    assert code == 1
    assert [r["status"] for r in sorted(rows, key=lambda r: r["domain"])] == [
        "healthy", "problem"]


def test_a_silent_nameserver_makes_rows_that_could_not_be_checked_not_a_hang(
        dns_servers: DnsServers) -> None:
    result = cli("scan", "--nameserver", str(dns_servers.silent), "--timeout", "1",
                 "--selector", "ok", "--concurrency", "2",
                 stdin="good.onboard.test\ndkimflow.test\nnothing.onboard.test\n")
    assert result.returncode == 3, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 3
    assert {r["status"] for r in rows} == {"inconclusive"}
    assert {r["checks"]["spf"] for r in rows} == {"timeout"}


@pytest.mark.parametrize(("stdin", "message"), [
    ("domain,selecter\nexample.com,s\n",
     "stdin:1: unknown column 'selecter' (did you mean 'selector'?)"),
    ("example.com\n" + "x" * 5000 + "\n", "stdin:2: line longer than 4096 bytes"),
    ("example.com,foo\n", "the CSV header needs a 'domain' column"),
    ("example.com other.com\n", "stdin:1: expected one domain per line"),
])
def test_unreadable_input_is_exit_2_with_the_line(stdin: str, message: str) -> None:
    result = cli("scan", "--nameserver", "127.0.0.1:1", stdin=stdin)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_row_with_a_bad_domain_is_a_bad_input_row_and_exit_2(dns_servers: DnsServers) -> None:
    code, rows, _ = scan_cli(dns_servers, stdin="good.onboard.test\nnot a..domain\n"
                             .replace(" ", "-"))
    assert code == 2
    bad = next(r for r in rows if r["status"] == "bad_input")
    assert bad["line"] == 2 and "not a valid domain name" in bad["error"]


def test_input_that_is_not_a_file_or_not_text_is_refused(tmp_path: Path) -> None:
    result = cli("scan", str(tmp_path), "--nameserver", "127.0.0.1:1")
    assert (result.returncode, "not a regular file" in result.stderr) == (2, True)
    binary = tmp_path / "list.bin"
    binary.write_bytes(b"example.com\n\xff\xfe\n")
    result = cli("scan", str(binary), "--nameserver", "127.0.0.1:1")
    assert (result.returncode, "list.bin:2: not UTF-8 text" in result.stderr) == (2, True)
    result = cli("scan", "--region", "us-ashburn-1", "--spf-include", "x.test", stdin="")
    assert result.returncode == 2 and "not allowed with" in result.stderr


@pytest.mark.parametrize("option", [["--concurrency", "0"], ["--timeout", "0"],
                                    ["--nameserver", "nonsense"]])
def test_bad_options_are_exit_2(option: list[str]) -> None:
    result = cli("scan", *option, stdin="example.com\n")
    assert result.returncode == 2 and "Traceback" not in result.stderr


class _AlwaysTimeout:
    """A probe runner whose every probe times out (pure scheduling logic, no sockets)."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0

    async def run(self, name: str, params: Mapping[str, Any]) -> ProbeResult:
        self.running += 1
        self.most = max(self.most, self.running)
        await asyncio.sleep(0.001)
        self.running -= 1
        return ProbeResult("timeout", f"{name} timed out")


async def test_targets_are_read_lazily_and_concurrency_is_bounded() -> None:
    pulled = 0

    def endless() -> Iterator[ScanTarget]:
        nonlocal pulled
        while True:
            pulled += 1
            yield ScanTarget(domain=f"d{pulled}.example.com", line=pulled)

    runner = _AlwaysTimeout()
    rows = []
    stream = scan(endless(), load_scan_flows(), runner, concurrency=3, timeout=1)
    async for row in stream:
        rows.append(row)
        if len(rows) == 20:
            break
    await stream.aclose()
    assert [r.status for r in rows] == ["inconclusive"] * 20
    assert pulled <= 20 + 3 + 3 + 1, "targets are pulled as workers free up, not all at once"
    assert runner.most <= 3


def test_csv_rows_fill_empty_cells_and_keep_line_numbers() -> None:
    data = io.BytesIO(b"\xef\xbb\xbfDomain, Selector\n\nexample.com,s1\nexample.org\n")
    targets = list(read_targets(data, "list.csv"))
    assert [(t.domain, t.selector, t.line) for t in targets] == [
        ("example.com", "s1", 3), ("example.org", "", 4)]


def test_mx_is_an_informational_column(dns_servers: DnsServers) -> None:
    code, rows, stderr = scan_cli(dns_servers, "--mx", "--spf-include",
                                  "rp.oracleemaildelivery.com",
                                  stdin="good.onboard.test\nmx.test\n")
    assert code == 1, "mx.test publishes no SPF or DMARC; MX alone decides nothing"
    by_domain = {r["domain"]: r for r in rows}
    assert by_domain["mx.test"]["checks"]["mx"] == "mx_found"
    assert by_domain["good.onboard.test"]["checks"]["mx"] == "no_mx_no_address"
    assert by_domain["good.onboard.test"]["status"] == "healthy"
    assert "mx_found 1" in stderr


class _Broken(_AlwaysTimeout):
    """A runner with a bug: the scan must report it as a row, not stop or wait forever."""

    async def run(self, name: str, params: Mapping[str, Any]) -> ProbeResult:
        raise RuntimeError("probe bug")


async def test_a_bug_in_one_domain_is_an_error_row_not_a_hang() -> None:
    targets = [ScanTarget(domain="a.example.com"), ScanTarget(domain="b.example.com")]
    rows = [row async for row in scan(targets, load_scan_flows(), _Broken(), concurrency=1,
                                      timeout=1)]
    assert [(r.domain, r.status) for r in rows] == [("a.example.com", "error"),
                                                    ("b.example.com", "error")]
    assert "probe bug" in rows[0].error


def test_no_dkim_record_and_no_expected_value_is_a_missing_record_not_a_question(
        dns_servers: DnsServers) -> None:
    code, rows, _ = scan_cli(dns_servers, "--selector", "absent", stdin="dkimflow.test\n")
    assert code == 1
    (row,) = rows
    assert (row["status"], row["checks"]["dkim"]) == ("problem", "none_found")
    dkim = [f for f in row["findings"] if f["id"].startswith("dkim.")]
    assert [f["id"] for f in dkim] == ["dkim.record-missing"]
    assert "absent._domainkey.dkimflow.test" in dkim[0]["message"]
    assert not [f for f in row["fixes"] if f["id"].startswith("dkim.")], (
        "without the console's value there is no record to propose")


def test_a_slow_producer_on_stdin_does_not_stall_the_domains_in_flight(
        dns_servers: DnsServers) -> None:
    import select
    import subprocess
    import sys

    from tests.helpers import ROOT

    process = subprocess.Popen(
        [sys.executable, "-m", "wizard", "scan", "-", "--nameserver", str(dns_servers.resolver),
         "--spf-include", "rp.oracleemaildelivery.com", "--timeout", "3"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(b"good.onboard.test\n")
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "the first domain's row waited for the next line of input"
        first = json.loads(process.stdout.readline())
        assert (first["domain"], first["status"]) == ("good.onboard.test", "healthy")
        process.stdin.write(b"noinclude.onboard.test\n")
        process.stdin.close()
        rest = process.stdout.read().decode()
        assert process.wait(timeout=60) == 1
        assert json.loads(rest)["domain"] == "noinclude.onboard.test"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


async def test_a_target_source_that_fails_with_a_bug_ends_the_scan_instead_of_hanging() -> None:
    """A source raising something other than an input error (a bug in a listing) stops the
    scan with that error once the domains in flight are done; it never waits forever."""
    from wizard.scan import ScanInputError

    async def broken() -> Any:
        yield ScanTarget(domain="example.invalid", line=1)
        raise KeyError("page token")

    class Nothing:
        async def run(self, name: str, params: Any) -> Any:
            raise AssertionError(f"no probe should run in this test ({name})")

    rows = []
    with pytest.raises(ScanInputError, match="KeyError"):
        async with asyncio.timeout(30):
            async for row in scan(broken(), load_scan_flows(), Nothing(),  # type: ignore[arg-type]
                                  concurrency=4, timeout=1):
                rows.append(row)
    assert [r.domain for r in rows] == ["example.invalid"]


def test_ctrl_c_ends_a_scan_whose_pipe_writes_nothing_more(dns_servers: DnsServers) -> None:
    """The list comes from a pipe whose producer has gone quiet (still open): Ctrl-C ends
    the scan at once with 130 — before, it waited for the producer to write or close."""
    import os
    import signal
    import subprocess
    import sys
    import time

    scan = subprocess.Popen(
        [sys.executable, "-m", "wizard", "scan", "-", "--jobs", "1", "--region",
         "us-ashburn-1", "--nameserver", str(dns_servers.resolver),
         "--authoritative-port", str(dns_servers.authoritative_port), "--timeout", "3"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert scan.stdin is not None and scan.stdout is not None
    try:
        scan.stdin.write(b"good.onboard.test\n")
        scan.stdin.flush()
        first = scan.stdout.readline()  # one row out: the scan now waits on the pipe
        assert b"good.onboard.test" in first
        time.sleep(0.2)
        scan.send_signal(signal.SIGINT)
        started = time.monotonic()
        code = scan.wait(timeout=20)
        assert time.monotonic() - started < 5
        assert code == 130
    finally:
        scan.kill()
        scan.stdin.close()
        scan.wait()
