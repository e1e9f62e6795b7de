"""dkim.record and dkim.misplaced: the DKIM key where it belongs, and where a console put it."""

from __future__ import annotations

from typing import Any

from tests.servers.dns_fixtures import DnsServers
from wizard.probes.base import ProbeResult
from wizard.probes.runner import RegistryRunner


async def run(servers: DnsServers, probe: str, **params: Any) -> ProbeResult:
    return await RegistryRunner(servers.ctx()).run(probe, params)


async def test_a_cname_to_the_providers_key_is_followed_and_the_split_key_joined(
        dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dkim.record", domain="DKIM.test.", selector="sel1",
                       expected_cname="SEL1.keys.provider.test.")
    assert result.outcome == "cname_ok"
    assert result.facts["record_type"] == "CNAME"
    assert result.facts["cname_target"] == "sel1.keys.provider.test"
    assert result.facts["cname_matches"] is True
    assert result.facts["key_type"] == "rsa"
    assert result.facts["key_bits"] == 2048
    txt = str(result.facts["txt"])
    assert '" "' not in txt and txt.endswith("IDAQAB")


async def test_a_cname_to_another_target_is_reported_with_both_targets(
        dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dkim.record", domain="dkim.test", selector="wrong",
                       expected_cname="sel1.keys.provider.test")
    assert result.outcome == "cname_wrong_target"
    assert result.facts["cname_target"] == "other.keys.provider.test"
    assert result.facts["cname_matches"] is False
    assert "sel1.keys.provider.test" in result.summary


async def test_a_txt_key_reports_its_type_and_size(dns_servers: DnsServers) -> None:
    rsa = await run(dns_servers, "dkim.record", domain="dkim.test", selector="txtkey")
    ed = await run(dns_servers, "dkim.record", domain="dkim.test", selector="ed")
    pkcs1 = await run(dns_servers, "dkim.record", domain="dkim.test", selector="pkcs1")
    assert (rsa.outcome, rsa.facts["record_type"], rsa.facts["key_bits"]) == ("txt_key", "TXT",
                                                                               1024)
    assert (ed.facts["key_type"], ed.facts["key_bits"]) == ("ed25519", 256)
    assert pkcs1.facts["key_bits"] == 1024


