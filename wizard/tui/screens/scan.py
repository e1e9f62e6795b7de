"""Scan many domains: a file, a pasted list or an OCI compartment in, a table that fills in
live, each row one walk away.

The headless engine (:mod:`wizard.scan`) does the work in a Textual worker on the
app's probe runner (so the settings' DNS servers and timeout apply); each finished
domain is posted to the screen as a :class:`ScanScreen.RowDone` message. At most
:data:`MAX_ROWS` domains are read (the table keeps every row), the scan can be
cancelled (``x``), the table filtered to problems (``p``), a row opened into its
flow's full walk (Enter), and the results saved as JSON Lines and CSV to the
sessions folder (``s``). A compartment OCID in the file field scans that compartment's
email domains, listed through the OCI API with the settings' profile
(:mod:`wizard.scan_compartment`, as ``scan --compartment``).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Static, TextArea
from textual.worker import Worker, WorkerState

from wizard.data.diagnostics import DataFileError
from wizard.flow.model import Flow
from wizard.inputs import BadInput, check_inputs
from wizard.ociapi.settings import OciSettings
from wizard.scan import (
    DKIM_FLOW,
    KEY_UNREADABLE_FINDING,
    SPF_DMARC_FLOW,
    ScanDefaults,
    ScanFlows,
    ScanInputError,
    ScanRow,
    ScanSummary,
    ScanTarget,
    load_scan_flows,
    open_targets,
    read_targets,
    scan,
)
from wizard.scan_compartment import (
    compartment_problem,
    compartment_targets,
    open_compartment,
)
from wizard.settings import SettingsError
from wizard.tui.host import WizardHost, wizard_host
from wizard.tui.sessions import stamp

SCAN_GROUP = "scan"
MAX_ROWS = 5000
"""The most domains one scan in the TUI reads (the table keeps each row)."""
CONCURRENCY = 20
"""Domains checked at the same time."""
MAX_PASTE = 1_000_000
"""The most characters of a pasted list that are read."""
COLUMNS = ("Domain", "DKIM", "SPF", "DMARC", "Verdict")
_ORDER = {"healthy": 0, "problem": 1, "inconclusive": 2, "error": 3, "bad_input": 4}
VERDICT_STYLE = {"healthy": "green", "problem": "red", "inconclusive": "yellow",
                 "error": "yellow", "bad_input": "magenta"}


def walk_flow_for(row: ScanRow) -> str:
    """The flow whose walk opens for ``row``: DKIM's when it ran and is not healthy, else
    SPF/DMARC's."""
    if row.flows.get(DKIM_FLOW, "healthy") != "healthy":
        return DKIM_FLOW
    return SPF_DMARC_FLOW


def walk_inputs(flow: Flow, target: ScanTarget) -> dict[str, object]:
    """The checked inputs of ``flow`` for ``target`` (raises :class:`BadInput`)."""
    names = [spec for spec in flow.inputs if getattr(target, spec, "")]
    return dict(check_inputs(flow, {n: getattr(target, n) for n in names}))


