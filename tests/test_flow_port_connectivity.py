"""port-connectivity end to end, headless: every terminal state against real loopback peers.

The endpoint is 127.0.0.1 (or a name the Knot test resolver points there: a
mistyped host, a region's endpoint); the external MTA is on 127.0.0.25 at the
same port numbers, given with external_mta_host (or found by MX in a test
zone). The default external_mta_domain is never used.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
from collections.abc import Iterator
from itertools import pairwise, takewhile
from pathlib import Path
from typing import Any

import pytest
import trustme

from tests.helpers import CLI, ROOT, cli
from tests.servers.dns_fixtures import DnsServers
from tests.servers.port_fixtures import EXTERNAL, Peers, PortServers, port_free_on
from tests.servers.smtp import LOOPBACK, Script
from tests.servers.smtp_fixtures import SmtpServers

NETWORK_WHERE = "host firewall, VCN security list / network security group, or ISP"
"""Where egress is blocked, in the OCI profile's words (flows/providers/oci.yaml)."""
SUPPORT_WHERE = "OCI Email Delivery support, through the OCI Console"
"""Where a support request goes, in the OCI profile's words."""
EXIT = {"healthy": 0, "problem": 1, "inconclusive": 3}


def run(*args: str) -> dict[str, Any]:
    """Run the flow with --json; check that the exit code matches the status."""
    result = cli("run", "port-connectivity", "--json", *args)
    assert "Traceback" not in result.stderr, result.stderr
    out: dict[str, Any] = json.loads(result.stdout)
    assert result.returncode == EXIT[out["status"]], (result.returncode, out["status"])
    return out


def endpoint(port: int | str, *more: str) -> tuple[str, ...]:
    return ("--set", f"host={LOOPBACK}", "--set", f"ports={port}", *more)


def steps(out: dict[str, Any]) -> list[str]:
    return [entry["step"] for entry in out["trail"]]


def finding_ids(out: dict[str, Any]) -> list[str]:
    return [f["id"] for f in out["findings"]]


def fix_ids(out: dict[str, Any]) -> list[str]:
    return [f["id"] for f in out["fixes"]]


def facts(out: dict[str, Any], step: str) -> dict[str, Any]:
    return next(e["facts"] for e in out["trail"] if e["step"] == step)


def nameserver(dns: DnsServers) -> tuple[str, str]:
    return ("--nameserver", f"{dns.resolver.address}:{dns.resolver.port}")


# --- healthy, and the SMTP problems behind an open port --------------------------------------


def test_every_port_open_with_starttls_tls12_and_auth_is_healthy(
        smtp_servers: SmtpServers) -> None:
    """The STARTTLS port and the implicit-TLS one are both checked, each in its own way."""
    sub, smtps = smtp_servers.submission, smtp_servers.smtps
    out = run(*endpoint(f"{sub},{smtps}", "--set", f"implicit_tls_ports={smtps}",
                        "--ca-file", smtp_servers.ca_file))
    assert out["status"] == "healthy"
    assert out["findings"] == [] and out["fixes"] == []
    assert steps(out) == ["endpoint", "connect", "smtp", "every_port_open", "healthy"]
    smtp = facts(out, "smtp")
    assert smtp["smtp.port"] == sub
    assert smtp["smtp.tls_version"] in ("TLSv1.2", "TLSv1.3")
    assert smtp["smtp.auth_after_tls"] == ["LOGIN", "PLAIN"]
    assert smtp["smtp.ready_ports"] == [sub, smtps]
    assert smtp["smtp.implicit_tls_ports"] == [smtps]
    assert [(r["port"], r["tls_mode"], r["outcome"]) for r in smtp["smtp.results"]] == [
        (sub, "STARTTLS", "ready"), (smtps, "implicit TLS", "ready")]
    assert f"accepts connections on {sub}, {smtps}" in out["trail"][-1]["summary"]
    assert f"{smtps} (implicit TLS) ready: TLSv1." in out["trail"][-1]["summary"]


