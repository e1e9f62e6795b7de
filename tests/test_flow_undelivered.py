"""The undelivered-mail flow end to end, headless, against real loopback servers.

The relay is aiosmtpd answering with the reference page's replies (tests/servers/smtp.py:
unapproved@, burst@, big@, glitch@, suppressed@example.com …), DNS is Knot
(tests/data/zones: example.com set up right, undelivered.test with SPF, DKIM and DMARC
wrong), and the queue is a real Postfix whose relay greets with 421 Too many connections.
The SMTP password is a canary that must never appear in what the wizard prints.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import cli
from tests.servers.dns_fixtures import DnsServers
from tests.servers.port_fixtures import EXTERNAL, Peers, port_free_on
from tests.servers.postfix import PostfixInstance, deferred
from tests.servers.smtp import LOOPBACK, PASSWORD, USER, secret_forms
from tests.servers.smtp_fixtures import SmtpServers

REGION = "us-ashburn-1"


class Wizard:
    """Runs ``email-wizard run undelivered-mail`` against the loopback servers."""

    def __init__(self, smtp: SmtpServers, dns: DnsServers, workdir: Path):
        self.smtp = smtp
        self.dns = dns
        self.workdir = workdir
        self.password_file = workdir / "password"
        self.password_file.write_text(PASSWORD + "\n")

    def run(self, *sets: str, port: int | None = None, login: bool = True,
            trust: bool = True, extra: tuple[str, ...] = ()) -> tuple[int, dict[str, Any]]:
        """Run the flow with ``--set`` values; the relay and the DNS server are the test ones."""
        ns = self.dns.resolver
        args = ["run", "undelivered-mail", "--json", "--nameserver", f"{ns.address}:{ns.port}",
                "--timeout", "5", "--set", f"port={port or self.smtp.submission}"]
        if trust:
            args += ["--ca-file", self.smtp.ca_file]
        if login:
            args += ["--set", f"username={USER}", "--set", f"password=@{self.password_file}"]
        for value in sets:
            args += ["--set", value]
        result = cli(*args, *extra)
        assert "Traceback" not in result.stderr, result.stderr
        for form in secret_forms():
            assert form not in result.stdout and form not in result.stderr
        return result.returncode, json.loads(result.stdout)


@pytest.fixture
def wizard(smtp_servers: SmtpServers, dns_servers: DnsServers, tmp_path: Path) -> Wizard:
    return Wizard(smtp_servers, dns_servers, tmp_path)


def relay(*sets: str) -> tuple[str, ...]:
    """The region (for the SPF include and the DKIM target) and the loopback relay host."""
    return (f"region={REGION}", "host=127.0.0.1", *sets)


def steps(out: dict[str, Any]) -> list[str]:
    return [entry["step"] for entry in out["trail"]]


def finding_ids(out: dict[str, Any]) -> list[str]:
    return [f["id"] for f in out["findings"]]


def fix(out: dict[str, Any], fix_id: str) -> dict[str, Any]:
    [found] = [f for f in out["fixes"] if f["id"] == fix_id]
    return found


def outcome(out: dict[str, Any], step: str) -> str:
    [entry] = [e for e in out["trail"] if e["step"] == step]
    return str(entry["outcome"])


# ---------------------------------------------------------------- healthy ends


def test_a_healthy_sender_whose_test_message_is_delivered_ends_healthy(wizard: Wizard) -> None:
    code, out = wizard.run(*relay("sender=ok@example.com", "recipient=to@example.net",
                                  "selector=sel1", "send_test=yes"))
    assert (code, out["status"]) == (0, "healthy"), out["findings"]
    assert steps(out)[-1] == "done"
    assert outcome(out, "dkim") == "cname_ok"
    assert outcome(out, "spf") == "valid"
    assert outcome(out, "dmarc") == "policy_enforced"
    assert outcome(out, "envelope") == "accepted"
    assert out["findings"] == [] and out["fixes"] == []
    assert wizard.smtp.handler.received, "the test message reached the relay"


def test_without_a_test_message_the_envelope_is_checked_and_suppression_is_left_open(
        wizard: Wizard) -> None:
    code, out = wizard.run(*relay("sender=ok@example.com", "recipient=to@example.net",
                                  "selector=sel1"))
    assert (code, out["status"]) == (0, "healthy")
    assert steps(out)[-1] == "done_without_data"
    [end] = [e for e in out["trail"] if e["step"] == "done_without_data"]
    assert "send_test=yes" in end["summary"]


# ---------------------------------------------------------------- the relay's refusals


def test_a_suppressed_recipient_is_found_after_data_with_how_to_see_and_remove_it(
        wizard: Wizard) -> None:
    code, out = wizard.run(*relay("sender=suppressed@example.com", "recipient=to@example.net",
                                  "selector=sel1", "send_test=yes"))
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-2:] == ["relay_accepted", "relay_suppressed"]
    assert finding_ids(out) == ["mail.relay-suppressed"]
    found = fix(out, "catalog.smtp-254-suppressed")
    assert found["actions"] == [
        {"type": "console",
         "instruction": "See the suppression entry of to@example.net and its reason "
                        "(hard bounce, complaint, …)",
         "where": "Email Delivery > Suppression List",
         "command": "oci email suppression list --compartment-id <tenancy-ocid> "
                    "--email-address to@example.net"},
        {"type": "console",
         "instruction": "Delete the suppression entry of to@example.net once the cause is "
                        "resolved",
         "where": "Email Delivery > Suppression List",
         "command": "oci email suppression delete --suppression-id <suppression-ocid>"},
    ]
    assert "hard bounce" in found["text"] and "complaint" in found["text"]


def test_an_unapproved_sender_is_refused_at_mail_from_and_gets_approved(
        wizard: Wizard) -> None:
    code, out = wizard.run(*relay("sender=unapproved@example.com", "recipient=to@example.net",
                                  "selector=sel1"))
    assert (code, out["status"]) == (1, "problem")
    assert outcome(out, "envelope") == "rejected_sender"
    assert steps(out)[-2:] == ["relay_why", "relay_refused"]
    assert outcome(out, "relay_why") == "sender_not_approved"
    assert finding_ids(out) == ["mail.relay-refused"]
    assert fix(out, "catalog.smtp-535-address-not-authorized")["actions"] == [
        {"type": "console",
         "instruction": "Create an approved sender for unapproved@example.com in the region "
                        "you send through",
         "where": "Email Delivery > Approved Senders",
         "command": "oci email sender create --compartment-id <compartment-ocid> "
                    "--email-address unapproved@example.com"},
        {"type": "console",
         "instruction": "Grant the sending user's group: Allow group <group> to use "
                        "email-family in compartment <compartment>",
         "where": "Identity > Policies", "command": ""},
        {"type": "message",
         "change": "Use the same approved address as envelope From (MAIL FROM) and header From",
         "detail": ""},
    ]


def test_wrong_credentials_are_refused_and_new_ones_proposed(wizard: Wizard) -> None:
    wizard.password_file.write_text("not-the-password")
    code, out = wizard.run(*relay("sender=ok@example.com", "recipient=to@example.net",
                                  "selector=sel1"))
    assert (code, out["status"]) == (1, "problem")
    assert outcome(out, "envelope") == "auth_failed"
    assert outcome(out, "relay_why") == "auth_failed"
    assert steps(out)[-1] == "relay_refused"
    assert fix(out, "catalog.smtp-535-credentials-invalid")["actions"] == [
        {"type": "console",
         "instruction": "Generate SMTP credentials for the sending user and copy username "
                        "and password",
         "where": "Identity > Users > (user) > SMTP Credentials", "command": ""},
        {"type": "postconf", "op": "set", "param": "smtp_sasl_auth_enable", "value": "yes"}]


def test_the_per_minute_rate_limit_names_the_limit(wizard: Wizard) -> None:
    code, out = wizard.run(*relay("sender=burst@example.com", "recipient=to@example.net",
                                  "selector=sel1"))
    assert (code, out["status"]) == (1, "problem")
    assert outcome(out, "envelope") == "temporary_failure"
    assert steps(out)[-1] == "relay_refused"
    assert outcome(out, "relay_why") == "rate_limited"
    actions = fix(out, "catalog.smtp-455-minute-limit")["actions"]
    assert actions[0] == {"type": "message", "detail": "",
                          "change": "Rate-limit sending to fewer than 10 messages per minute"}
    assert actions[1]["type"] == "console"


def test_a_message_over_the_size_limit_is_refused_after_data(wizard: Wizard) -> None:
    code, out = wizard.run(*relay("sender=big@example.com", "recipient=to@example.net",
                                  "selector=sel1", "send_test=yes"))
    assert (code, out["status"]) == (1, "problem")
    assert outcome(out, "envelope") == "rejected_data"
    assert steps(out)[-1] == "relay_refused"
    assert fix(out, "catalog.smtp-552-byte-limit")["actions"] == [
        {"type": "message", "detail": "",
         "change": "Reduce the message below the SIZE limit announced in the EHLO reply"}]


def test_a_server_side_failure_is_explained_with_retry_advice(wizard: Wizard) -> None:
    code, out = wizard.run(*relay("sender=glitch@example.com", "recipient=to@example.net",
                                  "selector=sel1", "send_test=yes"))
    assert (code, out["status"]) == (1, "problem")
    assert outcome(out, "relay_why") == "service_error"
    assert steps(out)[-1] == "relay_refused"
    found = fix(out, "catalog.smtp-451-processing-error")
    assert found["actions"] == [
        {"type": "message", "detail": "", "change": "Retry the message with backoff"}]
    assert found["text"].endswith("Retry: Retry with backoff.")


PORTS = "port-connectivity"
"""The sub-flow undelivered-mail runs when the relay cannot be reached or TLS to it fails."""


def test_an_untrusted_relay_certificate_runs_port_connectivity_which_names_the_cause(
        wizard: Wizard) -> None:
    """Before, the fix said "Run email-wizard run port-connectivity"; now it runs here."""
    code, out = wizard.run(*relay("sender=ok@example.com", "recipient=to@example.net",
                                  "selector=sel1"), trust=False)
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[steps(out).index("envelope"):] == [
        "envelope", "relay_tls_failed", "relay_ports", f"{PORTS}/endpoint", f"{PORTS}/connect",
        f"{PORTS}/smtp", f"{PORTS}/cert_untrusted", "relay_failed"]
    assert outcome(out, f"{PORTS}/smtp") == "cert_untrusted"
    assert finding_ids(out) == ["mail.relay-tls-failed", "tls.cert-untrusted"]
    assert [f["id"] for f in out["fixes"]] == ["tls.trust-the-real-certificate"]
    assert "email-wizard run" not in out["fixes"][0]["text"]


def test_a_relay_port_nobody_listens_on_runs_port_connectivity(wizard: Wizard) -> None:
    """Without an external mail server to compare with (the test resolver knows no
    google.com), port-connectivity says so: the port refuses, and which side blocks it is
    left open — no guessed egress rule."""
    code, out = wizard.run(*relay("sender=ok@example.com", "recipient=to@example.net",
                                  "selector=sel1"), port=wizard.smtp.closed)
    assert (code, out["status"]) == (1, "problem")
    assert outcome(out, "envelope") == "refused"
    assert outcome(out, f"{PORTS}/connect") == "all_refused"
    assert outcome(out, "relay_ports") == "inconclusive"
    assert steps(out)[-1] == "relay_failed"
    assert finding_ids(out) == ["mail.relay-unreachable", "ports.endpoint-unreachable",
                                "ports.no-external-mta"]
    assert [f["id"] for f in out["fixes"]] == ["ports.compare-by-hand"]


@pytest.mark.parametrize("external", [f"external_mta_host={EXTERNAL}",
                                      "external_mta_domain=mta.ports.test"])
def test_a_relay_port_refused_like_an_external_servers_gets_the_egress_rule(
        wizard: Wizard, external: str) -> None:
    """The relay and the external mail server (given, or the MX of a given domain) both
    refuse the port: blocked on this side, and port-connectivity's typed egress rule is in
    undelivered-mail's report."""
    blocked = port_free_on(LOOPBACK, EXTERNAL)
    code, out = wizard.run(*relay("sender=ok@example.com", "recipient=to@example.net",
                                  "selector=sel1", external), port=blocked)
    assert (code, out["status"]) == (1, "problem")
    assert outcome(out, f"{PORTS}/external") == "all_refused"
    [entry] = [e for e in out["trail"] if e["step"] == f"{PORTS}/external"]
    assert entry["facts"]["external.address"] == EXTERNAL
    assert finding_ids(out) == ["mail.relay-unreachable", "ports.egress-blocked"]
    assert fix(out, "ports.allow-egress")["actions"] == [
        {"type": "network", "protocol": "tcp", "port": str(blocked),
         "destination": "127.0.0.1", "direction": "egress",
         "where": "host firewall, VCN security list / network security group, or ISP"}]
    assert steps(out)[-1] == "relay_failed"


