"""Small widgets of the walk: trail, running indicator, banners, facts, findings and fixes."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, DataTable, OptionList, Static
from textual.widgets.option_list import Option

from wizard.engine import RunStatus, TrailEntry
from wizard.fixes.apply_postconf import Plan
from wizard.fixes.render import SEVERITY_GLYPHS, STATUS_GLYPHS, action_lines
from wizard.fixes.review import oci_actions_of
from wizard.fixes.vocabulary import SEVERITY_RANK, DnsAction, Finding, Fix, PostconfAction
from wizard.flow.model import EndStep, FixStep, Flow

STATUS_MARKS: dict[str, tuple[str, str]] = {
    "healthy": (STATUS_GLYPHS["healthy"], "$text-success"),
    "problem": (STATUS_GLYPHS["problem"], "$text-error"),
    "inconclusive": (STATUS_GLYPHS["inconclusive"], "$text-warning"),
    "error": (STATUS_GLYPHS["error"], "$text-error"),
    "running": (STATUS_GLYPHS["running"], "$text-muted"),
}
SEVERITY_MARKS: dict[str, tuple[str, str]] = {
    "error": (SEVERITY_GLYPHS["error"], "$text-error"),
    "warning": (SEVERITY_GLYPHS["warning"], "$text-warning"),
    "info": (SEVERITY_GLYPHS["info"], "$text-primary"),
}
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def entry_mark(flow: Flow, entry: TrailEntry) -> tuple[str, str]:
    """The glyph and colour for a step taken: what it found, or where it led.

    A fix step is marked by its most severe finding (a step that found nothing
    is no problem); a probe by the step it led to: an end by its status, a
    fix step by the most severe finding that step declares.
    """
    if entry.kind == "ask":
        return "?", "$text-primary"
    if entry.outcome == "error":
        return STATUS_MARKS["error"]
    if entry.kind == "fix":
        return _worst_mark(entry.findings)
    if entry.kind == "end":
        return STATUS_MARKS.get(entry.outcome or "", STATUS_MARKS["running"])
    target = flow.steps.get(entry.next) if entry.next else None
    if isinstance(target, FixStep):
        return _worst_mark(target.findings)
    if isinstance(target, EndStep):
        return STATUS_MARKS[target.status]
    return STATUS_MARKS["running"]


def _worst_mark(findings: Sequence[Finding]) -> tuple[str, str]:
    if not findings:
        return STATUS_MARKS["running"]
    worst = min(findings, key=lambda f: SEVERITY_RANK[f.severity])
    return SEVERITY_MARKS[worst.severity]


def marked(mark: tuple[str, str], text: str, style: str = "") -> Content:
    """``text`` after a coloured mark."""
    glyph, colour = mark
    return Content.assemble((glyph, f"bold {colour}"), " ", (text, style) if style else text)


def reflow(text: str) -> str:
    """Join a YAML block's hard-wrapped lines into paragraphs (list items keep their lines)."""
    paragraphs: list[str] = []
    current: list[str] = []
    for raw in text.strip().splitlines():
        line = raw.strip()
        if not line or re.match(r"^([-*•]|\d+[.)])\s", line) or raw.startswith((" ", "\t")):
            if current:
                paragraphs.append(" ".join(current))
                current = []
            if line:
                paragraphs.append(raw.rstrip())
            elif paragraphs and paragraphs[-1]:
                paragraphs.append("")
            continue
        current.append(line)
    if current:
        paragraphs.append(" ".join(current))
    return "\n".join(paragraphs)


def trail_text(entry: TrailEntry) -> str:
    """One line for a step taken."""
    if entry.kind == "ask":
        return entry.summary
    if entry.kind == "probe" and entry.summary:
        return f"{entry.title} — {gist(entry.summary, 60)}"
    return entry.title


def gist(text: str, limit: int = 100) -> str:
    """``text`` when it fits in ``limit`` characters; else its first clause (up to its first
    ": "), cut to ``limit``."""
    if len(text) <= limit:
        return text
    head, colon, _ = text.partition(": ")
    short = head if colon and len(head) >= 12 else text
    return short if len(short) <= limit else short[:limit - 1].rstrip() + "…"


