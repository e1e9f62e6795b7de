"""The engine walks the flow language's reuse constructs, driven by a fake probe runner.

Library fixes rendered with their parameters, guards and ``else``, ``{name?}``
and left-out probe parameters, a probe step's ``id:``, sequences that fall
through, sub-flows in the caller's report, alternatives and ``--choose``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import cli
from wizard.engine import Session, run_to_end
from wizard.flow.graph import to_dot, to_mermaid
from wizard.flow.loader import load_flow
from wizard.flow.model import OfferedFix
from wizard.probes.base import ProbeResult


class TableRunner:
    """Answers tcp.connect by port from a table and records every call's parameters."""

    def __init__(self, outcomes: Mapping[int, str]) -> None:
        self.outcomes = outcomes
        self.calls: list[dict[str, Any]] = []

    async def run(self, name: str, params: Mapping[str, Any]) -> ProbeResult:
        self.calls.append({"probe": name, **params})
        port = int(params.get("port", 25))
        outcome = self.outcomes.get(port, "refused")
        return ProbeResult(outcome, f"port {port} {outcome}", (),
                           {"address": "192.0.2.7", "host": params["host"], "port": port})


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


async def walk(path: Path, inputs: Mapping[str, Any], outcomes: Mapping[int, str]) -> tuple[
        Session, TableRunner]:
    runner = TableRunner(outcomes)
    session = Session.start(load_flow(path), inputs, runner)
    await run_to_end(session)
    return session, runner


LIBRARY = """\
kind: fixes
version: 1
fixes:
  network.open-port:
    title: "Open TCP {port} to {host}"
    text: "Allow egress to {host} port {port} {where}."
    params:
      host: {}
      port: {}
      where: {default: "in the firewall"}
    actions:
      - {type: network, port: "{port}", destination: "{host}"}
"""

USES = """\
id: uses
title: Uses the library
inputs:
  host: {type: host, required: true}
start: connect
steps:
  connect:
    kind: probe
    probe: tcp.connect
    with: {host: "{host}", port: 587}
    on: {open: fine, default: closed}
  fine: {kind: end}
  closed:
    kind: fix
    fixes:
      - use: network.open-port
        with: {host: "{connect.host}", port: "587"}
"""


async def test_a_library_fix_is_rendered_with_its_parameters_and_defaults(
        tmp_path: Path) -> None:
    write(tmp_path, "fixes/network.yaml", LIBRARY)
    session, _ = await walk(write(tmp_path, "uses.yaml", USES), {"host": "mx.example"}, {})
    [fix] = session.fixes
    assert fix.id == "network.open-port"
    assert fix.title == "Open TCP 587 to mx.example"
    assert fix.text == "Allow egress to mx.example port 587 in the firewall."
    assert fix.actions[0].destination == "mx.example"  # type: ignore[union-attr]


GUARDED = """\
id: guarded
title: Guarded
inputs:
  host: {type: host, required: true}
  relay: {type: host}
  wait: {type: text}
start: relay
steps:
  relay:
    kind: probe
    if: "{relay}"
    else: direct
    id: conn
    probe: tcp.connect
    with: {host: "{relay}", port: 587, timeout: "{wait?}"}
    on: {default: done}
  direct:
    kind: probe
    id: conn
    probe: tcp.connect
    with: {host: "{host}", port: 25, timeout: "{wait?}"}
    on: {default: done}
  done: {kind: end, message: "{conn.host}:{conn.port} {conn.outcome} {wait?}"}
"""


async def test_a_guard_runs_the_step_only_when_its_value_is_non_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "guarded.yaml", GUARDED)
    session, runner = await walk(path, {"host": "mx.example", "relay": "relay.example"},
                                 {587: "open"})
    assert [e.step for e in session.trail] == ["relay", "done"]
    assert runner.calls[0]["host"] == "relay.example"
    assert session.end_message == "relay.example:587 open "
    session, _ = await walk(path, {"host": "mx.example"}, {})
    assert [(e.step, e.outcome) for e in session.trail] == [
        ("relay", "skipped"), ("direct", "refused"), ("done", "healthy")]
    assert session.trail[0].next == "direct"
    assert session.end_message == "mx.example:25 refused "


async def test_an_optional_lookup_leaves_the_probe_parameter_out(tmp_path: Path) -> None:
    path = write(tmp_path, "guarded.yaml", GUARDED)
    _, runner = await walk(path, {"host": "mx.example"}, {})
    assert runner.calls == [{"probe": "tcp.connect", "host": "mx.example", "port": 25}]
    _, runner = await walk(path, {"host": "mx.example", "wait": "3"}, {})
    assert runner.calls[0]["timeout"] == "3"