def test_a_relay_that_drops_while_an_external_server_answers_is_the_providers_side(
        wizard: Wizard, peers: Peers, shared_port: int) -> None:
    peers.drop(LOOPBACK, shared_port)
    peers.smtp(EXTERNAL, shared_port)
    code, out = wizard.run(*relay("sender=ok@example.com", "recipient=to@example.net",
                                  "selector=sel1", f"external_mta_host={EXTERNAL}"),
                           port=shared_port, extra=("--timeout", "1"))
    assert (code, out["status"]) == (1, "problem")
    assert outcome(out, "envelope") == "timeout"
    assert (outcome(out, f"{PORTS}/connect"), outcome(out, f"{PORTS}/external")) == (
        "all_dropped", "all_open")
    assert finding_ids(out) == ["mail.relay-unreachable", "ports.provider-side"]
    [action] = fix(out, "ports.report-to-provider")["actions"]
    assert action["type"] == "console" and str(shared_port) in action["instruction"]


# ---------------------------------------------------------------- without a relay test


def test_a_pasted_suppression_is_explained_without_any_relay(wizard: Wizard) -> None:
    error = "254 4.7.1 Suppression for user ocid1.user.oc1..aaaa to <gone@example.net>"
    code, out = wizard.run(f"error={error}", login=False)
    assert (code, out["status"]) == (1, "problem")
    assert steps(out) == ["identity", "profile", "queue", "explain_error",
                          "error_explained", "queue_report", "message", "from_relation",
                          "selector_known", "relay_route", "send_route", "relay_addresses",
                          "relay_not_tested"]
    assert [outcome(out, s) for s in ("queue", "queue_report", "message", "selector_known",
                                      "relay_addresses")] == ["skipped"] * 5
    assert outcome(out, "explain_error") == "suppressed"
    assert finding_ids(out) == ["mail.catalog-error"]
    actions = fix(out, "catalog.smtp-254-suppressed")["actions"]
    assert [a["command"] for a in actions] == [
        "oci email suppression list --compartment-id <tenancy-ocid> --email-address "
        "gone@example.net",
        "oci email suppression delete --suppression-id <suppression-ocid>"]


