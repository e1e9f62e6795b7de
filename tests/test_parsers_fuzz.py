"""Hostile text into the parsers: the message parser and the SPF, DMARC and DKIM tag
parsers raise nothing outside their documented error types, each example in bounded time."""

from __future__ import annotations

import base64
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wizard.dns.dkim_tags import TagListError, analyse_key_record, parse_tag_list
from wizard.dns.dmarc_tags import parse_dmarc
from wizard.dns.spf_parse import parse_spf
from wizard.message.isolated import Unusable, analyse
from wizard.message.summary import MessageSummary

LIMIT_S = 2.0
"""Most time one example may take."""
SETTINGS = settings(max_examples=300, deadline=LIMIT_S * 1000,
                    suppress_health_check=[HealthCheck.too_slow])

FIELD_NAMES = st.sampled_from([b"From", b"To", b"Cc", b"Bcc", b"Subject", b"Sender",
                               b"Return-Path", b"Message-ID", b"DKIM-Signature", b"X-\xc3\xa9",
                               b"from", b"Received"])
FIELD_VALUES = st.one_of(
    st.binary(max_size=200),
    st.lists(st.sampled_from([b"a@example.com", b"<b@x.test>", b'"q, r" <c@y>', b"(c)",
                              b"=?utf-8?q?=C3=A9?=", b"=?x?b?////?=", b"g: h@i;", b",", b" ",
                              b"\r\n ", b"\n\t", b"@", b"<", b">", b"\\", b"d=example.com; s=s1"]),
             max_size=60).map(b"".join),
)
MESSAGES = st.one_of(
    st.binary(max_size=2000),
    st.lists(st.tuples(FIELD_NAMES, FIELD_VALUES), max_size=30).map(
        lambda fields: b"".join(name + b": " + value + b"\n" for name, value in fields)
        + b"\nbody\n"),
)


@SETTINGS
@given(MESSAGES)
def test_the_message_parser_answers_every_input(data: bytes) -> None:
    started = time.monotonic()
    result = analyse(data)
    assert isinstance(result, MessageSummary | Unusable)
    if isinstance(result, MessageSummary):
        assert result.recipient_count >= len(result.recipients) or len(result.recipients) == 0
        for text in (result.subject, *result.from_addresses, *result.defects):
            text.encode("utf-8")
    assert time.monotonic() - started < LIMIT_S


SPF_TERMS = st.sampled_from(["v=spf1", "ip4:192.0.2.0/24", "ip6:2001:db8::/32", "ip4:300.1.1.1",
                             "ip4:1.2.3.4/99999999999999999999", "include:", "a/24//64", "mx:/",
                             "-all", "~all", "?all", "+all:x", "redirect=", "exp=x", "ptr/8",
                             "exists:%{i}.x", "ip6:", "a:b/c/d", "=", ":", "/", "\x00", "é"])
TEXTS = st.one_of(st.text(max_size=300),
                  st.lists(SPF_TERMS, max_size=40).map(" ".join))


@SETTINGS
@given(TEXTS)
def test_the_spf_parser_lists_problems_and_never_raises(text: str) -> None:
    record = parse_spf(text)
    assert isinstance(record.problems, tuple)


DMARC_TAGS = st.sampled_from(["v=DMARC1", "p=reject", "p=", "sp=none", "pct=50", "pct=x",
                              "pct=" + "9" * 5000, "pct=٣", "adkim=s", "aspf=q", "rua=mailto:a@b",
                              "ruf=,,", "v", "=", ";", " ", "1=2", "p=reject"])
TAG_LISTS = st.one_of(st.text(max_size=300),
                      st.lists(DMARC_TAGS, max_size=20).map("; ".join))


@SETTINGS
@given(TAG_LISTS)
def test_the_dmarc_parser_lists_problems_and_never_raises(text: str) -> None:
    record = parse_dmarc(text)
    assert 0 <= record.pct <= 100


KEY_VALUES = st.one_of(
    st.text(max_size=100),
    st.binary(max_size=600).map(lambda raw: base64.b64encode(raw).decode()),
)
DKIM_RECORDS = st.one_of(
    TAG_LISTS,
    st.tuples(st.sampled_from(["", "v=DKIM1; ", "k=ed25519; ", "v=DKIM2; k=rsa; ", "h=sha1; "]),
              KEY_VALUES).map(lambda t: f"{t[0]}p={t[1]}"),
)


@SETTINGS
@given(DKIM_RECORDS)
def test_the_dkim_parser_raises_only_tag_list_errors(text: str) -> None:
    try:
        parse_tag_list(text)
        key = analyse_key_record(text)
    except TagListError:
        return
    assert key.key_bits is None or key.key_bits > 0


def nested_rsa_keys(levels: int) -> bytes:
    """A SubjectPublicKeyInfo whose BIT STRING holds another one, ``levels`` deep."""
    def der(tag: int, content: bytes) -> bytes:
        size = len(content)
        length = bytes([size]) if size < 0x80 else (
            bytes([0x80 | 4]) + size.to_bytes(4, "big"))
        return bytes([tag]) + length + content

    inner = der(0x30, der(0x02, b"\x01" * 8) + der(0x02, b"\x01\x00\x01"))
    algorithm = der(0x30, der(0x06, bytes.fromhex("2a864886f70d010101")) + der(0x05, b""))
    for _ in range(levels):
        inner = der(0x30, algorithm + der(0x03, b"\x00" + inner))
    return inner


def test_a_deeply_nested_key_is_a_problem_not_a_crash() -> None:
    key = base64.b64encode(nested_rsa_keys(3000)).decode()
    record = analyse_key_record(f"v=DKIM1; k=rsa; p={key}")
    assert record.key_bits is None
    assert any("not an RSA public key" in p for p in record.problems)
