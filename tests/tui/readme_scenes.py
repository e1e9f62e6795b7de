"""The README's pictures (screenshots/): the shipped flows and tour, walked with replayed results.

Unlike tests/tui/scenes.py (frozen test flows, for the TUI's own snapshot
tests), these scenes show what a user gets: the flows and tour installed with
the wizard, sorted as the app sorts them. Probe results are the
documentation-valued replays of the flows' own picture tests
(test_flow_*_snapshots.py), so a picture here is a state those tests prove.
When a shipped flow changes, these pictures change too: rerun
scripts/screenshots.py and look at them.

Deterministic: fixed clocks, no blinking, no animation, a sessions folder that
does not exist, and a documentation main.cf named relatively in the current
folder (scripts/screenshots.py runs the scenes in a temporary one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.flow_snapshots import ReplayRunner, result
from tests.test_flow_dkim_snapshots import TARGET, authority, misplaced, missing, no_api
from tests.test_flow_dkim_snapshots import profile as dkim_profile
from tests.test_flow_port_snapshots import SCENES as PORT_SCENES
from tests.test_flow_postfix_snapshots import BUILT, relay
from tests.test_flow_spf_dmarc_snapshots import dmarc, spf
from tests.tui.fakes import FIXED_TIME, SESSIONS, open_entry, passing_check, settle
from tests.tui.scenes import CANARY, EXPLAINED
from wizard.engine import Session
from wizard.flow.loader import discover
from wizard.flow.model import Flow
from wizard.postfix.maincf import parse_main_cf
from wizard.probes.base import ProbeContext, ProbeResult
from wizard.probes.postfix_config import TLS_PARAMS, derived_facts
from wizard.probes.runner import RegistryRunner
from wizard.settings import Settings
from wizard.tours import tour_path
from wizard.tui.app import EmailWizardApp, make_app
from wizard.tui.screens.inputs import Field, InputsScreen
from wizard.tui.screens.walk import WalkScreen

Replies = Sequence[tuple[str, ProbeResult]]

MAIN_CF = """\
# main.cf of mail.example.com, copied from the server (documentation values)
myhostname = mail.example.com
relayhost = [smtp.email.us-ashburn-1.oci.oraclecloud.com]:587
smtp_use_tls = yes
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd
smtp_sasl_security_options = noanonymous
"""
"""The main.cf the postfix-tls scenes read and would edit (``main.cf`` in the current folder)."""
MAIN_CF_RELAYHOST = "[smtp.email.us-ashburn-1.oci.oraclecloud.com]:587"
POSTFIX_VERSION = "3.7.11"
DKIM_INPUTS = {"domain": "example.com", "selector": "sel1", "expected_cname": TARGET}
"""What the user types into dkim-needs-attention's form (the rest keeps its defaults)."""
UNDELIVERED_INPUTS = {"sender": "app@example.com", "recipient": "to@example.net",
                      "region": "us-ashburn-1", "username": "ocid1.user.oc1..example",
                      "password": CANARY, "selector": "sel1"}
"""What the user types into undelivered-mail's form, a password among it."""
OFFLINE = ("mail.identity", "provider.profile", "catalog.explain", "oci.dkim", "oci.sender",
           "oci.suppression")
"""Probes that read only bundled data (the oci.* ones answer not_configured without an OCI
profile): the probe-running scene runs them for real."""


def put_main_cf(folder: Path) -> None:
    """The documentation main.cf, in ``folder`` (the scenes run with it as the current folder)."""
    (folder / "main.cf").write_text(MAIN_CF, encoding="utf-8")


def shipped_flows() -> list[Flow]:
    """The flows installed with the wizard, in the home screen's order (by id)."""
    catalogue = discover()
    if catalogue.broken:
        raise RuntimeError("shipped flows do not load: " + "; ".join(map(str, catalogue.broken)))
    return [flow for _, (flow, source) in sorted(catalogue.flows.items())
            if source.origin == "bundled"]