def save_rows(rows: list[ScanRow], folder: Path, now: float) -> list[Path]:
    """Write ``rows`` as ``scan-STAMP.jsonl`` and ``scan-STAMP.csv`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / f"scan-{stamp(now)}"
    jsonl = base.with_name(base.name + ".jsonl")
    jsonl.write_text("".join(json.dumps(r.as_json(), ensure_ascii=False) + "\n" for r in rows),
                     encoding="utf-8")
    out = io.StringIO()
    table = csv.writer(out, lineterminator="\n")
    table.writerow(ScanRow.CSV_FIELDS)
    table.writerows(r.as_csv() for r in rows)
    table_path = base.with_name(base.name + ".csv")
    table_path.write_text(out.getvalue(), encoding="utf-8")
    return [jsonl, table_path]


class ScanScreen(Screen[None]):
    """Pick a file or paste a list, scan, watch the rows arrive, open one, save them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "start", "Scan"),
        Binding("x", "cancel", "Cancel"),
        Binding("p", "problems", "Problems only"),
        Binding("s", "save", "Save"),
        Binding("escape", "back", "Back"),
    ]

    class RowDone(Message):
        """One domain finished."""

        def __init__(self, row: ScanRow, target: ScanTarget | None) -> None:
            super().__init__()
            self.row = row
            self.target = target

    class ScanEnded(Message):
        """The scan ended: ``problem`` is why it stopped early ("" when it ran to the end)."""

        def __init__(self, problem: str = "", more: bool = False) -> None:
            super().__init__()
            self.problem = problem
            self.more = more

    def __init__(self, concurrency: int = CONCURRENCY, max_rows: int = MAX_ROWS) -> None:
        super().__init__()
        self.concurrency = concurrency
        self.max_rows = max_rows
        self.rows: list[ScanRow] = []
        """Every finished row, in the order they arrived."""
        self.targets: dict[int, ScanTarget] = {}
        """The target behind each row (by index into :attr:`rows`)."""
        self.shown: list[int] = []
        """Indexes into :attr:`rows` of the rows the table shows."""
        self.problems_only = False
        self.summary = ScanSummary()
        self.running = False
        self.saved_count = -1
        self.lead = ""
        """How the last scan ended (the status line's first words)."""

    @property
    def wizard(self) -> WizardHost:
        """The app, typed."""
        return wizard_host(self.app)

    def compose(self) -> ComposeResult:
        """The file field, the paste area, the selector, the table and the status line."""
        yield Header()
        yield Static("Check many domains: DKIM (given a selector), SPF and DMARC for each.",
                     id="scan-intro")
        with Horizontal(id="scan-source"):
            path = Input(placeholder="file, or an OCI compartment's OCID", id="scan-file")
            path.cursor_blink = self.wizard.cursor_blink
            yield path
            selector = Input(placeholder="DKIM selector (optional)", id="scan-selector")
            selector.cursor_blink = self.wizard.cursor_blink
            yield selector
            yield Button("Scan", id="scan-start", variant="primary")
        paste = TextArea(id="scan-list", show_line_numbers=False, placeholder=(
            "or paste domains here, one a line; or CSV with a header naming some of\n"
            "domain,selector,expected_cname,region,spf_include"))
        paste.cursor_blink = self.wizard.cursor_blink
        yield paste
        table: DataTable[str] = DataTable(id="scan-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Static("", id="scan-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        """The cursor starts in the file field."""
        self.query_one("#scan-file", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Cancel while scanning; save and filter once there are rows."""
        if action == "cancel":
            return self.running
        if action == "save":
            return bool(self.rows)
        if action == "start":
            return not self.running
        return True

    # --- starting and stopping --------------------------------------------------------------

    def _flows(self) -> ScanFlows:
        installed = {flow.id: flow for flow in self.wizard.flows}
        if DKIM_FLOW in installed and SPF_DMARC_FLOW in installed:
            return ScanFlows(installed[DKIM_FLOW], installed[SPF_DMARC_FLOW])
        return load_scan_flows()

    def _source(self) -> tuple[io.IOBase | None, str]:
        """The stream to read and its name for messages; None and why when there is none."""
        path = self.query_one("#scan-file", Input).value.strip()
        pasted = self.query_one("#scan-list", TextArea).text
        if path:
            if path == "-":
                return None, "The file field needs a file's path (stdin is the terminal here)."
            try:
                return open_targets(str(Path(path).expanduser()), io.BytesIO()), path  # type: ignore[return-value]
            except ScanInputError as exc:
                return None, str(exc)
        if pasted.strip():
            if len(pasted) > MAX_PASTE:
                pasted = pasted[:pasted.rfind("\n", 0, MAX_PASTE) + 1]
                self.notify(f"Only the first {MAX_PASTE:,} characters of the list are read "
                            "(a file has no such limit).", severity="warning")
            return io.BytesIO(pasted.encode("utf-8")), "the pasted list"
        return None, "Give a file or paste a list of domains first."

    @on(Button.Pressed, "#scan-start")
    @on(Input.Submitted, "#scan-file")
    @on(Input.Submitted, "#scan-selector")
    def _start_pressed(self) -> None:
        self.action_start()

    def action_start(self) -> None:
        """Read the source and start the scan (the table starts empty)."""
        if self.running:
            return
        status = self.query_one("#scan-status", Static)
        compartment = self.query_one("#scan-file", Input).value.strip()
        stream: io.IOBase | None = None
        if compartment.startswith("ocid1."):
            problem = compartment_problem(compartment)
            if problem:
                status.update(problem)
                return
            name = f"compartment {compartment}"
        else:
            compartment = ""
            stream, name = self._source()
            if stream is None:
                status.update(name)
                return
        try:
            flows = self._flows()
        except DataFileError as exc:
            if stream is not None:
                stream.close()
            status.update(f"The scan's flows have defects: {exc}")
            return
        self.rows, self.targets, self.shown = [], {}, []
        self.summary = ScanSummary()
        self.saved_count = -1
        self.query_one("#scan-table", DataTable).clear()
        selector = self.query_one("#scan-selector", Input).value.strip()
        settings = self.wizard.settings
        defaults = ScanDefaults(selector=selector, region=settings.region or "",
                                provider=settings.provider or "")
        self.running = True
        self.refresh_bindings()
        status.update(f"Scanning {name}…")
        table = self.query_one("#scan-table", DataTable)
        table.focus()
        if stream is None:
            self.run_compartment(compartment, defaults, flows)
        else:
            self.run_scan(stream, name, defaults, flows)

    @work(group=SCAN_GROUP, exclusive=True, exit_on_error=False, description="scan")
    async def run_scan(self, stream: io.IOBase, name: str, defaults: ScanDefaults,
                       flows: ScanFlows) -> None:
        """Drive the engine; each row is posted as :class:`RowDone`, the end as
        :class:`ScanEnded` (also when cancelled or the list cannot be read)."""
        in_flight: dict[int, ScanTarget] = {}

        def remembered(source: Iterator[ScanTarget]) -> Iterator[ScanTarget]:
            for target in source:
                target = defaults.apply(target)
                in_flight[target.line] = target
                yield target

        source = read_targets(stream, name)  # type: ignore[arg-type]
        limited = itertools.islice(remembered(source), self.max_rows)
        problem, more = "", False
        try:
            async for row in scan(limited, flows, self.wizard.runner,
                                  concurrency=self.concurrency,
                                  timeout=self.wizard.settings.timeout):
                self.post_message(self.RowDone(row, in_flight.pop(row.line, None)))
            try:
                more = next(source, None) is not None
            except ScanInputError:
                more = True
        except ScanInputError as exc:
            problem = str(exc)
        finally:
            stream.close()
        self.post_message(self.ScanEnded(problem, more))

    @work(group=SCAN_GROUP, exclusive=True, exit_on_error=False, description="scan")
    async def run_compartment(self, compartment: str, defaults: ScanDefaults,
                              flows: ScanFlows) -> None:
        """Scan the email domains of ``compartment``, listed through the API as the settings'
        OCI options say (their region the default one); ends like :meth:`run_scan`."""
        settings = self.wizard.settings
        in_flight: dict[int, ScanTarget] = {}
        more = False

        async def remembered(listing: AsyncIterator[ScanTarget]) -> AsyncIterator[ScanTarget]:
            nonlocal more
            async for target in listing:
                if len(in_flight) + len(self.rows) >= self.max_rows:
                    more = True
                    return
                target = defaults.apply(target)
                in_flight[target.line] = target
                yield target

        problem = ""
        try:
            ctx = settings.probe_context()
            api = await open_compartment(ctx.oci or OciSettings(), ca_file=ctx.ca_file,
                                         timeout=settings.timeout)
            if not (defaults.region or defaults.spf_include):
                defaults = replace(defaults, region=api.region)
            listing = remembered(compartment_targets(api, compartment, settings.timeout))
            async for row in scan(listing, flows, self.wizard.runner,
                                  concurrency=self.concurrency, timeout=settings.timeout):
                self.post_message(self.RowDone(row, in_flight.pop(row.line, None)))
        except (SettingsError, ScanInputError) as exc:
            problem = str(exc)
            self.notify(problem, severity="error", timeout=12, markup=False)
        self.post_message(self.ScanEnded(problem.split("\n")[0], more))

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != SCAN_GROUP:
            return
        if event.state == WorkerState.CANCELLED:
            self._ended(f"Cancelled after {len(self.rows)} domains.")
        elif event.state == WorkerState.ERROR:
            self._ended(f"The scan stopped: {event.worker.error}")

    def action_cancel(self) -> None:
        """Stop the scan; the rows so far stay."""
        if self.running:
            self.workers.cancel_group(self, SCAN_GROUP)

    def action_back(self) -> None:
        """Cancel a running scan, else leave the screen."""
        if self.running:
            self.action_cancel()
        else:
            self.app.pop_screen()

    # --- the table --------------------------------------------------------------------------

    def _cells(self, row: ScanRow) -> tuple[str, ...]:
        return (row.domain, row.dkim or "—", row.spf or "—", row.dmarc or "—", row.status)

    def _add(self, index: int) -> None:
        row = self.rows[index]
        from rich.text import Text

        cells = [Text(cell) for cell in self._cells(row)]
        cells[-1].stylize(f"bold {VERDICT_STYLE.get(row.status, '')}")
        self.query_one("#scan-table", DataTable).add_row(*cells, key=str(index))
        self.shown.append(index)

    def _visible(self, row: ScanRow) -> bool:
        return not self.problems_only or row.status != "healthy"

    @on(RowDone)
    def _row_done(self, message: RowDone) -> None:
        index = len(self.rows)
        self.rows.append(message.row)
        if message.target is not None:
            self.targets[index] = message.target
        self.summary.add(message.row)
        if self._visible(message.row):
            self._add(index)
        self._status(f"Scanning… {self.summary.total} done")

    @on(ScanEnded)
    def _scan_ended(self, message: ScanEnded) -> None:
        if message.problem:
            self._ended(f"The list could not be read: {message.problem}")
        elif message.more:
            self._ended(f"Stopped at the first {self.max_rows} domains.")
        else:
            self._ended("Done.")

    def _ended(self, why: str) -> None:
        if not self.running:
            return
        self.running = False
        self.lead = why
        self.refresh_bindings()
        self._status(why)

    def _status(self, lead: str) -> None:
        counts = ", ".join(f"{self.summary.by_status[s]} {s}" for s in _ORDER
                           if self.summary.by_status.get(s))
        shown = " · problems only" if self.problems_only else ""
        self.query_one("#scan-status", Static).update(
            f"{lead} {self.summary.total} domain{'s' if self.summary.total != 1 else ''}"
            f"{': ' + counts if counts else ''}{shown}")

    def action_problems(self) -> None:
        """Show only the domains that are not healthy, or every domain again."""
        self.problems_only = not self.problems_only
        self.query_one("#scan-table", DataTable).clear()
        self.shown = []
        for index, row in enumerate(self.rows):
            if self._visible(row):
                self._add(index)
        self._status("Scanning…" if self.running else self.lead)

    @on(DataTable.RowSelected, "#scan-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_row(int(event.row_key.value))

    def open_row(self, index: int) -> None:
        """Open row ``index`` into its flow's walk with that domain's inputs (a domain whose
        DKIM key the API did not give: its SPF/DMARC walk, with a notice saying why)."""
        row, target = self.rows[index], self.targets.get(index)
        if target is None or row.status == "bad_input":
            self.notify(row.error or "This row cannot be opened.", severity="warning",
                        markup=False)
            return
        if target.key_unreadable is not None:
            said = [f["message"] for f in row.findings if f["id"] == KEY_UNREADABLE_FINDING]
            said += [f"• {a['instruction']} ({a['where']})" for f in row.fixes
                     if f["id"] == target.key_unreadable.fix_id for a in f["actions"]]
            self.notify("\n".join(said), title="DKIM not checked", severity="warning",
                        timeout=20, markup=False)
        flow_id = walk_flow_for(row)
        flow = next((f for f in self.wizard.flows if f.id == flow_id), None)
        if flow is None:
            self.notify(f"The {flow_id} flow is not installed.", severity="error")
            return
        try:
            values = walk_inputs(flow, target)
        except BadInput as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.wizard.start_walk(flow, values)

    def action_save(self) -> None:
        """Write the rows as JSON Lines and CSV to the sessions folder."""
        if not self.rows:
            return
        try:
            written = save_rows(self.rows, self.wizard.sessions_folder, self.wizard.wall_clock())
        except OSError as exc:
            self.notify(f"Could not save: {exc}", severity="error", timeout=8, markup=False)
            return
        self.saved_count = len(self.rows)
        self.notify("Saved " + " and ".join(str(p) for p in written), timeout=8,
                    markup=False)