def test_a_sender_without_a_recipient_gets_the_domain_checks_but_no_envelope_test(
        wizard: Wizard) -> None:
    code, out = wizard.run(*relay("sender=ok@example.com", "selector=sel1"), login=False)
    assert (code, out["status"]) == (0, "healthy")
    assert steps(out)[-1] == "envelope_not_tested"
    assert outcome(out, "dmarc") == "policy_enforced"


# ---------------------------------------------------------------- several problems at once


def test_every_problem_of_a_badly_set_up_domain_is_found_in_one_run(wizard: Wizard) -> None:
    code, out = wizard.run(*relay("sender=app@undelivered.test", "recipient=to@example.net",
                                  "selector=sel1"))
    assert (code, out["status"]) == (1, "problem")
    assert finding_ids(out) == ["mail.dkim-missing", "mail.spf-include-missing",
                                "mail.dmarc-missing"]
    assert steps(out)[-1] == "done_without_data"
    assert fix(out, "mail.dkim-add-cname")["actions"] == [
        {"type": "dns", "op": "add", "name": "sel1._domainkey.undelivered.test.",
         "rtype": "CNAME", "value": "sel1.undelivered.test.dkim.iad1.oracleemaildelivery.com.",
         "old_value": "", "zone": "undelivered.test", "zone_relative_name": "sel1._domainkey",
         "ttl": None}]
    assert fix(out, "mail.spf-add-include")["actions"] == [
        {"type": "dns", "op": "replace", "name": "undelivered.test.", "rtype": "TXT",
         "old_value": "v=spf1 ip4:192.0.2.1 ~all",
         "value": "v=spf1 include:rp.oracleemaildelivery.com ip4:192.0.2.1 ~all",
         "zone": "", "zone_relative_name": "", "ttl": None}]
    assert fix(out, "mail.dmarc-add")["actions"] == [
        {"type": "dns", "op": "add", "name": "_dmarc.undelivered.test.", "rtype": "TXT",
         "value": "v=DMARC1; p=none; rua=mailto:dmarc-reports@undelivered.test",
         "old_value": "", "zone": "", "zone_relative_name": "", "ttl": None}]


