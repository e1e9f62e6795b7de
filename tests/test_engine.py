"""The engine, driven by a fake probe runner: concurrency, going back, templates, errors."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT
from tests.tui.fakes import ScriptedRunner
from wizard.data import template
from wizard.engine import MissingAnswer, Session, run_to_end
from wizard.flow.loader import load_flow
from wizard.flow.model import Flow
from wizard.probes.base import ProbeResult
from wizard.probes.runner import ProbeFailed

FLOW = """\
id: engine-demo
title: Engine demo
inputs:
  host: {type: host, required: true}
start: both
steps:
  both:
    kind: probe
    probes:
      a: {probe: tcp.connect, with: {host: "{host}", port: 25}}
      b: {probe: tcp.connect, with: {host: "{host}", port: 587}}
    when:
      - when: {a: open, b: open}
        goto: all_open
    branch_on: b
    on:
      open: ask_more
      default: closed
  ask_more:
    kind: ask
    question: Is port 25 needed on {host}?
    var: need25
    type: choice
    choices: ["yes", "no"]
    on: {"yes": closed, "no": all_open}
  all_open:
    kind: end
    message: "a={a.outcome} b={b.outcome}"
  closed:
    kind: fix
    findings:
      - {id: demo.closed, message: "port 25 on {host}: {a.summary}"}
    fixes:
      - id: demo.open
        title: Open port 25
        actions:
          - {type: network, port: "25", destination: "{host}"}
