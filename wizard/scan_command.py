"""``email-wizard scan``: read the list, drive :mod:`wizard.scan`, stream rows, sum up.

Importing this module is cheap (the parser is built for every command); the scan
engine is imported when the command runs.

Rows go to stdout as they finish (JSON Lines or CSV, flushed per row); the
summary table, and a progress bar when stderr is a terminal, go to stderr.
"""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    from wizard.scan import ScanRow

MAX_CONCURRENCY = 1000
MAX_JOBS = 64


class ScanUsageError(ValueError):
    """A bad option: the caller prints it and exits 2."""


def add_scan_parser(sub: Any) -> None:
    """The ``scan`` sub-command's options (``sub`` is argparse's subparsers object)."""
    scn = sub.add_parser(
        "scan", help="check many domains at once: DKIM placement, SPF, DMARC",
        description="Check many sending domains in one process with the dkim-needs-attention "
        "and spf-dmarc flows. Input: one domain per line, or CSV whose header names columns "
        "among domain, selector, expected_cname, region, spf_include, provider. Exit codes: "
        "0 all healthy, 1 some problems, 2 bad input, 3 some could not be checked.")
    scn.add_argument("file", nargs="?", default="-", metavar="FILE|-",
                     help="the list of domains (default: stdin)")
    scn.add_argument("--format", choices=("jsonl", "csv"), default="jsonl",
                     help="output: JSON Lines (default) or CSV, one row per domain")
    scn.add_argument("--concurrency", type=int, default=50, metavar="N",
                     help="domains checked at the same time (default 50)")
    scn.add_argument("--selector", default="", metavar="SEL",
                     help="DKIM selector for rows without one (no selector: DKIM is skipped)")
    scn.add_argument("--provider", default="", metavar="P",
                     help="provider profile for rows without one (default: the flows' oci)")
    group = scn.add_mutually_exclusive_group()
    group.add_argument("--region", default="", metavar="R",
                       help="provider region: the expected SPF include and DKIM target")
    group.add_argument("--spf-include", default="", metavar="HOST",
                       help="the include SPF must contain")
    scn.add_argument("--mx", action="store_true",
                     help="also look up each domain's MX hosts (informational column)")
    scn.add_argument("--nameserver", action="append", default=[], metavar="IP[:PORT]",
                     help="send every DNS lookup to this server")
    scn.add_argument("--authoritative-port", type=int, default=53, metavar="PORT",
                     help="port at which authoritative servers are asked directly (default 53)")
    scn.add_argument("--timeout", type=float, default=5.0, metavar="S",
                     help="seconds each probe may take (default 5)")
    scn.add_argument("--jobs", type=int, default=0, metavar="N",
                     help="worker processes sharing the domains (default 0: one per core)")


def _writer(fmt: str, out: IO[str]) -> Callable[[ScanRow], None]:
    import csv
    import json

    from wizard.scan import ScanRow

    if fmt == "csv":
        table = csv.writer(out, lineterminator="\n")
        table.writerow(ScanRow.CSV_FIELDS)

        def write_csv(row: ScanRow) -> None:
            table.writerow(row.as_csv())
            out.flush()

        return write_csv

    def write_json(row: ScanRow) -> None:
        out.write(json.dumps(row.as_json(), ensure_ascii=False) + "\n")
        out.flush()

    return write_json


def _progress() -> tuple[AbstractContextManager[Any], Callable[[ScanRow], None]]:
    from contextlib import nullcontext

    if not sys.stderr.isatty():
        return nullcontext(), lambda row: None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    progress = Progress("scanning", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=Console(stderr=True), transient=True)
    task = progress.add_task("scan", total=None)
    return progress, lambda row: progress.advance(task)


def run_scan_command(args: argparse.Namespace) -> int:
    """Run ``email-wizard scan``; raises :class:`ScanUsageError` for bad options or input."""
    import asyncio
    import os
    import stat

    from wizard.data.diagnostics import DataFileError
    from wizard.inputs import BadInput, parse_nameserver
    from wizard.probes.base import ProbeContext
    from wizard.probes.runner import RegistryRunner
    from wizard.scan import (
        EXIT_BAD_INPUT,
        ScanDefaults,
        ScanInputError,
        ScanSummary,
        load_scan_flows,
        open_targets,
        read_targets,
        tune_gc,
    )
    from wizard.scan_jobs import default_jobs, scan_with_jobs

    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        raise ScanUsageError(f"--concurrency {args.concurrency}: must be 1 to {MAX_CONCURRENCY}")
    if not 0 < args.timeout <= 600:
        raise ScanUsageError(f"--timeout {args.timeout:g}: must be between 0 and 600 seconds")
    if not 0 <= args.jobs <= MAX_JOBS:
        raise ScanUsageError(f"--jobs {args.jobs}: must be 0 (one per core) to {MAX_JOBS}")
    if not 0 < args.authoritative_port < 65536:
        raise ScanUsageError(f"--authoritative-port {args.authoritative_port}: must be 1 to "
                             "65535")
    try:
        nameservers = tuple(parse_nameserver(n) for n in args.nameserver)
    except BadInput as exc:
        raise ScanUsageError(str(exc)) from None
    try:
        flows = load_scan_flows()
    except DataFileError as exc:
        raise ScanUsageError(f"the scan's flows have defects:\n{exc}") from None
    try:
        stream = open_targets(args.file, sys.stdin.buffer)
    except ScanInputError as exc:
        raise ScanUsageError(str(exc)) from None
    defaults = ScanDefaults(selector=args.selector, region=args.region,
                            spf_include=args.spf_include, provider=args.provider)
    ctx = ProbeContext(timeout=args.timeout, nameservers=nameservers,
                       authoritative_port=args.authoritative_port)
    runner = RegistryRunner(ctx)
    write = _writer(args.format, sys.stdout)
    summary = ScanSummary()
    bar, advance = _progress()
    source = "stdin" if args.file == "-" else args.file
    targets = (defaults.apply(t) for t in read_targets(stream, source))
    slow = not stat.S_ISREG(os.fstat(stream.fileno()).st_mode)

    async def consume() -> None:
        async for row in scan_with_jobs(targets, flows, runner,
                                        concurrency=args.concurrency, timeout=args.timeout,
                                        mx=args.mx, slow_source=slow,
                                        jobs=args.jobs or default_jobs()):
            write(row)
            summary.add(row)
            advance(row)

    failed: ScanInputError | None = None
    tune_gc()
    try:
        with bar:
            asyncio.run(consume())
    except ScanInputError as exc:
        failed = exc
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    sys.stderr.write(summary.table())
    if failed is not None:
        print(f"email-wizard: scan: {failed}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return summary.exit_code
