"""Check many sending domains in one process: DKIM placement, SPF and DMARC per domain.

Headless, like the engine it drives. Each domain is walked through the same
flows a single-domain ``email-wizard run`` uses — ``spf-dmarc`` always,
``dkim-needs-attention`` when a selector is known — with one shared probe
runner, so a scan's verdict for a domain is by construction the verdict of
those flows. At most ``concurrency`` domains are in flight; targets are read
lazily and results are handed out as they finish, so memory does not grow with
the length of the list.
"""

from __future__ import annotations

import asyncio
import codecs
import contextvars
import csv
import gc
import io
import os
import stat
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
)
from dataclasses import dataclass, field
from typing import IO, Any, Literal, TypeVar

from wizard.data.bounded_read import in_daemon_thread
from wizard.data.diagnostics import did_you_mean
from wizard.engine import MissingAnswer, Session, run_to_end
from wizard.fixes.vocabulary import Finding
from wizard.flow.model import Flow
from wizard.inputs import BadInput, check_inputs
from wizard.probes.runner import ProbeRunner
from wizard.redaction import redactor

DKIM_FLOW = "dkim-needs-attention"
SPF_DMARC_FLOW = "spf-dmarc"

MAX_LINE_BYTES = 4096
"""A longer input line is bad input (no domain row needs more)."""

COLUMNS = ("domain", "selector", "expected_cname", "region", "spf_include", "provider")
"""The columns a CSV input may have (a header line naming them is required)."""

RowStatus = Literal["healthy", "problem", "inconclusive", "error", "bad_input"]

EXIT_HEALTHY, EXIT_PROBLEM, EXIT_BAD_INPUT, EXIT_UNCHECKED = 0, 1, 2, 3


class ScanInputError(ValueError):
    """The list of domains cannot be read at all (the whole scan stops, exit 2)."""


KEY_UNREADABLE = "key_unreadable"
"""``checks.dkim`` of a row whose DKIM key the provider's API could not give."""
KEY_UNREADABLE_FINDING = "dkim.key-unreadable"
"""That row's finding, which says which key, what the API answered and what it may mean."""


@dataclass(frozen=True)
class KeyUnreadable:
    """The DKIM key a domain signs with could not be read from the provider's API.

    The domain's row then says so instead of checking DKIM (status ``inconclusive``: DKIM
    could not be checked), and SPF and DMARC are checked as for any domain.
    """

    key: str
    """Which key, e.g. ``the active DKIM key ocid1.emaildkim… of example.com``."""
    answer: str
    """What the API answered, e.g. ``HTTP 404 NotAuthorizedOrNotFound: …; opc-request-id: …``."""
    hint: str
    """What that answer may mean."""
    fix_id: str
    """The shared fix library's fix (``flows/fixes/``) that says what to do."""
    params: tuple[tuple[str, str], ...] = ()
    """That fix's parameters besides ``domain``, ``key`` and ``answer``."""


@dataclass(frozen=True)
class ScanTarget:
    """One domain to check and what is known about it (empty strings: not given)."""

    domain: str
    line: int = 0
    selector: str = ""
    expected_cname: str = ""
    region: str = ""
    spf_include: str = ""
    provider: str = ""
    key_unreadable: KeyUnreadable | None = None
    """Set when the domain's DKIM key is known to exist but could not be read: DKIM is not
    checked (no selector is filled in from the defaults either)."""


@dataclass(frozen=True)
class ScanDefaults:
    """Values from the command line used where a row leaves a column empty."""

    selector: str = ""
    expected_cname: str = ""
    region: str = ""
    spf_include: str = ""
    provider: str = ""

    def apply(self, target: ScanTarget) -> ScanTarget:
        """``target`` with its empty columns filled from these defaults (not the selector of
        a target whose key could not be read: its key's selector is not known)."""
        return ScanTarget(
            domain=target.domain, line=target.line,
            selector=target.selector or ("" if target.key_unreadable else self.selector),
            expected_cname=target.expected_cname or self.expected_cname,
            region=target.region or (self.region if not target.spf_include else ""),
            spf_include=target.spf_include or (self.spf_include if not target.region else ""),
            provider=target.provider or self.provider,
            key_unreadable=target.key_unreadable)


