"""The pure DNS-record parsers: DKIM tag lists and keys, SPF terms, DMARC policy, name spelling."""

from __future__ import annotations

import base64

import pytest

from wizard.cli import build_parser
from wizard.dns.dkim_tags import TagListError, analyse_key_record, parse_tag_list, rsa_modulus_bits
from wizard.dns.dmarc_tags import aligned, parse_dmarc
from wizard.dns.names import ancestors, domain_of, relative_to, same_name
from wizard.dns.spf_parse import is_spf, parse_spf
from wizard.probes.dkim_misplaced import misplaced_candidates

RSA_1024_SPKI = (
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDU4mnYKkHiNJr8bMnV4EuF1SZ9qpx7BNpUGFMKXEV2UMjm0wXW"
    "OxkjnIqkl90zdweARHuDc1m4Ofy4TGH5X1wzB+P1AKCT6xKKpfEBCW+gNWU4pbUguR1q0tQ1bNKB55wTAWvH1n5b"
    "PH808bJgCLAQOa80MPZRNWVUnBN2Xb0eGwIDAQAB")


def test_a_tag_list_allows_whitespace_and_a_trailing_semicolon() -> None:
    assert parse_tag_list(" v = DKIM1 ;k=rsa;\tp=AB CD ; ") == {"v": "DKIM1", "k": "rsa",
                                                                "p": "AB CD"}


@pytest.mark.parametrize("text", ["v=DKIM1; v=DKIM1", "v=DKIM1; junk", "1x=2"])
def test_a_broken_tag_list_is_rejected(text: str) -> None:
    with pytest.raises(TagListError):
        parse_tag_list(text)


def test_an_rsa_key_with_whitespace_inside_p_is_measured() -> None:
    spaced = " ".join(RSA_1024_SPKI[i:i + 40] for i in range(0, len(RSA_1024_SPKI), 40))
    key = analyse_key_record(f"v=DKIM1; k=rsa; p={spaced}")
    assert (key.usable, key.key_bits) == (True, 1024)


def test_rsa_modulus_bits_agree_with_the_cryptography_package() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=3072).public_key()
    der = key.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    assert rsa_modulus_bits(der) == 3072


@pytest.mark.parametrize(("record", "problem"), [
    ("v=DKIM2; p=" + RSA_1024_SPKI, "must be DKIM1"),
    ("k=rsa; v=DKIM1; p=" + RSA_1024_SPKI, "first tag"),
    ("v=DKIM1; k=dsa; p=" + RSA_1024_SPKI, "unknown key type"),
    ("v=DKIM1; k=rsa", "no p= tag"),
    ("v=DKIM1; p=" + base64.b64encode(b"not der").decode(), "not an RSA public key"),
    ("v=DKIM1; k=ed25519; p=" + base64.b64encode(b"short").decode(), "expected 32"),
])
def test_an_unusable_key_says_why(record: str, problem: str) -> None:
    key = analyse_key_record(record)
    assert not key.usable
    assert problem in " ".join(key.problems)


def test_testing_mode_and_sha1_only_are_warnings_not_problems() -> None:
    key = analyse_key_record(f"v=DKIM1; t=y; h=sha1; p={RSA_1024_SPKI}")
    assert key.usable
    assert len(key.warnings) == 2


def test_spf_terms_are_split_into_mechanisms_and_modifiers() -> None:
    record = parse_spf("v=spf1 ip4:192.0.2.0/24 a mx:mail.example.com/24 include:_spf.x "
                       "-exists:%{i}.bl.example ~all redirect=_spf.y exp=explain.x")
    assert not record.problems
    assert [str(m) for m in record.lookup_mechanisms] == [
        "a", "mx:mail.example.com/24", "include:_spf.x", "-exists:%{i}.bl.example"]
    assert record.redirect == "_spf.y"


@pytest.mark.parametrize(("text", "problem"), [
    ("v=spf1 ip4:2001:db8::1 -all", "not an IPv4"),
    ("v=spf1 include -all", "needs a domain"),
    ("v=spf1 all:x", "takes no argument"),
    ("v=spf1 redirect=a redirect=b", "more than once"),
    ("v=spf1 +foo", "unknown mechanism"),
    ("spf1 -all", "does not start with v=spf1"),
])
def test_spf_syntax_errors_are_found(text: str, problem: str) -> None:
    assert problem in " ".join(parse_spf(text).problems)


def test_only_v_spf1_records_are_spf() -> None:
    assert is_spf("v=spf1 -all") and is_spf("V=SPF1")
    assert not is_spf("v=spf10 -all") and not is_spf("site-verification=1")


def test_dmarc_defaults_and_reports() -> None:
    record = parse_dmarc("v=DMARC1; p=quarantine; rua=mailto:a@x.test, mailto:b@x.test")
    assert (record.policy, record.pct, record.adkim, record.aspf) == ("quarantine", 100, "r", "r")
    assert record.rua == ("mailto:a@x.test", "mailto:b@x.test")
    assert not record.problems


@pytest.mark.parametrize(("text", "problem"), [
    ("p=none; v=DMARC1", "start with v=DMARC1"),
    ("v=DMARC1", "no p= tag"),
    ("v=DMARC1; p=none; pct=150", "pct=150"),
    ("v=DMARC1; p=none; adkim=x", "adkim=x"),
])
def test_dmarc_errors_are_found(text: str, problem: str) -> None:
    assert problem in " ".join(parse_dmarc(text).problems)


def test_alignment_strict_needs_the_exact_domain_relaxed_the_same_org() -> None:
    def org(domain: str) -> str:
        return ".".join(domain.split(".")[-2:])

    assert aligned("mail.example.com", "example.com", "r", org)
    assert not aligned("mail.example.com", "example.com", "s", org)
    assert aligned("EXAMPLE.com.", "example.com", "s", org)
    assert not aligned("example.net", "example.com", "r", org)


def test_names_relative_to_their_zone() -> None:
    assert relative_to("sel._domainkey.mail.example.com.", "example.com") == "sel._domainkey.mail"
    assert relative_to("example.com", "EXAMPLE.com.") == "@"
    assert ancestors("a.b.example.com", "example.com") == ["a.b.example.com", "b.example.com",
                                                          "example.com"]
    assert same_name("X.example.com.", "x.example.com")
    assert domain_of("Alice <alice@Mail.Example.com>") == "mail.example.com"


def test_the_misplaced_names_cover_each_paste_mistake() -> None:
    names = [name for name, _ in misplaced_candidates("s", "a.b.example.com", "example.com")]
    assert names == [
        "s._domainkey.a.b.example.com.a.b.example.com",
        "s._domainkey.a.b.example.com.b.example.com",
        "s._domainkey.a.b.example.com.example.com",
        "s._domainkey.b.example.com",
        "s._domainkey.example.com",
    ]


def test_the_run_command_takes_authoritative() -> None:
    assert build_parser().parse_args(["run", "dkim", "--authoritative"]).authoritative is True
    assert build_parser().parse_args(["run", "dkim"]).authoritative is None, (
        "not given: the settings file decides")
