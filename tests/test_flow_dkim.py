"""The dkim-needs-attention flow end to end, headless, against the loopback Knot servers.

Every terminal state of the flow is reached here through ``email-wizard run``
with ``--nameserver`` (the test resolver) and ``--authoritative-port`` (where
the zones' nameservers 127.0.0.2 and 127.0.0.3 listen) — except the one after
the question a headless run cannot answer, which runs in-process. The zones are in
tests/data/zones: dkimflow.test and oracleemaildelivery.com (common), plus the
shared stale/split/lame/dead/broken cases.
"""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import cli
from tests.servers.dns_fixtures import DnsServers
from wizard.engine import Session, run_to_end
from wizard.flow.loader import find_flow
from wizard.probes.runner import RegistryRunner
from wizard.report import session_json

FLOW = "dkim-needs-attention"
PROVIDER_KEY = "sel1.keys.provider.test"


def run_flow(servers: DnsServers, *sets: str, timeout: str = "3",
             nameserver: str | None = None) -> tuple[int, dict[str, Any]]:
    args = ["run", FLOW, "--json", "--timeout", timeout,
            "--nameserver", nameserver or str(servers.resolver),
            "--authoritative-port", str(servers.authoritative_port)]
    for item in sets:
        args += ["--set", item]
    result = cli(*args)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, json.loads(result.stdout)


NO_API = [("api", "not_configured"), ("need_selector", "default")]
"""Without an OCI profile the flow notes the API was not asked, then checks DNS as before."""


def steps(out: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["step"], e["outcome"]) for e in out["trail"]]


def finding_ids(out: dict[str, Any]) -> list[str]:
    return [f["id"] for f in out["findings"]]


def actions(out: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for fix in out["fixes"] for a in fix["actions"]]


# --- healthy -------------------------------------------------------------------------------

def test_a_cname_to_the_expected_key_is_healthy_and_names_the_ttl(
        dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=dkimflow.test", "selector=ok",
                         f"expected_cname={PROVIDER_KEY}")
    assert (code, out["status"]) == (0, "healthy")
    assert steps(out) == [*NO_API, ("profile", "no_endpoint"), ("authority", "consistent"),
                          ("record", "cname_ok"), ("console_state", "default"),
                          ("healthy_cname", "healthy")]
    assert out["findings"] == [] and out["fixes"] == []
    assert "CNAME to sel1.keys.provider.test" in out["message"]
    assert "2048-bit rsa key" in out["message"]
    assert "on its own schedule" in out["message"]
    assert "up to 600 seconds" in out["message"]


def test_the_region_gives_the_expected_target_from_the_provider_profile(
        dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=dkimflow.test", "selector=regional",
                         "region=us-ashburn-1")
    assert (code, out["status"]) == (0, "healthy")
    record = out["trail"][4]
    assert record["facts"]["record.expected_cname"] == \
        "regional.dkimflow.test.dkim.iad1.oracleemaildelivery.com"
    assert record["facts"]["record.cname_matches"] is True


def test_a_txt_key_equal_to_the_providers_key_is_healthy(dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=dkimflow.test", "selector=txt",
                         "expected_cname=other.keys.provider.test")
    assert (code, out["status"]) == (0, "healthy")
    assert steps(out)[-2:] == [("record", "txt_key"), ("healthy_txt", "healthy")]
    assert "1024-bit rsa key directly as a TXT" in out["message"]
    assert "up to 300 seconds" in out["message"]


