"""The walk: the steps taken so far, the current step — a question, a running probe, a
probe's result, or the findings and fixes — and the facts gathered."""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, OptionList, Static
from textual.worker import Worker, WorkerState

from wizard.engine import Session, TrailEntry
from wizard.fixes.apply_postconf import ApplyError, Plan, apply_plan
from wizard.fixes.render import fix_commands
from wizard.fixes.review import (
    ApplyReport,
    apply_report,
    oci_actions_of,
    oci_apply_report,
    oci_changes,
)
from wizard.fixes.vocabulary import OciAction
from wizard.flow.model import AskStep, InputSpec, ProbeStep
from wizard.hand_answers import HandChoice, answer_by_hand, hand_choices
from wizard.inputs import BadInput, check_input
from wizard.probes.base import ProbeContext
from wizard.probes.runner import RegistryRunner
from wizard.redaction import session_view
from wizard.settings import SettingsError
from wizard.tui.host import WizardHost, wizard_host
from wizard.tui.navigation import Walk
from wizard.tui.screens.dialogs import (
    ApplyConfirmScreen,
    ApplyResultScreen,
    ByHandScreen,
    CopyScreen,
    DnsRecheckScreen,
    OciApplyConfirmScreen,
    SaveRequest,
    SaveScreen,
    StepDetailScreen,
)
from wizard.tui.sessions import default_base, save_session
from wizard.tui.walk_pages import (
    CANCELLED,
    ask_page,
    dns_actions,
    failure_page,
    result_page,
    running_page,
    step_detail,
)
from wizard.tui.widgets import (
    DnsTable,
    FactsPanel,
    FixView,
    TrailList,
)
from wizard.walk_commands import walk_commands

PROBE_GROUP = "probe"
APPLY_GROUP = "apply"


