"""Pictures of every terminal state of dkim-needs-attention, one per state.

Each walk replays probe results (tests/flow_snapshots.py) built from
documentation values — example.com, example.net targets, 192.0.2.x servers —
along the same path the headless tests in test_flow_dkim.py take against the
real loopback servers. Update on purpose with ``pytest --snapshot-update`` and
look at every changed picture before committing it.
"""

from __future__ import annotations

from typing import Any

from tests.flow_snapshots import SIZE, ReplayRunner, result, still_app, walk_to_end
from tests.helpers import FLOWS
from wizard.flow.loader import load_flow
from wizard.probes.base import ProbeResult

FLOW = load_flow(FLOWS / "dkim-needs-attention.yaml")
DOMAIN = "example.com"
SELECTOR = "sel1"
NAME = f"{SELECTOR}._domainkey.{DOMAIN}"
TARGET = "sel1.keys.example.net"
INPUTS = {"domain": DOMAIN, "selector": SELECTOR, "expected_cname": TARGET, "region": "",
          "provider": "oci"}
SERVERS = [{"host": "ns1.example.com", "address": "192.0.2.53", "status": "ok",
            "answer": f"CNAME {TARGET}.", "serial": 7},
           {"host": "ns2.example.com", "address": "192.0.2.54", "status": "ok",
            "answer": f"CNAME {TARGET}.", "serial": 7}]


def profile(region: str = "", target: str = "") -> tuple[str, ProbeResult]:
    facts = {"dkim_cname_target": target, "regions": ["us-ashburn-1", "eu-frankfurt-1"],
             "region": region}
    if region:
        return "provider.profile", result("found", "OCI Email Delivery: region " + region,
                                          facts)
    return "provider.profile", result("no_endpoint", "OCI Email Delivery: no region or host "
                                      "was given", facts)


def authority(outcome: str = "consistent", answer: str = f"CNAME {TARGET}.",
              **extra: Any) -> tuple[str, ProbeResult]:
    facts: dict[str, Any] = {
        "name": NAME, "rtype": "TXT", "zone": DOMAIN, "relative_name": f"{SELECTOR}._domainkey",
        "nameservers": SERVERS, "serials": [7], "authoritative_answers": [answer],
        "authoritative_answer": answer, "resolver_answer": answer, "resolver_ttl": 3600,
        "agree": True, **extra}
    summaries = {
        "consistent": f"all 2 authoritative servers and the resolver agree on {NAME}",
        "servers_disagree": f"the authoritative servers of {DOMAIN} give 2 different answers "
                            f"for {NAME}",
        "resolver_stale": f"the resolver still has an old answer for {NAME}; it may keep it "
                          "for up to 3600s",
        "lame_servers": f"1 listed nameserver(s) of {DOMAIN} do not serve the zone",
        "servfail": f"{DOMAIN}. SOA: SERVFAIL from 192.0.2.1",
    }
    evidence = [f"{s['host']} ({s['address']}): ok, serial 7: {answer}" for s in SERVERS]
    return "dns.authority", result(outcome, summaries[outcome], facts, evidence)


def record(outcome: str, summary: str, **facts: Any) -> tuple[str, ProbeResult]:
    base: dict[str, Any] = {"name": NAME, "record_type": "CNAME", "cname_target": TARGET,
                            "cname_matches": True, "expected_cname": TARGET}
    return "dkim.record", result(outcome, summary, {**base, **facts})


def key(bits: int = 2048, via: str = "CNAME") -> dict[str, Any]:
    return {"ttl": 3600, "problems": [], "txt": "v=DKIM1; k=rsa; p=MIIBIjANBgkqh…IDAQAB",
            "tags": {"v": "DKIM1", "k": "rsa"}, "key_type": "rsa", "key_bits": bits,
            "warnings": [], "record_type": via}


def misplaced(outcome: str, **facts: Any) -> tuple[str, ProbeResult]:
    base: dict[str, Any] = {"correct_name": f"{NAME}.", "zone": DOMAIN,
                            "zone_relative_name": f"{SELECTOR}._domainkey",
                            "correct_present": False, "misplaced": []}
    summary = f"no DKIM record at a misplaced name in {DOMAIN}"
    if outcome == "misplaced_found":
        wrong = f"{NAME}.{DOMAIN}."
        base.update({"misplaced_name": wrong, "misplaced_rtype": "CNAME",
                     "misplaced_value": f"{TARGET}.",
                     "misplaced_zone_relative_name": NAME})
        summary = (f"the CNAME record is at {wrong} instead of {NAME}.: the full name was typed "
                   f"into a console that appends {DOMAIN}")
    return "dkim.misplaced", result(outcome, summary, {**base, **facts})


def missing() -> tuple[str, ProbeResult]:
    return record("missing", f"no DKIM record at {NAME}: the name does not exist",
                  record_type=None, cname_target=None, cname_matches=None)


def no_api(selector: str = SELECTOR) -> tuple[str, ProbeResult]:
    """The OCI API step without an OCI profile: the flow goes on with DNS alone."""
    facts = {"selector": selector, "expected_cname": "", "state": "", "details": "",
             "dns_name": "", "dkim_id": "", "domain_id": "", "selectors": [], "compartment": "",
             "fix": "Install the extra (pip install 'email-wizard[oci]') and give an OCI "
                    "profile."}
    return "oci.dkim", result("not_configured", f"DKIM of {DOMAIN}: not read from OCI (no OCI "
                              "profile)", facts)


