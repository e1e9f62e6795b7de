"""Pictures of every terminal state of undelivered-mail, one per state.

The offline probes (mail.identity, provider.profile, catalog.explain, and the oci.* ones,
which answer not_configured without an OCI profile) really run —
they read no network, only the bundled profile and catalog — while the network ones
(DNS, the relay) replay results built from documentation values (example.com,
example.net, the region's endpoint name), along the same paths the headless tests in
test_flow_undelivered.py take against the real loopback servers. Update on purpose
with ``pytest --snapshot-update`` and look at every changed picture before committing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tests.flow_snapshots import SIZE, ReplayRunner, result, still_app, walk_to_end
from tests.helpers import FLOWS
from tests.test_flow_port_snapshots import EXTERNAL, EXTERNAL_ADDRESS, ports, smtp
from wizard.flow.loader import load_flow
from wizard.probes.base import ProbeContext, ProbeResult
from wizard.probes.runner import RegistryRunner

FLOW = load_flow(FLOWS / "undelivered-mail.yaml")
OFFLINE = ("mail.identity", "provider.profile", "catalog.explain", "oci.sender",
           "oci.suppression")
HOST = "smtp.email.us-ashburn-1.oci.oraclecloud.com"
INPUTS: dict[str, Any] = {
    "sender": "app@example.com", "recipient": "to@example.net", "message": "", "error": "",
    "region": "us-ashburn-1", "host": "", "port": 587, "username": "ocid1.user.oc1..example",
    "password": "", "send_test": "no", "selector": "sel1", "postfix_config_directory": "",
}


class MixedRunner(ReplayRunner):
    """Replays the scripted results; runs the offline probes for real (fixed elapsed time)."""

    def __init__(self, results: Sequence[tuple[str, ProbeResult]]) -> None:
        super().__init__(results)
        self.real = RegistryRunner(ProbeContext(timeout=10))

    async def run(self, name: str, params: Mapping[str, Any]) -> ProbeResult:
        """A scripted result when one is left for ``name``, else the real offline probe."""
        if name in OFFLINE and not self.queues.get(name):
            found = await self.real.run(name, params)
            return result(found.outcome, found.summary, found.facts, found.evidence)
        return await super().run(name, params)


def healthy_domain() -> list[tuple[str, ProbeResult]]:
    """DKIM, SPF and DMARC of example.com as they should be."""
    name = "sel1._domainkey.example.com"
    target = "sel1.example.com.dkim.iad1.oracleemaildelivery.com"
    return [
        ("dkim.record", result("cname_ok", f"{name} is a CNAME to {target}, which publishes "
                               "a 2048-bit rsa key", {
                                   "name": name, "record_type": "CNAME",
                                   "cname_target": target, "cname_matches": True,
                                   "expected_cname": target})),
        ("spf.check", result("valid", "the SPF record of example.com is valid (2 DNS "
                             "lookup(s))", {"domain": "example.com",
                                            "records": ["v=spf1 include:rp.oracleemaildelivery"
                                                        ".com ~all"]})),
        ("dmarc.check", result("policy_enforced", "example.com publishes p=reject; the "
                               "envelope From aligns", {"domain": "example.com"})),
    ]


def envelope(outcome: str, summary: str, code: int, text: str, stage: str,
             **extra: Any) -> tuple[str, ProbeResult]:
    facts: dict[str, Any] = {
        "host": HOST, "port": 587, "address": "192.0.2.25", "stage": stage,
        "reply_code": code, "reply_text": text, "enhanced_code": None, "tls_problem": None,
        "size_limit": 20971520, "mail_from": INPUTS["sender"], "rcpt_to": [INPUTS["recipient"]],
        "authenticated": True, "message_sent": False, **extra}
    return "smtp.envelope", result(outcome, summary, facts, [f"S: {code} {text}"])


def picture(snap_compare: Any, replies: list[tuple[str, ProbeResult]], **inputs: Any) -> bool:
    app = still_app(FLOW, MixedRunner(replies))
    return bool(snap_compare(app, terminal_size=SIZE,
                             run_before=walk_to_end(FLOW, {**INPUTS, **inputs})))


def test_done(snap_compare: Any) -> None:
    assert picture(snap_compare, [*healthy_domain(), envelope(
        "accepted", f"{HOST}:587 accepted the test message: 250 2.0.0 OK queued", 250,
        "2.0.0 OK queued", "data", message_sent=True)], send_test="yes")


def test_done_without_data(snap_compare: Any) -> None:
    assert picture(snap_compare, [*healthy_domain(), envelope(
        "accepted", f"{HOST}:587 accepts mail from app@example.com to to@example.net (no "
        "message sent)", 250, "OK", "rcpt")])


def test_relay_suppressed(snap_compare: Any) -> None:
    text = "4.7.1 Suppression for user ocid1.user.oc1..example to <to@example.net>"
    assert picture(snap_compare, [*healthy_domain(), envelope(
        "accepted", f"{HOST}:587 accepted the test message: 254 {text}", 254, text, "data",
        message_sent=True)], send_test="yes")


def test_relay_sender(snap_compare: Any) -> None:
    text = "Authorization failed: address app@example.com not authorized"
    assert picture(snap_compare, [*healthy_domain(), envelope(
        "rejected_sender", f"{HOST}:587 rejected the sender app@example.com: 535 {text}", 535,
        text, "mail")])


def test_relay_auth(snap_compare: Any) -> None:
    assert picture(snap_compare, [*healthy_domain(), envelope(
        "auth_failed", f"{HOST}:587 rejected the credentials: 535 Authentication credentials "
        "invalid", 535, "Authentication credentials invalid", "auth", authenticated=False)])


def test_relay_rate(snap_compare: Any) -> None:
    text = "Maximum messages sent per minute reached : limit is 10"
    assert picture(snap_compare, [*healthy_domain(), envelope(
        "temporary_failure", f"{HOST}:587 deferred at mail: 455 {text}", 455, text, "mail")])


def test_relay_message(snap_compare: Any) -> None:
    assert picture(snap_compare, [*healthy_domain(), envelope(
        "rejected_data", f"{HOST}:587 rejected the message: 552 Exceeds byte limit", 552,
        "Exceeds byte limit", "data")], send_test="yes")


def test_relay_other(snap_compare: Any) -> None:
    assert picture(snap_compare, [*healthy_domain(), envelope(
        "temporary_failure", f"{HOST}:587 deferred at data: 451 Error in Processing", 451,
        "Error in Processing", "data")], send_test="yes")


def test_relay_tls_failed(snap_compare: Any) -> None:
    """port-connectivity runs as a sub-flow and finds the untrusted certificate."""
    assert picture(snap_compare, [*healthy_domain(), envelope(
        "tls_failed", f"{HOST}:587: the certificate is not trusted (unknown_ca)", 220,
        "ready to start TLS", "tls", tls_problem="cert_untrusted", authenticated=False),
        ports({587: "open"}), smtp(
            "cert_untrusted", f"{HOST}:587: the certificate is signed by an authority this "
            "machine does not trust (unable to get local issuer certificate)", checked=(587,),
            cert_verified=False, cert_problem="unknown_ca",
            cert_problem_text="unable to get local issuer certificate",
            cert_problem_words="the certificate is signed by an authority this machine does "
                               "not trust", cert_issuer="CN=Inspecting Proxy CA")])


def test_relay_unreachable(snap_compare: Any) -> None:
    """port-connectivity runs as a sub-flow: an external server fails too, so the block
    is on this side (its egress rule is the fix)."""
    assert picture(snap_compare, [*healthy_domain(), envelope(
        "timeout", f"{HOST}:587: no answer within 10s", 0, "", "connect",
        authenticated=False), ports({587: "dropped"}),
        ports({587: "dropped"}, EXTERNAL, EXTERNAL_ADDRESS)])


def test_relay_not_tested(snap_compare: Any) -> None:
    error = "254 4.7.1 Suppression for user ocid1.user.oc1..example to <gone@example.net>"
    assert picture(snap_compare, [], sender="", recipient="", region="", selector="",
                   error=error)


def test_envelope_not_tested(snap_compare: Any) -> None:
    assert picture(snap_compare, healthy_domain(), recipient="")


def test_cannot_start(snap_compare: Any) -> None:
    assert picture(snap_compare, [("provider.profile", result(
        "timeout", "reading the oci profile took more than 10s"))])


def test_message_stalled(snap_compare: Any) -> None:
    assert picture(snap_compare, [("mail.identity", result(
        "timeout", "mail.identity gave no result within 10s"))], message="/tmp/pipe.eml")
