"""The command-line contract: list, run's exit codes and bad input, schema, secrets."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import ROOT, cli

CANARY = "Canary-Pa55w0rd-7f3e9"

SECRET_FLOW = """\
id: secret-demo
title: Secret demo
description: Uses a secret in a probe parameter and in a fix message.
inputs:
  host: {type: host, required: true}
  port: {type: port, required: true}
  password: {type: secret, required: true}
start: connect
steps:
  connect:
    kind: probe
    title: Connect with {password}
    probe: tcp.connect
    with: {host: "{host}", port: "{port}"}
    on: {default: report}
  report:
    kind: fix
    findings:
      - id: demo.leak
        message: "tried {host} with password {password} and got {connect.outcome}"
    fixes:
      - id: demo.fix
        title: Do not use {password}
        actions:
          - {type: console, instruction: "rotate {password}"}
"""


def env_with(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env


def test_list_json_names_the_bundled_flows_with_their_inputs() -> None:
    result = cli("list", "--json")
    assert result.returncode == 0
    flows = {f["id"]: f for f in json.loads(result.stdout)["flows"]}
    tcp = flows["tcp-port"]
    assert tcp["origin"] == "bundled"
    assert tcp["inputs"]["host"]["required"] is True
    assert tcp["inputs"]["port"] == {"type": "port", "required": False, "default": 587,
                                     "help": tcp["inputs"]["port"]["help"]}


def test_user_flows_are_listed_beside_the_bundled_ones(tmp_path: Path) -> None:
    config = tmp_path / "cfg"
    (config / "flows").mkdir(parents=True)
    (config / "flows" / "mine.yaml").write_text(SECRET_FLOW)
    result = cli("list", "--json", env=env_with(EMAIL_WIZARD_CONFIG_DIR=str(config)))
    flows = {f["id"]: f for f in json.loads(result.stdout)["flows"]}
    assert flows["secret-demo"]["origin"] == "user"
    assert "tcp-port" in flows


def test_xdg_config_home_is_honoured(tmp_path: Path) -> None:
    (tmp_path / "email-wizard" / "flows").mkdir(parents=True)
    (tmp_path / "email-wizard" / "flows" / "mine.yaml").write_text(SECRET_FLOW)
    env = env_with(XDG_CONFIG_HOME=str(tmp_path))
    env.pop("EMAIL_WIZARD_CONFIG_DIR", None)
    result = cli("list", env=env)
    assert "secret-demo" in result.stdout and "(user)" in result.stdout


def test_broken_user_flow_is_reported_not_fatal(tmp_path: Path) -> None:
    config = tmp_path / "cfg"
    (config / "flows").mkdir(parents=True)
    (config / "flows" / "bad.yaml").write_text("id: bad\ntitle: [\n")
    result = cli("list", env=env_with(EMAIL_WIZARD_CONFIG_DIR=str(config)))
    assert result.returncode == 0
    assert "tcp-port" in result.stdout
    assert "bad.yaml:" in result.stderr and "YAML syntax error" in result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "no-such-flow"], "unknown flow 'no-such-flow'"),
        (["run", "tcp-prot"], "did you mean 'tcp-port'?"),
        (["run", "tcp-port"], "needs input host"),
        (["run", "tcp-port", "--set", "host=127.0.0.1", "--set", "port=70000"],
         "port: 70000 is out of range"),
        (["run", "tcp-port", "--set", "host=127.0.0.1", "--set", "port=smtp"],
         "'smtp' is not a port number"),
        (["run", "tcp-port", "--set", "host=exa mple..com"], "not a valid domain name"),
        (["run", "tcp-port", "--set", "host=127.0.0.1", "--set", "hots=x"],
         "has no input 'hots' (did you mean 'host'?)"),
        (["run", "tcp-port", "--set", "host"], "expected NAME=VALUE"),
        (["run", "tcp-port", "--set", "host=127.0.0.1", "--nameserver", "dns.example"],
         "is not an IP address"),
        (["run", "tcp-port", "--set", "host=127.0.0.1", "--nameserver", "127.0.0.1:0"],
         "out of range"),
        (["run", "tcp-port", "--set", "host=127.0.0.1", "--timeout", "0"], "--timeout"),
        (["run", "tcp-port", "--set", "host=127.0.0.1", "--timeout", "soon"], "invalid float"),
        (["run", "tcp-port", "--set", "host=127.0.0.1", "--ca-file", "/nonexistent.pem"],
         "cannot read"),
        (["run", "tcp-port", "--set", "host=@/nonexistent/file"], "cannot read"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(args: list[str], expected: str) -> None:
    result = cli(*args)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_flow_file_with_defects_is_refused_before_running(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(SECRET_FLOW.replace("kind: fix", "kind: fixx"))
    result = cli("run", str(path))
    assert result.returncode == 2
    assert f"{path}:" in result.stderr and "Traceback" not in result.stderr


def test_a_secret_on_the_command_line_is_refused_without_echoing_it(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(SECRET_FLOW)
    result = cli("run", str(path), "--set", "host=127.0.0.1", "--set", "port=1",
                 "--set", f"password={CANARY}")
    assert result.returncode == 2
    assert "--secret-env password=" in result.stderr
    assert CANARY not in result.stderr + result.stdout


@pytest.mark.parametrize("how", ["file", "env"])
@pytest.mark.parametrize("as_json", [True, False])
def test_a_secret_never_appears_in_output(tmp_path: Path, closed_port: int, how: str,
                                          as_json: bool) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(SECRET_FLOW)
    secret_file = tmp_path / "pw"
    secret_file.write_text(CANARY + "\n")
    args = ["run", str(path), "--set", "host=127.0.0.1", "--set", f"port={closed_port}"]
    env = env_with()
    if how == "file":
        args += ["--set", f"password=@{secret_file}"]
    else:
        args += ["--secret-env", "password=EW_TEST_PW"]
        env["EW_TEST_PW"] = CANARY
    if as_json:
        args.append("--json")
    result = cli(*args, env=env)
    assert result.returncode == 1, result.stderr
    assert CANARY not in result.stdout and CANARY not in result.stderr
    assert "********" in result.stdout
    if as_json:
        out = json.loads(result.stdout)
        assert out["inputs"]["password"] == "********"
        assert "********" in out["findings"][0]["message"]


def test_secret_env_naming_an_unset_variable_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(SECRET_FLOW)
    env = env_with()
    env.pop("EW_UNSET_VAR", None)
    result = cli("run", str(path), "--set", "host=127.0.0.1", "--set", "port=1",
                 "--secret-env", "password=EW_UNSET_VAR", env=env)
    assert result.returncode == 2
    assert "EW_UNSET_VAR is not set" in result.stderr


def test_committed_schema_is_current() -> None:
    result = cli("schema")
    assert result.returncode == 0
    committed = (ROOT / "schema" / "flow.schema.json").read_text()
    assert json.loads(result.stdout) == json.loads(committed), (
        "schema/flow.schema.json is stale: run `email-wizard schema > schema/flow.schema.json`")


def test_schema_describes_the_step_kinds() -> None:
    schema = json.loads(cli("schema").stdout)
    kinds = {d["properties"]["kind"]["const"] for name, d in schema["$defs"].items()
             if name.endswith("Step")}
    assert kinds == {"ask", "probe", "switch", "fix", "end", "sequence", "flow"}


def test_help_and_version() -> None:
    assert cli("--help").returncode == 0
    assert "email-wizard" in cli("--version").stdout


def test_committed_probe_reference_is_current() -> None:
    result = cli("probes", "--markdown")
    assert result.returncode == 0
    committed = (ROOT / "docs" / "probes.md").read_text()
    assert result.stdout == committed, (
        "docs/probes.md is stale: run `email-wizard probes --markdown > docs/probes.md`")


def test_probes_json_lists_outcomes_and_facts() -> None:
    probes = {p["name"]: p for p in json.loads(cli("probes", "--json").stdout)["probes"]}
    tcp = probes["tcp.connect"]
    assert set(tcp["outcomes"]) == {"open", "refused", "timeout", "unreachable", "name_not_found",
                                    "lookup_timeout"}
    assert tcp["facts"]["connect_ms"]["outcomes"] == ["open"]
    assert tcp["params"]["host"]["required"] is True


WRITING_FLOW = """\
id: writes-anywhere
title: Writes anywhere
description: A third-party flow whose applicable fix names a file of its own choosing.
inputs:
  config_directory: {{type: text}}
