"""Which page of a walk is on screen, and where ``escape`` leads from it.

Plain Python over an engine :class:`~wizard.engine.Session` — no Textual — so
the rules can be tested on their own. A walk shows one page at a time:

- ``ask``: a question waits for an answer;
- ``run``: a probe, fix or end step is about to run (the screen runs it);
- ``result``: the step just taken (a probe's outcome, a fix, the end) is shown.

An answered question has no page of its own: the walk moves straight on.

By default a walk runs to the end (``to_end``): a step that needs nothing
from the user has no result page — its outcome goes to the trail and the
next step runs — so the pages are the questions and the summary at the end;
``back`` goes to the last question. Step by step (``to_end`` false) stops
on each result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from wizard.engine import Session
from wizard.flow.model import AskStep

PageKind = Literal["ask", "run", "result"]


@dataclass
class Walk:
    """A session plus the one bit the engine does not keep: is a result on show?"""

    session: Session
    showing_result: bool = False
    prefill: str | None = None
    """The answer to put back into a question that ``back`` returned to."""
    to_end: bool = True
    """Run through steps that need nothing from the user; stop at questions and the end."""

    @property
    def page(self) -> PageKind:
        """The kind of page to show now."""
        if self.showing_result or self.session.finished:
            return "result"
        return "ask" if isinstance(self.session.step, AskStep) else "run"

    def ran(self) -> None:
        """A probe, fix or end step was taken: show its result (to the end: only the last)."""
        self.showing_result = not self.to_end or self.session.finished
        self.prefill = None

    def answered(self) -> None:
        """A question was answered: the walk moves on to the next step."""
        self.showing_result = False
        self.prefill = None

    def go_on(self) -> None:
        """Leave a result page for the step after it."""
        self.showing_result = False
        self.prefill = None

    def can_rerun(self) -> bool:
        """True on a probe's result page (step by step) or on the summary (to the end)."""
        trail = self.session.trail
        if self.to_end:
            return self.page == "result" and any(e.kind == "probe" for e in trail)
        return self.page == "result" and bool(trail) and trail[-1].kind == "probe"

    def rerun(self) -> None:
        """Undo the probe on show (to the end: every step since the last question) to run again."""
        if not self.can_rerun():
            return
        if self.to_end:
            self._undo_to_last_question()
            return
        self.session.back()
        self.showing_result = False

    def _undo_to_last_question(self) -> None:
        while self.session.trail and self.session.trail[-1].kind != "ask":
            self.session.back()
        self.showing_result = False

    def back(self) -> bool:
        """Go back one page; False when the walk's first page was left (leave the screen)."""
        self.prefill = None
        if self.to_end:
            return self._back_to_question()
        page = self.page
        if page == "result":
            self.session.back()
            self.showing_result = False
            return self._before_run()
        if page == "ask":
            if not self.session.trail:
                return False
            if self.session.trail[-1].kind == "ask":
                self._unanswer()
            else:
                self.showing_result = True
            return True
        return self._before_run()

    def _before_run(self) -> bool:
        """The page before a step that runs by itself (it has none of its own)."""
        if not self.session.trail:
            return False
        if self.session.trail[-1].kind == "ask":
            self._unanswer()
        else:
            self.showing_result = True
        return True

    def _back_to_question(self) -> bool:
        """To the end: the page before is the last question answered (or none: leave)."""
        self._undo_to_last_question()
        if not self.session.trail:
            return False
        self._unanswer()
        return True

    def _unanswer(self) -> None:
        entry = self.session.trail[-1]
        step = self.session.flow.steps[entry.step]
        secret = isinstance(step, AskStep) and step.type == "secret"
        self.session.back()
        self.showing_result = False
        self.prefill = None if secret else entry.answer
