"""One secret policy: the flow names its secrets (inputs and ask answers), the CLI refuses
them on the command line, and every front-end shows one redacted view — whole values and
whole tokens hidden, never a short password cut out of another word."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import cli
from tests.servers.postfix import write_config_dir
from wizard.data.redact import REDACTED, Redactor
from wizard.engine import Session, run_to_end
from wizard.flow.loader import load_flow
from wizard.flow.model import Flow
from wizard.postfix.maplist import redact_inline_maps, split_map_list
from wizard.postfix.tls_settings import sasl_password_map
from wizard.probes.base import ProbeContext
from wizard.probes.runner import RegistryRunner
from wizard.report import session_json, session_markdown

PASSWORD = "Canary-Pa55w0rd-7f3e9"
PIN = "Canary-PIN-4242"
HOST = "smtp.email.lab-1.oci.test"

CANARY_FLOW = f"""\
id: secret-canary
title: Secret canary
description: Templates a secret input and a secret answer into everything a person reads.
inputs:
  password: {{type: secret, required: true}}
  host: {{type: host, default: {HOST}}}
  main_cf: {{type: text, default: /nonexistent/main.cf}}
start: pin
steps:
  pin:
    kind: ask
    question: "The PIN for {{host}}?"
    var: pin
    type: secret
    next: report
  report:
    kind: fix
    title: "Checked {{host}} with {{password}}"
    findings:
      - id: canary.finding
        message: "login {{password}} / {{pin}} refused by {{host}}"
    fixes:
      - id: canary.fix
        title: "Rotate {{password}}"
        text: "The PIN {{pin}} and the password {{password}} were seen by {{host}}."
        actions:
          - {{type: postconf, op: set, param: smtp_sasl_password_maps,
              value: "static:user:{{password}}"}}
          - {{type: console, instruction: "rotate {{pin}}"}}
        applicable: true
        applies_to: "{{main_cf}}"
    next: done
  done:
    kind: end
    title: "Done with {{password}}"
    message: "Finished with {{password}} and {{pin}} on {{host}}."
