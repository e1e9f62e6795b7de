"""The postfix-tls flow end to end, headless: real Postfix config dirs, real relays on loopback.

Each test writes a Postfix configuration directory with ``postconf -c DIR -e``
(a real instance's directory from tests/servers/postfix.py, not started) and
runs ``email-wizard run postfix-tls`` against it; the live STARTTLS step talks
to the relays of tests/servers/relay_fixtures.py on 127.x.y.z:587, trusted
through ``--ca-file``. Every terminal state of the flow is reached here; the
fixes' actions are asserted exactly; ``--apply`` is shown to edit main.cf so
that ``postconf -n`` has the new values and a re-run is healthy, to roll back
byte-identical when ``postfix check`` fails, and to refuse a read-only main.cf.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT, cli
from tests.servers.postfix import PostfixInstance, settle
from tests.servers.relay_fixtures import TlsRelays
from tests.servers.smtp import PASSWORD, USER, secret_forms

FLOW = "postfix-tls"
MakePostfix = Callable[[], PostfixInstance]


def postconf(directory: Path, *args: str) -> str:
    return subprocess.run(["postconf", "-c", str(directory), *args], capture_output=True,
                          text=True, check=True, timeout=60).stdout


def postconf_n(directory: Path) -> dict[str, str]:
    pairs = (line.partition("=") for line in postconf(directory, "-n").splitlines())
    return {name.strip(): value.strip() for name, _, value in pairs}


def write_config(make_postfix: MakePostfix, relays: TlsRelays | None,
                 settings: dict[str, str], sasl_map: bool = True) -> Path:
    """A real Postfix config dir: the test instance's basics plus ``settings``.

    With ``sasl_map``, a hash map at DIR/sasl_passwd holding the test account is
    written and built with postmap (and named in smtp_sasl_password_maps unless
    ``settings`` says otherwise).
    """
    conf = make_postfix().config_directory
    postconf(conf, "-X", "relayhost")
    settle(conf / "main.cf")
    if sasl_map:
        source = conf / "sasl_passwd"
        relay = relays.relayhost("good") if relays else "[relay.test]:587"
        source.write_text(f"{relay} {USER}:{PASSWORD}\n")
        source.chmod(0o600)
        subprocess.run(["postmap", "-c", str(conf), f"hash:{source}"], check=True, timeout=60)
        settings = {"smtp_sasl_password_maps": f"hash:{source}", **settings}
    if settings:
        postconf(conf, "-e", *(f"{name}={value}" for name, value in settings.items()))
    settle(conf / "main.cf")
    return conf


def healthy_settings(relays: TlsRelays) -> dict[str, str]:
    return {
        "relayhost": relays.relayhost("good"),
        "smtp_tls_security_level": "may",
        "smtp_sasl_auth_enable": "yes",
        "smtp_sasl_security_options": "noanonymous",
    }


def run_flow(conf: Path | None, *sets: str, ca_file: str | None = None, apply: bool = False,
             env: dict[str, str] | None = None, timeout: str = "5",
             set_directory: bool = True, choose: str = "") -> tuple[int, dict[str, Any]]:
    args = ["run", FLOW, "--json", "--timeout", timeout]
    if conf is not None and set_directory:
        args += ["--set", f"config_directory={conf}"]
    for item in sets:
        args += ["--set", item]
    if ca_file:
        args += ["--ca-file", ca_file]
    if apply:
        args.append("--apply")
    if choose:
        args += ["--choose", choose]
    result = cli(*args, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    for secret in secret_forms():
        assert secret not in result.stdout + result.stderr
    return result.returncode, json.loads(result.stdout)


def path(out: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["step"], e["outcome"]) for e in out["trail"]]


def last_step(out: dict[str, Any]) -> str:
    return str(out["trail"][-1]["step"])


def finding_ids(out: dict[str, Any]) -> list[str]:
    return [f["id"] for f in out["findings"]]


def fixes(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in out["fixes"]}


# --- healthy, and everything wrong at once ----------------------------------------------------

def test_a_clean_relay_configuration_is_healthy_after_a_live_starttls_check(
        make_postfix: MakePostfix, tls_relays: TlsRelays) -> None:
    conf = write_config(make_postfix, tls_relays, healthy_settings(tls_relays))
    code, out = run_flow(conf, ca_file=tls_relays.ca_file)
    assert (code, out["status"]) == (0, "healthy"), out
    assert out["findings"] == [] and out["fixes"] == []
    assert path(out) == [
        ("read", "read"), ("version", "yes"), ("relay", "ok"), ("legacy", "unset"),
        ("level", "may"), ("protocols", "yes"), ("sasl_enable", "yes"),
        ("sasl_map", "built"), ("sasl_options", "yes"), ("sasl_tls_options", "inherited"),
        ("sasl_filter", "yes"), ("live_target", "default"), ("live", "ready"),
        ("relay_ready", "healthy"),
    ]
    assert out["message"].startswith(f"{tls_relays.good}:587 upgraded to TLSv1.3")
    assert "AUTH LOGIN, PLAIN after STARTTLS" in out["message"]


BROKEN: dict[str, str] = {
    "smtp_use_tls": "yes",
    "smtp_tls_protocols": "TLSv1, TLSv1.1",
    "smtp_tls_mandatory_protocols": "!SSLv2, !SSLv3, !TLSv1.2, !TLSv1.3",
    "smtp_sasl_tls_security_options": "noplaintext, noanonymous",
    "smtp_sasl_mechanism_filter": "login",
}
"""Every fixable defect at once (besides the relayhost without brackets and SASL left off)."""

BROKEN_FIXES: dict[str, list[dict[str, Any]]] = {
    "postfix.set-relayhost": [{"type": "postconf", "op": "set", "param": "relayhost",
                               "value": "[{good}]:587"}],
    "postfix.tls-level-may": [
        {"type": "postconf", "op": "remove", "param": "smtp_use_tls", "value": ""},
        {"type": "postconf", "op": "remove", "param": "smtp_enforce_tls", "value": ""},
        {"type": "postconf", "op": "set", "param": "smtp_tls_security_level", "value": "may"}],
    "postfix.tls-level-encrypt": [
        {"type": "postconf", "op": "remove", "param": "smtp_use_tls", "value": ""},
        {"type": "postconf", "op": "remove", "param": "smtp_enforce_tls", "value": ""},
        {"type": "postconf", "op": "set", "param": "smtp_tls_security_level",
         "value": "encrypt"}],
    "postfix.tls-protocols": [
        {"type": "postconf", "op": "set", "param": "smtp_tls_protocols", "value": ">=TLSv1.2"},
        {"type": "postconf", "op": "set", "param": "smtp_tls_mandatory_protocols",
         "value": ">=TLSv1.2"}],
    "postfix.sasl-enable": [{"type": "postconf", "op": "set", "param": "smtp_sasl_auth_enable",
                             "value": "yes"}],
    "postfix.sasl-noanonymous": [{"type": "postconf", "op": "set",
                                  "param": "smtp_sasl_security_options",
                                  "value": "noanonymous"}],
    "postfix.sasl-tls-noanonymous": [{"type": "postconf", "op": "set",
                                      "param": "smtp_sasl_tls_security_options",
                                      "value": "noanonymous"}],
    "postfix.sasl-filter-plain": [{"type": "postconf", "op": "set",
                                   "param": "smtp_sasl_mechanism_filter",
                                   "value": "login, plain"}],
}


def broken_config(make_postfix: MakePostfix, relays: TlsRelays) -> Path:
    return write_config(make_postfix, relays, {"relayhost": f"{relays.good}:587", **BROKEN})


def expected_broken_fixes(relays: TlsRelays) -> dict[str, list[dict[str, Any]]]:
    text = json.dumps(BROKEN_FIXES).replace("{good}", relays.good)
    return dict(json.loads(text))


def test_every_problem_is_found_in_one_run_with_its_exact_postconf_actions(
        make_postfix: MakePostfix, tls_relays: TlsRelays) -> None:
    conf = broken_config(make_postfix, tls_relays)
    before = (conf / "main.cf").read_bytes()
    code, out = run_flow(conf, ca_file=tls_relays.ca_file)
    assert (code, out["status"]) == (1, "problem")
    assert finding_ids(out) == [
        "postfix.relayhost-form", "postfix.legacy-tls", "postfix.tls-protocols",
        "postfix.sasl-disabled", "postfix.sasl-security-options",
        "postfix.sasl-tls-security-options", "postfix.sasl-mechanism-filter"]
    assert {fix_id: fix["actions"] for fix_id, fix in fixes(out).items()} == \
        expected_broken_fixes(tls_relays)
    applicable = {fix_id for fix_id, fix in fixes(out).items() if fix["applicable"]}
    assert applicable == set(BROKEN_FIXES), "may and encrypt are alternatives, both applicable"
    assert out["alternatives"] == [{"group": "legacy_may", "chosen": None, "alternatives": [
        "postfix.tls-level-may", "postfix.tls-level-encrypt"]}]
    offered = [(f["alternative_group"], f["alternative"]) for f in out["fixes"]
               if "alternative" in f]
    assert offered == [("legacy_may", "postfix.tls-level-may"),
                       ("legacy_may", "postfix.tls-level-encrypt")]
    assert all(fix["applies_to"] == str(conf / "main.cf") for fix in out["fixes"]
               if fix["applicable"])
    assert last_step(out) == "relay_ready"
    assert "smtp_use_tls = yes: deprecated" in out["findings"][1]["message"]
    assert "smtp_tls_protocols = TLSv1, TLSv1.1, smtp_tls_mandatory_protocols = " \
        "!SSLv2, !SSLv3, !TLSv1.2, !TLSv1.3" in out["findings"][2]["message"]
    assert (conf / "main.cf").read_bytes() == before, "nothing changes without --apply"


def test_apply_fixes_main_cf_postconf_shows_the_values_and_a_rerun_is_healthy(
        make_postfix: MakePostfix, tls_relays: TlsRelays) -> None:
    conf = broken_config(make_postfix, tls_relays)
    code, out = run_flow(conf, ca_file=tls_relays.ca_file, apply=True,
                         choose="postfix.tls-level-may")
    assert code == 1
    assert out["alternatives"] == [{"group": "legacy_may", "chosen": "postfix.tls-level-may",
                                    "alternatives": ["postfix.tls-level-may",
                                                     "postfix.tls-level-encrypt"]}]
    [applied] = out["applied"]  # one file: one plan, one backup, one postfix check
    assert applied["fixes"] == [
        "postfix.set-relayhost", "postfix.tls-level-may", "postfix.tls-protocols",
        "postfix.sasl-enable", "postfix.sasl-noanonymous", "postfix.sasl-tls-noanonymous",
        "postfix.sasl-filter-plain"]
    assert applied["applied"] and not applied["rolled_back"] and applied["check"]["ok"]
    assert Path(applied["backup"]).exists()
    assert len(list(conf.glob("main.cf.email-wizard-*.bak"))) == 1
    values = postconf_n(conf)
    assert "smtp_use_tls" not in values
    assert {name: values[name] for name in (
        "relayhost", "smtp_tls_security_level", "smtp_tls_protocols",
        "smtp_tls_mandatory_protocols", "smtp_sasl_auth_enable", "smtp_sasl_security_options",
        "smtp_sasl_tls_security_options", "smtp_sasl_mechanism_filter")} == {
        "relayhost": f"[{tls_relays.good}]:587", "smtp_tls_security_level": "may",
        "smtp_tls_protocols": ">=TLSv1.2", "smtp_tls_mandatory_protocols": ">=TLSv1.2",
        "smtp_sasl_auth_enable": "yes", "smtp_sasl_security_options": "noanonymous",
        "smtp_sasl_tls_security_options": "noanonymous",
        "smtp_sasl_mechanism_filter": "login, plain"}
    settle(conf / "main.cf")
    code, again = run_flow(conf, ca_file=tls_relays.ca_file)
    assert (code, again["status"], again["fixes"]) == (0, "healthy", [])


def test_a_fix_that_fails_postfix_check_is_rolled_back_byte_identical(
        make_postfix: MakePostfix, tls_relays: TlsRelays) -> None:
    """A queue directory that cannot exist makes ``postfix check`` fail after the edit."""
    settings = {**healthy_settings(tls_relays), "smtp_use_tls": "yes",
                "queue_directory": "/nonexistent/email-wizard-queue"}
    del settings["smtp_tls_security_level"]
    conf = write_config(make_postfix, tls_relays, settings)
    before = (conf / "main.cf").read_bytes()
    code, out = run_flow(conf, ca_file=tls_relays.ca_file, apply=True,
                         choose="postfix.tls-level-may")
    assert code == 3, "the apply failed after a finished run"
    [applied] = out["applied"]
    assert applied["fixes"] == ["postfix.tls-level-may"]
    assert not applied["applied"] and applied["rolled_back"]
    assert applied["outcome"] == "rolled_back" and "put back" in applied["message"]
    assert "/nonexistent/email-wizard-queue" in applied["check"]["output"]
    assert "+smtp_tls_security_level = may" in applied["diff"]
    assert (conf / "main.cf").read_bytes() == before
    assert applied["backup"] is None, "the original is back: no backup to keep"
    assert list(conf.glob("*email-wizard*")) == []


def test_apply_writes_the_tls_level_chosen_and_none_without_a_choice(
        make_postfix: MakePostfix, tls_relays: TlsRelays) -> None:
    """may and encrypt are alternatives of one step: --apply writes only the one chosen."""
    settings = {**healthy_settings(tls_relays), "smtp_use_tls": "yes"}
    del settings["smtp_tls_security_level"]
    conf = write_config(make_postfix, tls_relays, settings)
    before = (conf / "main.cf").read_bytes()
    result = cli("run", FLOW, "--json", "--set", f"config_directory={conf}", "--apply",
                 "--ca-file", tls_relays.ca_file)
    assert result.returncode == 1 and json.loads(result.stdout)["applied"] == []
    assert "legacy_may offers alternatives (postfix.tls-level-may, postfix.tls-level-encrypt)" \
        ": none applied; choose one with --choose FIX_ID" in result.stderr
    assert (conf / "main.cf").read_bytes() == before
    code, out = run_flow(conf, ca_file=tls_relays.ca_file, apply=True,
                         choose="postfix.tls-level-encrypt")
    assert code == 1
    [applied] = out["applied"]
    assert applied["fixes"] == ["postfix.tls-level-encrypt"] and applied["applied"]
    values = postconf_n(conf)
    assert values["smtp_tls_security_level"] == "encrypt" and "smtp_use_tls" not in values
    settle(conf / "main.cf")
    code, again = run_flow(conf, ca_file=tls_relays.ca_file)
    assert (code, again["status"], again["fixes"]) == (0, "healthy", [])


def test_apply_without_write_permission_is_a_clear_error_and_changes_nothing(
        make_postfix: MakePostfix, tls_relays: TlsRelays, tmp_path: Path) -> None:
    """A read-only bind mount of the config dir: even root cannot write there."""
    conf = broken_config(make_postfix, tls_relays)
    mount = tmp_path / "ro"
    mount.mkdir()
    subprocess.run(["mount", "--bind", str(conf), str(mount)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(mount)], check=True)
        before = (mount / "main.cf").read_bytes()
        result = cli("run", FLOW, "--set", f"config_directory={mount}", "--apply",
                     "--ca-file", tls_relays.ca_file, "--json")
        assert result.returncode == 3, "an --apply failure after a finished run is not usage"
        assert "Traceback" not in result.stderr
        out = json.loads(result.stdout)
        assert out["status"] == "problem" and out["applied"] == []
        assert "no permission to write" in out["apply_error"]
        assert "--apply: no permission to write" in result.stderr
        assert "postfix.set-relayhost" in result.stderr
        assert (mount / "main.cf").read_bytes() == before
        assert list(conf.glob("main.cf.*.bak")) == []
    finally:
        subprocess.run(["umount", str(mount)], check=False)


# --- each defect on its own -------------------------------------------------------------------

@pytest.mark.parametrize(("settings", "finding", "fix_id", "actions"), [
    ({"smtp_enforce_tls": "yes", "smtp_tls_security_level": ""}, "postfix.legacy-tls",
     "postfix.tls-level-encrypt",
     [{"type": "postconf", "op": "remove", "param": "smtp_use_tls", "value": ""},
      {"type": "postconf", "op": "remove", "param": "smtp_enforce_tls", "value": ""},
      {"type": "postconf", "op": "set", "param": "smtp_tls_security_level",
       "value": "encrypt"}]),
    ({"smtp_use_tls": "no", "smtp_tls_security_level": ""}, "postfix.tls-off",
     "postfix.tls-level-may",
     [{"type": "postconf", "op": "remove", "param": "smtp_use_tls", "value": ""},
      {"type": "postconf", "op": "remove", "param": "smtp_enforce_tls", "value": ""},
      {"type": "postconf", "op": "set", "param": "smtp_tls_security_level", "value": "may"}]),
    ({"smtp_use_tls": "yes"}, "postfix.legacy-tls-redundant", "postfix.remove-legacy-tls",
     [{"type": "postconf", "op": "remove", "param": "smtp_use_tls", "value": ""},
      {"type": "postconf", "op": "remove", "param": "smtp_enforce_tls", "value": ""}]),
    ({"smtp_tls_security_level": "none"}, "postfix.tls-level-none", "postfix.tls-level-may",
     [{"type": "postconf", "op": "remove", "param": "smtp_use_tls", "value": ""},
      {"type": "postconf", "op": "remove", "param": "smtp_enforce_tls", "value": ""},
      {"type": "postconf", "op": "set", "param": "smtp_tls_security_level", "value": "may"}]),
    ({"smtp_tls_security_level": ""}, "postfix.tls-level-unset", "postfix.tls-level-encrypt",
     [{"type": "postconf", "op": "remove", "param": "smtp_use_tls", "value": ""},
      {"type": "postconf", "op": "remove", "param": "smtp_enforce_tls", "value": ""},
      {"type": "postconf", "op": "set", "param": "smtp_tls_security_level",
       "value": "encrypt"}]),
    ({"smtp_sasl_security_options": ""}, "postfix.sasl-security-options",
     "postfix.sasl-noanonymous",
     [{"type": "postconf", "op": "set", "param": "smtp_sasl_security_options",
       "value": "noanonymous"}]),
])
def test_each_tls_and_sasl_defect_alone_is_found_with_its_fix(
        make_postfix: MakePostfix, tls_relays: TlsRelays, settings: dict[str, str],
        finding: str, fix_id: str, actions: list[dict[str, Any]]) -> None:
    merged = {**healthy_settings(tls_relays), **settings}
    conf = write_config(make_postfix, tls_relays, {k: v for k, v in merged.items() if v})
    code, out = run_flow(conf, ca_file=tls_relays.ca_file)
    assert (code, out["status"]) == (1, "problem")
    assert finding_ids(out) == [finding]
    assert fixes(out)[fix_id]["actions"] == actions
    assert fixes(out)[fix_id]["applicable"] is True
    assert last_step(out) == "relay_ready"


def test_the_level_none_finding_names_the_provider_requirement(
        make_postfix: MakePostfix, tls_relays: TlsRelays) -> None:
    conf = write_config(make_postfix, tls_relays,
                        {**healthy_settings(tls_relays), "smtp_tls_security_level": "none"})
    _, out = run_flow(conf, ca_file=tls_relays.ca_file)
    assert out["findings"][0]["message"] == (
        "smtp_tls_security_level = none: Postfix relays without TLS, but Any SMTP relay "
        "requires TLS 1.2 or later.")


@pytest.mark.parametrize(("relayhost", "outcome", "problem"), [
    ("{good}", "no_brackets", "is not in brackets"),
    ("[{good}]", "no_port", "no port: Postfix uses port 25"),
    ("[{good}]:2525", "port_not_served", "port 2525 is not one the provider serves"),
])
def test_a_relayhost_not_in_host_port_form_is_set_to_the_bracketed_submission_port(
        make_postfix: MakePostfix, tls_relays: TlsRelays, relayhost: str, outcome: str,
        problem: str) -> None:
    value = relayhost.format(good=tls_relays.good)
    conf = write_config(make_postfix, tls_relays,
                        {**healthy_settings(tls_relays), "relayhost": value})
    code, out = run_flow(conf, ca_file=tls_relays.ca_file)
    assert code == 1
    assert ("relay", outcome) in path(out)
    assert problem in out["findings"][0]["message"]
    assert fixes(out)["postfix.set-relayhost"]["actions"] == [
        {"type": "postconf", "op": "set", "param": "relayhost",
         "value": f"[{tls_relays.good}]:587"}]
    assert out["trail"][-2]["facts"]["live.port"] == 587
    assert last_step(out) == "relay_ready"


def test_the_oci_endpoint_is_checked_against_the_oci_profile(
        make_postfix: MakePostfix) -> None:
    """An unreachable name: the live step fails, but the relayhost check used OCI's ports."""
    conf = write_config(make_postfix, None, {
        "relayhost": "[smtp.email.eu-frankfurt-1.oci.oraclecloud.com]:465",
        "smtp_tls_security_level": "encrypt", "smtp_sasl_auth_enable": "yes",
        "smtp_sasl_security_options": "noanonymous"})
    _, out = run_flow(conf, "relayhost=", timeout="2")
    relay = out["trail"][2]
    assert (relay["step"], relay["outcome"]) == ("relay", "port_not_served")
    assert relay["facts"]["relay.provider_id"] == "oci"
    assert fixes(out)["postfix.set-relayhost"]["actions"][0]["value"] == \
        "[smtp.email.eu-frankfurt-1.oci.oraclecloud.com]:587"
    assert last_step(out) == "relay_unreachable"
    assert fixes(out)["postfix.relay-egress"]["actions"][0]["where"] == \
        "host firewall, VCN security list / network security group, or ISP", \
        "the OCI profile's words (flows/providers/oci.yaml), not the flow's"
    assert "(host firewall, VCN security list / network security group, or ISP)" in \
        fixes(out)["postfix.relay-egress"]["text"]


