"""What Postfix's TLS/SASL settings mean (wizard.postfix.tls_settings) and the relayhost probe."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from wizard.postfix.relayhost import Relayhost, RelayhostError, parse_relayhost
from wizard.postfix.tls_settings import (
    Mtime,
    allowed_protocols,
    allows_modern_tls,
    has_tls_security_level,
    legacy_tls,
    mechanism_filter_allows_plain,
    mechanism_filter_with_plain,
    protocols_suggestion,
    sasl_options,
    sasl_password_map,
)
from wizard.probes import postfix_relayhost
from wizard.probes.base import ProbeContext, ProbeResult
from wizard.probes.postfix_config import derived_facts
from wizard.probes.postfix_relayhost import PostfixRelayhostParams, provider_for_host
from wizard.probes.runner import RegistryRunner


@pytest.mark.parametrize(("value", "allowed"), [
    ("", {"SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}),
    (">=TLSv1", {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}),
    ("!SSLv2, !SSLv3", {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}),
    ("TLSv1, TLSv1.1", {"TLSv1", "TLSv1.1"}),
    ("<=TLSv1.1", {"SSLv2", "SSLv3", "TLSv1", "TLSv1.1"}),
    ("!SSLv2:!SSLv3 !TLSv1.2 !TLSv1.3", {"TLSv1", "TLSv1.1"}),
    ("tlsv1.3", {"TLSv1.3"}),
    (">=TLSv1.2 <=TLSv1.2", {"TLSv1.2"}),
    ("!TLSv9, TLSv1.2", {"TLSv1.2"}),
])
def test_protocol_lists_are_read_as_postfix_reads_them(value: str, allowed: set[str]) -> None:
    assert allowed_protocols(value) == allowed


def test_tls_1_3_alone_still_counts_as_modern() -> None:
    assert allows_modern_tls("TLSv1.3")
    assert not allows_modern_tls("<=TLSv1.1")


def test_the_suggested_protocols_use_a_syntax_the_version_understands() -> None:
    assert protocols_suggestion("3.7.11") == ">=TLSv1.2"
    assert protocols_suggestion("3.5.6") == "!SSLv2, !SSLv3, !TLSv1, !TLSv1.1"
    assert protocols_suggestion("") == "!SSLv2, !SSLv3, !TLSv1, !TLSv1.1"


@pytest.mark.parametrize(("version", "answer"), [
    ("3.7.11", "yes"), ("2.3.0", "yes"), ("2.2.10", "no"), ("3.9-20240101", "yes"),
    ("", "unknown"), ("unknown", "unknown"),
])
def test_smtp_tls_security_level_exists_from_postfix_2_3(version: str, answer: str) -> None:
    assert has_tls_security_level(version) == answer


@pytest.mark.parametrize(("params", "meaning"), [
    ({}, "unset"),
    ({"smtp_use_tls": "yes"}, "may"),
    ({"smtp_use_tls": "YES", "smtp_enforce_tls": "yes"}, "encrypt"),
    ({"smtp_enforce_tls": "true"}, "encrypt"),
    ({"smtp_use_tls": "no"}, "none"),
    ({"smtp_use_tls": "yes", "smtp_tls_security_level": "encrypt"}, "redundant"),
])
def test_the_deprecated_settings_mean_a_level(params: dict[str, str], meaning: str) -> None:
    assert legacy_tls(params) == meaning


@pytest.mark.parametrize(("params", "general", "tls", "problem"), [
    ({}, "no", "inherited", "noplaintext forbids PLAIN and LOGIN"),
    ({"smtp_sasl_security_options": "noanonymous"}, "yes", "inherited", ""),
    ({"smtp_sasl_security_options": ""}, "no", "inherited",
     "noplaintext forbids PLAIN and LOGIN"),
    ({"smtp_sasl_security_options": "noplaintext"}, "no", "inherited",
     "noplaintext forbids PLAIN and LOGIN; without noanonymous, an anonymous login is allowed"),
    ({"smtp_sasl_tls_security_options": "noanonymous"}, "yes", "yes",
     "noplaintext forbids PLAIN and LOGIN"),
    ({"smtp_sasl_security_options": "noanonymous",
      "smtp_sasl_tls_security_options": "noplaintext, noanonymous"}, "yes", "no", ""),
])
def test_sasl_options_must_let_plain_through_tls_and_refuse_anonymous(
        params: dict[str, str], general: str, tls: str, problem: str) -> None:
    options = sasl_options(params)
    assert (options.security_options, options.tls_security_options) == (general, tls)
    assert options.problem == problem


def test_the_mechanism_filter_must_keep_plain() -> None:
    assert mechanism_filter_allows_plain("") == "yes"
    assert mechanism_filter_allows_plain("plain, login") == "yes"
    assert mechanism_filter_allows_plain("login cram-md5") == "no"
    assert mechanism_filter_allows_plain("hash:/etc/postfix/filter") == "not_checked"
    assert mechanism_filter_with_plain("login cram-md5") == "login, cram-md5, plain"
    assert mechanism_filter_with_plain("PLAIN") == "PLAIN"


def mtimes(files: dict[str, float]) -> Mtime:
    return files.get


@pytest.mark.parametrize(("value", "files", "state"), [
    ("", {}, "unset"),
    ("hash:/etc/postfix/sasl", {"/etc/postfix/sasl": 1.0, "/etc/postfix/sasl.db": 2.0}, "built"),
    ("hash:/etc/postfix/sasl", {"/etc/postfix/sasl": 1.0, "/etc/postfix/sasl.db": 1.0}, "built"),
    ("hash:/etc/postfix/sasl", {"/etc/postfix/sasl": 3.0, "/etc/postfix/sasl.db": 2.0}, "stale"),
    ("hash:/etc/postfix/sasl", {"/etc/postfix/sasl": 3.0}, "not_built"),
    ("hash:/etc/postfix/sasl", {}, "missing"),
    ("hash:/etc/postfix/sasl", {"/etc/postfix/sasl.db": 2.0}, "built"),
    ("lmdb:/etc/postfix/sasl", {"/etc/postfix/sasl": 1.0, "/etc/postfix/sasl.lmdb": 2.0},
     "built"),
    ("lmdb:/etc/postfix/sasl", {"/etc/postfix/sasl": 1.0, "/etc/postfix/sasl.db": 2.0},
     "not_built"),
    ("/etc/postfix/sasl", {"/etc/postfix/sasl": 1.0, "/etc/postfix/sasl.db": 2.0}, "built"),
    ("sasl", {"/etc/postfix/sasl": 3.0, "/etc/postfix/sasl.db": 2.0}, "stale"),
    ("proxy:hash:/etc/postfix/sasl", {"/etc/postfix/sasl": 3.0}, "not_built"),
    ("texthash:/etc/postfix/sasl", {"/etc/postfix/sasl": 3.0}, "built"),
    ("texthash:/etc/postfix/sasl", {}, "missing"),
    ("static:<redacted>", {}, "built"),
    ("mysql:/etc/postfix/sasl.cf", {}, "not_checked"),
    ("hash:/a, hash:/b", {"/a": 1.0, "/a.db": 2.0, "/b": 3.0, "/b.db": 2.0}, "stale"),
])
def test_a_password_map_is_built_when_its_database_is_not_older_than_its_source(
        value: str, files: dict[str, float], state: str) -> None:
    assert sasl_password_map(value, "/etc/postfix", "", mtimes(files)).state == state


def test_the_map_state_names_the_map_and_never_reads_it(tmp_path: Path) -> None:
    source = tmp_path / "sasl_passwd"
    source.write_text("[relay]:587 user:secret\n")
    source.chmod(0)
    facts = derived_facts({"smtp_sasl_password_maps": f"hash:{source}"}, "3.7.11",
                          str(tmp_path))
    assert facts["sasl_password_map"] == "not_built"
    assert facts["sasl_password_map_name"] == f"hash:{source}"
    assert facts["sasl_postmap_command"] == f"postmap -c {tmp_path} hash:{source}"
    assert "secret" not in repr(facts)


def test_the_default_config_directory_needs_no_c_in_the_postmap_command() -> None:
    facts = derived_facts({"smtp_sasl_password_maps": "hash:/etc/postfix/sasl_passwd"},
                          "3.7.11", "/etc/postfix", mtime=lambda path: 1.0)
    assert facts["sasl_postmap_command"] == "postmap hash:/etc/postfix/sasl_passwd"


# --- relayhost --------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "relay"), [
    ("[smtp.example.com]:587", Relayhost("smtp.example.com", 587, True, True)),
    ("[smtp.example.com]", Relayhost("smtp.example.com", 25, True, False)),
    ("smtp.example.com:submission", Relayhost("smtp.example.com", 587, False, True)),
    ("smtp.example.com", Relayhost("smtp.example.com", 25, False, False)),
    ("[ipv6:2001:db8::1]:587", Relayhost("2001:db8::1", 587, True, True)),
    ("[a.test]:587, [b.test]:587", Relayhost("a.test", 587, True, True, ("[b.test]:587",))),
])
def test_relayhost_values_are_split_as_postfix_reads_them(value: str, relay: Relayhost) -> None:
    assert parse_relayhost(value) == relay


@pytest.mark.parametrize("value", ["[smtp.example.com", "smtp.example.com]:587",
                                   "[smtp.example.com]:99999", "[]:587", "[a.test]x",
                                   ":587"])
def test_unreadable_relayhost_values_raise(value: str) -> None:
    with pytest.raises(RelayhostError):
        parse_relayhost(value)


def test_the_bracketed_form_of_an_ipv6_relay() -> None:
    relay = parse_relayhost("[ipv6:2001:db8::1]")
    assert relay is not None and relay.bracketed_form(587) == "[ipv6:2001:db8::1]:587"


def test_an_oci_endpoint_selects_the_oci_profile_and_anything_else_the_generic_one() -> None:
    assert provider_for_host("smtp.email.us-ashburn-1.oci.oraclecloud.com").id == "oci"
    assert provider_for_host("SMTP.EMAIL.UK-GOV-LONDON-1.OCI.ORACLEGOVCLOUD.UK.").id == "oci"
    assert provider_for_host("mail.example.net").id == "generic"


def run_relayhost(**params: str) -> ProbeResult:
    return asyncio.run(RegistryRunner(ProbeContext(timeout=5)).run("postfix.relayhost", params))


def test_the_override_is_checked_instead_of_the_configured_relayhost() -> None:
    result = run_relayhost(relayhost="smtp.example.net", override="[relay.example.net]:587")
    assert result.outcome == "ok"
    assert result.facts["source"] == "override"
    assert result.facts["target_host"] == "relay.example.net"


def test_an_unknown_provider_profile_is_its_own_outcome() -> None:
    result = run_relayhost(relayhost="[relay.example.net]:587", provider="nosuch")
    assert result.outcome == "unknown_provider"


def test_a_profile_read_that_hangs_is_a_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(params: PostfixRelayhostParams) -> ProbeResult:
        time.sleep(1)
        raise AssertionError("not reached in time")

    monkeypatch.setattr(postfix_relayhost, "_check", slow)
    result = asyncio.run(postfix_relayhost.run_postfix_relayhost(
        PostfixRelayhostParams(relayhost="[a.test]:587", timeout=0.05), ProbeContext()))
    assert result.outcome == "timeout"