@dataclass
class ScanRow:
    """The verdict for one domain: a JSON Lines object or a CSV row."""

    domain: str
    status: RowStatus
    line: int = 0
    selector: str = ""
    dkim: str = "skipped"
    spf: str = ""
    dmarc: str = ""
    mx: str = ""
    """The ``mx.lookup`` outcome when the scan looks up MX (informational: no verdict)."""
    findings: list[dict[str, Any]] = field(default_factory=list)
    fixes: list[dict[str, Any]] = field(default_factory=list)
    flows: dict[str, str] = field(default_factory=dict)
    error: str = ""
    elapsed_ms: int = 0

    def as_json(self) -> dict[str, Any]:
        """The JSON Lines object (findings and fixes shaped as in ``run --json``)."""
        out: dict[str, Any] = {
            "domain": self.domain, "status": self.status, "line": self.line,
            "selector": self.selector or None,
            "checks": {"dkim": self.dkim, "spf": self.spf, "dmarc": self.dmarc,
                       **({"mx": self.mx} if self.mx else {})},
            "flows": self.flows, "findings": self.findings, "fixes": self.fixes,
            "elapsed_ms": self.elapsed_ms}
        if self.error:
            out["error"] = self.error
        return out

    CSV_FIELDS = ("domain", "status", "selector", "dkim", "spf", "dmarc", "mx", "findings",
                  "fixes", "error")

    def as_csv(self) -> list[str]:
        """The CSV cells, in :attr:`CSV_FIELDS` order (finding and fix ids space-separated)."""
        return [self.domain, self.status, self.selector, self.dkim, self.spf, self.dmarc, self.mx,
                " ".join(f["id"] for f in self.findings),
                " ".join(f["id"] for f in self.fixes), self.error]


# --- reading the list -----------------------------------------------------------------------

