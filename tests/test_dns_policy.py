"""spf.check, dmarc.check and mx.lookup against the real knot servers."""

from __future__ import annotations

from typing import Any

from tests.servers.dns_fixtures import DnsServers
from wizard.probes.base import ProbeResult
from wizard.probes.runner import RegistryRunner


async def run(servers: DnsServers, probe: str, **params: Any) -> ProbeResult:
    return await RegistryRunner(servers.ctx()).run(probe, params)


async def test_a_required_include_nested_two_levels_down_is_present(
        dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "spf.check", domain="nested.spf.test",
                       required_include="_SPF.provider.test.")
    assert result.outcome == "valid"
    assert result.facts["include_present"] is True
    assert result.facts["includes"] == ["mid.spf.test", "_spf.provider.test"]
    assert result.facts["lookup_count"] == 4


async def test_a_redirect_counts_as_the_include(dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "spf.check", domain="redir.spf.test",
                       required_include="_spf.provider.test")
    assert result.outcome == "valid"
    assert result.facts["lookup_count"] == 1


async def test_lookups_are_counted_through_every_include(dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "spf.check", domain="toomany.spf.test")
    assert result.outcome == "too_many_lookups"
    assert result.facts["lookup_count"] == 12


async def test_names_that_resolve_to_nothing_are_void_lookups(dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "spf.check", domain="voids.spf.test")
    assert result.outcome == "too_many_void_lookups"
    assert result.facts["void_lookups"] == 3


async def test_two_spf_records_are_both_reported(dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "spf.check", domain="multi.spf.test")
    assert result.outcome == "multiple_records"
    assert len(result.facts["records"]) == 2


async def test_a_non_spf_txt_record_is_not_taken_for_spf(dns_servers: DnsServers) -> None:
    assert (await run(dns_servers, "spf.check", domain="spf.test")).facts["records"] == [
        "v=spf1 include:_spf.provider.test ~all"]
    assert (await run(dns_servers, "spf.check", domain="nospf.spf.test")).outcome == "missing"


async def test_a_subdomain_without_dmarc_gets_the_org_domains_subdomain_policy(
        dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dmarc.check", domain="shop.dmarc.test")
    assert result.outcome == "policy_enforced"
    assert result.facts["record_name"] == "_dmarc.dmarc.test"
    assert result.facts["org_domain"] == "dmarc.test"
    assert (result.facts["policy"], result.facts["effective_policy"]) == ("reject", "quarantine")


async def test_relaxed_spf_alignment_holds_for_a_subdomain_bounce_address(
        dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dmarc.check", domain="dmarc.test",
                       envelope_from="bounce@bounce.dmarc.test", dkim_domain="shop.dmarc.test")
    assert result.outcome == "policy_enforced"
    assert result.facts["spf_aligned"] is True
    assert result.facts["dkim_aligned"] is False
    assert result.facts["aligned"] is True


async def test_a_providers_envelope_and_signature_do_not_align(dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dmarc.check", domain="dmarc.test",
                       header_from="Alice <alice@dmarc.test>",
                       envelope_from="bounce@provider.test", dkim_domain="provider.test")
    assert result.outcome == "not_aligned"
    assert result.facts["effective_policy"] == "reject"
    assert (result.facts["adkim"], result.facts["aspf"]) == ("s", "r")
    assert result.facts["rua"] == ["mailto:reports@dmarc.test"]


async def test_two_dmarc_records_are_malformed(dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dmarc.check", domain="two.dmarc.test")
    assert result.outcome == "malformed"


async def test_mx_hosts_come_in_preference_order_with_their_addresses(
        dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "mx.lookup", domain="mx.test")
    assert result.outcome == "mx_found"
    assert result.facts["mx"] == [
        {"preference": 10, "host": "mx1.mx.test", "addresses": ["192.0.2.51"]},
        {"preference": 20, "host": "mx2.mx.test", "addresses": ["192.0.2.52", "2001:db8::52"]},
    ]


async def test_no_mx_falls_back_to_the_domains_own_address(dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "mx.lookup", domain="implicit.mx.test")
    assert result.outcome == "no_mx_implicit_a"
    assert result.facts["implicit_addresses"] == ["192.0.2.53"]