async def test_alternative_steps_publish_their_facts_under_one_id(tmp_path: Path) -> None:
    path = write(tmp_path, "guarded.yaml", GUARDED)
    session, _ = await walk(path, {"host": "mx.example"}, {})
    assert session.values["conn.outcome"] == "refused"
    assert "direct.outcome" not in session.values and "relay.outcome" not in session.values
    assert [p.id for p in session.trail[1].probes] == ["conn"]


async def test_going_back_over_a_skipped_step_returns_to_it(tmp_path: Path) -> None:
    session = Session.start(load_flow(write(tmp_path, "g.yaml", GUARDED)),
                            {"host": "mx.example"}, TableRunner({}))
    await session.advance()
    assert session.current == "direct"
    session.back()
    assert session.current == "relay" and session.trail == []


SEQUENCE = """\
id: checks
title: Checks in order
inputs:
  host: {type: host, required: true}
start: checks
steps:
  checks:
    kind: sequence
    checks: [smtp, submission, last]
    next: after
  smtp:
    kind: probe
    probe: tcp.connect
    with: {host: "{host}", port: 25}
    on: {open: smtp_ok, default: smtp_closed}
  smtp_ok: {kind: end, message: "25 open"}
  smtp_closed:
    kind: fix
    findings: [{id: checks.smtp, message: "25 is {smtp.outcome}"}]
  submission:
    kind: probe
    probe: tcp.connect
    with: {host: "{host}", port: 587}
    on: {open: last_ok, default: submission_closed}
  submission_closed:
    kind: fix
    end: true
    findings: [{id: checks.submission, message: "587 is {submission.outcome}"}]
  last: {kind: end, message: "last"}
  last_ok: {kind: end, message: "587 open"}
  after: {kind: end, message: "all checks done"}
"""


async def test_a_fix_in_a_sequence_falls_through_to_the_next_check(tmp_path: Path) -> None:
    path = write(tmp_path, "checks.yaml", SEQUENCE)
    session, _ = await walk(path, {"host": "mx.example"}, {587: "open"})
    assert [e.step for e in session.trail] == [
        "checks", "smtp", "smtp_closed", "submission", "last_ok", "last", "after"]
    assert session.trail[2].next == "submission"
    assert [f.id for f in session.findings] == ["checks.smtp"]
    assert session.status == "problem"
    assert session.end_message == "all checks done"


async def test_a_fix_that_sets_end_stops_the_sequence(tmp_path: Path) -> None:
    path = write(tmp_path, "checks.yaml", SEQUENCE)
    session, _ = await walk(path, {"host": "mx.example"}, {25: "open"})
    assert [e.step for e in session.trail] == [
        "checks", "smtp", "smtp_ok", "submission", "submission_closed"]
    assert session.status == "problem" and session.current is None


async def test_back_inside_a_sequence_restores_the_checks_left(tmp_path: Path) -> None:
    session = Session.start(load_flow(write(tmp_path, "c.yaml", SEQUENCE)),
                            {"host": "mx.example"}, TableRunner({25: "open", 587: "open"}))
    for _ in range(4):
        await session.advance()
    assert session.current == "last_ok"
    session.back()
    assert session.current == "submission"
    session.back()
    assert session.current == "smtp_ok"
    await run_to_end(session)
    assert [e.step for e in session.trail][-3:] == ["last_ok", "last", "after"]
    assert session.status == "healthy"


CHILD = """\
id: child
title: Child check
inputs:
  host: {type: host, required: true}
start: look
steps:
  look:
    kind: probe
    probe: tcp.connect
    with: {host: "{host}", port: 25}
    on: {open: fine, default: bad}
  fine: {kind: end, message: "child fine"}
  bad:
    kind: fix
    findings: [{id: child.closed, message: "{host}:25 {look.outcome}"}]
    alternatives:
      - id: child.level-may
        title: Use TLS when offered
        applicable: true
        applies_to: "{host}.cf"
        actions: [{type: postconf, op: set, param: smtp_tls_security_level, value: may}]
      - id: child.level-encrypt
        title: Always use TLS
        applicable: true
        applies_to: "{host}.cf"
        actions: [{type: postconf, op: set, param: smtp_tls_security_level, value: encrypt}]
"""

PARENT = """\
id: parent
title: Parent
inputs:
  host: {type: host, required: true}
start: sub
steps:
  sub:
    kind: flow
    flow: child
    with: {host: "{host}"}
    on: {healthy: fine, default: after}
  fine: {kind: end, message: "all fine"}
  after: {kind: end, message: "child said {sub.status}"}
"""


