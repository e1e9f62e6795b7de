"""Pictures of port-connectivity's terminal states in the TUI, one per state.

Each walk replays documentation values (RFC 5737 addresses, the standard
ports, no timings) through the real walk screen; the headless tests in
test_flow_port_connectivity.py prove the same paths against real servers.
Update on purpose with ``pytest --snapshot-update`` and look at every
changed picture before committing it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.flow_snapshots import SIZE, ReplayRunner, result, still_app, walk_to_end
from tests.helpers import FLOWS
from wizard.flow.loader import load_flow
from wizard.probes.base import ProbeResult
from wizard.providers.loader import load_provider

FLOW = load_flow(FLOWS / "port-connectivity.yaml")
OCI = load_provider("oci")
HOST = "smtp.email.us-ashburn-1.oci.oraclecloud.com"
ADDRESS = "192.0.2.25"
EXTERNAL = "mx.example.net"
EXTERNAL_ADDRESS = "198.51.100.25"
WORDS = {"open": "open", "refused": "refused (reset)", "dropped": "no answer (dropped)",
         "unreachable": "no route"}
BY_HOST = {"host": HOST, "region": ""}
BY_REGION = {"host": "", "region": "us-ashburn-1"}


def profile(outcome: str = "found", host: str = HOST, region: str = "",
            summary: str = "") -> tuple[str, ProbeResult]:
    regional = "smtp.email.us-ashburn-1.oci.oraclecloud.com" if region else ""
    facts: dict[str, Any] = {
        "provider_id": "oci", "provider_name": "OCI Email Delivery", "ports": [587, 25, 465],
        "ports_text": "587, 25, 465", "starttls_ports": "587,25", "implicit_tls_ports": "465",
        "tls_min_version": "1.2", "api_name": OCI.api_name, "support_where": OCI.support_where,
        "endpoint_where": OCI.smtp.endpoint_where, "egress_where": OCI.smtp.egress_where,
        "regions": ["us-ashburn-1", "us-phoenix-1", "eu-frankfurt-1"], "region": region,
        "region_name": "US East (Ashburn)" if region else "", "smtp_host": host or regional,
        "region_smtp_host": regional,
    }
    return "provider.profile", result(
        outcome, summary or f"OCI Email Delivery: {host or regional} on ports 587, 25, 465",
        facts)


def ports(fates: dict[int, str], host: str = HOST, address: str = ADDRESS,
          outcome: str | None = None) -> tuple[str, ProbeResult]:
    """A tcp.ports result shaped like the probe's, from each port's fate."""
    opened = [p for p, f in fates.items() if f == "open"]
    if outcome is None:
        kinds = set(fates.values())
        outcome = ("all_open" if kinds == {"open"} else "some_open" if opened else
                   {"refused": "all_refused", "dropped": "all_dropped",
                    "unreachable": "unreachable"}.get(kinds.pop(), "none_open")
                   if len(kinds) == 1 else "none_open")
    listed = ", ".join(str(p) for p in fates)
    report = "; ".join(f"{p} {WORDS[f]}" for p, f in fates.items())
    label = f"{host} ({address})"
    summary = {
        "all_open": f"{label} accepts connections on {listed}",
        "some_open": f"{label} accepts connections on {', '.join(map(str, opened))}; "
                     + ", ".join(f"{p} {WORDS[f]}" for p, f in fates.items() if f != "open"),
        "all_refused": f"{label} refused {listed}: something answered with a reset",
        "all_dropped": f"{label} did not answer on {listed}: the packets are dropped",
        "none_open": f"{label} accepts no connection: {report}",
        "unreachable": f"{label} is unreachable from here: no route",
    }[outcome]
    facts = {
        "host": host, "mx_domain": "", "ports": list(fates), "ports_text": listed,
        "target_host": host, "mx_hosts": [], "address": address, "addresses": [address],
        "open_ports": opened,
        "blocked_ports_text": ", ".join(str(p) for p in fates if p not in opened),
        "first_open_port": opened[0] if opened else None, "report": report,
    }
    return "tcp.ports", result(outcome, summary, facts,
                               [f"{address} port {p}: {WORDS[f]}" for p, f in fates.items()])


def ports_failed(outcome: str, summary: str, host: str = HOST) -> tuple[str, ProbeResult]:
    return "tcp.ports", result(outcome, summary, {
        "host": host, "mx_domain": "", "ports": [587, 25], "ports_text": "587, 25",
        "target_host": host, "mx_hosts": [], "reason": summary})


SMTP_BASE: dict[str, Any] = {
    "host": HOST, "port": 587, "address": ADDRESS, "tls_server_name": HOST, "stage": "ehlo",
    "greeting_code": 220, "greeting_text": "smtp.example ESMTP ready", "reply_code": 250,
    "enhanced_code": None, "reply_text": "", "starttls_offered": True,
    "extensions_before_tls": ["8BITMIME", "SIZE", "STARTTLS"], "auth_before_tls": [],
    "extensions_after_tls": ["8BITMIME", "AUTH", "SIZE"], "auth_after_tls": ["PLAIN"],
    "size_limit": 10485760, "eightbitmime": True, "smtputf8": False, "tls_version": "TLSv1.3",
    "tls_cipher": "TLS_AES_256_GCM_SHA384", "cert_subject": f"CN={HOST}",
    "cert_issuer": "CN=Example CA", "cert_sans": [HOST], "cert_not_after": "2027-01-31T00:00:00Z",
    "cert_verified": True, "cert_problem": None, "cert_problem_text": None,
    "masked_extensions": [], "cert_problem_words": "",
}


def smtp(outcome: str, summary: str, checked: tuple[int, ...] = (587, 25),
         **facts: Any) -> tuple[str, ProbeResult]:
    """An smtp.submission_ports result: port 587 decides; the other ports are ready."""
    port = int(facts.get("port", 587))
    ready = [p for p in checked if outcome == "ready" or p != port]
    lines = [f"{p} (STARTTLS) ready: TLSv1.3, AUTH PLAIN" if p in ready
             else f"{p} (STARTTLS) {outcome}" for p in checked]
    others = [line for p, line in zip(checked, lines, strict=True) if p != port]
    if outcome != "ready" and others:
        summary += f" (other ports: {'; '.join(others)})"
    return "smtp.submission_ports", result(outcome, summary, {
        **SMTP_BASE, "ports": list(checked), "ports_text": ", ".join(map(str, checked)),
        "implicit_tls_ports": [], "tls_mode": "STARTTLS", "ready_ports": ready,
        "ready_ports_text": ", ".join(map(str, ready)), "report": "; ".join(lines),
        "results": [], **facts})


TWO_OPEN = ports({587: "open", 25: "open"})
READY = smtp("ready", f"{HOST}:587: TLSv1.3, certificate trusted for {HOST}; AUTH PLAIN "
             "offered after TLS")
NO_MX = ports_failed("no_mx", "no mail server to try for example.org: example.org has "
                     "neither MX nor an address: mail to it cannot be delivered", host="")

SCENES: dict[str, tuple[dict[str, str], list[tuple[str, ProbeResult]]]] = {
    "healthy": (BY_HOST, [profile(), TWO_OPEN, READY]),
    "open_ports_ready": (BY_HOST, [
        profile(), ports({587: "open", 25: "dropped"}),
        ports({25: "dropped"}, EXTERNAL, EXTERNAL_ADDRESS), smtp(
            "ready", f"{HOST}:587: TLSv1.3, certificate trusted for {HOST}; AUTH PLAIN "
            "offered after TLS", checked=(587,))]),
    "no_auth_after_tls": (BY_HOST, [profile(), TWO_OPEN, smtp(
        "auth_not_offered", f"{HOST}:587: TLSv1.3 is fine, but no AUTH is offered after "
        "STARTTLS: no client can log in", auth_after_tls=[],
        extensions_after_tls=["8BITMIME", "SIZE"])]),
    "starttls_stripped": (BY_HOST, [profile(), TWO_OPEN, smtp(
        "starttls_stripped", f"{HOST}:587: STARTTLS is masked as XXXXXXXA: a firewall between "
        "here and the server rewrites the EHLO reply", starttls_offered=False,
        extensions_before_tls=["8BITMIME", "SIZE", "XXXXXXXA"], extensions_after_tls=[],
        masked_extensions=["XXXXXXXA"], tls_version=None)]),
    "starttls_missing": (BY_HOST, [profile(), TWO_OPEN, smtp(
        "starttls_not_offered", f"{HOST}:587 does not offer STARTTLS before authentication",
        starttls_offered=False, extensions_before_tls=["8BITMIME", "AUTH", "SIZE"],
        extensions_after_tls=[], tls_version=None)]),
    "starttls_refused": (BY_HOST, [profile(), TWO_OPEN, smtp(
        "starttls_refused", f"{HOST}:587 offers STARTTLS but answered 454 4.7.0 TLS not "
        "available due to temporary reason", reply_code=454, enhanced_code="4.7.0",
        reply_text="4.7.0 TLS not available due to temporary reason", tls_version=None)]),
    "starttls_injected": (BY_HOST, [profile(), TWO_OPEN, smtp(
        "starttls_injection", f"{HOST}:587 sent plaintext after its 220 to STARTTLS, before "
        "the TLS handshake: a middlebox or a broken server injects it; it was discarded",
        plaintext_after_starttls="250-AUTH PLAIN LOGIN\\r\\n250 SIZE 1\\r\\n",
        auth_after_tls=[], extensions_after_tls=["8BITMIME", "SIZE"])]),
    "tls_below_1_2": (BY_HOST, [profile(), TWO_OPEN, smtp(
        "tls_below_1_2", f"{HOST}:587 only negotiates TLSv1.1; TLS 1.2 or later is required",
        tls_version="TLSv1.1")]),
    "cert_untrusted": (BY_HOST, [profile(), TWO_OPEN, smtp(
        "cert_untrusted", f"{HOST}:587: the certificate has expired (certificate has expired)",
        cert_verified=False, cert_problem="expired",
        cert_problem_text="certificate has expired",
        cert_problem_words="the certificate has expired",
        cert_not_after="2020-03-31T00:00:00Z")]),
    "handshake_failed": (BY_HOST, [profile(), TWO_OPEN, smtp(
        "handshake_failed", f"{HOST}:587: TLS handshake failed (WRONG_VERSION_NUMBER)",
        tls_version=None)]),
    "greeting_rejected": (BY_HOST, [profile(), TWO_OPEN, smtp(
        "rejected", f"{HOST}:587 refused to talk: 421 Too many connections, try again later",
        greeting_code=421, greeting_text="Too many connections, try again later",
        stage="greeting")]),
    "smtp_silent": (BY_HOST, [profile(), TWO_OPEN, smtp(
        "silent", f"{HOST}:587 went silent at greeting: no reply within 10s",
        greeting_code=None, stage="greeting")]),
    "smtp_closed": (BY_HOST, [profile(), TWO_OPEN, smtp(
        "closed", f"{HOST}:587 hung up at greeting without an answer", greeting_code=None,
        stage="greeting")]),
    "smtp_gone": (BY_HOST, [profile(), TWO_OPEN, smtp(
        "refused", f"{HOST}:587 refused the connection: nothing listens", stage="connect")]),
    "provider_ports": (BY_REGION, [
        profile(host="", region="us-ashburn-1"), ports({587: "refused", 25: "refused"}),
        ports({587: "open", 25: "open"}, EXTERNAL, EXTERNAL_ADDRESS)]),
    "egress_ports": (BY_HOST, [
        profile(), ports({587: "dropped", 25: "dropped"}),
        ports({587: "dropped", 25: "dropped"}, EXTERNAL, EXTERNAL_ADDRESS)]),
    "no_port_open": (BY_HOST, [
        profile(), ports({587: "dropped", 25: "dropped"}),
        ports({587: "open", 25: "refused"}, EXTERNAL, EXTERNAL_ADDRESS)]),
    "no_comparison": (BY_HOST, [
        profile(), ports({587: "open", 25: "dropped"}), NO_MX, smtp(
            "ready", f"{HOST}:587: TLSv1.3, certificate trusted for {HOST}; AUTH PLAIN "
            "offered after TLS", checked=(587,))]),
    "not_compared": (BY_HOST, [profile(), ports({587: "dropped", 25: "dropped"}), NO_MX]),
    "no_route": (BY_HOST, [profile(), ports({587: "unreachable", 25: "unreachable"})]),
    "dns_timeout": (BY_HOST, [profile(), ports_failed(
        "timeout", f"looking up {HOST} got no answer in time")]),
    "check_host_name": ({"host": "smtp.email.us-ashburn.oci.oraclecloud.com", "region": ""}, [
        profile(host="smtp.email.us-ashburn.oci.oraclecloud.com"),
        ports_failed("name_not_found", "smtp.email.us-ashburn.oci.oraclecloud.com does not "
                     "resolve", host="smtp.email.us-ashburn.oci.oraclecloud.com")]),
    "use_region_endpoint": (
        {"host": "smtp.email.us-ashburn.oci.oraclecloud.com", "region": "us-ashburn-1"}, [
            profile(host="smtp.email.us-ashburn.oci.oraclecloud.com", region="us-ashburn-1"),
            ports_failed("name_not_found", "smtp.email.us-ashburn.oci.oraclecloud.com does not "
                         "resolve", host="smtp.email.us-ashburn.oci.oraclecloud.com"),
            ("dns.query", result("answer", f"{HOST} A {ADDRESS}",
                                 {"name": HOST, "rtype": "A", "records": [ADDRESS]}))]),
    "region_endpoint_missing": (BY_REGION, [
        profile(host="", region="us-ashburn-1"),
        ports_failed("name_not_found", f"{HOST} does not resolve"),
        ("dns.query", result("nxdomain", f"{HOST} does not exist (NXDOMAIN)",
                             {"name": HOST, "rtype": "A", "records": []}))]),
    "unknown_region": ({"host": "", "region": "us-ashburn"}, [profile(
        "unknown_region", host="", summary="OCI Email Delivery has no region 'us-ashburn'; "
        "did you mean 'us-ashburn-1'?")]),
    "no_endpoint": ({"host": "", "region": ""}, [profile(
        "no_endpoint", host="", summary="OCI Email Delivery: no region or host was given"),
        ("oci.email_configuration", result(
            "not_configured", "email configuration: not read from OCI (no OCI profile)",
            {"fix": "", "compartment": ""}))]),
    "profile_unreadable": (BY_HOST, [("provider.profile", result(
        "timeout", "reading the oci profile took more than 10s"))]),
}


def test_every_terminal_state_has_a_picture() -> None:
    terminal = {step_id for step_id, step in FLOW.steps.items() if step.kind in ("fix", "end")}
    assert set(SCENES) == terminal


@pytest.mark.parametrize("scene", list(SCENES))
def test_terminal_state(snap_compare: Any, scene: str) -> None:
    values, results = SCENES[scene]
    inputs = {"ports": "587,25", "external_mta_domain": "example.org", **values}
    runner = ReplayRunner(results)
    app = still_app(FLOW, runner)
    assert snap_compare(app, terminal_size=SIZE, run_before=walk_to_end(FLOW, inputs))
    assert not any(runner.queues.values()), "every replayed result is used"
