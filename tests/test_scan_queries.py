"""The questions a domain costs: no DNS query whose answer the domain's other queries give.

Against the loopback Knot servers (tests/servers/dns_fixtures.py). Every query that
goes to the network is recorded (name, type, recursion) by wrapping the uncached
exchange; the verdicts themselves are compared with the single-domain flows in
tests/test_scan.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import dns.name
import pytest

from tests.servers.dns_fixtures import DnsServers
from wizard.probes.base import Deadline, Nameserver
from wizard.probes.dkim_misplaced import DkimMisplacedParams, run_dkim_misplaced
from wizard.probes.dmarc_check import DmarcCheckParams, run_dmarc_check
from wizard.probes.dns_authority import DnsAuthorityParams, run_dns_authority
from wizard.probes.runner import RegistryRunner
from wizard.probes.support import resolve
from wizard.probes.support.zones import Zone, find_zone
from wizard.scan import ScanTarget, load_scan_flows, scan

Question = tuple[str, str, bool]


per_server: Counter[tuple[Question, tuple[Nameserver, ...]]] = Counter()
"""The questions of the last test, by the servers asked."""


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Counter[Question]:
    """Each question sent to a DNS server: (name without the final dot, type, recursion)."""
    seen: Counter[Question] = Counter()
    per_server.clear()
    real = resolve._exchange

    async def recording(name: str | dns.name.Name, rdtype: str, servers: Sequence[Nameserver],
                        timeout: float, *, recursion: bool) -> resolve.Reply:
        question = (str(name).rstrip(".").lower(), rdtype.upper(), recursion)
        seen[question] += 1
        per_server[(question, tuple(servers))] += 1
        return await real(name, rdtype, servers, timeout, recursion=recursion)

    monkeypatch.setattr(resolve, "_exchange", recording)
    return seen


async def test_a_scan_asks_no_soa_where_another_answer_names_the_zone(
        dns_servers: DnsServers, asked: Counter[Question]) -> None:
    targets = [ScanTarget("dkimflow.test", selector="ok",
                          expected_cname="sel1.keys.provider.test"),
               ScanTarget("dkimflow.test", selector="pasted"),
               ScanTarget("nothing.onboard.test", spf_include="rp.oracleemaildelivery.com")]
    runner = RegistryRunner(dns_servers.ctx(timeout=3))
    rows = [row async for row in scan(targets, load_scan_flows(), runner, concurrency=3,
                                      timeout=3)]
    assert {(r.domain, r.dkim) for r in rows} == {
        ("dkimflow.test", "cname_ok"), ("dkimflow.test", "misplaced_found"),
        ("nothing.onboard.test", "skipped")}
    # the resolver's TXT answer at the DKIM name shows its CNAME: not a zone apex
    assert ("ok._domainkey.dkimflow.test", "SOA", True) not in asked
    assert ("ok._domainkey.dkimflow.test", "TXT", True) in asked
    # the negative answer at _dmarc.<domain> names the zone of the domain
    assert ("nothing.onboard.test", "SOA", True) not in asked
    # the DKIM flow's answers below dkimflow.test (a negative one names the zone) tell
    # the DMARC check's walk from dkimflow.test its apex: no SOA question there
    assert ("dkimflow.test", "SOA", True) not in asked
    # the TXT answer at the right DKIM name shows there is no CNAME either
    assert ("pasted._domainkey.dkimflow.test", "CNAME", True) not in asked
    assert max(per_server.values()) == 1, per_server.most_common(3)


async def test_dns_authority_takes_the_zone_from_the_resolvers_answer(
        dns_servers: DnsServers, asked: Counter[Question]) -> None:
    result = await run_dns_authority(
        DnsAuthorityParams(name="ok._domainkey.dkimflow.test", rtype="TXT"),
        dns_servers.ctx(timeout=3))
    assert result.outcome == "consistent"
    assert result.facts["zone"] == "dkimflow.test"
    assert ("ok._domainkey.dkimflow.test", "SOA", True) not in asked
    assert asked[("ok._domainkey.dkimflow.test", "TXT", True)] == 1


async def test_dmarc_check_takes_the_zone_from_a_negative_answer(
        dns_servers: DnsServers, asked: Counter[Question]) -> None:
    result = await run_dmarc_check(DmarcCheckParams(domain="nothing.onboard.test"),
                                   dns_servers.ctx(timeout=3))
    assert result.outcome == "missing"
    assert result.facts["org_domain"] == "onboard.test"
    assert ("nothing.onboard.test", "SOA", True) not in asked


async def test_dmarc_check_still_asks_soa_when_the_record_is_there(
        dns_servers: DnsServers, asked: Counter[Question]) -> None:
    result = await run_dmarc_check(DmarcCheckParams(domain="good.onboard.test"),
                                   dns_servers.ctx(timeout=3))
    assert result.facts["org_domain"] == "onboard.test"
    assert ("good.onboard.test", "SOA", True) in asked


async def test_dkim_misplaced_reads_a_cname_from_the_txt_answer(
        dns_servers: DnsServers, asked: Counter[Question]) -> None:
    result = await run_dkim_misplaced(
        DkimMisplacedParams(domain="mail.dkimflow.test", selector="dropped"),
        dns_servers.ctx(timeout=3))
    assert result.outcome == "misplaced_found"
    assert result.facts["misplaced_rtype"] == "CNAME"
    assert not [q for q in asked if q[1] == "CNAME"]


@pytest.mark.parametrize(("name", "hinted", "zone"), [
    ("ok._domainkey.dkimflow.test", "ok._domainkey.dkimflow.test", "dkimflow.test"),
    ("nothing.onboard.test", "_dmarc.nothing.onboard.test", "onboard.test"),
    ("onboard.test", "_dmarc.onboard.test", "onboard.test"),
])
async def test_a_hint_gives_the_zone_the_soa_walk_gives(
        dns_servers: DnsServers, name: str, hinted: str, zone: str) -> None:
    ctx = dns_servers.ctx(timeout=3)
    hint = (await resolve.exchange(hinted, "TXT", ctx.nameservers, 3)).message
    walked: Zone = await find_zone(name, ctx, Deadline(3))
    found = await find_zone(name, ctx, Deadline(3), hint)
    assert (found.name, found.serial) == (walked.name, walked.serial) == (zone, walked.serial)


async def test_a_hint_that_cannot_tell_falls_back_to_the_soa_walk(
        dns_servers: DnsServers, asked: Counter[Question]) -> None:
    ctx = dns_servers.ctx(timeout=3)
    hint = (await resolve.exchange("good.onboard.test", "TXT", ctx.nameservers, 3)).message
    found = await find_zone("good.onboard.test", ctx, Deadline(3), hint)
    assert found.name == "onboard.test"
    assert ("good.onboard.test", "SOA", True) in asked