def test_a_relay_of_no_known_provider_gets_provider_neutral_advice(
        make_postfix: MakePostfix, tls_relays: TlsRelays) -> None:
    """The console page and the egress places come from the relay's profile: generic here."""
    conf = write_config(make_postfix, tls_relays, healthy_settings(tls_relays))
    _, out = run_flow(conf, f"relayhost={tls_relays.relayhost('no_auth')}",
                      ca_file=tls_relays.ca_file)
    [action] = fixes(out)["postfix.relay-endpoint"]["actions"]
    assert action["where"] == "your provider's documentation or console, SMTP settings"
    _, out = run_flow(conf, f"relayhost={tls_relays.relayhost('closed')}",
                      ca_file=tls_relays.ca_file)
    assert fixes(out)["postfix.relay-egress"]["actions"][0]["where"] == \
        "host firewall, the network's firewall or cloud security group, or ISP"


def test_an_unreadable_relayhost_is_reported_and_the_checks_go_on(
        make_postfix: MakePostfix, tls_relays: TlsRelays) -> None:
    conf = write_config(make_postfix, tls_relays,
                        {**healthy_settings(tls_relays), "relayhost": "[relay.test"})
    code, out = run_flow(conf, ca_file=tls_relays.ca_file)
    assert code == 1
    assert finding_ids(out) == ["postfix.relayhost-invalid"]
    assert last_step(out) == "no_relay_to_check"


