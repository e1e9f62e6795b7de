"""dns.query and dns.zone_apex against the real knot servers."""

from __future__ import annotations

import time

from tests.servers.dns_fixtures import DnsServers
from wizard.probes.base import ProbeResult
from wizard.probes.registry import PROBES
from wizard.probes.runner import GRACE_SECONDS, RegistryRunner


async def query(servers: DnsServers, name: str, rtype: str = "A", *,
                authoritative: bool = False) -> ProbeResult:
    runner = RegistryRunner(servers.ctx(authoritative=authoritative))
    return await runner.run("dns.query", {"name": name, "rtype": rtype})


async def test_an_address_behind_a_cname_chain_across_zones_is_found_hop_by_hop(
        dns_servers: DnsServers) -> None:
    result = await query(dns_servers, "a.query.test")
    assert result.outcome == "answer"
    assert result.facts["records"] == ["192.0.2.99"]
    assert result.facts["final_name"] == "c.provider.test."
    assert [hop["target"] for hop in result.facts["cname_chain"]] == [
        "b.query.test.", "c.provider.test."]
    assert "a.query.test. CNAME b.query.test. (TTL 300)" in result.evidence
    assert "b.query.test. CNAME c.provider.test. (TTL 300)" in result.evidence


async def test_a_name_that_does_not_exist_is_nxdomain(dns_servers: DnsServers) -> None:
    result = await query(dns_servers, "nosuch.query.test")
    assert result.outcome == "nxdomain"
    assert result.facts["ttl"] == 60


async def test_an_existing_name_without_the_type_is_nodata_not_nxdomain(
        dns_servers: DnsServers) -> None:
    result = await query(dns_servers, "www.query.test", "AAAA")
    assert result.outcome == "nodata"
    assert result.facts["records"] == []


async def test_a_cname_to_a_missing_name_is_nxdomain_at_the_target(
        dns_servers: DnsServers) -> None:
    result = await query(dns_servers, "dangling.query.test")
    assert result.outcome == "nxdomain"
    assert result.facts["final_name"] == "gone.provider.test."
    assert "gone.provider.test." in result.summary


async def test_a_cname_loop_is_reported(dns_servers: DnsServers) -> None:
    result = await query(dns_servers, "loop1.query.test")
    assert result.outcome == "cname_loop"
    assert len(result.facts["cname_chain"]) == 2


async def test_a_txt_record_of_several_strings_keeps_them_all(dns_servers: DnsServers) -> None:
    result = await query(dns_servers, "split.query.test", "TXT")
    assert result.outcome == "answer"
    assert result.facts["records"] == ['"part one, " "part two"']


async def test_a_zone_that_failed_to_load_gives_servfail(dns_servers: DnsServers) -> None:
    assert (await query(dns_servers, "x.broken.test")).outcome == "servfail"


async def test_a_zone_the_server_does_not_serve_gives_refused(dns_servers: DnsServers) -> None:
    assert (await query(dns_servers, "x.nowhere.test")).outcome == "refused"


async def test_a_silent_nameserver_times_out_within_its_timeout(dns_servers: DnsServers) -> None:
    ctx = dns_servers.silent_ctx(timeout=1.0)
    started = time.monotonic()
    result = await RegistryRunner(ctx).run("dns.query", {"name": "www.query.test"})
    assert result.outcome == "timeout"
    assert time.monotonic() - started < ctx.timeout + GRACE_SECONDS


async def test_authoritative_mode_sees_the_new_record_the_stale_resolver_hides(
        dns_servers: DnsServers) -> None:
    via_resolver = await query(dns_servers, "sel1._domainkey.stale.test", "CNAME")
    direct = await query(dns_servers, "sel1._domainkey.stale.test", "CNAME", authoritative=True)
    assert via_resolver.facts["records"] == ["old.keys.provider.test."]
    assert direct.facts["records"] == ["sel1.keys.provider.test."]
    assert direct.facts["authoritative"] is True
    assert str(direct.facts["server"]).startswith("127.0.0.")
    assert str(direct.facts["server"]).endswith(f":{dns_servers.authoritative_port}")


async def test_authoritative_mode_follows_a_cname_into_another_zone(
        dns_servers: DnsServers) -> None:
    result = await query(dns_servers, "sel1._domainkey.stale.test", "TXT", authoritative=True)
    assert result.outcome == "answer"
    assert result.facts["final_name"] == "sel1.keys.provider.test."


async def test_the_zone_apex_of_a_name_below_a_subdomain(dns_servers: DnsServers) -> None:
    runner = RegistryRunner(dns_servers.ctx())
    result = await runner.run("dns.zone_apex", {"name": "sel1._domainkey.mail.dkim.test"})
    assert result.outcome == "found"
    assert result.facts["zone"] == "dkim.test"
    assert result.facts["relative_name"] == "sel1._domainkey.mail"


async def test_the_zone_apex_of_the_apex_itself_is_at(dns_servers: DnsServers) -> None:
    result = await RegistryRunner(dns_servers.ctx()).run("dns.zone_apex", {"name": "DKIM.test."})
    assert result.facts["zone"] == "dkim.test"
    assert result.facts["relative_name"] == "@"


async def test_the_zone_apex_walk_steps_over_a_cname(dns_servers: DnsServers) -> None:
    result = await RegistryRunner(dns_servers.ctx()).run("dns.zone_apex", {"name": "a.query.test"})
    assert result.facts["zone"] == "query.test"


async def test_the_zone_apex_walk_fails_like_the_server(dns_servers: DnsServers) -> None:
    runner = RegistryRunner(dns_servers.ctx())
    assert (await runner.run("dns.zone_apex", {"name": "x.broken.test"})).outcome == "servfail"
    assert (await runner.run("dns.zone_apex", {"name": "x.nowhere.test"})).outcome == "refused"
    silent = RegistryRunner(dns_servers.silent_ctx())
    assert (await silent.run("dns.zone_apex", {"name": "x.dkim.test"})).outcome == "timeout"


def test_the_dns_probes_are_registered() -> None:
    assert {"dns.query", "dns.zone_apex"} <= set(PROBES)