async def test_a_sub_flow_runs_inside_the_caller_and_reports_there(tmp_path: Path) -> None:
    write(tmp_path, "child.yaml", CHILD)
    session, _ = await walk(write(tmp_path, "parent.yaml", PARENT),
                                 {"host": "mx.example"}, {})
    assert [e.step for e in session.trail] == ["sub", "child/look", "child/bad", "after"]
    assert session.trail[0].outcome == "problem"
    assert [f.id for f in session.findings] == ["child.closed"]
    assert session.findings[0].message == "mx.example:25 refused"
    assert session.end_message == "child said problem"
    assert session.status == "problem"
    offered = [(f.alternative_group, f.alternative) for f in session.fixes
               if isinstance(f, OfferedFix)]
    assert offered == [("sub/bad", "child.level-may"), ("sub/bad", "child.level-encrypt")]
    session, _ = await walk(tmp_path / "parent.yaml", {"host": "mx.example"}, {25: "open"})
    assert session.end_message == "all fine" and session.status == "healthy"


TWICE = """\
id: twice
title: The child for two hosts
start: first
steps:
  first: {kind: flow, flow: child, with: {host: a.example}, next: second}
  second: {kind: flow, flow: child, with: {host: b.example}}
"""


async def test_two_runs_of_one_sub_flow_offer_two_separate_choices(tmp_path: Path) -> None:
    """Each run of a sub-flow is its own choice (found by review: both runs' alternatives
    were one group, so choosing for a.example's file retired b.example's)."""
    write(tmp_path, "child.yaml", CHILD)
    session, _ = await walk(write(tmp_path, "twice.yaml", TWICE), {}, {})
    offered = [(f.alternative_group, f.alternative, f.applies_to) for f in session.fixes
               if isinstance(f, OfferedFix)]
    assert offered == [
        ("first/bad", "child.level-may", "a.example.cf"),
        ("first/bad", "child.level-encrypt", "a.example.cf"),
        ("second/bad", "child.level-may", "b.example.cf"),
        ("second/bad", "child.level-encrypt", "b.example.cf"),
    ]


def test_the_graph_shows_sub_flows_and_library_fixes(tmp_path: Path) -> None:
    write(tmp_path, "child.yaml", CHILD)
    mermaid = to_mermaid(load_flow(write(tmp_path, "parent.yaml", PARENT)))
    assert mermaid.startswith("flowchart TD\n")
    assert 'subgraph f_child["flow child"]' in mermaid
    assert 'n_sub -.->|"runs"| n_child__look' in mermaid
    assert 'n_sub -->|"healthy"| n_fine' in mermaid
    write(tmp_path, "fixes/network.yaml", LIBRARY)
    dot = to_dot(load_flow(write(tmp_path, "uses.yaml", USES)))
    assert 'n_closed -> n_fix_network_open_port [label="use", style=dashed];' in dot
    assert dot.startswith('digraph "uses" {') and dot.rstrip().endswith("}")


def test_graph_command_prints_mermaid_and_dot() -> None:
    result = cli("graph", "tcp-port")
    assert result.returncode == 0 and result.stdout.startswith("flowchart TD\n")
    result = cli("graph", "tcp-port", "--format", "dot")
    assert result.returncode == 0 and result.stdout.startswith('digraph "tcp-port" {')
    result = cli("graph", "no-such-flow")
    assert result.returncode == 2 and "unknown flow 'no-such-flow'" in result.stderr


MAIN_CF = "compatibility_level = 3.6\nmyhostname = test.example.com\n"

ALTERNATIVES = """\
id: choose
title: Choose a TLS level
inputs:
  main_cf: {type: path, required: true}
start: level
steps:
  level:
    kind: fix
    findings: [{id: choose.plain, message: "mail leaves without TLS"}]
    alternatives:
      - use: postfix.tls-level
        with: {level: may, main_cf: "{main_cf}"}
      - id: postfix.tls-level-encrypt
        title: Always use TLS
        applicable: true
        applies_to: "{main_cf}"
        actions: [{type: postconf, op: set, param: smtp_tls_security_level, value: encrypt}]
fixes:
  postfix.tls-level:
    title: "Use TLS when offered"
    params: {level: {}, main_cf: {}}
    applicable: true
    applies_to: "{main_cf}"
    actions: [{type: postconf, op: set, param: smtp_tls_security_level, value: "{level}"}]
"""