def test_every_open_port_gets_the_smtp_checks_not_only_the_first(
        smtp_servers: SmtpServers) -> None:
    """The first port is fine; the second has an expired certificate: that is the diagnosis."""
    sub, expired = smtp_servers.submission, smtp_servers.starttls_variants["expired"]
    out = run(*endpoint(f"{sub},{expired}", "--ca-file", smtp_servers.ca_file))
    assert out["status"] == "problem"
    assert steps(out) == ["endpoint", "connect", "smtp", "cert_untrusted"]
    assert finding_ids(out) == ["tls.cert-untrusted"]
    assert out["findings"][0]["message"].startswith(
        "Certificate problem: the certificate has expired (")
    assert out["trail"][-1]["title"] == f"The certificate of {LOOPBACK}:{expired} is not trusted"
    smtp = facts(out, "smtp")
    assert (smtp["smtp.port"], smtp["smtp.ready_ports"]) == (expired, [sub])
    assert f"other ports: {sub} (STARTTLS) ready" in out["trail"][2]["summary"]


@pytest.fixture
def implicit_465(port_servers: PortServers, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """An implicit-TLS submission server on port 465 of 127.0.0.46 (its own trusted CA)."""
    address = "127.0.0.46"
    ca = trustme.CA()
    ca_file = str(tmp_path / "ca-465.pem")
    ca.cert_pem.write_to_path(ca_file)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert(address).configure_cert(context)
    peers = Peers(port_servers.loop)
    try:
        peers.smtp(address, 465, Script(implicit=context,
                                        ehlo=("SIZE 10485760", "AUTH PLAIN LOGIN")))
    except PermissionError:
        pytest.skip("binding port 465 needs root or CAP_NET_BIND_SERVICE")
    yield address, ca_file
    peers.close()


def test_port_465_gets_implicit_tls_because_the_profile_says_so(
        implicit_465: tuple[str, str]) -> None:
    address, ca_file = implicit_465
    out = run("--set", f"host={address}", "--set", "ports=465", "--ca-file", ca_file,
              "--timeout", "3")
    assert out["status"] == "healthy", out["findings"]
    assert facts(out, "endpoint")["endpoint.implicit_tls_ports"] == "465"
    smtp = facts(out, "smtp")
    assert (smtp["smtp.tls_mode"], smtp["smtp.implicit_tls_ports"]) == ("implicit TLS", [465])
    assert smtp["smtp.auth_after_tls"] == ["PLAIN", "LOGIN"]


def test_no_auth_after_starttls_is_its_own_problem(port_servers: PortServers) -> None:
    out = run(*endpoint(port_servers.no_auth_after_tls, "--ca-file", port_servers.ca_file))
    assert out["status"] == "problem"
    assert finding_ids(out) == ["smtp.no-auth-after-tls"]
    assert "offers no AUTH (it offers: SIZE)" in out["findings"][0]["message"]
    assert fix_ids(out) == ["smtp.reach-the-submission-service"]
    assert out["fixes"][0]["actions"] == []


def test_starttls_masked_by_a_firewall_asks_to_turn_off_smtp_inspection(
        port_servers: PortServers) -> None:
    port = port_servers.starttls_masked
    out = run(*endpoint(port))
    assert finding_ids(out) == ["smtp.starttls-stripped"]
    assert "overwritten as XXXXXXXA" in out["findings"][0]["message"]
    assert fix_ids(out) == ["smtp.disable-smtp-inspection"]
    assert out["fixes"][0]["actions"] == [{
        "type": "network", "protocol": "tcp", "port": str(port), "destination": LOOPBACK,
        "direction": "egress",
        "where": "the inspecting firewall — pass SMTP to this destination without ESMTP "
                 "inspection"}]


def test_no_starttls_at_all_is_not_offered(smtp_servers: SmtpServers) -> None:
    out = run(*endpoint(smtp_servers.scripted["plain"]))
    assert finding_ids(out) == ["smtp.starttls-not-offered"]
    assert fix_ids(out) == ["smtp.reach-a-starttls-port"]
    assert "lists STARTTLS on ports 587,25" in out["fixes"][0]["text"]


def test_starttls_answered_454_is_reported_with_the_reply(smtp_servers: SmtpServers) -> None:
    port = smtp_servers.scripted["starttls_refused"]
    out = run(*endpoint(port))
    assert finding_ids(out) == ["smtp.starttls-refused"]
    assert fix_ids(out) == ["smtp.retry-or-report-starttls"]
    assert out["fixes"][0]["actions"] == [{
        "type": "console",
        "instruction": f"Open a support request: {LOOPBACK}:{port} answers STARTTLS with 454 "
                       "4.7.0 TLS not available due to temporary reason.",
        "where": SUPPORT_WHERE, "command": ""}]


def test_tls_1_1_only_is_below_1_2(smtp_servers: SmtpServers) -> None:
    out = run(*endpoint(smtp_servers.starttls_variants["tls1_1"], "--ca-file",
                        smtp_servers.ca_file))
    assert finding_ids(out) == ["tls.below-1-2"]
    assert "can only be TLSv1.1" in out["findings"][0]["message"]
    assert fix_ids(out) == ["tls.find-the-old-tls-peer"]


@pytest.mark.parametrize(("variant", "words"), [
    ("expired", "the certificate has expired"),
    ("wrong_host", "the certificate is for another name"),
    ("self_signed", "the certificate is self-signed"),
    ("unknown_ca", "the certificate is signed by an authority this machine does not trust"),
])
def test_an_untrusted_certificate_says_why(smtp_servers: SmtpServers, variant: str,
                                           words: str) -> None:
    out = run(*endpoint(smtp_servers.starttls_variants[variant], "--ca-file",
                        smtp_servers.ca_file))
    assert finding_ids(out) == ["tls.cert-untrusted"]
    assert out["findings"][0]["message"].startswith(f"Certificate problem: {words} (")
    assert fix_ids(out) == ["tls.trust-the-real-certificate"]


def test_garbage_after_starttls_is_a_failed_handshake(smtp_servers: SmtpServers) -> None:
    out = run(*endpoint(smtp_servers.scripted["not_tls"]))
    assert finding_ids(out) == ["tls.handshake-failed"]
    assert fix_ids(out) == ["tls.check-tls-path"]


def test_a_421_greeting_is_too_many_connections(smtp_servers: SmtpServers) -> None:
    out = run(*endpoint(smtp_servers.scripted["too_many_connections"]))
    assert finding_ids(out) == ["smtp.greeting-rejected"]
    assert out["findings"][0]["message"] == (
        "The server greets with 421 Too many connections, try again later.")
    assert fix_ids(out) == ["smtp.fewer-connections"]


def test_a_server_that_never_greets_is_silent(smtp_servers: SmtpServers) -> None:
    out = run(*endpoint(smtp_servers.scripted["silent"], "--timeout", "1"))
    assert finding_ids(out) == ["smtp.silent"]
    assert fix_ids(out) == ["smtp.check-what-answers"]


def test_a_server_that_hangs_up_is_closed(smtp_servers: SmtpServers) -> None:
    out = run(*endpoint(smtp_servers.scripted["hang_up"]))
    assert finding_ids(out) == ["smtp.closed"]
    assert fix_ids(out) == ["smtp.check-who-hangs-up"]


def test_a_port_that_stops_listening_between_the_checks_is_inconclusive(
        one_shot_port: int) -> None:
    out = run(*endpoint(one_shot_port))
    assert out["status"] == "inconclusive"
    assert steps(out)[-1] == "smtp_gone"
    assert [e["outcome"] for e in out["trail"][1:3]] == ["all_open", "refused"]
    assert out["findings"] == [] and out["fixes"] == []


# --- no TCP: the external MTA decides where the fault is -------------------------------------


@pytest.fixture
def two_ports() -> tuple[int, int]:
    """Two ports free on both the endpoint's and the external MTA's address."""
    first = port_free_on(LOOPBACK, EXTERNAL)
    second = port_free_on(LOOPBACK, EXTERNAL)
    assert first != second
    return first, second


def external(*more: str) -> tuple[str, ...]:
    return ("--set", f"external_mta_host={EXTERNAL}", *more)


def support_request(host: str, ports: str, endpoint_report: str, external_report: str,
                    where: str = SUPPORT_WHERE) -> dict[str, str]:
    return {"type": "console",
            "instruction": f"Open a support request: from this host, {host} ({LOOPBACK}) does "
                           f"not accept connections on TCP {ports} — {endpoint_report} — while "
                           f"{EXTERNAL} ({EXTERNAL}) accepts them — {external_report}.",
            "where": where, "command": ""}


def egress_rule(ports: str, where: str = NETWORK_WHERE) -> dict[str, str]:
    return {"type": "network", "protocol": "tcp", "port": ports, "destination": LOOPBACK,
            "direction": "egress", "where": where}


def test_endpoint_of_a_region_refuses_while_an_external_mta_answers(
        dns_servers: DnsServers, peers: Peers, two_ports: tuple[int, int]) -> None:
    """The region's endpoint name resolves (test zone) to 127.0.0.1, where nothing listens."""
    first, second = two_ports
    peers.smtp(EXTERNAL, first)
    peers.smtp(EXTERNAL, second)
    out = run("--set", "region=us-ashburn-1", "--set", f"ports={first},{second}",
              *external(*nameserver(dns_servers)))
    host = "smtp.email.us-ashburn-1.oci.oraclecloud.com"
    assert out["status"] == "problem"
    assert steps(out) == ["endpoint", "connect", "external", "provider_ports", "ports_judged",
                          "no_port_open"]
    assert finding_ids(out) == ["ports.provider-side"]
    assert fix_ids(out) == ["ports.report-to-provider"]
    assert out["fixes"][0]["actions"] == [support_request(
        host, f"{first}, {second}", f"{first} refused (reset); {second} refused (reset)",
        f"{first} open; {second} open")]


def test_endpoint_drops_while_an_external_mta_answers(peers: Peers, shared_port: int) -> None:
    peers.drop(LOOPBACK, shared_port)
    peers.smtp(EXTERNAL, shared_port)
    out = run(*endpoint(shared_port, *external("--timeout", "1")))
    assert out["status"] == "problem"
    assert steps(out)[-3:] == ["provider_ports", "ports_judged", "no_port_open"]
    assert finding_ids(out) == ["ports.provider-side"]
    assert out["findings"][0]["message"] == (
        f"On TCP {shared_port} only {LOOPBACK} fails: the external mail server {EXTERNAL} "
        f"accepts connections there. Endpoint: {shared_port} no answer (dropped). External "
        f"server: {shared_port} open.")
    assert out["fixes"][0]["actions"] == [support_request(
        LOOPBACK, str(shared_port), f"{shared_port} no answer (dropped)", f"{shared_port} open")]


def test_the_external_mta_can_be_the_best_mx_of_a_domain(dns_servers: DnsServers, peers: Peers,
                                                         shared_port: int) -> None:
    peers.drop(LOOPBACK, shared_port)
    peers.smtp(EXTERNAL, shared_port)
    out = run(*endpoint(shared_port, "--set", "external_mta_domain=mta.ports.test",
                        *nameserver(dns_servers), "--timeout", "1"))
    assert steps(out)[-3] == "provider_ports"
    assert facts(out, "external")["external.target_host"] == "mx.mta.ports.test"
    assert "while mx.mta.ports.test (127.0.0.25) accepts them" in \
        out["fixes"][0]["actions"][0]["instruction"]


def test_every_mail_server_refused_is_an_egress_rule_that_rejects(
        two_ports: tuple[int, int]) -> None:
    first, second = two_ports
    out = run(*endpoint(f"{first},{second}", *external()))
    assert out["status"] == "problem"
    assert steps(out)[-4:] == ["egress_ports", "more_provider_ports", "ports_judged",
                               "no_port_open"]
    assert finding_ids(out) == ["ports.egress-blocked"]
    assert fix_ids(out) == ["ports.allow-egress"]
    assert "packets are stopped on this side" in out["fixes"][0]["text"]
    assert out["fixes"][0]["actions"] == [egress_rule(f"{first}, {second}")]


def test_every_mail_server_silent_is_an_egress_rule_that_drops(peers: Peers,
                                                               shared_port: int) -> None:
    peers.drop(LOOPBACK, shared_port)
    peers.drop(EXTERNAL, shared_port)
    out = run(*endpoint(shared_port, *external("--timeout", "1")))
    assert out["status"] == "problem"
    assert steps(out)[-1] == "no_port_open"
    assert finding_ids(out) == ["ports.egress-blocked"]
    assert out["findings"][0]["message"] == (
        f"On TCP {shared_port} both {LOOPBACK} and the external mail server {EXTERNAL} fail: "
        f"the block is on this side. Endpoint: {shared_port} no answer (dropped). External "
        f"server: {shared_port} no answer (dropped).")
    assert out["fixes"][0]["actions"] == [egress_rule(str(shared_port))]


def test_the_text_report_wraps_the_egress_fix_to_the_terminal_width(shared_port: int) -> None:
    """The egress fix's text takes the profile's words for where egress is blocked (many
    times longer than their placeholder): the text report re-wraps the paragraph to the
    terminal's width, all its words in order, rather than keep the YAML's line breaks
    around the substituted phrase (one line of 130 columns among lines of 60)."""
    width = 72
    args = ("run", "port-connectivity", *endpoint(shared_port, *external()))
    env = {**os.environ, "COLUMNS": str(width)}
    text = cli(*args, env=env).stdout
    fix_text = json.loads(cli(*args, "--json", env=env).stdout)["fixes"][0]["text"]
    assert NETWORK_WHERE in fix_text
    below_title = text.split("\nFix: Allow outgoing TCP ", 1)[1].splitlines()[1:]
    paragraph = list(takewhile(lambda line: not line.startswith("  → "), below_title))
    assert " ".join(paragraph).split() == fix_text.split()
    assert all(line.startswith("  ") and len(line) <= width for line in paragraph), paragraph
    for line, following in pairwise(paragraph):
        assert len(f"{line} {following.split()[0]}") > width, (line, following)


# --- port by port: one run, different verdicts -----------------------------------------------


def test_two_blocked_ports_get_two_verdicts_egress_for_one_support_for_the_other(
        peers: Peers, two_ports: tuple[int, int]) -> None:
    """Both ports are refused by the endpoint; the external MTA accepts only the second."""
    local, provider = two_ports
    peers.smtp(EXTERNAL, provider)
    out = run(*endpoint(f"{local},{provider}", *external()))
    assert out["status"] == "problem"
    assert steps(out) == ["endpoint", "connect", "external", "egress_ports",
                          "more_provider_ports", "provider_ports", "ports_judged",
                          "no_port_open"]
    assert finding_ids(out) == ["ports.egress-blocked", "ports.provider-side"]
    assert out["findings"][0]["message"].startswith(
        f"On TCP {local} both {LOOPBACK} and the external mail server {EXTERNAL} fail: the "
        "block is on this side.")
    assert out["findings"][1]["message"].startswith(
        f"On TCP {provider} only {LOOPBACK} fails: the external mail server {EXTERNAL} "
        "accepts connections there.")
    assert fix_ids(out) == ["ports.allow-egress", "ports.report-to-provider"]
    assert [a for f in out["fixes"] for a in f["actions"]] == [
        egress_rule(str(local)),
        support_request(LOOPBACK, str(provider),
                        f"{local} refused (reset); {provider} refused (reset)",
                        f"{local} refused (reset); {provider} open")]


def test_another_provider_profile_gets_its_own_words_in_the_fixes(
        peers: Peers, two_ports: tuple[int, int]) -> None:
    """The egress places and the support channel come from the profile, not the flow: with
    the generic profile no OCI word (VCN, OCI Console) is left in the actions."""
    local, provider = two_ports
    peers.smtp(EXTERNAL, provider)
    out = run(*endpoint(f"{local},{provider}", *external(), "--set", "provider=generic"))
    assert fix_ids(out) == ["ports.allow-egress", "ports.report-to-provider"]
    assert [a for f in out["fixes"] for a in f["actions"]] == [
        egress_rule(str(local), "host firewall, the network's firewall or cloud security "
                    "group, or ISP"),
        support_request(LOOPBACK, str(provider),
                        f"{local} refused (reset); {provider} refused (reset)",
                        f"{local} refused (reset); {provider} open",
                        where="your provider's support")]
    assert "VCN" not in out["fixes"][0]["text"]


@pytest.fixture
def blocked_port() -> int:
    """A port free on 127.0.0.1 and :data:`EXTERNAL`, at a different number than the relays."""
    return port_free_on(LOOPBACK, EXTERNAL)


def test_an_open_port_is_checked_and_the_blocked_one_is_egress_filtering(
        smtp_servers: SmtpServers, blocked_port: int) -> None:
    sub = smtp_servers.submission
    out = run(*endpoint(f"{blocked_port},{sub}", *external("--ca-file", smtp_servers.ca_file)))
    assert out["status"] == "problem"
    assert steps(out) == ["endpoint", "connect", "external", "egress_ports",
                          "more_provider_ports", "ports_judged", "smtp", "every_port_open",
                          "open_ports_ready"]
    assert facts(out, "external")["external.ports"] == [blocked_port]
    assert finding_ids(out) == ["ports.egress-blocked"]
    assert [a for f in out["fixes"] for a in f["actions"]] == [egress_rule(str(blocked_port))]
    assert out["trail"][-1]["title"] == f"Port {sub} works; {blocked_port} does not"
    assert facts(out, "smtp")["smtp.ready_ports"] == [sub]


def test_an_open_port_is_checked_and_the_blocked_one_is_the_providers(
        smtp_servers: SmtpServers, peers: Peers, blocked_port: int) -> None:
    sub = smtp_servers.submission
    peers.smtp(EXTERNAL, blocked_port)
    out = run(*endpoint(f"{blocked_port},{sub}", *external("--ca-file", smtp_servers.ca_file)))
    assert out["status"] == "problem"
    assert steps(out)[-5:] == ["provider_ports", "ports_judged", "smtp", "every_port_open",
                               "open_ports_ready"]
    assert finding_ids(out) == ["ports.provider-side"]
    assert [a for f in out["fixes"] for a in f["actions"]] == [support_request(
        LOOPBACK, str(blocked_port), f"{blocked_port} refused (reset); {sub} open",
        f"{blocked_port} open")]


def test_no_external_mta_to_compare_with_is_inconclusive(dns_servers: DnsServers,
                                                         closed_port: int) -> None:
    out = run(*endpoint(closed_port, "--set", "external_mta_domain=nomx.ports.test",
                        *nameserver(dns_servers)))
    assert out["status"] == "inconclusive"
    assert steps(out)[-3:] == ["no_comparison", "nothing_compared", "not_compared"]
    assert finding_ids(out) == ["ports.endpoint-unreachable", "ports.no-external-mta"]
    assert fix_ids(out) == ["ports.compare-by-hand"]


def test_no_external_mta_still_checks_the_open_ports(dns_servers: DnsServers,
                                                     smtp_servers: SmtpServers,
                                                     closed_port: int) -> None:
    out = run(*endpoint(f"{closed_port},{smtp_servers.submission}",
                        "--set", "external_mta_domain=nomx.ports.test",
                        "--ca-file", smtp_servers.ca_file, *nameserver(dns_servers)))
    assert out["status"] == "problem"
    assert steps(out)[-5:] == ["no_comparison", "nothing_compared", "smtp", "every_port_open",
                               "open_ports_ready"]
    assert finding_ids(out) == ["ports.endpoint-unreachable", "ports.no-external-mta"]


def test_no_route_to_the_endpoint(unreachable_netns: tuple[str, str]) -> None:
    namespace, address = unreachable_netns
    result = subprocess.run(
        ["ip", "netns", "exec", namespace, *CLI, "run",
         "port-connectivity", "--json", "--set", f"host={address}", "--set", "ports=587,25"],
        capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 1, result.stderr
    out = json.loads(result.stdout)
    assert steps(out)[-1] == "no_route"
    assert finding_ids(out) == ["ports.no-route"]
    assert out["findings"][0]["message"] == (
        f"{address} is unreachable from here: no route.")
    assert fix_ids(out) == ["ports.check-route"]


# --- the endpoint's name ---------------------------------------------------------------------


def test_an_unanswered_lookup_is_inconclusive(dns_servers: DnsServers) -> None:
    silent = dns_servers.silent
    out = run("--set", "host=relay.ports.test", "--nameserver",
              f"{silent.address}:{silent.port}", "--timeout", "1")
    assert out["status"] == "inconclusive"
    assert steps(out)[-1] == "dns_timeout"


def test_a_host_that_does_not_resolve_without_a_region(dns_servers: DnsServers) -> None:
    out = run("--set", "host=nosuch.ports.test", *nameserver(dns_servers))
    assert out["status"] == "problem"
    assert steps(out) == ["endpoint", "connect", "name_region", "check_host_name"]
    assert finding_ids(out) == ["endpoint.name-not-found"]
    assert fix_ids(out) == ["endpoint.check-host-name"]
    assert "--set region=<your region>" in out["fixes"][0]["text"]


def test_a_mistyped_host_gets_the_endpoint_of_its_region(dns_servers: DnsServers) -> None:
    out = run("--set", "host=nosuch.ports.test", "--set", "region=us-ashburn-1",
              *nameserver(dns_servers))
    assert out["status"] == "problem"
    assert steps(out)[-1] == "use_region_endpoint"
    assert finding_ids(out) == ["endpoint.name-not-found", "endpoint.region-endpoint-resolves"]
    assert fix_ids(out) == ["endpoint.use-region-endpoint"]
    assert out["fixes"][0]["actions"] == [{
        "type": "message", "change": "set the SMTP host the client connects to",
        "detail": "smtp.email.us-ashburn-1.oci.oraclecloud.com"}]


def test_a_region_whose_endpoint_does_not_resolve(dns_servers: DnsServers) -> None:
    out = run("--set", "region=eu-frankfurt-1", *nameserver(dns_servers))
    assert out["status"] == "problem"
    assert steps(out)[-1] == "region_endpoint_missing"
    assert finding_ids(out) == ["endpoint.name-not-found", "endpoint.region-endpoint-missing"]
    assert "smtp.email.eu-frankfurt-1.oci.oraclecloud.com, does not resolve either (" \
        in out["findings"][1]["message"]
    assert out["trail"][-2]["outcome"] == "nxdomain"
    assert fix_ids(out) == ["endpoint.check-region-and-resolver"]


def test_an_unknown_region_is_named_with_a_suggestion() -> None:
    out = run("--set", "region=us-ashburn")
    assert out["status"] == "problem"
    assert steps(out) == ["endpoint", "unknown_region"]
    assert "did you mean 'us-ashburn-1'" in out["findings"][0]["message"]
    assert fix_ids(out) == ["endpoint.use-known-region"]


def test_neither_host_nor_region_is_inconclusive_and_says_what_to_give() -> None:
    out = run()
    assert out["status"] == "inconclusive"
    assert steps(out) == ["endpoint", "api_endpoint", "no_endpoint"]
    assert "--set host=" in out["trail"][-1]["summary"]


def test_a_profile_that_cannot_be_read_in_time_is_inconclusive() -> None:
    out = run("--set", "host=127.0.0.1", "--timeout", "0.000000001")
    assert out["status"] == "inconclusive"
    assert steps(out) == ["endpoint", "profile_unreadable"]


def test_list_documents_the_headless_inputs() -> None:
    result = cli("list", "--json")
    flow = next(f for f in json.loads(result.stdout)["flows"] if f["id"] == "port-connectivity")
    inputs = flow["inputs"]
    assert list(inputs) == ["host", "region", "ports", "implicit_tls_ports",
                            "external_mta_domain", "external_mta_host", "provider"]
    assert inputs["ports"]["default"] == "587,25"
    assert all(spec["help"] for spec in inputs.values())