def test_a_txt_key_without_an_expected_value_is_healthy(dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=dkimflow.test", "selector=txt")
    assert (code, out["status"]) == (0, "healthy")
    assert steps(out)[-1] == ("healthy_txt", "healthy")


# --- the record at the wrong name, or nowhere ------------------------------------------------

def test_the_full_name_pasted_into_a_zone_relative_console_is_moved(
        dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=dkimflow.test", "selector=pasted")
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-3:] == [("record", "missing"), ("misplaced", "misplaced_found"),
                               ("move_record", "problem")]
    assert finding_ids(out) == ["dkim.record-misplaced"]
    assert [f["id"] for f in out["fixes"]] == ["dkim.move-record"]
    assert actions(out) == [
        {"type": "dns", "op": "delete", "name": "pasted._domainkey.dkimflow.test.dkimflow.test.",
         "rtype": "CNAME", "value": "sel1.keys.provider.test.", "old_value": "",
         "zone": "dkimflow.test", "zone_relative_name": "pasted._domainkey.dkimflow.test",
         "ttl": None},
        {"type": "dns", "op": "add", "name": "pasted._domainkey.dkimflow.test.",
         "rtype": "CNAME", "value": "sel1.keys.provider.test.", "old_value": "",
         "zone": "dkimflow.test", "zone_relative_name": "pasted._domainkey", "ttl": None},
    ]
    text = out["fixes"][0]["text"]
    assert "pasted._domainkey.dkimflow.test." in text and "pasted._domainkey\n" in text


def test_a_subdomain_pasted_whole_is_moved_with_its_subdomain_relative_name(
        dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=mail.dkimflow.test", "selector=subpasted")
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-1] == ("move_record", "problem")
    delete, add = actions(out)
    assert (delete["op"], delete["name"], delete["zone_relative_name"]) == (
        "delete", "subpasted._domainkey.mail.dkimflow.test.dkimflow.test.",
        "subpasted._domainkey.mail.dkimflow.test")
    assert (add["op"], add["name"], add["zone"], add["zone_relative_name"]) == (
        "add", "subpasted._domainkey.mail.dkimflow.test.", "dkimflow.test",
        "subpasted._domainkey.mail")
    assert add["value"] == "sel1.keys.provider.test."


def test_a_dropped_subdomain_label_is_found_and_moved(dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=mail.dkimflow.test", "selector=dropped")
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-1] == ("move_record", "problem")
    assert "dropped" in out["findings"][0]["message"]
    delete, add = actions(out)
    assert (delete["name"], delete["zone_relative_name"]) == (
        "dropped._domainkey.dkimflow.test.", "dropped._domainkey")
    assert (add["name"], add["zone_relative_name"]) == (
        "dropped._domainkey.mail.dkimflow.test.", "dropped._domainkey.mail")


def test_nothing_anywhere_with_the_console_value_adds_the_cname(dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=mail.dkimflow.test", "selector=none",
                         f"expected_cname={PROVIDER_KEY}")
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-3:] == [("misplaced", "none_found"), ("target_for_new_record", "default"),
                               ("add_record", "problem")]
    assert finding_ids(out) == ["dkim.record-missing"]
    assert actions(out) == [
        {"type": "dns", "op": "add", "name": "none._domainkey.mail.dkimflow.test.",
         "rtype": "CNAME", "value": "sel1.keys.provider.test.", "old_value": "",
         "zone": "dkimflow.test", "zone_relative_name": "none._domainkey.mail", "ttl": None}]


def test_nothing_anywhere_with_a_region_adds_the_profiles_cname(dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=dkimflow.test", "selector=none",
                         "region=eu-frankfurt-1")
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-2:] == [("target_for_new_record", "default"), ("add_record", "problem")]
    assert actions(out) == [
        {"type": "dns", "op": "add", "name": "none._domainkey.dkimflow.test.", "rtype": "CNAME",
         "value": "none.dkimflow.test.dkim.fra1.oracleemaildelivery.com.", "old_value": "",
         "zone": "dkimflow.test", "zone_relative_name": "none._domainkey", "ttl": None}]


def test_nothing_anywhere_and_no_value_known_asks_for_it(dns_servers: DnsServers) -> None:
    result = cli("run", FLOW, "--json", "--nameserver", str(dns_servers.resolver),
                 "--authoritative-port", str(dns_servers.authoritative_port),
                 "--set", "domain=dkimflow.test", "--set", "selector=none")
    assert result.returncode == 2
    assert "--set expected_cname=VALUE" in result.stderr
    assert result.stdout == ""