@pytest.mark.parametrize(("state", "finding", "command"), [
    ("stale", "postfix.sasl-map-stale", "postmap -c {conf} hash:{source}"),
    ("not_built", "postfix.sasl-map-not-built", "postmap -c {conf} hash:{source}"),
    ("missing", "postfix.sasl-map-missing", "postmap -c {conf} hash:{source}"),
])
def test_a_sasl_password_map_that_is_not_built_is_found_without_reading_it(
        make_postfix: MakePostfix, tls_relays: TlsRelays, state: str, finding: str,
        command: str) -> None:
    conf = write_config(make_postfix, tls_relays, healthy_settings(tls_relays))
    source, database = conf / "sasl_passwd", conf / "sasl_passwd.db"
    if state == "stale":
        os.utime(database, (os.stat(source).st_mtime - 60,) * 2)
    else:
        database.unlink()
        if state == "missing":
            source.unlink()
    code, out = run_flow(conf, ca_file=tls_relays.ca_file)
    assert code == 1
    assert finding_ids(out) == [finding]
    [fix] = out["fixes"]
    assert not fix["applicable"]
    assert fix["actions"][0]["type"] == "console"
    assert fix["actions"][0]["command"] == command.format(conf=conf, source=source)


def test_no_sasl_password_map_proposes_one_but_does_not_apply_it(
        make_postfix: MakePostfix, tls_relays: TlsRelays) -> None:
    conf = write_config(make_postfix, tls_relays, healthy_settings(tls_relays), sasl_map=False)
    code, out = run_flow(conf, ca_file=tls_relays.ca_file, apply=True)
    assert code == 1
    assert finding_ids(out) == ["postfix.sasl-map-unset"]
    [fix] = out["fixes"]
    assert not fix["applicable"] and out["applied"] == []
    assert fix["actions"][1] == {"type": "postconf", "op": "set",
                                 "param": "smtp_sasl_password_maps",
                                 "value": f"hash:{conf}/sasl_passwd"}


