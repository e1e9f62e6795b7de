"""undelivered-mail with access to the OCI API: approved sender and suppression list.

Before (or instead of) a live send, the sender is checked against the approved senders and
each recipient against the suppression list, on the loopback API server through the real
SDK. The fixes are ``oci`` actions: applied only with ``--apply``, then proven by re-reading;
without ``--apply`` the server sees nothing but GET requests.
"""

from __future__ import annotations

import json
import os
from typing import Any

from tests.helpers import cli
from tests.servers.dns_fixtures import DnsServers
from tests.servers.oci_api import TENANCY
from tests.servers.oci_fixtures import OciLab

SENDER = "app@example.com"
RECIPIENT = "to@example.net"


def run_flow(dns: DnsServers, lab: OciLab, *sets: str, apply: bool = False,
             text: bool = False) -> tuple[int, Any]:
    ns = dns.resolver
    args = ["run", "undelivered-mail", "--timeout", "3", "--nameserver",
            f"{ns.address}:{ns.port}", *lab.options(), "--set", f"sender={SENDER}",
            "--set", f"recipient={RECIPIENT}"]
    for item in sets:
        args += ["--set", item]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCI_CLI_")}
    result = cli(*args, *(["--apply"] if apply else []), *([] if text else ["--json"]),
                 env=env)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout if text else json.loads(result.stdout)


def steps(out: dict[str, Any]) -> list[str]:
    return [entry["step"] for entry in out["trail"]]


def fix(out: dict[str, Any], fix_id: str) -> dict[str, Any]:
    [found] = [f for f in out["fixes"] if f["id"] == fix_id]
    return found


def test_an_unapproved_sender_and_a_suppressed_recipient_are_named_from_the_api(
        dns_servers: DnsServers, oci_lab: OciLab) -> None:
    suppression = oci_lab.server.state.add_suppression(RECIPIENT, "HARDBOUNCE")
    code, out = run_flow(dns_servers, oci_lab)
    assert code == 1
    route = steps(out)[steps(out).index("relay_route"):]
    assert route[:4] == ["relay_route", "api_sender_not_approved",
                         "api_suppression_after_sender", "api_recipient_suppressed"]
    ids = [f["id"] for f in out["findings"]]
    assert "mail.sender-not-approved-api" in ids and "mail.recipient-suppressed-api" in ids
    create = fix(out, "mail.create-approved-sender")
    assert create["applicable"] is True
    assert create["actions"] == [{"type": "oci", "op": "create_sender", "address": SENDER,
                                  "resource": "", "compartment": TENANCY, "warning": ""}]
    remove = fix(out, "mail.remove-suppression")
    assert remove["actions"][0]["resource"] == suppression
    assert "HARDBOUNCE, since 2026-01-05" in remove["text"]
    assert oci_lab.server.methods() == {"GET"}


def test_an_approved_sender_and_clean_recipients_go_straight_on(
        dns_servers: DnsServers, oci_lab: OciLab) -> None:
    oci_lab.server.state.add_sender(SENDER)
    _, out = run_flow(dns_servers, oci_lab)
    route = steps(out)[steps(out).index("relay_route"):]
    assert route[:4] == ["relay_route", "send_route", "relay_addresses", "relay_not_tested"]
    assert not [f for f in out["findings"] if f["id"].endswith("-api")]


def test_removing_a_complaint_warns_in_the_fix(dns_servers: DnsServers,
                                               oci_lab: OciLab) -> None:
    oci_lab.server.state.add_sender(SENDER)
    oci_lab.server.state.add_suppression(RECIPIENT, "COMPLAINT")
    _, out = run_flow(dns_servers, oci_lab)
    remove = fix(out, "mail.remove-suppression")
    assert "complained" in remove["text"]
    assert "complained" in remove["actions"][0]["warning"]


def test_an_api_without_policy_is_a_warning_with_the_policy_to_add(
        dns_servers: DnsServers, oci_lab: OciLab) -> None:
    oci_lab.server.mode = "no_policy"
    _, out = run_flow(dns_servers, oci_lab)
    assert "api_lists_unreadable" in steps(out)
    assert "Allow group" in fix(out, "oci.api-access")["text"]


def test_apply_removes_the_suppression_and_adds_the_sender_and_proves_both(
        dns_servers: DnsServers, oci_lab: OciLab) -> None:
    oci_lab.server.state.add_suppression(RECIPIENT, "HARDBOUNCE")
    _, out = run_flow(dns_servers, oci_lab, apply=True)
    applied = {a["op"]: a for a in out["applied"] if a.get("type") == "oci"}
    assert applied["create_sender"]["applied"] and applied["create_sender"]["verified"]
    assert applied["delete_suppression"]["applied"]
    assert applied["delete_suppression"]["verified"]
    assert oci_lab.server.state.suppressions == {}
    assert [s["emailAddress"] for s in oci_lab.server.state.senders.values()] == [SENDER]
    assert ("POST", "/20170907/senders") in oci_lab.server.requests
    assert any(m == "DELETE" for m, _ in oci_lab.server.requests)
    assert oci_lab.server.rejections == []

    _, again = run_flow(dns_servers, oci_lab)
    assert not [f for f in again["findings"] if f["id"].endswith("-api")]


def test_the_text_report_says_what_was_applied(dns_servers: DnsServers,
                                               oci_lab: OciLab) -> None:
    oci_lab.server.state.add_sender(SENDER)
    oci_lab.server.state.add_suppression(RECIPIENT, "HARDBOUNCE")
    _, text = run_flow(dns_servers, oci_lab, apply=True, text=True)
    assert f"OCI delete_suppression {RECIPIENT}" in text
    assert "done, proven by re-reading" in text
    assert "oci email suppression delete --suppression-id" in text


def test_send_via_https_sends_a_test_message_through_the_api(dns_servers: DnsServers,
                                                              oci_lab: OciLab) -> None:
    oci_lab.server.state.add_sender(SENDER)
    code, out = run_flow(dns_servers, oci_lab, "send_via=https")
    assert code == 0
    assert steps(out)[-3:] == ["send_route", "https_send", "https_accepted"]
    assert [d["recipients"]["to"][0]["email"] for d in oci_lab.server.state.submitted] == \
        [RECIPIENT]


def test_an_https_refusal_is_explained_through_the_catalog(dns_servers: DnsServers,
                                                           oci_lab: OciLab) -> None:
    oci_lab.server.state.add_sender(SENDER)
    _, out = run_flow(dns_servers, oci_lab, "send_via=https",
                         "recipient=nobody@bad.invalid")
    assert steps(out)[-3:] == ["https_send", "https_why", "https_rejected"]
    [entry] = [e for e in out["trail"] if e["step"] == "https_why"]
    assert entry["facts"]["hwhy.entry_id"] == "https-400-invalid-address"
    assert "not a valid email address" in out["findings"][-1]["message"]


def test_https_without_a_profile_says_it_needs_the_api(dns_servers: DnsServers,
                                                       tmp_path: Any) -> None:
    ns = dns_servers.resolver
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCI_CLI_")}
    result = cli("run", "undelivered-mail", "--json", "--timeout", "3", "--nameserver",
                 f"{ns.address}:{ns.port}", "--set", f"sender={SENDER}", "--set",
                 f"recipient={RECIPIENT}", "--set", "send_via=https",
                 env={**env, "HOME": str(tmp_path)})
    out = json.loads(result.stdout)
    assert steps(out)[-2:] == ["https_send", "https_unavailable"]
    assert "email-wizard[oci]" in out["message"]