@pytest.fixture
def postfix_dir(tmp_path: Path) -> Path:
    """A Postfix configuration directory of its own (``postfix -c`` checks it)."""
    directory = tmp_path / "postfix"
    (directory / "queue").mkdir(parents=True)
    (directory / "data").mkdir()
    shutil.copy("/usr/share/postfix/master.cf.dist", directory / "master.cf")
    (directory / "main.cf").write_text(MAIN_CF + f"queue_directory = {directory / 'queue'}\n"
                                       f"data_directory = {directory / 'data'}\n")
    return directory


def test_apply_writes_only_the_chosen_alternative(tmp_path: Path, postfix_dir: Path) -> None:
    flow = write(tmp_path, "choose.yaml", ALTERNATIVES)
    main_cf = postfix_dir / "main.cf"
    before = main_cf.read_text()
    base = ("run", str(flow), "--set", f"main_cf={main_cf}", "--json")
    result = cli(*base, "--apply")
    assert result.returncode == 1
    out = json.loads(result.stdout)
    assert out["applied"] == [] and main_cf.read_text() == before
    assert out["alternatives"] == [{"group": "level", "chosen": None, "alternatives": [
        "postfix.tls-level", "postfix.tls-level-encrypt"]}]
    assert [(f["alternative_group"], f["alternative"]) for f in out["fixes"]] == [
        ("level", "postfix.tls-level"), ("level", "postfix.tls-level-encrypt")]
    assert "none applied; choose one with --choose FIX_ID" in result.stderr
    result = cli(*base, "--apply", "--choose", "postfix.tls-level-encrypt")
    out = json.loads(result.stdout)
    assert out["applied"][0]["fixes"] == ["postfix.tls-level-encrypt"]
    assert "smtp_tls_security_level = encrypt" in main_cf.read_text()
    assert "none applied" not in result.stderr
    text = cli("run", str(flow), "--set", f"main_cf={main_cf}").stdout
    assert ("Fix (one of the alternatives of level; --apply --choose postfix.tls-level-encrypt): "
            "Always use TLS") in text


def test_choosing_an_unknown_alternative_is_bad_input(tmp_path: Path) -> None:
    flow = write(tmp_path, "choose.yaml", ALTERNATIVES)
    main_cf = write(tmp_path, "main.cf", MAIN_CF)
    result = cli("run", str(flow), "--set", f"main_cf={main_cf}", "--apply",
                 "--choose", "postfix.tls-levell")
    assert result.returncode == 2
    assert "offers no alternative fix 'postfix.tls-levell' (did you mean " in result.stderr
    result = cli("run", str(flow), "--set", f"main_cf={main_cf}", "--apply",
                 "--choose", "postfix.tls-level", "--choose", "postfix.tls-level-encrypt")
    assert result.returncode == 2 and "choose one" in result.stderr


async def test_a_sub_flow_input_given_an_unset_value_takes_the_sub_flows_default(
        tmp_path: Path) -> None:
    """A fact a probe left unset (None) is no value for a sub-flow's input (the sub-flow's
    probes would reject it): the input is left out, so its default applies."""
    write(tmp_path, "porty.yaml", "id: porty\ntitle: Port\ninputs:\n"
          "  host: {type: host, required: true}\n  port: {type: port, default: 587}\n"
          "start: c\nsteps:\n"
          "  c: {kind: probe, probe: tcp.connect, with: {host: \"{host}\", port: \"{port}\"},"
          " on: {default: e}}\n  e: {kind: end}\n")
    parent = write(tmp_path, "p.yaml", "id: p\ntitle: P\ninputs:\n  host: {type: host}\n"
                   "  port: {type: port}\nstart: s\nsteps:\n"
                   "  s: {kind: flow, flow: porty, with: {host: \"{host}\", port: \"{port}\"}}\n")
    session, runner = await walk(parent, {"host": "mx.example", "port": None}, {})
    assert session.status == "healthy", session.error
    assert runner.calls == [{"probe": "tcp.connect", "host": "mx.example", "port": 587}]


async def test_a_sub_flow_question_without_an_answer_is_an_error_naming_it(
        tmp_path: Path) -> None:
    write(tmp_path, "asking.yaml", "id: asking\ntitle: Asks\nstart: q\nsteps:\n"
          "  q: {kind: ask, question: Which relay?, var: relay, next: e}\n"
          "  e: {kind: end}\n")
    parent = write(tmp_path, "p.yaml", "id: p\ntitle: P\nstart: s\nsteps:\n"
                   "  s: {kind: flow, flow: asking}\n")
    session, _ = await walk(parent, {}, {})
    assert session.status == "error"
    assert session.error == ("sub-flow asking asks 'Which relay?': step s must give relay "
                             "under 'with:'")