start: oops
steps:
  oops:
    kind: fix
    title: A fix that edits {target}
    findings:
      - {{id: writes.finding, severity: error, message: something}}
    fixes:
      - id: writes.fix
        title: Edit it
        applicable: true
        applies_to: "{target}"
        actions:
          - {{type: postconf, op: set, param: smtp_tls_security_level, value: may}}
"""


@pytest.mark.parametrize("target", [".bashrc", "elsewhere/main.cf"])
def test_apply_writes_only_into_a_main_cf_the_user_named(tmp_path: Path, target: str) -> None:
    """A flow made --apply append a line to ~/.bashrc; now it is refused, exit 3, JSON kept."""
    named = tmp_path / "named"
    named.mkdir()
    (named / "main.cf").write_text("relayhost =\n")
    victim = tmp_path / target
    victim.parent.mkdir(exist_ok=True)
    victim.write_text("relayhost =\n")
    flow = tmp_path / "writes.yaml"
    flow.write_text(WRITING_FLOW.format(target=victim))
    result = cli("run", str(flow), "--set", f"config_directory={named}", "--apply", "--json")
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    out = json.loads(result.stdout)
    assert out["status"] == "problem" and out["applied"] == []
    assert "--apply edits only the main.cf" in out["apply_error"]
    assert victim.read_text() == "relayhost =\n"
    assert (named / "main.cf").read_text() == "relayhost =\n"
    assert sorted(p.name for p in tmp_path.rglob("*") if "email-wizard" in p.name) == []


@pytest.mark.parametrize(("signum", "code"), [(2, 130), (15, 143)])
def test_a_signal_during_the_apply_check_keeps_the_original_and_the_json(
        tmp_path: Path, signum: int, code: int) -> None:
    """Ctrl-C or SIGTERM while ``postfix check`` runs (a slow fake postfix first in PATH)."""
    conf = tmp_path / "postfix"
    conf.mkdir()
    (conf / "main.cf").write_text("relayhost =\n")
    (conf / "master.cf").write_text("")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = tmp_path / "check-started"
    (bin_dir / "postfix").write_text(f"#!/bin/sh\ntouch {marker}\nexec sleep 30\n")
    (bin_dir / "postfix").chmod(0o755)
    flow = tmp_path / "writes.yaml"
    flow.write_text(WRITING_FLOW.format(target="{config_directory}/main.cf"))
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "wizard", "run", str(flow), "--set", f"config_directory={conf}",
         "--apply", "--json"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert time.monotonic() < deadline and child.poll() is None, child.communicate()
            time.sleep(0.05)
        child.send_signal(signal.Signals(signum))
        out, err = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode == code
    assert "Traceback" not in err and "put back unchanged" in err
    [applied] = json.loads(out)["applied"]
    assert applied["outcome"] == "interrupted" and applied["backup"] is None
    assert (conf / "main.cf").read_text() == "relayhost =\n"
    assert sorted(p.name for p in conf.iterdir()) == ["main.cf", "master.cf"]


def test_help_list_validate_and_runs_without_the_api_do_not_import_the_oci_sdk(
        tmp_path: Path) -> None:
    """The oci SDK is large and optional: only steps that talk to the API import it."""
    code = (
        "import sys\nfrom wizard.cli import main\n"
        "for argv in (['--help'], ['run', '--help']):\n"
        "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
        "main(['list', '--json'])\n"
        "main(['validate', 'flows/tcp-port.yaml', 'flows/dkim-needs-attention.yaml'])\n"
        "main(['probes', '--json'])\n"
        "main(['run', 'tcp-port', '--set', 'host=127.0.0.1', '--set', 'port=1', '--json',"
        " '--timeout', '1'])\n"
        "bad = sorted(m for m in sys.modules if m == 'oci' or m.startswith('oci.'))\n"
        "assert not bad, bad[:5]\n"
    )
    import subprocess
    import sys

    env = env_with(OCI_CLI_CONFIG_FILE=str(tmp_path / "none"))
    env.pop("OCI_CLI_PROFILE", None)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env={**env, "OCI_CLI_CONFIG_FILE": ""})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("command", [["run", "tcp-port", "--set", "host=127.0.0.1",
                                      "--set", "port=1"], ["scan", "-"]])
@pytest.mark.parametrize("timeout", ["0", "-1", "601", "nan"])
def test_a_timeout_out_of_range_says_what_range(command: list[str], timeout: str) -> None:
    """``--timeout 0`` said "must be between 0 and 600 seconds" — 0 is between (found by
    trying the wizard as a new user); run and scan now share one check."""
    result = cli(*command, "--timeout", timeout, stdin="")
    assert result.returncode == 2, result.stderr
    assert "must be more than 0 and at most 600 seconds" in result.stderr
    assert "Traceback" not in result.stderr
