"""Provider profiles: OCI's facts as data, a generic relay beside it, strict loading."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wizard.data.diagnostics import DataFileError
from wizard.providers import bundled_provider_ids, load_provider, provider_path
from wizard.providers.model import Provider

OCI = load_provider("oci")
GENERIC = load_provider("generic")


def test_both_profiles_are_shipped() -> None:
    assert {"oci", "generic"} <= set(bundled_provider_ids())


@pytest.mark.parametrize(("region", "host"), [
    ("us-ashburn-1", "smtp.email.us-ashburn-1.oci.oraclecloud.com"),
    ("eu-frankfurt-1", "smtp.email.eu-frankfurt-1.oci.oraclecloud.com"),
    ("uk-gov-london-1", "smtp.email.uk-gov-london-1.oci.oraclegovcloud.uk"),
])
def test_oci_endpoint_follows_the_region(region: str, host: str) -> None:
    assert OCI.smtp_host(region) == host


def test_every_commercial_region_uses_the_documented_endpoint_pattern() -> None:
    for region in OCI.regions:
        if region.realm == "oc1":
            assert OCI.smtp_host(region.id) == f"smtp.email.{region.id}.oci.oraclecloud.com"


@pytest.mark.parametrize(("region", "includes"), [
    ("us-phoenix-1", ["rp.oracleemaildelivery.com"]),
    ("ap-tokyo-1", ["ap.rp.oracleemaildelivery.com"]),
    ("eu-zurich-1", ["eu.rp.oracleemaildelivery.com"]),
    ("uk-gov-cardiff-1", ["rp.oraclegovemaildelivery.uk"]),
])
def test_spf_include_depends_on_where_mail_is_sent_from(region: str, includes: list[str]) -> None:
    assert OCI.spf_includes(region) == includes


def test_oci_ports_tls_and_auth() -> None:
    ports = {p.port: p.tls for p in OCI.smtp.ports}
    assert ports == {25: "starttls", 587: "starttls", 465: "implicit"}
    assert OCI.smtp.tls_min_version == "1.2"
    assert OCI.smtp.auth.mechanisms == ["PLAIN"] and OCI.smtp.auth.requires_tls


def test_oci_limits_and_what_the_page_says() -> None:
    assert OCI.limits.max_recipients == 50
    assert OCI.limits.max_header_kb == 256
    assert {"approved_senders", "suppression_list", "dkim", "dmarc"} <= set(OCI.notes)


def test_dkim_cname_target_pattern() -> None:
    assert OCI.dkim is not None
    assert OCI.dkim.cname_name.format(selector="s1", domain="example.com") == \
        "s1._domainkey.example.com"
    target = OCI.dkim_cname_target("s1", "example.com.", "eu-frankfurt-1")
    assert target == "s1.example.com.dkim.fra1.oracleemaildelivery.com"
    assert target.endswith(OCI.dkim.cname_target_suffix)


def test_generic_relay_needs_no_region_and_names_no_provider() -> None:
    assert GENERIC.regions == [] and GENERIC.spf_areas == {}
    assert GENERIC.smtp_host(host="mail.example.net") == "mail.example.net"
    text = provider_path("generic").read_text(encoding="utf-8").lower()
    assert "oracle" not in text and "oci." not in text
    assert "provider.limits.max_recipients" not in GENERIC.facts()


def test_unknown_region_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        OCI.smtp_host("mars-olympus-1")


def test_no_provider_fact_is_hardcoded_in_the_catalog_or_provider_code() -> None:
    root = Path(__file__).resolve().parent.parent / "wizard"
    facts = re.compile(r"oraclecloud|oracleemaildelivery|oraclegov|us-ashburn|eu-frankfurt|"
                       r"\b256\b|\b50\b")
    for package in ("catalog", "providers"):
        for path in (root / package).glob("*.py"):
            assert not facts.search(path.read_text(encoding="utf-8")), path


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = provider_path("oci").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "oci.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_unknown_key_gets_position_and_suggestion(tmp_path: Path) -> None:
    path = _broken(tmp_path, "  tls_min_version:", "  tls_minimum_version:")
    with pytest.raises(DataFileError) as caught:
        load_provider(path, display="oci.yaml")
    line = next(i for i, s in enumerate(path.read_text().splitlines(), 1)
                if "tls_minimum_version" in s)
    assert f"oci.yaml:{line}:3: unknown key 'tls_minimum_version' " \
           "(did you mean 'tls_min_version'?)" in str(caught.value)


def test_missing_field_is_reported(tmp_path: Path) -> None:
    path = _broken(tmp_path, "    requires_tls: true\n", "")
    with pytest.raises(DataFileError) as caught:
        load_provider(path, display="oci.yaml")
    assert "missing required key 'requires_tls'" in str(caught.value)


def test_region_in_an_unknown_realm_is_reported_at_its_line(tmp_path: Path) -> None:
    path = _broken(tmp_path, "key: iad, name: US East (Ashburn), realm: oc1",
                   "key: iad, name: US East (Ashburn), realm: oc9")
    with pytest.raises(DataFileError) as caught:
        load_provider(path, display="oci.yaml")
    line = next(i for i, s in enumerate(path.read_text().splitlines(), 1) if "oc9" in s)
    assert f"oci.yaml:{line}:" in str(caught.value) and "unknown realm 'oc9'" in str(caught.value)


def test_unknown_template_variable_in_an_endpoint_is_reported(tmp_path: Path) -> None:
    path = _broken(tmp_path, "smtp.email.{region}.oci.oraclecloud.com",
                   "smtp.email.{regoin}.oci.oraclecloud.com")
    with pytest.raises(DataFileError) as caught:
        load_provider(path, display="oci.yaml")
    assert "unknown template variable {regoin}" in str(caught.value)


def test_a_profile_that_does_not_name_its_places_gets_neutral_words() -> None:
    """A user's profile may leave out where things are: fix texts then read neutral words."""
    provider = Provider.model_validate({
        "id": "relay", "name": "A relay", "source": "its admin",
        "smtp": {"ports": [{"port": 587, "tls": "starttls"}], "tls_min_version": "1.2",
                 "auth": {"mechanisms": ["PLAIN"], "requires_tls": True}}})
    assert (provider.api_name, provider.support_where) == ("the provider's API",
                                                           "the provider's support")
    assert provider.smtp.egress_where == "host firewall, network firewall, or ISP"
    assert provider.smtp.endpoint_where == "the provider's documentation"
