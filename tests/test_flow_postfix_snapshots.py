"""One picture per terminal state of the postfix-tls flow, through the real walk screen.

The probe results are replayed (tests/flow_snapshots.py) with documentation
values — /etc/postfix, OCI's Ashburn endpoint, no ports or timings of a test
run — and built by the same code the probes use: ``derived_facts`` for the
configuration, the real ``postfix.relayhost`` probe for the relay. The headless
tests (test_flow_postfix_tls.py) reach each of these states for real. Update on
purpose with ``pytest --snapshot-update`` and look at every changed picture.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.flow_snapshots import SIZE, ReplayRunner, result, still_app, walk_to_end
from tests.helpers import FLOWS
from wizard.flow.loader import load_flow
from wizard.probes.base import ProbeContext, ProbeResult
from wizard.probes.postfix_config import TLS_PARAMS, derived_facts
from wizard.probes.postfix_relayhost import PostfixRelayhostParams, run_postfix_relayhost

FLOW = load_flow(FLOWS / "postfix-tls.yaml")
CONFIG = "/etc/postfix"
RELAY = "smtp.email.us-ashburn-1.oci.oraclecloud.com"
SASL_MAP = f"{CONFIG}/sasl_passwd"
GOOD: dict[str, str] = {
    "relayhost": f"[{RELAY}]:587",
    "smtp_tls_security_level": "may",
    "smtp_sasl_auth_enable": "yes",
    "smtp_sasl_password_maps": f"hash:{SASL_MAP}",
    "smtp_sasl_security_options": "noanonymous",
}
BUILT = {SASL_MAP: 1.0, f"{SASL_MAP}.db": 2.0}


def read(params: Mapping[str, str], version: str = "3.7.11") -> tuple[str, ProbeResult]:
    facts: dict[str, Any] = {
        "source": "postconf", "params": dict(params), "mail_version": version,
        "main_cf": f"{CONFIG}/main.cf", "param_lines": {}, "warnings": [],
        **{name: params.get(name, "") for name in TLS_PARAMS},
        **derived_facts(dict(params), version, CONFIG, mtime=BUILT.get),
    }
    return "postfix.config", result(
        "read", f"Postfix {version} in {CONFIG}: {len(params)} non-default parameters", facts,
        [f"{name} = {value}" for name, value in params.items()])


def read_failed(outcome: str, reason: str) -> tuple[str, ProbeResult]:
    return "postfix.config", result(outcome, reason, {"source": "postconf", "reason": reason},
                                    [reason])


def relay(relayhost: str) -> tuple[str, ProbeResult]:
    done = asyncio.run(run_postfix_relayhost(PostfixRelayhostParams(relayhost=relayhost),
                                             ProbeContext()))
    return "postfix.relayhost", result(done.outcome, done.summary, done.facts, done.evidence)


def submission(outcome: str, summary: str, **facts: Any) -> tuple[str, ProbeResult]:
    base: dict[str, Any] = {"host": RELAY, "port": 587, "address": "192.0.2.25",
                            "tls_version": "TLSv1.3", "auth_after_tls": ["PLAIN"],
                            "cert_problem_words": ""}
    return "smtp.submission", result(outcome, summary, {**base, **facts})


def picture(snap_compare: Any, *results: tuple[str, ProbeResult]) -> bool:
    app = still_app(FLOW, ReplayRunner(results))
    values = {"config_directory": CONFIG, "main_cf": "", "relayhost": ""}
    return bool(snap_compare(app, terminal_size=SIZE, run_before=walk_to_end(FLOW, values)))


READY = submission("ready", f"{RELAY}:587: TLSv1.3, trusted certificate, AUTH PLAIN")


def test_relay_ready_healthy(snap_compare: Any) -> None:
    assert picture(snap_compare, read(GOOD), relay(GOOD["relayhost"]), READY)


def test_relay_ready_after_every_configuration_problem(snap_compare: Any) -> None:
    broken = {"relayhost": f"{RELAY}:587", "smtp_use_tls": "yes",
              "smtp_tls_protocols": "TLSv1, TLSv1.1",
              "smtp_sasl_password_maps": f"hash:{SASL_MAP}",
              "smtp_sasl_mechanism_filter": "login"}
    assert picture(snap_compare, read(broken), relay(broken["relayhost"]), READY)


def test_relay_no_auth(snap_compare: Any) -> None:
    assert picture(snap_compare, read(GOOD), relay(GOOD["relayhost"]), submission(
        "auth_not_offered", f"{RELAY}:587: TLSv1.3, but no AUTH after STARTTLS",
        auth_after_tls=[]))


def test_relay_tls_too_old(snap_compare: Any) -> None:
    assert picture(snap_compare, read(GOOD), relay(GOOD["relayhost"]), submission(
        "tls_below_1_2", f"{RELAY}:587 only negotiates TLSv1.1", tls_version="TLSv1.1"))


def test_relay_cert_untrusted(snap_compare: Any) -> None:
    assert picture(snap_compare, read(GOOD), relay(GOOD["relayhost"]), submission(
        "cert_untrusted", f"{RELAY}:587: the certificate is not trusted",
        cert_problem_words="it is signed by an authority this system does not trust"))


def test_relay_starttls_failed(snap_compare: Any) -> None:
    assert picture(snap_compare, read(GOOD), relay(GOOD["relayhost"]), submission(
        "starttls_not_offered", f"{RELAY}:587 does not offer STARTTLS"))


def test_relay_starttls_injected(snap_compare: Any) -> None:
    assert picture(snap_compare, read(GOOD), relay(GOOD["relayhost"]), submission(
        "starttls_injection", f"{RELAY}:587 sent plaintext after its 220 to STARTTLS",
        plaintext_after_starttls="250-AUTH PLAIN LOGIN\\r\\n250 SIZE 1\\r\\n",
        auth_after_tls=[], extensions_after_tls=["8BITMIME", "SIZE"]))


def test_relay_unreachable(snap_compare: Any) -> None:
    assert picture(snap_compare, read(GOOD), relay(GOOD["relayhost"]), submission(
        "timeout", f"{RELAY}:587 did not answer within 10s"))


def test_no_relay_to_check(snap_compare: Any) -> None:
    params = {name: value for name, value in GOOD.items() if name != "relayhost"}
    assert picture(snap_compare, read(params), relay(""))


def test_too_old(snap_compare: Any) -> None:
    assert picture(snap_compare, read({"smtp_use_tls": "yes"}, version="2.2.10"))


def test_not_installed(snap_compare: Any) -> None:
    assert picture(snap_compare, read_failed(
        "not_installed", "Postfix is not installed here (no postconf program)"))


def test_unreadable(snap_compare: Any) -> None:
    assert picture(snap_compare, read_failed(
        "unreadable", f"the Postfix configuration in {CONFIG} cannot be read: "
        f"open {CONFIG}/main.cf: No such file or directory"))


def test_invalid(snap_compare: Any) -> None:
    assert picture(snap_compare, read_failed(
        "invalid", f"the Postfix configuration in {CONFIG} is rejected by postconf: "
        f"{CONFIG}/main.cf, line 12: missing '=' after attribute name"))


def test_could_not_finish(snap_compare: Any) -> None:
    assert picture(snap_compare, read_failed(
        "timeout", f"postconf did not answer within 10s for {CONFIG}"))


def test_every_terminal_state_has_a_picture() -> None:
    terminal = {step_id for step_id, step in FLOW.steps.items()
                if step.kind == "end" or (step.kind == "fix" and step.next is None)}
    pictured = {"relay_ready", "relay_no_auth", "relay_tls_too_old", "relay_cert_untrusted",
                "relay_starttls_failed", "relay_starttls_injected", "relay_unreachable",
                "no_relay_to_check", "too_old", "not_installed", "unreadable", "invalid",
                "could_not_finish"}
    assert terminal == pictured
    source = Path(__file__).read_text()
    assert all(f"def test_{name}(" in source for name in pictured - {"relay_ready"})
