"""The ``oci.*`` probes through the real ``oci`` SDK against the loopback API server.

Every request is signed by the SDK and its signature verified by the server
(tests/servers/oci_api.py); nothing is stubbed and nothing leaves loopback. Each declared
outcome of each probe is produced here.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest

from tests.helpers import free_port
from tests.servers.oci_api import TENANCY
from tests.servers.oci_fixtures import PASSPHRASE, PROFILE, OciLab
from wizard.ociapi.settings import OciSettings, resolve_settings
from wizard.probes.base import ProbeContext, ProbeResult
from wizard.probes.oci_email import FAILURES
from wizard.probes.runner import RegistryRunner

PROBE_CALLS: dict[str, dict[str, Any]] = {
    "oci.email_configuration": {},
    "oci.email_domain": {"domain": "example.com"},
    "oci.dkim": {"domain": "example.com"},
    "oci.sender": {"address": "app@example.com"},
    "oci.suppression": {"address": "user@example.net"},
    "oci.submit_email": {"sender": "app@example.com", "recipient": "user@example.net"},
}


def settings(lab: OciLab, profile: str = PROFILE, **changes: Any) -> OciSettings:
    endpoint = changes.pop("endpoint", lab.server.url)
    return resolve_settings(config=str(lab.config), profile=profile,
                            auth=changes.pop("auth", None), endpoint=endpoint,
                            submit_endpoint=endpoint, env=changes.pop("env", {}))


def probe(name: str, params: dict[str, Any], oci: OciSettings | None,
          ca_file: str | None, timeout: float = 3.0) -> ProbeResult:
    ctx = ProbeContext(timeout=timeout, ca_file=ca_file, oci=oci)
    return asyncio.run(RegistryRunner(ctx).run(name, params))


def run(lab: OciLab, name: str, params: dict[str, Any] | None = None,
        **changes: Any) -> ProbeResult:
    profile = changes.pop("profile", PROFILE)
    ca_file = changes.pop("ca_file", str(lab.ca_file))
    timeout = changes.pop("timeout", 3.0)
    return probe(name, PROBE_CALLS[name] if params is None else params,
                 settings(lab, profile, **changes), ca_file, timeout)


# --- what the API says ---------------------------------------------------------------------

def test_the_email_configuration_gives_both_submission_endpoints(oci_lab: OciLab) -> None:
    result = run(oci_lab, "oci.email_configuration")
    assert result.outcome == "found"
    assert result.facts["smtp_endpoint"] == "smtp.email.us-ashburn-1.oci.oraclecloud.com"
    assert result.facts["https_endpoint"].startswith("https://cell0.submit.email.")
    assert result.facts["compartment"] == TENANCY
    assert oci_lab.server.rejections == []


def test_an_email_domain_is_found_by_name_with_its_state_and_spf_flag(oci_lab: OciLab) -> None:
    domain = oci_lab.server.state.add_domain("example.com", is_spf=True)
    oci_lab.server.state.add_dkim(domain, "sel1")
    result = run(oci_lab, "oci.email_domain")
    assert result.outcome == "found"
    assert result.facts["domain_id"] == domain
    assert result.facts["is_spf"] is True
    assert result.facts["active_dkim_id"] == "ocid1.emaildkim.oc1..sel1"


def test_a_name_that_is_not_an_email_domain_in_the_compartment(oci_lab: OciLab) -> None:
    oci_lab.server.state.add_domain("example.com", compartment="ocid1.compartment.oc1..other")
    assert run(oci_lab, "oci.email_domain").outcome == "not_found"


@pytest.mark.parametrize(("state", "outcome"), [("ACTIVE", "active"),
                                                ("NEEDS_ATTENTION", "needs_attention"),
                                                ("CREATING", "other_state")])
def test_the_dkim_state_selector_and_expected_cname_come_from_the_api(
        oci_lab: OciLab, state: str, outcome: str) -> None:
    domain = oci_lab.server.state.add_domain("example.com")
    oci_lab.server.state.add_dkim(domain, "prod-2026", state=state,
                                  details="CNAME not found" if outcome != "active" else None)
    result = run(oci_lab, "oci.dkim")
    assert result.outcome == outcome
    assert result.facts["selector"] == "prod-2026"
    assert result.facts["expected_cname"] == \
        "prod-2026.example.com.dkim.iad1.oracleemaildelivery.com"
    assert result.facts["dns_name"] == "prod-2026._domainkey.example.com"
    assert result.facts["state"] == state


def test_a_domain_without_dkim_and_an_unknown_selector(oci_lab: OciLab) -> None:
    domain = oci_lab.server.state.add_domain("example.com")
    assert run(oci_lab, "oci.dkim").outcome == "no_dkim"
    oci_lab.server.state.add_dkim(domain, "sel1")
    result = run(oci_lab, "oci.dkim", {"domain": "example.com", "selector": "other"})
    assert result.outcome == "selector_unknown"
    assert result.facts["selectors"] == ["sel1"]


def test_dkim_of_a_name_that_is_no_email_domain(oci_lab: OciLab) -> None:
    result = run(oci_lab, "oci.dkim", {"domain": "example.org", "selector": "s"})
    assert result.outcome == "no_email_domain"
    assert result.facts["selector"] == "s"


@pytest.mark.parametrize(("state", "outcome"), [("ACTIVE", "approved"),
                                                ("FAILED", "inactive"), (None, "not_approved")])
def test_approved_sender_lookup(oci_lab: OciLab, state: str | None, outcome: str) -> None:
    if state:
        oci_lab.server.state.add_sender("App@Example.com", state=state)
    assert run(oci_lab, "oci.sender").outcome == outcome


def test_no_address_means_nothing_is_asked(oci_lab: OciLab) -> None:
    assert run(oci_lab, "oci.sender", {"address": ""}).outcome == "no_address"
    assert run(oci_lab, "oci.suppression", {"addresses": []}).outcome == "no_address"
    assert oci_lab.server.requests == []


def test_each_recipient_is_looked_up_and_a_complaint_carries_a_warning(
        oci_lab: OciLab) -> None:
    oci_lab.server.state.add_suppression("b@example.net", "COMPLAINT")
    result = run(oci_lab, "oci.suppression", {"addresses": ["a@example.net", "b@example.net"]})
    assert result.outcome == "suppressed"
    assert result.facts["address"] == "b@example.net"
    assert "complained" in result.facts["warning"]
    assert [s["address"] for s in result.facts["suppressed"]] == ["b@example.net"]


def test_a_suppressed_recipient_with_reason_and_date(oci_lab: OciLab) -> None:
    assert run(oci_lab, "oci.suppression").outcome == "not_suppressed"
    oci_lab.server.state.add_suppression("user@example.net", "COMPLAINT")
    result = run(oci_lab, "oci.suppression")
    assert result.outcome == "suppressed"
    assert result.facts["reason"] == "COMPLAINT"
    assert result.facts["complaint"] is True
    assert result.facts["since"].startswith("2026-01-05T10:00:00")
    assert oci_lab.server.methods() == {"GET"}


@pytest.mark.parametrize(("recipient", "outcome"), [
    ("user@example.net", "accepted"), ("gone@example.net", "suppressed"), ("bad@", "rejected"),
    ("", "no_address")])
def test_a_test_message_through_https_submission(oci_lab: OciLab, recipient: str,
                                                 outcome: str) -> None:
    oci_lab.server.state.add_sender("app@example.com")
    oci_lab.server.state.add_suppression("gone@example.net")
    result = run(oci_lab, "oci.submit_email", {"sender": "app@example.com",
                                               "recipient": recipient})
    assert result.outcome == outcome, result
    if outcome == "suppressed":
        assert result.facts["suppressed_recipients"] == ["gone@example.net"]
    if outcome == "rejected":
        assert result.facts["reply"] == \
            "HTTP 400 InvalidParameter: Invalid Internet Address : bad@"
    sent = 0 if outcome in ("rejected", "no_address") else 1
    assert len(oci_lab.server.state.submitted) == sent


def test_an_unapproved_sender_over_https_is_not_authorized(oci_lab: OciLab) -> None:
    result = run(oci_lab, "oci.submit_email")
    assert result.outcome == "not_authorized"


# --- authentication -------------------------------------------------------------------------

def test_a_session_token_profile_signs_with_the_token(oci_lab: OciLab) -> None:
    result = run(oci_lab, "oci.email_configuration", profile="TOKEN", auth="security_token")
    assert result.outcome == "found", result


def test_an_encrypted_key_needs_its_passphrase_from_the_environment(oci_lab: OciLab) -> None:
    without = run(oci_lab, "oci.email_configuration", profile="LOCKED")
    assert without.outcome == "config_error"
    assert "EMAIL_WIZARD_OCI_PASSPHRASE" in without.facts["fix"]
    with_it = run(oci_lab, "oci.email_configuration", profile="LOCKED",
                  env={"EMAIL_WIZARD_OCI_PASSPHRASE": PASSPHRASE})
    assert with_it.outcome == "found"
    assert PASSPHRASE not in repr(with_it) and PASSPHRASE not in repr(
        settings(oci_lab, "LOCKED", env={"EMAIL_WIZARD_OCI_PASSPHRASE": PASSPHRASE}))


def test_the_ca_file_wins_over_requests_ca_bundle_and_keeps_proxies(
        oci_lab: OciLab, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    monkeypatch.setenv("CURL_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    monkeypatch.setenv("https_proxy", "http://proxy.invalid:3128")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    assert run(oci_lab, "oci.email_configuration").outcome == "found"

    from wizard.ociapi.client import open_api

    monkeypatch.setenv("no_proxy", "")
    api = open_api(settings(oci_lab), ca_file=str(oci_lab.ca_file), timeout=3)
    session = api.control.base_client.session
    assert session.verify == str(oci_lab.ca_file)
    assert session.proxies.get("https") == "http://proxy.invalid:3128"


# --- every failure, for every probe --------------------------------------------------------

FAILURE_CASES = ["not_configured", "sdk_missing", "config_error", "not_authenticated",
                 "not_authorized", "throttled", "service_error", "unreachable", "tls_failed",
                 "timeout"]


def test_the_failure_cases_cover_the_declared_failures() -> None:
    assert sorted(FAILURE_CASES) == sorted(FAILURES)


@pytest.mark.parametrize("name", sorted(PROBE_CALLS))
@pytest.mark.parametrize("failure", FAILURE_CASES)
def test_every_failure_is_an_outcome_with_a_fix(oci_lab: OciLab, monkeypatch: pytest.MonkeyPatch,
                                                name: str, failure: str) -> None:
    params = PROBE_CALLS[name]
    changes: dict[str, Any] = {}
    if failure == "not_configured":
        result = probe(name, params, None, None)
    else:
        if failure == "sdk_missing":
            monkeypatch.setitem(sys.modules, "oci", None)
        elif failure == "config_error":
            changes["profile"] = "NOKEY"
        elif failure == "not_authenticated":
            changes["profile"] = "WRONG"
        elif failure == "unreachable":
            changes["endpoint"] = f"https://127.0.0.1:{free_port()}"
        elif failure == "tls_failed":
            changes["ca_file"] = None
        elif failure == "timeout":
            changes["timeout"] = 0.5
        oci_lab.server.mode = {"not_authorized": "no_policy", "throttled": "throttled",
                               "service_error": "server_error", "timeout": "silent"}.get(failure)
        result = run(oci_lab, name, **changes)
    assert result.outcome == failure, result
    assert result.facts["fix"], result
    if failure == "not_authorized":
        assert "Allow group" in result.facts["fix"]
        assert "email-family" in result.facts["fix"]
    if failure == "not_authenticated":
        assert "fingerprint" in result.facts["fix"] and "clock" in result.facts["fix"]
        assert any("unknown keyId" in r for r in oci_lab.server.rejections)
    if failure == "not_configured":
        assert "email-wizard[oci]" in result.facts["fix"]