@pytest.fixture
def postfix_rate_limited(make_postfix: Callable[[], PostfixInstance],
                         smtp_servers: SmtpServers) -> PostfixInstance:
    """A real Postfix whose relay greets with 421 Too many connections: its mail waits."""
    instance = make_postfix()
    relayhost = f"[127.0.0.1]:{smtp_servers.scripted['too_many_connections']}"
    subprocess.run(["postconf", "-c", str(instance.config_directory), "-e",
                    f"relayhost={relayhost}"], check=True, capture_output=True)
    instance.start()
    instance.send("app@undelivered.test", ["to@example.net"],
                  b"From: app@undelivered.test\nTo: to@example.net\nSubject: x\n\nx\n")
    instance.wait_for_queue(lambda queue: deferred(queue) and all(
        "421" in r.get("delay_reason", "") for m in queue for r in m["recipients"]))
    return instance


ALL_WRONG = (b"Return-Path: <suppressed@example.com>\n"
             b"DKIM-Signature: v=1; a=rsa-sha256; d=undelivered.test; s=sel1; h=from; bh=x;"
             b" b=y\n"
             b"From: App <app@undelivered.test>, Other <other@undelivered.test>\n"
             b"To: to@example.net\nSubject: where did it go\n\nbody\n")


def test_queue_error_message_domain_and_relay_problems_are_all_found_in_one_run(
        wizard: Wizard, postfix_rate_limited: PostfixInstance, tmp_path: Path) -> None:
    message = tmp_path / "stuck.eml"
    message.write_bytes(ALL_WRONG)
    code, out = wizard.run(*relay(
        f"message={message}", "send_test=yes",
        "error=455 Maximum messages sent per minute reached : limit is 10",
        f"postfix_config_directory={postfix_rate_limited.config_directory}"))
    assert (code, out["status"]) == (1, "problem")
    assert finding_ids(out) == [
        "mail.catalog-error", "mail.queue-deferred", "mail.several-from", "mail.from-mismatch",
        "mail.dkim-missing", "mail.dmarc-missing", "mail.relay-suppressed"]
    assert outcome(out, "queue") == "has_deferred"
    assert outcome(out, "explain_error") == "rate_limited"
    assert fix(out, "catalog.smtp-455-minute-limit")["title"] == \
        "Spread sending below 10 messages a minute"
    [queued] = [f for f in out["findings"] if f["id"] == "mail.queue-deferred"]
    assert "to@example.net" in queued["message"]
    assert "421 Too many connections" in queued["message"]
    assert "more SMTP connections open" in queued["message"]
    assert fix(out, "mail.queue-flush")["actions"] == [
        {"type": "message", "change": "Flush the Postfix queue after the fix",
         "detail": f"postqueue -c {postfix_rate_limited.config_directory} -f"}]
    assert fix(out, "mail.one-from")["actions"] == [
        {"type": "message", "change": "Use one approved address in From",
         "detail": "now: app@undelivered.test, other@undelivered.test"}]
    assert fix(out, "mail.align-from")["actions"][0] == {
        "type": "message",
        "change": "Use the same approved address as envelope From (MAIL FROM) and header From",
        "detail": "envelope From suppressed@example.com, header From app@undelivered.test"}
    assert outcome(out, "spf") == "valid"
    listing = fix(out, "catalog.smtp-254-suppressed")["actions"][0]
    assert listing["command"].endswith("--email-address to@example.net")


def test_a_message_over_the_limits_and_out_of_dmarc_alignment_without_a_relay(
        wizard: Wizard, tmp_path: Path) -> None:
    recipients = ", ".join(f"r{i}@example.net" for i in range(51)).encode()
    filler = b"".join(b"X-Filler-%05d: %s\n" % (i, b"y" * 90) for i in range(2800))
    message = tmp_path / "huge.eml"
    message.write_bytes(b"Return-Path: <bounces@undelivered.test>\nFrom: app@example.com\n"
                        b"To: " + recipients + b"\n" + filler + b"\nbody\n")
    code, out = wizard.run(f"message={message}", login=False)
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-1] == "relay_not_tested"
    assert finding_ids(out) == ["mail.header-too-large", "mail.too-many-recipients",
                                "mail.from-mismatch", "mail.dkim-selector-unknown",
                                "mail.dmarc-not-aligned"]
    assert fix(out, "mail.shrink-headers")["actions"] == [
        {"type": "message", "detail": "",
         "change": "Remove or shorten custom headers so that all headers stay under 256 KB"}]
    assert fix(out, "mail.split-recipients")["actions"] == [
        {"type": "message", "detail": "",
         "change": "Send separate messages with at most 50 recipients each (To, Cc and Bcc "
                   "together)"}]
    assert fix(out, "mail.dmarc-align")["actions"] == [
        {"type": "message",
         "change": "Use an envelope From (MAIL FROM) in example.com, ideally the header From "
                   "itself",
         "detail": "now: envelope From bounces@undelivered.test, DKIM d="}]
    assert outcome(out, "spf") == "valid"


# ---------------------------------------------------------------- each pasted error's branch