"""


class BarrierRunner:
    """Answers tcp.connect from a table; each call waits until all expected calls started."""

    def __init__(self, outcomes: Mapping[int, str], expected_concurrent: int = 1) -> None:
        self.outcomes = outcomes
        self.calls: list[dict[str, Any]] = []
        self.started = 0
        self.expected = expected_concurrent
        self.all_started = asyncio.Event()

    async def run(self, name: str, params: Mapping[str, Any]) -> ProbeResult:
        self.calls.append({"name": name, **params})
        self.started += 1
        if self.started >= self.expected:
            self.all_started.set()
        await asyncio.wait_for(self.all_started.wait(), 5)
        outcome = self.outcomes[int(params["port"])]
        return ProbeResult(outcome, f"port {params['port']} {outcome}", ("evidence",),
                           {"address": "192.0.2.1", "host": params["host"],
                            "port": params["port"]})


@pytest.fixture
def flow(tmp_path: Path):
    path = tmp_path / "flow.yaml"
    path.write_text(FLOW)
    return load_flow(path)


async def test_a_steps_probes_run_concurrently(flow) -> None:
    runner = BarrierRunner({25: "open", 587: "open"}, expected_concurrent=2)
    session = Session.start(flow, {"host": "mx.example.com"}, runner)
    entry = await asyncio.wait_for(session.advance(), 10)  # sequential runs would time out
    assert [p.id for p in entry.probes] == ["a", "b"]
    assert entry.next == "all_open"
    await run_to_end(session)
    assert session.status == "healthy"
    assert session.end_message == "a=open b=open"


async def test_when_rules_then_branch_on(flow) -> None:
    session = Session.start(flow, {"host": "mx.example.com", "need25": "yes"},
                            BarrierRunner({25: "refused", 587: "open"}, 2))
    await run_to_end(session)
    assert [e.step for e in session.trail] == ["both", "ask_more", "closed"]
    assert session.status == "problem"
    assert session.findings[0].message == "port 25 on mx.example.com: port 25 refused"
    assert session.fixes[0].actions[0].destination == "mx.example.com"  # type: ignore[union-attr]


async def test_a_question_without_an_answer_stops_a_headless_run(flow) -> None:
    session = Session.start(flow, {"host": "mx.example.com"},
                            BarrierRunner({25: "refused", 587: "open"}, 2))
    with pytest.raises(MissingAnswer) as info:
        await run_to_end(session)
    assert info.value.var == "need25"
    assert info.value.question == "Is port 25 needed on mx.example.com?"


async def test_back_undoes_the_last_step_and_its_facts(flow) -> None:
    session = Session.start(flow, {"host": "mx.example.com"},
                            BarrierRunner({25: "refused", 587: "open"}, 2))
    await session.advance()
    assert session.current == "ask_more"
    await session.advance("yes")
    await session.advance()
    assert session.finished and session.findings
    session.back()
    assert session.current == "closed" and not session.findings and not session.finished
    session.back()
    assert session.current == "ask_more"
    assert session.values.get("need25") in (None, "")
    session.back()
    assert session.current == "both" and "a.outcome" not in session.values
    assert session.trail == []
    await session.advance()
    await session.advance("no")
    await session.advance()
    assert session.status == "healthy"


async def test_a_session_without_undo_keeps_no_snapshots_and_ends_the_same(flow) -> None:
    """``scan`` walks with ``undo`` off: no snapshot per step, the same verdict, and a
    question without an answer still stops the walk cleanly."""
    session = Session.start(flow, {"host": "mx.example.com", "need25": "yes"},
                            BarrierRunner({25: "refused", 587: "open"}, 2))
    session.undo = False
    await run_to_end(session)
    assert [e.step for e in session.trail] == ["both", "ask_more", "closed"]
    assert session.status == "problem" and not session.can_go_back()
    asking = Session.start(flow, {"host": "mx.example.com"},
                           BarrierRunner({25: "refused", 587: "open"}, 2))
    asking.undo = False
    with pytest.raises(MissingAnswer):
        await run_to_end(asking)
    assert asking.current == "ask_more" and not asking.can_go_back()


async def test_a_wrong_choice_is_rejected_and_nothing_changes(flow) -> None:
    session = Session.start(flow, {"host": "mx.example.com"},
                            BarrierRunner({25: "refused", 587: "open"}, 2))
    await session.advance()
    with pytest.raises(ValueError, match="not one of"):
        await session.advance("maybe")
    assert session.current == "ask_more" and len(session.trail) == 1


async def test_a_failing_probe_ends_the_run_with_an_error(flow) -> None:
    class Broken:
        async def run(self, name: str, params: Mapping[str, Any]) -> ProbeResult:
            raise ProbeFailed("tcp.connect failed: boom")

    session = Session.start(flow, {"host": "mx.example.com"}, Broken())
    await run_to_end(session)
    assert session.status == "error"
    assert session.error == "tcp.connect failed: boom"


def test_templates_substitute_names_and_nothing_else() -> None:
    values = {"host": "mx.example.com", "a.port": 25, "items": ["x", "y"], "flag": True}
    assert template.render("{host}:{a.port} {items} {flag} {{literal}}", values) == \
        "mx.example.com:25 x, y yes {literal}"
    assert template.render_value("{a.port}", values) == 25
    with pytest.raises(template.MissingVariable):
        template.render("{host.__class__}", values)
    assert template.render("{host[0]} {host!r} {0}", values) == "{host[0]} {host!r} {0}"
    assert list(template.stray_braces("{host[0]}")) == [0, 8]


def test_templates_cannot_reach_python_objects() -> None:
    """A flow file's template is looked up as one flat key: no attributes, no indexing."""
    evil = "{__class__.__init__.__globals__} {__builtins__}"
    with pytest.raises(template.MissingVariable):
        template.render(evil, {"x": object()})


def headless_modules() -> list[str]:
    """Every module of the package outside wizard.tui (found on disk, so new ones count)."""
    package = ROOT / "wizard"
    names = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "tui" in parts or parts[-1] == "__main__":
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


HEADLESS_MODULES = headless_modules()