async def test_nothing_anywhere_adds_the_cname_the_user_gives_when_asked(
        dns_servers: DnsServers) -> None:
    session = Session.start(find_flow(FLOW), {"domain": "dkimflow.test", "selector": "none"},
                            RegistryRunner(dns_servers.ctx()))
    while session.question() is None:
        await session.advance()
    assert "Which CNAME value" in session.render(session.question().question)
    await session.advance("key1.dkim.example.net")
    await run_to_end(session)
    out = session_json(session)
    assert out["status"] == "problem"
    assert steps(out)[-3:] == [("target_for_new_record", ""), ("ask_target", None),
                               ("add_asked_record", "problem")]
    assert finding_ids(out) == ["dkim.record-missing"]
    assert actions(out) == [
        {"type": "dns", "op": "add", "name": "none._domainkey.dkimflow.test.", "rtype": "CNAME",
         "value": "key1.dkim.example.net.", "old_value": "", "zone": "dkimflow.test",
         "zone_relative_name": "none._domainkey", "ttl": None}]


# --- the record is there, but wrong ----------------------------------------------------------

def test_a_cname_to_another_target_is_replaced(dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=dkimflow.test", "selector=wrong",
                         f"expected_cname={PROVIDER_KEY}.")
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-1] == ("wrong_target", "problem")
    assert finding_ids(out) == ["dkim.cname-wrong-target"]
    assert actions(out) == [
        {"type": "dns", "op": "replace", "name": "wrong._domainkey.dkimflow.test.",
         "rtype": "CNAME", "value": "sel1.keys.provider.test.",
         "old_value": "other.keys.provider.test.", "zone": "dkimflow.test",
         "zone_relative_name": "wrong._domainkey", "ttl": None}]


def test_another_regions_target_is_replaced_with_this_regions(dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=dkimflow.test", "selector=fra",
                         "region=us-ashburn-1")
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-1] == ("wrong_target", "problem")
    (replace,) = actions(out)
    assert replace["old_value"] == "fra.dkimflow.test.dkim.fra1.oracleemaildelivery.com."
    assert replace["value"] == "fra.dkimflow.test.dkim.iad1.oracleemaildelivery.com."


def test_the_console_value_wins_over_the_region(dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=dkimflow.test", "selector=fra",
                         "region=us-ashburn-1",
                         "expected_cname=fra.dkimflow.test.dkim.fra1.oracleemaildelivery.com")
    assert (code, out["status"]) == (0, "healthy")


def test_a_txt_key_that_is_not_the_providers_is_replaced_by_the_cname(
        dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=dkimflow.test", "selector=txt",
                         f"expected_cname={PROVIDER_KEY}")
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-2:] == [("record", "txt_key_differs"), ("txt_not_the_providers",
                                                               "problem")]
    assert finding_ids(out) == ["dkim.txt-not-providers-key"]
    delete, add = actions(out)
    assert (delete["op"], delete["name"], delete["rtype"]) == (
        "delete", "txt._domainkey.dkimflow.test.", "TXT")
    assert delete["value"].startswith("v=DKIM1; k=rsa; p=MIGfMA0G")
    assert (add["op"], add["name"], add["rtype"], add["value"], add["zone_relative_name"]) == (
        "add", "txt._domainkey.dkimflow.test.", "CNAME", "sel1.keys.provider.test.",
        "txt._domainkey")


def test_a_cname_to_a_name_without_a_key_says_so(dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=dkimflow.test", "selector=dangling")
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-1] == ("target_without_key", "problem")
    assert finding_ids(out) == ["dkim.no-key-at-target"]
    assert "gone.keys.provider.test" in out["findings"][0]["message"]
    assert actions(out)[0]["type"] == "console"


def test_a_revoked_key_is_unusable(dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=dkimflow.test", "selector=revoked")
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-2:] == [("record", "revoked"), ("key_unusable", "problem")]
    assert "revoked" in out["findings"][0]["message"]


# --- DNS has not caught up, or is broken --------------------------------------------------

