"""Small widgets of the walk: the trail, the running indicator, banners, findings and fixes."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from wizard.action_text import action_lines
from wizard.engine import RunStatus, TrailEntry
from wizard.flow.model import EndStep, Finding, Fix, FixStep, Flow

STATUS_MARKS: dict[str, tuple[str, str]] = {
    "healthy": ("✔", "$text-success"),
    "problem": ("✘", "$text-error"),
    "inconclusive": ("?", "$text-warning"),
    "error": ("!", "$text-error"),
    "running": ("•", "$text-muted"),
}
SEVERITY_MARKS: dict[str, tuple[str, str]] = {
    "error": ("✘", "$text-error"),
    "warning": ("!", "$text-warning"),
    "info": ("i", "$text-primary"),
}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def entry_mark(flow: Flow, entry: TrailEntry) -> tuple[str, str]:
    """The glyph and colour for a step taken: ✔ led somewhere healthy, ✘ to a problem."""
    if entry.kind == "ask":
        return "?", "$text-primary"
    if entry.outcome == "error":
        return STATUS_MARKS["error"]
    if entry.kind in ("fix", "end"):
        return STATUS_MARKS.get(entry.outcome or "", STATUS_MARKS["running"])
    target = flow.steps.get(entry.next) if entry.next else None
    if isinstance(target, FixStep):
        return STATUS_MARKS[target.status]
    if isinstance(target, EndStep):
        return STATUS_MARKS[target.status]
    return STATUS_MARKS["running"]


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


class TrailView(Static):
    """The steps taken so far, one line each: a status mark and what happened."""

    DEFAULT_CSS = """
    TrailView {
        height: auto;
        max-height: 8;
        padding: 0 1;
        color: $text;
    }
    """

    def show(self, flow: Flow, entries: Sequence[TrailEntry], current: str | None = None) -> None:
        """Render ``entries`` (and, dimmed, the step about to be shown)."""
        lines = []
        for entry in entries:
            text = entry.summary if entry.kind == "ask" else entry.title
            if entry.kind == "probe" and entry.outcome:
                text = f"{entry.title} — {entry.outcome}"
            lines.append(marked(entry_mark(flow, entry), text))
        if current:
            lines.append(marked(("▸", "$text-accent"), current, "bold"))
        if not lines:
            lines.append(Content.styled("No step taken yet.", "$text-muted"))
        self.update(Content("\n").join(lines))


class RunningIndicator(Static):
    """A spinner, what is running and for how long (frozen when animations are off)."""

    DEFAULT_CSS = """
    RunningIndicator {
        height: auto;
        color: $text-accent;
        margin: 1 0;
    }
    """

    def __init__(self, label: str, clock: Callable[[], float], animate: bool = True, *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label
        self.clock = clock
        self.animate = animate
        self.started = clock()
        self.frame = 0
        self._timer: Timer | None = None

    def on_mount(self) -> None:
        """Start ticking."""
        self._render_now()
        if self.animate:
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


class FindingsView(Static):
    """Findings, errors first, each with its severity mark."""

    DEFAULT_CSS = """
    FindingsView {
        height: auto;
        margin-bottom: 1;
    }
    """

    def __init__(self, findings: Sequence[Finding]) -> None:
        ordered = sorted(findings, key=lambda f: SEVERITY_ORDER.get(f.severity, 3))
        lines = [marked(SEVERITY_MARKS.get(f.severity, SEVERITY_MARKS["info"]), f.message)
                 for f in ordered]
        super().__init__(Content("\n").join(lines))


class FixView(Vertical):
    """One fix: its title, its words and its actions as what to type."""

    DEFAULT_CSS = """
    FixView {
        height: auto;
        margin-bottom: 1;
        & > .fix-title { text-style: bold; color: $text-accent; }
        & > .fix-text { padding-left: 2; }
        & > .fix-actions {
            margin: 1 0 0 2;
            padding: 0 1;
            background: $boost;
        }
    }
    """

    def __init__(self, fix: Fix) -> None:
        super().__init__()
        self.fix = fix

    def compose(self) -> ComposeResult:
        """Title, text and one line per action line."""
        yield Static(f"Fix: {self.fix.title}", classes="fix-title", markup=False)
        if self.fix.text.strip():
            yield Static(reflow(self.fix.text), classes="fix-text", markup=False)
        lines = []
        for action in self.fix.actions:
            for i, line in enumerate(action_lines(action)):
                lines.append(f"→ {line}" if i == 0 else f"  {line}")
        if lines:
            yield Static("\n".join(lines), classes="fix-actions", markup=False)