@pytest.mark.parametrize(("error", "topic", "fix_id", "action_types"), [
    ("535 Authorization failed: address app@example.com not authorized",
     "sender_not_approved", "catalog.smtp-535-address-not-authorized",
     ["console", "console", "message"]),
    ("smtplib.SMTPAuthenticationError: (535, b'Authentication credentials invalid')",
     "auth_failed", "catalog.python-authentication-error", []),
    ("455 Maximum messages sent per day reached : limit is 200", "rate_limited",
     "catalog.smtp-455-daily-limit", ["message", "console"]),
    ("554 Message parse error", "message_rejected", "catalog.smtp-554-parse-error",
     ["message"]),
    ("421 Timeout waiting for data from client", "tls_or_connection",
     "catalog.smtp-421-data-timeout", ["message"]),
    ("400 MissingParameter Required attribute subject can't be empty or null.",
     "https_request", "catalog.https-400-subject-missing", ["message"]),
    ("452 System storage error", "service_error", "catalog.smtp-452-storage-error",
     ["message"]),
    ("503 Need RCPT command", "other_match", "catalog.smtp-503-need-rcpt", ["message"]),
])
def test_each_kind_of_pasted_error_gets_its_catalog_entrys_fix(
        wizard: Wizard, error: str, topic: str, fix_id: str, action_types: list[str]) -> None:
    code, out = wizard.run(f"error={error}", login=False)
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[3:5] == ["explain_error", "error_explained"]
    assert outcome(out, "explain_error") == topic
    assert finding_ids(out) == ["mail.catalog-error"]
    [offered] = out["fixes"]
    assert offered["id"] == fix_id
    assert [a["type"] for a in offered["actions"]] == action_types


def test_an_error_no_catalog_entry_knows_is_read_by_its_reply_class(wizard: Wizard) -> None:
    error = "550 5.1.1 <x@example.net>: Recipient address rejected: User unknown"
    code, out = wizard.run(f"error={error}", login=False)
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[4] == "error_generic"
    assert out["fixes"][0]["id"] == "mail.read-reply"
    assert out["fixes"][0]["actions"][0]["type"] == "message"


def test_text_without_a_reply_is_an_info_and_the_run_goes_on(wizard: Wizard) -> None:
    code, out = wizard.run("error=it just does not arrive", login=False)
    assert (code, out["status"]) == (0, "healthy")
    assert finding_ids(out) == ["mail.error-unrecognized"]
    assert steps(out)[-1] == "relay_not_tested"


def test_an_unknown_region_is_a_problem_with_the_known_ones_listed(wizard: Wizard) -> None:
    code, out = wizard.run("region=us-nowhere-1", "sender=ok@example.com", login=False)
    assert code == 1
    assert finding_ids(out) == ["mail.unknown-region", "mail.dkim-selector-unknown"]
    assert "us-ashburn-1" in fix(out, "mail.pick-region")["text"]
    assert steps(out)[-1] == "relay_not_tested"


def test_a_file_without_headers_is_reported_and_the_given_sender_is_used(
        wizard: Wizard, tmp_path: Path) -> None:
    message = tmp_path / "notes.txt"
    message.write_text("just some words\nno headers here\n")
    code, out = wizard.run(f"message={message}", "sender=ok@example.com", "selector=sel1",
                           login=False)
    assert (code, out["status"]) == (0, "healthy")
    assert finding_ids(out)[0] == "mail.message-unusable"
    assert outcome(out, "dkim") == "cname_ok"


def test_an_unreadable_queue_directory_is_noted_and_the_run_goes_on(wizard: Wizard,
                                                                   tmp_path: Path) -> None:
    code, out = wizard.run(f"postfix_config_directory={tmp_path / 'nope'}", login=False)
    assert (code, out["status"]) == (0, "healthy")
    assert finding_ids(out) == ["mail.queue-unreadable"]


# ---------------------------------------------------------------- runs that cannot finish


def test_a_message_that_gives_no_data_in_time_is_inconclusive(wizard: Wizard,
                                                                tmp_path: Path) -> None:
    message = tmp_path / "m.eml"
    message.write_text("From: a@example.com\nTo: b@example.net\n\nx\n")
    result = cli("run", "undelivered-mail", "--json", "--set", f"message={message}",
                 "--timeout", "0.000001")
    out = json.loads(result.stdout)
    assert (result.returncode, out["status"]) == (3, "inconclusive")
    assert steps(out) == ["identity", "message_stalled"]


def test_a_provider_profile_that_cannot_be_read_in_time_is_inconclusive() -> None:
    result = cli("run", "undelivered-mail", "--json", "--set", "sender=a@example.com",
                 "--timeout", "0.000001")
    out = json.loads(result.stdout)
    assert (result.returncode, out["status"]) == (3, "inconclusive")
    assert steps(out) == ["identity", "profile", "cannot_start"]


# ---------------------------------------------------------------- each intermediate fix step
# The sending domains are subdomains of undelivered2.test (tests/data/zones/resolver), each
# with one thing wrong; broken.test answers SERVFAIL and nowhere.test REFUSED.

DNS_NONE = {"old_value": "", "zone": "", "zone_relative_name": "", "ttl": None}


def test_held_messages_are_reported_with_how_to_release_them(
        wizard: Wizard, make_postfix: Callable[[], PostfixInstance]) -> None:
    instance = make_postfix()
    instance.start()
    instance.send("app@example.com", ["to@example.net"],
                  b"From: app@example.com\nTo: to@example.net\nSubject: x\n\nx\n")
    instance.wait_for_queue(deferred)
    instance.hold_all()
    code, out = wizard.run(f"postfix_config_directory={instance.config_directory}",
                           login=False)
    assert (code, out["status"]) == (1, "problem")
    assert outcome(out, "queue") == "on_hold"
    assert steps(out)[:4] == ["identity", "profile", "queue", "queue_held"]
    assert steps(out)[-1] == "relay_not_tested"
    assert finding_ids(out) == ["mail.queue-held"]
    [held] = out["findings"]
    assert held["message"].startswith("1 message(s) are on hold in the Postfix queue")
    assert fix(out, "mail.queue-release")["actions"] == [
        {"type": "message", "change": "Release the held messages (postsuper -H)",
         "detail": f"postsuper -c {instance.config_directory} -H ALL"}]