# --- the live check's terminal states -----------------------------------------------------------

@pytest.mark.parametrize(("role", "outcome", "terminal", "finding"), [
    ("no_auth", "auth_not_offered", "relay_no_auth", "postfix.relay-no-auth"),
    ("tls1_1", "tls_below_1_2", "relay_tls_too_old", "postfix.relay-tls-old"),
    ("no_starttls", "starttls_not_offered", "relay_starttls_failed", "postfix.relay-starttls"),
    ("closed", "refused", "relay_unreachable", "postfix.relay-unreachable"),
])
def test_the_live_starttls_check_of_an_overridden_relay(
        make_postfix: MakePostfix, tls_relays: TlsRelays, role: str, outcome: str,
        terminal: str, finding: str) -> None:
    conf = write_config(make_postfix, tls_relays, healthy_settings(tls_relays))
    code, out = run_flow(conf, f"relayhost={tls_relays.relayhost(role)}",
                         ca_file=tls_relays.ca_file)
    assert (code, out["status"]) == (1, "problem")
    assert path(out)[-2:] == [("live", outcome), (terminal, "problem")]
    assert out["trail"][2]["facts"]["relay.source"] == "override"
    assert finding_ids(out) == [finding]
    assert getattr(tls_relays, role) in out["findings"][0]["message"]


