"""Modal dialogs: a step's evidence, answering a probe by hand, confirming an apply, saving."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import Worker

from wizard.dns_recheck import INTERVAL, TRIES, RecordState, poll
from wizard.fixes.apply_postconf import Plan
from wizard.fixes.review import ApplyReport, OciChange
from wizard.fixes.vocabulary import DnsAction
from wizard.hand_answers import HandChoice
from wizard.probes.base import ProbeContext
from wizard.tui.widgets import diff_content

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT | None]):
    """Base of the dialogs: a bordered box in the middle; ``escape`` closes with ``None``.

    ``ResultT`` is what the dialog returns when the user goes through with it.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
        & > #box {
            width: 90%;
            max-width: 110;
            height: auto;
            max-height: 90%;
            border: thick $primary 60%;
            border-title-style: bold;
            background: $surface;
            padding: 0 1;
        }
        & #body { height: auto; max-height: 1fr; }
        & .dialog-buttons { height: auto; align-horizontal: right; margin-top: 1; }
        & .dialog-buttons > Button { margin-left: 2; }
        & .muted { color: $text-muted; }
        & .evidence { padding-left: 2; color: $text-muted; }
        & .heading { text-style: bold; margin-top: 1; }
        & .diff { background: $boost; padding: 0 1; }
    }
    """

    def action_close(self) -> None:
        """Close without a result."""
        self.dismiss(None)


@dataclass(frozen=True)
class StepDetail:
    """What the step-details dialog shows (already redacted)."""

    title: str
    headline: Content
    evidence: Sequence[str]
    probes: Sequence[tuple[str, str]]
    facts: Sequence[tuple[str, str]]


class StepDetailScreen(Dialog[None]):
    """A step of the trail in full: outcome and summary, evidence lines and the facts it found."""

    def __init__(self, detail: StepDetail) -> None:
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        """Headline, per-probe lines, evidence and facts."""
        detail = self.detail
        with Vertical(id="box") as box:
            box.border_title = detail.title
            with VerticalScroll(id="body"):
                yield Static(detail.headline)
                if len(detail.probes) > 1:
                    yield Static("Probes", classes="heading")
                    yield Static("\n".join(f"{name}: {line}" for name, line in detail.probes),
                                 classes="evidence", markup=False)
                yield Static("Evidence", classes="heading")
                yield Static("\n".join(detail.evidence) or "(none)", classes="evidence",
                             markup=False)
                if detail.facts:
                    yield Static("Facts", classes="heading")
                    yield Static("\n".join(f"{name} = {value}" for name, value in detail.facts),
                                 classes="evidence", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", id="close", compact=True)
        yield Footer()

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)


class ByHandScreen(Dialog[HandChoice]):
    """Skip a probe: pick what it would have found; returns the chosen :class:`HandChoice`."""

    def __init__(self, title: str, choices: Sequence[HandChoice]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        """The probe's outcomes, each with what it means."""
        with Vertical(id="box") as box:
            box.border_title = "Answer by hand"
            yield Static(f"Skip “{self.title_text}”: what would the check find? "
                         "Pick the outcome you saw yourself (with dig, telnet, openssl…).",
                         markup=False)
            options = []
            for index, choice in enumerate(self.choices):
                prompt = Content.styled(choice.label, "bold")
                if choice.description:
                    prompt = Content.assemble(prompt, "  ", (choice.description, "$text-muted"))
                options.append(Option(prompt, id=str(index)))
            yield OptionList(*options, id="hand-choices")
            yield Static("Enter picks · escape cancels", classes="muted")
        yield Footer()

    @on(OptionList.OptionSelected, "#hand-choices")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index])


def backup_hint(main_cf: Path) -> str:
    """How the backup written before an apply will be named."""
    return f"{main_cf.name}.email-wizard-YYYYmmdd-HHMMSS.bak"


