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
    from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable
    from contextlib import AbstractContextManager

    from wizard.scan import ScanDefaults, ScanRow, ScanTarget

MAX_CONCURRENCY = 1000
MAX_JOBS = 64


class ScanUsageError(ValueError):
    """A bad option: the caller prints it and exits 2."""


def add_scan_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``scan`` sub-command's parser (``sub`` is argparse's subparsers object); the
    caller adds the OCI options ``run`` has."""
    scn: argparse.ArgumentParser = sub.add_parser(
        "scan", help="check many domains at once: DKIM placement, SPF, DMARC",
        description="Check many sending domains in one process with the dkim-needs-attention "
        "and spf-dmarc flows. Input: one domain per line, or CSV whose header names columns "
        "among domain, selector, expected_cname, region, spf_include, provider; or, with "
        "--compartment, every email domain of an OCI compartment, read through the API. Exit "
        "codes: 0 all healthy, 1 some problems, 2 bad input, 3 some could not be checked. "
        "A compartment that cannot be listed is 2 when the setup is wrong (no SDK or profile; "
        "key or clock rejected: 401; wrong compartment or no policy: 404) and 3 when the "
        "service fails (429, 5xx, unreachable, untrusted TLS, timeout). One domain whose DKIM "
        "key the API does not give (404) is an inconclusive row (DKIM key_unreadable; SPF and "
        "DMARC still checked) and the scan goes on.")
    scn.add_argument("file", nargs="?", default=None, metavar="FILE|-",
                     help="the list of domains (default: stdin)")
    scn.add_argument("--compartment", default=None, metavar="OCID",
                     help="instead of a list: every email domain of this OCI compartment, each "
                     "with the selector and CNAME value of its DKIM key (needs the "
                     "email-wizard[oci] extra and a profile; see the OCI options below)")
    scn.add_argument("--ca-file", metavar="PATH",
                     help="extra trust anchors (PEM) for the OCI API's TLS")
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
                       help="provider region: the expected SPF include and DKIM target "
                       "(with --compartment, default: the OCI profile's region)")
    group.add_argument("--spf-include", default="", metavar="HOST",
                       help="the include SPF must contain")
    scn.add_argument("--mx", action="store_true",
                     help="also look up each domain's MX hosts (informational column)")
    scn.add_argument("--nameserver", action="append", default=[], metavar="IP[:PORT]",
                     help="send every DNS lookup to this server")
    scn.add_argument("--authoritative-port", type=int, default=53, metavar="PORT",
                     help="port at which authoritative servers are asked directly (default 53)")
    scn.add_argument("--timeout", type=float, default=5.0, metavar="S",
                     help="seconds each probe (and each API call) may take (default 5)")
    scn.add_argument("--jobs", type=int, default=0, metavar="N",
                     help="worker processes sharing the domains (default 0: one per usable "
                          "core on Linux — the cores this process may run on, capped by a "
                          "container's CPU quota, cgroup cpu.max or cpu.cfs_quota_us, rounded "
                          "up; a --compartment scan runs in one)")
    return scn


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
                        console=Console(stderr=True), transient=True, auto_refresh=False)
    task = progress.add_task("scan", total=None)
    shown = [0.0]

    def advance(row: ScanRow) -> None:
        """Count the row; redraw at most ten times a second (from this thread: a refresh
        thread would be running when ``--jobs`` forks its workers)."""
        import time

        progress.advance(task)
        now = time.monotonic()
        if now - shown[0] >= 0.1:
            shown[0] = now
            progress.refresh()

    return progress, advance


def run_scan_command(args: argparse.Namespace) -> int:
    """Run ``email-wizard scan``; raises :class:`ScanUsageError` for bad options or input."""
    import asyncio
    import os
    import stat
    from dataclasses import replace

    from wizard.data.diagnostics import DataFileError
    from wizard.inputs import BadInput, check_timeout, parse_nameserver
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
    try:
        check_timeout(args.timeout)
    except BadInput as exc:
        raise ScanUsageError(str(exc)) from None
    if not 0 <= args.jobs <= MAX_JOBS:
        raise ScanUsageError(f"--jobs {args.jobs}: must be 0 (one per usable core) to "
                             f"{MAX_JOBS}")
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
    defaults = ScanDefaults(selector=args.selector, region=args.region,
                            spf_include=args.spf_include, provider=args.provider)
    stream: IO[bytes] | None = None
    targets: Iterable[ScanTarget] | AsyncIterable[ScanTarget]
    if args.compartment is not None:
        if args.file is not None:
            raise ScanUsageError(f"give a list of domains ({args.file}) or --compartment, "
                                 "not both")
        from wizard.scan_compartment import CompartmentError

        try:
            listing, region = _compartment_listing(args)
        except CompartmentError as exc:
            if exc.exit_code == EXIT_BAD_INPUT:
                raise ScanUsageError(str(exc)) from None
            print(f"email-wizard: scan: {exc}", file=sys.stderr)
            return exc.exit_code
        if not (defaults.region or defaults.spf_include):
            defaults = replace(defaults, region=region)
        targets = _filled(listing, defaults)
        slow = False
    else:
        file = "-" if args.file is None else args.file
        try:
            stream = open_targets(file, sys.stdin.buffer)
        except ScanInputError as exc:
            raise ScanUsageError(str(exc)) from None
        source = "stdin" if file == "-" else file
        targets = (defaults.apply(t) for t in read_targets(stream, source))
        slow = not stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    ctx = ProbeContext(timeout=args.timeout, nameservers=nameservers,
                       authoritative_port=args.authoritative_port)
    runner = RegistryRunner(ctx)
    write = _writer(args.format, sys.stdout)
    summary = ScanSummary()
    bar, advance = _progress()

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
    except KeyboardInterrupt:
        stream = None  # a reader thread may be blocked in it: closing would wait for it
        raise
    finally:
        if stream is not None and stream is not sys.stdin.buffer:
            stream.close()
    sys.stderr.write(summary.table())
    if failed is not None:
        print(f"email-wizard: scan: {failed}", file=sys.stderr)
        code = int(getattr(failed, "exit_code", EXIT_BAD_INPUT))
        return EXIT_BAD_INPUT if EXIT_BAD_INPUT in (code, summary.exit_code) else code
    return summary.exit_code


async def _filled(listing: AsyncIterable[ScanTarget],
                  defaults: ScanDefaults) -> AsyncIterator[ScanTarget]:
    async for target in listing:
        yield defaults.apply(target)


def _compartment_listing(args: argparse.Namespace) -> tuple[AsyncIterable[ScanTarget], str]:
    """The targets of ``--compartment`` and the profile's region; bad options raise
    :class:`ScanUsageError`, an API that cannot be opened
    :class:`~wizard.scan_compartment.CompartmentError`."""
    import asyncio

    from wizard.ociapi.settings import OciSettingsError
    from wizard.scan_compartment import (
        compartment_problem,
        compartment_targets,
        open_compartment,
    )
    from wizard.settings import SettingsError, ca_file_problem, load_settings

    problem = compartment_problem(args.compartment)
    if problem:
        raise ScanUsageError(f"--compartment {problem}")
    try:
        prefs = load_settings()
    except SettingsError as exc:
        raise ScanUsageError(str(exc)) from None
    ca_file = args.ca_file or prefs.ca_file
    if ca_file:
        problem = ca_file_problem(ca_file)
        if problem:
            raise ScanUsageError(f"--ca-file {problem}")
    try:
        settings = prefs.oci.resolve(config=args.oci_config, profile=args.oci_profile,
                                     auth=args.oci_auth, endpoint=args.oci_endpoint)
    except OciSettingsError as exc:
        raise ScanUsageError(str(exc)) from None
    api = asyncio.run(open_compartment(settings, ca_file=ca_file, timeout=args.timeout))
    return compartment_targets(api, args.compartment, args.timeout), api.region