async def test_an_empty_p_means_the_key_is_revoked(dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dkim.record", domain="dkim.test", selector="revoked")
    assert result.outcome == "revoked"
    assert result.facts["tags"] == {"v": "DKIM1", "k": "rsa", "p": ""}


async def test_text_that_is_not_a_tag_list_is_malformed(dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dkim.record", domain="dkim.test", selector="notdkim")
    assert result.outcome == "malformed"
    assert result.facts["problems"]


async def test_a_cname_to_nothing_is_told_apart_from_no_record(dns_servers: DnsServers) -> None:
    dangling = await run(dns_servers, "dkim.record", domain="dkim.test", selector="dangling")
    missing = await run(dns_servers, "dkim.record", domain="dkim.test", selector="nosuch")
    assert dangling.outcome == "no_key_at_target"
    assert dangling.facts["cname_target"] == "gone.keys.provider.test"
    assert missing.outcome == "missing"
    assert missing.facts["record_type"] is None


async def test_a_key_on_a_subdomain_of_its_zone_is_found(dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dkim.record", domain="mail.dkim.test", selector="sel6")
    assert result.outcome == "txt_key"
    assert result.facts["name"] == "sel6._domainkey.mail.dkim.test"


async def test_the_full_name_pasted_into_a_zone_relative_console_is_found(
        dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dkim.misplaced", domain="dkim.test", selector="sel5")
    assert result.outcome == "misplaced_found"
    assert result.facts["misplaced_name"] == "sel5._domainkey.dkim.test.dkim.test."
    assert result.facts["misplaced_rtype"] == "CNAME"
    assert result.facts["misplaced_value"] == "sel1.keys.provider.test."
    assert result.facts["zone"] == "dkim.test"
    assert result.facts["correct_name"] == "sel5._domainkey.dkim.test."
    assert result.facts["zone_relative_name"] == "sel5._domainkey"
    assert result.facts["correct_present"] is False


async def test_a_subdomain_pasted_whole_lands_under_the_zone(dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dkim.misplaced", domain="mail.dkim.test", selector="sel2")
    assert result.outcome == "misplaced_found"
    assert result.facts["misplaced_name"] == "sel2._domainkey.mail.dkim.test.dkim.test."
    assert result.facts["misplaced_zone_relative_name"] == "sel2._domainkey.mail.dkim.test"
    assert result.facts["zone_relative_name"] == "sel2._domainkey.mail"


async def test_a_subdomain_pasted_whole_under_itself_is_found(dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dkim.misplaced", domain="mail.dkim.test", selector="sel4")
    assert result.facts["misplaced_name"] == "sel4._domainkey.mail.dkim.test.mail.dkim.test."
    assert result.facts["misplaced_rtype"] == "TXT"


async def test_a_dropped_subdomain_label_is_found(dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dkim.misplaced", domain="mail.dkim.test", selector="sel3")
    assert result.outcome == "misplaced_found"
    assert result.facts["misplaced_name"] == "sel3._domainkey.dkim.test."
    assert "dropped" in str(result.facts["misplaced"])


async def test_a_key_at_the_right_place_has_no_misplaced_copy(dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dkim.misplaced", domain="mail.dkim.test", selector="sel6")
    assert result.outcome == "none_found"
    assert result.facts["correct_present"] is True
    assert result.facts["misplaced"] == []


async def test_asked_directly_the_authoritative_servers_show_the_fixed_cname(
        dns_servers: DnsServers) -> None:
    params = {"domain": "stale.test", "selector": "sel1",
              "expected_cname": "sel1.keys.provider.test"}
    cached = await RegistryRunner(dns_servers.ctx()).run("dkim.record", params)
    direct = await RegistryRunner(dns_servers.ctx(authoritative=True)).run("dkim.record", params)
    assert cached.outcome == "cname_wrong_target"
    assert direct.outcome == "cname_ok"


async def test_an_empty_expected_cname_means_not_asked(dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dkim.record", domain="dkim.test", selector="wrong",
                       expected_cname="")
    assert result.outcome == "cname_ok"
    assert (result.facts["cname_matches"], result.facts["expected_cname"]) == (None, None)


async def test_the_first_non_empty_expected_cname_of_a_list_counts(
        dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dkim.record", domain="dkim.test", selector="wrong",
                       expected_cname=["", "Other.Keys.provider.test.", "sel1.keys.provider.test"])
    assert result.outcome == "cname_ok"
    assert result.facts["expected_cname"] == "other.keys.provider.test"
    assert result.facts["cname_matches"] is True


async def test_a_txt_key_equal_to_the_key_at_the_expected_target_is_fine(
        dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dkim.record", domain="dkim.test", selector="txtkey",
                       expected_cname="other.keys.provider.test")
    assert result.outcome == "txt_key"
    assert result.facts["txt_matches"] is True
    assert "the same key as at other.keys.provider.test" in result.summary


async def test_a_txt_key_other_than_the_key_at_the_expected_target_differs(
        dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dkim.record", domain="dkim.test", selector="txtkey",
                       expected_cname="sel1.keys.provider.test")
    assert result.outcome == "txt_key_differs"
    assert result.facts["txt_matches"] is False
    assert str(result.facts["expected_txt"]).endswith("IDAQAB")
    assert result.facts["record_type"] == "TXT"


async def test_a_txt_key_where_the_expected_target_has_no_key_differs(
        dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dkim.record", domain="dkim.test", selector="txtkey",
                       expected_cname="gone.keys.provider.test")
    assert result.outcome == "txt_key_differs"
    assert result.facts["expected_txt"] is None


async def test_a_txt_key_stays_fine_when_the_expected_target_cannot_be_read(
        dns_servers: DnsServers) -> None:
    result = await run(dns_servers, "dkim.record", domain="dkim.test", selector="txtkey",
                       expected_cname="key.nowhere.test")
    assert result.outcome == "txt_key"
    assert "txt_matches" not in result.facts
    assert any("could not read the key at key.nowhere.test" in e for e in result.evidence)
