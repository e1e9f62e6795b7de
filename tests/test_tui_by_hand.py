"""Answering a probe step by hand (wizard.hand_answers) and the Markdown report, no screen."""

from __future__ import annotations

import pytest

from tests.tui.fakes import ScriptedRunner, refused
from tests.tui.scenes import dkim_misplaced
from wizard.engine import Session
from wizard.flow.model import Flow
from wizard.hand_answers import EVIDENCE, NOT_MEASURED, answer_by_hand, hand_choices
from wizard.report import session_markdown

TWO_PROBES = Flow.model_validate({
    "id": "two", "title": "Two probes",
    "start": "both",
    "steps": {
        "both": {"kind": "probe", "probes": {
            "a": {"probe": "tcp.connect", "with": {"host": "h.example", "port": 25}},
            "b": {"probe": "tcp.connect", "with": {"host": "h.example", "port": 587}}},
            "when": [{"when": {"a": "open", "b": "open"}, "goto": "fine"},
                     {"when": {"a": ["timeout", "refused"]}, "goto": "blocked"}]},
        "fine": {"kind": "end", "message": "both open"},
        "blocked": {"kind": "fix", "title": "25 blocked ({a.address})",
                    "findings": [{"id": "x", "message": "port 25: {a.outcome}"}]},
    },
})


def test_a_step_with_when_rules_offers_each_rule() -> None:
    session = Session.start(TWO_PROBES, {}, ScriptedRunner({}))
    labels = [c.label for c in hand_choices(session)]
    assert labels == ["a: open, b: open", "a: timeout"]


async def test_a_rule_answered_by_hand_walks_on_with_unmeasured_facts() -> None:
    runner = ScriptedRunner({})
    session = Session.start(TWO_PROBES, {}, runner)
    choice = hand_choices(session)[1]
    entry = await answer_by_hand(session, choice)
    assert runner.calls == []
    assert entry.evidence == (EVIDENCE, EVIDENCE)
    assert session.current == "blocked"
    assert session.values["a.address"] == NOT_MEASURED
    await session.advance()
    assert session.findings[0].message == "port 25: timeout"
    assert session.status == "problem"


async def test_an_answer_by_hand_can_be_taken_back_and_the_real_probe_run() -> None:
    runner = ScriptedRunner({"tcp.connect": refused()})
    flow = Flow.model_validate({
        "id": "one", "title": "One", "start": "connect",
        "steps": {"connect": {"kind": "probe", "probe": "tcp.connect",
                              "with": {"host": "h.example", "port": 25},
                              "on": {"open": "done", "default": "done"}},
                  "done": {"kind": "end"}}})
    session = Session.start(flow, {}, runner)
    outcomes = [c.label for c in hand_choices(session)]
    assert outcomes == ["open", "refused", "unreachable", "name_not_found"]
    await answer_by_hand(session, hand_choices(session)[0])
    assert session.trail[0].outcome == "open"
    session.back()
    assert session.trail == [] and session.runner is runner
    await session.advance()
    assert session.trail[0].outcome == "refused"


async def test_the_markdown_report_has_dns_rows_and_redacts_the_password() -> None:
    flow = Flow.model_validate({
        "id": "md", "title": "Markdown", "start": "look",
        "inputs": {"password": {"type": "secret"}},
        "steps": {
            "look": {"kind": "probe", "probe": "dkim.misplaced",
                     "with": {"domain": "example.com", "selector": "sel1"},
                     "on": {"default": "move"}},
            "move": {"kind": "fix", "findings": [{"id": "f", "message": "pw {password}"}],
                     "fixes": [{"id": "m", "title": "Move it", "actions": [
                         {"type": "dns", "op": "add", "name": "{look.correct_name}",
                          "rtype": "CNAME", "value": "{look.misplaced_value}",
                          "zone_relative_name": "{look.zone_relative_name}"},
                         {"type": "postconf", "op": "set", "param": "relayhost",
                          "value": "[smtp.example.test]:587"}]}]}}})
    session = Session.start(flow, {"password": "canary-Pa55word!"},
                            ScriptedRunner({"dkim.misplaced": dkim_misplaced()}))
    await session.advance()
    await session.advance()
    text = session_markdown(session)
    assert "canary-Pa55word!" not in text and "pw ********" in text
    assert ("| add | `sel1._domainkey.example.com.` | sel1._domainkey | CNAME | "
            "`sel1.example-com._domainkey.iad1.oracleemaildelivery.com.` |") in text
    assert "postconf -e 'relayhost = [smtp.example.test]:587'" in text
    assert text.startswith("# email-wizard report: Markdown\n")


async def test_the_engine_refuses_given_results_for_a_step_that_is_not_a_probe() -> None:
    flow = Flow.model_validate({
        "id": "ask", "title": "Ask", "start": "q",
        "steps": {"q": {"kind": "ask", "question": "Host?", "var": "host", "next": "done"},
                  "done": {"kind": "end"}}})
    session = Session.start(flow, {}, ScriptedRunner({}))
    with pytest.raises(ValueError, match="not a probe step"):
        await session.advance(given={})
    assert session.current == "q" and session.trail == []


async def test_the_engine_refuses_given_results_that_miss_a_probe_of_the_step() -> None:
    runner = ScriptedRunner({})
    session = Session.start(TWO_PROBES, {}, runner)
    with pytest.raises(ValueError, match="no result given for b"):
        await session.advance(given={"a": refused()})
    assert session.current == "both" and session.trail == [] and runner.calls == []