"""


def canary_flow(tmp_path: Path) -> Flow:
    return load_flow(canary_flow_file(tmp_path))


def canary_flow_file(tmp_path: Path) -> Path:
    path = tmp_path / "canary.yaml"
    path.write_text(CANARY_FLOW)
    return path


def secret_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(EW_PW=PASSWORD, EW_PIN=PIN, **extra)
    return env


# -- the policy: which names are secret --------------------------------------------------


def test_secret_names_are_a_property_of_the_flow(tmp_path: Path) -> None:
    flow = canary_flow(tmp_path)
    assert flow.secret_names == {"password", "pin"}


def test_a_secret_ask_answer_on_the_command_line_is_refused_without_echoing_it(
        tmp_path: Path) -> None:
    result = cli("run", str(canary_flow_file(tmp_path)), "--secret-env", "password=EW_PW",
                 "--set", f"pin={PIN}", env=secret_env())
    assert result.returncode == 2, result.stdout
    assert "pin is a secret" in result.stderr
    assert PIN not in result.stdout + result.stderr


# -- redaction rules ---------------------------------------------------------------------


def test_a_short_password_is_not_cut_out_of_other_words() -> None:
    redact = Redactor(["smtp"])
    assert redact.text(f"connected to {HOST}:587") == f"connected to {HOST}:587"
    assert redact.text("smtp_sasl_password_maps = hash:/etc/postfix/sasl") == (
        "smtp_sasl_password_maps = hash:/etc/postfix/sasl")
    assert redact.text("smtp") == REDACTED
    assert redact.text("password=smtp, user=alice") == f"password={REDACTED}, user=alice"


def test_whole_values_and_structures_are_redacted() -> None:
    redact = Redactor([PASSWORD])
    assert redact.value({"a": [PASSWORD, f"pw {PASSWORD}."], "n": 3}) == {
        "a": [REDACTED, f"pw {REDACTED}."], "n": 3}


def test_a_braced_inline_map_is_hidden_whole() -> None:
    line = "smtp_sasl_password_maps = static:{user:Canary Brace-99 with spaces}, hash:/x"
    assert redact_inline_maps(line) == (
        "smtp_sasl_password_maps = static:{<redacted>}, hash:/x")
    assert redact_inline_maps("inline:{ {a=b} c=d } hash:/y") == "inline:{<redacted>} hash:/y"
    assert redact_inline_maps("static:u:p, hash:/y") == "static:<redacted>, hash:/y"
    assert redact_inline_maps("static:{unclosed Brace-99") == "static:{<redacted>}"
    assert split_map_list("static:{user:a b c}, hash:/etc/postfix/sasl") == [
        "static:{user:a b c}", "hash:/etc/postfix/sasl"]


def test_a_braced_static_map_is_not_taken_for_a_map_file() -> None:
    check = sasl_password_map("static:{user:Canary Brace-99 with spaces}", "/etc/postfix", "",
                              lambda path: None)
    assert check.state == "built"
    assert "Brace-99" not in repr(check)


async def test_postfix_config_hides_a_braced_static_map_whole(tmp_path: Path) -> None:
    conf = write_config_dir(tmp_path / "conf", (
        "relayhost = [smtp.example.com]:587\n"
        "smtp_sasl_auth_enable = yes\n"
        "smtp_sasl_password_maps = static:{user:Canary Brace-99 with spaces}\n"))
    result = await RegistryRunner(ProbeContext(timeout=5)).run(
        "postfix.config", {"config_directory": str(conf)})
    assert result.outcome == "read", result.summary
    everything = repr((result.summary, result.evidence, dict(result.facts)))
    assert "Brace-99" not in everything and "Canary" not in everything
    assert result.facts["smtp_sasl_password_maps"] == "static:{<redacted>}"
    assert result.facts["sasl_password_map"] == "built"


# -- the CLI: JSON, text, Markdown report ------------------------------------------------


@pytest.mark.parametrize("as_json", [True, False])
def test_the_cli_never_shows_a_templated_secret(tmp_path: Path, as_json: bool) -> None:
    args = ["run", str(canary_flow_file(tmp_path)), "--secret-env", "password=EW_PW",
            "--secret-env", "pin=EW_PIN"] + (["--json"] if as_json else [])
    result = cli(*args, env=secret_env())
    assert result.returncode == 1, result.stderr
    out = result.stdout + result.stderr
    assert PASSWORD not in out and PIN not in out
    assert HOST in out
    if as_json:
        report = json.loads(result.stdout)
        assert report["inputs"]["password"] == REDACTED
        assert report["findings"][0]["message"] == (
            f"login {REDACTED} / {REDACTED} refused by {HOST}")
        fix = report["fixes"][0]
        assert fix["title"] == f"Rotate {REDACTED}"
        assert fix["actions"][0]["value"] == f"static:user:{REDACTED}"
        assert fix["actions"][1]["instruction"] == f"rotate {REDACTED}"
        assert report["message"] == f"Finished with {REDACTED} and {REDACTED} on {HOST}."
    else:
        assert f"Rotate {REDACTED}" in result.stdout


def test_a_short_password_leaves_host_names_whole_in_the_cli(tmp_path: Path) -> None:
    result = cli("run", str(canary_flow_file(tmp_path)), "--secret-env", "password=EW_SHORT",
                 "--secret-env", "pin=EW_PIN", "--json", env=secret_env(EW_SHORT="smtp"))
    report = json.loads(result.stdout)
    assert report["findings"][0]["message"] == (
        f"login {REDACTED} / {REDACTED} refused by {HOST}")
    assert f"{REDACTED}.email" not in result.stdout


async def test_the_markdown_report_never_shows_a_templated_secret(tmp_path: Path) -> None:
    flow = canary_flow(tmp_path)
    session = Session.start(flow, {"password": PASSWORD, "pin": PIN},
                            RegistryRunner(ProbeContext(timeout=1)))
    await run_to_end(session)
    markdown = session_markdown(session)
    report = json.dumps(session_json(session))
    for text in (markdown, report):
        assert PASSWORD not in text and PIN not in text
        assert HOST in text
    assert f"Rotate {REDACTED}" in markdown
    assert session.fixes[0].actions[0].value == f"static:user:{PASSWORD}", (
        "--apply still gets the real value")


# -- the TUI: the walk screen, the step details, the saved report ------------------------


async def test_the_walk_screen_never_shows_a_templated_secret(tmp_path: Path) -> None:
    from tests.tui.fakes import ScriptedRunner, screen_text, settle, still_app
    from wizard.tui.screens.dialogs import SaveScreen, StepDetailScreen
    from wizard.tui.screens.walk import WalkScreen

    flow = canary_flow(tmp_path)
    app = still_app(ScriptedRunner({}), [flow], sessions_folder=tmp_path / "sessions")
    seen: list[str] = []
    async with app.run_test(size=(120, 50)) as pilot:
        main_cf = tmp_path / "main.cf"
        main_cf.write_text("relayhost = [smtp.example.com]:587\n")
        session = Session.start(flow, {"password": PASSWORD, "main_cf": str(main_cf)},
                                ScriptedRunner({}))
        await app.push_screen(WalkScreen(session))
        await settle(pilot)
        await pilot.press(*PIN, "enter")
        await settle(pilot)
        for _ in range(4):
            if session.finished:
                break
            await pilot.press("enter")
            await settle(pilot)
        assert session.finished, session.current
        text = screen_text(app)
        seen += [text, app.export_screenshot()]
        assert f"login {REDACTED} / {REDACTED} refused by {HOST}" in text
        assert f"Rotate {REDACTED}" in text
        assert f"Finished with {REDACTED} and {REDACTED} on {HOST}." in text
        assert f"+smtp_sasl_password_maps = static:user:{REDACTED}" in text, "the diff"
        app.screen.query_one("#trail").focus()
        await pilot.press("home", "enter")
        await settle(pilot)
        assert isinstance(app.screen, StepDetailScreen)
        seen += [screen_text(app), app.export_screenshot()]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SaveScreen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await pilot.pause()
        seen.append(app.clipboard)
    saved = sorted((tmp_path / "sessions").iterdir())
    assert [p.suffix for p in saved] == [".json", ".md"]
    seen += [p.read_text() for p in saved]
    for picture in seen:
        assert PASSWORD not in picture and PIN not in picture
    assert f"static:user:{REDACTED}" in saved[0].read_text()


async def test_an_applicable_fix_whose_target_renders_empty_ends_the_run_cleanly(
        tmp_path: Path) -> None:
    flow = canary_flow(tmp_path)
    session = Session.start(flow, {"password": PASSWORD, "pin": PIN, "main_cf": ""},
                            RegistryRunner(ProbeContext(timeout=1)))
    await run_to_end(session)
    assert session.status == "error"
    assert "needs 'applies_to'" in (session.error or "")
    assert PASSWORD not in json.dumps(session_json(session))