class WalkScreen(Screen[Session | None]):
    """One flow, step by step. ``escape`` steps back; at the first step it leaves the walk.

    Dismissed with the session when the user continues past a finished walk that
    a tour started (``in_tour``), with ``None`` when they leave it early.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("enter", "go_on", "Continue"),
        Binding("r", "rerun", "Re-run"),
        Binding("x", "cancel", "Cancel"),
        Binding("a", "by_hand", "By hand"),
        Binding("y", "copy", "Copy"),
        Binding("c", "copy_command", "As command", show=False),
        Binding("d", "dns_recheck", "Re-check DNS", show=False),
        Binding("p", "apply", "Apply"),
        Binding("s", "save", "Save"),
        Binding("f", "facts", "Facts"),
        Binding("h", "home", "Home"),
        Binding("t", "step_mode(False)", "Step by step"),
        Binding("t", "step_mode(True)", "Run to end"),
    ]

    class StepDone(Message):
        """A probe step finished (its outcome may still be ``error``)."""

        def __init__(self, entry: TrailEntry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, session: Session, in_tour: bool = False, to_end: bool = True) -> None:
        super().__init__()
        self.HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
        self.walk = Walk(session, to_end=to_end)
        self.in_tour = in_tour
        self.sub_title = session.flow.title
        self.failure: str | None = None
        """Why the current step did not run (a crash or a cancel, not an outcome)."""
        self.running = False
        self._leave_after_cancel = False
        self._cancel_requested = False
        self._hand_choice: HandChoice | None = None
        self.saved_at: int | None = None
        """The trail's length when the report was last saved."""
        self.applied: dict[int, str] = {}
        """What applying fix number N did, by index in ``session.fixes``."""

    @property
    def session(self) -> Session:
        """The engine session this screen shows."""
        return self.walk.session

    @property
    def wizard(self) -> WizardHost:
        """The app, typed."""
        return wizard_host(self.app)

    def compose(self) -> ComposeResult:
        """Trail on top, the current step below, the facts beside it."""
        yield Header()
        trail = TrailList(id="trail")
        trail.border_title = "Steps · Enter on a step shows its evidence"
        yield trail
        with Horizontal(id="walk-body"):
            yield VerticalScroll(id="step")
            with VerticalScroll(id="facts-pane") as facts:
                facts.border_title = "Facts"
                yield FactsPanel(id="facts")
        yield Footer()

    async def on_mount(self) -> None:
        """Show (and, for a probe, start) the first step."""
        await self.show_page()

    # -- pages ---------------------------------------------------------------------------

    async def show_page(self) -> None:
        """Rebuild the trail, the facts and the current-step pane from the walk's state."""
        walk = self.walk
        while (walk.page == "run" and self.failure is None
               and not isinstance(self.session.step, ProbeStep)):
            try:
                await self.session.advance()
            except Exception as exc:  # a bug in a step must not take the app down
                self.session.back()
                self.failure = f"{type(exc).__name__}: {exc}"
            else:
                walk.ran()
        page = walk.page
        step = self.session.step
        upcoming = None
        if page in ("ask", "run") and step is not None:
            upcoming = self.session.show(step.title or getattr(step, "question", ""))
        view = session_view(self.session)
        self.query_one(TrailList).show(self.session.flow, view.trail, upcoming)
        self.query_one(FactsPanel).show(view.facts)
        pane = self.query_one("#step", VerticalScroll)
        await pane.remove_children()
        if page == "ask":
            assert isinstance(step, AskStep)
            await pane.mount_all(ask_page(self.session, step, self.walk.prefill,
                                          self.wizard.cursor_blink))
            pane.query_one("Input, OptionList").focus()
        elif page == "run" and self.failure is not None:
            await pane.mount_all(failure_page(self.session, self.failure))
            pane.focus()
        elif page == "run":
            assert isinstance(step, ProbeStep)
            await pane.mount_all(running_page(self.session, step, self.wizard.clock,
                                              self.app.animation_level != "none"))
            pane.focus()
            self.running = True
            self.run_probe()
        else:
            await pane.mount_all(result_page(self.session, self.applied, self.in_tour))
            pane.focus()
        pane.scroll_home(animate=False)
        self.refresh_bindings()

    # -- the probe worker ------------------------------------------------------------------

    @work(exclusive=True, group=PROBE_GROUP, exit_on_error=False, description="run probe step")
    async def run_probe(self) -> None:
        """Run the current probe step; a crash or a cancel leaves the session as it was."""
        try:
            entry = await self.session.advance()
        except BaseException:
            self.session.back()
            raise
        self.post_message(self.StepDone(entry))

    @on(StepDone)
    async def _step_done(self, message: StepDone) -> None:
        self.running = False
        self.walk.ran()
        await self.show_page()

    @on(Worker.StateChanged)
    async def _worker_changed(self, event: Worker.StateChanged) -> None:
        group = event.worker.group
        if group == APPLY_GROUP:
            await self._apply_changed(event)
            return
        if group != PROBE_GROUP:
            return
        if event.state == WorkerState.ERROR:
            self.running = False
            error = event.worker.error
            self.failure = f"{type(error).__name__}: {error}" if error else "unknown error"
            await self.show_page()
        elif event.state == WorkerState.CANCELLED:
            self.running = False
            if self._leave_after_cancel:
                self._leave_after_cancel = False
                await self._back_from_here()
            elif self._hand_choice is not None:
                choice, self._hand_choice = self._hand_choice, None
                await self._take_by_hand(choice)
            elif self._cancel_requested:
                self._cancel_requested = False
                self.failure = CANCELLED
                await self.show_page()

    # -- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show each binding only where it applies."""
        page = self.walk.page
        session = self.session
        if action == "go_on":
            return page == "result" and (not session.finished or self.in_tour)
        if action == "rerun":
            return self.failure is not None or (self.walk.can_rerun() and not self.running)
        if action == "cancel":
            return self.running
        if action == "by_hand":
            return page == "run" and isinstance(session.step, ProbeStep)
        if action == "copy":
            return page == "result" and any(fix.actions for fix in session.fixes)
        if action == "apply":
            return page == "result" and any(view.can_apply for view in self.query(FixView))
        if action == "save":
            return page == "result" and session.finished
        if action == "copy_command":
            return page == "result" and session.finished and bool(session.trail)
        if action == "dns_recheck":
            return page == "result" and session.finished and bool(dns_actions(session))
        if action == "step_mode":
            return parameters[0] != self.walk.to_end and not session.finished
        return True

    async def action_back(self) -> None:
        """One page back: cancel a running probe, undo the last step, or leave the walk."""
        if self.running:
            self._leave_after_cancel = True
            self.workers.cancel_group(self, PROBE_GROUP)
            return
        await self._back_from_here()

    async def _back_from_here(self) -> None:
        self.failure = None
        if self.walk.back():
            await self.show_page()
        else:
            self.dismiss(None)

    async def action_go_on(self) -> None:
        """Leave a result page for the next step (or, in a tour, for the next check)."""
        if self.walk.page != "result":
            return
        if not self.session.finished:
            self.walk.go_on()
            await self.show_page()
        elif self.in_tour:
            self.dismiss(self.session)

    async def action_rerun(self) -> None:
        """Run the probe on show (or the one that failed or was cancelled) again."""
        if self.failure is not None:
            self.failure = None
        elif self.walk.can_rerun() and not self.running:
            self.walk.rerun()
        else:
            return
        await self.show_page()

    def action_cancel(self) -> None:
        """Stop the running probe and stay on its step."""
        if self.running:
            self._cancel_requested = True
            self.workers.cancel_group(self, PROBE_GROUP)

    def action_by_hand(self) -> None:
        """Skip the probe: the user picks the outcome it would have had."""
        step = self.session.step
        if self.walk.page != "run" or not isinstance(step, ProbeStep):
            return
        choices = hand_choices(self.session)
        if not choices:
            self.notify("This step has no outcomes to choose from.", severity="warning")
            return
        title = self.session.show(step.title) if step.title else (self.session.current or "")
        self.app.push_screen(ByHandScreen(title, choices), self._hand_picked)

    async def _hand_picked(self, choice: HandChoice | None) -> None:
        if choice is None:
            return
        if self.running:
            self._hand_choice = choice
            self.workers.cancel_group(self, PROBE_GROUP)
            return
        await self._take_by_hand(choice)

    async def _take_by_hand(self, choice: HandChoice) -> None:
        self.failure = None
        await answer_by_hand(self.session, choice)
        self.walk.ran()
        await self.show_page()

    async def action_step_mode(self, to_end: bool) -> None:
        """Run to the end (``to_end``), or stop at each step's result."""
        walk = self.walk
        walk.to_end = to_end
        self.notify("Running to the end: only questions stop the walk." if walk.to_end
                    else "Step by step: the walk stops at each result (Enter goes on).")
        if walk.to_end and walk.page == "result" and not self.session.finished:
            walk.go_on()
            await self.show_page()
        self.refresh_bindings()

    def action_facts(self) -> None:
        """Show or hide the facts panel."""
        self.toggle_class("-facts-toggled")

    def action_copy(self) -> None:
        """Copy every fix's commands to the clipboard."""
        lines = [line for fix in session_view(self.session).fixes for line in fix_commands(fix)]
        self._copy(lines)

    def _copy(self, lines: list[str]) -> None:
        if not lines:
            return
        text = session_view(self.session).redactor.text("\n".join(lines)) + "\n"
        self.app.copy_to_clipboard(text)
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self.wizard.wall_clock()))
        self.app.push_screen(CopyScreen(text, self.wizard.sessions_folder, stamp))

    def action_copy_command(self) -> None:
        """Copy the ``email-wizard run`` line that walks this again (secrets as placeholders)
        and the lines that check each finding by hand."""
        if self.session.finished:
            commands = walk_commands(self.session, self.wizard.settings)
            self._copy(commands.text().rstrip("\n").split("\n"))

    def action_dns_recheck(self) -> None:
        """Poll the DNS records the fixes change, with the run's resolver settings."""
        actions = dns_actions(self.session)
        if not actions:
            return
        runner = self.wizard.runner
        ctx = (runner.ctx if isinstance(runner, RegistryRunner)
               else self.wizard.settings.probe_context(with_oci=False))
        self.app.push_screen(DnsRecheckScreen(actions, ctx))

    @on(DnsTable.RecordChosen)
    def _copy_record(self, message: DnsTable.RecordChosen) -> None:
        action = message.action
        ttl = f" {action.ttl}" if action.ttl else ""
        self._copy([f"{action.name}{ttl} IN {action.rtype} {action.value}"])

    @on(FixView.CopyRequested)
    def _copy_fix(self, message: FixView.CopyRequested) -> None:
        self._copy(fix_commands(message.fix))

    def action_save(self) -> None:
        """Ask where to save the report, then write Markdown and/or JSON (redacted)."""
        if not self.session.finished:
            return
        base = default_base(self.wizard.sessions_folder, self.session, self.wizard.wall_clock())
        self.app.push_screen(SaveScreen(base, self.wizard.cursor_blink), self._save_to)

    def _save_to(self, request: SaveRequest | None) -> None:
        if request is not None:
            self.save_report(request.base, request.markdown, request.as_json)

    def save_report(self, base: Path | None = None, markdown: bool = True,
                    as_json: bool = True) -> bool:
        """Write the report (redacted) at ``base`` (default: the sessions folder); True if saved."""
        if base is None:
            base = default_base(self.wizard.sessions_folder, self.session,
                                self.wizard.wall_clock())
        try:
            written = save_session(self.session, base, self.wizard.wall_clock(),
                                   markdown=markdown, as_json=as_json)
        except OSError as exc:
            self.notify(f"Could not save: {exc}", severity="error", timeout=8)
            return False
        self.saved_at = len(self.session.trail)
        self.notify("Saved " + " and ".join(str(p) for p in written), timeout=8)
        return True

    @property
    def unsaved_result(self) -> bool:
        """A finished walk whose report was not saved since it finished."""
        return (self.session.finished and bool(self.session.trail)
                and self.saved_at != len(self.session.trail))

    def action_apply(self) -> None:
        """Apply the first fix that can be applied (after showing its diff)."""
        view = next((v for v in self.query(FixView) if v.can_apply), None)
        if view is not None:
            self._confirm_apply(view)

    @on(FixView.ApplyRequested)
    def _apply_requested(self, message: FixView.ApplyRequested) -> None:
        self._confirm_apply(message.view)

    def _confirm_apply(self, view: FixView) -> None:
        if view.oci:
            self._confirm_oci_apply(view.index)
            return
        if view.plan is None or not view.can_apply:
            return
        index = view.index
        plan = view.plan

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.run_apply(index, plan)

        self.app.push_screen(ApplyConfirmScreen(view.fix.title, plan), confirmed)

    @work(thread=True, group=APPLY_GROUP, exit_on_error=False, description="apply postconf fix")
    def run_apply(self, index: int, plan: Plan) -> tuple[int, ApplyReport]:
        """Apply the planned main.cf edit (backup, atomic write, postfix check, rollback)."""
        try:
            result = apply_plan(plan, check=self.wizard.postfix_check,
                                now=self.wizard.wall_clock)
        except ApplyError as exc:
            return index, ApplyReport(False, f"Not applied: {exc}")
        return index, apply_report(result, plan.main_cf)

    def oci_context(self) -> ProbeContext:
        """The probes' context the API calls use: the runner's (built from the settings),
        else the one the settings describe (:class:`SettingsError` when they do not fit)."""
        ctx = getattr(self.wizard.runner, "ctx", None)
        if isinstance(ctx, ProbeContext):
            return ctx
        return self.wizard.settings.probe_context()

    def _confirm_oci_apply(self, index: int) -> None:
        """Show every change the fix's ``oci`` actions make; send them only when confirmed."""
        fix = self.session.fixes[index]
        actions = oci_actions_of(fix)
        if not actions:
            return
        try:
            ctx = self.oci_context()
        except SettingsError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        if ctx.oci is None or not ctx.oci.enabled:
            self.notify("No OCI profile to apply this with: name one in the settings "
                        "(OCI config file and profile). Nothing was sent.",
                        severity="warning", timeout=10)
            return
        profile = ctx.oci.profile
        shown = session_view(self.session).fixes[index]

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.run_oci_apply(index, fix.id, actions, ctx)

        self.app.push_screen(OciApplyConfirmScreen(shown.title, oci_changes(shown, profile),
                                                   profile), confirmed)

    @work(thread=True, group=APPLY_GROUP, exit_on_error=False, description="apply oci fix")
    def run_oci_apply(self, index: int, fix_id: str, actions: list[OciAction],
                      ctx: ProbeContext) -> tuple[int, ApplyReport]:
        """Send the fix's API changes, each followed by a re-read that proves it."""
        from wizard.apply_oci import apply_oci_actions

        entries = apply_oci_actions([(fix_id, action) for action in actions], ctx)
        return index, oci_apply_report(entries)

    async def _apply_changed(self, event: Worker.StateChanged) -> None:
        result = event.worker.result
        if event.state == WorkerState.SUCCESS and isinstance(result, tuple):
            index, report = result
            mark = "✔" if report.ok else "✘"
            self.applied[index] = f"{mark} {report.headline}"
            await self.show_page()
            title = self.session.fixes[index].title

            async def closed(recheck: bool | None) -> None:
                if recheck:
                    await self.recheck()

            self.app.push_screen(ApplyResultScreen(title, report), closed)
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            self.app.push_screen(ApplyResultScreen(
                "apply", ApplyReport(False, f"Apply failed: {type(error).__name__}: {error}")))

    async def recheck(self) -> None:
        """Run the checks again since the last question (after a fix was applied)."""
        self.walk.to_end = True
        self.walk.rerun()
        self.applied.clear()
        self.failure = None
        await self.show_page()

    def action_home(self) -> None:
        """Back to the home screen (a running probe is cancelled with the screen)."""
        self.wizard.go_home()

    @on(Button.Pressed, "#copy-command")
    def _copy_command_pressed(self) -> None:
        self.action_copy_command()

    @on(Button.Pressed, "#dns-recheck")
    def _dns_recheck_pressed(self) -> None:
        self.action_dns_recheck()

    @on(Button.Pressed, "#continue")
    async def _continue_pressed(self) -> None:
        await self.action_go_on()

    @on(OptionList.OptionSelected, "#trail")
    def _trail_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is None or not event.option.id.isdigit():
            return
        entry = session_view(self.session).trail[int(event.option.id)]
        self.app.push_screen(StepDetailScreen(step_detail(self.session, entry)))

    @on(OptionList.OptionSelected, "#answer-choices")
    async def _choice_made(self, event: OptionList.OptionSelected) -> None:
        step = self.session.question()
        if step is not None:
            await self._answer(step, step.choices[event.option_index])

    @on(Input.Submitted, "#answer")
    async def _answer_typed(self, event: Input.Submitted) -> None:
        step = self.session.question()
        if step is None:
            return
        raw = event.value if step.type == "secret" else event.value.strip()
        if raw == "":
            self.query_one("#answer-error", Static).update("An answer is needed.")
            return
        try:
            value = check_input(step.var, InputSpec(type=step.type, choices=step.choices), raw)
        except BadInput as exc:
            self.query_one("#answer-error", Static).update(str(exc))
            return
        await self._answer(step, str(value))

    async def _answer(self, step: AskStep, answer: str) -> None:
        try:
            await self.session.advance(answer)
        except ValueError as exc:
            self.query_one("#answer-error", Static).update(str(exc))
            return
        self.walk.answered()
        await self.show_page()
