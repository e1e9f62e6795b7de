"""provider.profile: flows get endpoints, SPF includes and DKIM targets from the YAML profile."""

from __future__ import annotations

from typing import Any

from wizard.probes.base import ProbeContext, ProbeResult
from wizard.probes.runner import RegistryRunner
from wizard.providers.loader import load_provider


async def profile(**params: Any) -> ProbeResult:
    return await RegistryRunner(ProbeContext(timeout=5)).run("provider.profile", params)


async def test_a_region_gives_the_endpoint_spf_include_and_dkim_target() -> None:
    result = await profile(region="eu-frankfurt-1", selector="sel1", domain="example.com")
    assert result.outcome == "found"
    oci = load_provider("oci")
    assert result.facts["smtp_host"] == oci.smtp_host(region_id="eu-frankfurt-1")
    assert result.facts["smtp_host"] == "smtp.email.eu-frankfurt-1.oci.oraclecloud.com"
    assert result.facts["spf_include"] == "eu.rp.oracleemaildelivery.com"
    assert result.facts["dkim_cname_target"] == oci.dkim_cname_target("sel1", "example.com",
                                                                      "eu-frankfurt-1")
    assert result.facts["max_recipients"] == 50 and result.facts["max_header_kb"] == 256


async def test_a_mistyped_region_is_named_with_a_suggestion() -> None:
    result = await profile(region="us-ashburn")
    assert result.outcome == "unknown_region"
    assert "did you mean 'us-ashburn-1'" in result.summary


async def test_no_region_and_no_host_is_no_endpoint() -> None:
    assert (await profile()).outcome == "no_endpoint"


async def test_the_generic_profile_takes_the_host_as_given() -> None:
    result = await profile(provider="generic", host="mail.example.net")
    assert result.outcome == "found"
    assert result.facts["smtp_host"] == "mail.example.net"
    assert result.facts["spf_include"] == "" and result.facts["max_recipients"] == 0


async def test_an_unknown_provider_is_said_so() -> None:
    result = await profile(provider="nosuch", region="x")
    assert result.outcome == "unknown_provider"


async def test_a_read_that_cannot_finish_in_time_is_a_timeout() -> None:
    result = await profile(region="us-ashburn-1", timeout=1e-9)
    assert result.outcome == "timeout"


async def test_a_host_given_with_a_region_is_the_endpoint_and_the_region_names_its_own() -> None:
    result = await profile(host="smtp.example.net", region="us-ashburn-1")
    assert result.outcome == "found"
    assert result.facts["smtp_host"] == "smtp.example.net"
    assert result.facts["region_smtp_host"] == load_provider("oci").smtp_host(
        region_id="us-ashburn-1")


async def test_without_a_host_the_region_endpoint_is_the_endpoint() -> None:
    result = await profile(region="us-ashburn-1")
    assert result.facts["smtp_host"] == result.facts["region_smtp_host"] != ""


async def test_the_ports_say_which_speak_starttls_and_which_tls_from_the_first_byte() -> None:
    for provider in ("oci", "generic"):
        result = await profile(provider=provider, host="mail.example.net")
        assert (result.facts["starttls_ports"], result.facts["implicit_tls_ports"]) == (
            "587,25", "465"), provider


async def test_the_words_fixes_use_for_the_providers_places_come_from_its_profile() -> None:
    """What a flow says about the provider's API, its support and the egress path is data."""
    oci = (await profile(region="us-ashburn-1")).facts
    generic = (await profile(provider="generic")).facts
    assert oci["api_name"] == "the OCI Email Delivery API"
    assert oci["support_where"] == "OCI Email Delivery support, through the OCI Console"
    assert oci["egress_where"] == "host firewall, VCN security list / network security group, " \
        "or ISP"
    assert oci["endpoint_where"] == "the OCI Console, Email Delivery > Configuration"
    assert (generic["api_name"], generic["support_where"]) == (
        "the provider's API", "your provider's support")
    assert "VCN" not in generic["egress_where"] and "OCI" not in generic["endpoint_where"]