def picture(snap_compare: Any, replies: list[tuple[str, ProbeResult]],
            answers: dict[str, str] | None = None, **inputs: str) -> bool:
    app = still_app(FLOW, ReplayRunner([no_api(), *replies]))
    return bool(snap_compare(app, terminal_size=SIZE,
                             run_before=walk_to_end(FLOW, {**INPUTS, **inputs}, answers)))


def test_healthy_cname(snap_compare: Any) -> None:
    assert picture(snap_compare, [
        profile(), authority(),
        record("cname_ok", f"{NAME} is a CNAME to {TARGET}, which publishes a 2048-bit rsa key",
               **key())])


def test_healthy_txt(snap_compare: Any) -> None:
    assert picture(snap_compare, [
        profile(), authority(answer='TXT "v=DKIM1; k=rsa; p=MIGfMA0…IDAQAB"'),
        record("txt_key", f"{NAME} publishes a 1024-bit rsa key directly in TXT",
               **key(1024, "TXT"), cname_target=None, cname_matches=None)],
        expected_cname="")


def test_servers_disagree(snap_compare: Any) -> None:
    assert picture(snap_compare, [
        profile(),
        authority("servers_disagree", serials=[6, 7], agree=False,
                  authoritative_answers=["CNAME old.keys.example.net.", f"CNAME {TARGET}."])])


def test_resolver_stale(snap_compare: Any) -> None:
    assert picture(snap_compare, [
        profile(), authority("resolver_stale", resolver_answer="CNAME old.keys.example.net.")])


def test_delegation_broken(snap_compare: Any) -> None:
    assert picture(snap_compare, [profile(), authority("lame_servers")])


def test_dns_failed(snap_compare: Any) -> None:
    assert picture(snap_compare, [profile(), authority("servfail")])


def test_unknown_region(snap_compare: Any) -> None:
    replies = [("provider.profile", result(
        "unknown_region", "OCI Email Delivery has no region 'us-ashburn-2' (did you mean "
        "'us-ashburn-1'?)", {"regions": ["us-ashburn-1", "eu-frankfurt-1", "uk-london-1"],
                             "dkim_cname_target": "", "region": "us-ashburn-2"}))]
    assert picture(snap_compare, replies, region="us-ashburn-2")


def test_profile_unusable(snap_compare: Any) -> None:
    replies = [("provider.profile", result(
        "unknown_provider", "no usable provider profile 'ocl' (did you mean 'oci'?)"))]
    assert picture(snap_compare, replies, provider="ocl")


def test_move_record(snap_compare: Any) -> None:
    assert picture(snap_compare, [profile(), authority(answer="NXDOMAIN"), missing(),
                                  misplaced("misplaced_found")])


def test_add_record(snap_compare: Any) -> None:
    assert picture(snap_compare, [profile(), authority(answer="NXDOMAIN"), missing(),
                                  misplaced("none_found")])


def test_add_asked_record(snap_compare: Any) -> None:
    replies = [profile(), authority(answer="NXDOMAIN"),
               record("missing", f"no DKIM record at {NAME}: the name does not exist",
                      record_type=None, cname_target=None, cname_matches=None,
                      expected_cname=None),
               misplaced("none_found")]
    assert picture(snap_compare, replies, {"expected_cname": TARGET}, expected_cname="")


def test_wrong_target(snap_compare: Any) -> None:
    assert picture(snap_compare, [
        profile(), authority(answer="CNAME other.keys.example.net."),
        record("cname_wrong_target", f"{NAME} is a CNAME to other.keys.example.net, not to "
               f"{TARGET}", cname_target="other.keys.example.net", cname_matches=False)])


def test_txt_not_the_providers(snap_compare: Any) -> None:
    assert picture(snap_compare, [
        profile(), authority(answer='TXT "v=DKIM1; k=rsa; p=MIGfMA0…IDAQAB"'),
        record("txt_key_differs", f"{NAME} publishes a key directly in TXT, but not the key at "
               f"{TARGET}", **{**key(1024, "TXT"), "txt": "v=DKIM1; k=rsa; p=MIGfMA0…IDAQAB"},
               cname_target=None, cname_matches=None, expected_txt="v=DKIM1; p=MIIBIj…",
               txt_matches=False)])


def test_target_without_key(snap_compare: Any) -> None:
    assert picture(snap_compare, [
        profile(), authority(),
        record("no_key_at_target", f"{NAME} points to {TARGET}, which does not exist")])


def test_key_unusable(snap_compare: Any) -> None:
    assert picture(snap_compare, [
        profile(), authority(answer='TXT "v=DKIM1; k=rsa; p="'),
        record("revoked", f"the DKIM key at {NAME} is revoked (empty p=)",
               record_type="TXT", cname_target=None, cname_matches=None, ttl=3600,
               problems=[], txt="v=DKIM1; k=rsa; p=", tags={"v": "DKIM1", "k": "rsa", "p": ""},
               key_type="rsa", warnings=[])], expected_cname="")