def dkim_move_record() -> list[tuple[str, ProbeResult]]:
    """dkim-needs-attention finding the CNAME under the zone name twice (test_move_record)."""
    return [no_api(), dkim_profile(), authority(answer="NXDOMAIN"), missing(),
            misplaced("misplaced_found")]


def postfix_read_copy() -> tuple[str, ProbeResult]:
    """``postfix.config`` reading :data:`MAIN_CF` as ``main.cf``, facts made by the probe's code."""
    parsed = parse_main_cf(MAIN_CF)
    params = parsed.values()
    facts: dict[str, Any] = {
        "source": "main_cf", "params": dict(params), "mail_version": POSTFIX_VERSION,
        "main_cf": "main.cf", "param_lines": parsed.lines(), "warnings": [],
        **{name: params.get(name, "") for name in TLS_PARAMS},
        **derived_facts(dict(params), POSTFIX_VERSION, ".", mtime=BUILT.get),
    }
    return "postfix.config", result("read", f"main.cf: {len(params)} parameters set", facts,
                                    [f"{name} = {value}" for name, value in params.items()])


class HeldRunner:
    """Runs the offline probes for real; holds the first other probe until ``gate`` is set."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.real = RegistryRunner(ProbeContext(timeout=10))
        self.held: str | None = None
        """The probe being held."""

    async def run(self, name: str, params: Mapping[str, Any]) -> ProbeResult:
        """The real offline result (fixed elapsed time), or wait."""
        if name not in OFFLINE:
            self.held = name
            await self.gate.wait()
            raise AssertionError(f"{name} was released")
        found = await self.real.run(name, params)
        return result(found.outcome, found.summary, found.facts, found.evidence)


def readme_app(runner: Any) -> EmailWizardApp:
    """The app with the shipped flows and tour, fixed clocks, no blinking, no animation.

    Step by step, so that a picture can stop at a step's result; a finished walk
    shows the same summary either way.
    """
    return make_app(shipped_flows(), runner, clock=lambda: 0.0, cursor_blink=False,
                    animation_level="none", sessions_folder=SESSIONS,
                    wall_clock=lambda: FIXED_TIME, postfix_check=passing_check,
                    tour=tour_path(), settings=Settings(walk="step_by_step"))


# -- moving through the screens like a user --------------------------------------------------

async def fill_form(pilot: Any, values: Mapping[str, str]) -> None:
    """On a flow's form: type each value into its field (by input name), then run."""
    screen = pilot.app.screen
    assert isinstance(screen, InputsScreen), screen
    fields = {f.input_name: f for f in screen.query(Field)}
    for name, value in values.items():
        editor = fields[name].editor
        editor.focus()
        await pilot.pause()
        await pilot.press(*value)
    await pilot.press("ctrl+r")
    await pilot.pause()


async def walk(pilot: Any, until: str | None = None) -> None:
    """Continue through the walk's result pages until ``until`` (a step id) or the end.

    In a tour the finished walk is left too (its Continue goes back to the checklist).
    """
    for _ in range(60):
        await settle(pilot)
        screen = pilot.app.screen
        if not isinstance(screen, WalkScreen):
            return
        session: Session = screen.session
        if screen.walk.page != "result":
            raise AssertionError(f"the walk stopped on a {screen.walk.page} page")
        if until is not None and session.trail and session.trail[-1].step == until:
            break
        if session.finished and not screen.in_tour:
            break
        await pilot.press("enter")
    else:
        raise AssertionError("the walk did not end")
    screen.query_one("#step").scroll_home(animate=False)
    await settle(pilot)


async def answer_when_asked(pilot: Any, value: str) -> None:
    """Start the next check (a tour's checklist, a form) and continue through its result
    pages to the walk's next question, and answer it."""
    for _ in range(30):
        await settle(pilot)
        screen = pilot.app.screen
        if isinstance(screen, InputsScreen):
            await pilot.press("ctrl+r")
            continue
        if isinstance(screen, WalkScreen) and screen.walk.page == "ask":
            await pilot.press(*value, "enter")
            return
        await pilot.press("enter")
    raise AssertionError("the walk asked nothing")


