"""``email-wizard scan`` over generated domains, beside checkdmarc on the same domains.

Starts one Knot server (tests/servers/knot.py) on a random loopback address at
port 53 — checkdmarc cannot ask another port — serving the zone ``bench.test``
with N generated sending domains ``dK.bench.test`` in five kinds (healthy; no
DMARC; SPF without the include and the DKIM CNAME pasted under the zone twice;
a DKIM CNAME to no key and DMARC p=none; nothing at all). Then runs, each as a
process of its own (started by GNU time where there is one), measuring wall time,
CPU time (user + system, the process and the workers it waited for) and peak
RSS (``wait4``):

- ``email-wizard scan`` over the first 1,000 and over all N domains (DKIM with
  selector s1, SPF with its include, DMARC; worker processes: one per core), the
  first 1,000 also with ``--jobs 1`` (one process), and over the first 1,000
  without a selector (SPF and DMARC only: what checkdmarc checks too);
- ``checkdmarc`` (MX TLS checks off, its default) over the same first 1,000 domains (SPF and DMARC;
  it checks domains one after another).

With ``--baseline DIR`` (another checkout of email-wizard, e.g. main) each
``scan`` row of the first 1,000 domains is run from DIR too, right after the same
row from this tree, so that before and after share one machine state.

checkdmarc is not a dependency of email-wizard or of its tests: install it into
the same environment to compare (``pip install checkdmarc``); without it its
row is skipped. Needs knotd (Debian package ``knot``) and permission to bind
port 53 on loopback (root, or CAP_NET_BIND_SERVICE). Talks only to 127.0.0.0/8.
Usage: ``python bench/scan_bench.py [N] [CONCURRENCY] [--baseline DIR]`` (defaults
10000 and 200).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
ZONE = "bench.test"
INCLUDE = f"_spf.{ZONE}"
KEY = ("MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDU4mnYKkHiNJr8bMnV4EuF1SZ9qpx7BNpUGFMKXEV2UMjm0w"
       "XWOxkjnIqkl90zdweARHuDc1m4Ofy4TGH5X1wzB+P1AKCT6xKKpfEBCW+gNWU4pbUguR1q0tQ1bNKB55wTAWvH1"
       "n5bPH808bJgCLAQOa80MPZRNWVUnBN2Xb0eGwIDAQAB")


def zone_text(count: int, address: str) -> str:
    """The zone ``bench.test`` with ``count`` sending domains of five kinds."""
    lines = ["$TTL 300", "@ SOA ns1 hostmaster 1 3600 600 86400 60", "@ NS ns1",
             f"ns1 A {address}", '_spf TXT "v=spf1 ip4:192.0.2.0/24 -all"',
             f's1.keys TXT "v=DKIM1; k=rsa; p={KEY}"']
    good_spf = f'TXT "v=spf1 include:{INCLUDE} -all"'
    for k in range(count):
        d = f"d{k}"
        kind = k % 5
        if kind == 0:
            lines += [f"{d} {good_spf}", f'_dmarc.{d} TXT "v=DMARC1; p=reject"',
                      f"s1._domainkey.{d} CNAME s1.keys"]
        elif kind == 1:
            lines += [f"{d} {good_spf}", f"s1._domainkey.{d} CNAME s1.keys"]
        elif kind == 2:
            lines += [f'{d} TXT "v=spf1 ip4:198.51.100.1 -all"',
                      f'_dmarc.{d} TXT "v=DMARC1; p=quarantine"',
                      f"s1._domainkey.{d}.{ZONE} CNAME s1.keys"]
        elif kind == 3:
            lines += [f"{d} {good_spf}", f'_dmarc.{d} TXT "v=DMARC1; p=none"',
                      f"s1._domainkey.{d} CNAME gone.keys"]
        else:
            lines += [f"{d} A 192.0.2.1"]
    return "\n".join(lines) + "\n"


TIME = shutil.which("time", path="/usr/bin:/bin")
"""GNU time: a small process to start the measured one from. A process's peak RSS counts
the memory of the process that started it, up to its exec; this one is small."""


def measure(argv: list[str], stdout_path: Path, tree: Path = ROOT
            ) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, peak RSS in MiB, exit code) of one process run from ``tree``.

    CPU is user + system time of the process and of the workers it waited for.
    """
    report = stdout_path.with_suffix(".time")
    prefix = [TIME, "-q", "-f", "%M %U %S", "-o", str(report)] if TIME else []
    with stdout_path.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen([*prefix, *argv], cwd=tree, stdout=out,
                                   stderr=subprocess.DEVNULL,
                                   env=dict(os.environ, PYTHONPATH=str(tree)))
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if TIME and report.exists() and report.read_text().split():
        rss_kib, user, system = report.read_text().split()[-3:]
        return wall, float(user) + float(system), int(rss_kib) // 1024, code
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024, code