class ConfirmDialog(Dialog[bool]):
    """Base of the apply confirmations: ``ctrl+a`` or Apply returns True, Cancel (focused
    first) or ``escape`` anything else."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Cancel"),
        Binding("ctrl+a", "apply", "Apply"),
    ]

    def on_mount(self) -> None:
        """Cancel is the safe default."""
        self.query_one("#cancel", Button).focus()

    def action_apply(self) -> None:
        """Confirm."""
        self.dismiss(True)

    @on(Button.Pressed, "#apply")
    def _apply(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(False)


class ApplyConfirmScreen(ConfirmDialog):
    """Shows the main.cf diff and where the backup goes; returns True to apply."""

    def __init__(self, title: str, plan: Plan) -> None:
        super().__init__()
        self.title_text = title
        self.plan = plan

    def compose(self) -> ComposeResult:
        """File, diff, backup and check notes, and the two buttons (Cancel focused)."""
        plan = self.plan
        with Vertical(id="box") as box:
            box.border_title = f"Apply: {self.title_text}"
            with VerticalScroll(id="body"):
                yield Static(f"This edits {plan.main_cf}:", markup=False)
                yield Static(diff_content(plan.diff), classes="diff")
                yield Static(f"A backup is written first, beside it, as "
                             f"{backup_hint(plan.main_cf)}. Then `postfix check` runs; "
                             "if it fails, the original is put back byte for byte.",
                             classes="muted", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Apply", id="apply", variant="warning", compact=True)
        yield Footer()


class OciApplyConfirmScreen(ConfirmDialog):
    """Shows each change a fix's ``oci`` actions make at the provider; returns True to send.

    Every field is shown (operation, address, compartment, resource) and a warning the
    flow attached (removing a complaint) stands out. Nothing is sent until confirmed.
    """

    DEFAULT_CSS = """
    OciApplyConfirmScreen .oci-change, OciApplyConfirmScreen .oci-note { margin-top: 1; }
    """

    def __init__(self, title: str, changes: Sequence[OciChange], profile: str) -> None:
        super().__init__()
        self.title_text = title
        self.changes = list(changes)
        self.profile = profile

    def compose(self) -> ComposeResult:
        """The changes, their warnings, how they are proven, and the buttons (Cancel focused)."""
        with Vertical(id="box") as box:
            box.border_title = f"Apply: {self.title_text}"
            with VerticalScroll(id="body"):
                count = len(self.changes)
                yield Static(f"This sends {'one change' if count == 1 else f'{count} changes'}"
                             f" to the OCI Email Delivery API (profile {self.profile}):",
                             markup=False)
                for change in self.changes:
                    yield Static("\n".join(change.lines()), classes="diff oci-change",
                                 markup=False)
                    if change.warning:
                        yield Static(Content.assemble(("⚠ Warning: ", "bold $text-warning"),
                                                      (change.warning, "$text-warning")),
                                     classes="oci-warning")
                yield Static("Then the list is read again to prove the change. Nothing is "
                             "sent unless you choose Apply.", classes="muted oci-note",
                             markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Apply", id="apply", variant="warning", compact=True)
        yield Footer()


@dataclass(frozen=True)
class SaveRequest:
    """Where and how to save a report."""

    base: Path
    markdown: bool
    as_json: bool


class SaveScreen(Dialog[SaveRequest]):
    """Asks where to save the report (Markdown and/or JSON); returns a :class:`SaveRequest`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(self, base: Path, cursor_blink: bool = True) -> None:
        super().__init__()
        self.base = base
        self.cursor_blink = cursor_blink

    def compose(self) -> ComposeResult:
        """Path field, the two formats, a note on secrets, and the buttons."""
        with Vertical(id="box") as box:
            box.border_title = "Save report"
            yield Static("File name (without .md / .json):", markup=False)
            path = Input(str(self.base), id="save-path")
            path.cursor_blink = self.cursor_blink
            yield path
            with Horizontal(classes="dialog-buttons"):
                yield Checkbox("Markdown (.md)", True, id="save-md", compact=True)
                yield Checkbox("JSON (.json)", True, id="save-json", compact=True)
            yield Static("Secrets are written as ******** in both. Saved JSON reports in the "
                         "default folder are listed on the home screen.", classes="muted",
                         markup=False)
            yield Static("", id="save-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Save", id="save", variant="primary", compact=True)
        yield Footer()

    def action_save(self) -> None:
        """Close with the request (or say what is missing)."""
        raw = self.query_one("#save-path", Input).value.strip()
        markdown = self.query_one("#save-md", Checkbox).value
        as_json = self.query_one("#save-json", Checkbox).value
        if not raw or not (markdown or as_json):
            self.query_one("#save-error", Static).update(
                "Give a file name and pick at least one format.")
            return
        base = Path(raw).expanduser()
        if base.suffix in (".md", ".json"):
            base = base.with_suffix("")
        self.dismiss(SaveRequest(base, markdown, as_json))

    @on(Input.Submitted, "#save-path")
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


