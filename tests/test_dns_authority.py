"""dns.authority: the authoritative servers asked directly, compared with the resolver."""

from __future__ import annotations

from tests.servers.dns_fixtures import DnsServers
from wizard.probes.base import ProbeResult
from wizard.probes.runner import RegistryRunner


async def authority(servers: DnsServers, name: str, rtype: str = "A") -> ProbeResult:
    return await RegistryRunner(servers.ctx()).run("dns.authority", {"name": name,
                                                                      "rtype": rtype})


async def test_servers_that_agree_with_the_resolver_are_consistent(
        dns_servers: DnsServers) -> None:
    result = await authority(dns_servers, "www.agree.test")
    assert result.outcome == "consistent"
    assert result.facts["serials"] == [10]
    assert [ns["address"] for ns in result.facts["nameservers"]] == [
        f"127.0.0.2:{dns_servers.authoritative_port}",
        f"127.0.0.3:{dns_servers.authoritative_port}"]


async def test_a_secondary_with_an_old_serial_disagrees(dns_servers: DnsServers) -> None:
    result = await authority(dns_servers, "sel1._domainkey.split.test", "CNAME")
    assert result.outcome == "servers_disagree"
    assert result.facts["serials"] == [1, 2]
    assert result.facts["agree"] is False
    assert result.facts["authoritative_answers"] == ["CNAME old.keys.provider.test.",
                                                     "CNAME sel1.keys.provider.test."]


async def test_a_stale_resolver_answer_reports_how_long_it_may_last(
        dns_servers: DnsServers) -> None:
    result = await authority(dns_servers, "sel1._domainkey.stale.test", "CNAME")
    assert result.outcome == "resolver_stale"
    assert result.facts["resolver_answer"] == "CNAME old.keys.provider.test."
    assert result.facts["authoritative_answer"] == "CNAME sel1.keys.provider.test."
    assert result.facts["resolver_ttl"] == 3600


async def test_a_cached_nxdomain_for_a_new_name_is_stale_for_the_negative_ttl(
        dns_servers: DnsServers) -> None:
    result = await authority(dns_servers, "new.stale.test")
    assert result.outcome == "resolver_stale"
    assert result.facts["resolver_answer"] == "NXDOMAIN"
    assert result.facts["resolver_ttl"] == 60


async def test_a_listed_server_that_refuses_the_zone_is_lame(dns_servers: DnsServers) -> None:
    result = await authority(dns_servers, "www.lame.test")
    assert result.outcome == "lame_servers"
    statuses = {ns["host"]: ns["status"] for ns in result.facts["nameservers"]}
    assert statuses == {"ns1.lame.test": "ok", "ns2.lame.test": "lame (REFUSED)"}


async def test_the_name_is_also_given_relative_to_its_zone(dns_servers: DnsServers) -> None:
    apex = await authority(dns_servers, "agree.test")
    below = await authority(dns_servers, "sel1._domainkey.agree.test", "TXT")
    assert (apex.facts["zone"], apex.facts["relative_name"]) == ("agree.test", "@")
    assert below.facts["relative_name"] == "sel1._domainkey"
