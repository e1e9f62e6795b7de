"""`fixes_from:` — a fix step offers the fix of the catalog entry a `catalog.explain` probe
matched, rendered with what the error captured and the provider's facts, instead of copying
its words and actions into the flow. And `validate` rejects a `fixes_from` that names no
probe, a probe that publishes no catalog fix, or a path on which no entry matched.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import cli
from wizard.validate import validate_file

FLOW = """\
kind: flow
version: 1
id: explain-it
title: Explain an error
inputs:
  error: {type: text, required: true}
start: explain
steps:
  explain:
    kind: probe
    id: why
    probe: catalog.explain
    with: {text: "{error}"}
    on: {generic_only: unexplained, not_recognized: unexplained, no_text: unexplained,
         unknown_catalog: unexplained, timeout: unexplained, default: explained}
  explained:
    kind: fix
    title: "{why.headline}"
    findings: [{id: demo.error, message: "{why.headline}"}]
    fixes_from: why
  unexplained: {kind: end, status: inconclusive, message: "{why.summary}"}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "explain-it.yaml"
    path.write_text(text)
    return path


def messages(tmp_path: Path, text: str) -> list[str]:
    return [f"{d.line}:{d.col}: {d.message}" for d in validate_file(write(tmp_path, text))]


def test_fixes_from_offers_the_catalog_entrys_typed_actions_with_the_captured_address(
        tmp_path: Path) -> None:
    path = write(tmp_path, FLOW)
    result = cli("run", str(path), "--json", "--set",
                 "error=535 Authorization failed: address app@example.com not authorized")
    assert result.returncode == 1, result.stderr
    [fix] = json.loads(result.stdout)["fixes"]
    assert fix["id"] == "catalog.smtp-535-address-not-authorized"
    assert fix["title"] == "Approve app@example.com and let the sending user use it"
    assert fix["text"].endswith("Retry: Fails the same way until the sender is approved.")
    assert fix["actions"][0] == {
        "type": "console",
        "instruction": "Create an approved sender for app@example.com in the region you "
                       "send through",
        "where": "Email Delivery > Approved Senders",
        "command": "oci email sender create --compartment-id <compartment-ocid> "
                   "--email-address app@example.com"}


def test_fixes_from_renders_provider_facts_into_the_catalog_fix(tmp_path: Path) -> None:
    result = cli("run", str(write(tmp_path, FLOW)), "--json", "--set",
                 "error=554 Message parse error")
    [fix] = json.loads(result.stdout)["fixes"]
    assert fix["id"] == "catalog.smtp-554-parse-error"
    assert fix["actions"] == [
        {"type": "message", "detail": "",
         "change": "Send a complete message (headers, blank line, body) with all headers "
                   "under 256 KB"}]


def test_a_flow_with_fixes_from_validates_clean(tmp_path: Path) -> None:
    assert messages(tmp_path, FLOW) == []


def test_fixes_from_naming_no_probe_is_rejected_with_did_you_mean(tmp_path: Path) -> None:
    found = messages(tmp_path, FLOW.replace("fixes_from: why", "fixes_from: wy"))
    assert found == ["20:17: fixes_from: no probe step publishes facts as 'wy' "
                     "(did you mean 'why'?)"]


def test_fixes_from_a_probe_that_publishes_no_catalog_fix_is_rejected(tmp_path: Path) -> None:
    flow = FLOW.replace("probe: catalog.explain\n    with: {text: \"{error}\"}",
                        "probe: tcp.connect\n    with: {host: \"{error}\", port: 25}")
    branches = FLOW[FLOW.index("    on: {generic_only"):FLOW.index("  explained:")]
    flow = flow.replace(branches, "    on: {open: explained, default: unexplained}\n")
    flow = flow.replace('"{why.headline}"', '"{why.summary}"')
    found = messages(tmp_path, flow)
    assert found == ["19:17: fixes_from: 'why' is probe tcp.connect (step 'explain'), which "
                     "publishes no catalog fix (probes that do: catalog.explain)"]


def test_fixes_from_on_a_path_where_nothing_matched_is_rejected(tmp_path: Path) -> None:
    flow = FLOW.replace("timeout: unexplained, default: explained",
                        "default: explained")
    found = messages(tmp_path, flow)
    assert found == ["20:17: fixes_from: 'why' has a catalog fix only after a matched "
                     "outcome, and not on every path to 'explained' (branch here only from "
                     "the outcomes of a match, not 'default' or the no-match outcomes)"]


def test_a_library_fix_may_not_take_a_catalog_fix_id(tmp_path: Path) -> None:
    folder = tmp_path / "fixes"
    folder.mkdir()
    path = folder / "mine.yaml"
    path.write_text("kind: fixes\nversion: 1\nfixes:\n  catalog.mine:\n    title: Mine\n")
    assert [d.message for d in validate_file(path)] == [
        "fix 'catalog.mine': ids starting with 'catalog.' are the catalog entries' fixes "
        "(offered with 'fixes_from:'); choose another id"]


def test_the_graph_names_the_probe_a_fix_step_takes_its_fix_from(tmp_path: Path) -> None:
    result = cli("graph", str(write(tmp_path, FLOW)))
    assert result.returncode == 0, result.stderr
    assert 'n_explained[["explained<br/>fix (problem)<br/>fixes from why"]]' in result.stdout


def test_an_explain_step_answered_by_hand_offers_no_fix_and_the_walk_goes_on(
        tmp_path: Path) -> None:
    import asyncio

    from wizard.engine import Session
    from wizard.flow.loader import load_flow
    from wizard.hand_answers import answer_by_hand, hand_choices
    from wizard.probes.base import ProbeContext
    from wizard.probes.runner import RegistryRunner

    flow = load_flow(write(tmp_path, FLOW))
    session = Session.start(flow, {"error": "anything"}, RegistryRunner(ProbeContext()))
    [choice] = [c for c in hand_choices(session) if c.label == "sender_not_approved"]

    async def walk() -> None:
        await answer_by_hand(session, choice)
        await session.advance()

    asyncio.run(walk())
    assert session.status == "problem", session.error
    assert [f.id for f in session.findings] == ["demo.error"]
    assert session.fixes == []