def test_a_message_without_from_gets_one_added(wizard: Wizard, tmp_path: Path) -> None:
    message = tmp_path / "nofrom.eml"
    message.write_bytes(b"To: to@example.net\nSubject: who sent this\n\nbody\n")
    code, out = wizard.run(f"message={message}", "sender=ok@example.com", "selector=sel1",
                           login=False)
    assert (code, out["status"]) == (1, "problem")
    assert outcome(out, "message") == "parsed"
    assert steps(out)[steps(out).index("from_count") + 1] == "no_from"
    assert finding_ids(out) == ["mail.no-from"]
    assert fix(out, "mail.add-from")["actions"] == [
        {"type": "message", "change": "Add a From header with one approved sender address",
         "detail": ""}]
    assert outcome(out, "dkim") == "cname_ok"
    assert outcome(out, "dmarc") == "policy_enforced"


def test_a_dkim_cname_to_another_target_is_pointed_at_the_providers_key(
        wizard: Wizard) -> None:
    code, out = wizard.run(*relay("sender=app@wrongcname.undelivered2.test", "selector=sel1"),
                           login=False)
    assert (code, out["status"]) == (1, "problem")
    assert outcome(out, "dkim") == "cname_wrong_target"
    assert steps(out)[steps(out).index("dkim") + 1:][:2] == ["dkim_wrong_zone", "dkim_wrong_target"]
    assert finding_ids(out) == ["mail.dkim-wrong-target"]
    assert fix(out, "mail.dkim-replace-cname")["actions"] == [
        {"type": "dns", "op": "replace",
         "name": "sel1._domainkey.wrongcname.undelivered2.test.", "rtype": "CNAME",
         "old_value": "sel1.keys.provider.test.",
         "value": "sel1.wrongcname.undelivered2.test.dkim.iad1.oracleemaildelivery.com.",
         "zone": "undelivered2.test", "zone_relative_name": "sel1._domainkey.wrongcname",
         "ttl": None}]
    assert steps(out)[-1] == "envelope_not_tested"


def test_a_txt_key_that_is_not_the_providers_is_replaced_by_the_cname(wizard: Wizard) -> None:
    code, out = wizard.run(*relay("sender=app@txtkey.undelivered2.test", "selector=sel1"),
                           login=False)
    assert (code, out["status"]) == (1, "problem")
    assert outcome(out, "dkim") == "txt_key_differs"
    assert steps(out)[steps(out).index("dkim") + 1:][:2] == [
        "dkim_txt_zone", "dkim_txt_not_providers"]
    assert finding_ids(out) == ["mail.dkim-txt-not-providers-key"]
    delete, add = fix(out, "mail.dkim-txt-to-cname")["actions"]
    assert {k: v for k, v in delete.items() if k != "value"} == {
        "type": "dns", "op": "delete", "name": "sel1._domainkey.txtkey.undelivered2.test.",
        "rtype": "TXT", "old_value": "", "zone": "undelivered2.test",
        "zone_relative_name": "sel1._domainkey.txtkey", "ttl": None}
    assert delete["value"].startswith("v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQ")
    assert add == {
        "type": "dns", "op": "add", "name": "sel1._domainkey.txtkey.undelivered2.test.",
        "rtype": "CNAME",
        "value": "sel1.txtkey.undelivered2.test.dkim.iad1.oracleemaildelivery.com.",
        "old_value": "", "zone": "undelivered2.test",
        "zone_relative_name": "sel1._domainkey.txtkey", "ttl": None}


def test_a_dkim_cname_pasted_whole_into_a_zone_relative_console_is_moved(
        wizard: Wizard) -> None:
    code, out = wizard.run(*relay("sender=app@pasted.undelivered2.test", "selector=sel1"),
                           login=False)
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[steps(out).index("dkim"):][:3] == ["dkim", "dkim_misplaced", "dkim_move"]
    assert finding_ids(out) == ["mail.dkim-misplaced"]
    assert "sel1._domainkey.pasted.undelivered2.test.undelivered2.test." in \
        out["findings"][0]["message"]
    target = "sel1.pasted.undelivered2.test.dkim.iad1.oracleemaildelivery.com."
    assert fix(out, "mail.dkim-move-record")["actions"] == [
        {"type": "dns", "op": "delete",
         "name": "sel1._domainkey.pasted.undelivered2.test.undelivered2.test.",
         "rtype": "CNAME", "value": target, "old_value": "", "zone": "undelivered2.test",
         "zone_relative_name": "sel1._domainkey.pasted.undelivered2.test", "ttl": None},
        {"type": "dns", "op": "add", "name": "sel1._domainkey.pasted.undelivered2.test.",
         "rtype": "CNAME", "value": target, "old_value": "", "zone": "undelivered2.test",
         "zone_relative_name": "sel1._domainkey.pasted", "ttl": None}]
    assert "sel1._domainkey.pasted\n" in fix(out, "mail.dkim-move-record")["text"]
    assert outcome(out, "spf") == "valid"