def count_lines(path: Path) -> int:
    """Lines in ``path``, read in chunks (reading a 10k-row output whole would grow this
    process, and with it the peak RSS counted for the next one)."""
    with path.open("rb") as data:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: data.read(1 << 16), b""))


Row = tuple[str, int, float, float, int, str]


def main() -> None:
    """Print a Markdown table: domains, seconds, domains/s, CPU, peak RSS, for each tool."""
    from tests.servers.knot import KnotServer

    args = sys.argv[1:]
    baseline: Path | None = None
    if "--baseline" in args:
        at = args.index("--baseline")
        baseline = Path(args[at + 1]).resolve()
        del args[at:at + 2]
    count = int(args[0]) if args else 10_000
    concurrency = args[1] if len(args) > 1 else "200"
    address = f"127.{random.randint(60, 250)}.{random.randint(0, 255)}.53"
    first = min(1000, count)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = KnotServer(work / "knot", [address], 53, {ZONE: zone_text(count, address)})
        server.start(ready_within=60)
        try:
            for size in sorted({first, count}):
                (work / f"domains-{size}.txt").write_text(
                    "".join(f"d{k}.{ZONE}\n" for k in range(size)))
            common = ["--spf-include", INCLUDE, "--nameserver", f"{address}:53",
                      "--authoritative-port", "53", "--concurrency", concurrency,
                      "--timeout", "5"]
            runs = [(f"scan --selector s1 (DKIM, SPF, DMARC), concurrency {concurrency}", size,
                     ["--selector", "s1"]) for size in sorted({first, count})]
            runs += [(f"scan --selector s1 --jobs 1 (one process), concurrency {concurrency}",
                      first, ["--selector", "s1", "--jobs", "1"]),
                     (f"scan without a selector (SPF, DMARC), concurrency {concurrency}", first,
                      [])]
            for label, size, extra in runs:
                trees = [("", ROOT)] + ([(" [baseline]", baseline)]
                                        if baseline and size == first else [])
                for suffix, tree in trees:
                    if suffix and "--jobs" in extra:
                        continue  # the baseline may not know --jobs
                    out = work / f"scan-{len(rows)}.jsonl"
                    wall, cpu, rss, code = measure(
                        [PY, "-m", "wizard", "scan", str(work / f"domains-{size}.txt"),
                         *extra, *common], out, tree)
                    lines = count_lines(out)
                    rows.append((label + suffix, size, wall, cpu, rss,
                                 f"exit {code}, {lines} rows"))
            checkdmarc = shutil.which("checkdmarc", path=str(Path(PY).parent)) or \
                shutil.which("checkdmarc")
            if checkdmarc:
                wall, cpu, rss, code = measure(
                    [checkdmarc, "-n", address, "-t", "5", "-f", "json",
                     str(work / f"domains-{first}.txt")], work / "checkdmarc.json")
                rows.append(("checkdmarc", first, wall, cpu, rss, f"exit {code}"))
        finally:
            server.stop()
    print("| tool | domains | seconds | domains/s | CPU s | peak RSS MiB | note |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for tool, size, wall, cpu, rss, note in rows:
        print(f"| {tool} | {size} | {wall:.1f} | {size / wall:.0f} | {cpu:.1f} | {rss} "
              f"| {note} |")


if __name__ == "__main__":
    main()