class TrailList(OptionList):
    """The steps taken so far, one line each with a status mark; Enter shows a step's evidence."""

    DEFAULT_CSS = """
    TrailList {
        height: auto;
        max-height: 8;
        padding: 0 1;
        border: round $border-blurred;
        border-title-color: $text-muted;
        background: $surface;
        &:focus { border: round $border; }
    }
    """

    def show(self, flow: Flow, entries: Sequence[TrailEntry], current: str | None = None) -> None:
        """Render ``entries`` (and, highlighted as next, the step about to be shown)."""
        options: list[Option] = [Option(marked(entry_mark(flow, entry), trail_text(entry)),
                                        id=str(index))
                                 for index, entry in enumerate(entries)]
        if current:
            options.append(Option(marked(("▸", "$text-accent"), current, "bold"),
                                  id="current", disabled=True))
        if not options:
            options.append(Option(Content.styled("No step taken yet.", "$text-muted"),
                                  id="none", disabled=True))
        self.set_options(options)
        if entries:
            self.highlighted = len(entries) - 1
        self.scroll_end(animate=False)


class RunningIndicator(Static):
    """A spinner, what is running and for how long (frozen when animations are off)."""

    DEFAULT_CSS = """
    RunningIndicator {
        height: auto;
        color: $text-accent;
        margin: 1 0;
    }
    """

    def __init__(self, label: str, clock: Callable[[], float], spinning: bool = True, *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label
        self.clock = clock
        self.spinning = spinning
        """Whether the spinner turns (off for pictures that do not move)."""
        self.started = clock()
        self.frame = 0
        self._timer: Timer | None = None

    def on_mount(self) -> None:
        """Start ticking."""
        self._render_now()
        if self.spinning:
            self._timer = self.set_interval(0.1, self._tick)

    def _tick(self) -> None:
        self.frame = (self.frame + 1) % len(SPINNER)
        self._render_now()

    def _render_now(self) -> None:
        elapsed = max(0.0, self.clock() - self.started)
        self.update(Content.assemble((SPINNER[self.frame], "bold"), f" {self.label}  ",
                                     (f"{elapsed:.1f} s", "$text-muted")))


class Banner(Static):
    """The verdict of a finished walk: healthy, problem, inconclusive or could not finish."""

    DEFAULT_CSS = """
    Banner {
        height: auto;
        padding: 0 1;
        margin-bottom: 1;
        text-style: bold;
        &.-healthy { background: $success-muted; color: $text-success; }
        &.-problem, &.-error { background: $error-muted; color: $text-error; }
        &.-inconclusive { background: $warning-muted; color: $text-warning; }
    }
    """

    HEADLINES: ClassVar[dict[str, str]] = {
        "healthy": "Nothing wrong found",
        "problem": "Problem found",
        "inconclusive": "Inconclusive",
        "error": "Could not finish",
    }

    def __init__(self, status: RunStatus, detail: str = "") -> None:
        glyph, _ = STATUS_MARKS.get(status, STATUS_MARKS["running"])
        headline = self.HEADLINES.get(status, status)
        text = f"{glyph} {headline}" + (f": {detail}" if detail else "")
        super().__init__(text, classes=f"-{status}", markup=False)


class FactsPanel(Static):
    """What the walk knows: inputs and probe facts, one per line, secrets already redacted."""

    DEFAULT_CSS = """
    FactsPanel {
        height: auto;
        padding: 0 1;
    }
    """

    def show(self, rows: Sequence[tuple[str, str]]) -> None:
        """Render ``(name, value)`` rows."""
        if not rows:
            self.update(Content.styled("Nothing known yet.", "$text-muted"))
            return
        self.update(Content("\n").join(
            Content.assemble((name, "bold $text-secondary"), " = ", value)
            for name, value in rows))


class FindingsView(Static):
    """Findings, errors first, each with its severity mark."""

    DEFAULT_CSS = """
    FindingsView {
        height: auto;
        margin-bottom: 1;
    }
    """

    def __init__(self, findings: Sequence[Finding]) -> None:
        ordered = sorted(findings, key=lambda f: SEVERITY_RANK[f.severity])
        lines = [marked(SEVERITY_MARKS.get(f.severity, SEVERITY_MARKS["info"]), f.message)
                 for f in ordered]
        super().__init__(Content("\n").join(lines))


def diff_content(diff: str) -> Content:
    """A unified diff with added lines green, removed red and hunk headers in the accent."""
    styled = []
    for line in diff.rstrip("\n").splitlines():
        if line.startswith(("+++", "---")):
            styled.append(Content.styled(line, "bold"))
        elif line.startswith("+"):
            styled.append(Content.styled(line, "$text-success"))
        elif line.startswith("-"):
            styled.append(Content.styled(line, "$text-error"))
        elif line.startswith("@@"):
            styled.append(Content.styled(line, "$text-accent"))
        else:
            styled.append(Content(line))
    return Content("\n").join(styled)


def fold(text: str, width: int) -> str:
    """``text`` in lines of at most ``width``, broken after dots where possible (DNS names)."""
    width = max(width, 8)
    lines: list[str] = []
    rest = text
    while len(rest) > width:
        cut = rest.rfind(".", 0, width) + 1
        if cut < width // 2:
            cut = width
        lines.append(rest[:cut])
        rest = rest[cut:]
    lines.append(rest)
    return "\n".join(lines)


class DnsTable(DataTable[Text]):
    """DNS record changes as rows: what to do, type, the name absolute and zone-relative, value.

    Long names and values are folded onto several lines to fit the width (the
    Copy button copies them whole); Enter on a row copies that record.
    """

    DEFAULT_CSS = """
    DnsTable {
        height: auto;
        width: 1fr;
        max-height: 16;
        margin: 1 0 0 2;
        scrollbar-size-horizontal: 0;
    }
    """

    class RecordChosen(Message):
        """Enter (or a click) on a row: copy that record."""

        def __init__(self, action: DnsAction) -> None:
            super().__init__()
            self.action = action

    def __init__(self, actions: Sequence[DnsAction]) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True)
        self.actions = list(actions)
        self._width = 0

    def on_mount(self) -> None:
        """Columns; rows follow on the first resize (they depend on the width)."""
        self.add_column("do", key="do")
        self.add_column("type", key="type")
        self.add_column("name · in the zone", key="name")
        self.add_column("value", key="value")
        self._fill(self.size.width or 76)

    def on_resize(self) -> None:
        """Fold the rows again for the new width."""
        if self.size.width and self.size.width != self._width:
            self._fill(self.size.width)

    def _fill(self, width: int) -> None:
        self._width = width
        self.clear()
        room = max(width - 7 - 6 - 8, 30)
        name_width = min(max(len(a.name) for a in self.actions), room // 2)
        value_width = room - name_width
        for action in self.actions:
            name = Text(fold(action.name, name_width))
            if action.zone_relative_name:
                name.append("\n" + fold(f"↳ {action.zone_relative_name}", name_width), "dim")
            value = Text(fold(action.value, value_width))
            if action.op == "replace" and action.old_value:
                value.append("\n" + fold(f"was {action.old_value}", value_width), "dim")
            op_style = {"add": "bold green", "delete": "bold red"}.get(action.op, "bold yellow")
            self.add_row(Text(action.op, op_style), Text(action.rtype), name, value,
                         height=None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Copy the chosen record."""
        event.stop()
        self.post_message(self.RecordChosen(self.actions[event.cursor_row]))


class FixView(Vertical):
    """One fix: its title, its words and its actions as what to type; Copy, and Apply if allowed.

    ``plan`` is the main.cf edit the fix's postconf actions make (shown as a diff);
    ``plan_note`` says why there is none (no main.cf named, or it cannot be read).
    ``choice`` says the fix is one of a step's alternatives (apply only one);
    ``other_applied`` names the alternative already applied, which takes Apply away.
    """

    DEFAULT_CSS = """
    FixView {
        height: auto;
        margin-bottom: 1;
        & > .fix-title { text-style: bold; color: $text-accent; }
        & > .fix-text { padding-left: 2; }
        & > .fix-actions, & > .fix-postconf, & > .fix-diff {
            margin: 1 0 0 2;
            padding: 0 1;
            background: $boost;
        }
        & > .fix-note { padding-left: 2; color: $text-muted; }
        & > .fix-choice { padding-left: 2; color: $text-warning; }
        & > .fix-applied { padding-left: 2; margin-top: 1; }
        & > .fix-buttons { height: auto; margin: 1 0 0 2; }
        & > .fix-buttons > Button { margin-right: 2; min-width: 10; }
    }
    """

    class CopyRequested(Message):
        """The user asked to copy a fix's commands."""

        def __init__(self, fix: Fix) -> None:
            super().__init__()
            self.fix = fix

    class ApplyRequested(Message):
        """The user asked to apply a fix (its postconf edit or its oci actions)."""

        def __init__(self, view: FixView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, fix: Fix, plan: Plan | None = None, plan_note: str = "",
                 applied: str = "", index: int = 0, choice: str = "",
                 other_applied: str = "") -> None:
        super().__init__()
        self.fix = fix
        self.choice = choice
        self.other_applied = other_applied
        self.plan = plan
        self.plan_note = plan_note
        self.applied = applied
        self.index = index
        """The fix's place in the session's fixes (what Apply applies)."""

    @property
    def oci(self) -> bool:
        """True when applying this fix means sending its ``oci`` actions to the provider."""
        return bool(oci_actions_of(self.fix))

    @property
    def can_apply(self) -> bool:
        """True when the flow allows applying this fix and it would change something: the
        main.cf edit, or the provider's state through the API (its ``oci`` actions, until
        they were applied and verified)."""
        if self.other_applied:
            return False
        if self.oci:
            return not self.applied.startswith("✔")
        return self.fix.applicable and self.plan is not None and self.plan.changes

    def compose(self) -> ComposeResult:
        """Title, text, DNS rows, postconf lines, other actions, the diff and the buttons."""
        yield Static(f"Fix: {self.fix.title}", classes="fix-title", markup=False)
        if self.choice:
            yield Static(self.choice, classes="fix-choice", markup=False)
        if self.fix.text.strip():
            yield Static(reflow(self.fix.text), classes="fix-text", markup=False)
        dns = [a for a in self.fix.actions if isinstance(a, DnsAction)]
        if dns:
            yield DnsTable(dns)
        postconf = [line for a in self.fix.actions if isinstance(a, PostconfAction)
                    for line in action_lines(a)]
        if postconf:
            yield Static("\n".join(postconf), classes="fix-postconf", markup=False)
        lines = []
        for action in self.fix.actions:
            if isinstance(action, DnsAction | PostconfAction):
                continue
            for i, line in enumerate(action_lines(action)):
                lines.append(f"→ {line}" if i == 0 else f"  {line.strip()}")
        if lines:
            yield Static("\n".join(lines), classes="fix-actions", markup=False)
        if self.plan is not None and self.plan.changes:
            yield Static(diff_content(self.plan.diff), classes="fix-diff")
        if self.plan_note:
            yield Static(self.plan_note, classes="fix-note", markup=False)
        if self.applied:
            yield Static(self.applied, classes="fix-applied", markup=False)
        elif self.other_applied:
            yield Static(f"Not chosen: “{self.other_applied}” was applied instead",
                         classes="fix-note", markup=False)
        if self.fix.actions:
            with Horizontal(classes="fix-buttons"):
                yield Button("Copy", classes="copy", compact=True)
                if self.can_apply:
                    yield Button("Apply…", classes="apply", variant="warning", compact=True)

    @on(Button.Pressed, ".copy")
    def _copy(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.CopyRequested(self.fix))

    @on(Button.Pressed, ".apply")
    def _apply(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.ApplyRequested(self))