def test_a_dkim_cname_whose_subdomain_label_was_dropped_is_moved(wizard: Wizard) -> None:
    code, out = wizard.run(*relay("sender=app@dropped.undelivered2.test", "selector=drop1"),
                           login=False)
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[steps(out).index("dkim"):][:3] == ["dkim", "dkim_misplaced", "dkim_move"]
    assert finding_ids(out) == ["mail.dkim-misplaced"]
    assert "were dropped" in out["findings"][0]["message"]
    target = "drop1.dropped.undelivered2.test.dkim.iad1.oracleemaildelivery.com."
    assert fix(out, "mail.dkim-move-record")["actions"] == [
        {"type": "dns", "op": "delete", "name": "drop1._domainkey.undelivered2.test.",
         "rtype": "CNAME", "value": target, "old_value": "", "zone": "undelivered2.test",
         "zone_relative_name": "drop1._domainkey", "ttl": None},
        {"type": "dns", "op": "add", "name": "drop1._domainkey.dropped.undelivered2.test.",
         "rtype": "CNAME", "value": target, "old_value": "", "zone": "undelivered2.test",
         "zone_relative_name": "drop1._domainkey.dropped", "ttl": None}]


def test_a_missing_dkim_cname_without_a_known_value_says_where_to_find_it(
        wizard: Wizard) -> None:
    code, out = wizard.run("sender=app@undelivered.test", "selector=sel1", "host=127.0.0.1",
                           login=False)
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[steps(out).index("dkim"):][:4] == [
        "dkim", "dkim_misplaced", "dkim_value_known", "dkim_missing_value_unknown"]
    assert "mail.dkim-missing" in finding_ids(out)
    assert "mail.dkim-add-cname" not in [f["id"] for f in out["fixes"]]
    found = fix(out, "mail.dkim-add-cname-from-console")
    assert found["actions"] == [
        {"type": "console",
         "instruction": "Copy the CNAME value of the DKIM key sel1 and add it as a CNAME at "
                        "sel1._domainkey.undelivered.test. (sel1._domainkey in the zone "
                        "undelivered.test)",
         "where": "Email Delivery > Email Domains > undelivered.test > DKIM", "command": ""}]
    assert "--set region=<your region>" in found["text"]
    assert not [a for f in out["fixes"] for a in f["actions"]
                if a["type"] == "dns" and not a["value"]]


@pytest.mark.parametrize(("selector", "dkim_outcome", "end", "finding", "fix_id"), [
    ("dangling", "no_key_at_target", "target_without_key", "dkim.no-key-at-target",
     "dkim.check-target"),
    ("revoked", "revoked", "key_unusable", "dkim.key-unusable", "dkim.publish-providers-key"),
    ("badkey", "malformed", "key_unusable", "dkim.key-unusable", "dkim.publish-providers-key"),
])
def test_an_unusable_dkim_key_runs_the_dkim_flow_whose_findings_join_the_report(
        wizard: Wizard, selector: str, dkim_outcome: str, end: str, finding: str,
        fix_id: str) -> None:
    """dkim-needs-attention runs as a sub-flow (no OCI profile, no question): its checks of
    the authoritative servers and the record are in the trail, its finding and console fix
    in the report — where the run only told the user to run that flow before."""
    code, out = wizard.run("sender=app@dkimflow.test", f"selector={selector}", login=False,
                           extra=("--authoritative-port", str(wizard.dns.authoritative_port)))
    assert (code, out["status"]) == (1, "problem")
    assert outcome(out, "dkim") == dkim_outcome
    after = steps(out)[steps(out).index("dkim") + 1:]
    assert after[:6] == ["dkim_check", "dkim-needs-attention/api",
                         "dkim-needs-attention/need_selector", "dkim-needs-attention/profile",
                         "dkim-needs-attention/authority", "dkim-needs-attention/record"]
    assert after[6:8] == [f"dkim-needs-attention/{end}", "spf"]
    assert outcome(out, "dkim-needs-attention/authority") == "consistent"
    assert finding_ids(out)[0] == finding
    assert "mail.dkim-unusable" not in finding_ids(out)
    [action] = fix(out, fix_id)["actions"]
    assert action["type"] == "console"
    assert "dkim-needs-attention" not in " ".join(f["text"] for f in out["fixes"])


@pytest.mark.parametrize(("domain", "rcode"), [("broken.test", "SERVFAIL"),
                                               ("nowhere.test", "REFUSED")])
def test_dns_failures_of_the_sending_domain_are_warnings_for_dkim_spf_and_dmarc(
        wizard: Wizard, domain: str, rcode: str) -> None:
    code, out = wizard.run(*relay(f"sender=app@{domain}", "selector=sel1"), login=False)
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-10:] == [
        "dkim", "dkim_lookup_failed", "spf", "spf_lookup_failed",
        "dmarc", "dmarc_lookup_failed", "relay_route", "send_route",
        "relay_addresses", "envelope_not_tested"]
    assert finding_ids(out) == ["mail.dkim-lookup-failed", "mail.spf-lookup-failed",
                                "mail.dmarc-lookup-failed"]
    assert [f["severity"] for f in out["findings"]] == ["warning"] * 3
    messages = [f["message"] for f in out["findings"]]
    for message, name in zip(messages, [f"sel1._domainkey.{domain}", domain,
                                        f"_dmarc.{domain}"], strict=True):
        assert message.endswith(f"answered {rcode} for {name} TXT")
    assert [x["id"] for x in out["fixes"]] == [
        "mail.dns-check-later", "mail.spf-dns-check-later", "mail.dmarc-dns-check-later"]
    assert all(x["actions"] == [] for x in out["fixes"])
    assert f"The DNS servers of {domain} did not answer" in fix(out, "mail.spf-dns-check-later")[
        "text"]