def test_tls_older_than_1_2_is_named_with_the_version_negotiated(
        make_postfix: MakePostfix, tls_relays: TlsRelays) -> None:
    conf = write_config(make_postfix, tls_relays, healthy_settings(tls_relays))
    _, out = run_flow(conf, f"relayhost={tls_relays.relayhost('tls1_1')}",
                      ca_file=tls_relays.ca_file)
    assert "negotiated TLSv1.1: below the TLS 1.2" in out["findings"][0]["message"]
    assert fixes(out)["postfix.relay-tls-path"]["actions"] == [{
        "type": "network", "protocol": "tcp", "port": "587", "destination": tls_relays.tls1_1,
        "direction": "egress",
        "where": "TLS-inspecting proxy or firewall between this host and the relay"}]


def test_a_certificate_not_trusted_here_is_a_warning(
        make_postfix: MakePostfix, tls_relays: TlsRelays) -> None:
    conf = write_config(make_postfix, tls_relays, healthy_settings(tls_relays))
    code, out = run_flow(conf)
    assert path(out)[-2:] == [("live", "cert_untrusted"), ("relay_cert_untrusted", "problem")]
    assert (code, out["findings"][0]["severity"]) == (1, "warning")


def test_without_any_relayhost_the_configuration_is_checked_but_no_relay_is_tested(
        make_postfix: MakePostfix, tls_relays: TlsRelays) -> None:
    settings = healthy_settings(tls_relays)
    del settings["relayhost"]
    conf = write_config(make_postfix, tls_relays, settings)
    code, out = run_flow(conf)
    assert (code, out["status"]) == (1, "problem")
    assert finding_ids(out) == ["postfix.relayhost-unset"]
    assert last_step(out) == "no_relay_to_check"
    assert all(entry["kind"] != "probe" or entry["step"] != "live" for entry in out["trail"])