def open_targets(path: str, stdin: IO[bytes]) -> IO[bytes]:
    """The binary stream to read domains from: ``-`` is stdin, else a regular file.

    Stdin is read through a copy of its descriptor, not ``sys.stdin``: a reader thread
    blocked in it when Ctrl-C ends the program must not hold the lock of the interpreter's
    own stdin, which it takes at shutdown (a fatal error, SIGABRT).

    Raises :class:`ScanInputError` for a directory, a device or an unreadable file.
    """
    if path == "-":
        try:
            return open(os.dup(stdin.fileno()), "rb")
        except (OSError, ValueError):  # no descriptor (a test's in-memory stdin)
            return stdin
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise ScanInputError(f"{path}: cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        raise ScanInputError(f"{path}: not a regular file (use - to read stdin)")
    try:
        return open(path, "rb")
    except OSError as exc:
        raise ScanInputError(f"{path}: cannot read: {exc.strerror}") from None


def _lines(stream: IO[bytes], source: str) -> Iterator[tuple[int, str]]:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    for number, raw in enumerate(iter(lambda: stream.readline(MAX_LINE_BYTES + 1), b""), 1):
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raise ScanInputError(f"{source}:{number}: line longer than {MAX_LINE_BYTES} bytes")
        try:
            text = decoder.decode(raw)
        except UnicodeDecodeError:
            raise ScanInputError(f"{source}:{number}: not UTF-8 text") from None
        if "\x00" in text:
            raise ScanInputError(f"{source}:{number}: NUL byte (is this a text file?)")
        yield number, text.strip()


def read_targets(stream: IO[bytes], source: str = "input") -> Iterator[ScanTarget]:
    """Targets, read lazily: one domain per line, or CSV with a header naming ``domain``.

    Empty lines and lines starting with ``#`` are skipped. Raises
    :class:`ScanInputError` (with ``source:line``) when the input cannot be read.
    """
    header: list[str] | None = None
    first = True
    for number, text in _lines(stream, source):
        if not text or text.startswith("#"):
            continue
        if first:
            first = False
            if "," in text:
                header = _header(text, source, number)
                continue
        if header is None:
            if "," in text or any(c.isspace() for c in text):
                raise ScanInputError(f"{source}:{number}: expected one domain per line, or a "
                                     "CSV file whose first line names the columns "
                                     f"({', '.join(COLUMNS)})")
            yield ScanTarget(domain=text, line=number)
            continue
        cells = next(csv.reader(io.StringIO(text)))
        if len(cells) > len(header):
            raise ScanInputError(f"{source}:{number}: {len(cells)} cells but the header names "
                                 f"{len(header)} columns")
        values = {name: cell.strip() for name, cell in zip(header, cells, strict=False)}
        columns: dict[str, Any] = {k: values.get(k, "") for k in COLUMNS}
        yield ScanTarget(line=number, **columns)


def _header(text: str, source: str, number: int) -> list[str]:
    names = [cell.strip().lower() for cell in next(csv.reader(io.StringIO(text)))]
    if "domain" not in names:
        raise ScanInputError(f"{source}:{number}: the CSV header needs a 'domain' column "
                             f"(columns: {', '.join(COLUMNS)})")
    for name in names:
        if name not in COLUMNS:
            raise ScanInputError(f"{source}:{number}: unknown column {name!r}"
                                 f"{did_you_mean(name, COLUMNS)}; columns: {', '.join(COLUMNS)}")
    if len(set(names)) != len(names):
        raise ScanInputError(f"{source}:{number}: a column is named twice")
    return names


# --- checking one domain ----------------------------------------------------------------------

@dataclass(frozen=True)
class ScanFlows:
    """The two flows a scan drives, loaded and checked once."""

    dkim: Flow
    spf_dmarc: Flow


def load_scan_flows() -> ScanFlows:
    """The installed ``dkim-needs-attention`` and ``spf-dmarc`` flows."""
    from wizard.flow.loader import find_flow

    return ScanFlows(find_flow(DKIM_FLOW), find_flow(SPF_DMARC_FLOW))


_STATUS_ORDER: dict[str, int] = {"healthy": 0, "problem": 1, "inconclusive": 2, "error": 3}


def _given(target: ScanTarget, names: Iterable[str]) -> dict[str, str]:
    return {n: getattr(target, n) for n in names if getattr(target, n)}


def _outcome(session: Session, *probes: str) -> str:
    """The outcome of the last of ``probes`` that ran, else of the last probe step."""
    last = ""
    for entry in session.trail:
        for record in entry.probes:
            if record.probe in probes:
                last = record.outcome
    if last:
        return last
    ran = [e.outcome for e in session.trail if e.kind == "probe" and e.outcome]
    return ran[-1] if ran else session.status


async def _walk(flow: Flow, given: Mapping[str, str], runner: ProbeRunner
                ) -> tuple[Session, dict[str, Any] | None]:
    """Walk ``flow``; a question only a person can answer ends the walk with a finding."""
    session = Session.start(flow, given, runner, undo=False)
    try:
        await run_to_end(session)
    except MissingAnswer as exc:
        name = session.values.get("misplaced.correct_name") or exc.var
        session.status = "problem"
        return session, {
            "id": "dkim.record-missing", "severity": "error",
            "message": f"Nothing is published at {name}, nor at any name a DNS console "
                       "commonly puts it by mistake; give expected_cname or region to get the "
                       "record to add."}
    return session, None


async def _mx(domain: str, runner: ProbeRunner) -> str:
    result = await runner.run("mx.lookup", {"domain": domain})
    return result.outcome


async def check_domain(target: ScanTarget, flows: ScanFlows, runner: ProbeRunner,
                       limit: float, mx: bool = False) -> ScanRow:
    """Walk the flows for one domain within ``limit`` seconds; never raises for DNS trouble."""
    started = time.monotonic()
    row = ScanRow(domain=target.domain.strip().rstrip(".").lower(), status="healthy",
                  line=target.line, selector=target.selector)
    if target.region and target.spf_include:
        row.status, row.error = "bad_input", "give region or spf_include, not both"
        return row
    try:
        spf_given = check_inputs(flows.spf_dmarc, _given(
            target, ("domain", "region", "spf_include", "provider")))
        dkim_given = check_inputs(flows.dkim, _given(
            target, ("domain", "selector", "expected_cname", "region", "provider"))
        ) if target.selector and target.key_unreadable is None else None
    except BadInput as exc:
        row.status, row.error = "bad_input", str(exc)
        return row
    row.domain = spf_given["domain"]
    walks = [_walk(flows.spf_dmarc, spf_given, runner)]
    if dkim_given is not None:
        walks.append(_walk(flows.dkim, dkim_given, runner))
    try:
        async with asyncio.timeout(limit):
            if mx:
                done, row.mx = await asyncio.gather(asyncio.gather(*walks),
                                                    _mx(row.domain, runner))
            else:
                done = await asyncio.gather(*walks)
    except TimeoutError:
        row.status, row.error = "error", f"no verdict within {limit:g}s"
        row.elapsed_ms = round((time.monotonic() - started) * 1000)
        return row
    worst = "healthy"
    for session, extra in done:
        findings, fixes = verdict_json(session)
        row.flows[session.flow.id] = session.status
        row.findings += findings + ([extra] if extra else [])
        row.fixes += fixes
        if session.error:
            row.error = "; ".join(filter(None, (row.error, f"{session.flow.id}: "
                                                f"{session.error}")))
        if _STATUS_ORDER.get(session.status, 3) > _STATUS_ORDER[worst]:
            worst = session.status
        if session.flow.id == SPF_DMARC_FLOW:
            row.spf = _outcome(session, "spf.check")
            row.dmarc = _outcome(session, "dmarc.check") if any(
                r.probe == "dmarc.check" for e in session.trail for r in e.probes) else "skipped"
        else:
            row.dkim = _outcome(session, "dkim.record", "dkim.misplaced")
    if target.key_unreadable is not None:
        _key_unreadable(row, target.key_unreadable)
        if _STATUS_ORDER["inconclusive"] > _STATUS_ORDER[worst]:
            worst = "inconclusive"
    row.status = worst  # type: ignore[assignment]
    row.elapsed_ms = round((time.monotonic() - started) * 1000)
    return row


def _key_unreadable(row: ScanRow, unreadable: KeyUnreadable) -> None:
    """Say in ``row`` that its DKIM key could not be read: the check, a finding, the fix
    (from the shared fix library) and the one-line ``error`` a CSV row shows."""
    from wizard.flow.fixlib import render_library_fix

    row.dkim = KEY_UNREADABLE
    row.findings.append({
        "id": KEY_UNREADABLE_FINDING, "severity": "warning",
        "message": f"DKIM was not checked: {unreadable.key} could not be read from the "
                   f"provider's API ({unreadable.answer}). {unreadable.hint}"})
    params = {**dict(unreadable.params), "domain": row.domain, "key": unreadable.key,
              "answer": unreadable.answer}
    row.fixes.append(render_library_fix(unreadable.fix_id, params).model_dump(
        exclude_defaults=False))
    row.error = "; ".join(filter(None, (row.error, f"DKIM key unreadable: {unreadable.key}: "
                                                   f"{unreadable.answer}")))


def verdict_json(session: Session) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``findings`` and ``fixes`` of ``session_json(session)``, redacted the same way.

    Without the rest of the view (the trail, the facts, the inputs), which a row
    does not carry: building it was a tenth of a scan's time per domain.
    """
    redact = redactor(session)
    findings = [Finding.model_validate(redact.value(f.model_dump())).model_dump()
                for f in session.findings]
    fixes = [type(f).model_validate(redact.value(f.model_dump(by_alias=True)))
             .model_dump(exclude_defaults=False) for f in session.shown_fixes]
    return findings, fixes


def domain_limit(timeout: float) -> float:
    """How long one domain may take in all: its longest walk is about six probes in a row."""
    return 6 * (timeout + 1.0) + 1.0


# --- many domains -----------------------------------------------------------------------------

def _next_target(source: Iterator[ScanTarget]) -> ScanTarget | None:
    """The next target, or None at the end (StopIteration cannot cross a thread's future)."""
    return next(source, None)


_Item = TypeVar("_Item")

Pull = Callable[[], Awaitable[ScanTarget | None]]
"""Hands out the next target to check, or None at the end of the list."""


def tune_gc() -> None:
    """Make Python's cyclic garbage collector cheap for a scan (a scan process only).

    What is loaded by now (flows, probes, pydantic models, dnspython) is
    frozen out of collections (``gc.freeze``, which also keeps forked workers
    from copying those pages), and the youngest generation is collected after
    50,000 net allocations instead of 700: before, a third of a scan's CPU went
    to the collector walking the same long-lived objects again and again.
    A scan's memory is bounded by ``concurrency`` either way. The collector is
    switched on (the command line starts with it off, see
    :func:`wizard.cli.console_main`).
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    gc.enable()


def make_pull(targets: Iterable[ScanTarget] | AsyncIterable[ScanTarget],
              slow_source: bool = False) -> Pull:
    """A :data:`Pull` over ``targets``: read here, or with ``slow_source`` (a pipe or a
    terminal) in a thread, one at a time, so that a producer slow to write never stalls
    the domains in flight; an asynchronous ``targets`` (a listing from an API) is read by
    one worker at a time."""
    listing = aiter(targets) if isinstance(targets, AsyncIterable) else None
    source = iter(targets) if not isinstance(targets, AsyncIterable) else iter(())
    reading = asyncio.Lock()

    async def pull() -> ScanTarget | None:
        if listing is not None:
            async with reading:
                return await anext(listing, None)
        if not slow_source:
            return _next_target(source)
        async with reading:  # in a daemon thread: Ctrl-C never waits for a quiet producer
            return await in_daemon_thread(lambda: _next_target(source), "scan-list-reader")

    return pull


async def until_all_end(results: asyncio.Queue[_Item | None], producers: int
                        ) -> AsyncGenerator[_Item, None]:
    """The items of ``results`` until each of ``producers`` has posted its closing None."""
    while producers:
        item = await results.get()
        if item is None:
            producers -= 1
        else:
            yield item


async def scan(targets: Iterable[ScanTarget] | AsyncIterable[ScanTarget], flows: ScanFlows,
               runner: ProbeRunner, *,
               concurrency: int, timeout: float, mx: bool = False,
               slow_source: bool = False) -> AsyncGenerator[ScanRow, None]:
    """Rows as domains finish, with at most ``concurrency`` in flight, in this process.

    ``targets`` is consumed lazily by the workers, and finished rows wait in a
    queue of ``concurrency`` places, so memory stays flat however long the list
    is; an asynchronous ``targets`` (a listing from an API) is read by one worker at a
    time. ``mx`` adds each domain's ``mx.lookup`` outcome. An input error raised by
    ``targets`` is re-raised here after the domains already in flight have finished.
    With ``slow_source`` (a pipe or terminal) targets are read in a thread, one at a
    time, so a producer that is slow to write never stalls the domains in flight.
    The workers share one :class:`~wizard.probes.support.resolve.ReplyCache`: domains ask
    once for what they have in common (the provider's include, the parent zones); and one
    UDP socket per DNS server (:class:`~wizard.probes.support.udp.UdpEndpoints`).
    :func:`wizard.scan_jobs.scan_with_jobs` spreads the same work over processes.
    """
    checked = scan_rows(make_pull(targets, slow_source), flows, runner,
                        concurrency=concurrency, timeout=timeout, mx=mx)
    try:
        async for _, row in checked:
            yield row
    finally:
        await checked.aclose()


async def scan_rows(pull: Pull, flows: ScanFlows, runner: ProbeRunner, *, concurrency: int,
                    timeout: float, mx: bool = False
                    ) -> AsyncGenerator[tuple[ScanTarget, ScanRow], None]:
    """:func:`scan` in this process: each target with its row, as domains finish.

    ``pull`` is called by up to ``concurrency`` workers at once; what it raises
    (:class:`ScanInputError`, or ``ValueError``/``OSError`` from the stream) stops
    the reading and is re-raised once the domains in flight have finished.
    """
    results: asyncio.Queue[tuple[ScanTarget, ScanRow] | None] = asyncio.Queue(
        maxsize=concurrency)
    failure: list[ScanInputError] = []
    limit = domain_limit(timeout)

    async def worker() -> None:
        """Check targets until the list ends; then post ``None`` (not when cancelled)."""
        try:
            while not failure:
                target = await pull()
                if target is None:
                    break
                try:
                    row = await check_domain(target, flows, runner, limit, mx)
                except Exception as exc:  # a bug must not stop the scan or leave it waiting
                    row = error_row(target, f"{type(exc).__name__}: {exc}")
                await results.put((target, row))
        except ScanInputError as exc:
            failure.append(exc)
        except (ValueError, OSError) as exc:  # the stream itself failed (a pipe, a disk)
            failure.append(ScanInputError(f"cannot read the list: {exc}"))
        except Exception as exc:  # a source's bug must end the scan, never leave it waiting
            failure.append(ScanInputError(f"cannot read the list: {type(exc).__name__}: "
                                          f"{exc}"))
        await results.put(None)

    from wizard.probes.support.resolve import ReplyCache, use_reply_cache
    from wizard.probes.support.udp import UdpEndpoints, use_udp_endpoints

    shared = contextvars.copy_context()
    shared.run(use_reply_cache, ReplyCache())
    endpoints = UdpEndpoints()
    shared.run(use_udp_endpoints, endpoints)
    workers = [asyncio.create_task(worker(), context=shared) for _ in range(concurrency)]
    try:
        async for done in until_all_end(results, len(workers)):
            yield done
    finally:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        endpoints.close()
    if failure:
        raise failure[0]


def error_row(target: ScanTarget, error: str) -> ScanRow:
    """The row of a domain that could not be checked at all (a bug, a lost worker)."""
    return ScanRow(domain=target.domain, status="error", line=target.line,
                   selector=target.selector, error=error)


@dataclass
class ScanSummary:
    """Counts by status, and per check, for the closing table."""

    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_check: dict[str, dict[str, int]] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def add(self, row: ScanRow) -> None:
        """Count one finished row."""
        self.total += 1
        self.by_status[row.status] = self.by_status.get(row.status, 0) + 1
        for check, value in (("dkim", row.dkim), ("spf", row.spf), ("dmarc", row.dmarc),
                             ("mx", row.mx)):
            if value:
                counts = self.by_check.setdefault(check, {})
                counts[value] = counts.get(value, 0) + 1

    @property
    def exit_code(self) -> int:
        """2 some bad input, 3 some could not be checked, 1 some problems, else 0."""
        if self.by_status.get("bad_input"):
            return EXIT_BAD_INPUT
        if self.by_status.get("inconclusive") or self.by_status.get("error"):
            return EXIT_UNCHECKED
        if self.by_status.get("problem"):
            return EXIT_PROBLEM
        return EXIT_HEALTHY

    def table(self) -> str:
        """The summary as plain text lines (for stderr)."""
        elapsed = max(time.monotonic() - self.started, 1e-9)
        lines = [f"scanned {self.total} domain{'s' if self.total != 1 else ''} in "
                 f"{elapsed:.1f}s ({self.total / elapsed:.1f}/s)"]
        for status in ("healthy", "problem", "inconclusive", "error", "bad_input"):
            if self.by_status.get(status):
                lines.append(f"  {status:<13} {self.by_status[status]:>7}")
        for check, counts in self.by_check.items():
            shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(),
                                                             key=lambda kv: -kv[1]))
            lines.append(f"  {check:<13} {shown}")
        return "\n".join(lines) + "\n"