def test_a_resolver_with_the_old_answer_means_wait_for_the_ttl(dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=stale.test", "selector=sel1",
                         f"expected_cname={PROVIDER_KEY}")
    assert (code, out["status"]) == (1, "problem")
    assert steps(out) == [*NO_API, ("profile", "no_endpoint"), ("authority", "resolver_stale"),
                          ("resolver_stale", "problem")]
    message = out["findings"][0]["message"]
    assert "CNAME sel1.keys.provider.test." in message
    assert "CNAME old.keys.provider.test." in message
    assert "3600 more seconds" in message
    assert out["fixes"][0]["title"] == "Wait up to 3600 seconds, or flush the resolver's cache"
    assert out["fixes"][0]["actions"] == []


def test_authoritative_servers_that_disagree_mean_wait_for_the_transfer(
        dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=split.test", "selector=sel1")
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-1] == ("servers_disagree", "problem")
    message = out["findings"][0]["message"]
    assert "SOA serials 1, 2, answers" in message
    assert "CNAME old.keys.provider.test., CNAME sel1.keys.provider.test." in message


def test_a_lame_nameserver_is_a_broken_delegation(dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=lame.test", "selector=sel1")
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-2:] == [("authority", "lame_servers"), ("delegation_broken", "problem")]
    assert finding_ids(out) == ["dkim.delegation-broken"]
    assert "do not serve the zone" in out["findings"][0]["message"]


def test_a_silent_nameserver_is_a_broken_delegation(dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=dead.test", "selector=sel1", timeout="2")
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-2:] == [("authority", "unreachable_servers"),
                               ("delegation_broken", "problem")]


def test_a_zone_that_does_not_load_is_a_dns_failure(dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=broken.test", "selector=sel1")
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-2:] == [("authority", "servfail"), ("dns_failed", "problem")]
    assert finding_ids(out) == ["dkim.dns-failed"]
    assert "SERVFAIL" in out["fixes"][0]["text"]


def test_a_resolver_that_never_answers_is_a_dns_failure(dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=dkimflow.test", "selector=ok", timeout="1",
                         nameserver=str(dns_servers.silent))
    assert (code, out["status"]) == (1, "problem")
    assert steps(out)[-2:] == [("authority", "timeout"), ("dns_failed", "problem")]


# --- the inputs ------------------------------------------------------------------------------

def test_an_unknown_region_names_the_close_ones(dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=dkimflow.test", "selector=ok",
                         "region=us-ashburn-2")
    assert (code, out["status"]) == (1, "problem")
    assert steps(out) == [*NO_API, ("profile", "unknown_region"), ("unknown_region", "problem")]
    assert "us-ashburn-1" in out["findings"][0]["message"]


def test_an_unknown_provider_profile_is_inconclusive(dns_servers: DnsServers) -> None:
    code, out = run_flow(dns_servers, "domain=dkimflow.test", "selector=ok", "provider=nosuch")
    assert (code, out["status"]) == (3, "inconclusive")
    assert steps(out) == [*NO_API, ("profile", "unknown_provider"),
                          ("profile_unusable", "inconclusive")]
    assert "expected_cname" in out["message"]


def test_the_inputs_are_documented_in_list_json() -> None:
    result = cli("list", "--json")
    (flow,) = [f for f in json.loads(result.stdout)["flows"] if f["id"] == FLOW]
    inputs = flow["inputs"]
    assert [name for name, spec in inputs.items() if spec["required"]] == ["domain"]
    assert {"selector", "expected_cname", "region", "provider", "compartment"} <= set(inputs)
    assert all(spec["help"] for spec in inputs.values())


def test_without_the_api_a_missing_selector_is_asked_for(dns_servers: DnsServers) -> None:
    result = cli("run", FLOW, "--json", "--nameserver", str(dns_servers.resolver),
                 "--set", "domain=dkimflow.test")
    assert result.returncode == 2
    assert "--set selector=VALUE" in result.stderr


def test_the_authoritative_port_must_be_a_port() -> None:
    result = cli("run", FLOW, "--authoritative-port", "0", "--set", "domain=example.com",
                 "--set", "selector=s")
    assert result.returncode == 2
    assert "--authoritative-port 0" in result.stderr
