"""dkim-needs-attention with access to the OCI API: ``domain`` alone is enough.

The selector, the CNAME value the provider expects and the console's DKIM state come from
the loopback API server (through the real SDK, every request signed and verified); DNS comes
from the loopback Knot servers (zone dkimflow.test, tests/data/zones/common). The report
puts the console's state beside what DNS shows.
"""

from __future__ import annotations

import json
import os
from typing import Any

from tests.helpers import cli
from tests.servers.dns_fixtures import DnsServers
from tests.servers.oci_fixtures import OciLab

FLOW = "dkim-needs-attention"
DOMAIN = "dkimflow.test"
PROVIDER_KEY = "sel1.keys.provider.test"


def run_flow(dns: DnsServers, lab: OciLab, *sets: str, profile: str = "P",
             apply: bool = False) -> tuple[int, dict[str, Any]]:
    args = ["run", FLOW, "--json", "--timeout", "3", "--nameserver", str(dns.resolver),
            "--authoritative-port", str(dns.authoritative_port), *lab.options(profile),
            "--set", f"domain={DOMAIN}"]
    for item in sets:
        args += ["--set", item]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCI_CLI_")}
    result = cli(*args, *(["--apply"] if apply else []), env=env)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


def steps(out: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["step"], e["outcome"]) for e in out["trail"]]


def with_key(lab: OciLab, selector: str, state: str = "NEEDS_ATTENTION",
             cname: str = PROVIDER_KEY) -> None:
    domain = lab.server.state.add_domain(DOMAIN)
    lab.server.state.add_dkim(domain, selector, state=state, cname=cname,
                              details="DKIM CNAME record not found in DNS"
                              if state == "NEEDS_ATTENTION" else None)


def test_dns_right_but_needs_attention_says_nothing_to_change_and_names_the_ttl(
        dns_servers: DnsServers, oci_lab: OciLab) -> None:
    with_key(oci_lab, "ok")
    code, out = run_flow(dns_servers, oci_lab)
    assert (code, out["status"]) == (0, "healthy")
    assert steps(out)[0] == ("api", "needs_attention")
    assert out["inputs"].get("selector", "") == ""
    assert steps(out)[-2:] == [("console_state", "NEEDS_ATTENTION"),
                               ("dns_right_console_behind", "healthy")]
    assert "nothing to change in DNS" in out["message"]
    assert "up to 600 seconds" in out["message"]
    assert "DKIM CNAME record not found in DNS" in out["message"]
    assert "NEEDS_ATTENTION" in out["trail"][0]["summary"]
    assert oci_lab.server.methods() == {"GET"}
    assert oci_lab.server.rejections == []


def test_dns_right_and_active_is_healthy(dns_servers: DnsServers, oci_lab: OciLab) -> None:
    with_key(oci_lab, "ok", state="ACTIVE")
    code, out = run_flow(dns_servers, oci_lab)
    assert (code, out["status"]) == (0, "healthy")
    assert steps(out)[-1] == ("healthy_cname", "healthy")


def test_a_wrong_target_is_diagnosed_with_the_apis_exact_value(
        dns_servers: DnsServers, oci_lab: OciLab) -> None:
    with_key(oci_lab, "wrong")
    code, out = run_flow(dns_servers, oci_lab)
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-1] == ("wrong_target", "problem")
    (action,) = [a for fix in out["fixes"] for a in fix["actions"]]
    assert action["op"] == "replace"
    assert action["name"] == "wrong._domainkey.dkimflow.test."
    assert action["value"] == f"{PROVIDER_KEY}."
    assert action["old_value"] == "other.keys.provider.test."


def test_a_misplaced_record_is_moved_to_the_name_the_api_gives(
        dns_servers: DnsServers, oci_lab: OciLab) -> None:
    with_key(oci_lab, "pasted")
    code, out = run_flow(dns_servers, oci_lab)
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-1] == ("move_record", "problem")


def test_a_missing_record_is_added_with_the_apis_value(
        dns_servers: DnsServers, oci_lab: OciLab) -> None:
    with_key(oci_lab, "fresh", cname="fresh.dkimflow.test.dkim.iad1.oracleemaildelivery.com")
    code, out = run_flow(dns_servers, oci_lab)
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-1] == ("add_record", "problem")
    (action,) = [a for fix in out["fixes"] for a in fix["actions"]]
    assert action["name"] == "fresh._domainkey.dkimflow.test."
    assert action["value"] == "fresh.dkimflow.test.dkim.iad1.oracleemaildelivery.com."


def test_no_dkim_in_the_console_means_create_one(dns_servers: DnsServers,
                                                 oci_lab: OciLab) -> None:
    oci_lab.server.state.add_domain(DOMAIN)
    code, out = run_flow(dns_servers, oci_lab)
    assert (code, steps(out)) == (1, [("api", "no_dkim"), ("create_dkim", "problem")])
    assert "oci email dkim create" in json.dumps(out["fixes"])


def test_a_selector_the_console_does_not_have(dns_servers: DnsServers, oci_lab: OciLab) -> None:
    with_key(oci_lab, "ok")
    code, out = run_flow(dns_servers, oci_lab, "selector=typo")
    assert (code, steps(out)) == (1, [("api", "selector_unknown"),
                                      ("selector_unknown", "problem")])
    assert "ok" in out["fixes"][0]["text"]


def test_not_an_email_domain_in_that_compartment(dns_servers: DnsServers,
                                                 oci_lab: OciLab) -> None:
    code, out = run_flow(dns_servers, oci_lab, "compartment=ocid1.compartment.oc1..other")
    assert (code, steps(out)) == (1, [("api", "no_email_domain"),
                                      ("not_an_email_domain", "problem")])
    assert "ocid1.compartment.oc1..other" in out["findings"][0]["message"]


def test_an_api_that_refuses_the_key_is_a_warning_and_dns_is_still_checked(
        dns_servers: DnsServers, oci_lab: OciLab) -> None:
    code, out = run_flow(dns_servers, oci_lab, "selector=ok",
                         f"expected_cname={PROVIDER_KEY}", profile="WRONG")
    assert code == 1
    assert steps(out)[:3] == [("api", "not_authenticated"), ("api_failed", "problem"),
                              ("need_selector", "default")]
    assert steps(out)[-1] == ("healthy_cname", "healthy")
    assert out["findings"][0]["severity"] == "warning"
    assert "fingerprint" in out["fixes"][0]["text"]