def test_headless_modules_do_not_import_textual() -> None:
    code = (
        "import sys\n"
        f"for name in {HEADLESS_MODULES!r}:\n"
        "    __import__(name)\n"
        "from wizard.cli import main\n"
        "main(['list', '--json'])\n"
        "main(['validate', 'flows/tcp-port.yaml'])\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_help_does_not_import_textual() -> None:
    code = ("import sys\nfrom wizard.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'textual' not in sys.modules\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


SWITCH_FLOW = """\
id: switch-demo
title: Switch demo
inputs:
  level: {type: text}
start: pick
steps:
  pick:
    kind: switch
    title: TLS level
    value: "{level}"
    cases:
      "may": fine
      "encrypt": fine
      "": unset
    default: odd
  fine: {kind: end, message: "level {level} is fine"}
  unset: {kind: end, status: problem, message: "no level"}
  odd: {kind: end, status: problem, message: "odd level {level}"}
"""


@pytest.mark.parametrize(("level", "end", "outcome"), [
    ("may", "fine", "may"), ("  ENCRYPT ", "fine", "encrypt"), ("", "unset", ""),
    ("none", "odd", "default"),
])
async def test_a_switch_picks_its_case_by_the_rendered_value(tmp_path: Path, level: str,
                                                             end: str, outcome: str) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text(SWITCH_FLOW)
    session = Session.start(load_flow(path), {"level": level}, BarrierRunner({}))
    await run_to_end(session)
    assert [e.step for e in session.trail] == ["pick", end]
    assert session.trail[0].kind == "switch" and session.trail[0].outcome == outcome
    session.back()
    session.back()
    assert session.current == "pick"


async def test_a_probe_the_runner_cancels_still_publishes_its_timeout_facts() -> None:
    """Facts a probe guarantees after 'timeout' exist (as null) when the runner cuts it off."""
    from wizard.probes.base import ProbeContext, ProbeParams, ProbeSpec, always, on
    from wizard.probes.runner import RegistryRunner

    class Params(ProbeParams):
        pass

    async def hang(params: Params, ctx: ProbeContext) -> ProbeResult:
        await asyncio.sleep(60)
        raise AssertionError("not reached")

    spec = ProbeSpec(name="test.hang", description="hangs", params=Params,
                     outcomes={"done": "done", "timeout": "no answer"}, run=hang,
                     facts={"host": always("the host"), "banner": on("text", "done")})
    runner = RegistryRunner(ProbeContext(timeout=0.01), {"test.hang": spec})
    result = await runner.run("test.hang", {})
    assert result.outcome == "timeout"
    assert dict(result.facts) == {"host": None}


DIAGNOSES_FLOW = Flow.model_validate({
    "id": "diag", "title": "Diagnoses", "start": "note",
    "steps": {
        "note": {"kind": "fix", "title": "A note", "next": "warn",
                 "findings": [{"id": "n", "severity": "info", "message": "just so you know"}]},
        "warn": {"kind": "fix", "title": "A warning", "next": "bad",
                 "findings": [{"id": "w", "severity": "warning", "message": "DMARC only monitors"}],
                 "fixes": [{"id": "w.fix", "title": "Enforce DMARC"}]},
        "bad": {"kind": "fix", "title": "Checks done; the relay was not tested",
                "findings": [{"id": "e", "severity": "error",
                              "message": "smtp_use_tls = yes is deprecated"}],
                "fixes": [{"id": "e.fix", "title": "Set smtp_tls_security_level"}]},
    },
})


async def test_the_headline_is_the_most_severe_finding_not_the_last_step() -> None:
    session = await run_to_end(Session.start(DIAGNOSES_FLOW, {}, ScriptedRunner({})))
    assert session.status == "problem"
    assert session.headline() == "smtp_use_tls = yes is deprecated"


async def test_diagnoses_pair_each_finding_with_its_fixes_most_severe_first() -> None:
    session = await run_to_end(Session.start(DIAGNOSES_FLOW, {}, ScriptedRunner({})))
    diagnoses = session.diagnoses()
    assert [d.title for d in diagnoses] == [
        "Checks done; the relay was not tested", "A warning", "A note"]
    assert [f.id for f in diagnoses[0].fixes] == ["e.fix"]
    assert [f.id for f in diagnoses[1].fixes] == ["w.fix"]
    assert diagnoses[2].fixes == ()


async def test_with_only_notes_the_headline_is_the_end() -> None:
    flow = Flow.model_validate({
        "id": "notes", "title": "Notes", "start": "note",
        "steps": {"note": {"kind": "fix", "title": "A note", "next": "done",
                           "findings": [{"id": "n", "severity": "info", "message": "fyi"}]},
                  "done": {"kind": "end", "title": "All checks passed"}}})
    session = await run_to_end(Session.start(flow, {}, ScriptedRunner({})))
    assert session.status == "healthy" and session.headline() == "All checks passed"
