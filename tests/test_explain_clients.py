"""Errors applications and mail servers raise go to the flow that finds the cause, inputs filled.

Connectivity (timeouts, refusals) → port-connectivity; TLS → port-connectivity (or postfix-tls
for Postfix); credentials → undelivered-mail, whose envelope test logs in (or postfix-tls for
Postfix's SASL). The pastes are in tests/explain_pastes.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.explain_pastes import CLIENT_PASTES, HOST, paste_forms
from tests.helpers import cli
from wizard.catalog import explain, explanation_json, load_error_catalog
from wizard.catalog.loader import CLIENT_CATALOG, catalog_path
from wizard.validate import validate_file

CATALOG = load_error_catalog()
CLIENTS = [e for e in CATALOG.catalog.entries if e.protocol == "client"]
CASES = [(entry_id, name, text, inputs) for entry_id, forms in CLIENT_PASTES.items()
         for name, (text, inputs) in forms.items()]
APP_CREDENTIALS = [(e, n, t) for e, n, t, _ in CASES
                   if CATALOG.entry(e).topic == "auth_failed" and CATALOG.entry(e).client
                   not in ("postfix",)]


def test_every_client_entry_has_realistic_pastes_and_every_paste_an_entry() -> None:
    assert {e.id for e in CLIENTS} == set(CLIENT_PASTES)
    for entry in CLIENTS:
        assert len(paste_forms(entry)) >= 3, entry.id
    assert {e.client for e in CLIENTS} == {"python", "java", "node", "dotnet", "php", "postfix",
                                           "sendmail"}


@pytest.mark.parametrize(("entry_id", "form", "text", "inputs"), CASES,
                         ids=[f"{e}-{f}" for e, f, _, _ in CASES])
def test_client_error_ranks_first_and_fills_the_flows_inputs(
        entry_id: str, form: str, text: str, inputs: dict[str, str]) -> None:
    matches = explain(text, CATALOG).matches
    assert matches and matches[0].entry.id == entry_id, [m.entry.id for m in matches]
    best = matches[0]
    assert best.flow == CATALOG.entry(entry_id).flow
    assert best.inputs == inputs


@pytest.mark.parametrize(("entry_id", "form", "text"), APP_CREDENTIALS,
                         ids=[f"{e}-{f}" for e, f, _ in APP_CREDENTIALS])
def test_an_applications_rejected_credentials_never_go_to_the_postfix_flow(
        entry_id: str, form: str, text: str) -> None:
    matches = explain(text, CATALOG).matches
    assert [m.flow for m in matches if m.flow == "postfix-tls"] == []
    assert matches[0].flow == "undelivered-mail"


def test_python_535_goes_to_the_credentials_check_with_host_and_port() -> None:
    text = CLIENT_PASTES["python-authentication-error"]["traceback"][0]
    ids = [(m.entry.id, m.flow) for m in explain(text, CATALOG).matches]
    assert ids == [("python-authentication-error", "undelivered-mail"),
                   ("smtp-535-credentials-invalid", "undelivered-mail")]


def test_the_same_535_in_a_postfix_log_goes_to_the_postfix_flow() -> None:
    text = CLIENT_PASTES["postfix-sasl-failed"]["said"][0]
    assert [m.flow for m in explain(text, CATALOG).matches] == ["postfix-tls", "postfix-tls"]


def test_a_bare_reply_keeps_its_own_flow() -> None:
    [match] = explain("535 Authentication credentials invalid", CATALOG).matches
    assert match.flow == "postfix-tls" and match.inputs == {}


def test_a_nested_cause_ranks_before_the_wrapper_that_reports_it() -> None:
    text = CLIENT_PASTES["java-ssl-handshake"]["nested_connect"][0]
    assert [m.entry.id for m in explain(text, CATALOG).matches] == [
        "java-ssl-handshake", "java-could-not-connect"]


def test_cli_prints_the_run_command_with_the_inputs_filled() -> None:
    text = CLIENT_PASTES["python-timeout"]["traceback"][0]
    result = cli("explain", "-", stdin=text)
    assert result.returncode == 0, result.stderr
    assert f"Continue with: email-wizard run port-connectivity --set host={HOST} " \
           "--set ports=587" in result.stdout
    assert "python:" in result.stdout and "None" not in result.stdout


def test_cli_json_carries_the_flow_and_its_inputs() -> None:
    text = CLIENT_PASTES["postfix-tls-failed"]["verify"][0]
    result = cli("explain", "--json", "-", stdin=text)
    assert result.returncode == 0, result.stderr
    [match] = json.loads(result.stdout)["matches"]
    assert (match["id"], match["protocol"], match["client"], match["code"]) == (
        "postfix-tls-failed", "client", "postfix", None)
    assert match["flow"] == "postfix-tls"
    assert match["inputs"] == {"relayhost": f"[{HOST}]:587"}


def test_json_of_an_application_535_names_the_credentials_flow_for_every_match() -> None:
    text = CLIENT_PASTES["node-eauth"]["nodemailer"][0]
    flows = {m["flow"] for m in explanation_json(explain(text, CATALOG))["matches"]}
    assert flows == {"undelivered-mail"}


def test_the_client_catalog_passes_validate() -> None:
    result = cli("validate", str(catalog_path(CLIENT_CATALOG)))
    assert result.returncode == 0, result.stdout + result.stderr


def _copy(tmp_path: Path, old: str, new: str) -> Path:
    text = catalog_path(CLIENT_CATALOG).read_text(encoding="utf-8")
    assert old in text
    folder = tmp_path / "catalog"
    folder.mkdir()
    target = folder / "client-errors.yaml"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def test_validate_rejects_an_input_the_flow_does_not_have(tmp_path: Path) -> None:
    path = _copy(tmp_path, 'inputs: {host: "{host}", ports: "{port}"}\n    rank: 1\n\n'
                 "  - id: python-connection-refused",
                 'inputs: {host: "{host}", port: "{port}"}\n    rank: 1\n\n'
                 "  - id: python-connection-refused")
    [diag] = validate_file(path, display="client-errors.yaml")
    assert "flow 'port-connectivity' has no input 'port' (did you mean 'ports'?)" in str(diag)


def test_validate_rejects_an_input_filled_from_no_capture(tmp_path: Path) -> None:
    path = _copy(tmp_path, 'inputs: {relayhost: "[{host}]:{port}"}\n    rank: 2',
                 'inputs: {relayhost: "[{hots}]:{port}"}\n    rank: 2')
    [diag] = validate_file(path, display="client-errors.yaml")
    assert "unknown capture {hots} (did you mean 'host'?)" in str(diag)


def test_a_client_entry_cannot_carry_a_reply_code(tmp_path: Path) -> None:
    path = _copy(tmp_path, "    client: python\n    reply: \"TimeoutError: timed out\"",
                 "    client: python\n    code: 421\n    reply: \"TimeoutError: timed out\"")
    [diag] = validate_file(path, display="client-errors.yaml")
    assert "a client entry has no 'code'" in str(diag)


def test_every_filled_input_passes_the_flows_own_input_checks() -> None:
    from wizard.flow.loader import discover
    from wizard.inputs import check_input

    flows = {flow_id: flow for flow_id, (flow, _) in discover().flows.items()}
    checked = 0
    for _, _, text, _ in CASES:
        for match in explain(text, CATALOG).matches:
            flow = flows[match.flow]
            for name, value in match.inputs.items():
                check_input(name, flow.inputs[name], value)
                checked += 1
    assert checked >= 40