# --- reading the configuration --------------------------------------------------------------------

def fake_postconf(directory: Path, body: str) -> dict[str, str]:
    """An environment whose PATH finds a ``postconf`` script first."""
    directory.mkdir()
    script = directory / "postconf"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{directory}:{os.environ['PATH']}"}


def test_postfix_older_than_2_3_is_told_to_upgrade(
        make_postfix: MakePostfix, tls_relays: TlsRelays, tmp_path: Path) -> None:
    env = fake_postconf(tmp_path / "bin", 'case " $* " in *" mail_version "*) '
                        'echo 2.2.10; exit 0;; esac\nexec /usr/sbin/postconf "$@"')
    conf = write_config(make_postfix, tls_relays, {"relayhost": tls_relays.relayhost("good"),
                                                   "smtp_use_tls": "yes"})
    code, out = run_flow(conf, env=env)
    assert (code, out["status"]) == (1, "problem")
    assert path(out) == [("read", "read"), ("version", "default"), ("too_old", "problem")]
    assert out["findings"][0]["message"].startswith("Postfix 2.2.10 predates")
    assert fixes(out)["postfix.upgrade"]["actions"][0]["command"] == \
        "apt-get install --only-upgrade postfix"


def test_a_postconf_that_hangs_ends_inconclusive(make_postfix: MakePostfix,
                                                 tmp_path: Path) -> None:
    env = fake_postconf(tmp_path / "bin", "exec sleep 30")
    conf = write_config(make_postfix, None, {}, sasl_map=False)
    code, out = run_flow(conf, env=env, timeout="1")
    assert (code, out["status"]) == (3, "inconclusive")
    assert path(out) == [("read", "timeout"), ("could_not_finish", "inconclusive")]


