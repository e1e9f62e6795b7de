"""spf-dmarc, headless against the real Knot test resolver: every branch and every end."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers import cli
from tests.servers.dns_fixtures import DnsServers

INCLUDE = "rp.oracleemaildelivery.com"


def run(dns: DnsServers, domain: str, *sets: str, silent: bool = False,
        timeout: str = "3") -> tuple[int, dict[str, Any]]:
    ns = dns.silent if silent else dns.resolver
    result = cli("run", "spf-dmarc", "--json", "--set", f"domain={domain}", *sets,
                 "--nameserver", f"{ns.address}:{ns.port}", "--timeout", timeout)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode != 2, result.stderr
    return result.returncode, json.loads(result.stdout)


def ids(out: dict[str, Any], key: str) -> list[str]:
    return [item["id"] for item in out[key]]


def steps(out: dict[str, Any]) -> list[str]:
    return [entry["step"] for entry in out["trail"]]


def test_include_from_the_region_and_an_enforced_policy_is_healthy(dns_servers) -> None:
    code, out = run(dns_servers, "good.onboard.test", "--set", "region=us-ashburn-1")
    assert (code, out["status"]) == (0, "healthy")
    assert steps(out) == ["include_given", "profile", "checks", "spf", "spf_valid", "dmarc",
                          "enforced"]
    assert out["trail"][2]["summary"] == "2 checks: spf, dmarc"
    assert out["trail"][3]["facts"]["spf.include_present"] is True
    assert out["findings"] == [] and out["fixes"] == []


def test_a_missing_include_is_added_to_the_existing_record(dns_servers) -> None:
    code, out = run(dns_servers, "noinclude.onboard.test", "--set", f"spf_include={INCLUDE}")
    assert (code, out["status"]) == (1, "problem")
    assert ids(out, "findings") == ["spf.include-missing"]
    assert out["fixes"][0]["actions"] == [{
        "type": "dns", "op": "replace", "name": "noinclude.onboard.test.", "rtype": "TXT",
        "value": f"v=spf1 include:{INCLUDE} ip4:192.0.2.1 -all",
        "old_value": "v=spf1 ip4:192.0.2.1 -all", "zone": "", "zone_relative_name": "",
        "ttl": None}]
    assert steps(out)[-1] == "enforced", "DMARC is still checked after the SPF fix"


def test_no_spf_and_no_dmarc_gives_two_records_to_add(dns_servers) -> None:
    code, out = run(dns_servers, "nothing.onboard.test", "--set", "region=us-ashburn-1")
    assert (code, out["status"]) == (1, "problem")
    assert ids(out, "findings") == ["spf.missing", "dmarc.missing"]
    actions = [a for fix in out["fixes"] for a in fix["actions"]]
    assert [(a["op"], a["name"], a["rtype"], a["value"]) for a in actions] == [
        ("add", "nothing.onboard.test.", "TXT", f"v=spf1 include:{INCLUDE} ~all"),
        ("add", "_dmarc.nothing.onboard.test.", "TXT",
         "v=DMARC1; p=none; rua=mailto:dmarc-reports@nothing.onboard.test"),
    ]


def test_no_spf_without_an_include_proposes_a_starting_record(dns_servers) -> None:
    code, out = run(dns_servers, "nothing.onboard.test")
    assert code == 1
    assert steps(out)[:5] == ["include_given", "profile", "checks", "spf", "spf_missing"]
    assert [e["outcome"] for e in out["trail"][3:5]] == ["missing", "skipped"], \
        "spf_missing (with an include to name) is skipped: there is none"
    assert steps(out)[5:7] == ["spf_missing_no_include", "dmarc"], "the fix falls through"
    assert out["fixes"][0]["actions"][0]["value"] == "v=spf1 mx ~all"


@pytest.mark.parametrize(("domain", "finding", "fix_step"), [
    ("double.onboard.test", "spf.multiple-records", "spf_multiple"),
    ("syntax.onboard.test", "spf.invalid", "spf_invalid"),
    ("many.onboard.test", "spf.too-many-lookups", "spf_too_many_lookups"),
    ("voids.onboard.test", "spf.void-lookups", "spf_void_lookups"),
])
def test_each_spf_permerror_has_its_own_finding(dns_servers, domain: str, finding: str,
                                                fix_step: str) -> None:
    code, out = run(dns_servers, domain)
    assert (code, out["status"]) == (1, "problem")
    assert ids(out, "findings")[0] == finding
    assert fix_step in steps(out)
    assert steps(out)[-1] in ("enforced", "dmarc_missing")


def test_a_monitoring_policy_is_healthy_with_advice(dns_servers) -> None:
    code, out = run(dns_servers, "monitor.onboard.test", "--set", f"spf_include={INCLUDE}")
    assert (code, out["status"]) == (0, "healthy")
    assert out["findings"] == [{"id": "dmarc.policy-none", "severity": "info",
                                "message": out["findings"][0]["message"]}]
    assert ids(out, "fixes") == ["dmarc.raise-policy"]


def test_a_dmarc_record_receivers_ignore_is_replaced(dns_servers) -> None:
    code, out = run(dns_servers, "baddmarc.onboard.test", "--set", f"spf_include={INCLUDE}")
    assert (code, out["status"]) == (1, "problem")
    assert ids(out, "findings") == ["dmarc.malformed"]
    action = out["fixes"][0]["actions"][0]
    assert (action["op"], action["name"]) == ("replace", "_dmarc.baddmarc.onboard.test.")


def test_an_unknown_region_is_inconclusive_with_a_suggestion(dns_servers) -> None:
    code, out = run(dns_servers, "good.onboard.test", "--set", "region=us-ashburn")
    assert (code, out["status"]) == (3, "inconclusive")
    assert "did you mean 'us-ashburn-1'" in out["findings"][0]["message"]


def test_an_unreadable_profile_is_inconclusive(dns_servers) -> None:
    code, out = run(dns_servers, "good.onboard.test", "--set", "region=us-ashburn-1",
                    "--set", "provider=nosuch")
    assert (code, out["status"]) == (3, "inconclusive")
    assert steps(out)[-1] == "profile_unusable"


@pytest.mark.parametrize("domain", ["x.broken.test", "x.nowhere.test"])
def test_servfail_or_refused_is_inconclusive(dns_servers, domain: str) -> None:
    code, out = run(dns_servers, domain)
    assert (code, out["status"]) == (3, "inconclusive")
    assert ids(out, "findings") == ["dns.unanswered"]
    assert steps(out)[-2:] == ["spf", "dns_broken"], "DMARC cannot be judged either"


def test_an_unanswered_query_is_inconclusive_not_a_hang(dns_servers) -> None:
    code, out = run(dns_servers, "good.onboard.test", silent=True, timeout="1")
    assert (code, out["status"]) == (3, "inconclusive")
    assert out["trail"][-2]["outcome"] == "timeout"