# -- the scenes ------------------------------------------------------------------------------

async def home(pilot: Any) -> None:
    await settle(pilot)


async def dkim_walk(pilot: Any, until: str | None = None) -> None:
    await open_entry(pilot, "dkim")
    await fill_form(pilot, DKIM_INPUTS)
    await walk(pilot, until)


async def dkim_found(pilot: Any) -> None:
    await dkim_walk(pilot, until="misplaced")


async def dkim_fix(pilot: Any) -> None:
    await dkim_walk(pilot)


async def postfix_fix(pilot: Any) -> None:
    await open_entry(pilot, "postfix tls")
    await fill_form(pilot, {"main_cf": "main.cf"})
    await walk(pilot, until="legacy_may")


async def postfix_apply(pilot: Any) -> None:
    await postfix_fix(pilot)
    await pilot.press("p")
    await settle(pilot)


async def probe_running(pilot: Any) -> None:
    await open_entry(pilot, "not delivered")
    await fill_form(pilot, UNDELIVERED_INPUTS)
    for _ in range(60):
        screen = pilot.app.screen
        assert isinstance(screen, WalkScreen), screen
        if pilot.app.runner.held is not None and screen.running:
            break
        if screen.walk.page == "result" and not screen.running:
            await pilot.press("enter")
        await pilot.pause()
    else:
        raise AssertionError("no probe was held")
    await pilot.pause()


async def explain(pilot: Any) -> None:
    await open_entry(pilot, "explain")
    await pilot.press(*EXPLAINED)
    await settle(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)


async def tour_done(pilot: Any) -> None:
    await open_entry(pilot, "tour")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await fill_form(pilot, {"domain": "example.com"})
    await answer_when_asked(pilot, DKIM_INPUTS["selector"])
    await walk(pilot)
    for _ in ("SPF and DMARC", "Connectivity"):
        await pilot.press("enter")
        await walk(pilot)


def tour_replies() -> list[tuple[str, ProbeResult]]:
    """No OCI profile (so the DKIM selector is asked for), DKIM misplaced, SPF and DMARC
    enforced, and no SMTP endpoint named (the tour gives none)."""
    _, no_endpoint = PORT_SCENES["no_endpoint"]
    return [no_api(selector=""), *dkim_move_record(), spf(), dmarc("policy_enforced"),
            *no_endpoint]


@dataclass(frozen=True)
class Shot:
    """One picture of the README: the app to build and the keys that reach the state."""

    name: str
    runner: Callable[[], Any]
    steps: Callable[[Any], Awaitable[None]]

    def app(self) -> EmailWizardApp:
        """A fresh app for this picture (build it outside a running event loop)."""
        return readme_app(self.runner())


def replay(replies: Callable[[], Replies]) -> Callable[[], ReplayRunner]:
    """A runner factory answering with ``replies()`` in order."""
    return lambda: ReplayRunner(replies())


SHOTS: dict[str, Shot] = {shot.name: shot for shot in [
    Shot("home", replay(list), home),
    Shot("dkim-found", replay(dkim_move_record), dkim_found),
    Shot("dkim-fix", replay(dkim_move_record), dkim_fix),
    Shot("postfix-fix", replay(lambda: [postfix_read_copy(), relay(MAIN_CF_RELAYHOST)]),
         postfix_fix),
    Shot("postfix-apply", replay(lambda: [postfix_read_copy(), relay(MAIN_CF_RELAYHOST)]),
         postfix_apply),
    Shot("probe-running", HeldRunner, probe_running),
    Shot("explain", replay(list), explain),
    Shot("tour-done", replay(tour_replies), tour_done),
]}