def test_a_config_directory_that_does_not_exist_is_unreadable(tmp_path: Path) -> None:
    code, out = run_flow(tmp_path / "nowhere")
    assert (code, last_step(out)) == (1, "unreadable")
    assert str(tmp_path / "nowhere") in out["findings"][0]["message"]


def test_a_main_cf_postfix_cannot_parse_is_invalid(make_postfix: MakePostfix) -> None:
    conf = write_config(make_postfix, None, {}, sasl_map=False)
    with (conf / "main.cf").open("a") as handle:
        handle.write("this line has no equals sign\n")
    settle(conf / "main.cf")
    code, out = run_flow(conf)
    assert (code, last_step(out)) == (1, "invalid")
    assert "missing '='" in out["findings"][0]["message"]


def without_postfix(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a mount namespace whose /usr/sbin is empty: Postfix is not installed."""
    empty = tmp_path / "empty-sbin"
    empty.mkdir()
    command = " ".join([f"mount --bind {empty} /usr/sbin &&", "exec", sys.executable, "-m",
                        "wizard", *(f"'{a}'" for a in args)])
    return subprocess.run(["unshare", "--mount", "sh", "-c", command], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_without_postfix_and_without_a_main_cf_there_is_nothing_to_read(
        tmp_path: Path) -> None:
    result = without_postfix(["run", FLOW, "--json"], tmp_path)
    out = json.loads(result.stdout)
    assert (result.returncode, last_step(out)) == (1, "not_installed"), result.stderr
    assert out["fixes"][0]["id"] == "postfix.give-main-cf"


def test_without_postfix_a_main_cf_file_is_read_and_diagnosed(
        tls_relays: TlsRelays, tmp_path: Path) -> None:
    main_cf = tmp_path / "copied-main.cf"
    main_cf.write_text(f"relayhost = {tls_relays.relayhost('good')}\nsmtp_use_tls = yes\n"
                       "smtp_sasl_auth_enable = yes\nsmtp_sasl_password_maps = static:u:p\n"
                       "smtp_sasl_security_options = noanonymous\n")
    result = without_postfix(["run", FLOW, "--json", "--set", f"main_cf={main_cf}",
                              "--ca-file", tls_relays.ca_file], tmp_path)
    out = json.loads(result.stdout)
    assert result.returncode == 1, result.stderr
    assert path(out)[:2] == [("read", "read"), ("version", "unknown")]
    assert finding_ids(out) == ["postfix.legacy-tls"]
    assert fixes(out)["postfix.tls-level-may"]["applies_to"] == str(main_cf)
    assert "u:p" not in result.stdout
    assert last_step(out) == "relay_ready"