QuitChoice = Literal["save", "quit"]


class QuitScreen(Dialog[QuitChoice]):
    """Asked before quitting with a result not saved: save and quit, quit, or stay."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Stay"),
        Binding("s", "choose('save')", "Save and quit"),
        Binding("q", "choose('quit')", "Quit"),
    ]

    def __init__(self, unsaved: str) -> None:
        super().__init__()
        self.unsaved = unsaved

    def compose(self) -> ComposeResult:
        """What would be lost, and the three ways out (Save and quit focused)."""
        with Vertical(id="box") as box:
            box.border_title = "Quit?"
            yield Static(f"The result of {self.unsaved} is not saved. Save it (Markdown and "
                         "JSON, secrets redacted) before quitting?", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Stay", id="stay", compact=True)
                yield Button("Quit without saving", id="quit", variant="warning",
                             compact=True)
                yield Button("Save and quit", id="save", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        """Saving is the safe default."""
        self.query_one("#save", Button).focus()

    def action_choose(self, choice: QuitChoice) -> None:
        """Leave with ``choice``."""
        self.dismiss(choice)

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.dismiss("save")

    @on(Button.Pressed, "#quit")
    def _quit(self) -> None:
        self.dismiss("quit")

    @on(Button.Pressed, "#stay")
    def _stay(self) -> None:
        self.dismiss(None)


class CopyScreen(Dialog[None]):
    """What Copy sent to the terminal's clipboard, selectable, and a way to write it to a file.

    The clipboard is reached through OSC 52, which many terminals (and tmux,
    by default) ignore without saying so: the dialog never claims success it
    cannot know, and offers the text for the terminal's own copy instead.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("w", "write", "Write to a file"),
    ]

    def __init__(self, text: str, folder: Path, stamp: str) -> None:
        super().__init__()
        self.text = text
        self.folder = folder
        self.stamp = stamp

    def compose(self) -> ComposeResult:
        """The note, the text (selected) and the buttons."""
        lines = self.text.count("\n") or 1
        rows = sum(max(1, -(-len(line) // 60)) for line in self.text.split("\n"))
        with Vertical(id="box") as box:
            box.border_title = f"Copy: {lines} line{'s' if lines > 1 else ''}"
            yield Static("Sent to your terminal's clipboard — if your terminal allows it "
                         "(tmux needs `set -g set-clipboard on`). Otherwise select the text "
                         "below with the mouse (shift-drag in most terminals), or write it "
                         "to a file.", classes="muted", markup=False)
            area = TextArea(self.text, read_only=True, id="copy-text", soft_wrap=True)
            area.styles.height = min(rows + 2, 12)
            yield area
            yield Static("", id="copy-written", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Write to a file", id="write", compact=True)
                yield Button("Close", id="close", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        """Select the text, ready for the terminal's own copy."""
        area = self.query_one(TextArea)
        area.select_all()
        self.query_one("#close", Button).focus()

    def action_write(self) -> None:
        """Write the text to ``copied-STAMP.txt`` in the reports folder and say where."""
        path = self.folder / f"copied-{self.stamp}.txt"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_text(self.text, encoding="utf-8")
        except OSError as exc:
            message = f"Could not write {path}: {exc.strerror or exc}"
        else:
            message = f"Written to {path}"
        self.query_one("#copy-written", Static).update(message)

    @on(Button.Pressed, "#write")
    def _write(self) -> None:
        self.action_write()

    @on(Button.Pressed, "#close")
    def _close_pressed(self) -> None:
        self.dismiss(None)


class ApplyResultScreen(Dialog[bool]):
    """What an apply did, until dismissed: the real message first; True asks for a re-check."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("r", "recheck", "Re-check"),
    ]

    def __init__(self, title: str, report: ApplyReport) -> None:
        super().__init__()
        self.title_text = title
        self.report = report

    def compose(self) -> ComposeResult:
        """Headline, details, the command to run next, and the buttons."""
        report = self.report
        with Vertical(id="box") as box:
            box.border_title = f"{'Applied' if report.ok else 'Not applied'}: {self.title_text}"
            mark = ("✔", "$text-success") if report.ok else ("✘", "$text-error")
            yield Static(Content.assemble((mark[0], f"bold {mark[1]}"), " ",
                                          (report.headline, "bold")), id="apply-headline")
            for line in report.details:
                yield Static(line, classes="muted", markup=False)
            if report.next_command:
                yield Static("Then, to load the new settings:", classes="heading",
                             markup=False)
                yield Static(report.next_command, classes="diff", id="apply-next",
                             markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", id="close", compact=True)
                if report.ok:
                    yield Button("Re-check", id="recheck", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        """Re-check is the next step after a change; Close after a failure."""
        self.query_one("#recheck" if self.report.ok else "#close", Button).focus()

    def action_recheck(self) -> None:
        """Run the flow's checks again on the changed file."""
        if self.report.ok:
            self.dismiss(True)

    @on(Button.Pressed, "#recheck")
    def _recheck(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#close")
    def _close_pressed(self) -> None:
        self.dismiss(False)


class DnsRecheckScreen(Dialog[None]):
    """Re-check the DNS records a fix changes: a bounded poll with the run's resolver
    settings, what is there now and how long the old answer may still be cached.

    ``escape`` (or Stop) ends the poll; the dialog stays until closed.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("x", "stop", "Stop"),
        Binding("r", "again", "Check again"),
    ]

    def __init__(self, actions: Sequence[DnsAction], ctx: ProbeContext, *,
                 tries: int = TRIES, interval: float = INTERVAL) -> None:
        super().__init__()
        self.actions = list(actions)
        self.ctx = ctx
        self.tries = tries
        self.interval = interval
        self.states: list[RecordState] = []
        self.polling = False
        self._poller: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        """The records' states, the progress line and the buttons."""
        with Vertical(id="box") as box:
            count = len(self.actions)
            box.border_title = f"Re-check DNS: {count} record{'s' if count > 1 else ''}"
            with VerticalScroll(id="body"):
                yield Static("", id="recheck-states", markup=False)
            yield Static("", id="recheck-progress", classes="muted", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Stop", id="stop", compact=True)
                yield Button("Close", id="close", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        """Start polling at once."""
        self.query_one("#close", Button).focus()
        self._poller = self.run_poll()

    @work(exclusive=True, exit_on_error=False, description="re-check DNS")
    async def run_poll(self) -> None:
        """Ask for every record, a few seconds apart, until all are in place or the tries
        are used up."""
        self.polling = True
        progress = self.query_one("#recheck-progress", Static)
        progress.update("Asking…")
        try:
            async for round_no, states in poll(self.actions, self.ctx, tries=self.tries,
                                               interval=self.interval):
                self.states = states
                self.query_one("#recheck-states", Static).update(
                    "\n".join(state.line() for state in states))
                if all(state.in_place for state in states):
                    progress.update(f"Every record is in place (check {round_no}).")
                elif round_no >= self.tries:
                    progress.update(f"Not all in place after {round_no} checks · "
                                    "r checks again")
                else:
                    progress.update(f"Check {round_no} of {self.tries}; the next in "
                                    f"{self.interval:g} s · x stops")
        finally:
            self.polling = False

    def action_stop(self) -> None:
        """Stop polling (what was seen last stays on show)."""
        if self.polling and self._poller is not None:
            self._poller.cancel()
            self.polling = False
            self.query_one("#recheck-progress", Static).update("Stopped · r checks again")

    def action_again(self) -> None:
        """Start a new round of checks."""
        if not self.polling:
            self._poller = self.run_poll()

    @on(Button.Pressed, "#stop")
    def _stop_pressed(self) -> None:
        self.action_stop()

    @on(Button.Pressed, "#close")
    def _close_pressed(self) -> None:
        self.dismiss(None)