def test_a_domain_without_spf_gets_a_record_with_the_regions_include(wizard: Wizard) -> None:
    code, out = wizard.run(*relay("sender=app@nospf.undelivered2.test"), login=False)
    assert (code, out["status"]) == (1, "problem")
    assert outcome(out, "spf") == "missing"
    assert steps(out)[steps(out).index("spf") + 1] == "spf_missing"
    assert finding_ids(out) == ["mail.dkim-selector-unknown", "mail.spf-missing"]
    assert fix(out, "mail.spf-add")["actions"] == [
        {**DNS_NONE, "type": "dns", "op": "add", "name": "nospf.undelivered2.test.",
         "rtype": "TXT", "value": "v=spf1 include:rp.oracleemaildelivery.com ~all"}]


def test_a_domain_without_spf_and_without_a_region_gets_a_placeholder_include(
        wizard: Wizard) -> None:
    code, out = wizard.run("sender=app@nospf.undelivered2.test", login=False)
    assert (code, out["status"]) == (1, "problem")
    assert outcome(out, "spf") == "missing"
    assert steps(out)[steps(out).index("spf") + 1] == "spf_missing"
    assert finding_ids(out) == ["mail.dkim-selector-unknown", "mail.spf-missing"]
    found = fix(out, "mail.spf-add")
    assert found["actions"] == [
        {**DNS_NONE, "type": "dns", "op": "add", "name": "nospf.undelivered2.test.",
         "rtype": "TXT", "value": "v=spf1 include:<the include for your region> ~all"}]
    assert "region=" in found["text"]
    assert steps(out)[-1] == "relay_not_tested"


@pytest.mark.parametrize(("subdomain", "spf_outcome", "summary"), [
    ("twospf", "multiple_records",
     "twospf.undelivered2.test publishes 2 SPF records: receivers give permerror"),
    ("badspf", "invalid",
     "the SPF record of badspf.undelivered2.test is invalid: 'ip4:999.1.1.1': 999.1.1.1 is "
     "not a valid network"),
])
def test_a_broken_spf_record_is_to_be_repaired(wizard: Wizard, subdomain: str,
                                                spf_outcome: str, summary: str) -> None:
    code, out = wizard.run(*relay(f"sender=app@{subdomain}.undelivered2.test"), login=False)
    assert (code, out["status"]) == (1, "problem")
    assert outcome(out, "spf") == spf_outcome
    assert steps(out)[steps(out).index("spf") + 1] == "spf_broken"
    assert finding_ids(out) == ["mail.dkim-selector-unknown", "mail.spf-broken"]
    [broken] = [f for f in out["findings"] if f["id"] == "mail.spf-broken"]
    assert broken["message"] == summary
    found = fix(out, "mail.spf-repair")
    assert found["actions"] == []
    assert "exactly one TXT record starting with v=spf1" in found["text"]
    assert outcome(out, "dmarc") == "policy_enforced"


def test_a_monitoring_only_dmarc_policy_is_an_info(wizard: Wizard) -> None:
    code, out = wizard.run(*relay("sender=app@mon.undelivered2.test"), login=False)
    assert (code, out["status"]) == (0, "healthy")
    assert outcome(out, "dmarc") == "policy_none"
    assert steps(out)[steps(out).index("dmarc") + 1] == "dmarc_monitoring"
    assert finding_ids(out) == ["mail.dkim-selector-unknown", "mail.dmarc-none"]
    assert [f["severity"] for f in out["findings"]] == ["info", "info"]
    found = fix(out, "mail.dmarc-enforce-later")
    assert found["actions"] == []
    assert found["text"].endswith(
        "Now: v=DMARC1; p=none; rua=mailto:dmarc@undelivered2.test")


def test_a_dmarc_record_receivers_ignore_is_to_be_repaired(wizard: Wizard) -> None:
    code, out = wizard.run(*relay("sender=app@baddmarc.undelivered2.test"), login=False)
    assert (code, out["status"]) == (1, "problem")
    assert outcome(out, "dmarc") == "malformed"
    assert steps(out)[steps(out).index("dmarc") + 1] == "dmarc_malformed"
    assert finding_ids(out) == ["mail.dkim-selector-unknown", "mail.dmarc-malformed"]
    [malformed] = [f for f in out["findings"] if f["id"] == "mail.dmarc-malformed"]
    assert "p=maybe: must be none, quarantine or reject" in malformed["message"]
    found = fix(out, "mail.dmarc-repair")
    assert found["actions"] == []
    assert found["title"] == "Repair the DMARC record at _dmarc.baddmarc.undelivered2.test"


def test_an_unusable_message_file_alone_is_not_healthy(tmp_path: Path) -> None:
    message = tmp_path / "notes.txt"
    message.write_text("just some words\nno headers here\n")
    result = cli("run", "undelivered-mail", "--set", f"message={message}", "--timeout", "2",
                 "--nameserver", "127.0.0.1:9", "--json")
    out = json.loads(result.stdout)
    assert (result.returncode, out["status"]) == (3, "inconclusive")
    assert finding_ids(out) == ["mail.message-unusable"]
    assert steps(out)[-1] == "message_was_all"
    assert "cannot be used" in out["message"]


def test_the_graph_of_undelivered_mail_draws_the_flows_it_runs() -> None:
    result = cli("graph", "undelivered-mail")
    assert result.returncode == 0, result.stderr
    assert 'subgraph f_port_connectivity["flow port-connectivity"]' in result.stdout
    assert 'subgraph f_dkim_needs_attention["flow dkim-needs-attention"]' in result.stdout
    assert 'n_relay_ports -.->|"runs"| n_port_connectivity__endpoint' in result.stdout
    assert 'n_dkim_check -.->|"runs"| n_dkim_needs_attention__api' in result.stdout
